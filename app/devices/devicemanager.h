// The device manager: keeps the provisioned devices (upserts, removals),
// restores them at start, routes commands, reloads devices when their driver
// changes (driver_sync, driver_reload, the technician's button: one path),
// and signals every status change. It knows no protocol: DeviceMessages
// (app/controller) turns cloud messages into these calls and status changes
// into status_update. Lives on the main thread; JavaScript runs on each
// device's own thread.
#pragma once

#include "devices/device.h"
#include "runtime/runtimetypes.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include <functional>

class Database;

// What a reload ended with, read when every device has reported back
// (connected, failed, or its reload deadline passed).
struct ReloadOutcome
{
    int total = 0;
    int connected = 0;
    int error = 0;
    int connecting = 0;         // still trying when the deadline passed
    int disconnected = 0;       // held (safe mode) or dropped
    QStringList failing;        // "id: status – message" of each device not connected, by id

    bool allConnected() const { return connected == total; }
    // "58 of 60 connected, 2 in error" (English, for logs).
    QString summary() const;
    // Counts the devices as they are now.
    static ReloadOutcome of(const QList<Device *> &devices);
};

class DeviceManager : public QObject
{
    Q_OBJECT

public:
    DeviceManager(Database *database, const RuntimeSettings &runtime, const DeviceSettings &settings,
                  DriverFactory factory, QObject *parent = nullptr);
    ~DeviceManager() override;

    // Recreates every stored device now and starts their instances in
    // slices across event-loop turns (no cloud needed).
    QString start();

    QList<Device *> devices() const;
    Device *device(const QString &id) const { return m_devices.value(id); }
    int deviceCount(const QString &driverType) const;

    // The one unload → load path: every device of `driverType` is recreated
    // from the driver now in the database, concurrently, each within the
    // reload deadline. `done` runs when all have reported back, with how
    // they are then.
    using ReloadDone = std::function<void(const ReloadOutcome &outcome)>;
    void reloadDriver(const QString &driverType, ReloadDone done = {});
    void reloadAll(ReloadDone done = {});
    void reconnectDevice(const QString &deviceId, std::function<void()> done = {});

    // Safe mode: with drivers disabled no instance runs; devices show
    // `reason`. Enabling restarts every device.
    void setDriversEnabled(bool enabled, const QString &reason = {});
    bool driversEnabled() const { return m_driversEnabled; }

    // Stores `records` (and, with `replace`, forgets every device not among
    // them) in one transaction, then creates, changes or removes the
    // devices. Nothing changes when storing fails; returns the reason.
    QString syncDevices(const QList<DeviceRecord> &records, bool replace);
    // Forgets and removes one device (unknown: nothing to do). Returns an
    // error line or empty.
    QString forgetDevice(const QString &deviceId);
    // Queued on the device; answered exactly once, also for an unknown device.
    void sendCommand(const QString &deviceId, const QString &command, const QJsonObject &params,
                     DriverHandle::Callback done);
    // An active driver of this type is in the database.
    bool isDriverInstalled(const QString &driverType) const { return driver(driverType).has_value(); }

signals:
    void deviceAdded(const QString &deviceId);
    void deviceRemoved(const QString &deviceId);
    void deviceChanged(const QString &deviceId);
    // The device's status or message changed (see Device::statusChanged).
    void deviceStatusChanged(const QString &deviceId);
    // A device now uses another driver type (device_sync changed it).
    void deviceRetyped(const QString &deviceId);
    void reloadStarted(const QString &driverType, int deviceCount);
    void reloadFinished(const QString &driverType, int deviceCount);

private:
    void restoreSlice();
    // Starts the first slice of m_restoreQueue now, unless one is already due.
    void startQueued();
    Device *addDevice(const DeviceRecord &record);
    void removeDevice(const QString &deviceId);
    std::optional<DriverRecord> driver(const QString &driverType) const;

    Database *m_database;
    RuntimeSettings m_runtime;
    DeviceSettings m_settings;
    DriverFactory m_factory;
    QHash<QString, Device *> m_devices;
    // start(): the devices whose instances are still to start, and the
    // drivers read for them so far (one read per type).
    QStringList m_restoreQueue;
    bool m_slicePending = false;   // the next restoreSlice() is already queued
    QHash<QString, std::optional<DriverRecord>> m_restoreDrivers;
    bool m_driversEnabled = true;
    QString m_heldReason;   // why drivers are disabled (safe mode); each held device shows it
};
