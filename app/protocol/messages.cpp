#include "protocol/messages.h"

#include <QJsonArray>

namespace Messages {

QString timestampNow()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QJsonObject envelope(const Message &message)
{
    return QJsonObject{{QStringLiteral("type"), message.type},
                       {QStringLiteral("timestamp"), timestampNow()},
                       {QStringLiteral("data"), message.data}};
}

QJsonObject envelope(const Message &message, const QString &timestamp, qint64 seq)
{
    return QJsonObject{{QStringLiteral("type"), message.type},
                       {QStringLiteral("seq"), seq},
                       {QStringLiteral("timestamp"), timestamp},
                       {QStringLiteral("data"), message.data}};
}

Message hello(const Hello &hello)
{
    QJsonArray drivers;
    for (const HelloDriver &d : hello.drivers) {
        drivers.append(QJsonObject{{QStringLiteral("driver_id"), d.driverId},
                                   {QStringLiteral("driver_type"), d.driverType},
                                   {QStringLiteral("version"), d.version},
                                   {QStringLiteral("sync_id"), d.syncId},
                                   {QStringLiteral("status"), d.status},
                                   {QStringLiteral("sha256"), d.sha256},
                                   {QStringLiteral("previous_versions"), QJsonArray::fromStringList(d.previousVersions)}});
    }
    QJsonArray devices;
    for (const HelloDevice &d : hello.devices) {
        QJsonObject entry{{QStringLiteral("device_id"), d.deviceId},
                          {QStringLiteral("type"), d.type},
                          {QStringLiteral("status"), d.status}};
        if (!d.message.isEmpty())
            entry.insert(QStringLiteral("message"), d.message);
        if (d.since.isValid())
            entry.insert(QStringLiteral("since"), d.since.toUTC().toString(Qt::ISODateWithMs));
        if (!d.room.isEmpty())
            entry.insert(QStringLiteral("room"), d.room);
        devices.append(entry);
    }
    QJsonObject safe{{QStringLiteral("active"), hello.safeMode.active},
                     {QStringLiteral("reason"), hello.safeMode.reason.isEmpty() ? QJsonValue(QJsonValue::Null)
                                                                                : QJsonValue(hello.safeMode.reason)},
                     {QStringLiteral("quarantined"), QJsonArray::fromStringList(hello.safeMode.quarantined)}};
    if (hello.safeMode.active) {
        safe.insert(QStringLiteral("recent_crashes"), hello.safeMode.recentCrashes);
        safe.insert(QStringLiteral("last_changed_driver"), hello.safeMode.lastChangedDriver);
    }
    return {QStringLiteral("hello"),
            QJsonObject{{QStringLiteral("controller_id"), hello.controllerId},
                        {QStringLiteral("safe_mode"), safe},
                        {QStringLiteral("name"), hello.name},
                        {QStringLiteral("app_version"), hello.appVersion},
                        {QStringLiteral("drivers"), drivers},
                        {QStringLiteral("devices"), devices}}};
}

Message driverSyncProgress(const QString &syncId, const QString &step)
{
    return {QStringLiteral("driver_sync_progress"),
            QJsonObject{{QStringLiteral("sync_id"), syncId},
                        {QStringLiteral("status"), QStringLiteral("in_progress")},
                        {QStringLiteral("step"), step}}};
}

Message driverSyncComplete(const QJsonValue &syncId, const QJsonValue &driverId, const QJsonValue &driverType,
                           const QString &version, const QString &filePath)
{
    return {QStringLiteral("driver_sync_complete"),
            QJsonObject{{QStringLiteral("sync_id"), syncId},
                        {QStringLiteral("driver_id"), driverId},
                        {QStringLiteral("driver_type"), driverType},
                        {QStringLiteral("version"), version},
                        {QStringLiteral("status"), QStringLiteral("completed")},
                        {QStringLiteral("file_path"), filePath}}};
}

Message driverSyncError(const QJsonValue &syncId, const QJsonValue &driverId, const QJsonValue &driverType,
                        const QString &errorMessage, const QString &errorStack)
{
    return {QStringLiteral("driver_sync_error"),
            QJsonObject{{QStringLiteral("sync_id"), syncId},
                        {QStringLiteral("driver_id"), driverId},
                        {QStringLiteral("driver_type"), driverType},
                        {QStringLiteral("error_message"), errorMessage},
                        {QStringLiteral("error_stack"),
                         errorStack.isEmpty() ? QStringLiteral("DriverSyncError: ") + errorMessage : errorStack}}};
}

Message statusUpdate(const QString &deviceId, const QString &status, const QString &message, const QDateTime &since)
{
    return {QStringLiteral("status_update"),
            QJsonObject{{QStringLiteral("device_id"), deviceId},
                        {QStringLiteral("status"), status},
                        {QStringLiteral("message"), message.isEmpty() ? QJsonValue() : QJsonValue(message)},
                        {QStringLiteral("timestamp"), since.toString(Qt::ISODateWithMs)}}};
}

Message deviceCommandResult(const QJsonValue &requestId, const QJsonValue &deviceId, const CommandOutcome &outcome)
{
    return {QStringLiteral("device_command_result"),
            QJsonObject{{QStringLiteral("request_id"), requestId.isString() ? requestId : QJsonValue()},
                        {QStringLiteral("device_id"), deviceId.isString() ? deviceId : QJsonValue()},
                        {QStringLiteral("ok"), outcome.ok},
                        {QStringLiteral("result"), outcome.ok ? outcome.result : QJsonValue()},
                        {QStringLiteral("error"), outcome.ok ? QJsonValue() : QJsonValue(outcome.error)},
                        {QStringLiteral("duration_ms"), qRound64(outcome.durationMs * 1000) / 1000.0}}};
}

Message protocolError(const QString &reason, const QJsonValue &receivedType)
{
    return {QStringLiteral("protocol_error"),
            QJsonObject{{QStringLiteral("reason"), reason},
                        {QStringLiteral("received_type"), receivedType.isString() ? receivedType : QJsonValue()}}};
}

Message driverReloadResult(const ReloadResult &r)
{
    return {QStringLiteral("driver_reload_result"),
            QJsonObject{{QStringLiteral("driver_type"), r.driverType},
                        {QStringLiteral("ok"), r.connected == r.total},
                        {QStringLiteral("total"), r.total},
                        {QStringLiteral("connected"), r.connected},
                        {QStringLiteral("error"), r.error},
                        {QStringLiteral("connecting"), r.connecting},
                        {QStringLiteral("disconnected"), r.disconnected},
                        {QStringLiteral("failing"), QJsonArray::fromStringList(r.failing)}}};
}

Message driverMetrics(int intervalS, const QList<DriverHostMetrics> &drivers)
{
    // Figures to the microsecond and the tenth of a percent: enough to read.
    auto rounded = [](double v, int perUnit) { return qRound64(v * perUnit) / double(perUnit); };
    QJsonArray list;
    for (const DriverHostMetrics &d : drivers) {
        QJsonArray devices;
        for (const DeviceCallFigures &f : d.devices)
            devices.append(QJsonObject{{QStringLiteral("device_id"), f.deviceId},
                                       {QStringLiteral("calls"), f.calls},
                                       {QStringLiteral("errors"), f.errors},
                                       {QStringLiteral("timeouts"), f.timeouts},
                                       {QStringLiteral("call_ms_p50"), rounded(f.callMsP50, 1000)},
                                       {QStringLiteral("call_ms_p99"), rounded(f.callMsP99, 1000)}});
        list.append(QJsonObject{{QStringLiteral("driver_type"), d.driverType},
                                {QStringLiteral("host_rss_bytes"), double(d.hostRssBytes)},
                                {QStringLiteral("host_cpu_percent"), rounded(d.hostCpuPercent, 10)},
                                {QStringLiteral("restarts"), d.restarts},
                                {QStringLiteral("devices"), devices}});
    }
    return {QStringLiteral("driver_metrics"),
            QJsonObject{{QStringLiteral("interval_s"), intervalS}, {QStringLiteral("drivers"), list}}};
}

} // namespace Messages
