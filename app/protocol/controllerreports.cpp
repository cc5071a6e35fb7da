#include "protocol/controllerreports.h"

#include "protocol/jsonfields.h"

namespace {

// Reads required string fields in order; the first missing or empty one is
// the reason. Each `out` receives its field's text.
QString requireStrings(const QJsonObject &data, std::initializer_list<std::pair<const char *, QString *>> fields)
{
    for (const auto &[key, out] : fields) {
        const QJsonValue v = data.value(QLatin1String(key));
        if (!JsonFields::isNonEmptyString(v))
            return QStringLiteral("field '%1' must be a non-empty string, got %2").arg(QLatin1String(key), JsonFields::typeName(v));
        *out = v.toString();
    }
    return {};
}

// A field that is a string or null (absent counts as null).
QString optionalString(const QJsonObject &data, const char *key, QString *out)
{
    QJsonValue value;
    const QString reason = JsonFields::readOptional(data, QLatin1String(key), QJsonValue::String, &value);
    *out = value.toString();
    return reason;
}

QString optionalArray(const QJsonObject &data, const char *key, QJsonArray *out)
{
    QJsonValue value = QJsonArray();
    const QString reason = JsonFields::readOptional(data, QLatin1String(key), QJsonValue::Array, &value);
    *out = value.toArray();
    return reason;
}

// Identifiers echoed by the controller: a string or null, never another type.
QString echoedIdentifier(const QJsonObject &data, const char *key, QJsonValue *out)
{
    return JsonFields::readOptional(data, QLatin1String(key), QJsonValue::String, out);
}

// Runs checks in order and stops at the first reason.
template<typename... Checks>
QString firstFailure(Checks &&...checks)
{
    QString reason;
    ((reason.isEmpty() ? (reason = checks(), 0) : 0), ...);
    return reason;
}

} // namespace

Parsed<HelloReport> HelloReport::parse(const QJsonObject &data)
{
    Parsed<HelloReport> p;
    HelloReport &r = p.value;
    p.error = firstFailure([&] { return requireStrings(data, {{"controller_id", &r.controllerId}}); },
                           [&] { return optionalString(data, "name", &r.name); },
                           [&] { return optionalString(data, "app_version", &r.appVersion); },
                           [&] { return optionalArray(data, "drivers", &r.drivers); },
                           [&] { return optionalArray(data, "devices", &r.devices); });
    return p;
}

Parsed<SyncProgressReport> SyncProgressReport::parse(const QJsonObject &data)
{
    Parsed<SyncProgressReport> p;
    p.error = requireStrings(data, {{"sync_id", &p.value.syncId}, {"step", &p.value.step}});
    return p;
}

Parsed<SyncCompleteReport> SyncCompleteReport::parse(const QJsonObject &data)
{
    Parsed<SyncCompleteReport> p;
    SyncCompleteReport &r = p.value;
    p.error = requireStrings(data, {{"sync_id", &r.syncId},
                                    {"driver_id", &r.driverId},
                                    {"driver_type", &r.driverType},
                                    {"version", &r.version},
                                    {"file_path", &r.filePath}});
    return p;
}

Parsed<SyncErrorReport> SyncErrorReport::parse(const QJsonObject &data)
{
    Parsed<SyncErrorReport> p;
    SyncErrorReport &r = p.value;
    p.error = firstFailure([&] { return echoedIdentifier(data, "sync_id", &r.syncId); },
                           [&] { return echoedIdentifier(data, "driver_id", &r.driverId); },
                           [&] { return echoedIdentifier(data, "driver_type", &r.driverType); },
                           [&] { return requireStrings(data, {{"error_message", &r.errorMessage}}); },
                           [&] { return optionalString(data, "error_stack", &r.errorStack); });
    return p;
}

Parsed<StatusUpdateReport> StatusUpdateReport::parse(const QJsonObject &data)
{
    Parsed<StatusUpdateReport> p;
    StatusUpdateReport &r = p.value;
    p.error = firstFailure([&] { return requireStrings(data, {{"device_id", &r.deviceId}, {"status", &r.status},
                                                              {"timestamp", &r.timestamp}}); },
                           [&] { return optionalString(data, "message", &r.message); });
    static const QStringList statuses{QStringLiteral("connecting"), QStringLiteral("connected"),
                                      QStringLiteral("disconnected"), QStringLiteral("error")};
    if (p.ok() && !statuses.contains(r.status))
        p.error = QStringLiteral("status '%1' is not one of connecting, connected, disconnected, error").arg(r.status);
    return p;
}

Parsed<CommandResultReport> CommandResultReport::parse(const QJsonObject &data)
{
    Parsed<CommandResultReport> p;
    CommandResultReport &r = p.value;
    p.error = firstFailure([&] { return echoedIdentifier(data, "request_id", &r.requestId); },
                           [&] { return echoedIdentifier(data, "device_id", &r.deviceId); },
                           [&] { return optionalString(data, "error", &r.error); });
    const QJsonValue ok = data.value(QStringLiteral("ok"));
    const QJsonValue duration = data.value(QStringLiteral("duration_ms"));
    if (p.ok() && !ok.isBool())
        p.error = QStringLiteral("field 'ok' must be a boolean, got %1").arg(JsonFields::typeName(ok));
    else if (p.ok() && !duration.isDouble())
        p.error = QStringLiteral("field 'duration_ms' must be a number, got %1").arg(JsonFields::typeName(duration));
    r.ok = ok.toBool();
    r.durationMs = duration.toDouble();
    r.result = data.value(QStringLiteral("result"));
    return p;
}

Parsed<ProtocolErrorReport> ProtocolErrorReport::parse(const QJsonObject &data)
{
    Parsed<ProtocolErrorReport> p;
    p.error = firstFailure([&] { return requireStrings(data, {{"reason", &p.value.reason}}); },
                           [&] { return echoedIdentifier(data, "received_type", &p.value.receivedType); });
    return p;
}
