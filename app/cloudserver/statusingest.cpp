// CloudDatabase, continued: status_update reports in bulk. One report per
// round trip is what limited PostgreSQL (about 2,500 a second); there a
// batch of them goes as one multi-row INSERT into controller_reports, which
// says with RETURNING which were new, and one multi-row upsert of the
// device statuses those carry. SQLite has no round trip to save, and Qt's
// SQLite driver looks every bound parameter up by name (quadratic in their
// number): there each report runs the two kept prepared statements.
// The acks recorded for the next welcome go the same way (storeAcks): during
// a burst each of 2000 controllers has one such write queued at a time, a
// round trip each on PostgreSQL.
#include "cloudserver/clouddatabase.h"

#include <QDateTime>
#include <QHash>
#include <QJsonDocument>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>

namespace {

// Rows per statement: far below SQLite's 32766 bound parameters.
constexpr size_t rowsPerStatement = 500;

QString placeholders(size_t rows, int columns)
{
    QString one = QStringLiteral("(?") + QStringLiteral(", ?").repeated(columns - 1) + QLatin1Char(')');
    QStringList all(qsizetype(rows), one);
    return all.join(QLatin1Char(','));
}

const QString upsertStatus = QStringLiteral(
    " ON CONFLICT (controller_id, device_id) DO UPDATE SET status = excluded.status, message = excluded.message,"
    " reported_at = excluded.reported_at, received_at = excluded.received_at");

// controller_id, device_id, status, message, reported_at (received_at is the caller's).
void bindStatus(QSqlQuery &q, const QString &controllerId, const StatusUpdateReport &s)
{
    q.addBindValue(controllerId);
    q.addBindValue(s.deviceId);
    q.addBindValue(s.status);
    q.addBindValue(s.message.isNull() ? QVariant() : QVariant(s.message));
    q.addBindValue(s.timestamp);
}

} // namespace

QString CloudDatabase::storeStatusReports(const std::vector<const StatusReport *> &reports)
{
    const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    if (!m_postgres) {
        for (const StatusReport *r : reports) {
            QString error;
            if (r->seq > 0) {
                const Recorded recorded = recordReport(r->controllerId, r->seq, QStringLiteral("status_update"), r->data, &error);
                if (recorded == Recorded::Failed)
                    return error;
                if (recorded == Recorded::Duplicate)
                    continue;   // stored before: not applied again
            }
            QSqlQuery &q = prepared(QStringLiteral(
                "INSERT INTO device_status (controller_id, device_id, status, message, reported_at, received_at)"
                " VALUES (?, ?, ?, ?, ?, ?)") + upsertStatus);
            bindStatus(q, r->controllerId, r->status);
            q.addBindValue(now);
            if (!q.exec())
                return q.lastError().text();
        }
        return {};
    }
    const QString &at = now;
    // 1. The numbered ones, once per (controller, seq): which are new?
    QSet<QPair<QString, qint64>> fresh;
    std::vector<const StatusReport *> numbered;
    for (const StatusReport *r : reports) {
        if (r->seq > 0)
            numbered.push_back(r);
    }
    for (size_t from = 0; from < numbered.size(); from += rowsPerStatement) {
        const size_t n = std::min(rowsPerStatement, numbered.size() - from);
        QSqlQuery q(db());
        q.prepare(QStringLiteral("INSERT INTO controller_reports (controller_id, seq, type, data, received_at) VALUES ")
                  + placeholders(n, 5) + QStringLiteral(" ON CONFLICT (controller_id, seq) DO NOTHING RETURNING controller_id, seq"));
        for (size_t i = from; i < from + n; ++i) {
            q.addBindValue(numbered.at(i)->controllerId);
            q.addBindValue(numbered.at(i)->seq);
            q.addBindValue(QStringLiteral("status_update"));
            q.addBindValue(QString::fromUtf8(QJsonDocument(numbered.at(i)->data).toJson(QJsonDocument::Compact)));
            q.addBindValue(at);
        }
        if (!q.exec())
            return q.lastError().text();
        while (q.next())
            fresh.insert({q.value(0).toString(), q.value(1).toLongLong()});
    }
    // 2. What they say, the latest per device (an upsert may touch a row
    // only once per statement).
    std::vector<const StatusReport *> latest;
    QHash<QPair<QString, QString>, size_t> slot;
    for (const StatusReport *r : reports) {
        if (r->seq > 0 && !fresh.contains({r->controllerId, r->seq}))
            continue;   // stored before: not applied again
        const QPair<QString, QString> device{r->controllerId, r->status.deviceId};
        const auto it = slot.constFind(device);
        if (it == slot.cend()) {
            slot.insert(device, latest.size());
            latest.push_back(r);
        } else {
            latest[*it] = r;
        }
    }
    for (size_t from = 0; from < latest.size(); from += rowsPerStatement) {
        const size_t n = std::min(rowsPerStatement, latest.size() - from);
        QSqlQuery q(db());
        q.prepare(QStringLiteral("INSERT INTO device_status (controller_id, device_id, status, message, reported_at, received_at)"
                                 " VALUES ") + placeholders(n, 6) + upsertStatus);
        for (size_t i = from; i < from + n; ++i) {
            bindStatus(q, latest.at(i)->controllerId, latest.at(i)->status);
            q.addBindValue(at);
        }
        if (!q.exec())
            return q.lastError().text();
    }
    return {};
}

QString CloudDatabase::storeAcks(const std::vector<const Ack *> &acks)
{
    if (!m_postgres) {
        for (const Ack *a : acks) {
            const QString error = storeAck(a->controllerId, a->seq);
            if (!error.isEmpty())
                return error;
        }
        return {};
    }
    for (size_t from = 0; from < acks.size(); from += rowsPerStatement) {
        const size_t n = std::min(rowsPerStatement, acks.size() - from);
        QSqlQuery q(db());
        // A controller appears once per call (one ack write at a time each).
        q.prepare(QStringLiteral("UPDATE controllers AS c SET acked_seq = v.seq FROM (VALUES ")
                  + QStringList(qsizetype(n), QStringLiteral("(?, CAST(? AS BIGINT))")).join(QLatin1Char(','))
                  + QStringLiteral(") AS v(id, seq) WHERE c.controller_id = v.id AND c.acked_seq < v.seq"));
        for (size_t i = from; i < from + n; ++i) {
            q.addBindValue(acks.at(i)->controllerId);
            q.addBindValue(acks.at(i)->seq);
        }
        if (!q.exec())
            return q.lastError().text();
    }
    return {};
}
