// CloudServer's report ingestion: what a controller reports after its hello
// (PROTOCOL.md "Controller → cloud"), stored once per (controller, seq) and
// acknowledged (PROTOCOL.md "Reports that survive outages"), then applied to
// deployments, device statuses and the admins waiting for an answer.
#include "cloudserver/adminreply.h"
#include "cloudserver/cloudserver.h"

#include "protocol/controllerreports.h"

#include <QJsonArray>

#include <functional>
#include <memory>

#include <algorithm>
#include <optional>
#include <utility>

using AdminReply::deploymentJson;
using AdminReply::failure;
using AdminReply::success;

void CloudServer::sendWelcome(const QString &controllerId, qint64 lastSeq)
{
    Controller &c = m_controllers[controllerId];
    c.ackedSeq = std::max(c.ackedSeq, lastSeq);
    c.committedMax = std::max(c.committedMax, lastSeq);
    send(c.socket, QStringLiteral("welcome"), QJsonObject{{QStringLiteral("acks"), true}, {QStringLiteral("last_seq"), lastSeq}});
}

void CloudServer::reportCommitted(const QString &controllerId, quint64 connection, qint64 seq, bool ok)
{
    Controller &c = m_controllers[controllerId];
    if (c.connection != connection)
        return;   // an earlier connection's: the next welcome's last_seq covers it
    if (!ok) {
        // Acks cannot pass it while this connection lasts, and the controller
        // only resends after a welcome: end the connection, so it reconnects
        // and resends from the last ack (storing is retried then).
        qCWarning(lcCloudServer).noquote() << "report" << seq << "of" << controllerId
                                           << "could not be stored; closing its connection so that it resends";
        if (c.socket)
            c.socket->close(QWebSocketProtocol::CloseCodeBadOperation, QStringLiteral("a report could not be stored"));
        return;
    }
    c.uncommitted.erase(seq);
    c.committedMax = std::max(c.committedMax, seq);
    // Cumulative: every seq up to the ack must be committed.
    const qint64 ackable = c.uncommitted.empty() ? c.committedMax : std::min(c.committedMax, *c.uncommitted.begin() - 1);
    if (ackable <= c.ackPending)
        return;
    // One cumulative ack covers every report committed until it is sent.
    if (c.ackPending <= c.ackedSeq)
        m_acks.push(controllerId);
    c.ackPending = ackable;
}

void CloudServer::storeDeferredAcks()
{
    // Those still within their second go back into the set, and the timer
    // starts again for the earliest of them.
    const QSet<QString> due = std::exchange(m_acksToStore, {});
    for (const QString &controllerId : due)
        storeAck(controllerId);
}

void CloudServer::sendAck(const QString &controllerId)
{
    Controller &c = m_controllers[controllerId];
    if (!c.socket || c.ackPending <= c.ackedSeq)
        return;
    c.ackedSeq = c.ackPending;
    send(c.socket, QStringLiteral("ack"), QJsonObject{{QStringLiteral("seq"), c.ackedSeq}});
    storeAck(controllerId);
}

// Records the latest ack as the next welcome's last_seq, after it was sent:
// lost in a crash, the controller only resends reports stored already (kept
// once). One write at a time per controller, of the ack latest when queued,
// and at most one a second: a welcome's last_seq may lag the last ack, which
// only makes the controller resend what it still holds above it, i.e. what
// was not acknowledged, or was and is not forgotten yet (kept once). Written
// after every ack, it was half of PostgreSQL's rows in a burst (an UPDATE
// for about every other report) and cost about 15 % of the ingest rate.
void CloudServer::storeAck(const QString &controllerId, bool now)
{
    Controller &c = m_controllers[controllerId];
    if (c.ackedSeq <= c.ackStored || (c.ackStoring && !now))
        return;
    if (!m_ackStoreClock.isValid())
        m_ackStoreClock.start();
    const qint64 at = m_ackStoreClock.elapsed();
    if (!now && c.ackStoreStarted >= 0 && at - c.ackStoreStarted < ackStoreIntervalMs) {
        m_acksToStore.insert(controllerId);
        if (!m_ackStoreTimer.isActive())
            m_ackStoreTimer.start(int(ackStoreIntervalMs - (at - c.ackStoreStarted)));
        return;
    }
    c.ackStoreStarted = at;
    c.ackStoring = true;
    const qint64 acked = c.ackedSeq;
    // In bulk (statusingest.cpp): the urgent queue holds little else, so
    // the acks of a turn go in one statement on PostgreSQL.
    m_store->postBulk(
        CloudStore::Priority::Urgent, m_ackBulk, CloudDatabase::Ack{controllerId, acked},
        [this, controllerId, acked](const QString &error) {
            Controller &c = m_controllers[controllerId];
            c.ackStoring = false;
            if (!error.isEmpty()) {
                qCWarning(lcCloudServer).noquote() << "cannot record the ack of" << controllerId << ":" << error;
                return;   // the next ack tries again
            }
            c.ackStored = std::max(c.ackStored, acked);
            storeAck(controllerId);   // acks sent meanwhile
        });
}

// A report checked by its parser; a broken one is logged and not applied.
template<typename Report>
std::optional<Report> CloudServer::checked(const QString &controllerId, const QString &type, const QJsonObject &data)
{
    Parsed<Report> parsed = Report::parse(data);
    if (parsed.ok())
        return std::move(parsed.value);
    qCWarning(lcCloudServer).noquote() << "ignoring an invalid" << type << "from" << controllerId << ":" << parsed.error;
    return std::nullopt;
}

namespace {

// What the database thread did with a report.
struct Applied
{
    bool fresh = true;                   // false: stored before (a resent seq), not applied again
    bool known = true;                   // false: the sync_id is not this controller's
    std::optional<DeploymentRow> row;    // the deployment after the report
};

// The deployment change a report asks for, run on the database thread.
using DeploymentChange = std::function<bool(CloudDatabase &, QString *error)>;

} // namespace

void CloudServer::onReport(const QString &controllerId, qint64 seq, const QString &type, const QJsonObject &data)
{
    // Parsed here; what reaches the database (and what follows the commit)
    // depends on the type. A numbered report is stored even when it does
    // not parse, so that it is acknowledged and not resent forever.
    QString syncId;
    DeploymentChange change;
    std::optional<StatusUpdateReport> status;
    std::function<void()> then;   // on the event loop, after a fresh report's commit
    CloudStore::Priority priority = CloudStore::Priority::Urgent;
    if (type == u"driver_sync_progress") {
        if (const auto progress = checked<SyncProgressReport>(controllerId, type, data)) {
            syncId = progress->syncId;
            change = [syncId, controllerId](CloudDatabase &db, QString *error) { return db.markInProgress(syncId, controllerId, error); };
        }
    } else if (type == u"driver_sync_complete") {
        if (const auto complete = checked<SyncCompleteReport>(controllerId, type, data)) {
            syncId = complete->syncId;
            const QString filePath = complete->filePath;
            change = [syncId, controllerId, filePath](CloudDatabase &db, QString *error) {
                return db.markActive(syncId, controllerId, filePath, error);
            };
            then = [this, controllerId, report = *complete] { driverActive(controllerId, report); };
        }
    } else if (type == u"driver_sync_error") {
        if (const auto failed = checked<SyncErrorReport>(controllerId, type, data)) {
            syncId = failed->syncId.toString();
            const QString message = failed->errorMessage;
            change = [syncId, controllerId, message](CloudDatabase &db, QString *error) {
                return db.markFailed(syncId, controllerId, message, error);
            };
            then = [this, controllerId, syncId] { takeAwaiting(controllerId, syncId); };
        }
    } else if (type == u"status_update") {
        status = checked<StatusUpdateReport>(controllerId, type, data);
        priority = CloudStore::Priority::Status;
    } else if (type == u"device_command_result") {
        if (const auto result = checked<CommandResultReport>(controllerId, type, data)) {
            // Answered as it arrives, not after its commit: the operator
            // waits for the controller's answer, which is in hand, and not
            // for the status burst queued ahead of it on the database
            // thread. Storing it only decides its ack (a resent copy finds
            // no one waiting any more).
            onCommandResult(controllerId, result->requestId.toString(), data);
        }
    } else if (type == u"protocol_error") {
        // Unnumbered: nothing to store.
        if (const auto report = checked<ProtocolErrorReport>(controllerId, type, data)) {
            qCWarning(lcCloudServer).noquote() << "controller" << controllerId << "reports a protocol error:" << report->reason;
            onProtocolError(controllerId, report->receivedType.toString(), report->reason);
        }
        return;
    } else if (seq <= 0) {
        if (!m_metrics.take(controllerId, type, data))
            qCInfo(lcCloudServer) << "ignoring message of type" << type << "from" << controllerId;
        return;
    }
    if (seq <= 0 && !change && !status && !then)
        return;   // unnumbered and invalid: logged by checked()

    Controller &c = m_controllers[controllerId];
    const quint64 connection = c.connection;
    if (seq > 0)
        c.uncommitted.insert(seq);
    if (status) {
        // In bulk (statusingest.cpp). Status updates of one device may be
        // coalesced when the queue is full: only the latest matters, and
        // the ack then covers the ones it replaced.
        m_store->postBulk(
            priority, m_statusBulk, CloudDatabase::StatusReport{controllerId, seq, data, *status},
            [this, controllerId, connection, seq](const QString &error) {
                if (seq > 0)
                    reportCommitted(controllerId, connection, seq, error.isEmpty());
                if (!error.isEmpty())
                    qCWarning(lcCloudServer).noquote() << "cannot store status_update" << seq << "of" << controllerId << ":" << error;
            },
            controllerId + QLatin1Char('\n') + status->deviceId);
        return;
    }
    auto applied = std::make_shared<Applied>();
    CloudStore::Work work = [applied, controllerId, seq, type, data, syncId, change](CloudDatabase &db) {
        QString error;
        *applied = Applied();
        if (seq > 0) {
            const CloudDatabase::Recorded recorded = db.recordReport(controllerId, seq, type, data, &error);
            if (recorded == CloudDatabase::Recorded::Failed)
                return error;
            applied->fresh = recorded == CloudDatabase::Recorded::New;
            if (!applied->fresh)
                return QString();
        }
        if (change) {
            applied->known = change(db, &error);
            if (!error.isEmpty())
                return error;
            if (applied->known)
                applied->row = db.deployment(syncId, &error);
        }
        return error;
    };
    CloudStore::Done done = [this, applied, controllerId, connection, seq, type, syncId, then](const QString &error) {
        if (seq > 0)
            reportCommitted(controllerId, connection, seq, error.isEmpty());
        if (!error.isEmpty()) {
            // Not acknowledged: the controller keeps it and sends it again.
            qCWarning(lcCloudServer).noquote() << "cannot store" << type << seq << "of" << controllerId << ":" << error;
            return;
        }
        if (!applied->fresh) {
            qCDebug(lcCloudServer) << "report" << seq << "of" << controllerId << "stored before; acknowledged again";
            return;
        }
        if (!applied->known)
            qCWarning(lcCloudServer).noquote() << type << "for unknown sync_id" << syncId;
        else if (applied->row && applied->row->status != u"in_progress")
            qCInfo(lcCloudServer).noquote() << "deployment" << syncId << applied->row->status << "on" << controllerId
                                            << applied->row->errorMessage;
        if (then)
            then();
        if (applied->row)
            deploymentUpdated(*applied->row);
    };
    m_store->post(priority, std::move(work), std::move(done));
}

void CloudServer::driverActive(const QString &controllerId, const SyncCompleteReport &complete)
{
    takeAwaiting(controllerId, complete.syncId);
    // Keep the controller's driver list as reported (hello, then each completion).
    QJsonArray drivers = m_controllers[controllerId].hello.value(QStringLiteral("drivers")).toArray();
    for (qsizetype i = drivers.size() - 1; i >= 0; --i) {
        if (drivers.at(i)[QStringLiteral("driver_type")] == complete.driverType)
            drivers.removeAt(i);
    }
    drivers.append(QJsonObject{{QStringLiteral("driver_id"), complete.driverId},
                               {QStringLiteral("driver_type"), complete.driverType},
                               {QStringLiteral("version"), complete.version},
                               {QStringLiteral("sync_id"), complete.syncId},
                               {QStringLiteral("status"), QStringLiteral("active")}});
    m_controllers[controllerId].hello.insert(QStringLiteral("drivers"), drivers);
}

void CloudServer::deploymentUpdated(const DeploymentRow &row)
{
    emit deploymentChanged(row.syncId, row.status, row.errorMessage);
    answerWaiters(row);
}

void CloudServer::answerWaiters(const DeploymentRow &row)
{
    if (row.status != u"active" && row.status != u"failed")
        return;
    const auto waiting = m_waiting.take(row.syncId);
    for (const auto &[reply, timer] : waiting) {
        delete timer;
        reply(success(QJsonObject{{QStringLiteral("deployment"), deploymentJson(row)}}));
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
        updatePriority(controllerId);
        markFailed(syncId, controllerId, why);
    } else if (it->sentType == u"device_sync") {
        // Its fence still comes back; it then only leaves the list.
        std::exchange(it->reply, Reply())(failure(why));
    } else {
        const Awaiting refused = *it;   // no device_command_result will come
        takeAwaiting(controllerId, refused.key);
        refused.reply(failure(why));
    }
}

