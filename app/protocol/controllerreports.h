// What control-cloud receives from a controller, checked against
// PROTOCOL.md: the `data` of every controller → cloud message as a typed
// value (the other direction of messages.h, which builds the same shapes).
#pragma once

#include "protocol/messages.h"

#include "protocol/parsed.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

struct HelloReport
{
    QString controllerId;   // non-empty
    QString name;
    QString appVersion;
    QJsonArray drivers;     // absent: []
    QJsonArray devices;     // absent: []

    static Parsed<HelloReport> parse(const QJsonObject &data);
};

struct SyncProgressReport
{
    QString syncId;
    QString step;

    static Parsed<SyncProgressReport> parse(const QJsonObject &data);
};

struct SyncCompleteReport
{
    QString syncId;
    QString driverId;
    QString driverType;
    QString version;
    QString filePath;

    static Parsed<SyncCompleteReport> parse(const QJsonObject &data);
};

struct SyncErrorReport
{
    // The identifiers the controller could read: a string, or null.
    QJsonValue syncId;
    QJsonValue driverId;
    QJsonValue driverType;
    QString errorMessage;
    QString errorStack;

    static Parsed<SyncErrorReport> parse(const QJsonObject &data);
};

struct StatusUpdateReport
{
    QString deviceId;
    QString status;      // connecting, connected, disconnected or error
    QString message;     // null: empty
    QString timestamp;

    static Parsed<StatusUpdateReport> parse(const QJsonObject &data);
};

struct CommandResultReport
{
    QJsonValue requestId;   // string, or null
    QJsonValue deviceId;    // string, or null
    bool ok = false;
    QJsonValue result;
    QString error;
    double durationMs = 0;

    static Parsed<CommandResultReport> parse(const QJsonObject &data);
};

struct ProtocolErrorReport
{
    QString reason;
    QJsonValue receivedType;   // string, or null

    static Parsed<ProtocolErrorReport> parse(const QJsonObject &data);
};

// driver_metrics: the controller's driver hosts and their devices' calls.
struct DriverMetricsReport
{
    // The same figures the controller builds the message from.
    using Device = Messages::DeviceCallFigures;
    using Driver = Messages::DriverHostMetrics;
    int intervalS = 0;
    QList<Driver> drivers;

    static Parsed<DriverMetricsReport> parse(const QJsonObject &data);
};
