// The composition root: builds the controller's object graph from a Config
// once (storage, watchdog, cloud link, protocol, sync pipeline) and wires it.
// main() and the integration tests both use it.
#pragma once

#include "cloud/cloudlink.h"
#include "core/config.h"
#include "protocol/messages.h"
#include "storage/database.h"
#include "storage/walcheckpointer.h"
#include "storage/rootlock.h"
#include "storage/storagelayout.h"

#include <QJsonObject>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <memory>

class DeviceListModel;
class DeviceManager;
class DeviceMessages;
class DriverListModel;
class SafeMode;
class SyncActivityModel;
class DriverSyncService;
class ProtocolHandler;
class DriverHostPool;
class ReportOutbox;
class HostCgroups;
class EventFeed;
class EventLog;
class DriverMetricsReporter;

class Controller : public QObject
{
    Q_OBJECT

public:
    explicit Controller(const Config &config, QObject *parent = nullptr);
    ~Controller() override;

    // Takes the root's lock (another process on the root: refused before
    // anything is touched), prepares storage and starts every part.
    // Returns an error line or empty.
    QString start();
    void stop();

    // How the cloud link dials for a configuration (--check-cloud too).
    static CloudLinkSettings cloudLinkSettings(const Config &config);

    const Config &config() const { return m_config; }
    const StorageLayout &layout() const { return m_layout; }
    ProtocolHandler *protocol() const { return m_protocol.get(); }
    CloudLink *cloudLink() const { return m_link.get(); }
    DriverSyncService *driverSync() const { return m_sync.get(); }
    DeviceManager *deviceManager() const { return m_devices.get(); }
    DeviceMessages *deviceMessages() const { return m_deviceMessages.get(); }
    Database *database() { return &m_db; }
    // Made by start().
    DriverListModel *driverModel() const { return m_driverModel.get(); }
    DeviceListModel *deviceModel() const { return m_deviceModel.get(); }
    SyncActivityModel *syncModel() const { return m_syncModel.get(); }

    // The hello message: identity, drivers and devices as now.
    Message hello() const;

    // What happened, kept in the database (docs/dashboard.md "Events").
    EventLog *eventLog() const { return m_events.get(); }

    // The driver host processes (docs/driver-hosts.md).
    DriverHostPool *driverHosts() const { return m_hosts.get(); }

    // Safe mode (see SafeMode): driver instances stopped after repeated crashes.
    bool safeMode() const;
    QString safeModeReason() const;
    // Driver types quarantined after repeated host failures.
    QStringList quarantined() const;
    // Lifts one type's quarantine and restarts its devices; false if it was not.
    bool clearQuarantine(const QString &driverType);
    int recentCrashes() const;
    // The most recently synced driver: {driver_type, version, synced_at}.
    QJsonObject lastChangedDriver() const;
    // The technician or the cloud (safe_mode_clear) re-enables the drivers:
    // safe mode ends, every quarantine is lifted, devices start.
    void enableDrivers();
    // Records a clean shutdown (the next start does not count a crash).
    void shutdownCleanly();

signals:
    void safeModeChanged();

private:
    // Opens the report outbox and queues the sync outcomes an earlier run
    // stored but did not report.
    QString startReports();

    Config m_config;
    StorageLayout m_layout;
    RootLock m_rootLock;   // first member of the root's own: released last
    Database m_db;   // the main thread's connection
    std::unique_ptr<ReportOutbox> m_outbox;   // on m_db; outlives the ProtocolHandler that writes to it
    std::unique_ptr<HostCgroups> m_cgroups;   // before the hosts: outlives them
    std::unique_ptr<EventLog> m_events;   // its writer thread has its own connection
    WalCheckpointer m_checkpointer;   // the WAL's checkpoints, off every commit's path
    std::unique_ptr<DriverHostPool> m_hosts;
    std::unique_ptr<ProtocolHandler> m_protocol;
    std::unique_ptr<CloudLink> m_link;
    std::unique_ptr<DriverSyncService> m_sync;
    std::unique_ptr<DeviceManager> m_devices;
    std::unique_ptr<DeviceMessages> m_deviceMessages;
    std::unique_ptr<DriverMetricsReporter> m_metrics;   // driver_metrics while connected
    std::unique_ptr<DriverListModel> m_driverModel;
    std::unique_ptr<DeviceListModel> m_deviceModel;
    std::unique_ptr<SyncActivityModel> m_syncModel;
    std::unique_ptr<SafeMode> m_safeMode;
    std::unique_ptr<EventFeed> m_eventFeed;
    QTimer m_safeModeExpiry;   // safe mode ends by itself after this long without a crash
};
