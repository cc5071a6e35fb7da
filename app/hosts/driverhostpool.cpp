#include "hosts/driverhostpool.h"

#include "hosts/hosteddriverinstance.h"
#include "hosts/hostlauncher.h"
#include "core/logcategories.h"

#include <utility>

DriverHostPool::DriverHostPool(const DriverHostOptions &base, QObject *parent)
    : QObject(parent), m_base(base)
{
    if (!m_base.launcher && HostLauncher::wanted()) {
        // Started with the first host: a controller without devices (or
        // one that stops at a configuration error) runs none.
        m_launcher = new HostLauncher(m_base.program);
        m_base.launcher = m_launcher;
    }
}

DriverHostPool::~DriverHostPool()
{
    // Hosts are children: their destructors kill and reap what still runs,
    // also those replaced and not yet deleted; then the launcher goes.
    for (Host &host : m_hosts) {
        delete host.linger;
        delete host.process.data();
    }
    qDeleteAll(findChildren<DriverHostProcess *>(Qt::FindDirectChildrenOnly));
    delete m_launcher;
}

DriverHostPool::Host *DriverHostPool::hostFor(const QString &driverType, QString *error)
{
    Host &host = m_hosts[driverType];
    if (host.process && host.process->isAvailable()) {
        if (host.linger)
            host.linger->stop();
        return &host;
    }
    if (host.process) {
        // Stopping (or being killed): it finishes on its own; a new one serves.
        host.process->disconnect(this);
        connect(host.process, &DriverHostProcess::died, host.process, &QObject::deleteLater);
        const QHash<int, QPointer<HostedDriverInstance>> left = std::exchange(host.instances, {});
        for (const QPointer<HostedDriverInstance> &instance : left) {
            if (instance)
                instance->hostDied(QStringLiteral("was replaced"));
        }
    }
    if (m_launcher && !m_launcherStarted) {
        m_launcherStarted = true;
        m_launcher->start();   // its requests wait in its link while it starts
    }
    DriverHostOptions options = m_base;
    options.name = driverType;
    auto *process = new DriverHostProcess(options, this);
    if (!process->start(error)) {
        delete process;
        return nullptr;
    }
    host.process = process;
    host.instances.clear();
    connect(process, &DriverHostProcess::frameReceived, this, [this, driverType, process](const QJsonObject &frame) {
        const Host &h = m_hosts.value(driverType);
        if (h.process != process)
            return;
        const int id = frame.value(QStringLiteral("inst")).toInt();
        if (HostedDriverInstance *instance = h.instances.value(id)) {
            instance->deliver(frame);
            if (frame.value(QStringLiteral("ev")).toString() == u"stopped")
                instanceGone(driverType, process, id);
        }
    });
    connect(process, &DriverHostProcess::died, this, [this, driverType, process](const QString &reason) {
        onHostDied(driverType, process, reason);
    });
    connect(process, &DriverHostProcess::stopped, process, &QObject::deleteLater);
    return &host;
}

DriverHandle *DriverHostPool::create(const DriverSpec &spec, QObject *parent)
{
    const int id = m_nextInstance++;
    if (isQuarantined(spec.driverType)) {
        return new HostedDriverInstance(
            spec, m_base.runtime, nullptr, id,
            QStringLiteral("driver type %1 is quarantined: its driver host failed %2 times in %3 minutes")
                .arg(spec.driverType).arg(m_maxFailures).arg(m_failureWindowMs / 60000),
            parent);
    }
    QString error;
    Host *host = hostFor(spec.driverType, &error);
    if (!host)
        return new HostedDriverInstance(spec, m_base.runtime, nullptr, id,
                                        QStringLiteral("driver host cannot start: ") + error, parent);
    auto *instance = new HostedDriverInstance(spec, m_base.runtime, host->process, id, {}, parent);
    host->instances.insert(id, instance);
    host->process->setDeviceCount(int(host->instances.size()));
    // An instance destroyed without a confirmed stop still leaves the count.
    connect(instance, &QObject::destroyed, this,
            [this, type = spec.driverType, process = host->process, id] { instanceGone(type, process, id); });
    return instance;
}

void DriverHostPool::instanceGone(const QString &driverType, DriverHostProcess *process, int instanceId)
{
    auto it = m_hosts.find(driverType);
    if (it == m_hosts.end() || it->process != process || !it->instances.remove(instanceId))
        return;
    process->setDeviceCount(int(it->instances.size()));
    if (!it->instances.isEmpty())
        return;
    // The last device of the type left: keep the host briefly for the next
    // (a reload stops and starts every device), then stop it.
    if (!it->linger) {
        it->linger = new QTimer(this);
        it->linger->setSingleShot(true);
        connect(it->linger, &QTimer::timeout, this, [this, driverType] {
            auto host = m_hosts.find(driverType);
            if (host != m_hosts.end() && host->instances.isEmpty() && host->process)
                host->process->stop();
        });
    }
    it->linger->start(m_lingerMs);
}

void DriverHostPool::onHostDied(const QString &driverType, DriverHostProcess *process, const QString &reason)
{
    auto it = m_hosts.find(driverType);
    if (it == m_hosts.end() || it->process != process)
        return;
    const QHash<int, QPointer<HostedDriverInstance>> instances = std::exchange(it->instances, {});
    it->process = nullptr;
    process->deleteLater();
    ++m_restarts[driverType];

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<qint64> &failures = m_failures[driverType];
    failures.append(now);
    while (!failures.isEmpty() && now - failures.first() > m_failureWindowMs)
        failures.removeFirst();
    emit hostFailed(driverType, reason);
    if (failures.size() >= m_maxFailures && !m_quarantined.contains(driverType)) {
        m_quarantined.append(driverType);
        qCCritical(lcRuntime).noquote() << "driver type" << driverType << "quarantined: its driver host failed"
                                        << failures.size() << "times in" << m_failureWindowMs / 60000 << "minutes";
        emit quarantineChanged(quarantined());
    }
    for (const QPointer<HostedDriverInstance> &instance : instances) {
        if (instance)
            instance->hostDied(reason);
    }
}

QStringList DriverHostPool::quarantined() const
{
    QStringList list = m_quarantined;
    list.sort();
    return list;
}

bool DriverHostPool::clearQuarantine(const QString &driverType)
{
    m_failures.remove(driverType);
    if (!m_quarantined.removeAll(driverType))
        return false;
    qCInfo(lcRuntime).noquote() << "driver type" << driverType << "released from quarantine";
    emit quarantineChanged(quarantined());
    return true;
}

void DriverHostPool::clearAllQuarantines()
{
    m_failures.clear();
    if (m_quarantined.isEmpty())
        return;
    m_quarantined.clear();
    emit quarantineChanged({});
}

QList<DriverHostFigures> DriverHostPool::figures() const
{
    QList<DriverHostFigures> list;
    for (auto it = m_hosts.cbegin(); it != m_hosts.cend(); ++it) {
        DriverHostFigures f;
        f.driverType = it.key();
        f.restarts = m_restarts.value(it.key());
        f.devices = int(it->instances.size());
        if (it->process && it->process->isRunning()) {
            f.pid = it->process->pid();
            f.residentBytes = it->process->residentBytes();
            f.cpuPercent = it->process->cpuPercent();
            f.deviceFigures = it->process->deviceFigures();
        }
        list.append(f);
    }
    return list;
}
