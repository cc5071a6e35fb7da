// DeviceSimulator: a stand-in for a real AV device (projector, DSP). It
// answers a line protocol over TCP and UDP on 127.0.0.1 only, from a reply
// table and a small built-in projector model, and can be told to misbehave
// (refuse, drop, go silent, answer slowly). See docs/simulator.md.
#pragma once

#include <QByteArray>
#include <QDeadlineTimer>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <optional>

class QTcpServer;
class QTcpSocket;
class QUdpSocket;

struct DeviceSimulatorFaults
{
    bool refuseConnections = false; // TCP: close each new connection as soon as it is accepted
    bool stopListening = false;     // TCP: close the listener (connects are refused); the port is kept
    int dropAfterCommands = 0;      // TCP: > 0: close a connection once its N-th command is handled
    bool silent = false;            // TCP and UDP: count requests, act on none, answer nothing
    int replyDelayMs = 0;           // TCP and UDP: each reply leaves this many ms after its request
};

class DeviceSimulator : public QObject
{
    Q_OBJECT

public:
    // A port argument of start(): do not serve that transport.
    static constexpr int Off = -1;

    explicit DeviceSimulator(QObject *parent = nullptr);
    ~DeviceSimulator() override;

    // Listens on 127.0.0.1: port 0 picks a free port, Off skips the
    // transport. Returns an error line, or an empty string on success.
    QString start(int tcpPort = 0, int udpPort = 0);
    // Closes the listeners and every connection, drops pending replies.
    void stop();
    bool isRunning() const { return m_running; }
    quint16 tcpPort() const { return m_tcpPort; }   // 0 when TCP is not served
    quint16 udpPort() const { return m_udpPort; }   // 0 when UDP is not served

    // The protocol. Requests and replies are bytes; the terminator ends a
    // TCP request and follows every reply (default "\r"; must not be empty).
    void setTerminator(const QByteArray &terminator);
    QByteArray terminator() const { return m_terminator; }
    // An exact request -> reply entry; entries win over the built-ins.
    void setReply(const QString &request, const QString &reply);   // UTF-8
    void setReplyBytes(const QByteArray &request, const QByteArray &reply);
    void clearReplies();
    QHash<QByteArray, QByteArray> replies() const { return m_replies; }
    // The built-in projector commands (PWR, INPUT, VOL, ECHO); on by default.
    void setBuiltinsEnabled(bool enabled) { m_builtins = enabled; }
    bool builtinsEnabled() const { return m_builtins; }
    // The reply to a request nothing else answers ("ERR unknown command").
    void setUnknownReply(const QByteArray &reply) { m_unknownReply = reply; }
    QByteArray unknownReply() const { return m_unknownReply; }
    // Sent, followed by the terminator, to each TCP client on connect; empty: none.
    void setBanner(const QByteArray &banner) { m_banner = banner; }
    QByteArray banner() const { return m_banner; }
    // {"replies": {"REQ": "REPLY", ...}, "builtins": bool, "unknown": "text"},
    // all keys optional; applied only when the whole document is valid.
    // Returns an error line, or an empty string on success.
    QString loadRepliesFile(const QString &path);
    QString loadRepliesJson(const QByteArray &json);

    // The built-in projector's state (power off, input "1", volume 50 at first).
    bool isPoweredOn() const { return m_power; }
    QByteArray input() const { return m_input; }
    int volume() const { return m_volume; }

    // Faults, changeable at any time.
    void setFaults(const DeviceSimulatorFaults &faults);
    DeviceSimulatorFaults faults() const { return m_faults; }
    void setRefuseConnections(bool refuse);
    void setStopListening(bool stop);
    void setDropAfterCommands(int commands);
    void setSilent(bool silent);
    void setReplyDelayMs(int ms);

    // Closes every TCP connection (after its pending writes).
    void disconnectClients();

    // Counters, since construction.
    int commandsReceived() const { return m_commandsReceived; }
    int connectionsAccepted() const { return m_connectionsAccepted; }
    int connectionsRefused() const { return m_connectionsRefused; }
    int activeConnections() const { return int(m_clients.size()); }
    qint64 bytesReceived() const { return m_bytesReceived; }

signals:
    void commandReceived(const QString &command);   // each request, UTF-8 decoded
    void clientConnected();
    void clientDisconnected();

private:
    struct Client
    {
        QByteArray buffer;
        int commands = 0;
        bool closing = false;
    };
    struct Outgoing
    {
        QPointer<QTcpSocket> socket;   // TCP; null for UDP
        bool udp = false;
        QHostAddress address;
        quint16 port = 0;
        QByteArray bytes;
        bool closeAfter = false;
        QDeadlineTimer due;
    };

    void teardown(bool notify);
    void updateListening();
    void onNewConnection();
    void onTcpReadyRead(QTcpSocket *socket);
    void onTcpDisconnected(QTcpSocket *socket);
    void onUdpReadyRead();
    void handleRequest(const QByteArray &request, Outgoing out);
    QByteArray respond(const QByteArray &request);
    std::optional<QByteArray> builtin(const QByteArray &request);
    void schedule(Outgoing out, int delayMs);
    void flushDue();
    void send(const Outgoing &out);

    QTcpServer *m_tcpServer = nullptr;
    QUdpSocket *m_udpSocket = nullptr;
    quint16 m_tcpPort = 0;
    quint16 m_udpPort = 0;
    bool m_running = false;

    QByteArray m_terminator = QByteArrayLiteral("\r");
    QHash<QByteArray, QByteArray> m_replies;
    bool m_builtins = true;
    QByteArray m_unknownReply = QByteArrayLiteral("ERR unknown command");
    QByteArray m_banner;

    bool m_power = false;
    QByteArray m_input = QByteArrayLiteral("1");
    int m_volume = 50;

    DeviceSimulatorFaults m_faults;
    QHash<QTcpSocket *, Client> m_clients;
    QList<Outgoing> m_pending;
    QTimer m_delayTimer;

    int m_commandsReceived = 0;
    int m_connectionsAccepted = 0;
    int m_connectionsRefused = 0;
    qint64 m_bytesReceived = 0;
};
