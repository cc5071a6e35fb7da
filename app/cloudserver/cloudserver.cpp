#include "cloudserver/cloudserver.h"

#include "cloudserver/adminreply.h"

#include "core/epolleventdispatcher.h"
#include "core/logtext.h"
#include "protocol/controllerreports.h"
#include "protocol/envelope.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QUuid>

#include <algorithm>
#include <optional>
#include <utility>

Q_LOGGING_CATEGORY(lcCloudServer, "cloud.server", QtInfoMsg)

using AdminReply::failure;
using AdminReply::success;
using AdminReply::deploymentJson;

namespace {

// A bulk kind of the store from a CloudDatabase method taking its items.
template<typename Item>
CloudStore::BulkWork bulkOf(QString (CloudDatabase::*store)(const std::vector<const Item *> &))
{
    return [store](CloudDatabase &db, const std::vector<const std::any *> &items) {
        std::vector<const Item *> typed;
        typed.reserve(items.size());
        for (const std::any *item : items)
            typed.push_back(std::any_cast<Item>(item));
        return (db.*store)(typed);
    };
}

} // namespace

CloudServer::CloudServer(CloudDatabase *database, const CloudServerSettings &settings, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_settings(settings)
    , m_credentials(database, settings.token, settings.unenrolled)
    // TLS and the token are the gate's: the WebSocket server only upgrades
    // the connections the gate lets through.
    , m_server(new QWebSocketServer(QStringLiteral("control-cloud"), QWebSocketServer::NonSecureMode, this))
    , m_gate(new UpgradeGate(
          m_server,
          [this](const QString &id, const QByteArray &authorization) { return m_credentials.authorize(id, authorization); },
          settings.tls, this))
    , m_store(std::make_unique<CloudStore>(*database, settings.store))
{
    m_statusBulk = m_store->addBulk(bulkOf(&CloudDatabase::storeStatusReports));
    m_ackBulk = m_store->addBulk(bulkOf(&CloudDatabase::storeAcks));
    connect(m_server, &QWebSocketServer::newConnection, this, &CloudServer::onNewConnection);
    // Upgrades are taken as they complete (onNewConnection): no cap needed,
    // and the default of 30 would refuse part of a reconnect storm.
    m_server->setMaxPendingConnections(1 << 16);
    connect(m_server, &QWebSocketServer::serverError, this, [this](QWebSocketProtocol::CloseCode) {
        qCWarning(lcCloudServer).noquote() << "refused a connection in its WebSocket handshake:" << m_server->errorString();
    });
    m_rollouts = new RolloutManager(database, this, this);
    m_inbox = new ControllerInbox([this](QWebSocket *socket, const QString &frame) { onMessage(socket, frame); }, 5, this);
    m_ackStoreTimer.setSingleShot(true);
    connect(&m_ackStoreTimer, &QTimer::timeout, this, &CloudServer::storeDeferredAcks);
}

CloudServer::~CloudServer()
{
    // Ack records still waiting for their second (storeAck) are written:
    // the database thread runs what is queued before it stops. (Their
    // answers are dropped with the store.)
    const QStringList ids = m_controllers.keys();
    for (const QString &id : ids)
        storeAck(id, true);
    for (const QList<Awaiting> &list : std::as_const(m_awaiting)) {
        for (const Awaiting &a : list)
            delete a.timer;
    }
}

QString CloudServer::listen(const QHostAddress &address, quint16 port)
{
    const QString credentials = m_credentials.load();
    if (!credentials.isEmpty())
        return credentials;
    const QString error = m_store->start();
    if (!error.isEmpty())
        return QStringLiteral("cannot start the database thread: %1").arg(error);
    m_gate->setListenBacklog(m_settings.listenBacklog);
    if (!m_gate->listen(address, port))
        return QStringLiteral("cannot listen on %1:%2: %3").arg(address.toString()).arg(port).arg(m_gate->errorString());
    qCInfo(lcCloudServer).noquote() << "listening on" << (m_settings.tls ? u"wss://" : u"ws://") + address.toString()
                                    + QLatin1Char(':') + QString::number(m_gate->serverPort());
    return {};
}

void CloudServer::onNewConnection()
{
    while (QWebSocket *socket = m_server->nextPendingConnection()) {
        socket->setParent(this);   // its token was checked by the gate
        m_descriptors.insert(socket, m_gate->takeDescriptor(socket->peerAddress(), socket->peerPort()));
        connect(socket, &QWebSocket::textMessageReceived, this, [this, socket](const QString &text) {
            m_inbox->add(socket, text, awaitedFrom(socket));
        });
        connect(socket, &QWebSocket::disconnected, this, [this, socket] {
            m_inbox->flush(socket);   // what it said before it went
            m_descriptors.remove(socket);
            const QString id = m_socketIds.take(socket);
            if (!id.isEmpty()) {
                qCInfo(lcCloudServer) << "controller" << id << "disconnected";
                m_controllers[id].socket = nullptr;
                failAwaiting(id, QStringLiteral("controller %1 disconnected before answering").arg(id));
                emit controllerDisconnected(id);
            }
            socket->deleteLater();
        });
    }
}

void CloudServer::dropController(const QString &controllerId, const QString &why)
{
    if (QWebSocket *socket = controllerSocket(controllerId)) {
        qCInfo(lcCloudServer).noquote() << "closing controller" << controllerId << "connection:" << why;
        socket->close(QWebSocketProtocol::CloseCodePolicyViolated, why);
    }
}

QString CloudServer::controllerIdOf(QWebSocket *socket) const
{
    // A hash, not a scan of every controller: this runs for every message.
    return m_socketIds.value(socket);
}

bool CloudServer::awaitedFrom(QWebSocket *socket) const
{
    const auto it = m_awaiting.constFind(controllerIdOf(socket));
    return it != m_awaiting.cend() && !it->isEmpty();
}

void CloudServer::updatePriority(const QString &controllerId)
{
    const auto it = m_controllers.constFind(controllerId);
    if (it == m_controllers.cend() || !it->socket)
        return;
    EpollEventDispatcher::prioritize(m_descriptors.value(it->socket, -1), awaitedFrom(it->socket));
}

QWebSocket *CloudServer::controllerSocket(const QString &controllerId) const
{
    const auto it = m_controllers.constFind(controllerId);
    return it == m_controllers.constEnd() ? nullptr : it->socket.data();
}

void CloudServer::send(QWebSocket *socket, const QString &type, const QJsonObject &data)
{
    const QJsonObject envelope{{QStringLiteral("type"), type},
                               {QStringLiteral("timestamp"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
                               {QStringLiteral("data"), data}};
    socket->sendTextMessage(QString::fromUtf8(QJsonDocument(envelope).toJson(QJsonDocument::Compact)));
}

void CloudServer::onMessage(QWebSocket *socket, const QString &text)
{
    const Parsed<Envelope> envelope = Envelope::parse(text, 0);
    if (!envelope.ok()) {
        qCWarning(lcCloudServer).noquote() << "ignoring a frame that breaks the protocol:" << envelope.error;
        return;
    }
    const QString &type = envelope.value.type;
    const QJsonObject &data = envelope.value.data;
    QString controllerId = controllerIdOf(socket);

    if (type == u"hello")
        return onHello(socket, data);
    if (controllerId.isEmpty()) {
        qCWarning(lcCloudServer) << "message" << type << "before hello; ignored";
        return;
    }
    onReport(controllerId, envelope.value.seq, type, data);
}

void CloudServer::onHello(QWebSocket *socket, const QJsonObject &data)
{
    const Parsed<HelloReport> hello = HelloReport::parse(data);
    if (!hello.ok()) {
        qCWarning(lcCloudServer).noquote() << "invalid hello:" << hello.error << "; closing";
        socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("invalid hello: ") + hello.error);
        return;
    }
    const QString controllerId = hello.value.controllerId;
    // The gate checked the credential of the id in X-Controller-Id: the
    // hello may not switch to another, or the id's owner could be replaced.
    const QString headerId = QString::fromUtf8(socket->request().rawHeader("X-Controller-Id"));
    if (!m_credentials.mayClaim(headerId, controllerId)) {
        qCWarning(lcCloudServer).noquote() << "refused a hello as" << LogText::escaped(controllerId)
                                           << "on a connection checked for" << LogText::escaped(headerId);
        socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                      QStringLiteral("controller_id does not match the credential"));
        return;
    }
    // A second hello on this connection under another id ends the first one's.
    const QString previous = m_socketIds.value(socket);
    if (!previous.isEmpty() && previous != controllerId)
        m_controllers[previous].socket = nullptr;
    Controller &c = m_controllers[controllerId];
    if (c.socket && c.socket != socket) {
        m_socketIds.remove(c.socket);
        c.socket->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("replaced by a new connection"));
    }
    m_socketIds.insert(socket, controllerId);
    c.socket = socket;
    c.hello = data;
    c.connectedAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    // Reports of an earlier connection still on their way to the database
    // no longer count for this one's acks.
    c.connection = ++m_connections;
    c.uncommitted.clear();
    c.committedMax = 0;
    // The last ack of the connection before, if its record still waits for
    // its second (storeAck), is written now: the welcome's read below comes
    // after it on the database thread, so last_seq is the last ack sent.
    storeAck(controllerId, true);
    c.ackedSeq = c.ackPending = 0;
    const quint64 connection = c.connection;
    const qsizetype drivers = hello.value.drivers.size();
    const qsizetype devices = hello.value.devices.size();
    m_store->call<qint64>(
        CloudStore::Priority::Urgent,
        [controllerId, data](CloudDatabase &db, QString *error) {
            // Without its row no ack can be recorded for the next welcome:
            // no welcome either (the base behaviour), said with the reason.
            const QString stored = db.storeController(controllerId, data);
            if (!stored.isEmpty()) {
                *error = QStringLiteral("cannot store the controller: ") + stored;
                return qint64(0);
            }
            return db.ackedReportSeq(controllerId, error);
        },
        [this, controllerId, connection, drivers, devices](qint64 lastSeq, const QString &error) {
            const Controller &c = m_controllers[controllerId];
            if (c.connection != connection || !c.socket)
                return;   // gone or replaced meanwhile
            qCInfo(lcCloudServer).noquote() << "controller" << controllerId << "connected:" << drivers << "drivers,"
                                            << devices << "devices";
            if (!error.isEmpty()) {
                // Without the last seq the controller cannot be told what to
                // resend: no welcome, so it falls back to the base behaviour.
                qCWarning(lcCloudServer).noquote() << "cannot read the reports of" << controllerId << ":" << error;
            } else {
                sendWelcome(controllerId, lastSeq);
            }
            emit controllerConnected(controllerId);
        });
}

void CloudServer::waitForDeployment(const QString &syncId, int timeoutMs, const Reply &reply)
{
    // Registered first: an outcome committed after the read below still finds it.
    auto *timer = new QTimer(this);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, [this, syncId, timer] {
        auto &list = m_waiting[syncId];
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (list.at(i).second == timer) {
                const Reply reply = list.at(i).first;
                list.removeAt(i);
                timer->deleteLater();
                reply(failure(QStringLiteral("deployment %1 did not finish in time").arg(syncId)));
                return;
            }
        }
    });
    timer->start(timeoutMs);
    m_waiting[syncId].append({reply, timer});
    m_store->call<std::optional<DeploymentRow>>(
        CloudStore::Priority::Urgent,
        [syncId](CloudDatabase &db, QString *error) { return db.deployment(syncId, error); },
        [this](const std::optional<DeploymentRow> &row, const QString &) {
            if (row)
                answerWaiters(*row);   // when it is over already
        });
}

void CloudServer::provision(const QJsonObject &request, const Reply &reply)
{
    const QString controllerId = request.value(QStringLiteral("controller_id")).toString();
    QWebSocket *socket = controllerSocket(controllerId);
    if (!socket)
        return reply(failure(QStringLiteral("controller %1 is not connected").arg(controllerId)));
    if (!request.value(QStringLiteral("devices")).isArray())
        return reply(failure(QStringLiteral("devices must be an array")));
    send(socket, QStringLiteral("device_sync"),
         QJsonObject{{QStringLiteral("replace"), request.value(QStringLiteral("replace")).toBool(false)},
                     {QStringLiteral("devices"), request.value(QStringLiteral("devices"))}});
    // device_sync has no answer of its own when it succeeds: a fence behind
    // it gives one. A device_command without a device_id is refused by the
    // controller's parser before any device is looked at, and answered by
    // exactly one device_command_result (PROTOCOL.md); frames are handled in
    // order, so a protocol_error for the device_sync comes before it. See
    // docs/cloud.md "What control-cloud reports".
    const QString fence = QUuid::createUuid().toString(QUuid::WithoutBraces);
    await(controllerId, QStringLiteral("device_sync"), fence, reply,
          int(request.value(QStringLiteral("devices")).toArray().size()));
    send(socket, QStringLiteral("device_command"),
         QJsonObject{{QStringLiteral("request_id"), fence}, {QStringLiteral("device_id"), QString()},
                     {QStringLiteral("command"), QStringLiteral("device_sync_fence")}});
}

void CloudServer::command(const QJsonObject &request, const Reply &reply)
{
    const QString controllerId = request.value(QStringLiteral("controller_id")).toString();
    QWebSocket *socket = controllerSocket(controllerId);
    if (!socket)
        return reply(failure(QStringLiteral("controller %1 is not connected").arg(controllerId)));
    const QString requestId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    await(controllerId, QStringLiteral("device_command"), requestId, reply);
    send(socket, QStringLiteral("device_command"),
         QJsonObject{{QStringLiteral("request_id"), requestId},
                     {QStringLiteral("device_id"), request.value(QStringLiteral("device_id"))},
                     {QStringLiteral("command"), request.value(QStringLiteral("command"))},
                     {QStringLiteral("params"), request.value(QStringLiteral("params")).toObject()}});
    // Out now, not when the event loop next gets to the socket's write
    // notifier (a turn over every controller's socket during a burst).
    socket->flush();
}

void CloudServer::controllers(const Reply &reply)
{
    // What the event loop knows is taken now; the device statuses are one
    // query of the database thread.
    QJsonArray list;
    QStringList ids = m_controllers.keys();
    ids.sort();
    for (const QString &id : ids) {
        const Controller &c = m_controllers.value(id);
        list.append(QJsonObject{{QStringLiteral("controller_id"), id},
                                {QStringLiteral("connected"), !c.socket.isNull()},
                                {QStringLiteral("name"), c.hello.value(QStringLiteral("name"))},
                                {QStringLiteral("app_version"), c.hello.value(QStringLiteral("app_version"))},
                                {QStringLiteral("connected_at"), c.connectedAt},
                                {QStringLiteral("drivers"), c.hello.value(QStringLiteral("drivers"))}});
    }
    m_store->call<QHash<QString, QJsonArray>>(
        CloudStore::Priority::Urgent, [](CloudDatabase &db, QString *error) { return db.deviceStatuses(error); },
        [list, reply](const QHash<QString, QJsonArray> &statuses, const QString &error) mutable {
            if (!error.isEmpty())
                return reply(failure(error));
            for (qsizetype i = 0; i < list.size(); ++i) {
                QJsonObject o = list.at(i).toObject();
                o.insert(QStringLiteral("devices"), statuses.value(o.value(QStringLiteral("controller_id")).toString()));
                list.replace(i, o);
            }
            reply(success(QJsonObject{{QStringLiteral("controllers"), list}}));
        });
}

void CloudServer::deployments(const QJsonObject &request, const Reply &reply)
{
    // The newest deployments and rollouts only (the history, 100,000 rows
    // and more on a fleet, is never scanned), read on the database thread.
    QString error;
    const int limit = AdminReply::limitOf(request, 100, &error);
    if (limit < 0)
        return reply(failure(error));
    struct Recent
    {
        QList<DeploymentRow> rows;
        bool more = false;
        QHash<QString, QStringList> histories;
    };
    m_store->call<Recent>(
        CloudStore::Priority::Urgent,
        [limit](CloudDatabase &db, QString *error) {
            Recent recent;
            recent.rows = db.recentDeployments(limit, &recent.more, error);
            if (error->isEmpty())
                recent.histories = db.recentDeploymentHistories(limit, error);
            return recent;
        },
        [this, reply](const Recent &recent, const QString &error) {
            if (!error.isEmpty())
                return reply(failure(error));
            QJsonArray list;
            for (const DeploymentRow &r : recent.rows) {
                QJsonObject o = deploymentJson(r);
                o.insert(QStringLiteral("history"), QJsonArray::fromStringList(recent.histories.value(r.syncId)));
                list.append(o);
            }
            reply(success(QJsonObject{{QStringLiteral("deployments"), list},
                                      {QStringLiteral("more_deployments"), recent.more},
                                      {QStringLiteral("rollouts"), m_rollouts->list(RolloutManager::deploymentsViewRollouts, true)}}));
        });
}

void CloudServer::await(const QString &controllerId, const QString &sentType, const QString &key, const Reply &reply,
                        int devices)
{
    auto *timer = new QTimer;
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, [this, controllerId, sentType, key] {
        const std::optional<Awaiting> timedOut = takeAwaiting(controllerId, key);
        if (timedOut && timedOut->reply) {
            timedOut->reply(failure(QStringLiteral("no answer from controller %1 to %2 within %3 ms")
                                        .arg(controllerId, sentType).arg(m_settings.commandTimeoutMs)));
        }
    });
    timer->start(m_settings.commandTimeoutMs);
    m_awaiting[controllerId].append({sentType, key, reply, timer, devices});
    updatePriority(controllerId);
}

std::optional<CloudServer::Awaiting> CloudServer::takeAwaiting(const QString &controllerId, const QString &key)
{
    QList<Awaiting> &list = m_awaiting[controllerId];
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (list.at(i).key == key) {
            Awaiting found = list.takeAt(i);
            if (found.timer)
                found.timer->deleteLater();
            if (list.isEmpty())
                updatePriority(controllerId);
            return found;
        }
    }
    return std::nullopt;
}

void CloudServer::failAwaiting(const QString &controllerId, const QString &why)
{
    const QList<Awaiting> list = m_awaiting.take(controllerId);
    for (const Awaiting &a : list) {
        delete a.timer;
        if (a.reply)
            a.reply(failure(why));
        else if (a.sentType == u"driver_sync" || a.sentType == u"driver_rollback")
            qCInfo(lcCloudServer).noquote() << "deployment" << a.key << "still open:" << why;
    }
}
