#include "cloudserver/drivermetricsstore.h"

#include "core/logtext.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QJsonArray>

#include <algorithm>

Q_DECLARE_LOGGING_CATEGORY(lcCloudServer)

bool DriverMetricsStore::take(const QString &controllerId, const QString &type, const QJsonObject &data)
{
    if (type != u"driver_metrics")
        return false;
    Parsed<DriverMetricsReport> report = DriverMetricsReport::parse(data);
    if (!report.ok()) {
        qCWarning(lcCloudServer).noquote() << "ignoring an invalid driver_metrics from" << LogText::escaped(controllerId)
                                           << ":" << LogText::escaped(report.error);
        return true;
    }
    m_latest.insert(controllerId, {QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs), std::move(report.value)});
    return true;
}

QJsonObject DriverMetricsStore::json(const QString &controllerId) const
{
    QStringList ids = controllerId.isEmpty() ? m_latest.keys() : QStringList{controllerId};
    ids.sort();
    QJsonArray list;
    for (const QString &id : std::as_const(ids)) {
        const auto it = m_latest.constFind(id);
        if (it == m_latest.cend())
            continue;
        QJsonArray drivers;
        for (const DriverMetricsReport::Driver &d : it->report.drivers) {
            QJsonArray devices;
            for (const DriverMetricsReport::Device &f : d.devices)
                devices.append(QJsonObject{{QStringLiteral("device_id"), f.deviceId}, {QStringLiteral("calls"), f.calls},
                                           {QStringLiteral("errors"), f.errors}, {QStringLiteral("timeouts"), f.timeouts},
                                           {QStringLiteral("call_ms_p50"), f.callMsP50},
                                           {QStringLiteral("call_ms_p99"), f.callMsP99}});
            drivers.append(QJsonObject{{QStringLiteral("driver_type"), d.driverType},
                                       {QStringLiteral("host_rss_bytes"), d.hostRssBytes},
                                       {QStringLiteral("host_cpu_percent"), d.hostCpuPercent},
                                       {QStringLiteral("restarts"), d.restarts}, {QStringLiteral("devices"), devices}});
        }
        list.append(QJsonObject{{QStringLiteral("controller_id"), id}, {QStringLiteral("received_at"), it->receivedAt},
                                {QStringLiteral("interval_s"), it->report.intervalS}, {QStringLiteral("drivers"), drivers}});
    }
    if (!controllerId.isEmpty() && list.isEmpty())
        return {{QStringLiteral("ok"), false},
                {QStringLiteral("error"), QStringLiteral("no driver_metrics from controller %1 yet").arg(controllerId)}};
    return {{QStringLiteral("ok"), true}, {QStringLiteral("metrics"), list}};
}
