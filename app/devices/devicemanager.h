// The device manager: provisions devices from the cloud (device_sync,
// device_remove), restores them at start, routes device_command, reloads
// devices when their driver changes (driver_sync, driver_reload, the
// technician's button: one path), and tells the cloud every status change.
// Lives on the main thread; JavaScript runs on each device's own thread.
#pragma once

#include "device.h"
#include "runtime/runtimetypes.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include <functional>

class Database;
class ProtocolHandler;
class Watchdog;

class DeviceManager : public QObject
{
    Q_OBJECT

public:
    DeviceManager(Database *database, const RuntimeSettings &runtime, const DeviceSettings &settings,
                  Watchdog *watchdog, ProtocolHandler *protocol, QObject *parent = nullptr);
    ~DeviceManager() override;

    // Recreates and connects every stored device (no cloud needed).
    QString start();

    QList<Device *> devices() const;
    Device *device(const QString &id) const { return m_devices.value(id); }
    int deviceCount(const QString &driverType) const;

    // The one unload → load path: every device of `driverType` is recreated
    // from the driver now in the database, concurrently, each within the
    // reload deadline. `done(count)` runs when all have reported back.
    void reloadDriver(const QString &driverType, std::function<void(int count)> done = {});
    void reloadAll(std::function<void(int count)> done = {});
    void reconnectDevice(const QString &deviceId, std::function<void()> done = {});

    // Safe mode: with drivers disabled no instance runs; devices show
    // `reason`. Enabling restarts every device.
    void setDriversEnabled(bool enabled, const QString &reason = {});
    bool driversEnabled() const { return m_driversEnabled; }

    // For hello: [{device_id, type, status}].
    QJsonArray helloDevices() const;

    // Protocol handlers (public for tests and local callers).
    void handleDeviceSync(const QJsonObject &data);
    void handleDeviceRemove(const QJsonObject &data);
    void handleDeviceCommand(const QJsonObject &data);
    void handleDriverReload(const QJsonObject &data);

signals:
    void deviceAdded(const QString &deviceId);
    void deviceRemoved(const QString &deviceId);
    void deviceChanged(const QString &deviceId);
    // A device now uses another driver type (device_sync changed it).
    void deviceRetyped(const QString &deviceId);
    void reloadStarted(const QString &driverType, int deviceCount);
    void reloadFinished(const QString &driverType, int deviceCount);

private:
    Device *addDevice(const DeviceRecord &record);
    void removeDevice(const QString &deviceId);
    std::optional<DriverRecord> driver(const QString &driverType) const;
    void sendStatus(Device *device);
    void sendPendingStatuses();
    void rejectMessage(const QString &type, const QString &reason);

    Database *m_database;
    RuntimeSettings m_runtime;
    DeviceSettings m_settings;
    Watchdog *m_watchdog;
    ProtocolHandler *m_protocol;
    QHash<QString, Device *> m_devices;
    QHash<QString, QString> m_sentStatus;
    bool m_driversEnabled = true;
    QString m_heldReason;   // device id → "status\nmessage" last told the cloud
};
