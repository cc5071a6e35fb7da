#include "hosts/hostvalidator.h"

#include "hosts/hostmessages.h"
#include "core/logcategories.h"
#include "runtime/transformskip.h"

#include <algorithm>
#include <utility>

HostValidator::HostValidator(const DriverHostOptions &options, int timeoutMs)
    : m_options(options), m_timeoutMs(timeoutMs)
{
    m_options.name = QStringLiteral("validator");
    m_options.interpreter = false;
    // Its main thread transforms, and waits for a validation, under the
    // validation budget: silence that long is work, not a hang.
    m_options.answerTimeoutMs = std::max(m_options.answerTimeoutMs, 2 * m_options.validationBudgetMs + 1000);
}

HostValidator::~HostValidator() = default;

qint64 HostValidator::hostPid() const
{
    return m_host && m_host->isRunning() ? m_host->pid() : 0;
}

bool HostValidator::ensureHost(QString *error)
{
    if (m_host && m_host->isAvailable())
        return true;
    dropHost(QStringLiteral("driver host ended before it answered"));
    m_host = std::make_unique<DriverHostProcess>(m_options);
    if (m_host->start(error)) {
        m_host->send({{QStringLiteral("op"), QStringLiteral("warm")}});
        return true;
    }
    m_host.reset();
    return false;
}

void HostValidator::prepare()
{
    QString error;
    if (!ensureHost(&error))
        qCWarning(lcRuntime).noquote() << "validator host cannot start:" << error;
}

QJsonObject HostValidator::ask(const QJsonObject &frame, QString *error)
{
    if (!ensureHost(error))
        return {};
    const QJsonObject answer = m_host->request(frame, m_timeoutMs, error);
    if (answer.isEmpty())
        dropHost(*error);   // dead or hung (and killed): the next request starts another
    return answer;
}

QJsonObject HostValidator::validateFrame(const DriverValidationRequest &request)
{
    return {{QStringLiteral("op"), QStringLiteral("validate")},
            {QStringLiteral("code"), request.code},
            {QStringLiteral("driverType"), request.driverType},
            {QStringLiteral("protocolType"), request.protocolType},
            {QStringLiteral("fileName"), request.fileName}};
}

ScriptError HostValidator::verdictOf(const QJsonObject &answer, const QString &error)
{
    if (answer.isEmpty())
        return ScriptError{QStringLiteral("validation"), error, {}, 0};
    return HostMessages::toError(answer.value(QStringLiteral("error")).toObject());
}

void HostValidator::dropHost(const QString &reason)
{
    // A begun validation dies with its host: its verdict() says why.
    if (m_begunCall && m_host) {
        m_begunCall = 0;
        m_beginError = reason;
    }
    m_host.reset();
}

ScriptError HostValidator::validate(const DriverValidationRequest &request)
{
    QString error;
    const QJsonObject answer = ask(validateFrame(request), &error);
    return verdictOf(answer, error);
}

void HostValidator::begin(const DriverValidationRequest &request)
{
    m_beginError.clear();
    m_begunCall = ensureHost(&m_beginError) ? m_host->begin(validateFrame(request), &m_beginError) : 0;
}

bool HostValidator::verdictWithin(int waitMs)
{
    // Not sent, or the host is gone: verdict() only says why (and may wait
    // for the host to be reaped): not an answer to write ahead for.
    return m_begunCall != 0 && m_host && m_host->awaitAnswer(m_begunCall, waitMs);
}

ScriptError HostValidator::verdict()
{
    QString error = std::exchange(m_beginError, {});
    QJsonObject answer;
    if (const int call = std::exchange(m_begunCall, 0); call && m_host) {
        answer = m_host->finish(call, m_timeoutMs, &error);
        if (answer.isEmpty())
            dropHost(error);
    }
    return verdictOf(answer, error);
}

void HostValidator::abandon()
{
    m_beginError.clear();
    if (const int call = std::exchange(m_begunCall, 0); call && m_host)
        m_host->forget(call);
}

bool HostValidator::busyWithAbandoned() const
{
    return m_host && m_host->forgottenCalls() > 0;
}

TransformResult HostValidator::transform(const QString &source, TransformMode mode)
{
    // The skip reads the text in C++ and runs no driver code: decided here,
    // it also saves the hop to the host (≈ 1 ms for 5 KB each way).
    if (mode == TransformMode::Skip && TransformSkip::unchanged(source)) {
        TransformResult unchanged;
        unchanged.ok = true;
        unchanged.code = source;
        return unchanged;
    }
    QString error;
    QJsonObject frame{{QStringLiteral("op"), QStringLiteral("transform")}, {QStringLiteral("source"), source}};
    if (mode == TransformMode::Full)
        frame.insert(QStringLiteral("full"), true);
    const QJsonObject answer = ask(frame, &error);
    if (answer.isEmpty()) {
        TransformResult failed;
        failed.error = ScriptError{QStringLiteral("transformer"), error, {}, 0};
        return failed;
    }
    return HostMessages::toTransform(answer.value(QStringLiteral("result")).toObject());
}
