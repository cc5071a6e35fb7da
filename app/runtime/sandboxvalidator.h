// Validates a driver in a fresh, throw-away QJSEngine under the watchdog:
// the rules of DRIVER_API.md, "What the controller requires of a driver".
// An engine in which only declarative modules (DeclarativeModule) passed
// is still as fresh as a new one, and is kept for the next validation, up
// to `maxUses` validations, when the shared objects a driver could reach
// are also found unchanged; any other driver retires it.
// CONTROL_NUC_VALIDATOR_REUSE=0 gives every validation a new engine.
#pragma once

#include "runtime/drivertransformer.h"
#include "runtime/drivervalidator.h"

#include <QJSValue>

#include <memory>

class EngineSnapshot;
class HostBridge;
class QJSEngine;
class Watchdog;

class SandboxValidator : public DriverValidator
{
public:
    SandboxValidator(Watchdog *watchdog, int budgetMs);
    ~SandboxValidator() override;

    ScriptError validate(const DriverValidationRequest &request) override;
    TransformResult transform(const QString &source, TransformMode mode) override
    {
        return m_transformer.transform(source, mode);
    }

    // Creates the next throw-away validation engine ahead of time, so that
    // a sync does not wait for it. (The transformer loads on first use.)
    void prepare() override;

    // Validations one engine serves at most (its heap and identifier table
    // grow a little with each module compiled in it).
    static constexpr int maxUses = 64;
    // Engines made so far (tests).
    int enginesMade() const { return m_enginesMade; }

private:
    // An engine made ready for validations, and what belongs to it.
    struct Engine
    {
        std::unique_ptr<QJSEngine> engine;
        QJSValue base;        // BaseDriver in it
        QJSValue checker;     // the rule checker in it
        std::unique_ptr<EngineSnapshot> snapshot;   // its shared state as made
        int uses = 0;         // validations it has served
    };

    Watchdog *m_watchdog;
    int m_budgetMs;
    std::unique_ptr<HostBridge> m_inertHost;   // the host of validation engines
    Engine m_spare;                         // the next validation's engine
    QString m_spareError;                   // why m_spare could not be made ready
    Engine m_retired;                       // the last one, destroyed when idle
    QString m_passedCode;                   // the last driver's, when it passed: m_retired may serve again
    int m_enginesMade = 0;
    bool m_reuse;                           // CONTROL_NUC_VALIDATOR_REUSE=0: a new engine each time
    DriverTransformer m_transformer;
};
