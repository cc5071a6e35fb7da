#include "simulator/devicesimulator.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QLoggingCategory>
#include <QNetworkDatagram>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUdpSocket>

#include <algorithm>
#include <utility>

Q_LOGGING_CATEGORY(lcSimulator, "nuc.simulator", QtInfoMsg)

namespace {

// A TCP client that never sends the terminator loses what it sent beyond this.
constexpr qsizetype MaxBufferedBytes = 64 * 1024;

QString portError(const char *transport, int port)
{
    return QStringLiteral("the %1 port must be from 0 to 65535, got %2")
        .arg(QLatin1String(transport)).arg(port);
}

} // namespace

DeviceSimulator::DeviceSimulator(QObject *parent)
    : QObject(parent)
{
    m_delayTimer.setSingleShot(true);
    m_delayTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_delayTimer, &QTimer::timeout, this, &DeviceSimulator::flushDue);
}

DeviceSimulator::~DeviceSimulator()
{
    teardown(false);
}

QString DeviceSimulator::start(int tcpPort, int udpPort)
{
    if (m_running)
        return QStringLiteral("the simulator is already running");
    if (tcpPort != Off && (tcpPort < 0 || tcpPort > 65535))
        return portError("TCP", tcpPort);
    if (udpPort != Off && (udpPort < 0 || udpPort > 65535))
        return portError("UDP", udpPort);
    if (tcpPort == Off && udpPort == Off)
        return QStringLiteral("neither TCP nor UDP is to be served");

    if (tcpPort != Off) {
        m_tcpServer = new QTcpServer(this);
        // One simulator stands in for many devices (bench_devices: 500 on
        // one port, all dialling at once at a cold start). With Qt's default
        // backlog of 50 the kernel drops the other SYNs and the clients only
        // retry after the 1 s SYN timeout: a delay real devices, each with
        // its own listener, do not have.
        m_tcpServer->setListenBacklogSize(1024);
        if (!m_tcpServer->listen(QHostAddress::LocalHost, quint16(tcpPort))) {
            const QString error = QStringLiteral("cannot listen on TCP 127.0.0.1:%1: %2")
                                      .arg(tcpPort).arg(m_tcpServer->errorString());
            teardown(false);
            return error;
        }
        m_tcpPort = m_tcpServer->serverPort();
        connect(m_tcpServer, &QTcpServer::newConnection, this, &DeviceSimulator::onNewConnection);
        updateListening();
    }
    if (udpPort != Off) {
        m_udpSocket = new QUdpSocket(this);
        if (!m_udpSocket->bind(QHostAddress::LocalHost, quint16(udpPort))) {
            const QString error = QStringLiteral("cannot bind UDP 127.0.0.1:%1: %2")
                                      .arg(udpPort).arg(m_udpSocket->errorString());
            teardown(false);
            return error;
        }
        m_udpPort = m_udpSocket->localPort();
        connect(m_udpSocket, &QUdpSocket::readyRead, this, &DeviceSimulator::onUdpReadyRead);
    }
    m_running = true;
    qCDebug(lcSimulator).nospace() << "listening: tcp port " << m_tcpPort << ", udp port " << m_udpPort
                                   << " (0: not served)";
    return {};
}

void DeviceSimulator::stop()
{
    teardown(true);
}

void DeviceSimulator::teardown(bool notify)
{
    m_delayTimer.stop();
    m_pending.clear();
    const QList<QTcpSocket *> sockets = m_clients.keys();
    m_clients.clear();
    for (QTcpSocket *socket : sockets) {
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
    if (m_tcpServer) {
        m_tcpServer->disconnect(this);
        m_tcpServer->close();
        m_tcpServer->deleteLater();
        m_tcpServer = nullptr;
    }
    if (m_udpSocket) {
        m_udpSocket->disconnect(this);
        m_udpSocket->close();
        m_udpSocket->deleteLater();
        m_udpSocket = nullptr;
    }
    m_tcpPort = 0;
    m_udpPort = 0;
    if (m_running)
        qCDebug(lcSimulator) << "stopped";
    m_running = false;
    if (notify) {
        for (qsizetype i = 0; i < sockets.size(); ++i)
            emit clientDisconnected();
    }
}

void DeviceSimulator::setTerminator(const QByteArray &terminator)
{
    if (terminator.isEmpty()) {
        qCWarning(lcSimulator) << "ignoring an empty terminator";
        return;
    }
    m_terminator = terminator;
}

void DeviceSimulator::setReply(const QString &request, const QString &reply)
{
    setReplyBytes(request.toUtf8(), reply.toUtf8());
}

void DeviceSimulator::setReplyBytes(const QByteArray &request, const QByteArray &reply)
{
    m_replies.insert(request, reply);
}

void DeviceSimulator::clearReplies()
{
    m_replies.clear();
}

QString DeviceSimulator::loadRepliesFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
    const QString error = loadRepliesJson(file.readAll());
    if (!error.isEmpty())
        return QStringLiteral("%1: %2").arg(path, error);
    qCInfo(lcSimulator) << "loaded replies from" << path;
    return {};
}

QString DeviceSimulator::loadRepliesJson(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return QStringLiteral("not valid JSON (%1 at offset %2)").arg(parseError.errorString()).arg(parseError.offset);
    if (!document.isObject())
        return QStringLiteral("the top level must be a JSON object");
    const QJsonObject root = document.object();
    const QString repliesKey = QStringLiteral("replies");
    const QString builtinsKey = QStringLiteral("builtins");
    const QString unknownKey = QStringLiteral("unknown");
    for (auto it = root.constBegin(); it != root.constEnd(); ++it) {
        if (it.key() != repliesKey && it.key() != builtinsKey && it.key() != unknownKey)
            return QStringLiteral("unknown key '%1' (expected replies, builtins or unknown)").arg(it.key());
    }

    QHash<QByteArray, QByteArray> table;
    if (root.contains(repliesKey)) {
        const QJsonValue value = root.value(repliesKey);
        if (!value.isObject())
            return QStringLiteral("'replies' must be an object of request -> reply strings");
        const QJsonObject replies = value.toObject();
        for (auto it = replies.constBegin(); it != replies.constEnd(); ++it) {
            if (it.key().isEmpty())
                return QStringLiteral("'replies' has an empty request");
            if (!it.value().isString())
                return QStringLiteral("the reply to '%1' must be a string").arg(it.key());
            table.insert(it.key().toUtf8(), it.value().toString().toUtf8());
        }
    }
    std::optional<bool> builtins;
    if (root.contains(builtinsKey)) {
        if (!root.value(builtinsKey).isBool())
            return QStringLiteral("'builtins' must be true or false");
        builtins = root.value(builtinsKey).toBool();
    }
    std::optional<QByteArray> unknown;
    if (root.contains(unknownKey)) {
        if (!root.value(unknownKey).isString())
            return QStringLiteral("'unknown' must be a string");
        unknown = root.value(unknownKey).toString().toUtf8();
    }

    m_replies.insert(table);
    if (builtins)
        m_builtins = *builtins;
    if (unknown)
        m_unknownReply = *unknown;
    return {};
}

void DeviceSimulator::setFaults(const DeviceSimulatorFaults &faults)
{
    m_faults = faults;
    m_faults.dropAfterCommands = std::max(0, m_faults.dropAfterCommands);
    m_faults.replyDelayMs = std::max(0, m_faults.replyDelayMs);
    qCDebug(lcSimulator) << "faults: refuse" << m_faults.refuseConnections << "stop listening"
                         << m_faults.stopListening << "drop after" << m_faults.dropAfterCommands
                         << "silent" << m_faults.silent << "delay ms" << m_faults.replyDelayMs;
    updateListening();
}

void DeviceSimulator::setRefuseConnections(bool refuse)
{
    DeviceSimulatorFaults f = m_faults;
    f.refuseConnections = refuse;
    setFaults(f);
}

void DeviceSimulator::setStopListening(bool stop)
{
    DeviceSimulatorFaults f = m_faults;
    f.stopListening = stop;
    setFaults(f);
}

void DeviceSimulator::setDropAfterCommands(int commands)
{
    DeviceSimulatorFaults f = m_faults;
    f.dropAfterCommands = commands;
    setFaults(f);
}

void DeviceSimulator::setSilent(bool silent)
{
    DeviceSimulatorFaults f = m_faults;
    f.silent = silent;
    setFaults(f);
}

void DeviceSimulator::setReplyDelayMs(int ms)
{
    DeviceSimulatorFaults f = m_faults;
    f.replyDelayMs = ms;
    setFaults(f);
}

void DeviceSimulator::updateListening()
{
    if (!m_tcpServer)
        return;
    if (m_faults.stopListening && m_tcpServer->isListening()) {
        m_tcpServer->close();
        qCInfo(lcSimulator) << "TCP listener closed (fault)";
    } else if (!m_faults.stopListening && !m_tcpServer->isListening()) {
        // QTcpServer sets SO_REUSEADDR, so the same port is normally free again.
        if (m_tcpServer->listen(QHostAddress::LocalHost, m_tcpPort))
            qCInfo(lcSimulator) << "TCP listener reopened on port" << m_tcpPort;
        else
            qCWarning(lcSimulator) << "cannot listen again on TCP port" << m_tcpPort << m_tcpServer->errorString();
    }
}

void DeviceSimulator::disconnectClients()
{
    const QList<QTcpSocket *> sockets = m_clients.keys();
    for (QTcpSocket *socket : sockets) {
        if (m_clients.contains(socket))
            socket->disconnectFromHost();
    }
}

void DeviceSimulator::onNewConnection()
{
    while (m_tcpServer) {
        QTcpSocket *socket = m_tcpServer->nextPendingConnection();
        if (!socket)
            return;
        if (m_faults.refuseConnections || m_faults.stopListening) {
            ++m_connectionsRefused;
            qCDebug(lcSimulator) << "refusing a connection (fault)";
            socket->close();
            socket->deleteLater();
            continue;
        }
        ++m_connectionsAccepted;
        m_clients.insert(socket, Client{});
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onTcpReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] { onTcpDisconnected(socket); });
        qCDebug(lcSimulator) << "client connected from port" << socket->peerPort();
        if (!m_banner.isEmpty())
            socket->write(m_banner + m_terminator);
        emit clientConnected();
    }
}

void DeviceSimulator::onTcpDisconnected(QTcpSocket *socket)
{
    socket->deleteLater();
    if (m_clients.remove(socket)) {
        qCDebug(lcSimulator) << "client disconnected";
        emit clientDisconnected();
    }
}

void DeviceSimulator::onTcpReadyRead(QTcpSocket *socket)
{
    auto it = m_clients.find(socket);
    if (it == m_clients.end())
        return;
    const QByteArray data = socket->readAll();
    m_bytesReceived += data.size();
    if (it->closing)
        return;   // dropped after its N-th command: the rest is ignored

    QByteArray buffer = std::exchange(it->buffer, {}) + data;
    qsizetype from = 0;
    while (true) {
        const qsizetype end = buffer.indexOf(m_terminator, from);
        if (end < 0)
            break;
        const QByteArray request = buffer.mid(from, end - from);
        from = end + m_terminator.size();
        if (request.isEmpty())
            continue;
        it = m_clients.find(socket);
        if (it == m_clients.end())
            return;
        const int count = ++it->commands;
        const bool drop = m_faults.dropAfterCommands > 0 && count >= m_faults.dropAfterCommands;
        if (drop)
            it->closing = true;
        Outgoing out;
        out.socket = socket;
        out.closeAfter = drop;
        handleRequest(request, out);
        if (drop)
            return;
    }
    buffer.remove(0, from);
    if (buffer.size() > MaxBufferedBytes) {
        qCWarning(lcSimulator) << "discarding" << buffer.size() << "bytes without a terminator";
        buffer.clear();
    }
    it = m_clients.find(socket);   // the handlers above may have closed it
    if (it != m_clients.end())
        it->buffer = buffer;
}

void DeviceSimulator::onUdpReadyRead()
{
    while (m_udpSocket && m_udpSocket->hasPendingDatagrams()) {
        const QNetworkDatagram datagram = m_udpSocket->receiveDatagram();
        if (!datagram.isValid())
            return;
        QByteArray request = datagram.data();
        m_bytesReceived += request.size();
        if (request.endsWith(m_terminator))
            request.chop(m_terminator.size());
        if (request.isEmpty())
            continue;
        Outgoing out;
        out.udp = true;
        out.address = datagram.senderAddress();
        out.port = quint16(datagram.senderPort());
        handleRequest(request, out);
    }
}

void DeviceSimulator::handleRequest(const QByteArray &request, Outgoing out)
{
    ++m_commandsReceived;
    qCDebug(lcSimulator) << (out.udp ? "udp" : "tcp") << "request" << request;
    emit commandReceived(QString::fromUtf8(request));
    if (m_faults.silent) {
        if (out.closeAfter)
            schedule(out, 0);   // nothing to say, but still close (after earlier replies)
        return;
    }
    out.bytes = respond(request) + m_terminator;
    schedule(out, m_faults.replyDelayMs);
}

QByteArray DeviceSimulator::respond(const QByteArray &request)
{
    const auto it = m_replies.constFind(request);
    if (it != m_replies.constEnd())
        return *it;
    if (m_builtins) {
        if (std::optional<QByteArray> reply = builtin(request))
            return *reply;
    }
    return m_unknownReply;
}

std::optional<QByteArray> DeviceSimulator::builtin(const QByteArray &request)
{
    const QByteArray ok = QByteArrayLiteral("OK");
    const QByteArray badValue = QByteArrayLiteral("ERR bad value");
    if (request == "PWR ON") {
        m_power = true;
        return ok;
    }
    if (request == "PWR OFF") {
        m_power = false;
        return ok;
    }
    if (request == "PWR?")
        return m_power ? QByteArrayLiteral("PWR=ON") : QByteArrayLiteral("PWR=OFF");
    if (request == "INPUT?")
        return QByteArray(QByteArrayLiteral("INPUT=") + m_input);
    if (request.startsWith("INPUT ")) {
        const QByteArray value = request.mid(6);
        if (value.isEmpty())
            return badValue;
        m_input = value;
        return ok;
    }
    if (request == "VOL?")
        return QByteArray(QByteArrayLiteral("VOL=") + QByteArray::number(m_volume));
    if (request.startsWith("VOL ")) {
        bool isNumber = false;
        const int value = request.mid(4).toInt(&isNumber);
        if (!isNumber || value < 0 || value > 100)
            return badValue;
        m_volume = value;
        return ok;
    }
    if (request.startsWith("ECHO "))
        return request.mid(5);
    return std::nullopt;
}

void DeviceSimulator::schedule(Outgoing out, int delayMs)
{
    // Replies leave in the order their requests came, whatever the delay.
    if (delayMs <= 0 && m_pending.isEmpty()) {
        send(out);
        return;
    }
    out.due = QDeadlineTimer(std::max(0, delayMs), Qt::PreciseTimer);
    m_pending.append(out);
    if (!m_delayTimer.isActive())
        flushDue();
}

void DeviceSimulator::flushDue()
{
    while (!m_pending.isEmpty() && m_pending.first().due.hasExpired())
        send(m_pending.takeFirst());
    if (!m_pending.isEmpty()) {
        // QDeadlineTimer rounds the remaining time up; a precise timer never fires early.
        m_delayTimer.start(int(std::max<qint64>(1, m_pending.first().due.remainingTime())));
    }
}

void DeviceSimulator::send(const Outgoing &out)
{
    if (out.udp) {
        if (m_udpSocket && !out.bytes.isEmpty())
            m_udpSocket->writeDatagram(out.bytes, out.address, out.port);
        return;
    }
    QTcpSocket *socket = out.socket.data();
    if (!socket || !m_clients.contains(socket))
        return;
    if (!out.bytes.isEmpty())
        socket->write(out.bytes);
    if (out.closeAfter) {
        qCDebug(lcSimulator) << "dropping a client after" << m_faults.dropAfterCommands << "commands (fault)";
        socket->disconnectFromHost();   // writes what is pending first
    }
}
