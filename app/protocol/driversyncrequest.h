// driver_sync (cloud → controller) checked against PROTOCOL.md's rules.
#pragma once

#include "protocol/parsed.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

struct DriverSyncRequest
{
    static QString type() { return QStringLiteral("driver_sync"); }

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
    // PROTOCOL.md "Signed drivers": as received (undefined when absent);
    // checked by the sync pipeline's SignatureCheck before anything is written.
    QJsonValue signature;

    // Checks `data`. The identifiers above are filled in even when a rule
    // is broken.
    static Parsed<DriverSyncRequest> parse(const QJsonObject &data, qint64 maxCodeBytes);

    QString syncIdText() const { return syncId.toString(); }
    QString driverTypeText() const { return driverType.toString(); }
};
