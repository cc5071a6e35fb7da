#include "cloudserver/cloudserver.h"

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

namespace {

QJsonObject failure(const QString &message)
{
    return QJsonObject{{QStringLiteral("ok"), false}, {QStringLiteral("error"), message}};
}

QJsonObject success(QJsonObject fields = {})
{
    fields.insert(QStringLiteral("ok"), true);
    return fields;
}

QString uuid()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QJsonObject deploymentJson(const DeploymentRow &r)
{
    return QJsonObject{{QStringLiteral("sync_id"), r.syncId},
                       {QStringLiteral("driver_id"), r.driverId},
                       {QStringLiteral("driver_type"), r.driverType},
                       {QStringLiteral("version"), r.version},
                       {QStringLiteral("controller_id"), r.controllerId},
                       {QStringLiteral("deployment_status"), r.status},
                       {QStringLiteral("deployed_at"), r.deployedAt.isEmpty() ? QJsonValue() : QJsonValue(r.deployedAt)},
                       {QStringLiteral("file_path"), r.filePath.isEmpty() ? QJsonValue() : QJsonValue(r.filePath)},
                       {QStringLiteral("error_message"), r.errorMessage.isEmpty() ? QJsonValue() : QJsonValue(r.errorMessage)},
                       {QStringLiteral("created_at"), r.createdAt}};
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
{
    connect(m_server, &QWebSocketServer::newConnection, this, &CloudServer::onNewConnection);
}

CloudServer::~CloudServer()
{
    for (const QList<Awaiting> &list : std::as_const(m_awaiting)) {
        for (const Awaiting &a : list)
            delete a.timer;
    }
}

QString CloudServer::listen(const QHostAddress &address, quint16 port)
{
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
        connect(socket, &QWebSocket::textMessageReceived, this, [this, socket](const QString &text) { onMessage(socket, text); });
        connect(socket, &QWebSocket::disconnected, this, [this, socket] {
            const QString id = controllerIdOf(socket);
            if (!id.isEmpty()) {
                qCInfo(lcCloudServer) << "controller" << id << "disconnected";
                m_controllers[id].socket = nullptr;
                failAwaiting(id, QStringLiteral("controller %1 disconnected before answering").arg(id));
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
    for (auto it = m_controllers.cbegin(); it != m_controllers.cend(); ++it) {
        if (it->socket == socket)
            return it.key();
    }
    return {};
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

    if (type == u"hello") {
        const Parsed<HelloReport> hello = HelloReport::parse(data);
        if (!hello.ok()) {
            qCWarning(lcCloudServer).noquote() << "invalid hello:" << hello.error << "; closing";
            socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("invalid hello: ") + hello.error);
            return;
        }
        controllerId = hello.value.controllerId;
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
        Controller &c = m_controllers[controllerId];
        if (c.socket && c.socket != socket)
            c.socket->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("replaced by a new connection"));
        c.socket = socket;
        c.hello = data;
        c.connectedAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
        const QString error = m_database->storeController(controllerId, data);
        if (!error.isEmpty())
            qCWarning(lcCloudServer) << "cannot store controller" << controllerId << ":" << error;
        qCInfo(lcCloudServer).noquote() << "controller" << controllerId << "connected:" << hello.value.drivers.size()
                                        << "drivers," << hello.value.devices.size() << "devices";
        emit controllerConnected(controllerId);
        return;
    }
    if (controllerId.isEmpty()) {
        qCWarning(lcCloudServer) << "message" << type << "before hello; ignored";
        return;
    }
    onReport(controllerId, type, data);
}

// A report checked by its parser; a broken one is logged and not recorded.
template<typename Report>
std::optional<Report> CloudServer::checked(const QString &controllerId, const QString &type, const QJsonObject &data)
{
    Parsed<Report> parsed = Report::parse(data);
    if (parsed.ok())
        return std::move(parsed.value);
    qCWarning(lcCloudServer).noquote() << "ignoring an invalid" << type << "from" << controllerId << ":" << parsed.error;
    return std::nullopt;
}

void CloudServer::onReport(const QString &controllerId, const QString &type, const QJsonObject &data)
{
    QString error;
    if (type == u"driver_sync_progress") {
        const auto progress = checked<SyncProgressReport>(controllerId, type, data);
        if (!progress)
            return;
        if (!m_database->markInProgress(progress->syncId, controllerId, &error))
            qCWarning(lcCloudServer).noquote() << "progress for unknown sync_id" << progress->syncId << error;
        deploymentUpdated(progress->syncId);
    } else if (type == u"driver_sync_complete") {
        const auto complete = checked<SyncCompleteReport>(controllerId, type, data);
        if (!complete)
            return;
        takeAwaiting(controllerId, complete->syncId);
        if (!m_database->markActive(complete->syncId, controllerId, complete->filePath, &error))
            qCWarning(lcCloudServer).noquote() << "completion for unknown sync_id" << complete->syncId << error;
        else
            qCInfo(lcCloudServer).noquote() << "deployment" << complete->syncId << "active on" << controllerId;
        // Keep the controller's driver list as reported (hello, then each completion).
        QJsonArray drivers = m_controllers[controllerId].hello.value(QStringLiteral("drivers")).toArray();
        for (qsizetype i = drivers.size() - 1; i >= 0; --i) {
            if (drivers.at(i)[QStringLiteral("driver_type")] == complete->driverType)
                drivers.removeAt(i);
        }
        drivers.append(QJsonObject{{QStringLiteral("driver_id"), complete->driverId},
                                   {QStringLiteral("driver_type"), complete->driverType},
                                   {QStringLiteral("version"), complete->version},
                                   {QStringLiteral("sync_id"), complete->syncId},
                                   {QStringLiteral("status"), QStringLiteral("active")}});
        m_controllers[controllerId].hello.insert(QStringLiteral("drivers"), drivers);
        deploymentUpdated(complete->syncId);
    } else if (type == u"driver_sync_error") {
        const auto failed = checked<SyncErrorReport>(controllerId, type, data);
        if (!failed)
            return;
        const QString syncId = failed->syncId.toString();
        takeAwaiting(controllerId, syncId);
        if (!m_database->markFailed(syncId, controllerId, failed->errorMessage, &error))
            qCWarning(lcCloudServer).noquote() << "error report for unknown sync_id" << syncId << error;
        else
            qCWarning(lcCloudServer).noquote() << "deployment" << syncId << "failed on" << controllerId << ":"
                                               << failed->errorMessage;
        deploymentUpdated(syncId);
    } else if (type == u"status_update") {
        const auto status = checked<StatusUpdateReport>(controllerId, type, data);
        if (!status)
            return;
        error = m_database->storeDeviceStatus(controllerId, *status);
        if (!error.isEmpty())
            qCWarning(lcCloudServer) << "cannot store a device status:" << error;
    } else if (type == u"device_command_result") {
        const auto result = checked<CommandResultReport>(controllerId, type, data);
        if (!result)
            return;
        onCommandResult(controllerId, result->requestId.toString(), data);
    } else if (type == u"protocol_error") {
        const auto report = checked<ProtocolErrorReport>(controllerId, type, data);
        if (!report)
            return;
        qCWarning(lcCloudServer).noquote() << "controller" << controllerId << "reports a protocol error:" << report->reason;
        onProtocolError(controllerId, report->receivedType.toString(), report->reason);
    } else if (!m_metrics.take(controllerId, type, data)) {
        qCInfo(lcCloudServer) << "ignoring message of type" << type << "from" << controllerId;
    }
}

void CloudServer::deploymentUpdated(const QString &syncId)
{
    const QList<DeploymentRow> rows = m_database->deployments();
    for (const DeploymentRow &r : rows) {
        if (r.syncId != syncId)
            continue;
        emit deploymentChanged(syncId, r.status);
        if (r.status == u"active" || r.status == u"failed") {
            const auto waiting = m_waiting.take(syncId);
            for (const auto &[reply, timer] : waiting) {
                delete timer;
                reply(success(QJsonObject{{QStringLiteral("deployment"), deploymentJson(r)}}));
            }
        }
    }
}

void CloudServer::deploy(const QJsonObject &request, const Reply &reply)
{
    const QString controllerId = request.value(QStringLiteral("controller_id")).toString();
    QWebSocket *socket = controllerSocket(controllerId);
    if (!socket)
        return reply(failure(QStringLiteral("controller %1 is not connected").arg(controllerId)));
    for (const char *key : {"driver_type", "version", "protocol_type", "driver_code"}) {
        if (request.value(QLatin1String(key)).toString().isEmpty())
            return reply(failure(QStringLiteral("%1 is required").arg(QLatin1String(key))));
    }
    DeploymentRow row;
    row.syncId = uuid();
    row.driverId = request.value(QStringLiteral("driver_id")).toString();
    if (row.driverId.isEmpty())
        row.driverId = QUuid::createUuidV5(QUuid(), request.value(QStringLiteral("driver_type")).toString()).toString(QUuid::WithoutBraces);
    row.driverType = request.value(QStringLiteral("driver_type")).toString();
    row.version = request.value(QStringLiteral("version")).toString();
    row.controllerId = controllerId;
    const QString error = m_database->createDeployment(row);
    if (!error.isEmpty())
        return reply(failure(QStringLiteral("cannot record the deployment: %1").arg(error)));

    QJsonObject data{{QStringLiteral("sync_id"), row.syncId},
                     {QStringLiteral("driver_id"), row.driverId},
                     {QStringLiteral("driver_type"), row.driverType},
                     {QStringLiteral("version"), row.version},
                     {QStringLiteral("driver_code"), request.value(QStringLiteral("driver_code"))},
                     {QStringLiteral("command_mappings"), request.value(QStringLiteral("command_mappings")).toArray()},
                     {QStringLiteral("protocol_type"), request.value(QStringLiteral("protocol_type"))},
                     {QStringLiteral("connection_config"), request.value(QStringLiteral("connection_config")).toObject()}};
    send(socket, QStringLiteral("driver_sync"), data);
    // No reply of its own (the deployment's waiters get the outcome); kept
    // so that a protocol_error refusing this driver_sync fails it.
    m_awaiting[controllerId].append({QStringLiteral("driver_sync"), row.syncId, {}, nullptr, 0});
    qCInfo(lcCloudServer).noquote() << "deploying" << row.driverType << row.version << "to" << controllerId
                                    << "(sync" << row.syncId << ")";
    reply(success(QJsonObject{{QStringLiteral("sync_id"), row.syncId}, {QStringLiteral("driver_id"), row.driverId}}));
}

void CloudServer::waitForDeployment(const QString &syncId, int timeoutMs, const Reply &reply)
{
    for (const DeploymentRow &r : m_database->deployments()) {
        if (r.syncId == syncId && (r.status == u"active" || r.status == u"failed"))
            return reply(success(QJsonObject{{QStringLiteral("deployment"), deploymentJson(r)}}));
    }
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
    const QString fence = uuid();
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
    const QString requestId = uuid();
    await(controllerId, QStringLiteral("device_command"), requestId, reply);
    send(socket, QStringLiteral("device_command"),
         QJsonObject{{QStringLiteral("request_id"), requestId},
                     {QStringLiteral("device_id"), request.value(QStringLiteral("device_id"))},
                     {QStringLiteral("command"), request.value(QStringLiteral("command"))},
                     {QStringLiteral("params"), request.value(QStringLiteral("params")).toObject()}});
}

QJsonObject CloudServer::controllers() const
{
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
                                {QStringLiteral("drivers"), c.hello.value(QStringLiteral("drivers"))},
                                {QStringLiteral("devices"), m_database->deviceStatuses(id)}});
    }
    return success(QJsonObject{{QStringLiteral("controllers"), list}});
}

QJsonObject CloudServer::deployments() const
{
    QString error;
    const QList<DeploymentRow> rows = m_database->deployments(&error);
    if (!error.isEmpty())
        return failure(error);
    QJsonArray list;
    for (const DeploymentRow &r : rows) {
        QJsonObject o = deploymentJson(r);
        o.insert(QStringLiteral("history"), QJsonArray::fromStringList(m_database->deploymentHistory(r.syncId)));
        list.append(o);
    }
    return success(QJsonObject{{QStringLiteral("deployments"), list}});
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
}

std::optional<CloudServer::Awaiting> CloudServer::takeAwaiting(const QString &controllerId, const QString &key)
{
    QList<Awaiting> &list = m_awaiting[controllerId];
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (list.at(i).key == key) {
            Awaiting found = list.takeAt(i);
            if (found.timer)
                found.timer->deleteLater();
            return found;
        }
    }
    return std::nullopt;
}

void CloudServer::onCommandResult(const QString &controllerId, const QString &requestId, const QJsonObject &data)
{
    const std::optional<Awaiting> awaited = takeAwaiting(controllerId, requestId);
    if (!awaited) {
        qCInfo(lcCloudServer) << "command result for unknown request" << requestId;
        return;
    }
    if (!awaited->reply)
        return;   // a fence whose device_sync was refused (already told)
    if (awaited->sentType == u"device_sync")
        awaited->reply(success(QJsonObject{{QStringLiteral("devices"), awaited->devices}}));
    else
        awaited->reply(success(QJsonObject{{QStringLiteral("result"), data}}));   // as the controller sent it
}

void CloudServer::onProtocolError(const QString &controllerId, const QString &receivedType, const QString &reason)
{
    QList<Awaiting> &list = m_awaiting[controllerId];
    const auto it = std::find_if(list.begin(), list.end(), [&](const Awaiting &a) {
        return a.sentType == receivedType && (a.reply || a.sentType == u"driver_sync");
    });
    if (it == list.end())
        return;
    const QString why = QStringLiteral("controller %1 refused %2: %3").arg(controllerId, receivedType, reason);
    if (it->sentType == u"driver_sync") {
        const QString syncId = it->key;
        list.erase(it);
        QString error;
        if (!m_database->markFailed(syncId, controllerId, why, &error))
            qCWarning(lcCloudServer).noquote() << "cannot record the refusal of" << syncId << error;
        deploymentUpdated(syncId);
    } else if (it->sentType == u"device_sync") {
        // Its fence still comes back; it then only leaves the list.
        std::exchange(it->reply, Reply())(failure(why));
    } else {
        const Awaiting refused = *it;   // no device_command_result will come
        takeAwaiting(controllerId, refused.key);
        refused.reply(failure(why));
    }
}

void CloudServer::failAwaiting(const QString &controllerId, const QString &why)
{
    const QList<Awaiting> list = m_awaiting.take(controllerId);
    for (const Awaiting &a : list) {
        delete a.timer;
        if (a.reply)
            a.reply(failure(why));
        else if (a.sentType == u"driver_sync")
            qCInfo(lcCloudServer).noquote() << "deployment" << a.key << "still open:" << why;
    }
}
