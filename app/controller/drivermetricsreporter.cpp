#include "controller/drivermetricsreporter.h"

#include "cloud/cloudlink.h"
#include "cloud/protocolhandler.h"
#include "hosts/driverhostpool.h"
#include "protocol/messages.h"

DriverMetricsReporter::DriverMetricsReporter(DriverHostPool *hosts, ProtocolHandler *protocol, CloudLink *link,
                                             int intervalS, QObject *parent)
    : QObject(parent), m_hosts(hosts), m_protocol(protocol), m_intervalS(intervalS)
{
    m_timer.setInterval(intervalS * 1000);
    // Not a report (no seq): dropped while offline.
    connect(&m_timer, &QTimer::timeout, this, [this] { m_protocol->send(report()); });
    connect(link, &CloudLink::connected, &m_timer, qOverload<>(&QTimer::start));
    connect(link, &CloudLink::disconnected, &m_timer, &QTimer::stop);
}

Message DriverMetricsReporter::report() const
{
    QList<Messages::DriverHostMetrics> drivers;
    for (const DriverHostFigures &host : m_hosts->figures()) {
        Messages::DriverHostMetrics d{host.driverType, host.residentBytes, host.cpuPercent, host.restarts, {}};
        for (const QJsonValue &f : host.deviceFigures)
            d.devices.append({f[QStringLiteral("device_id")].toString(), f[QStringLiteral("calls")].toInt(),
                              f[QStringLiteral("errors")].toInt(), f[QStringLiteral("timeouts")].toInt(),
                              f[QStringLiteral("call_ms_p50")].toDouble(), f[QStringLiteral("call_ms_p99")].toDouble()});
        drivers.append(d);
    }
    return Messages::driverMetrics(m_intervalS, drivers);
}
