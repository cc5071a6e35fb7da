// Turns what the controller's parts signal into event log entries: device
// status changes (old → new, with the message), driver syncs and their
// outcome, reloads with their counts, the cloud link (connected, lost,
// credentials refused), safe mode and quarantines. Technician actions come
// from the dashboard (EventLog::recordTechnicianAction).
#pragma once

#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>

class Controller;
class EventLog;

class EventFeed : public QObject
{
public:
    // Made before the devices start, so their first statuses are seen.
    EventFeed(Controller *controller, EventLog *log, QObject *parent = nullptr);

private:
    void onDeviceStatus(const QString &deviceId);
    void onReloadFinished(const QString &driverType);
    void onCloudState();
    void onSafeMode();
    void onQuarantine(const QStringList &quarantined);

    Controller *m_controller;
    EventLog *m_log;
    QHash<QString, QString> m_status;   // the last status recorded per device
    QString m_cloud;                    // connected, lost, refused: the last recorded
    bool m_safeMode = false;
    QStringList m_quarantined;
    QHash<QString, QStringList> m_syncs;   // sync id → {driver type, version} while it runs
};
