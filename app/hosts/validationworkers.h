// Validation in the validator host, on worker threads: each worker owns a
// SandboxValidator (a fresh engine per validation: nothing one driver's
// evaluation leaves behind reaches the next) and makes its next engine on
// its own thread right after answering. Requests go round-robin, so a sync
// that follows at once finds an engine made while the other worker was
// busy — on a second core when there is one — instead of waiting for one.
#pragma once

#include "runtime/drivervalidator.h"

#include <QThread>

#include <memory>
#include <vector>

class SandboxValidator;
class Watchdog;

class ValidationWorkers
{
public:
    ValidationWorkers(Watchdog *watchdog, int budgetMs, int count = 2);
    ~ValidationWorkers();

    // Blocks the caller until the chosen worker has answered.
    ScriptError validate(const DriverValidationRequest &request);

private:
    struct Worker
    {
        QThread thread;
        QObject *context = nullptr;            // lives on `thread`
        std::unique_ptr<SandboxValidator> validator;   // made and used on `thread`
    };

    std::vector<std::unique_ptr<Worker>> m_workers;
    std::size_t m_next = 0;
};
