#include "protocol/driversyncrequest.h"

#include "protocol/jsonfields.h"
#include "core/protocolrules.h"

namespace {

// The rules in PROTOCOL.md's order; the first broken one is the reason.
QString check(const QJsonObject &data, qint64 maxCodeBytes, DriverSyncRequest *out)
{
    static const char *const required[] = {"sync_id", "driver_id", "driver_type", "version", "driver_code",
                                           "protocol_type"};
    for (const char *key : required) {
        const QJsonValue v = data.value(QLatin1String(key));
        if (JsonFields::isAbsent(v))
            return QStringLiteral("required field '%1' is missing").arg(QLatin1String(key));
        if (!v.isString())
            return QStringLiteral("field '%1' must be a string, got %2").arg(QLatin1String(key), JsonFields::typeName(v));
        if (v.toString().isEmpty() && qstrcmp(key, "driver_code") != 0)
            return QStringLiteral("field '%1' must not be empty").arg(QLatin1String(key));
    }

    const QString type = data.value(QStringLiteral("driver_type")).toString();
    if (!ProtocolRules::isValidDriverType(type))
        return QStringLiteral("driver_type '%1' does not match %2").arg(type, QLatin1String(ProtocolRules::driverTypePattern));

    out->protocolType = data.value(QStringLiteral("protocol_type")).toString();
    if (!ProtocolRules::isValidProtocolType(out->protocolType))
        return QStringLiteral("protocol_type '%1' is not one of tcp, udp, serial").arg(out->protocolType);

    out->version = data.value(QStringLiteral("version")).toString();
    out->driverCode = data.value(QStringLiteral("driver_code")).toString();
    if (out->driverCode.trimmed().isEmpty())
        return QStringLiteral("driver_code is empty");
    const qint64 codeBytes = out->driverCode.toUtf8().size();
    if (codeBytes > maxCodeBytes)
        return QStringLiteral("driver_code of %1 bytes exceeds the limit of %2 bytes").arg(codeBytes).arg(maxCodeBytes);

    QJsonValue mappings = QJsonArray();
    QString reason = JsonFields::readOptional(data, QStringLiteral("command_mappings"), QJsonValue::Array, &mappings);
    if (!reason.isEmpty())
        return reason;
    out->commandMappings = mappings.toArray();

    QJsonValue config = QJsonObject();
    reason = JsonFields::readOptional(data, QStringLiteral("connection_config"), QJsonValue::Object, &config);
    if (!reason.isEmpty())
        return reason;
    out->connectionConfig = config.toObject();

    return {};
}

} // namespace

Parsed<DriverSyncRequest> DriverSyncRequest::parse(const QJsonObject &data, qint64 maxCodeBytes)
{
    Parsed<DriverSyncRequest> parsed;
    parsed.value.syncId = JsonFields::stringOrNull(data, QStringLiteral("sync_id"));
    parsed.value.driverId = JsonFields::stringOrNull(data, QStringLiteral("driver_id"));
    parsed.value.driverType = JsonFields::stringOrNull(data, QStringLiteral("driver_type"));
    parsed.value.signature = data.value(QStringLiteral("signature"));
    parsed.error = check(data, maxCodeBytes, &parsed.value);
    return parsed;
}
