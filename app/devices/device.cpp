#include "devices/device.h"

#include "core/backoff.h"
#include "core/logcategories.h"
#include "core/logtext.h"

#include <QJsonDocument>

Device::Device(const DeviceRecord &record, const RuntimeSettings &runtime, const DeviceSettings &settings,
               DriverFactory factory, DriverProvider provider, QObject *parent)
    : QObject(parent)
    , m_record(record)
    , m_runtime(runtime)
    , m_settings(settings)
    , m_factory(std::move(factory))
    , m_provider(std::move(provider))
    , m_lastChange(QDateTime::currentDateTimeUtc())
    , m_since(m_lastChange)
{
    m_restartDeadline.setSingleShot(true);
    connect(&m_restartDeadline, &QTimer::timeout, this, [this] { finishRestart(m_generation); });
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, [this] { restart(m_settings.reloadDeadlineMs); });
    m_stableTimer.setSingleShot(true);
    connect(&m_stableTimer, &QTimer::timeout, this, [this] {
        m_failures = 0;
        m_faults = 0;
    });
    // The cool-down ended: one more attempt (restart() un-parks). The fault
    // count stays, so one more fault parks it again at once.
    m_parkTimer.setSingleShot(true);
    connect(&m_parkTimer, &QTimer::timeout, this, [this] {
        qCInfo(lcDevices).noquote() << "device" << m_record.id << "cool-down over: retrying the parked device";
        restart(m_settings.reloadDeadlineMs);
    });
}

void Device::resetSupervision()
{
    m_failures = 0;
    m_faults = 0;
    m_parked = false;
    m_parkTimer.stop();
}

Device::~Device()
{
    m_shuttingDown = true;
    failQueued(QStringLiteral("device %1 was removed").arg(m_record.id));
    // The instance's destructor stops it within its teardown budget.
    delete m_instance.data();
}

QJsonObject Device::mergedConfig(const DriverRecord &driver, const DeviceRecord &device)
{
    QJsonObject config = QJsonDocument::fromJson(driver.connectionConfig.toUtf8()).object();
    for (auto it = device.connectionConfig.begin(); it != device.connectionConfig.end(); ++it)
        config.insert(it.key(), it.value());
    config.insert(QStringLiteral("name"), device.name);
    config.insert(QStringLiteral("deviceId"), device.id);
    return config;
}

void Device::setStatus(const QString &status, const QString &message)
{
    if (status == m_status && message == m_message)
        return;
    // Retries pass through connecting, error and disconnected: one outage,
    // one `since`. Coming up or going down starts a new one.
    const bool sameOutage = status != u"connected" && m_status != u"connected";
    m_lastChange = QDateTime::currentDateTimeUtc();
    if (status != m_status && !sameOutage)
        m_since = m_lastChange;
    m_status = status;
    m_message = message;
    if (status == u"error") {
        m_lastError = message;
        m_lastErrorAt = m_lastChange;
    }
    if (status == u"error")
        qCWarning(lcDevices).noquote() << "device" << LogText::escaped(m_record.id) << "error:" << LogText::escaped(message);
    else
        qCInfo(lcDevices).noquote() << "device" << LogText::escaped(m_record.id) << status << LogText::escaped(message);
    emit statusChanged(status, message);
}

void Device::restart(int deadlineMs, std::function<void()> done, const std::optional<DriverRecord> &driver)
{
    if (m_shuttingDown) {
        if (done)
            done();
        return;
    }
    const quint64 generation = ++m_generation;
    // restart() itself keeps the failure counts: callers that restart
    // because something changed (new driver, new config, a technician's
    // reload) call resetSupervision() first, a restart from supervision (the
    // reconnect timer, the end of a cool-down) keeps counting. Any restart
    // un-parks: the device is being tried again.
    m_reconnectTimer.stop();
    m_stableTimer.stop();
    m_parkTimer.stop();
    m_parked = false;
    m_connectPending = false;
    if (m_restartDone)
        std::exchange(m_restartDone, {})();   // the previous restart is overtaken
    m_restartDone = std::move(done);
    m_restartDeadline.start(deadlineMs);
    failQueued(QStringLiteral("device %1 is restarting").arg(m_record.id));

    std::optional<DriverRecord> record = driver;
    retireInstance([this, generation, record] {
        if (generation != m_generation)
            return;
        startInstance(record ? record : m_provider(m_record.type), generation);
    });
}

void Device::retireInstance(std::function<void()> then)
{
    struct Retirement
    {
        QPointer<DriverHandle> old;
        std::function<void()> then;
        bool stopping = false;
    };
    auto retirement = std::make_shared<Retirement>();
    retirement->old = m_instance;
    retirement->then = std::move(then);
    m_instance = nullptr;
    m_commandInFlight = false;
    DriverHandle *old = retirement->old;
    if (!old) {
        // An instance still being retired (an overlapping restart) must be
        // gone before the next one opens the same device.
        if (m_retiring && !m_retiring->isStopped()) {
            connect(m_retiring, &DriverHandle::stopped, this, [retirement] { retirement->then(); },
                    Qt::SingleShotConnection);
            return;
        }
        retirement->then();
        return;
    }
    m_retiring = old;
    old->disconnect(this);
    // Stop it after its disconnect(), or after the budget if that hangs; once.
    auto stopNow = [this, retirement] {
        if (retirement->stopping)
            return;
        retirement->stopping = true;
        DriverHandle *instance = retirement->old;
        if (!instance || instance->isStopped()) {
            if (instance)
                instance->deleteLater();
            retirement->then();
            return;
        }
        connect(instance, &DriverHandle::stopped, this, [instance, retirement] {
            instance->deleteLater();
            retirement->then();
        });
        instance->stop();
    };
    if (old->isFaulted() || m_status != u"connected") {
        stopNow();
        return;
    }
    // The instance's own disconnect() deadline answers the call when the
    // Promise hangs; this timer, on the main thread, stops it all the same
    // when the instance's thread is too busy to notice that deadline.
    old->disconnectDevice([stopNow](const CallResult &) { stopNow(); });
    QTimer::singleShot(m_runtime.disconnectTimeoutMs, this, stopNow);
}

void Device::startInstance(const std::optional<DriverRecord> &driver, quint64 generation)
{
    if (m_held) {
        setStatus(QStringLiteral("disconnected"), m_heldReason);
        finishRestart(generation);
        return;
    }
    if (!driver) {
        setStatus(QStringLiteral("error"), QStringLiteral("driver not installed: %1").arg(m_record.type));
        finishRestart(generation);
        return;   // starts by itself when that driver syncs
    }
    DriverSpec spec;
    spec.driverType = driver->driverType;
    spec.version = driver->version;
    spec.code = driver->codeToRun();
    spec.protocol = driver->protocolType;
    spec.commandMappings = QJsonDocument::fromJson(driver->commandMappings.toUtf8()).array();
    spec.config = mergedConfig(*driver, m_record);
    spec.deviceId = m_record.id;
    spec.name = m_record.name;

    DriverHandle *instance = m_factory(spec, this);
    m_instance = instance;
    connect(instance, &DriverHandle::statusReported, this, [this, generation](const QString &status, const QString &message) {
        if (generation != m_generation)
            return;
        setStatus(status, message);
        if (status != u"connected")
            failQueued(QStringLiteral("device %1 is not connected (status: %2%3)")
                           .arg(m_record.id, status, message.isEmpty() ? QString() : QStringLiteral(": ") + message));
        else
            pumpCommands();
    });
    connect(instance, &DriverHandle::stateChanged, this, [this, generation](const QJsonObject &state) {
        if (generation != m_generation)
            return;
        m_state = state;
        m_stateAt = QDateTime::currentDateTimeUtc();
        m_stateGeneration = generation;
        emit stateChanged(state);
    });
    connect(instance, &DriverHandle::faulted, this, [this, generation](const QString &message) {
        // During connect() its answer follows the fault and tells whether it
        // was the connect deadline (a connection failure) or a real fault.
        if (generation == m_generation && !m_connectPending)
            failed(message, generation, Failure::Fault);
    });
    connect(instance, &DriverHandle::transportDropped, this, [this, generation](const QString &reason) {
        if (generation != m_generation || m_status == u"connecting")
            return;
        m_stableTimer.stop();
        setStatus(QStringLiteral("disconnected"), reason);
        scheduleReconnect(reason, Failure::Connection);
    });

    setStatus(QStringLiteral("connecting"));
    QPointer<DriverHandle> guard(instance);
    instance->load([this, generation, guard](const CallResult &loaded) {
        if (generation != m_generation || !guard)
            return;
        if (!loaded.ok) {
            failed(loaded.error, generation, Failure::Fault);   // module or constructor
            return;
        }
        m_declared = loaded.value.toObject();
        m_connectPending = true;
        guard->connectDevice([this, generation, guard](const CallResult &connected) {
            if (generation != m_generation)
                return;
            m_connectPending = false;
            if (!connected.ok) {
                // A rejection or the connect deadline is the device's answer;
                // a synchronous throw, the watchdog or a lost host is the driver's.
                const bool fault = connected.thrown || (guard && guard->isFaulted() && !connected.missedDeadline);
                failed(connected.error, generation, fault ? Failure::Fault : Failure::Connection);
                return;
            }
            m_parked = false;
            setStatus(QStringLiteral("connected"));
            m_stableTimer.start(m_settings.stableAfterMs);
            finishRestart(generation);
            pumpCommands();
        });
    });
}

void Device::finishRestart(quint64 generation)
{
    if (generation != m_generation)
        return;
    m_restartDeadline.stop();
    if (m_restartDone)
        std::exchange(m_restartDone, {})();
}

void Device::failed(const QString &reason, quint64 generation, Failure kind)
{
    if (generation != m_generation)
        return;
    m_stableTimer.stop();
    m_connectPending = false;
    setStatus(QStringLiteral("error"), reason);
    finishRestart(generation);
    scheduleReconnect(reason, kind);
}

void Device::scheduleReconnect(const QString &reason, Failure kind)
{
    if (m_shuttingDown || m_parked || m_reconnectTimer.isActive())
        return;
    failQueued(QStringLiteral("device %1 is not connected: %2").arg(m_record.id, reason));
    ++m_failures;
    if (kind == Failure::Fault && ++m_faults > m_settings.maxRestarts) {
        park(reason);
        return;
    }
    // A connection failure never gives up: the device may be switched off
    // for the night. The backoff only spaces the attempts.
    const int delay = Backoff::delayMs(m_failures - 1, m_settings.reconnectMinMs, m_settings.reconnectMaxMs);
    qCInfo(lcDevices).noquote() << "device" << LogText::escaped(m_record.id) << "restarts in" << delay << "ms (attempt" << m_failures
                                << (kind == Failure::Fault ? QStringLiteral("after driver fault %1 of %2").arg(m_faults).arg(m_settings.maxRestarts)
                                                           : QStringLiteral("after a connection failure"))
                                << ")";
    m_reconnectTimer.start(delay);
}

void Device::park(const QString &reason)
{
    m_parked = true;
    m_parkedUntil = QDateTime::currentDateTimeUtc().addMSecs(m_settings.parkCooldownMs);
    setStatus(QStringLiteral("error"), QStringLiteral("parked after %1 driver faults in a row, retried at %2 UTC: %3")
                                           .arg(m_faults)
                                           .arg(m_parkedUntil.toString(QStringLiteral("HH:mm:ss")), reason));
    // Parked: nothing of the failed instance stays (engine, thread, sockets).
    ++m_generation;
    retireInstance([] {});
    // Retried by itself after the cool-down, or earlier by a new driver, new
    // config or a technician's reconnect.
    m_parkTimer.start(m_settings.parkCooldownMs);
}

void Device::shutdown(std::function<void()> done)
{
    m_shuttingDown = true;
    ++m_generation;
    m_reconnectTimer.stop();
    m_stableTimer.stop();
    m_parkTimer.stop();
    m_restartDeadline.stop();
    if (m_restartDone)
        std::exchange(m_restartDone, {})();
    failQueued(QStringLiteral("device %1 was removed").arg(m_record.id));
    retireInstance([done] {
        if (done)
            done();
    });
}

void Device::sendCommand(const QString &command, const QJsonObject &params, DriverHandle::Callback done)
{
    if (m_status != u"connected" || !m_instance) {
        QString why = QStringLiteral("device %1 is not connected (status: %2").arg(m_record.id, m_status);
        if (!m_message.isEmpty())
            why += QStringLiteral(": ") + m_message;
        done(CallResult::failure(why + QLatin1Char(')')));
        return;
    }
    if (m_queue.size() >= m_settings.commandQueueLimit) {
        done(CallResult::failure(QStringLiteral("device %1: command queue full (%2 waiting)")
                                     .arg(m_record.id).arg(m_queue.size())));
        return;
    }
    m_queue.enqueue({command, params, std::move(done)});
    pumpCommands();
}

void Device::pumpCommands()
{
    if (m_commandInFlight || m_queue.isEmpty())
        return;
    if (!m_instance || m_status != u"connected") {
        failQueued(QStringLiteral("device %1 is not connected (status: %2)").arg(m_record.id, m_status));
        return;
    }
    QueuedCommand next = m_queue.dequeue();
    m_commandInFlight = true;
    const quint64 generation = m_generation;
    m_instance->sendCommand(next.command, next.params, [this, generation, done = std::move(next.done)](const CallResult &r) {
        done(r);
        if (generation != m_generation)
            return;
        m_commandInFlight = false;
        pumpCommands();
    });
}

void Device::failQueued(const QString &reason)
{
    while (!m_queue.isEmpty())
        m_queue.dequeue().done(CallResult::failure(reason));
}
