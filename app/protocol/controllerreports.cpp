#include "protocol/controllerreports.h"

#include "protocol/jsonfields.h"

#include <utility>

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
    // These go into text columns, which cannot hold U+0000 (PostgreSQL
    // refuses the statement: the report's batch would fail on every retry).
    for (const auto &[name, value] : {std::pair{"device_id", &r.deviceId}, std::pair{"message", &r.message},
                                      std::pair{"timestamp", &r.timestamp}}) {
        if (p.ok() && value->contains(QChar(0)))
            p.error = QStringLiteral("field '%1' must not contain U+0000").arg(QLatin1String(name));
    }
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

namespace {

// A required number ≥ 0 (`integer`: also whole); the reason names `path`.
QString readCount(const QJsonObject &o, const char *key, const QString &path, double *out, bool integer)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (!v.isDouble() || v.toDouble() < 0 || (integer && v.toDouble() != double(qint64(v.toDouble()))))
        return QStringLiteral("field '%1%2' must be a %3 ≥ 0, got %4")
            .arg(path, QLatin1String(key), integer ? QStringLiteral("whole number") : QStringLiteral("number"),
                 JsonFields::typeName(v));
    *out = v.toDouble();
    return {};
}

QString readDevice(const QJsonValue &value, const QString &path, DriverMetricsReport::Device *d)
{
    if (!value.isObject())
        return QStringLiteral("'%1' must be an object, got %2").arg(path.chopped(1), JsonFields::typeName(value));
    const QJsonObject o = value.toObject();
    if (!JsonFields::isNonEmptyString(o.value(QStringLiteral("device_id"))))
        return QStringLiteral("field '%1device_id' must be a non-empty string").arg(path);
    d->deviceId = o.value(QStringLiteral("device_id")).toString();
    double calls = 0, errors = 0, timeouts = 0;
    const QString reason = firstFailure([&] { return readCount(o, "calls", path, &calls, true); },
                                        [&] { return readCount(o, "errors", path, &errors, true); },
                                        [&] { return readCount(o, "timeouts", path, &timeouts, true); },
                                        [&] { return readCount(o, "call_ms_p50", path, &d->callMsP50, false); },
                                        [&] { return readCount(o, "call_ms_p99", path, &d->callMsP99, false); });
    d->calls = int(calls);
    d->errors = int(errors);
    d->timeouts = int(timeouts);
    return reason;
}

QString readDriver(const QJsonValue &value, const QString &path, DriverMetricsReport::Driver *d)
{
    if (!value.isObject())
        return QStringLiteral("'%1' must be an object, got %2").arg(path.chopped(1), JsonFields::typeName(value));
    const QJsonObject o = value.toObject();
    if (!JsonFields::isNonEmptyString(o.value(QStringLiteral("driver_type"))))
        return QStringLiteral("field '%1driver_type' must be a non-empty string").arg(path);
    d->driverType = o.value(QStringLiteral("driver_type")).toString();
    double restarts = 0, rss = 0;
    QString reason = firstFailure([&] { return readCount(o, "host_rss_bytes", path, &rss, true); },
                                  [&] { return readCount(o, "host_cpu_percent", path, &d->hostCpuPercent, false); },
                                  [&] { return readCount(o, "restarts", path, &restarts, true); });
    d->hostRssBytes = qint64(rss);
    d->restarts = int(restarts);
    if (!reason.isEmpty())
        return reason;
    const QJsonValue devices = o.value(QStringLiteral("devices"));
    if (!devices.isArray())
        return QStringLiteral("field '%1devices' must be an array, got %2").arg(path, JsonFields::typeName(devices));
    const QJsonArray list = devices.toArray();
    for (qsizetype i = 0; i < list.size() && reason.isEmpty(); ++i) {
        DriverMetricsReport::Device device;
        reason = readDevice(list.at(i), QStringLiteral("%1devices[%2].").arg(path).arg(i), &device);
        d->devices.append(device);
    }
    return reason;
}

} // namespace

Parsed<DriverMetricsReport> DriverMetricsReport::parse(const QJsonObject &data)
{
    Parsed<DriverMetricsReport> p;
    double interval = 0;
    p.error = readCount(data, "interval_s", QString(), &interval, true);
    p.value.intervalS = int(interval);
    if (p.error.isEmpty() && interval < 1)
        p.error = QStringLiteral("field 'interval_s' must be at least 1");
    if (!p.ok())
        return p;
    const QJsonValue drivers = data.value(QStringLiteral("drivers"));
    if (!drivers.isArray()) {
        p.error = QStringLiteral("field 'drivers' must be an array, got %1").arg(JsonFields::typeName(drivers));
        return p;
    }
    const QJsonArray list = drivers.toArray();
    for (qsizetype i = 0; i < list.size() && p.ok(); ++i) {
        Driver driver;
        p.error = readDriver(list.at(i), QStringLiteral("drivers[%1].").arg(i), &driver);
        p.value.drivers.append(driver);
    }
    return p;
}
