#include "controller/devicemessages.h"

#include "cloud/protocolhandler.h"
#include "devices/devicemanager.h"
#include "core/logcategories.h"
#include "protocol/devicerequests.h"
#include "protocol/messages.h"

#include <QElapsedTimer>
#include <QPointer>

#include <memory>

namespace {

DeviceRecord toRecord(const DeviceSpec &spec)
{
    DeviceRecord record;
    record.id = spec.id;
    record.name = spec.name;
    record.type = spec.type;
    record.connectionConfig = spec.connectionConfig;
    record.room = spec.room;
    return record;
}

} // namespace

DeviceMessages::DeviceMessages(DeviceManager *devices, ProtocolHandler *protocol, QObject *parent)
    : QObject(parent), m_devices(devices), m_protocol(protocol)
{
    m_protocol->registerHandler(DeviceSyncRequest::type(), [this](const QJsonObject &d) { handleDeviceSync(d); });
    m_protocol->registerHandler(DeviceRemoveRequest::type(), [this](const QJsonObject &d) { handleDeviceRemove(d); });
    m_protocol->registerHandler(DeviceCommandRequest::type(), [this](const QJsonObject &d) { handleDeviceCommand(d); });
    m_protocol->registerHandler(DriverReloadRequest::type(), [this](const QJsonObject &d) { handleDriverReload(d); });
    connect(m_devices, &DeviceManager::deviceStatusChanged, this, [this](const QString &id) {
        if (const Device *device = m_devices->device(id))
            sendStatus(device);
    });
}

void DeviceMessages::reject(const QString &type, const QString &reason)
{
    m_protocol->reject(QStringLiteral("%1: %2").arg(type, reason), type);
}

void DeviceMessages::sendStatus(const Device *device)
{
    // Also while offline: the outbox keeps the latest of each device until
    // the cloud has it (hello carries every device's status as well).
    m_protocol->send(Messages::statusUpdate(device->id(), device->status(), device->message(), device->lastChange()));
}

void DeviceMessages::handleDeviceSync(const QJsonObject &data)
{
    // Everything is checked first: a bad entry changes nothing at all.
    const Parsed<DeviceSyncRequest> request = DeviceSyncRequest::parse(data);
    if (!request.ok()) {
        reject(DeviceSyncRequest::type(), request.error);
        return;
    }
    QList<DeviceRecord> records;
    for (const DeviceSpec &spec : request.value.devices)
        records.append(toRecord(spec));
    const QString error = m_devices->syncDevices(records, request.value.replace);
    if (!error.isEmpty())
        reject(DeviceSyncRequest::type(), error);
}

void DeviceMessages::handleDeviceRemove(const QJsonObject &data)
{
    const Parsed<DeviceRemoveRequest> request = DeviceRemoveRequest::parse(data);
    const QString error = request.ok() ? m_devices->forgetDevice(request.value.deviceId) : request.error;
    if (!error.isEmpty())
        reject(DeviceRemoveRequest::type(), error);
}

void DeviceMessages::handleDeviceCommand(const QJsonObject &data)
{
    auto elapsed = std::make_shared<QElapsedTimer>();
    elapsed->start();
    const Parsed<DeviceCommandRequest> request = DeviceCommandRequest::parse(data);
    // Exactly one device_command_result, whatever happens.
    auto answer = [protocol = QPointer<ProtocolHandler>(m_protocol), requestId = request.value.requestId,
                   deviceId = request.value.deviceId, elapsed](const CallResult &r) {
        if (protocol) {
            protocol->send(Messages::deviceCommandResult(requestId, deviceId,
                                                         {r.ok, r.value, r.error, elapsed->nsecsElapsed() / 1e6}));
        }
    };
    if (!request.ok()) {
        answer(CallResult::failure(request.error));
        return;
    }
    m_devices->sendCommand(request.value.deviceId.toString(), request.value.command, request.value.params, answer);
}

void DeviceMessages::handleDriverReload(const QJsonObject &data)
{
    const Parsed<DriverReloadRequest> request = DriverReloadRequest::parse(data);
    if (!request.ok()) {
        reject(DriverReloadRequest::type(), request.error);
        return;
    }
    const QString &type = request.value.driverType;
    if (!m_devices->isDriverInstalled(type))
        qCWarning(lcDevices) << "driver_reload:" << type << "is not installed; its devices report it";
    // PROTOCOL.md has no answer to driver_reload; this controller adds one
    // (driver_reload_result, docs/protocol.md) with what the reload ended
    // with, besides each device's status_update.
    m_devices->reloadDriver(type, [this, type](const ReloadOutcome &outcome) {
        qCInfo(lcDevices).noquote() << "driver_reload" << type << "from the cloud:" << outcome.summary();
        m_protocol->send(Messages::driverReloadResult({type, outcome.total, outcome.connected, outcome.error,
                                                       outcome.connecting, outcome.disconnected, outcome.failing}));
    });
}
