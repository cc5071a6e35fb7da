// Runs a script the way `node FILE` runs it, in a fresh engine with what a
// driver engine has (the prelude, require, console, timers): transformed by
// DriverTransformer, then the event loop until no timer or Promise reaction
// is pending, all of it bounded by one deadline on the watchdog. Used by
// `control-nuc-driverhost --run` (hosts/hostrun.cpp) and so by
// `control-nuc --run` and the conformance suite. Never in the controller.
#pragma once

#include "runtime/drivermodule.h"
#include "runtime/hostbridge.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJSValue>
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

class DriverTransformer;
class QJSEngine;
class QTimer;
class Watchdog;

// How a run ended. Line and column are the script's own (1-based), 0 when
// the engine does not say.
struct RunOutcome
{
    enum Kind {
        Completed,   // ran, and the event loop drained
        Refused,     // the transformer refused it (syntax or unsupported construct)
        ParseError,  // transformed, then QJSEngine's parser rejected the output
        Thrown,      // an uncaught exception (anything thrown, not only Errors)
        TimedOut,    // the deadline passed (a loop, or timers that never end)
        Internal     // the engine could not be set up
    };
    Kind kind = Completed;
    QString errorName;   // constructor name of what was thrown, e.g. "Test262Error"
    QString message;
    QString file;
    int line = 0;
    int column = 0;

    bool ok() const { return kind == Completed; }
    static QString kindName(Kind kind);
    // "file:12:5: uncaught TypeError: x is not a function", for people.
    QString describe() const;
};

class ScriptRunner : public QObject, public HostDelegate
{
    Q_OBJECT

public:
    enum class Mode {
        Module,   // like node FILE: a CommonJS module (exports, require, module)
        Script    // a global script (test262's procedure)
    };

    // `print` receives every line of print() and console.*.
    ScriptRunner(DriverTransformer *transformer, Watchdog *watchdog, std::function<void(const QString &)> print);
    ~ScriptRunner() override;

    // A fresh engine: everything of a previous run is gone. The deadline
    // (for the evaluations and the event loop together) starts here.
    RunOutcome start(int timeoutMs);
    // Transforms `source` (unless `transform` is false: trusted code such as
    // a test harness) and evaluates it; the first failure ends the run.
    RunOutcome evaluate(const QString &source, const QString &file, Mode mode, bool transform = true);
    // Runs timers and Promise reactions until none is pending, the deadline
    // passes, or a timer callback throws.
    RunOutcome drain();
    // Ends the run: the engine and its timers go.
    void finish();

private:
    // HostDelegate
    void hostLog(int level, const QString &text) override;
    void hostStartTimer(int id, int ms, bool repeat) override;
    void hostStopTimer(int id) override;
    void hostSetState(const QJSValue &) override {}
    void hostSetStatus(const QString &, const QString &) override {}
    QJSValue hostCreateTransport(const QString &protocol, const QJSValue &config) override;
    void hostSettle(int, bool, const QJSValue &, bool) override {}
    void hostEnterReaction() override { ++m_reactions; }
    void hostLeaveReaction() override {}

    static RunOutcome refusal(const ScriptError &error, const QString &file);
    RunOutcome thrownOutcome(const QJSValue &error, const QStringList &trace, const QString &file, int columnShift) const;
    bool timedOut() const;
    RunOutcome timeoutOutcome() const;

    DriverTransformer *m_transformer;
    Watchdog *m_watchdog;
    std::function<void(const QString &)> m_print;
    std::unique_ptr<QJSEngine> m_engine;
    std::unique_ptr<HostBridge> m_bridge;
    QJSValue m_timerFired;
    QHash<int, QTimer *> m_timers;
    QString m_file;   // the script evaluated last
    quint64 m_ticket = 0;
    int m_timeoutMs = 0;
    QElapsedTimer m_clock;
    quint64 m_reactions = 0;
    RunOutcome m_timerError;
    bool m_timerThrew = false;
};
