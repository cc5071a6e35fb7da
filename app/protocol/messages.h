// Every controller → cloud message of PROTOCOL.md is built here, and only
// here: its type and the exact shape of its `data`. The other layers hand
// in plain values; ProtocolHandler wraps the result in the envelope.
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

struct Message
{
    QString type;
    QJsonObject data;
};

namespace Messages {

// ISO-8601 UTC with milliseconds, as every timestamp the controller sends.
QString timestampNow();
// {"type", "timestamp": now, "data"}
QJsonObject envelope(const Message &message);
// A report's envelope: {"type", "seq", "timestamp", "data"}, with the
// timestamp of when it was made (a report resent later keeps it).
QJsonObject envelope(const Message &message, const QString &timestamp, qint64 seq);

struct HelloDriver
{
    QString driverId;
    QString driverType;
    QString version;
    QString syncId;
    QString status;
    QString sha256;                 // lowercase hex of the active code
    QStringList previousVersions;   // newest first (PROTOCOL.md "Versions and rollback")
};

struct HelloDevice
{
    QString deviceId;
    QString type;
    QString status;
    QString message;   // sent only when not empty
    QDateTime since;   // when it entered its current status; sent when valid
    QString room;      // sent only when not empty
};

// PROTOCOL.md "Safe mode and quarantine": {active, reason, quarantined}.
struct HelloSafeMode
{
    bool active = false;
    QString reason;                  // null when empty
    QStringList quarantined;         // driver types, always sent
    // This controller's additions, sent only while active:
    int recentCrashes = 0;
    QJsonObject lastChangedDriver;   // {driver_type, version, synced_at}
};

struct Hello
{
    QString controllerId;
    QString name;
    QString appVersion;
    HelloSafeMode safeMode;
    QList<HelloDriver> drivers;
    QList<HelloDevice> devices;   // in the order given
};

Message hello(const Hello &hello);

// `step`: saving_file, validating, storing or reloading_devices.
Message driverSyncProgress(const QString &syncId, const QString &step);

// Identifiers as the request carried them (string or null).
Message driverSyncComplete(const QJsonValue &syncId, const QJsonValue &driverId, const QJsonValue &driverType,
                           const QString &version, const QString &filePath);
// An empty `errorStack` is sent as "DriverSyncError: <message>".
Message driverSyncError(const QJsonValue &syncId, const QJsonValue &driverId, const QJsonValue &driverType,
                        const QString &errorMessage, const QString &errorStack);

// An empty `message` is sent as null.
Message statusUpdate(const QString &deviceId, const QString &status, const QString &message, const QDateTime &since);

struct CommandOutcome
{
    bool ok = false;
    QJsonValue result;   // sent when ok
    QString error;       // sent when not ok
    double durationMs = 0;   // sent rounded to the microsecond
};
// Identifiers as the request carried them (string or null).
Message deviceCommandResult(const QJsonValue &requestId, const QJsonValue &deviceId, const CommandOutcome &outcome);

// This controller's answer to driver_reload (docs/protocol.md): what the
// reload ended with, so that the cloud hears the truth, not just "done".
struct ReloadResult
{
    QString driverType;
    int total = 0;
    int connected = 0;
    int error = 0;
    int connecting = 0;
    int disconnected = 0;
    QStringList failing;   // "id: status – message" of each device not connected
};
Message driverReloadResult(const ReloadResult &result);

// PROTOCOL.md "Driver metrics": per driver type its host's figures and,
// per device, the calls into its driver.
struct DeviceCallFigures
{
    QString deviceId;
    int calls = 0;
    int errors = 0;
    int timeouts = 0;
    double callMsP50 = 0;
    double callMsP99 = 0;
};
struct DriverHostMetrics
{
    QString driverType;
    qint64 hostRssBytes = 0;
    double hostCpuPercent = 0;
    int restarts = 0;
    QList<DeviceCallFigures> devices;
};
Message driverMetrics(int intervalS, const QList<DriverHostMetrics> &drivers);

// `receivedType` is sent only when it is a string.
Message protocolError(const QString &reason, const QJsonValue &receivedType);

} // namespace Messages
