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
    Watchdog *m_watchdog;
    int m_budgetMs;
    std::unique_ptr<HostBridge> m_inertHost;   // the host of validation engines
    std::unique_ptr<QJSEngine> m_spare;     // the next validation's engine
    QJSValue m_spareBase;                   // BaseDriver in m_spare
    QJSValue m_spareChecker;                // the rule checker in m_spare
    QJSValue m_spareUnchanged;              // says whether m_spare's shared objects are as made
    QString m_spareError;                   // why m_spare could not be made ready
    std::unique_ptr<QJSEngine> m_retired;   // the last one, destroyed when idle
    // When the last driver passed: its code, and what m_retired needs to
    // serve again if that code is declarative.
    QString m_passedCode;
    QJSValue m_retiredBase;
    QJSValue m_retiredChecker;
    QJSValue m_retiredUnchanged;
    int m_retiredUses = 0;
    int m_spareUses = 0;                    // validations m_spare has served
    int m_enginesMade = 0;
    bool m_reuse;                           // CONTROL_NUC_VALIDATOR_REUSE=0: a new engine each time
    DriverTransformer m_transformer;
};
