#include "driversyncrequest.h"

#include "protocolrules.h"

namespace {

const char *typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null: return "null";
    case QJsonValue::Bool: return "a boolean";
    case QJsonValue::Double: return "a number";
    case QJsonValue::String: return "a string";
    case QJsonValue::Array: return "an array";
    case QJsonValue::Object: return "an object";
    case QJsonValue::Undefined: break;
    }
    return "missing";
}

} // namespace

bool DriverSyncRequest::isValidDriverType(const QString &type)
{
    return ProtocolRules::isValidDriverType(type);
}

bool DriverSyncRequest::isValidProtocol(const QString &protocol)
{
    return ProtocolRules::isValidProtocolType(protocol);
}

QString DriverSyncRequest::parse(const QJsonObject &data, qint64 maxCodeBytes, DriverSyncRequest *out)
{
    auto identifier = [&](const char *key) {
        const QJsonValue v = data.value(QLatin1String(key));
        return v.isString() ? v : QJsonValue();
    };
    out->syncId = identifier("sync_id");
    out->driverId = identifier("driver_id");
    out->driverType = identifier("driver_type");

    static const char *const required[] = {"sync_id", "driver_id", "driver_type", "version", "driver_code",
                                           "protocol_type"};
    for (const char *key : required) {
        const QJsonValue v = data.value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            return QStringLiteral("required field '%1' is missing").arg(QLatin1String(key));
        if (!v.isString())
            return QStringLiteral("field '%1' must be a string, got %2").arg(QLatin1String(key), QLatin1String(typeName(v)));
        if (v.toString().isEmpty() && qstrcmp(key, "driver_code") != 0)
            return QStringLiteral("field '%1' must not be empty").arg(QLatin1String(key));
    }

    const QString type = data.value(QStringLiteral("driver_type")).toString();
    if (!isValidDriverType(type))
        return QStringLiteral("driver_type '%1' does not match ^[a-z0-9][a-z0-9_-]{0,63}$").arg(type);

    out->protocolType = data.value(QStringLiteral("protocol_type")).toString();
    if (!isValidProtocol(out->protocolType))
        return QStringLiteral("protocol_type '%1' is not one of tcp, udp, serial").arg(out->protocolType);

    out->version = data.value(QStringLiteral("version")).toString();
    out->driverCode = data.value(QStringLiteral("driver_code")).toString();
    if (out->driverCode.trimmed().isEmpty())
        return QStringLiteral("driver_code is empty");
    const qint64 codeBytes = out->driverCode.toUtf8().size();
    if (codeBytes > maxCodeBytes)
        return QStringLiteral("driver_code of %1 bytes exceeds the limit of %2 bytes").arg(codeBytes).arg(maxCodeBytes);

    const QJsonValue mappings = data.value(QStringLiteral("command_mappings"));
    if (mappings.isUndefined() || mappings.isNull())
        out->commandMappings = {};
    else if (mappings.isArray())
        out->commandMappings = mappings.toArray();
    else
        return QStringLiteral("field 'command_mappings' must be an array, got %1").arg(QLatin1String(typeName(mappings)));

    const QJsonValue config = data.value(QStringLiteral("connection_config"));
    if (config.isUndefined() || config.isNull())
        out->connectionConfig = {};
    else if (config.isObject())
        out->connectionConfig = config.toObject();
    else
        return QStringLiteral("field 'connection_config' must be an object, got %1").arg(QLatin1String(typeName(config)));

    return {};
}
