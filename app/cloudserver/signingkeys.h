// Driver signing keys for control-cloud (PROTOCOL.md "Signed drivers"):
// `keygen` writes them, `deploy --sign` uses them. A key file is one line,
// `key_id base64`: the private one (owner-only) holds the 32-byte Ed25519
// seed, the `.pub` one the public key, a line for a controller's
// trusted-keys file.
#pragma once

#include <QJsonObject>
#include <QString>

namespace SigningKeys {

// Writes `path` (mode 0600) and `path`.pub; refuses to overwrite either.
// `*publicLine` gets the .pub file's line. Returns an error line or empty.
QString generate(const QString &path, const QString &keyId, QString *publicLine);

// Signs a driver with the private key in `path`: `*signature` becomes
// driver_sync's {"alg","key_id","value"}. Returns an error line or empty.
QString sign(const QString &path, const QString &driverType, const QString &version, const QString &protocolType,
             const QString &driverCode, QJsonObject *signature);

} // namespace SigningKeys
