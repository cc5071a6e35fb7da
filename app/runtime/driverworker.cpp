#include "runtime/driverworker.h"

#include "runtime/drivercommands.h"
#include "runtime/drivermodule.h"
#include "runtime/jsconversion.h"
#include "core/logcategories.h"
#include "core/logtext.h"
#include "runtime/nativetransport.h"

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QHash>
#include <QJSEngine>
#include <QJsonDocument>
#include <QMutex>
#include <QThread>
#include <QTimer>

#include <cstring>
#include <mutex>

namespace {

std::mutex interruptMutex;   // guards DriverWorker::m_engineForInterrupt against teardown

// How a call into the driver ended: its value, or what it threw or rejected
// with (an Error keeps its stack, with the driver's line numbers).
CallResult resultFromJs(bool ok, const QJSValue &value)
{
    CallResult r;
    r.ok = ok;
    if (ok) {
        if (!value.isUndefined()) {
            QString tooDeep;
            r.value = JsConversion::toJson(value, &tooDeep);
            if (!tooDeep.isEmpty())
                return CallResult::failure(QStringLiteral("the driver's result was refused: ") + tooDeep);
        }
        return r;
    }
    if (value.isError() || (value.isObject() && value.hasProperty(QStringLiteral("message")))) {
        const ScriptError e = DriverModule::fromJsError(value, QStringLiteral("call"));
        r.error = e.message;
        r.stack = e.stack;
    } else {
        r.error = QStringLiteral("rejected with ") + value.toString();
    }
    return r;
}

} // namespace

QLoggingCategory &DriverWorker::categoryFor(const QString &driverType)
{
    static QMutex mutex;
    static QHash<QString, QLoggingCategory *> categories;
    QMutexLocker lock(&mutex);
    QLoggingCategory *&category = categories[driverType];
    if (!category) {
        // Lives as long as the process: QLoggingCategory keeps the name pointer.
        const QByteArray name = "nuc.driver." + driverType.toUtf8();
        category = new QLoggingCategory(strdup(name.constData()), QtInfoMsg);
    }
    return *category;
}

DriverWorker::DriverWorker(const DriverSpec &spec, const RuntimeSettings &settings, Watchdog *watchdog)
    : m_spec(spec), m_settings(settings), m_watchdog(watchdog), m_log(categoryFor(spec.driverType)),
      m_endpoint(DeviceEndpoint::ofDevice(spec.protocol, spec.config.toVariantMap()))
{
}

DriverWorker::~DriverWorker()
{
    if (!m_tornDown)
        teardown();
}

void DriverWorker::interruptNow()
{
    std::lock_guard<std::mutex> lock(interruptMutex);
    if (QJSEngine *engine = m_engineForInterrupt.load())
        engine->setInterrupted(true);
}

void DriverWorker::enterJs(const QString &label)
{
    m_labels.append(label);
    if (m_depth++ == 0)
        m_ticket = m_watchdog->arm(m_engine.get(), m_settings.budgetMs);
}

bool DriverWorker::leaveJs()
{
    const QString label = m_labels.isEmpty() ? QStringLiteral("JavaScript") : m_labels.takeLast();
    const bool fired = m_ticket && m_watchdog->hasFired(m_ticket);
    if (--m_depth == 0 || fired) {
        if (m_ticket)
            m_watchdog->disarm(m_ticket);   // also clears the interrupted flag
        m_ticket = 0;
        m_depth = 0;
        m_labels.clear();
    }
    if (fired) {
        fault(QStringLiteral("watchdog: %1 ran past the %2 ms budget and was stopped").arg(label).arg(m_settings.budgetMs));
        return false;
    }
    return true;
}

void DriverWorker::onAboutToBlock()
{
    // An interrupted Promise callback cannot run its own leave: catch it here.
    if (m_depth > 0)
        leaveJs();
}

QJSValue DriverWorker::callJs(const QString &label, QJSValue function, const QJSValueList &args)
{
    if (m_faulted || !m_engine)
        return QJSValue(QJSValue::UndefinedValue);
    enterJs(label);
    QJSValue result = function.call(args);
    // What was thrown is described while the watchdog still guards: its
    // toString() is driver code too.
    const QString uncaught = result.isError()
        ? QStringLiteral("[%1] uncaught exception in %2: %3\n%4")
              .arg(m_spec.deviceId, label, result.toString(), result.property(QStringLiteral("stack")).toString())
        : QString();
    if (!leaveJs() || m_faulted)
        return QJSValue(QJSValue::UndefinedValue);
    if (!uncaught.isEmpty())
        qCWarning(m_log).noquote() << LogText::escaped(uncaught);   // its stack, too, on the one line
    return result;
}

void DriverWorker::hostEnterReaction()
{
    if (m_faulted || !m_engine) {
        if (m_engine)
            m_engine->setInterrupted(true);   // a callback queued before the fault: stop it
        return;
    }
    enterJs(QStringLiteral("a Promise callback"));
}

void DriverWorker::hostLeaveReaction()
{
    if (m_depth > 0)
        leaveJs();
}

void DriverWorker::load(int callId)
{
    if (QAbstractEventDispatcher *dispatcher = QThread::currentThread()->eventDispatcher()) {
        connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock, this, &DriverWorker::onAboutToBlock,
                Qt::DirectConnection);
    }
    m_engine = std::make_unique<QJSEngine>();
    {
        std::lock_guard<std::mutex> lock(interruptMutex);
        m_engineForInterrupt = m_engine.get();
    }
    m_bridge = std::make_unique<HostBridge>(this);

    const QJsonObject info{{QStringLiteral("protocol"), m_spec.protocol},
                           {QStringLiteral("commandMappings"), m_spec.commandMappings},
                           {QStringLiteral("driverType"), m_spec.driverType},
                           {QStringLiteral("version"), m_spec.version}};
    QJSValue entryPoints;
    const QString hostError = DriverModule::installHost(m_engine.get(), m_bridge.get(), info, &entryPoints);
    if (!hostError.isEmpty()) {
        m_faulted = true;
        m_faultMessage = hostError;
        finish(callId, CallResult::failure(hostError));
        return;
    }
    m_invoke = entryPoints.property(QStringLiteral("invoke"));
    m_timerFired = entryPoints.property(QStringLiteral("timerFired"));

    // Module evaluation, under the watchdog like every entry into JavaScript.
    QJSValue exports;
    const QString fileName = m_spec.driverType + QStringLiteral(".js");
    enterJs(QStringLiteral("evaluating the driver module"));
    const ScriptError error = DriverModule::load(m_engine.get(), nullptr, m_settings.budgetMs, m_spec.code,
                                                 fileName, &exports);
    if (!leaveJs()) {
        finish(callId, CallResult::failure(m_faultMessage, true));
        return;
    }
    if (!error.isNull()) {
        m_faulted = true;
        m_faultMessage = QStringLiteral("cannot load driver %1: %2").arg(m_spec.driverType, error.describe());
        CallResult r = CallResult::failure(m_faultMessage);
        r.stack = error.stack;
        finish(callId, r);
        return;
    }
    if (!exports.isCallable()) {
        m_faulted = true;
        m_faultMessage = QStringLiteral("cannot load driver %1: module.exports is not a class").arg(m_spec.driverType);
        finish(callId, CallResult::failure(m_faultMessage));
        return;
    }

    const QJSValue config = m_engine->toScriptValue(m_spec.config.toVariantMap());
    QJSValue instance = callJs(QStringLiteral("the driver's constructor"),
                               entryPoints.property(QStringLiteral("construct")), {exports, config});
    if (m_faulted) {
        finish(callId, CallResult::failure(m_faultMessage, true));
        return;
    }
    if (instance.isError()) {
        // Its text, too, comes from driver code (toString): under the watchdog.
        enterJs(QStringLiteral("describing what the driver's constructor threw"));
        CallResult r = resultFromJs(false, instance);
        if (!leaveJs()) {
            finish(callId, CallResult::failure(m_faultMessage, true));
            return;
        }
        r.error = QStringLiteral("the driver's constructor threw: ") + r.error;
        m_faulted = true;
        m_faultMessage = r.error;
        finish(callId, r);
        return;
    }
    m_instance = instance;
    CallResult ok;
    ok.ok = true;
    ok.value = declaredCommands(exports);
    if (m_faulted) {
        finish(callId, CallResult::failure(m_faultMessage, true));
        return;
    }
    finish(callId, ok);
}

QJsonObject DriverWorker::declaredCommands(const QJSValue &driverClass)
{
    // A static getter is driver code: read under the watchdog, converted bounded.
    enterJs(QStringLiteral("reading the driver's static commands"));
    const QJSValue declaration = driverClass.property(QStringLiteral("commands"));
    QString problem;
    QJsonValue json;
    if (declaration.isError())
        problem = QStringLiteral("commands: reading it threw ") + declaration.toString();
    else
        json = JsConversion::toJson(declaration, &problem);
    if (!leaveJs())
        return {};
    QJsonArray commands;
    if (problem.isEmpty())
        commands = DriverCommands::parse(json, &problem);
    QJsonObject value{{QStringLiteral("commands"), commands}};
    if (!problem.isEmpty()) {
        // Refused as a whole; the driver still runs (its commands still work).
        qCWarning(lcRuntime).noquote() << "driver" << m_spec.driverType << "declares malformed commands, ignored:" << LogText::escaped(problem);
        value.insert(QStringLiteral("commandsProblem"), problem);
    }
    return value;
}

void DriverWorker::call(int callId, const QString &method, const QJsonArray &args, int timeoutMs, const QString &label)
{
    if (m_faulted) {
        finish(callId, CallResult::failure(QStringLiteral("driver instance stopped after an error: ") + m_faultMessage));
        return;
    }
    if (m_tornDown || !m_instance.isObject()) {
        finish(callId, CallResult::failure(QStringLiteral("driver instance is not running")));
        return;
    }
    QJSValue jsArgs = m_engine->newArray(uint(args.size()));
    for (int i = 0; i < args.size(); ++i)
        jsArgs.setProperty(quint32(i), m_engine->toScriptValue(args.at(i).toVariant()));

    Pending pending;
    pending.label = label;
    pending.started.start();
    pending.deadline = new QTimer(this);
    pending.deadline->setSingleShot(true);
    pending.deadline->setTimerType(Qt::PreciseTimer);
    connect(pending.deadline, &QTimer::timeout, this, [this, callId, label, timeoutMs] {
        if (!m_pending.contains(callId))
            return;
        // fault() answers this call (and any other waiting) with the reason.
        fault(QStringLiteral("%1 did not settle within %2 ms").arg(label).arg(timeoutMs), callId);
    });
    pending.deadline->start(timeoutMs);
    m_pending.insert(callId, pending);

    callJs(label, m_invoke, {QJSValue(callId), m_instance, QJSValue(method), jsArgs});
}

void DriverWorker::hostSettle(int id, bool ok, const QJSValue &value, bool thrown)
{
    if (!m_pending.contains(id))
        return;   // settled after its deadline: already answered
    CallResult result = resultFromJs(ok, value);
    result.thrown = !ok && thrown;
    finish(id, result);
}

void DriverWorker::finish(int callId, CallResult result)
{
    auto it = m_pending.find(callId);
    if (it != m_pending.end()) {
        result.durationMs = it->started.nsecsElapsed() / 1e6;
        it->deadline->stop();
        it->deadline->deleteLater();   // finish() may run inside its timeout
        m_pending.erase(it);
    }
    emit callFinished(callId, result);
}

void DriverWorker::fault(const QString &message, int lateCall)
{
    if (m_faulted)
        return;
    m_faulted = true;
    m_faultMessage = message;
    qCWarning(m_log).noquote() << LogText::escaped(QStringLiteral("[%1] %2").arg(m_spec.deviceId, message));
    // No more JavaScript: its timers stop, its calls fail with the reason.
    for (QTimer *timer : std::as_const(m_timers)) {
        timer->stop();
        timer->deleteLater();
    }
    m_timers.clear();
    // No JavaScript of this instance runs again (queued Promise callbacks
    // included), and what it opened is closed now, not at teardown.
    if (m_engine)
        m_engine->setInterrupted(true);
    for (const QPointer<NativeTransport> &transport : std::as_const(m_transports)) {
        if (transport)
            transport->closeNow();
    }
    // The fault is announced before the calls it ends are answered.
    emit faulted(message);
    const QList<int> ids = m_pending.keys();
    for (int id : ids) {
        CallResult r = CallResult::failure(message, true);
        r.missedDeadline = id == lateCall;
        finish(id, r);
    }
}

void DriverWorker::teardown()
{
    if (m_tornDown)
        return;
    m_tornDown = true;
    for (QTimer *timer : std::as_const(m_timers))
        delete timer;
    m_timers.clear();
    for (const QPointer<NativeTransport> &transport : std::as_const(m_transports)) {
        if (transport) {
            transport->closeNow();
            delete transport.data();
        }
    }
    m_transports.clear();
    const QList<int> ids = m_pending.keys();
    for (int id : ids)
        finish(id, CallResult::failure(QStringLiteral("driver instance stopped")));
    if (m_ticket) {
        m_watchdog->disarm(m_ticket);
        m_ticket = 0;
        m_depth = 0;
    }
    if (QAbstractEventDispatcher *dispatcher = QThread::currentThread()->eventDispatcher())
        dispatcher->disconnect(this);
    m_instance = QJSValue();
    m_invoke = QJSValue();
    m_timerFired = QJSValue();
    {
        std::lock_guard<std::mutex> lock(interruptMutex);
        m_engineForInterrupt = nullptr;
    }
    m_engine.reset();
    m_bridge.reset();
    emit tornDown();
    // The thread exists for this instance only: it ends here.
    if (thread() == QThread::currentThread() && thread() != QCoreApplication::instance()->thread())
        QThread::currentThread()->quit();
}

void DriverWorker::transportLost(const QString &reason)
{
    if (!m_tornDown)
        emit transportDropped(reason);
}

void DriverWorker::hostLog(int level, const QString &text)
{
    // DRIVER_API.md "Containment": so many lines per second, the rest
    // dropped and counted once, when the next second starts.
    if (!m_logWindow.isValid() || m_logWindow.elapsed() >= 1000) {
        if (m_logDropped > 0)
            qCWarning(m_log).noquote() << QStringLiteral("[%1] %2 log lines dropped (limit: %3 per second)")
                                              .arg(LogText::escaped(m_spec.deviceId)).arg(m_logDropped).arg(m_settings.logLinesPerSecond);
        m_logWindow.start();
        m_logLines = 0;
        m_logDropped = 0;
    }
    if (++m_logLines > m_settings.logLinesPerSecond) {
        ++m_logDropped;
        return;
    }
    // One console call is one log line, whatever the driver put in it.
    const QString line = LogText::escaped(QStringLiteral("[%1] %2").arg(m_spec.deviceId, text));
    switch (level) {
    case 0: qCDebug(m_log).noquote() << line; break;
    case 1: qCInfo(m_log).noquote() << line; break;
    case 2: qCWarning(m_log).noquote() << line; break;
    default: qCCritical(m_log).noquote() << line; break;
    }
}

void DriverWorker::hostStartTimer(int id, int ms, bool repeat)
{
    if (m_faulted || m_tornDown)
        return;
    if (!m_timers.contains(id) && m_timers.size() >= m_settings.maxPendingTimers) {
        m_engine->throwError(QJSValue::RangeError,
                             QStringLiteral("too many pending timers (limit: %1 per device)").arg(m_settings.maxPendingTimers));
        return;
    }
    auto *timer = new QTimer(this);
    timer->setSingleShot(!repeat);
    timer->setTimerType(ms < 1000 ? Qt::PreciseTimer : Qt::CoarseTimer);
    connect(timer, &QTimer::timeout, this, [this, id, repeat, timer] {
        if (!repeat) {
            m_timers.remove(id);
            timer->deleteLater();
        }
        callJs(repeat ? QStringLiteral("a setInterval callback") : QStringLiteral("a setTimeout callback"),
               m_timerFired, {QJSValue(id)});
    });
    hostStopTimer(id);
    m_timers.insert(id, timer);
    timer->start(ms);
}

void DriverWorker::hostStopTimer(int id)
{
    // May be called from inside that timer's own callback.
    if (QTimer *timer = m_timers.take(id)) {
        timer->stop();
        timer->deleteLater();
    }
}

void DriverWorker::hostSetState(const QJSValue &state)
{
    QString tooDeep;
    const QJsonValue json = JsConversion::toJson(state, &tooDeep);
    if (!tooDeep.isEmpty()) {
        m_engine->throwError(QJSValue::RangeError, QStringLiteral("setState: ") + tooDeep);
        return;
    }
    emit stateReported(json.toObject());
}

void DriverWorker::hostSetStatus(const QString &status, const QString &message)
{
    static const QStringList allowed = {QStringLiteral("connecting"), QStringLiteral("connected"),
                                        QStringLiteral("disconnected"), QStringLiteral("error")};
    if (!allowed.contains(status)) {
        qCWarning(m_log).noquote() << LogText::escaped(QStringLiteral("[%1] setStatus: '%2' is not one of %3")
                                          .arg(m_spec.deviceId, status, allowed.join(QStringLiteral(", "))));
        return;
    }
    emit statusReported(status, message);
}

QJSValue DriverWorker::hostCreateTransport(const QString &protocol, const QJSValue &configValue)
{
    if (m_faulted || m_tornDown)
        return QJSValue(QStringLiteral("driver instance is stopping"));
    QString tooDeep;
    const QVariantMap config = JsConversion::toJson(configValue, &tooDeep).toObject().toVariantMap();
    if (!tooDeep.isEmpty())
        return QJSValue(QStringLiteral("transport config: ") + tooDeep);
    QString error;
    NativeTransport *transport = NativeTransport::create(protocol, config, m_endpoint, this, this, &error);
    if (!transport)
        return QJSValue(error);
    m_transports.removeAll(nullptr);
    m_transports.append(transport);
    QJSEngine::setObjectOwnership(transport, QJSEngine::CppOwnership);
    return m_engine->newQObject(transport);
}
