// The device detail page's C++ side: one device at a time (set deviceId),
// with what the page shows — identity, driver, status since when, live
// state and its age, last error, recent status changes (DeviceEventSource),
// the per-device call figures its driver host collects — and the test
// commands: one per command_mappings entry and per command the driver
// declares, plus a free command with JSON params. Commands take the same
// path as a cloud device_command (DeviceManager::sendCommand, with the
// command timeout; the driver runs in its host, never on this thread) and
// only while the technician session is unlocked.
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QVariantList>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

class Controller;
class Device;
class DeviceEventSource;
class TechnicianSession;

class DeviceDetail : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The device detail belongs to the dashboard")

    Q_PROPERTY(QString deviceId READ deviceId WRITE setDeviceId NOTIFY changed)
    Q_PROPERTY(bool exists READ exists NOTIFY changed)
    Q_PROPERTY(QString name READ name NOTIFY changed)
    Q_PROPERTY(QString room READ room NOTIFY changed)
    Q_PROPERTY(QString driverType READ driverType NOTIFY changed)
    Q_PROPERTY(QString driverVersion READ driverVersion NOTIFY changed)
    Q_PROPERTY(QString status READ status NOTIFY changed)
    Q_PROPERTY(QString message READ message NOTIFY changed)
    Q_PROPERTY(QDateTime since READ since NOTIFY changed)
    Q_PROPERTY(QVariantMap state READ state NOTIFY changed)
    Q_PROPERTY(QDateTime stateAt READ stateAt NOTIFY changed)
    Q_PROPERTY(bool stateCurrent READ stateCurrent NOTIFY changed)
    Q_PROPERTY(QString lastError READ lastError NOTIFY changed)
    Q_PROPERTY(QDateTime lastErrorAt READ lastErrorAt NOTIFY changed)
    // [{at, status, message}], the latest first.
    Q_PROPERTY(QVariantList events READ events NOTIFY changed)
    // {calls, errors, timeouts, p50, p99}; empty while its host reported none.
    Q_PROPERTY(QVariantMap figures READ figures NOTIFY figuresChanged)
    // DriverCommands' shape: [{name, source, description, params: [...]}].
    Q_PROPERTY(QVariantList commands READ commands NOTIFY changed)
    // Why the driver's declaration was refused (empty: none or fine).
    Q_PROPERTY(QString commandsProblem READ commandsProblem NOTIFY changed)
    Q_PROPERTY(int running READ running NOTIFY resultsChanged)
    // [{command, ok, text, durationMs, at}], the latest first (at most 10).
    Q_PROPERTY(QVariantList results READ results NOTIFY resultsChanged)

public:
    DeviceDetail(Controller *controller, TechnicianSession *session, QObject *parent = nullptr);

    // Where the recent events come from (the in-memory ring, or an event log).
    void setEventSource(DeviceEventSource *source);

    QString deviceId() const { return m_deviceId; }
    void setDeviceId(const QString &id);
    bool exists() const;
    QString name() const;
    QString room() const;
    QString driverType() const;
    QString driverVersion() const { return m_driverVersion; }
    QString status() const;
    QString message() const;
    QDateTime since() const;
    QVariantMap state() const;
    QDateTime stateAt() const;
    bool stateCurrent() const;
    QString lastError() const;
    QDateTime lastErrorAt() const;
    QVariantList events() const;
    QVariantMap figures() const { return m_figures; }
    QVariantList commands() const { return m_commands; }
    QString commandsProblem() const { return m_commandsProblem; }
    int running() const { return m_running; }
    QVariantList results() const { return m_results; }

    // Sends `command` with `paramsJson` (a JSON object, empty: {}) to this
    // device. Returns why it was not sent (locked, bad JSON), else empty;
    // the outcome arrives in `results`.
    Q_INVOKABLE QString sendCommand(const QString &command, const QString &paramsJson);
    // A params object to start editing from (DriverCommands::paramsTemplate).
    Q_INVOKABLE QString paramsTemplate(const QString &command) const;

signals:
    void changed();
    void figuresChanged();
    void resultsChanged();
    // Each test command, when sent: for the technician action log.
    void technicianAction(const QString &what, const QString &deviceId);

private:
    const Device *device() const;
    void reload();
    void refreshFigures();

    Controller *m_controller;
    TechnicianSession *m_session;
    QPointer<DeviceEventSource> m_events;
    QString m_deviceId;
    QString m_driverVersion;
    QJsonObject m_declared;   // the device's declaration the commands were made from
    QVariantList m_commands;
    QString m_commandsProblem;
    QVariantMap m_figures;
    QVariantList m_results;
    int m_running = 0;
    QTimer m_figuresTimer;   // the hosts report figures on their pings
};
