#include "devices/devicemanager.h"

#include "core/logcategories.h"
#include "runtime/drivertransformer.h"
#include "storage/database.h"
#include "storage/devicerepository.h"
#include "storage/driverrepository.h"

#include <QJsonDocument>
#include <QPointer>
#include <QSqlError>
#include <QTimer>

#include <algorithm>
#include <memory>

DeviceManager::DeviceManager(Database *database, const RuntimeSettings &runtime, const DeviceSettings &settings,
                             DriverFactory factory, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_runtime(runtime)
    , m_settings(settings)
    , m_factory(std::move(factory))
{
}

DeviceManager::~DeviceManager()
{
    // Each device's instance stops within its teardown budget.
    qDeleteAll(m_devices);
    m_devices.clear();
}

QString DeviceManager::start()
{
    QString error;
    const QList<DeviceRecord> records = DeviceRepository(m_database->connection()).all(&error);
    if (!error.isEmpty())
        return QStringLiteral("cannot read the stored devices: %1").arg(error);
    if (!records.isEmpty())
        qCInfo(lcDevices) << "restoring" << records.size() << "devices";
    // Every device exists at once (hello lists them all, commands find
    // them); their instances start in slices, one per event-loop turn, so
    // that the cloud link connects and hosts' answers are read while a cold
    // start of hundreds of devices goes on (docs/performance.md).
    for (const DeviceRecord &record : records) {
        addDevice(record);
        m_restoreQueue.append(record.id);
    }
    startQueued();
    return {};
}

void DeviceManager::startQueued()
{
    if (!m_slicePending)
        restoreSlice();
}

void DeviceManager::restoreSlice()
{
    // A slice starts this many devices; the first types' hosts start with
    // the first slice, later ones while earlier hosts initialise.
    constexpr int sliceSize = 20;
    int started = 0;
    while (!m_restoreQueue.isEmpty() && started < sliceSize) {
        Device *device = m_devices.value(m_restoreQueue.takeFirst());
        // Removed meanwhile, or already (re)started by a sync or a reload.
        if (!device || device->hasStarted())
            continue;
        const QString type = device->record().type;
        // One look-up per driver type, not per device: a cold start of 500
        // devices of 100 types reads each driver's code once.
        auto known = m_restoreDrivers.constFind(type);
        if (known == m_restoreDrivers.constEnd())
            known = m_restoreDrivers.insert(type, driver(type));
        device->restart(m_settings.reloadDeadlineMs, {}, *known);
        ++started;
    }
    if (m_restoreQueue.isEmpty()) {
        m_restoreDrivers.clear();
        return;
    }
    m_slicePending = true;
    QTimer::singleShot(0, this, [this] {
        m_slicePending = false;
        restoreSlice();
    });
}

QList<Device *> DeviceManager::devices() const
{
    return m_devices.values();
}

int DeviceManager::deviceCount(const QString &driverType) const
{
    int count = 0;
    for (const Device *device : m_devices)
        count += device->record().type == driverType ? 1 : 0;
    return count;
}

std::optional<DriverRecord> DeviceManager::driver(const QString &driverType) const
{
    QString error;
    std::optional<DriverRecord> record =
        DriverRepository(m_database->connection()).findActive(driverType, DriverTransformer::version(), &error);
    if (!error.isEmpty())
        qCWarning(lcDevices) << "cannot read driver" << driverType << ":" << error;
    return record;
}

void DeviceManager::setDriversEnabled(bool enabled, const QString &reason)
{
    m_driversEnabled = enabled;
    m_heldReason = reason;
    for (Device *device : std::as_const(m_devices)) {
        device->setHeld(!enabled, reason);
        device->resetSupervision();
        device->restart(m_settings.reloadDeadlineMs);
    }
}

Device *DeviceManager::addDevice(const DeviceRecord &record)
{
    auto *device = new Device(record, m_runtime, m_settings, m_factory,
                              [this](const QString &type) { return driver(type); }, this);
    device->setHeld(!m_driversEnabled, m_heldReason);
    m_devices.insert(record.id, device);
    const QString id = record.id;
    connect(device, &Device::statusChanged, this, [this, id] {
        emit deviceStatusChanged(id);
        emit deviceChanged(id);
    });
    connect(device, &Device::stateChanged, this, [this, id] { emit deviceChanged(id); });
    emit deviceAdded(id);
    return device;
}

void DeviceManager::removeDevice(const QString &deviceId)
{
    Device *device = m_devices.take(deviceId);
    if (!device)
        return;
    device->disconnect(this);
    QPointer<Device> guard(device);
    device->shutdown([guard] {
        if (guard)
            guard->deleteLater();
    });
    emit deviceRemoved(deviceId);
}

QString DeviceManager::syncDevices(const QList<DeviceRecord> &records, bool replace)
{
    QSet<QString> listed;
    for (const DeviceRecord &r : records)
        listed.insert(r.id);
    QStringList toRemove;
    if (replace) {
        for (auto it = m_devices.cbegin(); it != m_devices.cend(); ++it) {
            if (!listed.contains(it.key()))
                toRemove.append(it.key());
        }
    }

    // Persist in one transaction, then act.
    QSqlDatabase db = m_database->connection();
    DeviceRepository repository(db);
    QString error;
    if (!db.transaction()) {
        error = db.lastError().text();
    } else {
        for (const DeviceRecord &r : records) {
            error = repository.upsert(r);
            if (!error.isEmpty())
                break;
        }
        for (const QString &id : std::as_const(toRemove)) {
            if (!error.isEmpty())
                break;
            error = repository.remove(id);
        }
        if (error.isEmpty() && !db.commit())
            error = db.lastError().text();
        if (!error.isEmpty())
            db.rollback();
    }
    if (!error.isEmpty())
        return QStringLiteral("cannot store the devices: %1").arg(error);

    for (const QString &id : std::as_const(toRemove))
        removeDevice(id);
    for (const DeviceRecord &r : records) {
        Device *existing = m_devices.value(r.id);
        if (!existing) {
            // New devices start in slices, as at a cold start: a device_sync
            // of 500 devices of 100 types held the main thread (the
            // dashboard, the cloud link) for 3.5 s in one pass.
            addDevice(r);
            m_restoreQueue.append(r.id);
            continue;
        }
        const DeviceRecord &old = existing->record();
        const bool changed = old.type != r.type || old.name != r.name || old.connectionConfig != r.connectionConfig;
        const bool retyped = old.type != r.type;
        existing->setRecord(r);
        if (retyped)
            emit deviceRetyped(r.id);
        if (changed || existing->isParked()) {
            existing->resetSupervision();
            existing->restart(m_settings.reloadDeadlineMs);
        }
        emit deviceChanged(r.id);
    }
    startQueued();
    qCInfo(lcDevices) << "device_sync:" << records.size() << "upserted," << toRemove.size() << "removed";
    return {};
}

QString DeviceManager::forgetDevice(const QString &deviceId)
{
    const QString error = DeviceRepository(m_database->connection()).remove(deviceId);
    if (!error.isEmpty())
        return QStringLiteral("cannot forget the device: %1").arg(error);
    if (!m_devices.contains(deviceId))
        qCInfo(lcDevices) << "device_remove: unknown device" << deviceId << "(nothing to do)";
    removeDevice(deviceId);
    return {};
}

void DeviceManager::sendCommand(const QString &deviceId, const QString &command, const QJsonObject &params,
                                DriverHandle::Callback done)
{
    Device *device = m_devices.value(deviceId);
    if (!device) {
        done(CallResult::failure(QStringLiteral("unknown device: %1").arg(deviceId)));
        return;
    }
    device->sendCommand(command, params, std::move(done));
}

QString ReloadOutcome::summary() const
{
    QString text = QStringLiteral("%1 of %2 connected").arg(connected).arg(total);
    if (error > 0)
        text += QStringLiteral(", %1 in error").arg(error);
    if (connecting > 0)
        text += QStringLiteral(", %1 still connecting").arg(connecting);
    if (disconnected > 0)
        text += QStringLiteral(", %1 disconnected").arg(disconnected);
    return text;
}

ReloadOutcome ReloadOutcome::of(const QList<Device *> &devices)
{
    ReloadOutcome outcome;
    QList<const Device *> sorted(devices.cbegin(), devices.cend());
    sorted.removeAll(nullptr);
    std::sort(sorted.begin(), sorted.end(), [](const Device *a, const Device *b) { return a->id() < b->id(); });
    for (const Device *device : std::as_const(sorted)) {
        ++outcome.total;
        const QString status = device->status();
        if (status == u"connected") {
            ++outcome.connected;
            continue;
        }
        if (status == u"error")
            ++outcome.error;
        else if (status == u"connecting")
            ++outcome.connecting;
        else
            ++outcome.disconnected;
        outcome.failing.append(device->message().isEmpty()
                                   ? QStringLiteral("%1: %2").arg(device->id(), status)
                                   : QStringLiteral("%1: %2 – %3").arg(device->id(), status, device->message()));
    }
    return outcome;
}

void DeviceManager::reloadDriver(const QString &driverType, ReloadDone done)
{
    QList<Device *> targets;
    for (Device *device : std::as_const(m_devices)) {
        if (device->record().type == driverType)
            targets.append(device);
    }
    // A restore or device_sync still starting devices must not start one
    // from the old version (also when no device of the type runs now).
    m_restoreDrivers.remove(driverType);
    emit reloadStarted(driverType, int(targets.size()));
    const int count = int(targets.size());
    if (targets.isEmpty()) {
        emit reloadFinished(driverType, 0);
        if (done)
            done({});
        return;
    }
    qCInfo(lcDevices) << "reloading" << count << "devices of driver" << driverType;
    const std::optional<DriverRecord> record = driver(driverType);
    auto remaining = std::make_shared<int>(count);
    QList<QPointer<Device>> reloaded;
    for (Device *device : std::as_const(targets))
        reloaded.append(device);
    auto finished = [this, remaining, driverType, count, done, reloaded] {
        if (--*remaining > 0)
            return;
        QList<Device *> present;
        for (const QPointer<Device> &device : reloaded)
            present.append(device.data());   // removed meanwhile: not counted
        const ReloadOutcome outcome = ReloadOutcome::of(present);
        if (outcome.allConnected())
            qCInfo(lcDevices).noquote() << "reload of" << driverType << "done:" << outcome.summary();
        else
            qCWarning(lcDevices).noquote() << "reload of" << driverType << "done:" << outcome.summary() << "– not connected:"
                                           << outcome.failing.join(QStringLiteral("; "));
        emit reloadFinished(driverType, count);
        if (done)
            done(outcome);
    };
    for (Device *device : std::as_const(targets)) {
        device->resetSupervision();
        // Not found: restart() reports "driver not installed".
        device->restart(m_settings.reloadDeadlineMs, finished, record);
    }
}

void DeviceManager::reloadAll(ReloadDone done)
{
    QSet<QString> types;
    for (const Device *device : std::as_const(m_devices))
        types.insert(device->record().type);
    if (types.isEmpty()) {
        if (done)
            done({});
        return;
    }
    auto remaining = std::make_shared<int>(int(types.size()));
    auto total = std::make_shared<ReloadOutcome>();
    for (const QString &type : std::as_const(types)) {
        reloadDriver(type, [remaining, total, done](const ReloadOutcome &outcome) {
            total->total += outcome.total;
            total->connected += outcome.connected;
            total->error += outcome.error;
            total->connecting += outcome.connecting;
            total->disconnected += outcome.disconnected;
            total->failing += outcome.failing;
            if (--*remaining > 0)
                return;
            total->failing.sort();
            if (done)
                done(*total);
        });
    }
}

void DeviceManager::reconnectDevice(const QString &deviceId, std::function<void()> done)
{
    Device *device = m_devices.value(deviceId);
    if (!device) {
        if (done)
            done();
        return;
    }
    device->resetSupervision();
    device->restart(m_settings.reloadDeadlineMs, std::move(done));
}
