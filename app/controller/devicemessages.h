// The device half of the cloud protocol: device_sync, device_remove,
// device_command and driver_reload are parsed (app/protocol) and handed to
// the DeviceManager as plain values; its status changes go out as
// status_update and command outcomes as device_command_result, both reports
// that the outbox keeps until the cloud has them (it keeps only the latest
// status_update of a device). Lives on the main thread.
#pragma once

#include <QObject>
#include <QString>

class Device;
class DeviceManager;
class ProtocolHandler;
class QJsonObject;

class DeviceMessages : public QObject
{
    Q_OBJECT

public:
    DeviceMessages(DeviceManager *devices, ProtocolHandler *protocol, QObject *parent = nullptr);

    // The handlers registered for the four messages (public for tests and
    // local callers, which then go through the same rules as the cloud).
    void handleDeviceSync(const QJsonObject &data);
    void handleDeviceRemove(const QJsonObject &data);
    void handleDeviceCommand(const QJsonObject &data);
    void handleDriverReload(const QJsonObject &data);

private:
    void sendStatus(const Device *device);
    void reject(const QString &type, const QString &reason);

    DeviceManager *m_devices;
    ProtocolHandler *m_protocol;
};
