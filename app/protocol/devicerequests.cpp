#include "protocol/devicerequests.h"

#include "protocol/jsonfields.h"
#include "core/protocolrules.h"

#include <QJsonArray>
#include <QSet>

namespace {

// One device_sync entry; `where` names it in the reason ("devices[2]").
QString checkEntry(const QJsonValue &entry, const QString &where, const QSet<QString> &seen, DeviceSpec *out)
{
    if (!entry.isObject())
        return where + QStringLiteral(" is not an object");
    const QJsonObject d = entry.toObject();
    out->id = d.value(QStringLiteral("device_id")).toString();
    out->type = d.value(QStringLiteral("type")).toString();
    out->name = d.value(QStringLiteral("name")).toString();
    if (!d.value(QStringLiteral("device_id")).isString() || out->id.trimmed().isEmpty())
        return where + QStringLiteral(": device_id must be a non-empty string");
    if (seen.contains(out->id))
        return where + QStringLiteral(": device_id %1 is listed twice").arg(out->id);
    if (!ProtocolRules::isValidDriverType(out->type))
        return where + QStringLiteral(": type '%1' is not a valid driver_type").arg(out->type);
    const QJsonValue name = d.value(QStringLiteral("name"));
    if (!JsonFields::isAbsent(name) && !name.isString())
        return where + QStringLiteral(": name must be a string");
    if (out->name.isEmpty())
        out->name = out->id;
    const QJsonValue config = d.value(QStringLiteral("connection_config"));
    if (!JsonFields::isAbsent(config) && !config.isObject())
        return where + QStringLiteral(": connection_config must be an object");
    out->connectionConfig = config.toObject();
    const QJsonValue room = d.value(QStringLiteral("room"));
    if (!JsonFields::isAbsent(room) && !room.isString())
        return where + QStringLiteral(": room must be a string");
    out->room = room.toString().trimmed();
    return {};
}

} // namespace

Parsed<DeviceSyncRequest> DeviceSyncRequest::parse(const QJsonObject &data)
{
    Parsed<DeviceSyncRequest> parsed;
    const QJsonValue devices = data.value(QStringLiteral("devices"));
    if (!devices.isArray()) {
        parsed.error = QStringLiteral("'devices' must be an array");
        return parsed;
    }
    const QJsonValue replace = data.value(QStringLiteral("replace"));
    if (!replace.isUndefined() && !replace.isBool()) {
        parsed.error = QStringLiteral("'replace' must be true or false");
        return parsed;
    }
    parsed.value.replace = replace.toBool(false);
    QSet<QString> seen;
    const QJsonArray list = devices.toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        DeviceSpec spec;
        parsed.error = checkEntry(list.at(i), QStringLiteral("devices[%1]").arg(i), seen, &spec);
        if (!parsed.error.isEmpty()) {
            parsed.value.devices.clear();
            return parsed;
        }
        seen.insert(spec.id);
        parsed.value.devices.append(spec);
    }
    return parsed;
}

Parsed<DeviceRemoveRequest> DeviceRemoveRequest::parse(const QJsonObject &data)
{
    Parsed<DeviceRemoveRequest> parsed;
    const QJsonValue id = data.value(QStringLiteral("device_id"));
    if (!JsonFields::isNonEmptyString(id))
        parsed.error = QStringLiteral("device_id must be a non-empty string");
    else
        parsed.value.deviceId = id.toString();
    return parsed;
}

Parsed<DeviceCommandRequest> DeviceCommandRequest::parse(const QJsonObject &data)
{
    Parsed<DeviceCommandRequest> parsed;
    DeviceCommandRequest &r = parsed.value;
    r.requestId = JsonFields::stringOrNull(data, QStringLiteral("request_id"));
    r.deviceId = JsonFields::stringOrNull(data, QStringLiteral("device_id"));
    const QJsonValue command = data.value(QStringLiteral("command"));
    const QJsonValue params = data.value(QStringLiteral("params"));
    if (!JsonFields::isNonEmptyString(r.requestId))
        parsed.error = QStringLiteral("request_id must be a non-empty string");
    else if (!JsonFields::isNonEmptyString(r.deviceId))
        parsed.error = QStringLiteral("device_id must be a non-empty string");
    else if (!JsonFields::isNonEmptyString(command))
        parsed.error = QStringLiteral("command must be a non-empty string");
    else if (!JsonFields::isAbsent(params) && !params.isObject())
        parsed.error = QStringLiteral("params must be an object");
    r.command = command.toString();
    r.params = params.toObject();
    return parsed;
}

Parsed<DriverReloadRequest> DriverReloadRequest::parse(const QJsonObject &data)
{
    Parsed<DriverReloadRequest> parsed;
    parsed.error = JsonFields::readDriverType(data, &parsed.value.driverType);
    return parsed;
}
