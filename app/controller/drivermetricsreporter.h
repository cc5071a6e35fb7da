// Sends driver_metrics (PROTOCOL.md "Driver metrics") every
// `metrics-interval` seconds while the cloud link is up: each driver
// host's memory, CPU and restarts, and per device the calls into its
// driver (the figures the hosts collect, docs/driver-hosts.md). Nothing is
// queued while offline: figures are current or not sent.
#pragma once

#include <QObject>
#include <QTimer>

class CloudLink;
class DriverHostPool;
class ProtocolHandler;
struct Message;

class DriverMetricsReporter : public QObject
{
    Q_OBJECT

public:
    DriverMetricsReporter(DriverHostPool *hosts, ProtocolHandler *protocol, CloudLink *link, int intervalS,
                          QObject *parent = nullptr);

    // The message as it would be sent now.
    Message report() const;

private:
    DriverHostPool *m_hosts;
    ProtocolHandler *m_protocol;
    int m_intervalS;
    QTimer m_timer;
};
