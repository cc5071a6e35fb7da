// control-cloud's front door: accepts TCP (or TLS) connections, reads the
// WebSocket upgrade request and checks its credentials before the upgrade.
// A missing or wrong token is answered "HTTP/1.1 401 Unauthorized" and the
// connection closed, so a controller can tell a refused token from a network
// fault (QWebSocketServer 6.4 has no hook to refuse an upgrade by its
// headers). Accepted connections go on to QWebSocketServer::handleConnection.
#pragma once

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>
#include <QTcpServer>

#include <functional>
#include <memory>
#include <optional>

class QWebSocketServer;

class UpgradeGate : public QObject
{
    Q_OBJECT

public:
    // Decides on an upgrade by its X-Controller-Id (empty when absent) and
    // Authorization headers (raw, e.g. "Bearer abc"; empty when absent).
    using Authorizer = std::function<bool(const QString &controllerId, const QByteArray &authorization)>;

    UpgradeGate(QWebSocketServer *websockets, Authorizer authorize, const std::optional<QSslConfiguration> &tls,
                QObject *parent = nullptr);
    ~UpgradeGate() override;

    // How many connections the kernel queues before the event loop takes
    // them (QTcpServer's default, 50, makes a reconnect storm wait on
    // SYN retries); call before listen().
    void setListenBacklog(int size) { m_server->setListenBacklogSize(size); }
    bool listen(const QHostAddress &address, quint16 port);
    quint16 serverPort() const { return m_server->serverPort(); }
    QString errorString() const { return m_server->errorString(); }
    // The descriptor of a connection handed over to QWebSocketServer, found
    // by its peer (QWebSocket does not say which socket it reads); -1 if
    // unknown. Each is taken once and forgotten with its connection.
    qintptr takeDescriptor(const QHostAddress &peer, quint16 port)
    {
        const qintptr fd = m_handedOver.value({peer, port}, -1);
        m_handedOver.remove({peer, port});
        return fd;
    }

private:
    void onConnection(QTcpSocket *socket);
    // accept() failed (e.g. out of file descriptors): QTcpServer then stops
    // accepting; logged, and resumed a little later.
    void onAcceptError(QAbstractSocket::SocketError error);
    enum class Verdict { Incomplete, Refused, Accepted };
    // Reads the request so far; answers 401 itself when it refuses.
    Verdict check(QTcpSocket *socket);

    QWebSocketServer *m_websockets;
    Authorizer m_authorize;
    std::unique_ptr<QTcpServer> m_server;
    int m_acceptErrors = 0;   // since the last log line
    bool m_resumeScheduled = false;
    QHash<QPair<QHostAddress, quint16>, qintptr> m_handedOver;   // peer → descriptor
};
