// The recent status changes of each device, for the device detail page.
// DeviceEventSource is the seam: the detail page reads only through it.
// DeviceEventRing keeps a small ring per device in memory (lost on
// restart); a persistent event log can take its place by implementing
// recent() and emitting eventAdded (Dashboard::setDeviceEvents).
#pragma once

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

class DeviceManager;

struct DeviceEvent
{
    QDateTime at;      // UTC
    QString status;    // connecting, connected, disconnected, error
    QString message;
};

class DeviceEventSource : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    // The latest first, at most `limit`.
    virtual QList<DeviceEvent> recent(const QString &deviceId, int limit) const = 0;

signals:
    void eventAdded(const QString &deviceId);
};

class DeviceEventRing : public DeviceEventSource
{
    Q_OBJECT

public:
    // Records every status change `manager` reports from now on.
    explicit DeviceEventRing(DeviceManager *manager, int perDevice = 20, QObject *parent = nullptr);

    QList<DeviceEvent> recent(const QString &deviceId, int limit) const override;

private:
    QHash<QString, QList<DeviceEvent>> m_events;   // oldest first, at most m_perDevice
    int m_perDevice;
};
