// The controller's driver hosts: one process per driver type (the isolation
// unit; each device keeps its own engine inside it), started on demand,
// stopped when their last device goes, restarted when a device of a type
// whose host died starts again (the devices' supervision paces that), and
// quarantined when a type's host fails too often (DRIVER_API.md
// "Containment": 5 failures in 10 minutes).
#pragma once

#include "hosts/driverhostprocess.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>

class DriverHandle;
class HostLauncher;
class HostedDriverInstance;

struct DriverHostFigures
{
    QString driverType;
    qint64 pid = 0;
    qint64 residentBytes = 0;
    double cpuPercent = 0;
    int restarts = 0;       // host failures since the controller started
    int devices = 0;
    QJsonArray deviceFigures;   // per device: calls, errors, timeouts, latency
};

class DriverHostPool : public QObject
{
    Q_OBJECT

public:
    // `base` gives the program, the runtime settings and the limits; its
    // name is set per driver type. Unless CONTROL_NUC_HOST_LAUNCHER=0, the
    // pool starts a host launcher with its first host, and hosts are
    // forked from it.
    explicit DriverHostPool(const DriverHostOptions &base, QObject *parent = nullptr);
    ~DriverHostPool() override;

    // A handle on a new instance in its type's host (started when needed).
    DriverHandle *create(const DriverSpec &spec, QObject *parent);

    bool isQuarantined(const QString &driverType) const { return m_quarantined.contains(driverType); }
    QStringList quarantined() const;
    // Lifts one type's quarantine (and forgets its failures); false if it was not.
    bool clearQuarantine(const QString &driverType);
    void clearAllQuarantines();

    QList<DriverHostFigures> figures() const;
    void setFailureRule(int failures, int windowMs) { m_maxFailures = failures; m_failureWindowMs = windowMs; }
    // The launcher hosts are forked from; null when it is switched off.
    HostLauncher *launcher() const { return m_launcher; }

signals:
    void hostFailed(const QString &driverType, const QString &reason);
    void quarantineChanged(const QStringList &quarantined);

private:
    struct Host
    {
        QPointer<DriverHostProcess> process;
        QHash<int, QPointer<HostedDriverInstance>> instances;
        QTimer *linger = nullptr;
    };

    Host *hostFor(const QString &driverType, QString *error);
    void onHostDied(const QString &driverType, DriverHostProcess *process, const QString &reason);
    void instanceGone(const QString &driverType, DriverHostProcess *process, int instanceId);

    DriverHostOptions m_base;
    HostLauncher *m_launcher = nullptr;
    bool m_launcherStarted = false;
    QHash<QString, Host> m_hosts;
    QHash<QString, QList<qint64>> m_failures;   // ms since epoch, within the window
    QHash<QString, int> m_restarts;
    QStringList m_quarantined;
    int m_nextInstance = 1;
    int m_maxFailures = 5;
    int m_failureWindowMs = 10 * 60 * 1000;
    int m_lingerMs = 10000;   // an empty host is kept this long for the next instance of its type
};
