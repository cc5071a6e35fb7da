// CloudDatabase's groups and rollouts: each method one or a few small
// statements by key (a rollout's rows are written as its sites change, one
// row at a time), so that they can be routed to a database thread as they are.
#include "cloudserver/clouddatabase.h"

#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>

namespace {

QVariant orNull(const QString &s)
{
    return s.isEmpty() ? QVariant() : QVariant(s);
}

const char *rolloutColumns = "SELECT rollout_id, target, driver_type, version, payload, canary, batch_size, batch_percent,"
                             " max_failure_percent, site_timeout_ms, state, reason, batch, created_at, updated_at FROM rollouts";

RolloutRow rolloutFrom(const QSqlQuery &q)
{
    RolloutRow r;
    r.rolloutId = q.value(0).toString();
    r.target = q.value(1).toString();
    r.driverType = q.value(2).toString();
    r.version = q.value(3).toString();
    r.payload = QJsonDocument::fromJson(q.value(4).toString().toUtf8()).object();
    r.canary = q.value(5).toInt();
    r.batchSize = q.value(6).toInt();
    r.batchPercent = q.value(7).toInt();
    r.maxFailurePercent = q.value(8).toDouble();
    r.siteTimeoutMs = q.value(9).toLongLong();
    r.state = q.value(10).toString();
    r.reason = q.value(11).toString();
    r.batch = q.value(12).toInt();
    r.createdAt = q.value(13).toString();
    r.updatedAt = q.value(14).toString();
    return r;
}

// The rollouts `tail` (WHERE / ORDER BY / LIMIT, with `binds`) selects.
QList<RolloutRow> rolloutsWhere(const QSqlDatabase &d, const QString &tail, const QVariantList &binds, QString *error)
{
    QList<RolloutRow> list;
    QSqlQuery q(d);
    q.prepare(QLatin1String(rolloutColumns) + tail);
    for (const QVariant &v : binds)
        q.addBindValue(v);
    if (!q.exec()) {
        if (error)
            *error = q.lastError().text();
        return list;
    }
    while (q.next())
        list.append(rolloutFrom(q));
    return list;
}

} // namespace

// The group writes below run on CloudStore's thread, inside its batch's
// transaction (hence begin()/commit()); RolloutManager::changeGroup checks
// first what would make them fail (an existing group, no group).
QString CloudDatabase::createGroup(const QString &name)
{
    QSqlQuery &q = prepared(QStringLiteral("INSERT INTO controller_groups (group_name, created_at) VALUES (?, ?)"));
    q.addBindValue(name);
    q.addBindValue(now());
    return q.exec() ? QString() : q.lastError().text();
}

bool CloudDatabase::groupExists(const QString &name, QString *error) const
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT 1 FROM controller_groups WHERE group_name = ?"));
    q.addBindValue(name);
    if (q.exec())
        return q.next();
    if (error)
        *error = q.lastError().text();
    return false;
}

QString CloudDatabase::addGroupMembers(const QString &name, const QStringList &controllerIds)
{
    return forEachMember(QStringLiteral("INSERT INTO group_members (group_name, controller_id) VALUES (?, ?)"
                                        " ON CONFLICT (group_name, controller_id) DO NOTHING"), name, controllerIds);
}

QString CloudDatabase::removeGroupMembers(const QString &name, const QStringList &controllerIds)
{
    return forEachMember(QStringLiteral("DELETE FROM group_members WHERE group_name = ? AND controller_id = ?"), name, controllerIds);
}

QString CloudDatabase::forEachMember(const QString &sql, const QString &name, const QStringList &controllerIds)
{
    begin();
    QSqlQuery &q = prepared(sql);
    for (const QString &id : controllerIds) {
        q.addBindValue(name);
        q.addBindValue(id);
        if (!q.exec()) {
            const QString error = q.lastError().text();
            rollback();
            return error;
        }
    }
    QString error;
    commit(&error);
    return error;
}

QStringList CloudDatabase::groupMembers(const QString &name, QString *error) const
{
    QStringList list;
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT controller_id FROM group_members WHERE group_name = ? ORDER BY controller_id"));
    q.addBindValue(name);
    if (!q.exec()) {
        if (error)
            *error = q.lastError().text();
        return list;
    }
    while (q.next())
        list << q.value(0).toString();
    return list;
}

QJsonArray CloudDatabase::groups(QString *error) const
{
    QJsonArray list;
    QSqlQuery q(db());
    if (!q.exec(QStringLiteral("SELECT g.group_name, COUNT(m.controller_id) FROM controller_groups g"
                               " LEFT JOIN group_members m ON m.group_name = g.group_name"
                               " GROUP BY g.group_name ORDER BY g.group_name"))) {
        if (error)
            *error = q.lastError().text();
        return list;
    }
    while (q.next())
        list.append(QJsonObject{{QStringLiteral("group"), q.value(0).toString()}, {QStringLiteral("members"), q.value(1).toInt()}});
    return list;
}

QHash<QString, QJsonObject> CloudDatabase::controllerHellos(QString *error) const
{
    QHash<QString, QJsonObject> hellos;
    QSqlQuery q(db());
    if (!q.exec(QStringLiteral("SELECT controller_id, hello FROM controllers"))) {
        if (error)
            *error = q.lastError().text();
        return hellos;
    }
    while (q.next())
        hellos.insert(q.value(0).toString(), QJsonDocument::fromJson(q.value(1).toString().toUtf8()).object());
    return hellos;
}

// Run on CloudStore's thread when a deployment (a rollout's or an
// operator's) could not be sent after all; here beside the rollouts' writes
// to keep clouddatabase.cpp small.
QString CloudDatabase::discardDeployment(const QString &syncId)
{
    begin();
    QString error;
    for (const char *table : {"deployment_events", "driver_deployments"}) {
        QSqlQuery &q = prepared(QStringLiteral("DELETE FROM %1 WHERE sync_id = ?").arg(QLatin1String(table)));
        q.addBindValue(syncId);
        if (!q.exec()) {
            error = q.lastError().text();
            rollback();
            return error;
        }
    }
    commit(&error);
    return error;
}

// The three below run on CloudStore's thread, inside its batch's
// transaction (hence begin()/commit(), and statements prepared once).
QString CloudDatabase::createRollout(const RolloutRow &r, const QList<RolloutSiteRow> &sites)
{
    begin();
    const QString at = r.createdAt.isEmpty() ? now() : r.createdAt;
    QSqlQuery &q = prepared(QStringLiteral("INSERT INTO rollouts (rollout_id, target, driver_type, version, payload, canary, batch_size,"
                                           " batch_percent, max_failure_percent, site_timeout_ms, state, reason, batch, created_at, updated_at)"
                                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const QVariant &v : QVariantList{r.rolloutId, r.target, r.driverType, r.version,
                                          QString::fromUtf8(QJsonDocument(r.payload).toJson(QJsonDocument::Compact)),
                                          r.canary, r.batchSize, r.batchPercent, r.maxFailurePercent, r.siteTimeoutMs,
                                          r.state, orNull(r.reason), r.batch, at, at})
        q.addBindValue(v);
    QString error = q.exec() ? QString() : q.lastError().text();
    QSqlQuery &s = prepared(QStringLiteral("INSERT INTO rollout_sites (rollout_id, controller_id, batch, state, updated_at) VALUES (?, ?, ?, ?, ?)"));
    for (qsizetype i = 0; error.isEmpty() && i < sites.size(); ++i) {
        for (const QVariant &v : QVariantList{r.rolloutId, sites.at(i).controllerId, sites.at(i).batch, sites.at(i).state, at})
            s.addBindValue(v);
        if (!s.exec())
            error = s.lastError().text();
    }
    if (!error.isEmpty()) {
        rollback();
        return error;
    }
    commit(&error);
    return error;
}

QString CloudDatabase::updateRollout(const RolloutRow &r)
{
    QSqlQuery &q = prepared(QStringLiteral("UPDATE rollouts SET state = ?, reason = ?, batch = ?, updated_at = ? WHERE rollout_id = ?"));
    for (const QVariant &v : QVariantList{r.state, orNull(r.reason), r.batch, now(), r.rolloutId})
        q.addBindValue(v);
    return q.exec() ? QString() : q.lastError().text();
}

QString CloudDatabase::updateRolloutSite(const RolloutSiteRow &s)
{
    QSqlQuery &q = prepared(QStringLiteral("UPDATE rollout_sites SET batch = ?, state = ?, sync_id = ?, rollback_sync_id = ?,"
                                           " previous_version = ?, error_message = ?, updated_at = ? WHERE rollout_id = ? AND controller_id = ?"));
    for (const QVariant &v : QVariantList{s.batch, s.state, orNull(s.syncId), orNull(s.rollbackSyncId), orNull(s.previousVersion),
                                          orNull(s.errorMessage), now(), s.rolloutId, s.controllerId})
        q.addBindValue(v);
    return q.exec() ? QString() : q.lastError().text();
}

std::optional<RolloutRow> CloudDatabase::rollout(const QString &rolloutId, QString *error) const
{
    const QList<RolloutRow> rows = rolloutsWhere(db(), QStringLiteral(" WHERE rollout_id = ?"), {rolloutId}, error);
    if (rows.isEmpty())
        return std::nullopt;
    return rows.first();
}

QList<RolloutRow> CloudDatabase::unfinishedRollouts(QString *error) const
{
    return rolloutsWhere(db(), QStringLiteral(" WHERE state IN ('running', 'paused', 'aborting') ORDER BY created_at, rollout_id"),
                         {}, error);
}

QList<RolloutRow> CloudDatabase::recentRollouts(int limit, QString *error) const
{
    // By the created_at index, newest first; shown oldest first.
    QList<RolloutRow> list = rolloutsWhere(db(), QStringLiteral(" ORDER BY created_at DESC, rollout_id DESC LIMIT ?"), {limit}, error);
    std::reverse(list.begin(), list.end());
    return list;
}

QHash<QString, int> CloudDatabase::rolloutSiteCounts(const QString &rolloutId, QString *error) const
{
    QHash<QString, int> counts;
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT state, COUNT(*) FROM rollout_sites WHERE rollout_id = ? GROUP BY state"));
    q.addBindValue(rolloutId);
    if (!q.exec()) {
        if (error)
            *error = q.lastError().text();
        return counts;
    }
    while (q.next())
        counts.insert(q.value(0).toString(), q.value(1).toInt());
    return counts;
}

QList<RolloutSiteRow> CloudDatabase::rolloutSites(const QString &rolloutId, QString *error) const
{
    QList<RolloutSiteRow> list;
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT controller_id, batch, state, sync_id, rollback_sync_id, previous_version, error_message,"
                             " updated_at FROM rollout_sites WHERE rollout_id = ? ORDER BY controller_id"));
    q.addBindValue(rolloutId);
    if (!q.exec()) {
        if (error)
            *error = q.lastError().text();
        return list;
    }
    while (q.next()) {
        RolloutSiteRow s;
        s.rolloutId = rolloutId;
        s.controllerId = q.value(0).toString();
        s.batch = q.value(1).toInt();
        s.state = q.value(2).toString();
        s.syncId = q.value(3).toString();
        s.rollbackSyncId = q.value(4).toString();
        s.previousVersion = q.value(5).toString();
        s.errorMessage = q.value(6).toString();
        s.updatedAt = q.value(7).toString();
        list.append(s);
    }
    return list;
}
