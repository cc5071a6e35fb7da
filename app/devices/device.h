// One provisioned device: its record, the driver instance that runs it, its
// status (connecting → connected | disconnected | error), since when, live
// state and command queue, and its supervision (docs/devices.md): a
// connection failure is retried forever with backoff and jitter; a driver
// that faults too often in a row is parked in `error` and retried by itself
// after a cool-down.
#pragma once

#include "runtime/driverhandle.h"
#include "runtime/runtimetypes.h"
#include "storage/devicerepository.h"
#include "storage/driverrepository.h"

#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QQueue>
#include <QTimer>

#include <functional>
#include <optional>

// Makes the handle on a new driver instance: in the controller, an instance
// in its type's driver host (DriverHostPool::create).
using DriverFactory = std::function<DriverHandle *(const DriverSpec &spec, QObject *parent)>;

struct DeviceSettings
{
    int reloadDeadlineMs = 3000;      // a reload reports back within this, whatever the device does
    int reconnectMinMs = 1000;        // backoff after a failure, doubling ...
    int reconnectMaxMs = 60000;       // ... up to this, with jitter
    int maxRestarts = 5;              // driver faults in a row before the device is parked
    int parkCooldownMs = 600000;      // a parked device is retried by itself after this
    int stableAfterMs = 10000;        // connected this long: earlier failures are forgotten
    int commandQueueLimit = 32;       // commands waiting per device
};

class Device : public QObject
{
    Q_OBJECT

public:
    using DriverProvider = std::function<std::optional<DriverRecord>(const QString &driverType)>;

    Device(const DeviceRecord &record, const RuntimeSettings &runtime, const DeviceSettings &settings,
           DriverFactory factory, DriverProvider provider, QObject *parent = nullptr);
    ~Device() override;

    QString id() const { return m_record.id; }
    const DeviceRecord &record() const { return m_record; }
    void setRecord(const DeviceRecord &record) { m_record = record; }
    QString status() const { return m_status; }
    QString message() const { return m_message; }
    QJsonObject state() const { return m_state; }
    QDateTime lastChange() const { return m_lastChange; }   // status or message, UTC
    // When the device entered its current status, UTC. The statuses of one
    // outage (disconnected, connecting, error while retrying) count as one:
    // a device that is not connected keeps the time it went down.
    QDateTime since() const { return m_since; }
    // The live state came from the instance connected now; otherwise it is
    // the last known state from before the device went down.
    bool isStateCurrent() const { return m_status == u"connected" && m_stateGeneration == m_generation; }
    // When the driver last reported a state (UTC; invalid: never).
    QDateTime stateAt() const { return m_stateAt; }
    // The message of the last time it went into error, and when (UTC).
    QString lastError() const { return m_lastError; }
    QDateTime lastErrorAt() const { return m_lastErrorAt; }
    // What the driver's class declares (DriverCommands): {commands,
    // commandsProblem when refused}, as its last load reported it.
    QJsonObject declaredCommands() const { return m_declared; }
    bool isParked() const { return m_parked; }
    // restart() was called at least once (a restored device not yet started: no).
    bool hasStarted() const { return m_generation > 0; }
    QDateTime parkedUntil() const { return m_parked ? m_parkedUntil : QDateTime(); }

    // Unload → load: the old instance disconnects (bounded) and is torn down,
    // a new one is made from the current driver and connected. `done` runs
    // once: connected, failed, or after `deadlineMs`, whichever comes first.
    // A driver is passed when the caller has it; otherwise it is looked up.
    void restart(int deadlineMs, std::function<void()> done = {},
                 const std::optional<DriverRecord> &driver = std::nullopt);

    // Forgets earlier failures and un-parks: for restarts that something
    // changed (new driver, new config, a technician's reload).
    void resetSupervision();

    // Safe mode: a held device runs no driver instance; restart() only
    // reports it. Releasing it does not start it: the caller restarts.
    void setHeld(bool held, const QString &reason = {})
    {
        m_held = held;
        m_heldReason = reason;
    }
    bool isHeld() const { return m_held; }

    // Disconnects and tears down; `done` when the instance is gone (bounded).
    void shutdown(std::function<void()> done = {});

    // Queued, one at a time. Answered exactly once.
    void sendCommand(const QString &command, const QJsonObject &params, DriverHandle::Callback done);

    // {...driver connection_config, ...device connection_config, name, deviceId}
    static QJsonObject mergedConfig(const DriverRecord &driver, const DeviceRecord &device);

signals:
    void statusChanged(const QString &status, const QString &message);
    void stateChanged(const QJsonObject &state);

private:
    struct QueuedCommand
    {
        QString command;
        QJsonObject params;
        DriverHandle::Callback done;
    };

    void setStatus(const QString &status, const QString &message = {});
    void startInstance(const std::optional<DriverRecord> &driver, quint64 generation);
    void retireInstance(std::function<void()> then);
    // Connection: connect() rejected or missed its deadline, a transport
    // dropped: retried forever. Fault: the driver failed (module,
    // constructor, a synchronous throw, watchdog, its host): counted, parked.
    enum class Failure { Connection, Fault };
    void failed(const QString &reason, quint64 generation, Failure kind);
    void scheduleReconnect(const QString &reason, Failure kind);
    void park(const QString &reason);
    void pumpCommands();
    void failQueued(const QString &reason);
    void finishRestart(quint64 generation);

    DeviceRecord m_record;
    RuntimeSettings m_runtime;
    DeviceSettings m_settings;
    DriverFactory m_factory;
    DriverProvider m_provider;

    QPointer<DriverHandle> m_instance;
    QPointer<DriverHandle> m_retiring;   // the previous instance while it stops
    quint64 m_generation = 0;
    std::function<void()> m_restartDone;
    QTimer m_restartDeadline;
    QTimer m_reconnectTimer;
    QTimer m_stableTimer;
    QTimer m_parkTimer;
    int m_failures = 0;                // failures in a row: the backoff's step
    int m_faults = 0;                  // driver faults in a row: parking
    bool m_parked = false;
    QDateTime m_parkedUntil;
    bool m_connectPending = false;     // connect() of the current instance not answered yet
    bool m_shuttingDown = false;
    bool m_held = false;
    QString m_heldReason;

    QString m_status = QStringLiteral("disconnected");
    QString m_message;
    QJsonObject m_state;
    quint64 m_stateGeneration = 0;     // the instance that reported m_state
    QDateTime m_stateAt;
    QString m_lastError;
    QDateTime m_lastErrorAt;
    QJsonObject m_declared;
    QDateTime m_lastChange;
    QDateTime m_since;

    QQueue<QueuedCommand> m_queue;
    bool m_commandInFlight = false;
};
