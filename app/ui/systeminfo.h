// The system page's figures: network interfaces (IP and MAC addresses),
// free disk under the root, uptimes, and the driver hosts with their memory.
// Refreshed every `intervalMs` while `active` (the page is visible); the
// parts that touch the system are read on a worker thread, so the screen
// never waits for them. Identity and cloud come from Dashboard.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

class Dashboard;

class SystemInfo : public QObject
{
    Q_OBJECT
    QML_ELEMENT

    Q_PROPERTY(Dashboard *dashboard READ dashboard WRITE setDashboard NOTIFY dashboardChanged)
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY activeChanged)
    Q_PROPERTY(int intervalMs READ intervalMs WRITE setIntervalMs NOTIFY intervalMsChanged)
    // [{name, mac, up, addresses: ["192.0.2.10/24", …]}], loopback left out
    Q_PROPERTY(QVariantList interfaces READ interfaces NOTIFY refreshed)
    // [{driverType, pid, memoryText, devices, restarts}]
    Q_PROPERTY(QVariantList hosts READ hosts NOTIFY refreshed)
    Q_PROPERTY(QString rootPath READ rootPath NOTIFY dashboardChanged)
    Q_PROPERTY(qint64 diskFreeBytes READ diskFreeBytes NOTIFY refreshed)
    Q_PROPERTY(qint64 diskTotalBytes READ diskTotalBytes NOTIFY refreshed)
    Q_PROPERTY(qint64 systemUptimeS READ systemUptimeS NOTIFY refreshed)
    Q_PROPERTY(qint64 appUptimeS READ appUptimeS NOTIFY refreshed)
    Q_PROPERTY(int refreshCount READ refreshCount NOTIFY refreshed)

public:
    explicit SystemInfo(QObject *parent = nullptr);
    ~SystemInfo() override;

    Dashboard *dashboard() const { return m_dashboard; }
    void setDashboard(Dashboard *dashboard);
    bool active() const { return m_timer.isActive(); }
    void setActive(bool active);
    int intervalMs() const { return m_timer.interval(); }
    void setIntervalMs(int ms);

    QVariantList interfaces() const { return m_interfaces; }
    QVariantList hosts() const { return m_hosts; }
    QString rootPath() const;
    qint64 diskFreeBytes() const { return m_diskFree; }
    qint64 diskTotalBytes() const { return m_diskTotal; }
    qint64 systemUptimeS() const { return m_systemUptimeS; }
    qint64 appUptimeS() const { return m_appUptimeS; }
    int refreshCount() const { return m_refreshCount; }

    // "1.2 GB" in the chosen language's format.
    Q_INVOKABLE QString sizeText(qint64 bytes) const;
    Q_INVOKABLE void refresh();

    // What the worker thread reads.
    struct Snapshot
    {
        QVariantList interfaces;
        qint64 diskFree = 0;
        qint64 diskTotal = 0;
        qint64 systemUptimeS = 0;
        qint64 appUptimeS = 0;
    };
    static Snapshot read(const QString &root);

signals:
    void dashboardChanged();
    void activeChanged();
    void intervalMsChanged();
    void refreshed();

private:
    void apply(const Snapshot &snapshot);

    QPointer<Dashboard> m_dashboard;
    QTimer m_timer;
    QFutureWatcher<Snapshot> m_watcher;
    QVariantList m_interfaces;
    QVariantList m_hosts;
    qint64 m_diskFree = 0;
    qint64 m_diskTotal = 0;
    qint64 m_systemUptimeS = 0;
    qint64 m_appUptimeS = 0;
    int m_refreshCount = 0;
};
