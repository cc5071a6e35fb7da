#include "ui/dashboard.h"

#include "cloud/cloudlink.h"
#include "controller/controller.h"
#include "devices/devicemanager.h"
#include "events/eventlog.h"
#include "core/logcategories.h"
#include "core/logtext.h"
#include "models/deviceevents.h"
#include "models/devicelistmodel.h"
#include "models/driverlistmodel.h"
#include "models/syncactivitymodel.h"
#include "storage/driverarchive.h"
#include "sync/driversyncservice.h"
#include "ui/devicedetail.h"

#include "core/digestcompare.h"

#include <algorithm>
#include <QJsonObject>

Dashboard::Dashboard(Controller *controller, const QString &technicianPin, QObject *parent)
    : QObject(parent)
    , m_controller(controller)
    , m_pin(technicianPin)
    , m_lockout(controller->layout().varDir() + QStringLiteral("/pin-lockout.json"))
    , m_session(controller->config().technicianSessionS, &m_lockout)
    , m_ring(new DeviceEventRing(controller->deviceManager(), 20, this))
    , m_detail(new DeviceDetail(controller, &m_session, this))
{
    m_detail->setEventSource(m_ring);
    connect(m_detail, &DeviceDetail::technicianAction, this, &Dashboard::logAction);
    connect(&m_session, &TechnicianSession::unlockedChanged, this, [this] {
        logAction(m_session.unlocked() ? QStringLiteral("unlock the technician session for %1 s").arg(m_session.durationS())
                                       : QStringLiteral("technician session locked"));
    });
    connect(m_controller->cloudLink(), &CloudLink::stateChanged, this, &Dashboard::cloudChanged);
    m_recount.setSingleShot(true);
    m_recount.setInterval(50);
    connect(&m_recount, &QTimer::timeout, this, &Dashboard::recount);
    connect(m_controller->deviceModel(), &DeviceListModel::statusCountsChanged, this, [this] {
        if (!m_recount.isActive())
            m_recount.start();
    });
    connect(m_controller, &Controller::safeModeChanged, this, &Dashboard::safeModeChanged);
    connect(m_controller->driverSync(), &DriverSyncService::driverActivated, this, [this] {
        ++m_driverRevision;
        emit driverRevisionChanged();
    });
    connect(m_controller->driverSync(), &DriverSyncService::syncFinished, this,
            [this](const QString &messageType, const QJsonObject &data) {
                if (m_rollbackSyncId.isEmpty() || data.value(QStringLiteral("sync_id")).toString() != m_rollbackSyncId)
                    return;
                m_rollbackSyncId.clear();
                const QString type = data.value(QStringLiteral("driver_type")).toString();
                if (messageType == u"driver_sync_complete")
                    end(true, tr("Driver %1 rolled back to %2.").arg(type, data.value(QStringLiteral("version")).toString()));
                else
                    end(false, tr("Rollback of %1 failed: %2").arg(type, data.value(QStringLiteral("error_message")).toString()));
            });
    // Every technician action (what it does, and the device) and its result
    // (or a refused PIN) go to the event log.
    connect(this, &Dashboard::technicianAction, m_controller->eventLog(), &EventLog::recordTechnicianAction);
    connect(this, &Dashboard::actionFinished, m_controller->eventLog(),
            [log = m_controller->eventLog()](bool, const QString &message) { log->recordTechnicianAction(message, {}); });
    recount();
}

QStringList Dashboard::keptVersions(const QString &driverType) const
{
    if (!m_controller->database()->isOpen())
        return {};
    return DriverArchive(m_controller->database()->connection()).versionNames(driverType);
}

QStringList Dashboard::driverDevices(const QString &driverType) const
{
    QStringList names;
    for (const Device *d : m_controller->deviceManager()->devices()) {
        if (d->record().type == driverType)
            names << d->record().name;
    }
    names.sort();
    return names;
}

void Dashboard::rollBackDriver(const QString &driverType, const QString &version, const QString &pin)
{
    if (!begin(pin, tr("Rolling back %1 to %2…").arg(driverType, version)))
        return;
    logAction(QStringLiteral("roll back driver %1 to %2").arg(driverType, version));
    m_rollbackSyncId = m_controller->driverSync()->rollBack(driverType, version);
}

void Dashboard::setDeviceEvents(DeviceEventSource *source)
{
    m_detail->setEventSource(source);
}

void Dashboard::logAction(const QString &what, const QString &deviceId)
{
    qCInfo(lcUi).noquote() << "technician:" << LogText::escaped(what)
                           << (deviceId.isEmpty() ? QString() : QStringLiteral("(device %1)").arg(LogText::escaped(deviceId)));
    emit technicianAction(what, deviceId);
}

bool Dashboard::safeMode() const
{
    return m_controller->safeMode();
}

int Dashboard::recentCrashes() const
{
    return m_controller->recentCrashes();
}

QString Dashboard::lastChangedDriver() const
{
    const QJsonObject d = m_controller->lastChangedDriver();
    if (d.isEmpty())
        return {};
    return d.value(QStringLiteral("driver_type")).toString() + QLatin1Char(' ') + d.value(QStringLiteral("version")).toString();
}

QStringList Dashboard::quarantined() const
{
    return m_controller->quarantined();
}

QStringList Dashboard::quarantinedDevices() const
{
    QStringList names;
    for (const QString &type : m_controller->quarantined())
        names += driverDevices(type);
    names.sort();
    return names;
}

void Dashboard::liftQuarantine(const QString &pin)
{
    if (!begin(pin, tr("Lifting the quarantine…")))
        return;
    const QStringList types = m_controller->quarantined();
    logAction(QStringLiteral("lift the quarantine of %1").arg(types.join(QStringLiteral(", "))));
    for (const QString &type : types)
        m_controller->clearQuarantine(type);
    end(true, tr("Quarantine lifted: %1 starting again.").arg(types.join(QStringLiteral(", "))));
}

void Dashboard::enableDrivers(const QString &pin)
{
    if (!begin(pin, tr("Starting the drivers…")))
        return;
    logAction(QStringLiteral("re-enable drivers (leave safe mode)"));
    m_controller->enableDrivers();
    end(true, tr("Safe mode ended: drivers are starting."));
}

QString Dashboard::controllerId() const { return m_controller->config().controllerId; }
QString Dashboard::controllerName() const { return m_controller->config().controllerName; }
QString Dashboard::appVersion() const { return QStringLiteral(NUC_APP_VERSION); }
QString Dashboard::cloudHost() const { return m_controller->config().cloudUrl.host(); }
QAbstractItemModel *Dashboard::drivers() const { return m_controller->driverModel(); }
QAbstractItemModel *Dashboard::devices() const { return m_controller->deviceModel(); }
QAbstractItemModel *Dashboard::syncs() const { return m_controller->syncModel(); }

QString Dashboard::cloudUrl() const { return m_controller->config().cloudUrl.toDisplayString(); }

int Dashboard::cloudRefusedStatus() const
{
    const CloudLink *link = m_controller->cloudLink();
    return link->state() == CloudLink::State::Connected || link->state() == CloudLink::State::Offline
        ? 0
        : link->refusedStatus();
}

QString Dashboard::cloudState() const
{
    // While a refused link redials, it still shows refused: the retry does
    // not change what the technician has to fix.
    if (cloudRefusedStatus() != 0)
        return QStringLiteral("refused");
    switch (m_controller->cloudLink()->state()) {
    case CloudLink::State::Offline: return QStringLiteral("offline");
    case CloudLink::State::Connecting: return QStringLiteral("connecting");
    case CloudLink::State::Connected: return QStringLiteral("connected");
    case CloudLink::State::WaitingToReconnect: return QStringLiteral("reconnecting");
    case CloudLink::State::CredentialsRefused: return QStringLiteral("refused");
    }
    return QStringLiteral("offline");
}

QDateTime Dashboard::nextAttemptAt() const
{
    const CloudLink::State state = m_controller->cloudLink()->state();
    return state == CloudLink::State::WaitingToReconnect || state == CloudLink::State::CredentialsRefused
        ? m_controller->cloudLink()->nextAttemptAt()
        : QDateTime();
}

void Dashboard::recount()
{
    const DeviceListModel *model = m_controller->deviceModel();
    const int counts[5] = {model->countWithStatus(QStringLiteral("connected")),
                           model->countWithStatus(QStringLiteral("connecting")),
                           model->countWithStatus(QStringLiteral("disconnected")),
                           model->countWithStatus(QStringLiteral("error")), model->rowCount()};
    if (std::equal(std::begin(counts), std::end(counts), std::begin(m_counts)))
        return;
    std::copy(std::begin(counts), std::end(counts), std::begin(m_counts));
    emit countsChanged();
}

QString Dashboard::pinProblem() const
{
    if (m_lockout.locked())
        return tr("Too many wrong PINs. Try again in %n s.", nullptr, int((m_lockout.remainingMs() + 999) / 1000));
    return tr("Wrong PIN. Try again.");
}

bool Dashboard::checkPin(const QString &pin)
{
    if (m_pin.isEmpty() || pin.isEmpty())
        return false;
    if (m_lockout.locked()) {
        qCWarning(lcDevices) << "technician PIN refused: keypad locked after repeated wrong PINs";
        return false;
    }
    const bool right = digestEquals(pin.toUtf8(), m_pin.toUtf8());
    const QString error = right ? m_lockout.recordSuccess() : m_lockout.recordFailure();
    if (!error.isEmpty())
        qCWarning(lcDevices).noquote() << "cannot keep the PIN lockout state:" << error;
    if (!right)
        qCWarning(lcDevices) << "wrong technician PIN entered on the dashboard (" << m_lockout.failures() << "in a row)";
    if (right)
        m_session.unlock();
    else
        m_session.lockoutChanged();
    return right;
}

bool Dashboard::begin(const QString &pin, const QString &text)
{
    if (!pinConfigured()) {
        emit actionFinished(false, tr("Technician actions are locked: no PIN is configured."), {});
        return false;
    }
    // An unlocked session needs no PIN; a PIN given still has to be right.
    if (!(m_session.unlocked() && pin.isEmpty()) && !checkPin(pin)) {
        emit actionFinished(false, pin.isEmpty() ? tr("The technician session has ended: enter the PIN again.") : pinProblem(), {});
        return false;
    }
    if (actionRunning()) {
        emit actionFinished(false, tr("Another action is still running."), {});
        return false;
    }
    m_actionText = text;
    emit actionRunningChanged();
    return true;
}

void Dashboard::end(bool ok, const QString &message, const QStringList &failing)
{
    m_actionText.clear();
    emit actionRunningChanged();
    emit actionFinished(ok, message, failing);
}

QString Dashboard::outcomeText(const ReloadOutcome &outcome)
{
    QString text = tr("%1 of %n device(s) connected", nullptr, outcome.total).arg(outcome.connected);
    if (outcome.error > 0)
        text += tr(", %n in error", nullptr, outcome.error);
    if (outcome.connecting > 0)
        text += tr(", %n still connecting", nullptr, outcome.connecting);
    if (outcome.disconnected > 0)
        text += tr(", %n disconnected", nullptr, outcome.disconnected);
    return text;
}

void Dashboard::reloadDriver(const QString &driverType, const QString &pin)
{
    if (!begin(pin, tr("Reloading driver %1…").arg(driverType)))
        return;
    logAction(QStringLiteral("reload driver %1").arg(driverType));
    m_controller->deviceManager()->reloadDriver(driverType, [this, driverType](const ReloadOutcome &outcome) {
        end(outcome.allConnected(), tr("Driver %1 reloaded: %2.").arg(driverType, outcomeText(outcome)), outcome.failing);
    });
}

void Dashboard::reconnectDevice(const QString &deviceId, const QString &pin)
{
    if (!begin(pin, tr("Reconnecting %1…").arg(deviceId)))
        return;
    logAction(QStringLiteral("reconnect device"), deviceId);
    Device *device = m_controller->deviceManager()->device(deviceId);
    if (!device) {
        end(false, tr("Device %1 no longer exists.").arg(deviceId));
        return;
    }
    m_controller->deviceManager()->reconnectDevice(deviceId, [this, deviceId] {
        Device *d = m_controller->deviceManager()->device(deviceId);
        if (!d) {
            end(false, tr("Device %1 no longer exists.").arg(deviceId));
            return;
        }
        const ReloadOutcome outcome = ReloadOutcome::of({d});
        end(outcome.allConnected(), tr("Device %1: %2").arg(deviceId, d->status()), outcome.failing);
    });
}

void Dashboard::reloadAll(const QString &pin)
{
    if (!begin(pin, tr("Reloading all drivers…")))
        return;
    logAction(QStringLiteral("reload all drivers"));
    m_controller->deviceManager()->reloadAll([this](const ReloadOutcome &outcome) {
        end(outcome.allConnected(), tr("All drivers reloaded: %1.").arg(outcomeText(outcome)), outcome.failing);
    });
}
