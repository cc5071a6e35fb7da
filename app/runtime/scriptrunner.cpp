#include "runtime/scriptrunner.h"

#include "runtime/drivermodule.h"
#include "runtime/drivertransformer.h"
#include "runtime/watchdog.h"

#include <QCoreApplication>
#include <QJSEngine>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>

namespace {

// What the host calls into, made once per engine. A thrown value comes
// back as {error}: QJSValue::call() alone cannot tell `throw 'x'` from a
// returned string. `print` writes one line through the host's log.
const QString glue = QStringLiteral(R"JS(
(function (global, host, timerFired) {
    Object.defineProperty(global, 'print', {
        value: function print(value) { host.log(1, String(value)); },
        writable: true, configurable: true, enumerable: false
    });
    return function (id) {
        try {
            timerFired(id);
            return null;
        } catch (e) {
            return { error: e };
        }
    };
})
)JS");

// Promise reactions whose then() the host does not see (the engine's own
// jobs, e.g. adopting a thenable) may run in a pass without any counted
// reaction: the loop stops after this many quiet passes in a row.
constexpr int quietPassesToStop = 4;

} // namespace

QString RunOutcome::kindName(Kind kind)
{
    switch (kind) {
    case Completed: return QStringLiteral("completed");
    case Refused: return QStringLiteral("refused");
    case ParseError: return QStringLiteral("parse-error");
    case Thrown: return QStringLiteral("thrown");
    case TimedOut: return QStringLiteral("timeout");
    case Internal: return QStringLiteral("internal");
    }
    return {};
}

QString RunOutcome::describe() const
{
    QString where = file;
    if (line > 0)
        where += column > 0 ? QStringLiteral(":%1:%2").arg(line).arg(column) : QStringLiteral(":%1").arg(line);
    switch (kind) {
    case Completed: return where + QStringLiteral(": ok");
    case Refused: return QStringLiteral("%1: error: %2").arg(where, message);
    case ParseError: return QStringLiteral("%1: error: QJSEngine cannot parse the transformed code: %2").arg(where, message);
    case Thrown: return QStringLiteral("%1: uncaught %2").arg(where, message);
    case TimedOut: return QStringLiteral("%1: error: %2").arg(where, message);
    case Internal: return QStringLiteral("%1: error: %2").arg(where, message);
    }
    return {};
}

ScriptRunner::ScriptRunner(DriverTransformer *transformer, Watchdog *watchdog,
                           std::function<void(const QString &)> print)
    : m_transformer(transformer), m_watchdog(watchdog), m_print(std::move(print))
{
}

ScriptRunner::~ScriptRunner()
{
    finish();
}

RunOutcome ScriptRunner::start(int timeoutMs)
{
    finish();
    m_timeoutMs = timeoutMs;
    m_clock.start();
    m_reactions = 0;
    m_timerThrew = false;
    m_timerError = {};
    m_engine = std::make_unique<QJSEngine>();
    m_bridge = std::make_unique<HostBridge>(this);
    // One deadline for the whole run, evaluation and event loop alike.
    m_ticket = m_watchdog->arm(m_engine.get(), timeoutMs);

    // Everything a driver engine has: require, the prelude, console, timers.
    const QJsonObject info{{QStringLiteral("protocol"), QStringLiteral("tcp")},
                           {QStringLiteral("driverType"), QStringLiteral("script")}};
    QJSValue entryPoints;
    RunOutcome outcome;
    const QString error = DriverModule::installHost(m_engine.get(), m_bridge.get(), info, &entryPoints);
    if (!error.isEmpty()) {
        outcome.kind = RunOutcome::Internal;
        outcome.message = error;
        return outcome;
    }
    const QJSValue make = m_engine->evaluate(glue, QStringLiteral("nuc:run"));
    m_timerFired = make.call({m_engine->globalObject(), m_engine->newQObject(m_bridge.get()),
                              entryPoints.property(QStringLiteral("timerFired"))});
    if (!m_timerFired.isCallable()) {
        outcome.kind = RunOutcome::Internal;
        outcome.message = QStringLiteral("cannot install print(): %1").arg(m_timerFired.toString());
    }
    return outcome;
}

RunOutcome ScriptRunner::evaluate(const QString &source, const QString &file, Mode mode, bool transform)
{
    m_file = file;
    RunOutcome outcome;
    outcome.file = file;
    if (!m_engine) {
        outcome.kind = RunOutcome::Internal;
        outcome.message = QStringLiteral("no engine (start() first)");
        return outcome;
    }
    TransformResult transformed{true, source, {}};
    if (transform)
        transformed = m_transformer->transform(source, TransformMode::Skip);
    if (!transformed.ok)
        return refusal(transformed.error, file);
    QString program = transformed.code;
    int columnShift = 0;
    if (mode == Mode::Module) {
        // One evaluate() for the parse and the module's body, so that what
        // it throws comes with the engine's stack trace (columns included).
        QJSValue module = m_engine->newObject();
        module.setProperty(QStringLiteral("exports"), m_engine->newObject());
        m_engine->globalObject().setProperty(QStringLiteral("__nucMainModule"), module);
        program = DriverModule::moduleHead() + program + DriverModule::moduleTail()
            + QStringLiteral(".call(__nucMainModule.exports, __nucMainModule.exports, __nucRequire, __nucMainModule)");
        columnShift = int(DriverModule::moduleHead().size());
    }
    QStringList trace;
    const QJSValue result = m_engine->evaluate(program, file, 1, &trace);
    if (mode == Mode::Module)
        m_engine->globalObject().deleteProperty(QStringLiteral("__nucMainModule"));
    if (timedOut())
        return timeoutOutcome();
    if (trace.isEmpty() && !result.isError())
        return outcome;
    outcome = thrownOutcome(result, trace, file, columnShift);
    // The parser's SyntaxError has no "%entry" frame: nothing of the script ran.
    const bool ran = std::any_of(trace.cbegin(), trace.cend(),
                                 [](const QString &frame) { return frame.startsWith(QLatin1String("%entry:")); });
    if (result.errorType() == QJSValue::SyntaxError && !ran) {
        outcome.kind = RunOutcome::ParseError;
        // A source the transformer let through unparsed (nothing to rewrite):
        // acorn says what is wrong with it, in the author's terms.
        if (transform && transformed.code == source) {
            const TransformResult full = m_transformer->transform(source, TransformMode::Full);
            if (!full.ok)
                return refusal(full.error, file);
        }
    }
    return outcome;
}

RunOutcome ScriptRunner::drain()
{
    if (!m_engine)
        return {};
    // Wakes the loop at the deadline when it waits for a timer.
    QTimer deadline;
    deadline.setSingleShot(true);
    deadline.start(std::max<qint64>(0, m_timeoutMs - m_clock.elapsed()));
    int quiet = 0;
    while (!timedOut() && !m_timerThrew) {
        const quint64 before = m_reactions;
        QCoreApplication::processEvents(m_timers.isEmpty() ? QEventLoop::AllEvents : QEventLoop::WaitForMoreEvents);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        if (!m_timers.isEmpty() || m_reactions != before)
            quiet = 0;
        else if (++quiet >= quietPassesToStop)
            break;
    }
    if (m_timerThrew)
        return m_timerError;
    if (timedOut())
        return timeoutOutcome();
    return {};
}

void ScriptRunner::finish()
{
    qDeleteAll(m_timers);
    m_timers.clear();
    if (m_ticket) {
        m_watchdog->disarm(m_ticket);
        m_ticket = 0;
    }
    m_timerFired = QJSValue();
    m_engine.reset();
    m_bridge.reset();
}

RunOutcome ScriptRunner::refusal(const ScriptError &error, const QString &file)
{
    RunOutcome outcome;
    outcome.kind = RunOutcome::Refused;
    outcome.file = file;
    outcome.errorName = error.rule;   // syntax | unsupported | watchdog | internal
    // describe() with a file reads "file:L:C: error: <what>": <what> is kept.
    outcome.message = error.describe(QStringLiteral("-")).section(QStringLiteral(": error: "), 1);
    outcome.line = error.line;
    outcome.column = error.column;
    return outcome;
}

bool ScriptRunner::timedOut() const
{
    return m_clock.elapsed() >= m_timeoutMs || (m_ticket && m_watchdog->hasFired(m_ticket));
}

RunOutcome ScriptRunner::timeoutOutcome() const
{
    RunOutcome outcome;
    outcome.kind = RunOutcome::TimedOut;
    outcome.file = m_file;
    outcome.message = QStringLiteral("still running after %1 ms (stopped)").arg(m_timeoutMs);
    return outcome;
}

RunOutcome ScriptRunner::thrownOutcome(const QJSValue &error, const QStringList &trace, const QString &file,
                                       int columnShift) const
{
    RunOutcome outcome;
    outcome.kind = RunOutcome::Thrown;
    outcome.file = file;
    // test262's Test262Error is no Error: the constructor's name is asked for.
    if (error.isObject()) {
        outcome.errorName = error.property(QStringLiteral("constructor")).property(QStringLiteral("name")).toString();
        const QJSValue message = error.property(QStringLiteral("message"));
        const QString text = message.isUndefined() ? error.toString() : message.toString();
        outcome.message = outcome.errorName.isEmpty() ? text : outcome.errorName + QStringLiteral(": ") + text;
        outcome.line = error.property(QStringLiteral("lineNumber")).toInt();
    } else {
        outcome.errorName = error.isString() ? QStringLiteral("string") : error.toString();
        outcome.message = error.isString() ? QStringLiteral("'%1'").arg(error.toString()) : error.toString();
    }
    // Frames read "function:line:column:file" (the file as a URL); the
    // first one in the script is the throw. QJSEngine 6.4 knows the column
    // of a parse error only (-1 at run time).
    for (const QString &frame : trace) {
        const QStringList parts = frame.split(QLatin1Char(':'));
        if (parts.size() < 4 || !parts.mid(3).join(QLatin1Char(':')).endsWith(file))
            continue;
        outcome.line = parts.at(1).toInt();
        const int column = parts.at(2).toInt();
        outcome.column = column < 1 ? 0 : outcome.line == 1 ? std::max(1, column - columnShift) : column;
        break;
    }
    return outcome;
}

void ScriptRunner::hostLog(int, const QString &text)
{
    if (m_print)
        m_print(text);
}

void ScriptRunner::hostStartTimer(int id, int ms, bool repeat)
{
    hostStopTimer(id);
    auto *timer = new QTimer(this);
    timer->setSingleShot(!repeat);
    timer->setTimerType(Qt::PreciseTimer);
    connect(timer, &QTimer::timeout, this, [this, id, repeat, timer] {
        if (!repeat) {
            m_timers.remove(id);
            timer->deleteLater();
        }
        if (m_timerThrew || !m_engine)
            return;
        const QJSValue result = m_timerFired.call({QJSValue(id)});
        if (result.isObject() && result.hasOwnProperty(QStringLiteral("error"))) {
            m_timerError = thrownOutcome(result.property(QStringLiteral("error")), {}, m_file, 0);
            m_timerThrew = true;
        }
    });
    m_timers.insert(id, timer);
    timer->start(ms);
}

void ScriptRunner::hostStopTimer(int id)
{
    if (QTimer *timer = m_timers.take(id)) {
        timer->stop();
        timer->deleteLater();
    }
}

QJSValue ScriptRunner::hostCreateTransport(const QString &, const QJSValue &)
{
    return QJSValue(QStringLiteral("transports are not available under --run"));
}
