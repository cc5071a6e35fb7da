#include "controller/eventfeed.h"

#include "cloud/cloudlink.h"
#include "controller/controller.h"
#include "devices/devicemanager.h"
#include "events/eventlog.h"
#include "hosts/driverhostpool.h"
#include "sync/driversyncservice.h"

#include <QJsonObject>

EventFeed::EventFeed(Controller *controller, EventLog *log, QObject *parent)
    : QObject(parent)
    , m_controller(controller)
    , m_log(log)
{
    DeviceManager *devices = controller->deviceManager();
    connect(devices, &DeviceManager::deviceAdded, this, [this](const QString &id) {
        if (const Device *d = m_controller->deviceManager()->device(id))
            m_status.insert(id, d->status());
    });
    connect(devices, &DeviceManager::deviceRemoved, this, [this](const QString &id) { m_status.remove(id); });
    connect(devices, &DeviceManager::deviceStatusChanged, this, &EventFeed::onDeviceStatus);
    connect(devices, &DeviceManager::reloadFinished, this, [this](const QString &type, int deviceCount) {
        if (deviceCount > 0)   // a new driver nothing uses yet: no reload to speak of
            onReloadFinished(type);
    });

    // A failed sync's answer may not name the version: it was given at the start.
    connect(controller->driverSync(), &DriverSyncService::syncStarted, this,
            [this](const QString &syncId, const QString &type, const QString &version) {
                m_syncs.insert(syncId, {type, version});
            });
    connect(controller->driverSync(), &DriverSyncService::syncFinished, this,
            [this](const QString &messageType, const QJsonObject &data) {
                const QStringList started = m_syncs.take(data.value(QStringLiteral("sync_id")).toString());
                Event e;
                e.kind = QStringLiteral("driver_sync");
                e.subject = data.value(QStringLiteral("driver_type")).toString();
                e.from = data.value(QStringLiteral("version")).toString();
                if (e.subject.isEmpty() && started.size() == 2)
                    e.subject = started.at(0);
                if (e.from.isEmpty() && started.size() == 2)
                    e.from = started.at(1);
                e.to = messageType == u"driver_sync_complete" ? QStringLiteral("completed") : QStringLiteral("failed");
                e.message = data.value(QStringLiteral("error_message")).toString();
                m_log->record(e);
            });

    connect(controller->cloudLink(), &CloudLink::stateChanged, this, &EventFeed::onCloudState);
    connect(controller, &Controller::safeModeChanged, this, &EventFeed::onSafeMode);
    connect(controller->driverHosts(), &DriverHostPool::quarantineChanged, this, &EventFeed::onQuarantine);
    m_quarantined = controller->driverHosts()->quarantined();
    onSafeMode();   // a start in safe mode is an event
}

void EventFeed::onDeviceStatus(const QString &deviceId)
{
    const Device *d = m_controller->deviceManager()->device(deviceId);
    if (!d)
        return;
    const auto known = m_status.constFind(deviceId);
    const QString before = known == m_status.constEnd() ? QString() : known.value();
    // A message change alone (the next retry's error) is not an event.
    if (known != m_status.constEnd() && before == d->status())
        return;
    m_status.insert(deviceId, d->status());
    Event e;
    e.kind = QStringLiteral("device_status");
    e.deviceId = deviceId;
    e.from = before;
    e.to = d->status();
    e.message = d->message();
    m_log->record(e);
}

void EventFeed::onReloadFinished(const QString &driverType)
{
    QList<Device *> ofType;
    for (Device *d : m_controller->deviceManager()->devices()) {
        if (d->record().type == driverType)
            ofType << d;
    }
    const ReloadOutcome outcome = ReloadOutcome::of(ofType);
    Event e;
    e.kind = QStringLiteral("reload");
    e.subject = driverType;
    e.detail = QJsonObject{{QStringLiteral("total"), outcome.total},
                           {QStringLiteral("connected"), outcome.connected},
                           {QStringLiteral("error"), outcome.error},
                           {QStringLiteral("connecting"), outcome.connecting},
                           {QStringLiteral("disconnected"), outcome.disconnected}};
    m_log->record(e);
}

void EventFeed::onCloudState()
{
    const CloudLink *link = m_controller->cloudLink();
    QString now;
    if (link->state() == CloudLink::State::Connected)
        now = QStringLiteral("connected");
    else if (link->refusedStatus() != 0)
        now = QStringLiteral("refused");
    else if (m_cloud == u"connected")
        now = QStringLiteral("lost");
    // Redials are not events: only a change of what the technician must know.
    if (now.isEmpty() || now == m_cloud)
        return;
    m_cloud = now;
    Event e;
    e.kind = QStringLiteral("cloud");
    e.subject = link->url().toDisplayString();
    e.to = now;
    if (now == u"refused")
        e.detail = QJsonObject{{QStringLiteral("http_status"), link->refusedStatus()}};
    m_log->record(e);
}

void EventFeed::onSafeMode()
{
    const bool active = m_controller->safeMode();
    if (active == m_safeMode)
        return;
    m_safeMode = active;
    Event e;
    e.kind = QStringLiteral("safe_mode");
    e.to = active ? QStringLiteral("entered") : QStringLiteral("left");
    e.message = active ? m_controller->safeModeReason() : QString();
    m_log->record(e);
}

void EventFeed::onQuarantine(const QStringList &quarantined)
{
    for (const QString &type : quarantined) {
        if (!m_quarantined.contains(type))
            m_log->record(Event{QStringLiteral("quarantine"), {}, {}, type, {}, QStringLiteral("on"), {}, {}, 0});
    }
    for (const QString &type : std::as_const(m_quarantined)) {
        if (!quarantined.contains(type))
            m_log->record(Event{QStringLiteral("quarantine"), {}, {}, type, {}, QStringLiteral("off"), {}, {}, 0});
    }
    m_quarantined = quarantined;
}
