#include "hosts/hosteddriverinstance.h"

#include "hosts/driverhostprocess.h"
#include "hosts/hostmessages.h"

namespace {

// Beyond a call's own deadline (enforced in the host), the controller waits
// this much longer before it answers for a host that said nothing.
constexpr int CallGraceMs = 5000;

} // namespace

HostedDriverInstance::HostedDriverInstance(const DriverSpec &spec, const RuntimeSettings &settings,
                                           DriverHostProcess *host, int instanceId, const QString &refusal,
                                           QObject *parent)
    : DriverHandle(spec, parent), m_settings(settings), m_host(host), m_instanceId(instanceId), m_refusal(refusal)
{
    qRegisterMetaType<CallResult>();
    m_replyTimer.setSingleShot(true);
    connect(&m_replyTimer, &QTimer::timeout, this, &HostedDriverInstance::answerOverdue);
    m_stopDeadline.setSingleShot(true);
    connect(&m_stopDeadline, &QTimer::timeout, this, [this] {
        // The host bounds its own teardown; a host that says nothing by now
        // is treated as done with this instance (its liveness check ends it).
        finishStop(QStringLiteral("driver instance stopped (the driver host did not confirm)"));
    });
    if (m_host)
        m_host->send({{QStringLiteral("op"), QStringLiteral("start")}, {QStringLiteral("inst"), m_instanceId},
                      {QStringLiteral("spec"), HostMessages::fromSpec(spec)}});
}

HostedDriverInstance::~HostedDriverInstance()
{
    if (!m_stopped && m_host)
        m_host->send({{QStringLiteral("op"), QStringLiteral("stop")}, {QStringLiteral("inst"), m_instanceId}});
}

void HostedDriverInstance::invoke(const QString &op, int timeoutMs, Callback done, QJsonObject fields)
{
    if (m_stopping || m_stopped || !m_host) {
        const CallResult r = CallResult::failure(m_host || m_stopping || m_stopped
                                                     ? QStringLiteral("driver instance is stopped") : m_refusal);
        QMetaObject::invokeMethod(this, [done, r] { done(r); }, Qt::QueuedConnection);
        return;
    }
    const int call = m_nextCall++;
    m_callbacks.insert(call, std::move(done));
    fields.insert(QStringLiteral("op"), op);
    fields.insert(QStringLiteral("inst"), m_instanceId);
    fields.insert(QStringLiteral("call"), call);
    m_host->send(fields);
    // One timer per instance, armed for the earliest deadline, instead of a
    // timer made, registered and destroyed for every call: a command then
    // costs a hash entry here, and the timer is touched only when this call's
    // deadline is the earliest one.
    const int waitMs = timeoutMs + CallGraceMs;
    m_deadlines.insert(call, {QDeadlineTimer(waitMs), op});
    if (!m_replyTimer.isActive() || m_replyTimer.remainingTime() > waitMs)
        m_replyTimer.start(waitMs);
}

void HostedDriverInstance::answerOverdue()
{
    qint64 nextMs = -1;
    const QList<int> calls = m_deadlines.keys();
    for (int call : calls) {
        const auto it = m_deadlines.constFind(call);
        if (it == m_deadlines.cend())
            continue;   // answered by an earlier callback of this pass
        const qint64 left = it->deadline.remainingTime();
        if (left > 0) {
            nextMs = nextMs < 0 ? left : qMin(nextMs, left);
            continue;
        }
        answer(call, CallResult::failure(QStringLiteral("the driver host did not answer %1").arg(it->op), true));
    }
    // A callback above may have made a call and armed the timer for it.
    if (nextMs >= 0 && (!m_replyTimer.isActive() || m_replyTimer.remainingTime() > nextMs))
        m_replyTimer.start(int(nextMs));
}

void HostedDriverInstance::load(Callback done)
{
    invoke(QStringLiteral("load"), m_settings.budgetMs * 2, std::move(done));
}

void HostedDriverInstance::connectDevice(Callback done)
{
    invoke(QStringLiteral("connect"), m_settings.connectTimeoutMs, std::move(done));
}

void HostedDriverInstance::disconnectDevice(Callback done)
{
    invoke(QStringLiteral("disconnect"), m_settings.disconnectTimeoutMs, std::move(done));
}

void HostedDriverInstance::sendCommand(const QString &command, const QJsonObject &params, Callback done)
{
    invoke(QStringLiteral("command"), m_settings.commandTimeoutMs, std::move(done),
           {{QStringLiteral("command"), command}, {QStringLiteral("params"), params}});
}

void HostedDriverInstance::stop()
{
    if (m_stopping || m_stopped)
        return;
    m_stopping = true;
    if (!m_host) {
        QMetaObject::invokeMethod(this, [this] { finishStop(QStringLiteral("driver instance stopped")); },
                                  Qt::QueuedConnection);
        return;
    }
    m_host->send({{QStringLiteral("op"), QStringLiteral("stop")}, {QStringLiteral("inst"), m_instanceId}});
    m_stopDeadline.start(m_settings.teardownTimeoutMs + CallGraceMs);
}

void HostedDriverInstance::answer(int call, const CallResult &result)
{
    m_deadlines.remove(call);
    Callback done = m_callbacks.take(call);
    if (done)
        done(result);
}

void HostedDriverInstance::deliver(const QJsonObject &frame)
{
    if (m_stopped)
        return;
    const QString event = frame.value(QStringLiteral("ev")).toString();
    if (event == u"result") {
        answer(frame.value(QStringLiteral("call")).toInt(),
               HostMessages::toResult(frame.value(QStringLiteral("result")).toObject()));
    } else if (event == u"status") {
        emit statusReported(frame.value(QStringLiteral("status")).toString(),
                            frame.value(QStringLiteral("message")).toString());
    } else if (event == u"state") {
        emit stateChanged(frame.value(QStringLiteral("state")).toObject());
    } else if (event == u"faulted") {
        reportFault(frame.value(QStringLiteral("message")).toString());
    } else if (event == u"dropped") {
        emit transportDropped(frame.value(QStringLiteral("reason")).toString());
    } else if (event == u"stopped") {
        finishStop(QStringLiteral("driver instance stopped"));
    }
}

void HostedDriverInstance::hostDied(const QString &reason)
{
    if (m_stopped)
        return;
    const QString cause = QStringLiteral("driver host ") + reason;
    m_host = nullptr;
    if (!m_stopping)
        reportFault(cause);
    finishStop(cause);
}

void HostedDriverInstance::finishStop(const QString &reason)
{
    if (m_stopped)
        return;
    m_stopped = true;
    m_stopping = true;
    m_stopDeadline.stop();
    m_replyTimer.stop();
    // Calls still waiting are answered: nothing goes unanswered.
    const QList<int> calls = m_callbacks.keys();
    for (int call : calls)
        answer(call, CallResult::failure(reason));
    emit stopped();
}
