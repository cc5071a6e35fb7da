// Validation and transformation of driver source in the validator host
// (control-nuc-driverhost --name validator): the sync pipeline's
// DriverValidator, so that no driver code is evaluated in the controller.
// The host is warm (its engines made ahead of time) and reused across syncs;
// when it dies or hangs, the request fails with the cause and the next one
// starts a new host. Lives on the sync thread; blocks it with a timeout.
#pragma once

#include "hosts/driverhostprocess.h"
#include "runtime/drivervalidator.h"

#include <memory>

class HostValidator : public DriverValidator
{
public:
    // `timeoutMs` bounds one answer (the host's own watchdog is shorter).
    HostValidator(const DriverHostOptions &options, int timeoutMs);
    ~HostValidator() override;

    ScriptError validate(const DriverValidationRequest &request) override;
    // The request goes to the host at once; verdict() waits for its answer.
    void begin(const DriverValidationRequest &request) override;
    ScriptError verdict() override;
    void abandon() override;
    bool busyWithAbandoned() const override;
    bool validatesElsewhere() const override { return true; }
    bool verdictWithin(int waitMs) override;
    TransformResult transform(const QString &source, TransformMode mode) override;
    // Starts the host when it is not running (idle time).
    void prepare() override;

    qint64 hostPid() const;

private:
    bool ensureHost(QString *error);
    void dropHost(const QString &reason);
    QJsonObject ask(const QJsonObject &frame, QString *error);
    static QJsonObject validateFrame(const DriverValidationRequest &request);
    static ScriptError verdictOf(const QJsonObject &answer, const QString &error);

    DriverHostOptions m_options;
    int m_timeoutMs;
    std::unique_ptr<DriverHostProcess> m_host;
    // begin(): the call sent, or why it could not be.
    int m_begunCall = 0;
    QString m_beginError;
};
