#include "protocol/driversignature.h"

#include "protocol/jsonfields.h"

#include "core/sha256.h"

QString DriverSignature::parse(const QJsonValue &v, DriverSignature *out)
{
    if (!v.isObject())
        return QStringLiteral("signature must be an object, got %1").arg(JsonFields::typeName(v));
    const QJsonObject o = v.toObject();
    static const char *const keys[] = {"alg", "key_id", "value"};
    for (const char *key : keys) {
        if (!o.value(QLatin1String(key)).isString())
            return QStringLiteral("signature.%1 must be a string").arg(QLatin1String(key));
    }
    out->alg = o.value(QStringLiteral("alg")).toString();
    out->keyId = o.value(QStringLiteral("key_id")).toString();
    out->value = o.value(QStringLiteral("value")).toString();
    return {};
}

QJsonObject DriverSignature::toJson() const
{
    return {{QStringLiteral("alg"), alg}, {QStringLiteral("key_id"), keyId}, {QStringLiteral("value"), value}};
}

QString DriverSignature::sha256Hex(const QString &driverCode)
{
    return Sha256::hexOfUtf8(driverCode);
}

QByteArray DriverSignature::signedBytes(const QString &driverType, const QString &version, const QString &protocolType,
                                        const QString &driverCode)
{
    const QString text = QStringLiteral("control-nuc-driver-v1\n%1\n%2\n%3\n%4")
                             .arg(driverType, version, protocolType, sha256Hex(driverCode));
    return text.toUtf8();
}
