// SHA-256 through OpenSSL's libcrypto, which uses the CPU's SHA extensions
// where present: a driver's code is hashed on every sync (signature,
// unchanged-code check, runnable cache), up to 1 MiB each time.
#pragma once

#include <QByteArray>
#include <QString>

namespace Sha256 {

QByteArray hash(const QByteArray &data);
// Lowercase hex of the SHA-256 of `text` as UTF-8.
QString hexOfUtf8(const QString &text);

} // namespace Sha256
