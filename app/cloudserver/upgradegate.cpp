#include "cloudserver/upgradegate.h"

#include "core/logtext.h"

#include <QLoggingCategory>
#include <QSslServer>
#include <QSslSocket>
#include <QTimer>
#include <QWebSocketServer>

#include <utility>

Q_DECLARE_LOGGING_CATEGORY(lcCloudServer)

namespace {
// An upgrade request is a few hundred bytes; more without an end is not one.
constexpr qint64 maxRequestBytes = 16 * 1024;
constexpr int requestTimeoutMs = 10000;
}

UpgradeGate::UpgradeGate(QWebSocketServer *websockets, Authorizer authorize,
                         const std::optional<QSslConfiguration> &tls, QObject *parent)
    : QObject(parent), m_websockets(websockets), m_authorize(std::move(authorize))
{
    if (tls) {
        // QSslServer hands out sockets once their TLS handshake is done.
        auto server = std::make_unique<QSslServer>();
        server->setSslConfiguration(*tls);
        m_server = std::move(server);
    } else {
        m_server = std::make_unique<QTcpServer>();
    }
    // The gate takes every connection at once (below); a low cap would
    // only keep them in QTcpServer's list.
    m_server->setMaxPendingConnections(1 << 16);
    connect(m_server.get(), &QTcpServer::pendingConnectionAvailable, this, [this] {
        while (QTcpSocket *socket = m_server->nextPendingConnection())
            onConnection(socket);
    });
    connect(m_server.get(), &QTcpServer::acceptError, this, &UpgradeGate::onAcceptError);
    if (auto *ssl = qobject_cast<QSslServer *>(m_server.get())) {
        connect(ssl, &QSslServer::errorOccurred, this, [](QSslSocket *socket, QAbstractSocket::SocketError) {
            qCWarning(lcCloudServer).noquote() << "refused a connection from" << socket->peerAddress().toString()
                                               << "in its TLS handshake:" << socket->errorString();
        });
    }
}

void UpgradeGate::onAcceptError(QAbstractSocket::SocketError error)
{
    // Counted and logged once per pause: at the file limit every new
    // connection fails the same way.
    ++m_acceptErrors;
    if (m_resumeScheduled)
        return;
    m_resumeScheduled = true;
    const bool noFiles = error == QAbstractSocket::SocketResourceError;
    qCWarning(lcCloudServer).noquote() << "refused a connection:"
                                       << (noFiles ? QStringLiteral("too many open files (raise LimitNOFILE=, docs/deployment.md)")
                                                   : m_server->errorString());
    QTimer::singleShot(200, this, [this] {
        if (m_acceptErrors > 1)
            qCWarning(lcCloudServer) << "refused" << m_acceptErrors << "connections in all while accept() failed";
        m_acceptErrors = 0;
        m_resumeScheduled = false;
        m_server->resumeAccepting();
    });
}

UpgradeGate::~UpgradeGate() = default;

bool UpgradeGate::listen(const QHostAddress &address, quint16 port)
{
    return m_server->listen(address, port);
}

void UpgradeGate::onConnection(QTcpSocket *socket)
{
    socket->setParent(this);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    auto *deadline = new QTimer(socket);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, socket, [socket] {
        qCWarning(lcCloudServer).noquote() << "refused a connection from" << socket->peerAddress().toString()
                                           << ": no complete upgrade request within" << requestTimeoutMs << "ms";
        socket->abort();
    });
    deadline->start(requestTimeoutMs);
    auto checkOnce = [this, socket, deadline] {
        const Verdict verdict = check(socket);
        if (verdict == Verdict::Incomplete)
            return;
        // Before the hand-over: handleConnection() re-emits readyRead.
        socket->disconnect(this);
        delete deadline;
        if (verdict == Verdict::Refused) {
            socket->disconnectFromHost();
            return;
        }
        socket->setParent(nullptr);   // QWebSocketServer takes it
        disconnect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        const QPair<QHostAddress, quint16> peer{socket->peerAddress(), socket->peerPort()};
        const qintptr fd = socket->socketDescriptor();
        m_handedOver.insert(peer, fd);
        connect(socket, &QObject::destroyed, this, [this, peer, fd] {
            if (m_handedOver.value(peer, -1) == fd)
                m_handedOver.remove(peer);   // never taken (its handshake failed)
        });
        m_websockets->handleConnection(socket);
    };
    connect(socket, &QTcpSocket::readyRead, this, checkOnce);
    if (socket->bytesAvailable() > 0)
        checkOnce();
}

UpgradeGate::Verdict UpgradeGate::check(QTcpSocket *socket)
{
    // Peek only: an accepted request is read again by QWebSocketServer.
    const QByteArray head = socket->peek(maxRequestBytes);
    const qsizetype end = head.indexOf("\r\n\r\n");
    if (end < 0) {
        if (head.size() >= maxRequestBytes) {
            qCWarning(lcCloudServer).noquote() << "refused a connection from" << socket->peerAddress().toString()
                                               << ": an upgrade request over" << maxRequestBytes << "bytes";
            socket->abort();
        }
        return Verdict::Incomplete;
    }
    QByteArray authorization;
    QByteArray controllerId;
    for (const QByteArray &line : head.left(end).split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed();
        if (name.compare("authorization", Qt::CaseInsensitive) == 0)
            authorization = line.mid(colon + 1).trimmed();
        else if (name.compare("x-controller-id", Qt::CaseInsensitive) == 0)
            controllerId = line.mid(colon + 1).trimmed();
    }
    if (!m_authorize(QString::fromUtf8(controllerId), authorization)) {
        qCWarning(lcCloudServer).nospace() << "refused a controller with a missing or wrong token from "
                                           << socket->peerAddress().toString() << " (HTTP 401) as "
                                           << (controllerId.isEmpty() ? QStringLiteral("(no X-Controller-Id)")
                                                                      : LogText::escaped(QString::fromUtf8(controllerId)));
        socket->write("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 0\r\n"
                      "Connection: close\r\n\r\n");
        return Verdict::Refused;
    }
    return Verdict::Accepted;
}
