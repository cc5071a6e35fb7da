// One simulated controller of control-cloud-loadtest: dials the cloud with
// its id and token, says hello with its drivers and devices, and answers
// like a real controller (PROTOCOL.md): driver_sync with progress and then
// driver_sync_complete (or driver_sync_error when it is set to fail),
// driver_rollback, device_command; it numbers its reports, keeps them until
// they are acknowledged and resends them after a welcome. Every message is
// built and parsed by app/protocol, the controller's own code.
#pragma once

#include "protocol/messages.h"

#include <QMap>
#include <QObject>
#include <QStringList>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

struct SimulatedControllerSettings
{
    QUrl url;
    QByteArray token;
    QString driverType;      // reported in hello as active at driverVersion
    QString driverVersion;
    int devices = 4;         // dev-0 … dev-(n-1)
    bool failsSyncs = false; // answers every driver_sync with driver_sync_error
    int syncMs = 20;         // time between driver_sync and its outcome
};

class SimulatedController : public QObject
{
    Q_OBJECT

public:
    SimulatedController(const QString &id, const SimulatedControllerSettings &settings, QObject *parent = nullptr);
    ~SimulatedController() override;

    void open();
    bool isConnected() const { return m_welcomed; }
    const QString &id() const { return m_id; }
    // A status_update of device `device` (a report: numbered, kept until acked).
    void sendStatus(int device, const QString &status);
    // Reports sent and not acknowledged yet.
    qsizetype unacked() const { return m_outbox.size(); }

signals:
    void welcomed();
    void syncAnswered(bool ok);
    void commandAnswered();
    void acked(qint64 count);   // reports newly acknowledged
    void disconnected(const QString &why);

private:
    void onMessage(const QString &text);
    void onDriverSync(const QJsonObject &data);
    void onDriverRollback(const QJsonObject &data);
    void onDeviceCommand(const QJsonObject &data);
    void sendReport(const Message &message);
    void sendFrame(const QJsonObject &envelope);

    QString m_id;
    SimulatedControllerSettings m_settings;
    QWebSocket m_socket;
    QTimer m_reconnect;
    bool m_welcomed = false;
    bool m_acks = false;
    qint64 m_seq = 0;
    QMap<qint64, QString> m_outbox;   // seq → frame, until acknowledged
    QString m_activeVersion;
    QStringList m_previousVersions;   // newest first
};
