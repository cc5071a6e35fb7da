#include "models/deviceevents.h"

#include "devices/devicemanager.h"

DeviceEventRing::DeviceEventRing(DeviceManager *manager, int perDevice, QObject *parent)
    : DeviceEventSource(parent), m_perDevice(perDevice)
{
    connect(manager, &DeviceManager::deviceStatusChanged, this, [this, manager](const QString &deviceId) {
        const Device *device = manager->device(deviceId);
        if (!device)
            return;
        QList<DeviceEvent> &ring = m_events[deviceId];
        ring.append(DeviceEvent{device->lastChange(), device->status(), device->message()});
        if (ring.size() > m_perDevice)
            ring.removeFirst();
        emit eventAdded(deviceId);
    });
    connect(manager, &DeviceManager::deviceRemoved, this, [this](const QString &deviceId) { m_events.remove(deviceId); });
}

QList<DeviceEvent> DeviceEventRing::recent(const QString &deviceId, int limit) const
{
    const QList<DeviceEvent> ring = m_events.value(deviceId);
    QList<DeviceEvent> latest;
    for (qsizetype i = ring.size() - 1; i >= 0 && latest.size() < limit; --i)
        latest.append(ring.at(i));
    return latest;
}
