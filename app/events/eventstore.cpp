#include "events/eventstore.h"

#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

QString EventStore::insert(QList<Event> &events)
{
    if (events.isEmpty())
        return {};
    if (!m_db.transaction())
        return m_db.lastError().text();
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO events (at, kind, device_id, subject, from_value, to_value, message, detail)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    for (Event &e : events) {
        q.addBindValue(e.at.toUTC().toString(Qt::ISODateWithMs));
        q.addBindValue(e.kind);
        q.addBindValue(e.deviceId);
        q.addBindValue(e.subject);
        q.addBindValue(e.from);
        q.addBindValue(e.to);
        q.addBindValue(e.message);
        q.addBindValue(e.detail.isEmpty() ? QString()
                                          : QString::fromUtf8(QJsonDocument(e.detail).toJson(QJsonDocument::Compact)));
        if (!q.exec()) {
            const QString error = q.lastError().text();
            m_db.rollback();
            return error;
        }
        e.id = q.lastInsertId().toLongLong();
    }
    if (!m_db.commit()) {
        const QString error = m_db.lastError().text();
        m_db.rollback();
        return error;
    }
    return {};
}

int EventStore::prune(qint64 keep, QString *error)
{
    // Ids only grow and rows only go from the bottom, so "the newest `keep`"
    // is an id range: one indexed delete, no sort.
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("DELETE FROM events WHERE id <= (SELECT max(id) FROM events) - ?"));
    q.addBindValue(keep);
    if (!q.exec()) {
        if (error)
            *error = q.lastError().text();
        return -1;
    }
    return q.numRowsAffected();
}

qint64 EventStore::count(QString *error) const
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT count(*) FROM events")) || !q.next()) {
        if (error)
            *error = q.lastError().text();
        return 0;
    }
    return q.value(0).toLongLong();
}

QList<Event> EventStore::read(const EventQuery &query, QString *error) const
{
    QString sql = QStringLiteral("SELECT id, at, kind, device_id, subject, from_value, to_value, message, detail"
                                 " FROM events WHERE 1=1");
    QVariantList binds;
    if (!query.deviceId.isEmpty()) {
        sql += QStringLiteral(" AND device_id = ?");
        binds << query.deviceId;
    }
    if (query.since.isValid()) {
        // ISO text in UTC with milliseconds sorts as time.
        sql += QStringLiteral(" AND at >= ?");
        binds << query.since.toUTC().toString(Qt::ISODateWithMs);
    }
    sql += QStringLiteral(" ORDER BY id DESC");
    if (query.limit > 0)
        sql += QStringLiteral(" LIMIT %1").arg(query.limit);
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(sql);
    for (const QVariant &v : std::as_const(binds))
        q.addBindValue(v);
    QList<Event> out;
    if (!q.exec()) {
        if (error)
            *error = q.lastError().text();
        return out;
    }
    while (q.next()) {
        Event e;
        e.id = q.value(0).toLongLong();
        e.at = QDateTime::fromString(q.value(1).toString(), Qt::ISODateWithMs);
        e.kind = q.value(2).toString();
        e.deviceId = q.value(3).toString();
        e.subject = q.value(4).toString();
        e.from = q.value(5).toString();
        e.to = q.value(6).toString();
        e.message = q.value(7).toString();
        e.detail = QJsonDocument::fromJson(q.value(8).toString().toUtf8()).object();
        out << e;
    }
    return out;
}
