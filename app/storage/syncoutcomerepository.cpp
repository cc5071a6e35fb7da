#include "storage/syncoutcomerepository.h"

#include "storage/keptquery.h"

#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

std::optional<SyncOutcome> SyncOutcomeRepository::find(const QString &syncId, QString *error) const
{
    // Kept: every driver_sync asks first whether its sync_id was answered.
    KeptQuery kept(m_db, QStringLiteral("SELECT outcome, message_type, message_data, driver_type, version"
                                        " FROM sync_outcomes WHERE sync_id = ?"));
    QSqlQuery &q = *kept;
    q.addBindValue(syncId);
    if (!q.exec()) {
        if (error)
            *error = q.lastError().text();
        return std::nullopt;
    }
    if (!q.next())
        return std::nullopt;
    SyncOutcome o;
    o.syncId = syncId;
    o.outcome = q.value(0).toString();
    o.messageType = q.value(1).toString();
    o.data = QJsonDocument::fromJson(q.value(2).toString().toUtf8()).object();
    o.driverType = q.value(3).toString();
    o.version = q.value(4).toString();
    return o;
}

QString SyncOutcomeRepository::store(const SyncOutcome &o)
{
    KeptQuery kept(m_db, QStringLiteral("INSERT OR REPLACE INTO sync_outcomes"
                                        " (sync_id, outcome, message_type, message_data, driver_type, version)"
                                        " VALUES (?, ?, ?, ?, ?, ?)"));
    QSqlQuery &q = *kept;
    q.addBindValue(o.syncId);
    q.addBindValue(o.outcome);
    q.addBindValue(o.messageType);
    q.addBindValue(QString::fromUtf8(QJsonDocument(o.data).toJson(QJsonDocument::Compact)));
    q.addBindValue(o.driverType.isEmpty() ? QVariant() : QVariant(o.driverType));
    q.addBindValue(o.version.isEmpty() ? QVariant() : QVariant(o.version));
    if (!q.exec())
        return q.lastError().text();
    return {};
}

QString SyncOutcomeRepository::markReported(const QString &syncId)
{
    KeptQuery kept(m_db, QStringLiteral("UPDATE sync_outcomes SET reported = 1 WHERE sync_id = ? AND reported = 0"));
    QSqlQuery &q = *kept;
    q.addBindValue(syncId);
    return q.exec() ? QString() : q.lastError().text();
}

QList<SyncOutcome> SyncOutcomeRepository::unreported(QString *error) const
{
    QList<SyncOutcome> list;
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT sync_id, outcome, message_type, message_data, driver_type, version"
                               " FROM sync_outcomes WHERE reported = 0 ORDER BY recorded_at, rowid"))) {
        if (error)
            *error = q.lastError().text();
        return list;
    }
    while (q.next()) {
        SyncOutcome o;
        o.syncId = q.value(0).toString();
        o.outcome = q.value(1).toString();
        o.messageType = q.value(2).toString();
        o.data = QJsonDocument::fromJson(q.value(3).toString().toUtf8()).object();
        o.driverType = q.value(4).toString();
        o.version = q.value(5).toString();
        list.append(o);
    }
    return list;
}
