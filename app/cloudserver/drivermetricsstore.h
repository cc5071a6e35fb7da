// control-cloud's view of driver_metrics: the latest report of each
// controller, checked by DriverMetricsReport (app/protocol), kept in memory
// (figures are current or worthless; a restarted cloud gets the next
// report within a minute) and shown by `control-cloud metrics [ID]`.
#pragma once

#include "protocol/controllerreports.h"

#include <QHash>
#include <QJsonObject>
#include <QString>

class DriverMetricsStore
{
public:
    // Keeps `data` when `type` is driver_metrics and returns true (an
    // invalid report is logged and dropped); false for any other type.
    bool take(const QString &controllerId, const QString &type, const QJsonObject &data);

    // {"ok": true, "metrics": [{controller_id, received_at, interval_s,
    // drivers}]}; one controller's or, with an empty id, every one's.
    QJsonObject json(const QString &controllerId) const;

private:
    struct Latest
    {
        QString receivedAt;
        DriverMetricsReport report;
    };
    QHash<QString, Latest> m_latest;
};
