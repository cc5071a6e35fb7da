// One driver instance's engine, on its own thread: loads the module,
// constructs the driver, runs calls into it under the watchdog with
// deadlines for their Promises, owns its timers and transports, and tears
// all of it down. Created and driven by DriverInstance; lives on its thread.
#pragma once

#include "runtime/hostbridge.h"
#include "runtime/jscaller.h"
#include "runtime/nativetransport.h"
#include "runtime/runtimetypes.h"
#include "runtime/watchdog.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJSValue>
#include <QList>
#include <QLoggingCategory>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <atomic>
#include <memory>

class QJSEngine;
class QTimer;

class DriverWorker : public QObject, public JsCaller, public HostDelegate
{
    Q_OBJECT

public:
    DriverWorker(const DriverSpec &spec, const RuntimeSettings &settings, Watchdog *watchdog);
    ~DriverWorker() override;

    // All of these run on the worker's thread.
    void load(int callId);
    void call(int callId, const QString &method, const QJsonArray &args, int timeoutMs, const QString &label);
    void teardown();

    // Thread-safe: stops JavaScript running now (teardown of a stuck instance).
    void interruptNow();

    // JsCaller
    QJSValue callJs(const QString &label, QJSValue function, const QJSValueList &args) override;
    QJSEngine *jsEngine() const override { return m_engine.get(); }
    void transportLost(const QString &reason) override;

    static QLoggingCategory &categoryFor(const QString &driverType);

signals:
    void callFinished(int callId, const CallResult &result);
    void statusReported(const QString &status, const QString &message);
    void stateReported(const QJsonObject &state);
    // The instance failed for good (watchdog, deadline); `message` says why.
    void faulted(const QString &message);
    void transportDropped(const QString &reason);
    void tornDown();

private:
    // HostDelegate
    void hostLog(int level, const QString &text) override;
    void hostStartTimer(int id, int ms, bool repeat) override;
    void hostStopTimer(int id) override;
    void hostSetState(const QJSValue &state) override;
    void hostSetStatus(const QString &status, const QString &message) override;
    QJSValue hostCreateTransport(const QString &protocol, const QJSValue &config) override;
    void hostSettle(int id, bool ok, const QJSValue &value, bool thrown) override;
    void hostEnterReaction() override;
    void hostLeaveReaction() override;

    struct Pending
    {
        QString label;
        QTimer *deadline = nullptr;
        QElapsedTimer started;
    };

    void finish(int callId, CallResult result);
    // `lateCall`: the call whose deadline passed (answered with missedDeadline).
    void fault(const QString &message, int lateCall = -1);
    // Every entry into JavaScript (host calls, timers, transport events,
    // Promise reactions) runs inside enter/leave: the outermost entry arms
    // the watchdog with the budget, nested ones share it.
    void enterJs(const QString &label);
    bool leaveJs();
    // The class's static `commands`, checked (DriverCommands): {commands,
    // commandsProblem when refused}; the load result's value.
    QJsonObject declaredCommands(const QJSValue &driverClass);   // false when the watchdog fired (the instance is faulted)
    void onAboutToBlock();

    DriverSpec m_spec;
    RuntimeSettings m_settings;
    Watchdog *m_watchdog;
    QLoggingCategory &m_log;
    const DeviceEndpoint m_endpoint;   // all its transports may reach, fixed at start
    std::unique_ptr<QJSEngine> m_engine;
    std::atomic<QJSEngine *> m_engineForInterrupt{nullptr};
    std::unique_ptr<HostBridge> m_bridge;
    QJSValue m_instance;
    QJSValue m_invoke;
    QJSValue m_timerFired;
    QHash<int, QTimer *> m_timers;
    QList<QPointer<NativeTransport>> m_transports;
    QHash<int, Pending> m_pending;
    Watchdog::Ticket m_ticket = 0;
    QElapsedTimer m_logWindow;   // the current second of the log-line limit
    int m_logLines = 0;
    int m_logDropped = 0;
    int m_depth = 0;
    QStringList m_labels;
    QString m_faultMessage;
    bool m_faulted = false;
    bool m_tornDown = false;
};
