// The device messages of PROTOCOL.md (cloud → controller) checked against
// their rules: device_sync, device_remove, device_command, driver_reload.
// Plain values: the device layer takes them without knowing any JSON rule.
#pragma once

#include "protocol/parsed.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

// One entry of device_sync.devices.
struct DeviceSpec
{
    QString id;
    QString name;   // the device_id when none was given
    QString type;   // a valid driver_type
    QJsonObject connectionConfig;
    QString room;   // optional; empty when not given
};

struct DeviceSyncRequest
{
    static QString type() { return QStringLiteral("device_sync"); }

    bool replace = false;
    QList<DeviceSpec> devices;   // ids unique

    // Every entry is checked: one bad entry refuses the whole message.
    static Parsed<DeviceSyncRequest> parse(const QJsonObject &data);
};

struct DeviceRemoveRequest
{
    static QString type() { return QStringLiteral("device_remove"); }

    QString deviceId;

    static Parsed<DeviceRemoveRequest> parse(const QJsonObject &data);
};

struct DeviceCommandRequest
{
    static QString type() { return QStringLiteral("device_command"); }

    // As received: a string, or null (echoed in device_command_result).
    QJsonValue requestId;
    QJsonValue deviceId;
    QString command;
    QJsonObject params;

    static Parsed<DeviceCommandRequest> parse(const QJsonObject &data);
};

struct DriverReloadRequest
{
    static QString type() { return QStringLiteral("driver_reload"); }

    QString driverType;

    static Parsed<DriverReloadRequest> parse(const QJsonObject &data);
};
