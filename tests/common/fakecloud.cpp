#include "fakecloud.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QHostAddress>
#include <QJsonDocument>
#include <QTest>
#include <QTimer>

FakeCloud::FakeCloud(QObject *parent)
    : QObject(parent), m_server(QStringLiteral("fake-cloud"), QWebSocketServer::NonSecureMode)
{
    connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
        while (QWebSocket *socket = m_server.nextPendingConnection()) {
            if (m_client)
                m_client->deleteLater();
            m_client = socket;
            m_lastRequest = socket->request();
            ++m_connectionCount;
            const int connection = m_connectionCount;
            connect(socket, &QWebSocket::textMessageReceived, this, [this, connection](const QString &text) {
                const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
                m_messages.append(message);
                m_connectionOf.append(connection);
                if (onMessage)
                    onMessage(message);
                emit messageReceived(message);
            });
            emit clientConnected();
        }
    });
}

FakeCloud::~FakeCloud()
{
    close();
}

bool FakeCloud::listen(quint16 port)
{
    if (!m_server.listen(QHostAddress::LocalHost, port))
        return false;
    m_port = m_server.serverPort();
    return true;
}

void FakeCloud::close()
{
    m_server.close();
    if (m_client) {
        m_client->abort();
        m_client->deleteLater();
        m_client = nullptr;
    }
}

QUrl FakeCloud::url() const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/controller").arg(m_port));
}

bool FakeCloud::waitForClient(int timeoutMs)
{
    const int before = m_connectionCount;
    if (m_client && m_client->isValid() && before > 0)
        return true;
    return QTest::qWaitFor([&] { return m_connectionCount > before && m_client; }, timeoutMs);
}

int FakeCloud::waitForMessage(const QString &type, int from, int timeoutMs)
{
    int found = -1;
    static_cast<void>(QTest::qWaitFor([&] {
        for (int i = from; i < m_messages.size(); ++i) {
            if (m_messages.at(i).value(QStringLiteral("type")).toString() == type) {
                found = i;
                return true;
            }
        }
        return false;
    }, timeoutMs));
    return found;
}

bool FakeCloud::waitForMessages(const QString &type, int count, int from, int timeoutMs)
{
    return QTest::qWaitFor([&] { return messagesOfType(type, from).size() >= count; }, timeoutMs);
}

QList<QJsonObject> FakeCloud::messagesOfType(const QString &type, int from) const
{
    QList<QJsonObject> list;
    for (int i = from; i < m_messages.size(); ++i) {
        if (m_messages.at(i).value(QStringLiteral("type")).toString() == type)
            list.append(m_messages.at(i));
    }
    return list;
}

void FakeCloud::send(const QString &type, const QJsonObject &data)
{
    sendText(QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("type"), type},
                                                         {QStringLiteral("timestamp"), QStringLiteral("2025-10-14T10:00:00Z")},
                                                         {QStringLiteral("data"), data}})
                                   .toJson(QJsonDocument::Compact)));
}

void FakeCloud::sendText(const QString &text)
{
    if (m_client)
        m_client->sendTextMessage(text);
}

void FakeCloud::sendBinary(const QByteArray &bytes)
{
    if (m_client)
        m_client->sendBinaryMessage(bytes);
}
