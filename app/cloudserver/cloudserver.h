// control-cloud's WebSocket server: controllers dial in with a bearer
// token, say hello, and report back; deployments, device provisioning and
// commands go out to them. The seed's three handlers keep
// driver_deployments up to date.
#pragma once

#include "cloudserver/clouddatabase.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <functional>
#include <optional>

struct CloudServerSettings
{
    QString token;                                  // required bearer token; empty: none required
    std::optional<QSslConfiguration> tls;           // wss:// when set
    int commandTimeoutMs = 15000;
};

class CloudServer : public QObject
{
    Q_OBJECT

public:
    CloudServer(CloudDatabase *database, const CloudServerSettings &settings, QObject *parent = nullptr);
    ~CloudServer() override;

    QString listen(const QHostAddress &address, quint16 port);
    quint16 port() const { return m_server->serverPort(); }

    using Reply = std::function<void(const QJsonObject &reply)>;   // {"ok":bool, ...}

    // Admin operations (AdminServer calls these).
    void deploy(const QJsonObject &request, const Reply &reply);
    void provision(const QJsonObject &request, const Reply &reply);
    void command(const QJsonObject &request, const Reply &reply);
    void waitForDeployment(const QString &syncId, int timeoutMs, const Reply &reply);
    QJsonObject controllers() const;
    QJsonObject deployments() const;

signals:
    void controllerConnected(const QString &controllerId);
    void deploymentChanged(const QString &syncId, const QString &status);

private:
    struct Controller
    {
        QPointer<QWebSocket> socket;
        QJsonObject hello;
        QString connectedAt;
    };
    struct PendingCommand
    {
        Reply reply;
        QTimer *timer = nullptr;
    };

    void onNewConnection();
    void onMessage(QWebSocket *socket, const QString &text);
    // A message from a controller that said hello.
    void onReport(const QString &controllerId, const QString &type, const QJsonObject &data);
    template<typename Report>
    static std::optional<Report> checked(const QString &controllerId, const QString &type, const QJsonObject &data);
    void send(QWebSocket *socket, const QString &type, const QJsonObject &data);
    QWebSocket *controllerSocket(const QString &controllerId) const;
    QString controllerIdOf(QWebSocket *socket) const;
    void deploymentUpdated(const QString &syncId);

    CloudDatabase *m_database;
    CloudServerSettings m_settings;
    QWebSocketServer *m_server;
    QHash<QString, Controller> m_controllers;
    QHash<QString, PendingCommand> m_commands;                     // request_id → waiting admin
    QHash<QString, QList<std::pair<Reply, QTimer *>>> m_waiting;   // sync_id → waiting admins
};
