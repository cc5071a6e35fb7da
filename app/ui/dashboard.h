// The dashboard's window onto the controller: a thin façade that QML binds
// to (cloud link, counts, models) and the technician's actions behind the
// PIN. Presentation stays in qml/; no logic there beyond showing this.
#pragma once

#include "ui/devicedetail.h"
#include "ui/pinlockout.h"
#include "ui/techniciansession.h"

#include <QAbstractItemModel>
#include <QDateTime>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

class Controller;
class DeviceEventSource;
struct ReloadOutcome;

class Dashboard : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The dashboard is made by the application")

    Q_PROPERTY(QString controllerId READ controllerId CONSTANT)
    Q_PROPERTY(QString controllerName READ controllerName CONSTANT)
    Q_PROPERTY(QString appVersion READ appVersion CONSTANT)
    // offline (no cloud configured), connecting, connected, reconnecting,
    // refused (the cloud answered the upgrade with 401/403; still retrying)
    Q_PROPERTY(QString cloudState READ cloudState NOTIFY cloudChanged)
    // With "refused": the HTTP status (401, 403), else 0.
    Q_PROPERTY(int cloudRefusedStatus READ cloudRefusedStatus NOTIFY cloudChanged)
    Q_PROPERTY(QString cloudUrl READ cloudUrl CONSTANT)
    Q_PROPERTY(QDateTime nextAttemptAt READ nextAttemptAt NOTIFY cloudChanged)
    Q_PROPERTY(QString cloudHost READ cloudHost CONSTANT)
    Q_PROPERTY(QAbstractItemModel *drivers READ drivers CONSTANT)
    Q_PROPERTY(QAbstractItemModel *devices READ devices CONSTANT)
    Q_PROPERTY(QAbstractItemModel *syncs READ syncs CONSTANT)
    Q_PROPERTY(int connectedCount READ connectedCount NOTIFY countsChanged)
    Q_PROPERTY(int connectingCount READ connectingCount NOTIFY countsChanged)
    Q_PROPERTY(int disconnectedCount READ disconnectedCount NOTIFY countsChanged)
    Q_PROPERTY(int errorCount READ errorCount NOTIFY countsChanged)
    Q_PROPERTY(int deviceCount READ deviceCount NOTIFY countsChanged)
    Q_PROPERTY(bool pinConfigured READ pinConfigured CONSTANT)
    Q_PROPERTY(bool actionRunning READ actionRunning NOTIFY actionRunningChanged)
    Q_PROPERTY(QString actionText READ actionText NOTIFY actionRunningChanged)
    Q_PROPERTY(bool safeMode READ safeMode NOTIFY safeModeChanged)
    Q_PROPERTY(int recentCrashes READ recentCrashes NOTIFY safeModeChanged)
    Q_PROPERTY(QString lastChangedDriver READ lastChangedDriver NOTIFY safeModeChanged)
    // Driver types whose host failed too often (docs/driver-hosts.md).
    Q_PROPERTY(QStringList quarantined READ quarantined NOTIFY safeModeChanged)
    // Grows whenever a driver version becomes active (sync or rollback):
    // QML re-reads keptVersions() when it changes.
    Q_PROPERTY(int driverRevision READ driverRevision NOTIFY driverRevisionChanged)
    // A right PIN unlocks the actions for a while (no PIN per action).
    Q_PROPERTY(TechnicianSession *session READ session CONSTANT)
    // The device detail page (set its deviceId to show one).
    Q_PROPERTY(DeviceDetail *deviceDetail READ deviceDetail CONSTANT)

public:
    Dashboard(Controller *controller, const QString &technicianPin, QObject *parent = nullptr);

    QString controllerId() const;
    QString controllerName() const;
    QString appVersion() const;
    QString cloudState() const;
    QDateTime nextAttemptAt() const;
    QString cloudHost() const;
    int cloudRefusedStatus() const;
    QString cloudUrl() const;
    QAbstractItemModel *drivers() const;
    QAbstractItemModel *devices() const;
    QAbstractItemModel *syncs() const;
    int connectedCount() const { return m_counts[0]; }
    int connectingCount() const { return m_counts[1]; }
    int disconnectedCount() const { return m_counts[2]; }
    int errorCount() const { return m_counts[3]; }
    int deviceCount() const { return m_counts[4]; }
    bool pinConfigured() const { return !m_pin.isEmpty(); }
    bool actionRunning() const { return !m_actionText.isEmpty(); }
    QString actionText() const { return m_actionText; }

    // Wrong PINs are logged; after 5 in a row the keypad is locked for a
    // while that doubles with each further failure (PinLockout, kept in var/).
    Q_INVOKABLE bool checkPin(const QString &pin);
    // Why the last check failed, for the PIN dialog.
    Q_INVOKABLE QString pinProblem() const;
    // Technician actions: refused without the right PIN or an unlocked
    // session (then `pin` may be empty); never block; report through
    // actionFinished().
    Q_INVOKABLE void reloadDriver(const QString &driverType, const QString &pin);
    Q_INVOKABLE void reconnectDevice(const QString &deviceId, const QString &pin);
    Q_INVOKABLE void reloadAll(const QString &pin);
    // Safe mode: start the stopped drivers again.
    Q_INVOKABLE void enableDrivers(const QString &pin);
    // Lifts every quarantine; the devices of those types start again.
    Q_INVOKABLE void liftQuarantine(const QString &pin);
    // The devices a quarantine lift restarts, for the confirmation.
    Q_INVOKABLE QStringList quarantinedDevices() const;
    // The versions of a driver type kept for rollback, newest first.
    Q_INVOKABLE QStringList keptVersions(const QString &driverType) const;
    // The names of the devices using a driver type (a rollback restarts them).
    Q_INVOKABLE QStringList driverDevices(const QString &driverType) const;
    // Puts a kept version back through the sync pipeline (as driver_rollback).
    Q_INVOKABLE void rollBackDriver(const QString &driverType, const QString &version, const QString &pin);
    int driverRevision() const { return m_driverRevision; }

    // For the C++ views beside it (event log, system page).
    Controller *controller() const { return m_controller; }

    TechnicianSession *session() { return &m_session; }
    DeviceDetail *deviceDetail() const { return m_detail; }
    // The detail page's recent events come from here; by default an
    // in-memory ring per device (DeviceEventRing). Not owned.
    void setDeviceEvents(DeviceEventSource *source);

    bool safeMode() const;
    int recentCrashes() const;
    QStringList quarantined() const;
    QString lastChangedDriver() const;

signals:
    void cloudChanged();
    void countsChanged();
    void actionRunningChanged();
    // `failing`: the devices not connected afterwards ("id: status – message");
    // not ok with failing devices is shown in the warning colour.
    void actionFinished(bool ok, const QString &message, const QStringList &failing);
    void safeModeChanged();
    void driverRevisionChanged();
    // Every technician action, as it starts: what it does, and the device
    // it is about (empty for all/driver-wide actions). Logged on nuc.ui.
    void technicianAction(const QString &what, const QString &deviceId);

private:
    bool begin(const QString &pin, const QString &text);
    void end(bool ok, const QString &message, const QStringList &failing = {});
    // "58 of 60 devices connected, 2 in error", translated.
    static QString outcomeText(const ReloadOutcome &outcome);
    void recount();
    void logAction(const QString &what, const QString &deviceId = {});

    Controller *m_controller;
    QString m_pin;
    QString m_actionText;
    int m_counts[5] = {0, 0, 0, 0, 0};
    QTimer m_recount;   // coalesces bursts of status changes
    PinLockout m_lockout;
    int m_driverRevision = 0;
    QString m_rollbackSyncId;   // the rollback this dashboard waits for
    TechnicianSession m_session;
    DeviceEventSource *m_ring;     // the default event source (owned as a child)
    DeviceDetail *m_detail;        // a child
};
