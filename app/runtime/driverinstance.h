// One running driver instance (one device), seen from the main thread. Its
// QJSEngine, timers and transports live on a thread of its own
// (DriverWorker), so a driver that loops, throws or never settles stops only
// itself. Every call is asynchronous and answered exactly once.
#pragma once

#include "runtime/runtimetypes.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <functional>

class DriverWorker;
class Watchdog;

class DriverInstance : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const CallResult &)>;

    DriverInstance(const DriverSpec &spec, const RuntimeSettings &settings, Watchdog *watchdog,
                   QObject *parent = nullptr);
    // Stops the instance if still running, waiting at most the teardown budget.
    ~DriverInstance() override;

    const DriverSpec &spec() const { return m_spec; }

    // Evaluates the module and constructs the driver.
    void load(Callback done);
    void connectDevice(Callback done);
    void disconnectDevice(Callback done);
    void sendCommand(const QString &command, const QJsonObject &params, Callback done);

    // Tears down: timers cleared, transports closed, engine destroyed, thread
    // ended; bounded by RuntimeSettings::teardownTimeoutMs even when the
    // driver is stuck in JavaScript. `stopped()` follows.
    void stop();
    bool isStopped() const { return m_stopped; }
    bool isFaulted() const { return !m_faultMessage.isEmpty(); }

signals:
    void statusReported(const QString &status, const QString &message);
    void stateChanged(const QJsonObject &state);
    void faulted(const QString &message);
    // A transport dropped (peer closed, I/O error) without the driver closing it.
    void transportDropped(const QString &reason);
    void stopped();

private:
    void invoke(const QString &method, const QJsonArray &args, int timeoutMs, const QString &label, Callback done);
    void answer(int callId, const CallResult &result);
    void onTornDown();
    void finishStop();
    // Gives up on a thread stuck beyond interruption: it and the worker
    // delete themselves if it ever ends; nobody waits for it.
    void detach();

    DriverSpec m_spec;
    RuntimeSettings m_settings;
    QThread *m_thread;
    DriverWorker *m_worker;   // lives on m_thread
    QHash<int, Callback> m_callbacks;
    int m_nextCall = 1;
    QString m_faultMessage;
    QTimer m_stopDeadline;
    bool m_stopping = false;
    bool m_stopped = false;
    bool m_interrupted = false;
    bool m_detached = false;
};
