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
    // here, after the verdict went out, not on the sync's path).
    if (m_retired && !m_passedCode.isNull() && m_retiredUses < maxUses && m_reuse
        && DeclarativeModule::recognized(m_passedCode)) {
        bool unchanged = false;
        {
            // Stopped since its validation; started for the check only.
            m_retired->setInterrupted(false);
            WatchdogScope scope(m_watchdog, m_retired.get(), m_budgetMs);
            const QJSValue answer = m_retiredUnchanged.call();
            unchanged = !scope.finish() && answer.isBool() && answer.toBool();
            m_retired->setInterrupted(true);
        }
        if (unchanged) {
            m_spare = std::move(m_retired);
            m_spareBase = std::exchange(m_retiredBase, QJSValue());
            m_spareChecker = std::exchange(m_retiredChecker, QJSValue());
            m_spareUnchanged = std::exchange(m_retiredUnchanged, QJSValue());
            m_spareUses = m_retiredUses;
        } else {
            qCWarning(lcRuntime) << "a driver the validator took for declarative changed its engine; not kept";
        }
    }
    m_retiredUnchanged = QJSValue();
    m_passedCode = QString();
    m_retiredBase = QJSValue();
    m_retiredChecker = QJSValue();
    m_retired.reset();
    if (!m_spare) {
        if (!m_inertHost)
            m_inertHost = std::make_unique<HostBridge>(nullptr);   // on the validating thread
        m_spare = std::make_unique<QJSEngine>();
        m_spareUses = 0;
        ++m_enginesMade;
        // No driver code has run in it yet: it is still a fresh engine. The
        // host's own parts (module system, BaseDriver, the rule checker) are
        // made ready here, off the sync's path.
        // The same globals a running driver sees (console, timers), with an
        // inert host: timers never fire and transports cannot be opened.
        m_spareError = DriverModule::installHost(m_spare.get(), m_inertHost.get(), {});
        if (!m_spareError.isEmpty()) {
            // Logged now; the next validate() refuses with this reason rather
            // than judging a driver in an engine without the host's globals,
            // and the prepare() after it tries again with a new engine.
            qCCritical(lcRuntime).noquote() << "cannot prepare a validation engine:" << m_spareError;
            return;
        }
        m_spareBase = DriverModule::require(m_spare.get(), QStringLiteral("./base-driver"));
        // Returns '' when the export satisfies the rules, else "<rule>\n<message>"
        // (resources/js/validate.js, compiled ahead of time: not parsed here).
        m_spareChecker = DriverModule::hostScript(m_spare.get(), QStringLiteral("validate"));
        if (!m_spareChecker.isCallable()) {
            m_spareError = QStringLiteral("cannot load the rule checker: %1").arg(m_spareChecker.toString());
            qCCritical(lcRuntime).noquote() << "cannot prepare a validation engine:" << m_spareError;
            return;
        }
        m_spareUnchanged = EngineSnapshot::take(m_spare.get(), {m_spareBase, DriverModule::require(m_spare.get(), QStringLiteral("events"))});
        if (!m_spareUnchanged.isCallable())
            qCWarning(lcRuntime).noquote() << "cannot snapshot a validation engine:" << m_spareUnchanged.toString();
    }
}

ScriptError SandboxValidator::validate(const DriverValidationRequest &request)
{
    prepare();
    // Destroyed on the next prepare(), when the pipeline is idle.
    m_retired = std::move(m_spare);
    QJSEngine *engine = m_retired.get();
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
    const QJSValue baseDriver = std::exchange(m_spareBase, QJSValue());
    QJSValue check = std::exchange(m_spareChecker, QJSValue());
    const QJSValue unchanged = std::exchange(m_spareUnchanged, QJSValue());
    const int uses = m_spareUses + 1;
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
        QJSValue verdict = check.call({exports, baseDriver});
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
    m_retiredBase = baseDriver;
    m_retiredChecker = check;
    m_retiredUnchanged = unchanged;
    m_retiredUses = uses;
    return {};
}
