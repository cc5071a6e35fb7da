// DeviceSimulator: the line protocol, the projector model and every fault,
// over real sockets on 127.0.0.1; then the device-simulator program.
#include "simulator/devicesimulator.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QNetworkDatagram>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <memory>
#include <utility>
#include <optional>

namespace {

constexpr int TimeoutMs = 5000;

// A TCP client that reads terminated lines without blocking the event loop
// the simulator runs on.
class LineClient
{
public:
    explicit LineClient(QByteArray terminator = QByteArrayLiteral("\r"))
        : m_terminator(std::move(terminator))
    {
    }

    bool connectTo(quint16 port)
    {
        socket.connectToHost(QHostAddress::LocalHost, port);
        return QTest::qWaitFor([this] { return socket.state() == QAbstractSocket::ConnectedState; }, TimeoutMs);
    }

    void send(const QByteArray &bytes)
    {
        socket.write(bytes);
        socket.flush();
    }

    // The next line without its terminator, or "<no reply>" after the timeout.
    QByteArray line(int timeoutMs = TimeoutMs)
    {
        const bool got = QTest::qWaitFor([this] {
            received += socket.readAll();
            return received.contains(m_terminator);
        }, timeoutMs);
        if (!got)
            return QByteArrayLiteral("<no reply>");
        const qsizetype end = received.indexOf(m_terminator);
        const QByteArray result = received.left(end);
        received.remove(0, end + m_terminator.size());
        return result;
    }

    bool waitForClosed(int timeoutMs = TimeoutMs)
    {
        return QTest::qWaitFor([this] {
            received += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState;
        }, timeoutMs);
    }

    QTcpSocket socket;
    QByteArray received;

private:
    QByteArray m_terminator;
};

// Sends one datagram to the simulator and waits for one back.
std::optional<QNetworkDatagram> udpExchange(QUdpSocket &client, quint16 port, const QByteArray &request,
                                            int timeoutMs = TimeoutMs)
{
    client.writeDatagram(request, QHostAddress::LocalHost, port);
    if (!QTest::qWaitFor([&client] { return client.hasPendingDatagrams(); }, timeoutMs))
        return std::nullopt;
    return client.receiveDatagram();
}

QString simulatorBinary()
{
    return QCoreApplication::applicationDirPath() + QStringLiteral("/../app/simulator/device-simulator");
}

} // namespace

class tst_DeviceSimulator : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void startsOnLoopbackOnly();
    void rejectsBadPorts();
    void tcpPowerState();
    void projectorDefaults_data();
    void projectorDefaults();
    void unknownCommand();
    void replyTableWinsOverBuiltins();
    void severalClients();
    void partialWritesAcrossPackets();
    void binaryBytes();
    void configuredTerminators_data();
    void configuredTerminators();
    void udpRequestReply();
    void banner();
    void faultRefuse();
    void faultStopListening();
    void faultDropAfter();
    void faultSilent();
    void faultSilentUdp();
    void faultSlowReplies();
    void repliesFile();
    void repliesFileErrors_data();
    void repliesFileErrors();
    void stopClosesClients();
    void programArgumentErrors_data();
    void programArgumentErrors();
    void programServesAndStopsOnSigterm();

private:
    std::unique_ptr<DeviceSimulator> sim;
};

void tst_DeviceSimulator::init()
{
    sim = std::make_unique<DeviceSimulator>();
    QCOMPARE(sim->start(), QString());
    QVERIFY(sim->tcpPort() != 0);
    QVERIFY(sim->udpPort() != 0);
}

void tst_DeviceSimulator::cleanup()
{
    sim.reset();
}

void tst_DeviceSimulator::startsOnLoopbackOnly()
{
    LineClient client;
    QVERIFY(client.connectTo(sim->tcpPort()));
    QCOMPARE(client.socket.peerAddress(), QHostAddress(QHostAddress::LocalHost));
    QVERIFY(sim->isRunning());

    // Bound to 127.0.0.1 only: another loopback address (Linux routes all
    // of 127/8 to lo) finds no listener on that port.
    QTcpSocket elsewhere;
    QSignalSpy errors(&elsewhere, &QAbstractSocket::errorOccurred);
    elsewhere.connectToHost(QHostAddress(QStringLiteral("127.0.0.2")), sim->tcpPort());
    QVERIFY(QTest::qWaitFor([&] { return !errors.isEmpty(); }, TimeoutMs));
    QCOMPARE(elsewhere.error(), QAbstractSocket::ConnectionRefusedError);

    DeviceSimulator tcpOnly;
    QCOMPARE(tcpOnly.start(0, DeviceSimulator::Off), QString());
    QVERIFY(tcpOnly.tcpPort() != 0);
    QCOMPARE(tcpOnly.udpPort(), quint16(0));
}

void tst_DeviceSimulator::rejectsBadPorts()
{
    DeviceSimulator other;
    QVERIFY(!other.start(70000, 0).isEmpty());
    QVERIFY(!other.start(DeviceSimulator::Off, DeviceSimulator::Off).isEmpty());
    // The port in use by the fixture's simulator cannot be taken twice.
    const QString error = other.start(sim->tcpPort(), DeviceSimulator::Off);
    QVERIFY2(!error.isEmpty(), "a busy port must be an error");
    QVERIFY(!other.isRunning());
    QVERIFY(!sim->start().isEmpty());   // already running
}

void tst_DeviceSimulator::tcpPowerState()
{
    QSignalSpy connected(sim.get(), &DeviceSimulator::clientConnected);
    QSignalSpy commands(sim.get(), &DeviceSimulator::commandReceived);
    LineClient client;
    QVERIFY(client.connectTo(sim->tcpPort()));
    QVERIFY(QTest::qWaitFor([&] { return connected.size() == 1; }, TimeoutMs));
    QCOMPARE(sim->connectionsAccepted(), 1);
    QCOMPARE(sim->activeConnections(), 1);

    client.send("PWR?\r");
    QCOMPARE(client.line(), QByteArray("PWR=OFF"));
    client.send("PWR ON\r");
    QCOMPARE(client.line(), QByteArray("OK"));
    client.send("PWR?\r");
    QCOMPARE(client.line(), QByteArray("PWR=ON"));
    QVERIFY(sim->isPoweredOn());
    client.send("PWR OFF\rPWR?\r");
    QCOMPARE(client.line(), QByteArray("OK"));
    QCOMPARE(client.line(), QByteArray("PWR=OFF"));

    QCOMPARE(sim->commandsReceived(), 5);
    QCOMPARE(commands.size(), 5);
    QCOMPARE(commands.at(1).at(0).toString(), QStringLiteral("PWR ON"));

    QSignalSpy disconnected(sim.get(), &DeviceSimulator::clientDisconnected);
    client.socket.disconnectFromHost();
    QVERIFY(disconnected.wait(TimeoutMs));
    QCOMPARE(sim->activeConnections(), 0);
}

void tst_DeviceSimulator::projectorDefaults_data()
{
    QTest::addColumn<QByteArrayList>("requests");
    QTest::addColumn<QByteArrayList>("replies");
    QTest::newRow("input") << QByteArrayList{"INPUT?", "INPUT 3", "INPUT?"}
                           << QByteArrayList{"INPUT=1", "OK", "INPUT=3"};
    QTest::newRow("volume") << QByteArrayList{"VOL?", "VOL 72", "VOL?", "VOL 101", "VOL x", "VOL?"}
                            << QByteArrayList{"VOL=50", "OK", "VOL=72", "ERR bad value", "ERR bad value", "VOL=72"};
    QTest::newRow("echo") << QByteArrayList{"ECHO hello world", "ECHO "}
                          << QByteArrayList{"hello world", ""};
}

void tst_DeviceSimulator::projectorDefaults()
{
    QFETCH(QByteArrayList, requests);
    QFETCH(QByteArrayList, replies);
    LineClient client;
    QVERIFY(client.connectTo(sim->tcpPort()));
    for (qsizetype i = 0; i < requests.size(); ++i) {
        client.send(requests.at(i) + '\r');
        QCOMPARE(client.line(), replies.at(i));
    }
}

void tst_DeviceSimulator::unknownCommand()
{
    LineClient client;
    QVERIFY(client.connectTo(sim->tcpPort()));
    client.send("LAMP?\r");
    QCOMPARE(client.line(), QByteArray("ERR unknown command"));
    client.send("pwr?\r");   // exact match: case matters
    QCOMPARE(client.line(), QByteArray("ERR unknown command"));
    sim->setUnknownReply("?");
    client.send("LAMP?\r");
    QCOMPARE(client.line(), QByteArray("?"));
    QCOMPARE(sim->commandsReceived(), 3);
}

void tst_DeviceSimulator::replyTableWinsOverBuiltins()
{
    sim->setReply(QStringLiteral("LAMP?"), QStringLiteral("LAMP=1200"));
    sim->setReply(QStringLiteral("PWR ON"), QStringLiteral("ACK"));
    LineClient client;
    QVERIFY(client.connectTo(sim->tcpPort()));
    client.send("LAMP?\rPWR ON\rPWR?\r");
    QCOMPARE(client.line(), QByteArray("LAMP=1200"));
    QCOMPARE(client.line(), QByteArray("ACK"));
    QCOMPARE(client.line(), QByteArray("PWR=OFF"));   // a table entry has no side effect

    sim->setBuiltinsEnabled(false);
    client.send("PWR?\r");
    QCOMPARE(client.line(), QByteArray("ERR unknown command"));
    sim->clearReplies();
    client.send("LAMP?\r");
    QCOMPARE(client.line(), QByteArray("ERR unknown command"));
}

void tst_DeviceSimulator::severalClients()
{
    QSignalSpy connected(sim.get(), &DeviceSimulator::clientConnected);
    LineClient a, b, c;
    QVERIFY(a.connectTo(sim->tcpPort()));
    QVERIFY(b.connectTo(sim->tcpPort()));
    QVERIFY(c.connectTo(sim->tcpPort()));
    QVERIFY(QTest::qWaitFor([this] { return sim->activeConnections() == 3; }, TimeoutMs));
    QCOMPARE(connected.size(), 3);

    // Interleaved halves: each client has its own buffer.
    a.send("ECHO al");
    b.send("ECHO bo");
    QVERIFY(QTest::qWaitFor([this] { return sim->bytesReceived() == 14; }, TimeoutMs));
    c.send("ECHO carol\r");
    QCOMPARE(c.line(), QByteArray("carol"));
    b.send("b\r");
    a.send("ice\r");
    QCOMPARE(a.line(), QByteArray("alice"));
    QCOMPARE(b.line(), QByteArray("bob"));
    QVERIFY(a.received.isEmpty() && b.received.isEmpty() && c.received.isEmpty());

    // Shared device state: one client's change is seen by another.
    a.send("INPUT 4\r");
    QCOMPARE(a.line(), QByteArray("OK"));
    c.send("INPUT?\r");
    QCOMPARE(c.line(), QByteArray("INPUT=4"));
}

void tst_DeviceSimulator::partialWritesAcrossPackets()
{
    LineClient client;
    QVERIFY(client.connectTo(sim->tcpPort()));
    const QByteArray request("VOL 33\rVOL?\r");
    qint64 expected = 0;
    for (char byte : request) {
        client.send(QByteArray(1, byte));
        ++expected;
        // The simulator has each byte on its own before the next is sent.
        QVERIFY(QTest::qWaitFor([&] { return sim->bytesReceived() == expected; }, TimeoutMs));
    }
    QCOMPARE(client.line(), QByteArray("OK"));
    QCOMPARE(client.line(), QByteArray("VOL=33"));
    QCOMPARE(sim->commandsReceived(), 2);
}

void tst_DeviceSimulator::binaryBytes()
{
    const QByteArray request("\x01\x00\xff\x80Q", 5);
    const QByteArray reply("\x00\xfe\x7f", 3);
    sim->setReplyBytes(request, reply);
    LineClient client;
    QVERIFY(client.connectTo(sim->tcpPort()));
    client.send(request + '\r');
    QCOMPARE(client.line(), reply);

    // ECHO returns any bytes as they came.
    const QByteArray payload("\x00\x01\x02\xfe\xff", 5);
    client.send(QByteArray("ECHO ") + payload + '\r');
    QCOMPARE(client.line(), payload);
    QCOMPARE(sim->commandsReceived(), 2);
}

void tst_DeviceSimulator::configuredTerminators_data()
{
    QTest::addColumn<QByteArray>("terminator");
    QTest::newRow("lf") << QByteArray("\n");
    QTest::newRow("crlf") << QByteArray("\r\n");
}

void tst_DeviceSimulator::configuredTerminators()
{
    QFETCH(QByteArray, terminator);
    sim->setTerminator(terminator);
    QCOMPARE(sim->terminator(), terminator);
    LineClient client(terminator);
    QVERIFY(client.connectTo(sim->tcpPort()));
    client.send("PWR ON" + terminator + "PWR?");
    QVERIFY(QTest::qWaitFor([&] { return sim->bytesReceived() == 10 + terminator.size(); }, TimeoutMs));
    QCOMPARE(sim->commandsReceived(), 1);
    if (terminator.size() > 1) {
        // The terminator split across two packets: half of it is not the end.
        client.send(terminator.left(1));
        QVERIFY(QTest::qWaitFor([&] { return sim->bytesReceived() == 11 + terminator.size(); }, TimeoutMs));
        QCOMPARE(sim->commandsReceived(), 1);
        client.send(terminator.mid(1));
    } else {
        client.send(terminator);
    }
    QCOMPARE(client.line(), QByteArray("OK"));
    QCOMPARE(client.line(), QByteArray("PWR=ON"));
    QCOMPARE(sim->commandsReceived(), 2);
    // The old terminator is now an ordinary byte.
    if (terminator == "\n") {
        client.send("ECHO a\rb\n");
        QCOMPARE(client.line(), QByteArray("a\rb"));
    }
}

void tst_DeviceSimulator::udpRequestReply()
{
    QUdpSocket client;
    QVERIFY(client.bind(QHostAddress::LocalHost, 0));

    std::optional<QNetworkDatagram> reply = udpExchange(client, sim->udpPort(), "PWR ON\r");
    QVERIFY(reply);
    QCOMPARE(reply->data(), QByteArray("OK\r"));
    QCOMPARE(reply->senderPort(), int(sim->udpPort()));
    QCOMPARE(reply->senderAddress(), QHostAddress(QHostAddress::LocalHost));

    reply = udpExchange(client, sim->udpPort(), "PWR?");   // the terminator is optional
    QVERIFY(reply);
    QCOMPARE(reply->data(), QByteArray("PWR=ON\r"));

    // A second sender gets its own answer.
    QUdpSocket other;
    QVERIFY(other.bind(QHostAddress::LocalHost, 0));
    reply = udpExchange(other, sim->udpPort(), "ECHO other");
    QVERIFY(reply);
    QCOMPARE(reply->data(), QByteArray("other\r"));
    QVERIFY(!client.hasPendingDatagrams());
    QCOMPARE(sim->commandsReceived(), 3);
}

void tst_DeviceSimulator::banner()
{
    sim->setBanner("PJLINK 0");
    LineClient client;
    QVERIFY(client.connectTo(sim->tcpPort()));
    QCOMPARE(client.line(), QByteArray("PJLINK 0"));
    client.send("VOL?\r");
    QCOMPARE(client.line(), QByteArray("VOL=50"));
}

void tst_DeviceSimulator::faultRefuse()
{
    QSignalSpy connected(sim.get(), &DeviceSimulator::clientConnected);
    sim->setRefuseConnections(true);
    QVERIFY(sim->faults().refuseConnections);
    LineClient client;
    client.socket.connectToHost(QHostAddress::LocalHost, sim->tcpPort());
    // The kernel completes the handshake; the simulator then closes at once.
    QVERIFY(QTest::qWaitFor([this] { return sim->connectionsRefused() == 1; }, TimeoutMs));
    if (client.socket.state() == QAbstractSocket::ConnectedState)
        client.send("PWR?\r");
    QVERIFY(client.waitForClosed());
    QVERIFY(client.received.isEmpty());
    QCOMPARE(sim->connectionsRefused(), 1);
    QCOMPARE(sim->connectionsAccepted(), 0);
    QCOMPARE(sim->commandsReceived(), 0);
    QCOMPARE(connected.size(), 0);

    sim->setRefuseConnections(false);
    LineClient again;
    QVERIFY(again.connectTo(sim->tcpPort()));
    again.send("PWR?\r");
    QCOMPARE(again.line(), QByteArray("PWR=OFF"));
}

void tst_DeviceSimulator::faultStopListening()
{
    const quint16 port = sim->tcpPort();
    sim->setStopListening(true);
    QCOMPARE(sim->tcpPort(), port);
    QTcpSocket refused;
    QSignalSpy errors(&refused, &QAbstractSocket::errorOccurred);
    refused.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(QTest::qWaitFor([&] { return !errors.isEmpty(); }, TimeoutMs));
    QCOMPARE(refused.error(), QAbstractSocket::ConnectionRefusedError);

    sim->setStopListening(false);
    LineClient client;
    QVERIFY(client.connectTo(port));
    client.send("ECHO back\r");
    QCOMPARE(client.line(), QByteArray("back"));
}

void tst_DeviceSimulator::faultDropAfter()
{
    QSignalSpy disconnected(sim.get(), &DeviceSimulator::clientDisconnected);
    sim->setDropAfterCommands(2);
    LineClient client;
    QVERIFY(client.connectTo(sim->tcpPort()));
    client.send("PWR ON\rPWR?\rINPUT?\r");
    QVERIFY(client.waitForClosed());
    // The first two were answered, the third never.
    QCOMPARE(client.received, QByteArray("OK\rPWR=ON\r"));
    QCOMPARE(sim->commandsReceived(), 2);
    QVERIFY(QTest::qWaitFor([&] { return disconnected.size() == 1; }, TimeoutMs));
    QCOMPARE(sim->activeConnections(), 0);

    // A new connection counts from zero again; spread over two writes.
    LineClient next;
    QVERIFY(next.connectTo(sim->tcpPort()));
    next.send("VOL?\r");
    QCOMPARE(next.line(), QByteArray("VOL=50"));
    QCOMPARE(next.socket.state(), QAbstractSocket::ConnectedState);
    next.send("VOL?\r");
    QCOMPARE(next.line(), QByteArray("VOL=50"));
    QVERIFY(next.waitForClosed());
}

void tst_DeviceSimulator::faultSilent()
{
    QSignalSpy commands(sim.get(), &DeviceSimulator::commandReceived);
    sim->setSilent(true);
    LineClient client;
    QVERIFY(client.connectTo(sim->tcpPort()));
    client.send("PWR ON\r");
    QVERIFY(QTest::qWaitFor([&] { return commands.size() == 1; }, TimeoutMs));
    QCOMPARE(sim->commandsReceived(), 1);
    QVERIFY(!sim->isPoweredOn());   // swallowed, not acted on

    // TCP keeps order: if the swallowed request had been answered, its reply
    // would come before this one.
    sim->setSilent(false);
    client.send("ECHO after\r");
    QCOMPARE(client.line(), QByteArray("after"));
    QVERIFY(client.received.isEmpty());
    QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
}

void tst_DeviceSimulator::faultSilentUdp()
{
    QUdpSocket client;
    QVERIFY(client.bind(QHostAddress::LocalHost, 0));
    sim->setSilent(true);
    client.writeDatagram("PWR?\r", QHostAddress::LocalHost, sim->udpPort());
    QVERIFY(QTest::qWaitFor([this] { return sim->commandsReceived() == 1; }, TimeoutMs));
    sim->setSilent(false);
    const std::optional<QNetworkDatagram> reply = udpExchange(client, sim->udpPort(), "ECHO after");
    QVERIFY(reply);
    QCOMPARE(reply->data(), QByteArray("after\r"));   // the first datagram got nothing
    QVERIFY(!client.hasPendingDatagrams());
}

void tst_DeviceSimulator::faultSlowReplies()
{
    constexpr int DelayMs = 300;
    sim->setReplyDelayMs(DelayMs);
    QCOMPARE(sim->faults().replyDelayMs, DelayMs);

    LineClient client;
    QVERIFY(client.connectTo(sim->tcpPort()));
    QElapsedTimer elapsed;
    elapsed.start();
    client.send("PWR ON\rPWR?\r");
    QCOMPARE(client.line(), QByteArray("OK"));
    QVERIFY2(elapsed.elapsed() >= DelayMs, qPrintable(QString::number(elapsed.elapsed())));
    QCOMPARE(client.line(), QByteArray("PWR=ON"));   // order kept

    QUdpSocket udp;
    QVERIFY(udp.bind(QHostAddress::LocalHost, 0));
    elapsed.restart();
    const std::optional<QNetworkDatagram> reply = udpExchange(udp, sim->udpPort(), "VOL?");
    QVERIFY(reply);
    QVERIFY2(elapsed.elapsed() >= DelayMs, qPrintable(QString::number(elapsed.elapsed())));
    QCOMPARE(reply->data(), QByteArray("VOL=50\r"));

    // Back to prompt replies: well under the delay.
    sim->setReplyDelayMs(0);
    elapsed.restart();
    client.send("VOL?\r");
    QCOMPARE(client.line(), QByteArray("VOL=50"));
    QVERIFY2(elapsed.elapsed() < DelayMs, qPrintable(QString::number(elapsed.elapsed())));
}

void tst_DeviceSimulator::repliesFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("dsp.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({
        "replies": {"GAIN?": "GAIN=-6", "MUTE 1": "MUTED", "NAME?": "Salle \u00e9t\u00e9"},
        "builtins": false,
        "unknown": "NAK"
    })");
    file.close();

    QCOMPARE(sim->loadRepliesFile(path), QString());
    QVERIFY(!sim->builtinsEnabled());
    QCOMPARE(sim->unknownReply(), QByteArray("NAK"));
    QCOMPARE(sim->replies().size(), 3);

    LineClient client;
    QVERIFY(client.connectTo(sim->tcpPort()));
    client.send("GAIN?\rMUTE 1\rPWR?\rNAME?\r");
    QCOMPARE(client.line(), QByteArray("GAIN=-6"));
    QCOMPARE(client.line(), QByteArray("MUTED"));
    QCOMPARE(client.line(), QByteArray("NAK"));
    QCOMPARE(client.line(), QStringLiteral("Salle \u00e9t\u00e9").toUtf8());
}

void tst_DeviceSimulator::repliesFileErrors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("not json") << QByteArray("{\"replies\": ");
    QTest::newRow("array") << QByteArray("[]");
    QTest::newRow("unknown key") << QByteArray(R"({"replys": {}})");
    QTest::newRow("replies not object") << QByteArray(R"({"replies": ["A"]})");
    QTest::newRow("reply not string") << QByteArray(R"({"replies": {"A": 1}})");
    QTest::newRow("empty request") << QByteArray(R"({"replies": {"": "x"}})");
    QTest::newRow("builtins not bool") << QByteArray(R"({"builtins": "no"})");
    QTest::newRow("unknown not string") << QByteArray(R"({"replies": {"A": "B"}, "unknown": null})");
}

void tst_DeviceSimulator::repliesFileErrors()
{
    QFETCH(QByteArray, json);
    const QString error = sim->loadRepliesJson(json);
    QVERIFY2(!error.isEmpty(), json.constData());
    QVERIFY(!error.contains(QLatin1Char('\n')));
    // Nothing of a bad document is applied.
    QVERIFY(sim->replies().isEmpty());
    QVERIFY(sim->builtinsEnabled());

    QVERIFY(!sim->loadRepliesFile(QStringLiteral("/nonexistent/replies.json")).isEmpty());
}

void tst_DeviceSimulator::stopClosesClients()
{
    LineClient client;
    QVERIFY(client.connectTo(sim->tcpPort()));
    QVERIFY(QTest::qWaitFor([this] { return sim->activeConnections() == 1; }, TimeoutMs));
    QSignalSpy disconnected(sim.get(), &DeviceSimulator::clientDisconnected);
    const quint16 port = sim->tcpPort();
    sim->stop();
    QVERIFY(!sim->isRunning());
    QCOMPARE(sim->tcpPort(), quint16(0));
    QCOMPARE(disconnected.size(), 1);
    QVERIFY(client.waitForClosed());

    QTcpSocket refused;
    QSignalSpy errors(&refused, &QAbstractSocket::errorOccurred);
    refused.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(QTest::qWaitFor([&] { return !errors.isEmpty(); }, TimeoutMs));
    QCOMPARE(refused.error(), QAbstractSocket::ConnectionRefusedError);

    // It can start again.
    QCOMPARE(sim->start(0, DeviceSimulator::Off), QString());
    LineClient again;
    QVERIFY(again.connectTo(sim->tcpPort()));
    again.send("PWR?\r");
    QCOMPARE(again.line(), QByteArray("PWR=OFF"));
}

void tst_DeviceSimulator::programArgumentErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--bogus")};
    QTest::newRow("port not a number") << QStringList{QStringLiteral("--tcp-port"), QStringLiteral("abc")};
    QTest::newRow("port too big") << QStringList{QStringLiteral("--udp-port"), QStringLiteral("65536")};
    QTest::newRow("both off") << QStringList{QStringLiteral("--tcp-port"), QStringLiteral("off"),
                                             QStringLiteral("--udp-port"), QStringLiteral("off")};
    QTest::newRow("terminator") << QStringList{QStringLiteral("--terminator"), QStringLiteral("nul")};
    QTest::newRow("drop after 0") << QStringList{QStringLiteral("--fault-drop-after"), QStringLiteral("0")};
    QTest::newRow("negative delay") << QStringList{QStringLiteral("--fault-delay-ms"), QStringLiteral("-5")};
    QTest::newRow("missing replies file") << QStringList{QStringLiteral("--replies"), QStringLiteral("/nonexistent.json")};
    QTest::newRow("positional") << QStringList{QStringLiteral("extra")};
}

void tst_DeviceSimulator::programArgumentErrors()
{
    QFETCH(QStringList, arguments);
    if (!QFileInfo::exists(simulatorBinary()))
        QSKIP("device-simulator is not built");
    QProcess process;
    process.start(simulatorBinary(), arguments);
    QVERIFY(process.waitForFinished(TimeoutMs));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 2);
    const QByteArray error = process.readAllStandardError();
    QVERIFY2(error.startsWith("device-simulator: ") && error.count('\n') == 1, error.constData());
    QVERIFY(process.readAllStandardOutput().isEmpty());
}

void tst_DeviceSimulator::programServesAndStopsOnSigterm()
{
    if (!QFileInfo::exists(simulatorBinary()))
        QSKIP("device-simulator is not built");
    QProcess process;
    process.start(simulatorBinary(), {QStringLiteral("--udp-port"), QStringLiteral("off"),
                                      QStringLiteral("--terminator"), QStringLiteral("lf"),
                                      QStringLiteral("--banner"), QStringLiteral("HELLO"),
                                      QStringLiteral("--fault-drop-after"), QStringLiteral("5")});
    QVERIFY(QTest::qWaitFor([&] { return process.canReadLine(); }, TimeoutMs));
    const QByteArray line = process.readLine().trimmed();
    const QByteArray prefix("device-simulator: tcp 127.0.0.1:");
    QVERIFY2(line.startsWith(prefix) && line.endsWith(" udp off"), line.constData());
    bool ok = false;
    const quint16 port = line.mid(prefix.size(), line.indexOf(' ', prefix.size()) - prefix.size()).toUShort(&ok);
    QVERIFY(ok && port != 0);

    LineClient client(QByteArrayLiteral("\n"));
    QVERIFY(client.connectTo(port));
    QCOMPARE(client.line(), QByteArray("HELLO"));
    client.send("PWR ON\nPWR?\n");
    QCOMPARE(client.line(), QByteArray("OK"));
    QCOMPARE(client.line(), QByteArray("PWR=ON"));

    process.terminate();   // SIGTERM
    QVERIFY(process.waitForFinished(TimeoutMs));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(client.waitForClosed());
}

QTEST_GUILESS_MAIN(tst_DeviceSimulator)
#include "tst_devicesimulator.moc"
