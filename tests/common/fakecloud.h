// A stand-in for the cloud in tests and benchmarks: a real QWebSocketServer
// on 127.0.0.1 that records what controllers send and sends what a test says.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QUrl>
#include <QWebSocket>
#include <QWebSocketServer>

#include <functional>

class FakeCloud : public QObject
{
    Q_OBJECT

public:
    explicit FakeCloud(QObject *parent = nullptr);
    ~FakeCloud() override;

    // Listens on 127.0.0.1 (port 0: any free one). Returns false on failure.
    bool listen(quint16 port = 0);
    void close();   // stops listening and drops every client
    quint16 port() const { return m_port; }
    QUrl url() const;

    bool waitForClient(int timeoutMs = 5000);
    // Waits until a message of `type` arrives after index `from` of
    // messages(); returns its index or -1 on timeout.
    int waitForMessage(const QString &type, int from = 0, int timeoutMs = 5000);
    // Waits for `count` messages of `type` in total (from index `from`).
    bool waitForMessages(const QString &type, int count, int from = 0, int timeoutMs = 5000);

    void send(const QString &type, const QJsonObject &data);
    void sendText(const QString &text);
    void sendBinary(const QByteArray &bytes);

    const QList<QJsonObject> &messages() const { return m_messages; }
    QList<QJsonObject> messagesOfType(const QString &type, int from = 0) const;
    void clearMessages()
    {
        m_messages.clear();
        m_connectionOf.clear();
    }
    // Index in messages() of the first message on connection n (1-based);
    // messages().size() when it has sent none yet.
    int firstMessageOf(int connection) const
    {
        for (int i = 0; i < m_connectionOf.size(); ++i) {
            if (m_connectionOf.at(i) >= connection)
                return i;
        }
        return int(m_messages.size());
    }
    QNetworkRequest lastRequest() const { return m_lastRequest; }
    int connectionCount() const { return m_connectionCount; }
    QWebSocket *client() const { return m_client; }

    // Called for every message as it arrives (e.g. to answer at once).
    std::function<void(const QJsonObject &)> onMessage;

signals:
    void messageReceived(const QJsonObject &message);
    void clientConnected();

private:
    QWebSocketServer m_server;
    QPointer<QWebSocket> m_client;
    QList<QJsonObject> m_messages;
    QList<int> m_connectionOf;   // per message: the connection it came on
    QNetworkRequest m_lastRequest;
    quint16 m_port = 0;
    int m_connectionCount = 0;
};
