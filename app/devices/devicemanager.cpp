#include "devicemanager.h"

#include "cloud/protocolhandler.h"
#include "logcategories.h"
#include "runtime/drivertransformer.h"
#include "storage/database.h"
#include "storage/devicerepository.h"
#include "storage/driverrepository.h"
#include "sync/driversyncrequest.h"

#include <QJsonDocument>
#include <QSqlError>

#include <memory>

DeviceManager::DeviceManager(Database *database, const RuntimeSettings &runtime, const DeviceSettings &settings,
                             Watchdog *watchdog, ProtocolHandler *protocol, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_runtime(runtime)
    , m_settings(settings)
    , m_watchdog(watchdog)
    , m_protocol(protocol)
{
    m_protocol->registerHandler(QStringLiteral("device_sync"), [this](const QJsonObject &d) { handleDeviceSync(d); });
    m_protocol->registerHandler(QStringLiteral("device_remove"), [this](const QJsonObject &d) { handleDeviceRemove(d); });
    m_protocol->registerHandler(QStringLiteral("device_command"), [this](const QJsonObject &d) { handleDeviceCommand(d); });
    m_protocol->registerHandler(QStringLiteral("driver_reload"), [this](const QJsonObject &d) { handleDriverReload(d); });
    connect(m_protocol, &ProtocolHandler::cameOnline, this, &DeviceManager::sendPendingStatuses);
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
    for (const DeviceRecord &record : records) {
        Device *device = addDevice(record);
        device->restart(m_settings.reloadDeadlineMs);
    }
    return {};
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
    auto *device = new Device(record, m_runtime, m_settings, m_watchdog,
                              [this](const QString &type) { return driver(type); }, this);
    device->setHeld(!m_driversEnabled, m_heldReason);
    m_devices.insert(record.id, device);
    const QString id = record.id;
    connect(device, &Device::statusChanged, this, [this, device, id] {
        sendStatus(device);
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
    m_sentStatus.remove(deviceId);
    device->disconnect(this);
    QPointer<Device> guard(device);
    device->shutdown([guard] {
        if (guard)
            guard->deleteLater();
    });
    emit deviceRemoved(deviceId);
}

void DeviceManager::sendStatus(Device *device)
{
    const QJsonObject data{
        {QStringLiteral("device_id"), device->id()},
        {QStringLiteral("status"), device->status()},
        {QStringLiteral("message"), device->message().isEmpty() ? QJsonValue() : QJsonValue(device->message())},
        {QStringLiteral("timestamp"), device->lastChange().toString(Qt::ISODateWithMs)},
    };
    if (!m_protocol->isOnline())
        return;   // the latest status goes out after the next hello
    m_protocol->send(QStringLiteral("status_update"), data, ProtocolHandler::Offline::Drop);
    m_sentStatus.insert(device->id(), device->status() + QLatin1Char('\n') + device->message());
}

void DeviceManager::sendPendingStatuses()
{
    // hello carried every device's status; what changed while offline (or
    // was never told) goes out now as status_update, the latest per device.
    for (Device *device : std::as_const(m_devices)) {
        const QString now = device->status() + QLatin1Char('\n') + device->message();
        if (m_sentStatus.value(device->id()) != now)
            sendStatus(device);
    }
}

QJsonArray DeviceManager::helloDevices() const
{
    QJsonArray list;
    QStringList ids = m_devices.keys();
    ids.sort();
    for (const QString &id : std::as_const(ids)) {
        const Device *device = m_devices.value(id);
        QJsonObject entry{{QStringLiteral("device_id"), id},
                          {QStringLiteral("type"), device->record().type},
                          {QStringLiteral("status"), device->status()}};
        if (!device->message().isEmpty())
            entry.insert(QStringLiteral("message"), device->message());
        list.append(entry);
    }
    return list;
}

void DeviceManager::rejectMessage(const QString &type, const QString &reason)
{
    m_protocol->reject(QStringLiteral("%1: %2").arg(type, reason), type);
}

void DeviceManager::handleDeviceSync(const QJsonObject &data)
{
    // Check everything first: a bad entry changes nothing at all.
    const QJsonValue devicesValue = data.value(QStringLiteral("devices"));
    if (!devicesValue.isArray()) {
        rejectMessage(QStringLiteral("device_sync"), QStringLiteral("'devices' must be an array"));
        return;
    }
    const QJsonValue replaceValue = data.value(QStringLiteral("replace"));
    if (!replaceValue.isUndefined() && !replaceValue.isBool()) {
        rejectMessage(QStringLiteral("device_sync"), QStringLiteral("'replace' must be true or false"));
        return;
    }
    const bool replace = replaceValue.toBool(false);
    QList<DeviceRecord> incoming;
    QSet<QString> seen;
    const QJsonArray list = devicesValue.toArray();
    for (int i = 0; i < list.size(); ++i) {
        const QString where = QStringLiteral("devices[%1]").arg(i);
        if (!list.at(i).isObject()) {
            rejectMessage(QStringLiteral("device_sync"), where + QStringLiteral(" is not an object"));
            return;
        }
        const QJsonObject d = list.at(i).toObject();
        DeviceRecord r;
        r.id = d.value(QStringLiteral("device_id")).toString();
        r.type = d.value(QStringLiteral("type")).toString();
        r.name = d.value(QStringLiteral("name")).toString();
        if (!d.value(QStringLiteral("device_id")).isString() || r.id.trimmed().isEmpty()) {
            rejectMessage(QStringLiteral("device_sync"), where + QStringLiteral(": device_id must be a non-empty string"));
            return;
        }
        if (seen.contains(r.id)) {
            rejectMessage(QStringLiteral("device_sync"), where + QStringLiteral(": device_id %1 is listed twice").arg(r.id));
            return;
        }
        seen.insert(r.id);
        if (!DriverSyncRequest::isValidDriverType(r.type)) {
            rejectMessage(QStringLiteral("device_sync"),
                          where + QStringLiteral(": type '%1' is not a valid driver_type").arg(r.type));
            return;
        }
        const QJsonValue name = d.value(QStringLiteral("name"));
        if (!name.isUndefined() && !name.isNull() && !name.isString()) {
            rejectMessage(QStringLiteral("device_sync"), where + QStringLiteral(": name must be a string"));
            return;
        }
        if (r.name.isEmpty())
            r.name = r.id;
        const QJsonValue config = d.value(QStringLiteral("connection_config"));
        if (!config.isUndefined() && !config.isNull() && !config.isObject()) {
            rejectMessage(QStringLiteral("device_sync"), where + QStringLiteral(": connection_config must be an object"));
            return;
        }
        r.connectionConfig = config.toObject();
        incoming.append(r);
    }

    // Persist in one transaction, then act.
    QSqlDatabase db = m_database->connection();
    DeviceRepository repository(db);
    QStringList toRemove;
    if (replace) {
        for (auto it = m_devices.cbegin(); it != m_devices.cend(); ++it) {
            if (!seen.contains(it.key()))
                toRemove.append(it.key());
        }
    }
    QString error;
    if (!db.transaction()) {
        error = db.lastError().text();
    } else {
        for (const DeviceRecord &r : std::as_const(incoming)) {
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
    if (!error.isEmpty()) {
        rejectMessage(QStringLiteral("device_sync"), QStringLiteral("cannot store the devices: %1").arg(error));
        return;
    }

    for (const QString &id : std::as_const(toRemove))
        removeDevice(id);
    for (const DeviceRecord &r : std::as_const(incoming)) {
        Device *existing = m_devices.value(r.id);
        if (!existing) {
            addDevice(r)->restart(m_settings.reloadDeadlineMs);
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
    qCInfo(lcDevices) << "device_sync:" << incoming.size() << "upserted," << toRemove.size() << "removed";
}

void DeviceManager::handleDeviceRemove(const QJsonObject &data)
{
    const QJsonValue id = data.value(QStringLiteral("device_id"));
    if (!id.isString() || id.toString().isEmpty()) {
        rejectMessage(QStringLiteral("device_remove"), QStringLiteral("device_id must be a non-empty string"));
        return;
    }
    const QString error = DeviceRepository(m_database->connection()).remove(id.toString());
    if (!error.isEmpty()) {
        rejectMessage(QStringLiteral("device_remove"), QStringLiteral("cannot forget the device: %1").arg(error));
        return;
    }
    if (!m_devices.contains(id.toString()))
        qCInfo(lcDevices) << "device_remove: unknown device" << id.toString() << "(nothing to do)";
    removeDevice(id.toString());
}

void DeviceManager::handleDeviceCommand(const QJsonObject &data)
{
    auto elapsed = std::make_shared<QElapsedTimer>();
    elapsed->start();
    const QJsonValue requestId = data.value(QStringLiteral("request_id"));
    const QJsonValue deviceId = data.value(QStringLiteral("device_id"));
    auto answer = [this, requestId, deviceId, elapsed](const CallResult &r) {
        QJsonObject result{
            {QStringLiteral("request_id"), requestId.isString() ? requestId : QJsonValue()},
            {QStringLiteral("device_id"), deviceId.isString() ? deviceId : QJsonValue()},
            {QStringLiteral("ok"), r.ok},
            {QStringLiteral("result"), r.ok ? r.value : QJsonValue()},
            {QStringLiteral("error"), r.ok ? QJsonValue() : QJsonValue(r.error)},
            {QStringLiteral("duration_ms"), qRound64(elapsed->nsecsElapsed() / 1e6 * 1000) / 1000.0},
        };
        m_protocol->send(QStringLiteral("device_command_result"), result);
    };

    if (!requestId.isString() || requestId.toString().isEmpty()) {
        answer(CallResult::failure(QStringLiteral("request_id must be a non-empty string")));
        return;
    }
    if (!deviceId.isString() || deviceId.toString().isEmpty()) {
        answer(CallResult::failure(QStringLiteral("device_id must be a non-empty string")));
        return;
    }
    const QJsonValue command = data.value(QStringLiteral("command"));
    if (!command.isString() || command.toString().isEmpty()) {
        answer(CallResult::failure(QStringLiteral("command must be a non-empty string")));
        return;
    }
    const QJsonValue params = data.value(QStringLiteral("params"));
    if (!params.isUndefined() && !params.isNull() && !params.isObject()) {
        answer(CallResult::failure(QStringLiteral("params must be an object")));
        return;
    }
    Device *device = m_devices.value(deviceId.toString());
    if (!device) {
        answer(CallResult::failure(QStringLiteral("unknown device: %1").arg(deviceId.toString())));
        return;
    }
    device->sendCommand(command.toString(), params.toObject(), answer);
}

void DeviceManager::handleDriverReload(const QJsonObject &data)
{
    const QJsonValue type = data.value(QStringLiteral("driver_type"));
    if (!type.isString() || !DriverSyncRequest::isValidDriverType(type.toString())) {
        rejectMessage(QStringLiteral("driver_reload"), QStringLiteral("driver_type must be a valid driver type"));
        return;
    }
    if (!driver(type.toString()))
        qCWarning(lcDevices) << "driver_reload:" << type.toString() << "is not installed; its devices report it";
    reloadDriver(type.toString());
}

void DeviceManager::reloadDriver(const QString &driverType, std::function<void(int)> done)
{
    QList<Device *> targets;
    for (Device *device : std::as_const(m_devices)) {
        if (device->record().type == driverType)
            targets.append(device);
    }
    emit reloadStarted(driverType, int(targets.size()));
    const int count = int(targets.size());
    if (targets.isEmpty()) {
        emit reloadFinished(driverType, 0);
        if (done)
            done(0);
        return;
    }
    qCInfo(lcDevices) << "reloading" << count << "devices of driver" << driverType;
    const std::optional<DriverRecord> record = driver(driverType);
    auto remaining = std::make_shared<int>(count);
    auto finished = [this, remaining, driverType, count, done] {
        if (--*remaining > 0)
            return;
        emit reloadFinished(driverType, count);
        if (done)
            done(count);
    };
    for (Device *device : std::as_const(targets)) {
        device->resetSupervision();
        // Not found: restart() reports "driver not installed".
        device->restart(m_settings.reloadDeadlineMs, finished, record);
    }
}

void DeviceManager::reloadAll(std::function<void(int)> done)
{
    QSet<QString> types;
    for (const Device *device : std::as_const(m_devices))
        types.insert(device->record().type);
    if (types.isEmpty()) {
        if (done)
            done(0);
        return;
    }
    auto remaining = std::make_shared<int>(int(types.size()));
    auto total = std::make_shared<int>(0);
    for (const QString &type : std::as_const(types)) {
        reloadDriver(type, [remaining, total, done](int count) {
            *total += count;
            if (--*remaining == 0 && done)
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
