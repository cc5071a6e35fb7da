// Real local peers for transport tests: a TCP line server, a raw TCP echo,
// a UDP responder, a pseudo-terminal pair, and a cloud that refuses every
// WebSocket upgrade. All on 127.0.0.1.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QNetworkDatagram>
#include <QObject>
#include <QPointer>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUdpSocket>

#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <functional>
#include <utility>

// Answers lines ending in \r or \n: PING → PONG, ECHO x → x, SILENT → nothing,
// SPLIT → "AB" then "CD" in a later packet, PWR ON/OFF → OK, PWR? → PWR=ON|OFF,
// anything else → ERR. Replies end with the request's terminator.
class LineServer : public QObject
{
public:
    LineServer()
    {
        connect(&server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = server.nextPendingConnection()) {
                clients.append(s);
                ++accepted;
                connect(s, &QTcpSocket::disconnected, this, [this] { ++disconnects; });
                connect(s, &QTcpSocket::readyRead, s, [this, s] { onData(s); });
            }
        });
    }
    bool listen() { return server.listen(QHostAddress::LocalHost); }
    quint16 port() const { return server.serverPort(); }

    void onData(QTcpSocket *s)
    {
        QByteArray &buffer = buffers[s];
        buffer += s->readAll();
        for (;;) {
            qsizetype end = -1;
            for (qsizetype i = 0; i < buffer.size(); ++i) {
                if (buffer.at(i) == '\r' || buffer.at(i) == '\n') {
                    end = i;
                    break;
                }
            }
            if (end < 0)
                return;
            const QByteArray line = buffer.left(end);
            const char term = buffer.at(end);
            buffer.remove(0, end + 1);
            lines.append(line);
            reply(s, line, QByteArray(1, term));
        }
    }

    void reply(QTcpSocket *s, const QByteArray &line, const QByteArray &term)
    {
        if (line == "PING")
            s->write("PONG" + term);
        else if (line.startsWith("ECHO "))
            s->write(line.mid(5) + term);
        else if (line == "SILENT")
            return;
        else if (line == "SPLIT") {
            s->write("AB");
            s->flush();
            QPointer<QTcpSocket> guard(s);
            QTimer::singleShot(30, this, [guard, term] {
                if (guard)
                    guard->write("CD" + term);
            });
        } else if (line == "PWR ON") {
            power = true;
            s->write("OK" + term);
        } else if (line == "PWR OFF") {
            power = false;
            s->write("OK" + term);
        } else if (line == "PWR?")
            s->write(QByteArray(power ? "PWR=ON" : "PWR=OFF") + term);
        else if (line.startsWith("INPUT "))
            s->write("OK" + term);
        else
            s->write("ERR" + term);
    }

    QTcpServer server;
    QList<QPointer<QTcpSocket>> clients;
    QHash<QTcpSocket *, QByteArray> buffers;
    QList<QByteArray> lines;
    int accepted = 0;
    int disconnects = 0;
    bool power = false;
};

// Writes back every byte it receives.
class EchoServer : public QObject
{
public:
    EchoServer()
    {
        connect(&server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = server.nextPendingConnection())
                connect(s, &QTcpSocket::readyRead, s, [s] { s->write(s->readAll()); });
        });
    }
    bool listen() { return server.listen(QHostAddress::LocalHost); }
    quint16 port() const { return server.serverPort(); }
    QTcpServer server;
};

// A UDP peer: PING → PONG, LEVEL z l → OK, anything else is echoed.
class UdpResponder : public QObject
{
public:
    UdpResponder()
    {
        connect(&socket, &QUdpSocket::readyRead, this, [this] {
            while (socket.hasPendingDatagrams()) {
                const QNetworkDatagram d = socket.receiveDatagram();
                received.append(d.data());
                QByteArray answer = d.data();
                if (d.data() == "PING\n")
                    answer = "PONG\n";
                else if (d.data().startsWith("LEVEL "))
                    answer = "OK\n";
                socket.writeDatagram(d.makeReply(answer));
            }
        });
    }
    bool bind() { return socket.bind(QHostAddress::LocalHost, 0); }
    quint16 port() const { return socket.localPort(); }
    QUdpSocket socket;
    QList<QByteArray> received;
};

// A pseudo-terminal: the test holds the master, the driver opens slavePath.
class PtyPair : public QObject
{
public:
    PtyPair()
    {
        char name[256] = {};
        int slave = -1;
        if (::openpty(&master, &slave, name, nullptr, nullptr) != 0)
            return;
        // Raw mode on the slave side's line discipline: bytes pass unchanged.
        termios tio {};
        ::tcgetattr(slave, &tio);
        ::cfmakeraw(&tio);
        ::tcsetattr(slave, TCSANOW, &tio);
        ::close(slave);   // the driver opens it by name
        slavePath = QString::fromLocal8Bit(name);
        ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
        notifier = new QSocketNotifier(master, QSocketNotifier::Read, this);
        connect(notifier, &QSocketNotifier::activated, this, [this] {
            char buf[4096];
            for (;;) {
                const ssize_t n = ::read(master, buf, sizeof buf);
                if (n <= 0)
                    break;
                const QByteArray bytes(buf, n);
                received += bytes;
                if (onBytes)
                    onBytes(bytes);
            }
        });
    }
    ~PtyPair() override
    {
        if (master >= 0)
            ::close(master);
    }
    bool isValid() const { return master >= 0 && !slavePath.isEmpty(); }
    void write(const QByteArray &bytes) { [[maybe_unused]] ssize_t n = ::write(master, bytes.constData(), size_t(bytes.size())); }

    int master = -1;
    QString slavePath;
    QByteArray received;
    QSocketNotifier *notifier = nullptr;
    std::function<void(const QByteArray &)> onBytes;
};

// A server that answers every WebSocket upgrade with one HTTP status, the
// way a cloud refuses a wrong token.
class RefusingPeer : public QObject
{
public:
    explicit RefusingPeer(QByteArray statusLine) : m_statusLine(std::move(statusLine))
    {
        connect(&server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = server.nextPendingConnection()) {
                ++upgrades;
                connect(s, &QTcpSocket::readyRead, s, [this, s] {
                    if (!s->peek(64 * 1024).contains("\r\n\r\n"))
                        return;
                    s->readAll();
                    s->write("HTTP/1.1 " + m_statusLine + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    s->disconnectFromHost();
                });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
    }
    QTcpServer server;
    int upgrades = 0;

private:
    QByteArray m_statusLine;
};
