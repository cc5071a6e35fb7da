// RolloutManager's admin side: groups, starting a rollout (or a publish),
// its status, pause, resume and abort, and the JSON the CLI shows.
#include "cloudserver/rollouts.h"

#include "cloudserver/adminreply.h"
#include "cloudserver/cloudserver.h"

#include <QDateTime>
#include <QUuid>

using AdminReply::failure;
using AdminReply::success;

bool RolloutManager::handleAdmin(const QString &op, const QJsonObject &request, const Reply &reply)
{
    const QString id = request.value(QStringLiteral("rollout_id")).toString();
    if (op == u"rollout_start")
        startFromRequest(request, reply);
    else if (op == u"publish")
        publish(request, reply);
    else if (op == u"rollout_status" && !id.isEmpty())
        reply(status(id));
    else if (op == u"rollout_status") {
        QString error;
        const int limit = AdminReply::limitOf(request, 50, &error);
        reply(limit < 0 ? failure(error) : success(QJsonObject{{QStringLiteral("rollouts"), list(limit, false)}}));
    }
    else if (op == u"rollout_pause" || op == u"rollout_resume")
        reply(setPaused(id, op == u"rollout_pause"));
    else if (op == u"rollout_abort")
        reply(abortByOperator(id));
    else if (op.startsWith(u"group_"))
        group(op.mid(6), request, reply);
    else
        return false;
    return true;
}

namespace {

// What a group command did, as the store's thread saw it.
struct GroupChange
{
    QString refusal;       // the operator's mistake (no group, exists already, not a member)
    QStringList members;   // after the change
};

// A group command's work on the store's thread: the checks and the write in
// one transaction. A refusal writes nothing and is no database error (which
// would roll back the batch it ran in).
GroupChange changeGroup(CloudDatabase &db, const QString &op, const QString &name, const QStringList &ids, QString *error)
{
    GroupChange change;
    const bool exists = db.groupExists(name, error);
    if (!error->isEmpty())
        return change;
    if (op == u"create") {
        if (exists)
            change.refusal = QStringLiteral("group %1 exists already").arg(name);
        else
            *error = db.createGroup(name);
        return change;
    }
    if (!exists) {
        change.refusal = QStringLiteral("no group %1 (control-cloud groups create %1)").arg(name);
        return change;
    }
    if (op == u"remove") {
        // A mistyped id would otherwise be "removed" without a word.
        const QStringList members = db.groupMembers(name, error);
        QStringList strangers;
        for (const QString &id : ids) {
            if (!members.contains(id))
                strangers << id;
        }
        if (!error->isEmpty())
            return change;
        if (!strangers.isEmpty()) {
            change.refusal = QStringLiteral("not in group %1: %2").arg(name, strangers.join(QStringLiteral(", ")));
            return change;
        }
    }
    // Adding: ids need not have connected yet (a site is often grouped
    // before it is installed); adding a member again changes nothing.
    *error = op == u"add" ? db.addGroupMembers(name, ids) : db.removeGroupMembers(name, ids);
    if (error->isEmpty())
        change.members = db.groupMembers(name, error);
    return change;
}

} // namespace

void RolloutManager::group(const QString &op, const QJsonObject &request, const Reply &reply)
{
    const QString name = request.value(QStringLiteral("group")).toString();
    QStringList ids;
    for (const QJsonValue &v : request.value(QStringLiteral("controller_ids")).toArray())
        ids << v.toString();
    QString error;
    if (op == u"list") {
        const QJsonArray list = m_database->groups(&error);
        return reply(error.isEmpty() ? success(QJsonObject{{QStringLiteral("groups"), list}}) : failure(error));
    }
    if (name.isEmpty())
        return reply(failure(QStringLiteral("a group name is required")));
    if (op == u"show") {
        if (!m_database->groupExists(name, &error))
            return reply(failure(error.isEmpty() ? QStringLiteral("no group %1 (control-cloud groups create %1)").arg(name) : error));
        const QStringList members = m_database->groupMembers(name, &error);
        return reply(error.isEmpty() ? membersAnswer(name, members) : failure(error));
    }
    if (op != u"create" && op != u"add" && op != u"remove")
        return reply(failure(QStringLiteral("unknown groups command '%1'").arg(op)));
    if (op != u"create" && ids.isEmpty())
        return reply(failure(QStringLiteral("no controller ids given")));
    // Written on the store's thread like every other operator write: the
    // event loop does not wait for the database (nor for its batch).
    m_cloud->store()->call<GroupChange>(
        CloudStore::Priority::Urgent,
        [op, name, ids](CloudDatabase &db, QString *error) { return changeGroup(db, op, name, ids, error); },
        [this, op, name, reply](const GroupChange &change, const QString &error) {
            if (!error.isEmpty())
                return reply(failure(error));
            if (!change.refusal.isEmpty())
                return reply(failure(change.refusal));
            reply(op == u"create" ? success(QJsonObject{{QStringLiteral("group"), name}}) : membersAnswer(name, change.members));
        });
}

QJsonObject RolloutManager::membersAnswer(const QString &name, const QStringList &members) const
{
    QJsonArray list;
    for (const QString &m : members)
        list.append(QJsonObject{{QStringLiteral("controller_id"), m}, {QStringLiteral("connected"), m_cloud->isConnected(m)}});
    return success(QJsonObject{{QStringLiteral("group"), name}, {QStringLiteral("members"), list}});
}

void RolloutManager::startFromRequest(const QJsonObject &request, const Reply &reply)
{
    const QString name = request.value(QStringLiteral("group")).toString();
    if (name.isEmpty())
        return reply(failure(QStringLiteral("--group is required")));
    if (!m_database->groupExists(name))
        return reply(failure(QStringLiteral("no group %1").arg(name)));
    QString error;
    const QStringList ids = m_database->groupMembers(name, &error);
    if (!error.isEmpty())
        return reply(failure(error));
    start(request, ids, QStringLiteral("group ") + name, reply);
}

void RolloutManager::publish(const QJsonObject &request, const Reply &reply)
{
    // "Automatic driver updates": every site that runs the type, or the group.
    if (request.value(QStringLiteral("group")).toString().isEmpty()) {
        const QString type = request.value(QStringLiteral("driver_type")).toString();
        return start(request, m_cloud->controllersRunning(type), QStringLiteral("sites running ") + type, reply);
    }
    startFromRequest(request, reply);
}

void RolloutManager::start(const QJsonObject &request, const QStringList &controllerIds, const QString &target, const Reply &reply)
{
    for (const char *key : {"driver_type", "version", "protocol_type", "driver_code"}) {
        if (request.value(QLatin1String(key)).toString().isEmpty())
            return reply(failure(QStringLiteral("%1 is required").arg(QLatin1String(key))));
    }
    if (controllerIds.isEmpty())
        return reply(failure(QStringLiteral("no sites in %1").arg(target)));
    RolloutRow row;
    row.rolloutId = QUuid::createUuid().toString(QUuid::WithoutBraces).left(8);
    row.target = target;
    row.driverType = request.value(QStringLiteral("driver_type")).toString();
    row.version = request.value(QStringLiteral("version")).toString();
    for (const char *key : {"driver_id", "driver_type", "version", "driver_code", "command_mappings", "protocol_type",
                            "connection_config", "signature"}) {
        if (request.contains(QLatin1String(key)))
            row.payload.insert(QLatin1String(key), request.value(QLatin1String(key)));
    }
    // One driver_id for every site (deploy derives the same one per type).
    if (row.payload.value(QStringLiteral("driver_id")).toString().isEmpty())
        row.payload.insert(QStringLiteral("driver_id"), QUuid::createUuidV5(QUuid(), row.driverType).toString(QUuid::WithoutBraces));
    row.canary = request.value(QStringLiteral("canary")).toInt(1);
    row.batchSize = request.value(QStringLiteral("batch_size")).toInt(0);
    row.batchPercent = request.value(QStringLiteral("batch_percent")).toInt(row.batchSize > 0 ? 0 : 10);
    row.maxFailurePercent = request.value(QStringLiteral("max_failure_percent")).toDouble(5);
    row.siteTimeoutMs = request.value(QStringLiteral("site_timeout_ms")).toInteger(600000);
    if (row.canary < 1 || row.batchSize < 0 || (row.batchSize == 0 && (row.batchPercent < 1 || row.batchPercent > 100))
        || row.maxFailurePercent < 0 || row.maxFailurePercent > 100 || row.siteTimeoutMs < 1)
        return reply(failure(QStringLiteral("canary ≥ 1, a batch size ≥ 1 or a percentage 1–100, max failures 0–100 %, a timeout > 0")));
    row.state = QStringLiteral("running");
    // Set here: the views read it from memory while the rollout is under way.
    row.createdAt = row.updatedAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    QList<RolloutSiteRow> sites;
    for (const QString &id : controllerIds) {
        RolloutSiteRow s;
        s.rolloutId = row.rolloutId;
        s.controllerId = id;
        s.state = QStringLiteral("waiting");
        sites << s;
    }
    // Under way once recorded: its site rows must exist before their updates.
    m_cloud->store()->post(
        CloudStore::Priority::Urgent, [row, sites](CloudDatabase &db) { return db.createRollout(row, sites); },
        [this, row, sites, target, reply](const QString &error) {
            if (!error.isEmpty())
                return reply(failure(QStringLiteral("cannot record the rollout: %1").arg(error)));
            Rollout &r = m_active[row.rolloutId];
            r.row = row;
            for (const RolloutSiteRow &s : sites)
                r.sites[s.controllerId].row = s;
            track(r);
            qCInfo(lcCloudServer).noquote() << "rollout" << row.rolloutId << "of" << row.driverType << row.version << "to" << target
                                            << "(" << sites.size() << "sites) started";
            advance(row.rolloutId);
            reply(success(QJsonObject{{QStringLiteral("rollout_id"), row.rolloutId}, {QStringLiteral("sites"), int(sites.size())}}));
        });
}

QJsonObject RolloutManager::setPaused(const QString &rolloutId, bool paused)
{
    if (!m_active.contains(rolloutId))
        return failure(QStringLiteral("no rollout %1 under way").arg(rolloutId));
    Rollout &r = m_active[rolloutId];
    const QString from = paused ? QStringLiteral("running") : QStringLiteral("paused");
    if (r.row.state != from)
        return failure(QStringLiteral("rollout %1 is %2, not %3").arg(rolloutId, r.row.state, from));
    r.row.state = paused ? QStringLiteral("paused") : QStringLiteral("running");
    save(r.row);
    advance(rolloutId);
    return status(rolloutId);
}

QJsonObject RolloutManager::abortByOperator(const QString &rolloutId)
{
    if (!m_active.contains(rolloutId) || m_active[rolloutId].row.state == u"aborting")
        return failure(QStringLiteral("no rollout %1 under way").arg(rolloutId));
    abort(m_active[rolloutId], QStringLiteral("aborted by the operator"));
    advance(rolloutId);
    return status(rolloutId);
}

QJsonObject RolloutManager::rolloutJson(const RolloutRow &row, const QList<RolloutSiteRow> &sites)
{
    QJsonObject counts;
    QJsonArray list;
    for (const RolloutSiteRow &s : sites) {
        counts.insert(s.state, counts.value(s.state).toInt() + 1);
        QJsonObject o{{QStringLiteral("controller_id"), s.controllerId}, {QStringLiteral("batch"), s.batch},
                      {QStringLiteral("state"), s.state}};
        const std::pair<const char *, QString> optional[] = {{"sync_id", s.syncId}, {"rollback_sync_id", s.rollbackSyncId},
                                                             {"previous_version", s.previousVersion}, {"error_message", s.errorMessage}};
        for (const auto &[key, value] : optional) {
            if (!value.isEmpty())
                o.insert(QLatin1String(key), value);
        }
        list.append(o);
    }
    return QJsonObject{{QStringLiteral("rollout_id"), row.rolloutId}, {QStringLiteral("target"), row.target},
                       {QStringLiteral("driver_type"), row.driverType}, {QStringLiteral("version"), row.version},
                       {QStringLiteral("state"), row.state}, {QStringLiteral("reason"), row.reason},
                       {QStringLiteral("batch"), row.batch}, {QStringLiteral("canary"), row.canary},
                       {QStringLiteral("batch_size"), row.batchSize}, {QStringLiteral("batch_percent"), row.batchPercent},
                       {QStringLiteral("max_failure_percent"), row.maxFailurePercent},
                       {QStringLiteral("site_timeout_ms"), row.siteTimeoutMs}, {QStringLiteral("created_at"), row.createdAt},
                       {QStringLiteral("total"), int(sites.size())}, {QStringLiteral("counts"), counts},
                       {QStringLiteral("sites"), list}};
}

QJsonObject RolloutManager::status(const QString &rolloutId) const
{
    // Under way: from memory, which the rows follow (written through on the
    // database thread, so they may be a moment behind).
    const auto it = m_active.constFind(rolloutId);
    if (it != m_active.constEnd()) {
        QList<RolloutSiteRow> sites;
        for (const Site &s : it->sites)
            sites << s.row;
        return success(QJsonObject{{QStringLiteral("rollout"), rolloutJson(it->row, sites)}});
    }
    QString error;
    const std::optional<RolloutRow> row = m_database->rollout(rolloutId, &error);
    if (!row)
        return failure(error.isEmpty() ? QStringLiteral("no rollout %1").arg(rolloutId) : error);
    const QList<RolloutSiteRow> sites = m_database->rolloutSites(rolloutId, &error);
    return success(QJsonObject{{QStringLiteral("rollout"), rolloutJson(*row, sites)}});
}

QJsonArray RolloutManager::list(int limit, bool sites) const
{
    // Bounded: these reads run on the event loop, so an operator's view
    // reads the newest rollouts, not the history.
    QJsonArray list;
    QString error;
    for (const RolloutRow &row : m_database->recentRollouts(limit, &error)) {
        if (m_active.contains(row.rolloutId)) {   // from memory
            QJsonObject r = status(row.rolloutId).value(QStringLiteral("rollout")).toObject();
            if (!sites)
                r.remove(QStringLiteral("sites"));
            list.append(r);
            continue;
        }
        if (sites) {
            list.append(rolloutJson(row, m_database->rolloutSites(row.rolloutId, &error)));
            continue;
        }
        QJsonObject r = rolloutJson(row, {});
        r.remove(QStringLiteral("sites"));
        QJsonObject counts;
        int total = 0;
        const QHash<QString, int> byState = m_database->rolloutSiteCounts(row.rolloutId, &error);
        for (auto it = byState.cbegin(); it != byState.cend(); ++it) {
            counts.insert(it.key(), it.value());
            total += it.value();
        }
        r.insert(QStringLiteral("counts"), counts);
        r.insert(QStringLiteral("total"), total);
        list.append(r);
    }
    if (!error.isEmpty())
        qCWarning(lcCloudServer).noquote() << "cannot read the rollouts for an operator's view:" << error;
    return list;
}
