// A WebSocket relay between a controller and control-cloud that fails on
// command: Pass relays both ways; UplinkLost loses every controller frame
// except hello (the cloud keeps sending and both ends believe the link is
// up: reports vanish on the way); Down drops every connection and refuses
// new ones.
#pragma once

#include <QList>
#include <QObject>
#include <QUrl>
#include <QWebSocketServer>

class QWebSocket;

class WsRelay : public QObject
{
    Q_OBJECT

public:
    enum class Mode { Pass, UplinkLost, Down };

    explicit WsRelay(const QUrl &upstream, QObject *parent = nullptr);
    ~WsRelay() override;

    bool listen();
    QUrl url() const;
    void setMode(Mode mode);
    // Closes every relayed connection (both sides); the controller redials.
    void dropConnections();
    int lostFrames() const { return m_lost; }

private:
    struct Pair
    {
        QWebSocket *down = nullptr;
        QWebSocket *up = nullptr;
        QStringList waiting;   // from the controller before the cloud answered
    };
    void onNewConnection();
    void fromController(Pair *pair, const QString &text);
    void close(Pair *pair);

    QUrl m_upstream;
    QWebSocketServer m_server;
    quint16 m_port = 0;
    Mode m_mode = Mode::Pass;
    QList<Pair *> m_pairs;
    int m_lost = 0;
};
