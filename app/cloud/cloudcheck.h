// control-nuc --check-cloud: a one-shot connectivity check an integrator
// runs on site. It walks the path the link takes, one step at a time (DNS,
// TCP, TLS for wss://, the WebSocket upgrade with our token, hello), each
// with its own timeout, and reports every step as one line. A failed step
// ends the check; the steps after it are reported as skipped.
#pragma once

#include "cloud/cloudlink.h"

#include <QString>

#include <functional>

class CloudCheck
{
public:
    enum class Outcome { Passed, Failed, CredentialsRefused };

    using Report = std::function<void(const QString &line)>;

    CloudCheck(const CloudLinkSettings &settings, const QString &controllerName, int stepTimeoutMs);

    // Runs every step (spinning the event loop while waiting); `report`
    // gets one line per step.
    Outcome run(const Report &report);

    // The process exit status for an outcome: 0, 1, or 3 (credentials refused).
    static int exitStatus(Outcome outcome);

private:
    CloudLinkSettings m_settings;
    QString m_controllerName;
    int m_timeoutMs;
};
