// driver_rollback (cloud → controller, PROTOCOL.md "Versions and rollback"):
// {"sync_id":"…","driver_type":"x","version":"1.0.0"}; version optional.
#pragma once

#include "protocol/parsed.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

struct DriverRollbackRequest
{
    static QString type() { return QStringLiteral("driver_rollback"); }

    // As received: a string, or null (echoed in driver_sync_error).
    QJsonValue syncId;
    QJsonValue driverType;
    QString version;   // empty: the version active before the current one

    static Parsed<DriverRollbackRequest> parse(const QJsonObject &data);

    QString syncIdText() const { return syncId.toString(); }
    QString driverTypeText() const { return driverType.toString(); }
};
