// One running driver instance (one device), seen from the main thread. Its
// QJSEngine, timers and transports live on a thread of its own
// (DriverWorker), so a driver that loops, throws or never settles stops only
// itself. Every call is asynchronous and answered exactly once.
#pragma once

#include "runtime/driverhandle.h"
#include "runtime/runtimetypes.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <functional>

class DriverWorker;
class Watchdog;

class DriverInstance : public DriverHandle
{
    Q_OBJECT

public:
    DriverInstance(const DriverSpec &spec, const RuntimeSettings &settings, Watchdog *watchdog,
                   QObject *parent = nullptr);
    // Stops the instance if still running, waiting at most the teardown budget.
    ~DriverInstance() override;

    // Evaluates the module and constructs the driver.
    void load(Callback done) override;
    void connectDevice(Callback done) override;
    void disconnectDevice(Callback done) override;
    void sendCommand(const QString &command, const QJsonObject &params, Callback done) override;

    // Tears down: timers cleared, transports closed, engine destroyed, thread
    // ended; bounded by RuntimeSettings::teardownTimeoutMs even when the
    // driver is stuck in JavaScript. `stopped()` follows.
    void stop() override;
    bool isStopped() const override { return m_stopped; }

private:
    void invoke(const QString &method, const QJsonArray &args, int timeoutMs, const QString &label, Callback done);
    void answer(int callId, const CallResult &result);
    void onTornDown();
    void finishStop();
    // Gives up on a thread stuck beyond interruption: it and the worker
    // delete themselves if it ever ends; nobody waits for it.
    void detach();

    RuntimeSettings m_settings;
    QThread *m_thread;
    DriverWorker *m_worker;   // lives on m_thread
    QHash<int, Callback> m_callbacks;
    int m_nextCall = 1;
    QTimer m_stopDeadline;
    bool m_stopping = false;
    bool m_stopped = false;
    bool m_interrupted = false;
    bool m_detached = false;
};
