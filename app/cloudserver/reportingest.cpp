// CloudServer's report ingestion: what a controller reports after its hello
// (PROTOCOL.md "Controller → cloud"), stored once per (controller, seq) and
// acknowledged (PROTOCOL.md "Reports that survive outages"), then applied to
// deployments, device statuses and the admins waiting for an answer.
#include "cloudserver/adminreply.h"
#include "cloudserver/cloudserver.h"

#include "protocol/controllerreports.h"

#include <QJsonArray>

#include <algorithm>
#include <optional>
#include <utility>

using AdminReply::deploymentJson;
using AdminReply::failure;
using AdminReply::success;

void CloudServer::sendWelcome(const QString &controllerId)
{
    QString error;
    const qint64 lastSeq = m_database->lastReportSeq(controllerId, &error);
    if (!error.isEmpty()) {
        // Without the last seq the controller cannot be told what to resend:
        // no welcome, so it falls back to the base behaviour.
        qCWarning(lcCloudServer).noquote() << "cannot read the reports of" << controllerId << ":" << error;
        return;
    }
    Controller &c = m_controllers[controllerId];
    c.ackedSeq = lastSeq;
    c.ackPending = 0;
    send(c.socket, QStringLiteral("welcome"), QJsonObject{{QStringLiteral("acks"), true}, {QStringLiteral("last_seq"), lastSeq}});
}

bool CloudServer::recordReport(const QString &controllerId, qint64 seq, const QString &type, const QJsonObject &data)
{
    QString error;
    const CloudDatabase::Recorded recorded = m_database->recordReport(controllerId, seq, type, data, &error);
    if (recorded == CloudDatabase::Recorded::Failed) {
        // Not acknowledged: the controller keeps it and sends it again.
        qCWarning(lcCloudServer).noquote() << "cannot store report" << seq << "of" << controllerId << ":" << error;
        return false;
    }
    if (recorded == CloudDatabase::Recorded::Duplicate)
        qCDebug(lcCloudServer) << "report" << seq << "of" << controllerId << "stored before; acknowledged again";
    // One cumulative ack per event-loop turn covers every report of the turn.
    Controller &c = m_controllers[controllerId];
    if (seq > c.ackPending) {
        if (c.ackPending <= c.ackedSeq)
            QMetaObject::invokeMethod(this, [this, controllerId] { sendAck(controllerId); }, Qt::QueuedConnection);
        c.ackPending = seq;
    }
    return recorded == CloudDatabase::Recorded::New;
}

void CloudServer::sendAck(const QString &controllerId)
{
    Controller &c = m_controllers[controllerId];
    if (!c.socket || c.ackPending <= c.ackedSeq)
        return;
    c.ackedSeq = c.ackPending;
    send(c.socket, QStringLiteral("ack"), QJsonObject{{QStringLiteral("seq"), c.ackedSeq}});
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
    // One row by its key: the cost of a report does not grow with the history.
    const std::optional<DeploymentRow> r = m_database->deployment(syncId);
    if (!r)
        return;
    emit deploymentChanged(syncId, r->status);
    if (r->status == u"active" || r->status == u"failed") {
        const auto waiting = m_waiting.take(syncId);
        for (const auto &[reply, timer] : waiting) {
            delete timer;
            reply(success(QJsonObject{{QStringLiteral("deployment"), deploymentJson(*r)}}));
        }
    }
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
        return a.sentType == receivedType && (a.reply || a.sentType == u"driver_sync" || a.sentType == u"driver_rollback");
    });
    if (it == list.end())
        return;
    const QString why = QStringLiteral("controller %1 refused %2: %3").arg(controllerId, receivedType, reason);
    if (it->sentType == u"driver_sync" || it->sentType == u"driver_rollback") {
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

