#include "sync/signaturecheck.h"

#include "core/ed25519.h"
#include "protocol/driversignature.h"
#include "protocol/driversyncrequest.h"

#include <QFile>
#include <QRegularExpression>

QString SignatureCheck::loadKeys(const QString &path, QHash<QString, QByteArray> *keys)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read the trusted keys %1: %2").arg(path, f.errorString());
    QHash<QString, QByteArray> read;
    int lineNumber = 0;
    static const QRegularExpression space(QStringLiteral("\\s+"));
    while (!f.atEnd()) {
        ++lineNumber;
        const QString line = QString::fromUtf8(f.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const QStringList parts = line.split(space);
        const auto bad = [&](const QString &why) {
            return QStringLiteral("%1 line %2: %3").arg(path).arg(lineNumber).arg(why);
        };
        if (parts.size() != 2)
            return bad(QStringLiteral("expected `key_id base64-public-key`"));
        const auto decoded = QByteArray::fromBase64Encoding(parts.at(1).toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.size() != Ed25519::keyBytes)
            return bad(QStringLiteral("the key is not base64 of %1 bytes").arg(Ed25519::keyBytes));
        if (read.contains(parts.at(0)))
            return bad(QStringLiteral("key id '%1' appears twice").arg(parts.at(0)));
        read.insert(parts.at(0), decoded.decoded);
    }
    *keys = read;
    return {};
}

SignatureVerdict SignatureCheck::check(const DriverSyncRequest &request) const
{
    const auto refuse = [](const QString &why) {
        return SignatureVerdict{false, {}, QStringLiteral("Invalid signature: ") + why};
    };
    if (request.signature.isUndefined() || request.signature.isNull()) {
        if (m_required)
            return refuse(QStringLiteral("this controller requires signed drivers and the driver is unsigned"));
        return {true, {}, {}};
    }
    DriverSignature signature;
    const QString malformed = DriverSignature::parse(request.signature, &signature);
    if (!malformed.isEmpty())
        return refuse(malformed);
    if (signature.alg != u"ed25519")
        return refuse(QStringLiteral("unknown alg '%1' (only ed25519)").arg(signature.alg));
    const auto key = m_keys.constFind(signature.keyId);
    if (key == m_keys.cend())
        return refuse(QStringLiteral("unknown key_id '%1'").arg(signature.keyId));
    const auto value = QByteArray::fromBase64Encoding(signature.value.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!value)
        return refuse(QStringLiteral("the value is not base64"));
    const QByteArray message = DriverSignature::signedBytes(request.driverTypeText(), request.version,
                                                            request.protocolType, request.driverCode);
    if (!Ed25519::verify(*key, message, value.decoded))
        return refuse(QStringLiteral("the signature by key '%1' does not match this driver").arg(signature.keyId));
    return {true, signature.keyId, {}};
}
