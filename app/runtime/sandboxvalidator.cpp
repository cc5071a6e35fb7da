#include "runtime/sandboxvalidator.h"

#include "runtime/declarativemodule.h"
#include "runtime/enginesnapshot.h"
#include "runtime/hostbridge.h"
#include "core/logcategories.h"
#include "runtime/watchdog.h"

#include <QJSEngine>

#include <utility>

SandboxValidator::SandboxValidator(Watchdog *watchdog, int budgetMs)
    : m_watchdog(watchdog), m_budgetMs(budgetMs),
      m_reuse(qEnvironmentVariable("CONTROL_NUC_VALIDATOR_REUSE") != u"0"), m_transformer(watchdog, budgetMs)
{
}

SandboxValidator::~SandboxValidator() = default;

void SandboxValidator::prepare()
{
    // The last engine is kept when its driver was declarative (decided
    // here, after the verdict went out, not on the sync's path) and its
    // shared objects are as they were made.
    if (m_retired.engine && !m_passedCode.isNull() && m_retired.uses < maxUses && m_reuse
        && DeclarativeModule::recognized(m_passedCode)) {
        // No script runs for the check (EngineSnapshot reads the heap).
        const bool unchanged = m_retired.snapshot && m_retired.snapshot->unchanged();
        if (unchanged)
            m_spare = std::exchange(m_retired, Engine());
        else
            qCWarning(lcRuntime) << "a driver the validator took for declarative changed its engine; not kept";
    }
    m_passedCode = QString();
    m_retired = Engine();
    if (m_spare.engine)
        return;
    if (!m_inertHost)
        m_inertHost = std::make_unique<HostBridge>(nullptr);   // on the validating thread
    m_spare.engine = std::make_unique<QJSEngine>();
    ++m_enginesMade;
    QJSEngine *engine = m_spare.engine.get();
    // No driver code has run in it yet: it is still a fresh engine. The
    // host's own parts (module system, BaseDriver, the rule checker) are
    // made ready here, off the sync's path.
    // The same globals a running driver sees (console, timers), with an
    // inert host: timers never fire and transports cannot be opened.
    m_spareError = DriverModule::installHost(engine, m_inertHost.get(), {});
    if (!m_spareError.isEmpty()) {
        // Logged now; the next validate() refuses with this reason rather
        // than judging a driver in an engine without the host's globals,
        // and the prepare() after it tries again with a new engine.
        qCCritical(lcRuntime).noquote() << "cannot prepare a validation engine:" << m_spareError;
        return;
    }
    m_spare.base = DriverModule::require(engine, QStringLiteral("./base-driver"));
    // Returns '' when the export satisfies the rules, else "<rule>\n<message>"
    // (resources/js/validate.js, compiled ahead of time: not parsed here).
    m_spare.checker = DriverModule::hostScript(engine, QStringLiteral("validate"));
    if (!m_spare.checker.isCallable()) {
        m_spareError = QStringLiteral("cannot load the rule checker: %1").arg(m_spare.checker.toString());
        qCCritical(lcRuntime).noquote() << "cannot prepare a validation engine:" << m_spareError;
        return;
    }
    if (!m_reuse)
        return;   // never kept: nothing to compare
    m_spare.snapshot = EngineSnapshot::take(engine, {m_spare.base, DriverModule::require(engine, QStringLiteral("events"))});
    if (!m_spare.snapshot)
        qCWarning(lcRuntime) << "cannot snapshot a validation engine; it will not be kept";
    else
        qCDebug(lcRuntime) << "validation engine made; its snapshot holds" << m_spare.snapshot->objectCount() << "objects";
}

ScriptError SandboxValidator::validate(const DriverValidationRequest &request)
{
    prepare();
    // Destroyed on the next prepare(), when the pipeline is idle.
    m_retired = std::exchange(m_spare, Engine());
    QJSEngine *engine = m_retired.engine.get();
    if (!m_spareError.isEmpty()) {
        return {QStringLiteral("internal"),
                QStringLiteral("cannot prepare the validation engine: %1").arg(std::exchange(m_spareError, {})),
                {}};
    }
    // Whatever the driver left queued (a Promise callback, say) must never
    // run on this thread after validation: the engine is stopped on every
    // way out, and destroyed by the next prepare() unless it is kept (then
    // a callback a declarative module could not have queued would still
    // find it stopped until the next validation starts it again).
    struct StopForGood
    {
        QJSEngine *engine;
        ~StopForGood() { engine->setInterrupted(true); }
    } stopForGood{engine};
    engine->setInterrupted(false);
    ++m_retired.uses;
    engine->globalObject().setProperty(
        QStringLiteral("__nucDriverInfo"),
        engine->toScriptValue(QVariantMap{{QStringLiteral("protocol"), request.protocolType},
                                          {QStringLiteral("commandMappings"), QVariantList()}}));

    QJSValue exports;
    ScriptError error = DriverModule::load(engine, m_watchdog, m_budgetMs, request.code,
                                           request.fileName, &exports);
    if (!error.isNull())
        return error;

    {
        WatchdogScope scope(m_watchdog, engine, m_budgetMs);
        QJSValue verdict = m_retired.checker.call({exports, m_retired.base});
        // Turned into text while the watchdog still guards (a looping toString).
        const ScriptError thrown = verdict.isError() ? DriverModule::fromJsError(verdict, QStringLiteral("export"))
                                                     : ScriptError{};
        const QString text = verdict.isError() ? QString() : verdict.toString();
        if (scope.finish())
            return {QStringLiteral("watchdog"),
                    QStringLiteral("checking the exported class ran past the %1 ms budget").arg(m_budgetMs), {}, 0};
        if (verdict.isError())
            return thrown;
        if (!text.isEmpty()) {
            const qsizetype nl = text.indexOf(QLatin1Char('\n'));
            return {text.left(nl), text.mid(nl + 1), {}, 0};
        }
    }
    // Passed: if its top level made new objects only (prepare() decides),
    // nothing in the engine changed that the next driver could see, and it
    // serves the next validation as its fresh engine.
    m_passedCode = request.code;
    return {};
}
