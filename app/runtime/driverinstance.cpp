#include "runtime/driverinstance.h"

#include "runtime/driverworker.h"
#include "core/logcategories.h"
#include "core/logtext.h"

#include <QJsonArray>

DriverInstance::DriverInstance(const DriverSpec &spec, const RuntimeSettings &settings, Watchdog *watchdog,
                               QObject *parent)
    : DriverHandle(spec, parent)
    , m_settings(settings)
    , m_thread(new QThread)
    , m_worker(new DriverWorker(spec, settings, watchdog))
{
    qRegisterMetaType<CallResult>();
    m_thread->setObjectName(QStringLiteral("nuc-drv-") + spec.deviceId.left(7));
    m_worker->moveToThread(m_thread);
    connect(m_worker, &DriverWorker::callFinished, this, &DriverInstance::answer);
    connect(m_worker, &DriverWorker::statusReported, this, &DriverInstance::statusReported);
    connect(m_worker, &DriverWorker::stateReported, this, &DriverInstance::stateChanged);
    connect(m_worker, &DriverWorker::faulted, this, [this](const QString &message) {
        reportFault(message);
    });
    connect(m_worker, &DriverWorker::transportDropped, this, &DriverInstance::transportDropped);
    connect(m_worker, &DriverWorker::tornDown, this, &DriverInstance::onTornDown);

    m_stopDeadline.setSingleShot(true);
    connect(&m_stopDeadline, &QTimer::timeout, this, [this] {
        if (!m_interrupted) {
            // Still busy: stop the JavaScript that holds the thread, and give
            // the teardown the rest of the budget. Nothing here waits.
            qCWarning(lcRuntime).noquote() << "driver instance" << LogText::escaped(m_spec.deviceId)
                                           << "did not stop in time; interrupting its JavaScript";
            m_interrupted = true;
            m_worker->interruptNow();
            m_stopDeadline.start(m_settings.teardownTimeoutMs / 2);
            return;
        }
        qCCritical(lcRuntime).noquote() << "driver instance" << LogText::escaped(m_spec.deviceId)
                                        << "is stuck beyond interruption; its thread is abandoned";
        detach();
        finishStop();
    });
    m_thread->start();
}

DriverInstance::~DriverInstance()
{
    if (m_detached)
        return;
    if (m_thread->isRunning()) {
        // Normally stop() ran first; this is the shutdown path: bounded.
        if (!m_stopping)
            QMetaObject::invokeMethod(m_worker, [worker = m_worker] { worker->teardown(); }, Qt::QueuedConnection);
        m_stopping = true;
        if (!m_thread->wait(m_settings.teardownTimeoutMs / 2)) {
            m_worker->interruptNow();
            if (!m_thread->wait(m_settings.teardownTimeoutMs / 2)) {
                qCCritical(lcRuntime).noquote() << "driver instance" << LogText::escaped(m_spec.deviceId)
                                                << "left running: its thread is stuck";
                detach();
                return;
            }
        }
    }
    delete m_worker;
    delete m_thread;
}

void DriverInstance::detach()
{
    if (m_detached)
        return;
    m_detached = true;
    m_worker->disconnect(this);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_thread, &QThread::finished, m_thread, &QObject::deleteLater);
}

void DriverInstance::invoke(const QString &method, const QJsonArray &args, int timeoutMs, const QString &label,
                            Callback done)
{
    if (m_stopping || m_stopped) {
        CallResult r = CallResult::failure(QStringLiteral("driver instance is stopped"));
        QMetaObject::invokeMethod(this, [done, r] { done(r); }, Qt::QueuedConnection);
        return;
    }
    const int id = m_nextCall++;
    m_callbacks.insert(id, std::move(done));
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, id, method, args, timeoutMs, label] {
        worker->call(id, method, args, timeoutMs, label);
    }, Qt::QueuedConnection);
}

void DriverInstance::load(Callback done)
{
    const int id = m_nextCall++;
    m_callbacks.insert(id, std::move(done));
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, id] { worker->load(id); }, Qt::QueuedConnection);
}

void DriverInstance::connectDevice(Callback done)
{
    invoke(QStringLiteral("connect"), {}, m_settings.connectTimeoutMs, QStringLiteral("connect()"), std::move(done));
}

void DriverInstance::disconnectDevice(Callback done)
{
    invoke(QStringLiteral("disconnect"), {}, m_settings.disconnectTimeoutMs, QStringLiteral("disconnect()"),
           std::move(done));
}

void DriverInstance::sendCommand(const QString &command, const QJsonObject &params, Callback done)
{
    invoke(QStringLiteral("sendCommand"), QJsonArray{command, params}, m_settings.commandTimeoutMs,
           QStringLiteral("sendCommand('%1')").arg(command), std::move(done));
}

void DriverInstance::answer(int callId, const CallResult &result)
{
    Callback done = m_callbacks.take(callId);
    if (done)
        done(result);
}

void DriverInstance::stop()
{
    if (m_stopping || m_stopped)
        return;
    m_stopping = true;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker] { worker->teardown(); }, Qt::QueuedConnection);
    m_stopDeadline.start(m_settings.teardownTimeoutMs / 2);
}

void DriverInstance::onTornDown()
{
    if (!m_stopping)
        return;
    m_stopDeadline.stop();
    // The worker ends its thread right after teardown: this wait is short.
    if (!m_thread->wait(m_settings.teardownTimeoutMs / 2)) {
        qCCritical(lcRuntime).noquote() << "driver instance" << LogText::escaped(m_spec.deviceId) << "thread did not end after teardown";
        detach();
    }
    finishStop();
}

void DriverInstance::finishStop()
{
    if (m_stopped)
        return;
    m_stopped = true;
    // Calls still waiting are answered: nothing goes unanswered.
    const QList<int> ids = m_callbacks.keys();
    for (int id : ids)
        answer(id, CallResult::failure(QStringLiteral("driver instance stopped")));
    emit stopped();
}
