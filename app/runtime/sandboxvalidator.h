// Validates a driver in a fresh, throw-away QJSEngine under the watchdog:
// the rules of DRIVER_API.md, "What the controller requires of a driver".
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

private:
    Watchdog *m_watchdog;
    int m_budgetMs;
    std::unique_ptr<HostBridge> m_inertHost;   // the host of validation engines
    std::unique_ptr<QJSEngine> m_spare;     // the next validation's engine
    QJSValue m_spareBase;                   // BaseDriver in m_spare
    QJSValue m_spareChecker;                // the rule checker in m_spare
    QString m_spareError;                   // why m_spare could not be made ready
    std::unique_ptr<QJSEngine> m_retired;   // the last one, destroyed when idle
    DriverTransformer m_transformer;
};
