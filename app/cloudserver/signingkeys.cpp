#include "cloudserver/signingkeys.h"

#include "core/ed25519.h"
#include "core/secretfile.h"
#include "protocol/driversignature.h"

#include <QFile>
#include <QRegularExpression>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace {

// Creates `path` with `mode`, never replacing a file that is there.
QString writeNew(const QString &path, const QByteArray &content, int mode)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return QStringLiteral("cannot create %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
    const bool written = ::write(fd, content.constData(), size_t(content.size())) == content.size() && ::fsync(fd) == 0;
    ::close(fd);
    return written ? QString() : QStringLiteral("cannot write %1").arg(path);
}

} // namespace

namespace SigningKeys {

QString generate(const QString &path, const QString &keyId, QString *publicLine)
{
    static const QRegularExpression idPattern(QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z0-9._-]{1,64}")));
    if (!idPattern.match(keyId).hasMatch())
        return QStringLiteral("key id '%1' must be 1 to 64 letters, digits, '.', '_' or '-'").arg(keyId);
    if (QFile::exists(path) || QFile::exists(path + QStringLiteral(".pub")))
        return QStringLiteral("%1 or %1.pub exists already; not overwriting a key").arg(path);
    Ed25519::KeyPair pair;
    QString error = Ed25519::generate(&pair);
    if (!error.isEmpty())
        return error;
    error = writeNew(path, keyId.toUtf8() + ' ' + pair.privateKey.toBase64() + '\n', 0600);
    if (!error.isEmpty())
        return error;
    *publicLine = keyId + QLatin1Char(' ') + QString::fromLatin1(pair.publicKey.toBase64());
    return writeNew(path + QStringLiteral(".pub"), publicLine->toUtf8() + '\n', 0644);
}

QString sign(const QString &path, const QString &driverType, const QString &version, const QString &protocolType,
             const QString &driverCode, QJsonObject *signature)
{
    QString content;
    QString error = SecretFile::read(path, &content);   // refuses a key others may read
    if (!error.isEmpty())
        return error;
    const QStringList parts = content.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    const auto seed = parts.size() == 2
        ? QByteArray::fromBase64Encoding(parts.at(1).toLatin1(), QByteArray::AbortOnBase64DecodingErrors)
        : QByteArray::FromBase64Result{};
    if (!seed || seed.decoded.size() != Ed25519::keyBytes)
        return QStringLiteral("%1 is not a signing key (`key_id base64` of %2 bytes, as keygen writes)").arg(path).arg(Ed25519::keyBytes);
    QByteArray value;
    error = Ed25519::sign(seed.decoded, DriverSignature::signedBytes(driverType, version, protocolType, driverCode), &value);
    if (!error.isEmpty())
        return error;
    *signature = DriverSignature{QStringLiteral("ed25519"), parts.at(0), QString::fromLatin1(value.toBase64())}.toJson();
    return {};
}

} // namespace SigningKeys
