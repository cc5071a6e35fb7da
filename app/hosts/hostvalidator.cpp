#include "hosts/hostvalidator.h"

#include "hosts/hostmessages.h"
#include "core/logcategories.h"
#include "runtime/transformskip.h"

#include <algorithm>

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
        m_host.reset();   // dead or hung (and killed): the next request starts another
    return answer;
}

ScriptError HostValidator::validate(const DriverValidationRequest &request)
{
    QString error;
    const QJsonObject answer = ask({{QStringLiteral("op"), QStringLiteral("validate")},
                                    {QStringLiteral("code"), request.code},
                                    {QStringLiteral("driverType"), request.driverType},
                                    {QStringLiteral("protocolType"), request.protocolType},
                                    {QStringLiteral("fileName"), request.fileName}},
                                   &error);
    if (answer.isEmpty())
        return ScriptError{QStringLiteral("validation"), error, {}, 0};
    return HostMessages::toError(answer.value(QStringLiteral("error")).toObject());
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
