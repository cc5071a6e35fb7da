#include "wsrelay.h"

#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QWebSocket>

WsRelay::WsRelay(const QUrl &upstream, QObject *parent)
    : QObject(parent), m_upstream(upstream), m_server(QStringLiteral("relay"), QWebSocketServer::NonSecureMode)
{
    connect(&m_server, &QWebSocketServer::newConnection, this, &WsRelay::onNewConnection);
}

WsRelay::~WsRelay()
{
    dropConnections();
}

bool WsRelay::listen()
{
    if (!m_server.listen(QHostAddress::LocalHost, m_port))
        return false;
    m_port = m_server.serverPort();
    return true;
}

QUrl WsRelay::url() const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_port));
}

void WsRelay::setMode(Mode mode)
{
    if (mode == Mode::Down) {
        m_server.close();
        dropConnections();
    } else if (m_mode == Mode::Down) {
        listen();
    }
    m_mode = mode;
}

void WsRelay::dropConnections()
{
    const QList<Pair *> pairs = m_pairs;
    for (Pair *p : pairs)
        close(p);
}

void WsRelay::onNewConnection()
{
    while (QWebSocket *down = m_server.nextPendingConnection()) {
        auto *pair = new Pair;
        pair->down = down;
        pair->up = new QWebSocket;
        m_pairs.append(pair);
        QNetworkRequest request(m_upstream);
        for (const char *header : {"Authorization", "X-Controller-Id", "X-Controller-Version"})
            request.setRawHeader(header, down->request().rawHeader(header));
        connect(down, &QWebSocket::textMessageReceived, this, [this, pair](const QString &t) { fromController(pair, t); });
        connect(pair->up, &QWebSocket::textMessageReceived, this, [pair](const QString &t) { pair->down->sendTextMessage(t); });
        connect(pair->up, &QWebSocket::connected, this, [pair] {
            for (const QString &t : std::as_const(pair->waiting))
                pair->up->sendTextMessage(t);
            pair->waiting.clear();
        });
        connect(down, &QWebSocket::disconnected, this, [this, pair] { close(pair); });
        connect(pair->up, &QWebSocket::disconnected, this, [this, pair] { close(pair); });
        pair->up->open(request);
    }
}

void WsRelay::fromController(Pair *pair, const QString &text)
{
    if (m_mode == Mode::UplinkLost
        && QJsonDocument::fromJson(text.toUtf8()).object().value(QStringLiteral("type")).toString() != u"hello") {
        ++m_lost;
        return;
    }
    if (pair->up->state() == QAbstractSocket::ConnectedState)
        pair->up->sendTextMessage(text);
    else
        pair->waiting.append(text);
}

void WsRelay::close(Pair *pair)
{
    if (!m_pairs.removeOne(pair))
        return;
    pair->down->disconnect(this);
    pair->up->disconnect(this);
    pair->down->abort();
    pair->up->abort();
    pair->down->deleteLater();
    pair->up->deleteLater();
    delete pair;
}
