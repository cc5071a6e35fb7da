// A driver_sync message checked against PROTOCOL.md's rules.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

struct DriverSyncRequest
{
    // Identifiers as received: a string, or null when absent or not a string
    // (they are echoed in driver_sync_error).
    QJsonValue syncId;
    QJsonValue driverId;
    QJsonValue driverType;

    QString version;
    QString driverCode;
    QString protocolType;
    QJsonArray commandMappings;
    QJsonObject connectionConfig;

    // Checks `data`. On failure returns a one-line reason naming the rule;
    // the identifiers above are filled in either way.
    static QString parse(const QJsonObject &data, qint64 maxCodeBytes, DriverSyncRequest *out);

    static bool isValidDriverType(const QString &type);
    static bool isValidProtocol(const QString &protocol);

    QString syncIdText() const { return syncId.toString(); }
    QString driverTypeText() const { return driverType.toString(); }
};
