// CloudDatabase, continued: status_update reports in bulk. One report per
// round trip is what limited PostgreSQL (about 2,500 a second); there a
// batch of them goes as one INSERT into controller_reports, which says with
// RETURNING which were new, and one upsert of the device statuses those
// carry, each a statement prepared once that takes every column of the
// batch as one array (PgArray). SQLite has no round trip to save, and Qt's
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

#include <algorithm>

namespace {

// One column of a batch as a PostgreSQL array literal ({"a","b",NULL},
// {1,2}), bound as one value into a statement that never changes and is
// prepared once (unnest makes the rows again). A statement with a `?` per
// value had to be parsed, analysed and planned by the server for each batch
// (500 rows of five values), and every value was formatted into the
// EXECUTE's text by the driver: that was most of the server's and the
// database thread's work in a burst.
class PgArray
{
public:
    void add(const QString &text)
    {
        next();
        if (text.isNull()) {
            m_text += u"NULL";
            return;
        }
        m_text += u'"';
        for (const QChar c : text) {
            if (c == u'"' || c == u'\\')
                m_text += u'\\';
            m_text += c;
        }
        m_text += u'"';
    }
    void add(qint64 number)
    {
        next();
        m_text += QString::number(number);
    }
    bool isEmpty() const { return m_text.isEmpty(); }
    QString text() const { return isEmpty() ? QStringLiteral("{}") : m_text + u'}'; }

private:
    void next() { m_text += isEmpty() ? u'{' : u','; }

    QString m_text;
};

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
    // 1. The numbered ones, once per (controller, seq): which are new?
    QSet<QPair<QString, qint64>> fresh;
    PgArray controllers, seqs, data;
    for (const StatusReport *r : reports) {
        if (r->seq <= 0)
            continue;
        controllers.add(r->controllerId);
        seqs.add(r->seq);
        data.add(QString::fromUtf8(QJsonDocument(r->data).toJson(QJsonDocument::Compact)));
    }
    if (!seqs.isEmpty()) {
        QSqlQuery &q = prepared(QStringLiteral(
            "INSERT INTO controller_reports (controller_id, seq, type, data, received_at)"
            " SELECT c, s, 'status_update', d, ? FROM unnest(CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[])) AS u(c, s, d)"
            " ON CONFLICT (controller_id, seq) DO NOTHING RETURNING controller_id, seq"));
        q.addBindValue(now);
        q.addBindValue(controllers.text());
        q.addBindValue(seqs.text());
        q.addBindValue(data.text());
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
        // Stored before, or a second copy in this batch (resent after a
        // reconnect while the first was queued): not applied again.
        if (r->seq > 0 && !fresh.remove({r->controllerId, r->seq}))
            continue;
        const QPair<QString, QString> device{r->controllerId, r->status.deviceId};
        const auto it = slot.constFind(device);
        if (it == slot.cend()) {
            slot.insert(device, latest.size());
            latest.push_back(r);
        } else {
            latest[*it] = r;
        }
    }
    if (latest.empty())
        return {};
    PgArray ids, devices, statuses, messages, times;
    for (const StatusReport *r : latest) {
        ids.add(r->controllerId);
        devices.add(r->status.deviceId);
        statuses.add(r->status.status);
        messages.add(r->status.message);   // null stays NULL
        times.add(r->status.timestamp);
    }
    QSqlQuery &q = prepared(QStringLiteral(
        "INSERT INTO device_status (controller_id, device_id, status, message, reported_at, received_at)"
        " SELECT c, d, s, m, r, ? FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]),"
        " CAST(? AS TEXT[])) AS u(c, d, s, m, r)") + upsertStatus);
    q.addBindValue(now);
    q.addBindValue(ids.text());
    q.addBindValue(devices.text());
    q.addBindValue(statuses.text());
    q.addBindValue(messages.text());
    q.addBindValue(times.text());
    if (!q.exec())
        return q.lastError().text();
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
    // Once per controller, its highest: an UPDATE … FROM that joins a row
    // twice uses either (a new connection's hello writes its last ack at
    // once, beside a write already queued).
    QHash<QString, qint64> highest;
    for (const Ack *a : acks) {
        qint64 &seq = highest[a->controllerId];
        seq = std::max(seq, a->seq);
    }
    PgArray ids, seqs;
    for (auto it = highest.cbegin(); it != highest.cend(); ++it) {
        ids.add(it.key());
        seqs.add(it.value());
    }
    QSqlQuery &q = prepared(QStringLiteral(
        "UPDATE controllers AS c SET acked_seq = v.seq FROM unnest(CAST(? AS TEXT[]), CAST(? AS BIGINT[])) AS v(id, seq)"
        " WHERE c.controller_id = v.id AND c.acked_seq < v.seq"));
    q.addBindValue(ids.text());
    q.addBindValue(seqs.text());
    if (!q.exec())
        return q.lastError().text();
    return {};
}
