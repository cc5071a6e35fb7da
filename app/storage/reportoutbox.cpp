#include "storage/reportoutbox.h"

#include "core/logcategories.h"
#include "storage/keptquery.h"

#include "storage/syncoutcomerepository.h"

#include <QDateTime>
#include <QHash>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>

namespace {

bool isOutcome(const QString &type)
{
    return type == u"driver_sync_complete" || type == u"driver_sync_error";
}

} // namespace

void OutboxDrop::add(const OutboxDrop &other)
{
    if (other.total() == 0)
        return;
    if (total() == 0 || other.firstSeq < firstSeq)
        firstSeq = other.firstSeq;
    lastSeq = std::max(lastSeq, other.lastSeq);
    byCount += other.byCount;
    byAge += other.byAge;
}

ReportOutbox::ReportOutbox(const QSqlDatabase &db, OutboxRetention retention) : m_db(db), m_retention(retention)
{
}

QString ReportOutbox::open()
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM report_outbox")) || !q.next())
        return QStringLiteral("cannot count the report outbox: %1").arg(q.lastError().text());
    m_count = q.value(0).toLongLong();
    QString error;
    m_highestSeq = highestSeq(&error);
    return error;
}

ReportOutbox::Written ReportOutbox::write(QList<OutboxReport> reports, qint64 forgetUpTo)
{
    Written written;
    // Of several reports with one key in this batch only the last is stored.
    QHash<QString, qsizetype> lastOfKey;
    for (qsizetype i = 0; i < reports.size(); ++i) {
        if (!reports.at(i).supersedingKey.isEmpty())
            lastOfKey.insert(reports.at(i).supersedingKey, i);
    }
    if (!m_db.transaction()) {
        written.error = m_db.lastError().text();
        return written;
    }
    const qint64 countBefore = m_count;
    const qint64 highestBefore = m_highestSeq;
    QString error = forgetUpTo > m_forgottenUpTo ? forget(forgetUpTo) : QString();
    for (qsizetype i = 0; error.isEmpty() && i < reports.size(); ++i) {
        OutboxReport &r = reports[i];
        if (!r.supersedingKey.isEmpty()) {
            if (lastOfKey.value(r.supersedingKey) != i) {
                ++written.superseded;
                continue;
            }
            error = supersede(r.supersedingKey, &written.superseded);
        }
        if (error.isEmpty())
            error = insert(r);
        // A seq beyond the next one: another connection stored reports in
        // between (storeIn), which go out first.
        if (error.isEmpty() && r.seq > m_highestSeq + 1)
            error = countForeign(m_highestSeq, r.seq - 1, &written.foreign);
        if (error.isEmpty())
            m_highestSeq = r.seq;
        // The sync's answer is now on its way: a restart sends it from here.
        if (error.isEmpty() && isOutcome(r.type))
            error = SyncOutcomeRepository(m_db).markReported(r.data.value(QStringLiteral("sync_id")).toString());
        if (error.isEmpty())
            written.stored.append(r);
    }
    if (error.isEmpty())
        error = applyRetention(&written.dropped);
    if (error.isEmpty() && !m_db.commit())
        error = m_db.lastError().text();
    if (!error.isEmpty()) {
        m_db.rollback();
        m_count = countBefore;
        m_highestSeq = highestBefore;
        written.stored.clear();
        written.error = error;
        return written;
    }
    if (forgetUpTo > m_forgottenUpTo)
        m_forgottenUpTo = forgetUpTo;
    // Retention may have dropped some of what was just stored.
    if (written.dropped.total() > 0) {
        const qint64 lastDropped = written.dropped.lastSeq;
        written.stored.erase(std::remove_if(written.stored.begin(), written.stored.end(),
                                            [&](const OutboxReport &r) { return r.seq <= lastDropped; }),
                             written.stored.end());
    }
    return written;
}

QString ReportOutbox::forget(qint64 upTo)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("DELETE FROM report_outbox WHERE seq <= ?"));
    q.addBindValue(upTo);
    if (!q.exec())
        return q.lastError().text();
    m_count -= q.numRowsAffected();
    return {};
}

QString ReportOutbox::supersede(const QString &key, qint64 *removed)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("DELETE FROM report_outbox WHERE superseding_key = ?"));
    q.addBindValue(key);
    if (!q.exec())
        return q.lastError().text();
    m_count -= q.numRowsAffected();
    *removed += q.numRowsAffected();
    return {};
}

QString ReportOutbox::insert(OutboxReport &r)
{
    // Kept prepared: a device_command_result is often alone in its turn, a
    // write of one report, where parsing the statement anew was a large share.
    KeptQuery insert(m_db, insertSql());
    const QString error = bindAndRun(*insert, r);
    if (error.isEmpty())
        ++m_count;
    return error;
}

// The statement both ways of storing a report run, each kept on its
// connection: the outbox's own and the pipeline's (in its commit).
QString ReportOutbox::insertSql()
{
    return QStringLiteral("INSERT INTO report_outbox (type, timestamp, data, superseding_key, created_ms)"
                          " VALUES (?, ?, ?, ?, ?)");
}

QString ReportOutbox::storeIn(const QSqlDatabase &db, OutboxReport &r)
{
    KeptQuery insert(db, insertSql());
    return bindAndRun(*insert, r);
}

QString ReportOutbox::bindAndRun(QSqlQuery &q, OutboxReport &r)
{
    q.addBindValue(r.type);
    q.addBindValue(r.timestamp);
    q.addBindValue(QString::fromUtf8(QJsonDocument(r.data).toJson(QJsonDocument::Compact)));
    q.addBindValue(r.supersedingKey.isEmpty() ? QVariant() : QVariant(r.supersedingKey));
    q.addBindValue(r.createdMs);
    if (!q.exec())
        return q.lastError().text();
    r.seq = q.lastInsertId().toLongLong();
    return {};
}

QString ReportOutbox::countForeign(qint64 above, qint64 upTo, qint64 *counted)
{
    // Kept: adopt() runs it on the path of every sync's answer.
    KeptQuery q(m_db, QStringLiteral("SELECT COUNT(*) FROM report_outbox WHERE seq > ? AND seq <= ?"));
    q->addBindValue(above);
    q->addBindValue(upTo);
    if (!q->exec() || !q->next())
        return q->lastError().text();
    m_count += q->value(0).toLongLong();
    *counted += q->value(0).toLongLong();
    return {};
}

bool ReportOutbox::adopt(qint64 seq)
{
    if (seq <= m_highestSeq)
        return false;   // counted already, by a write that found it
    if (seq == m_highestSeq + 1) {
        // The next one: the only row between is this one (nothing to count).
        ++m_count;
        m_highestSeq = seq;
        return true;
    }
    // Known from here on, also when the count fails (it only feeds the
    // retention's count): a later write must not find it as a gap again and
    // wait for an announcement that already came.
    qint64 counted = 0;
    const QString error = countForeign(m_highestSeq, seq, &counted);
    if (!error.isEmpty())
        qCWarning(lcStorage).noquote() << "cannot count the reports stored with a sync:" << error;
    m_highestSeq = seq;
    return true;
}

QString ReportOutbox::applyRetention(OutboxDrop *dropped)
{
    // By age: reports are stored in time order, so the oldest row (first by
    // seq, no scan) tells whether any is too old; only then is the table read.
    const qint64 cutoff = QDateTime::currentMSecsSinceEpoch() - m_retention.maxAgeMs;
    bool tooOld = false;
    {
        // Reset when it goes: a kept statement left on its row would hold a read snapshot.
        KeptQuery oldest(m_db, QStringLiteral("SELECT created_ms FROM report_outbox ORDER BY seq LIMIT 1"));
        if (!oldest->exec())
            return oldest->lastError().text();
        tooOld = oldest->next() && oldest->value(0).toLongLong() < cutoff;
    }
    QSqlQuery q(m_db);
    if (tooOld) {
        q.prepare(QStringLiteral("SELECT MAX(seq) FROM report_outbox WHERE created_ms < ?"));
        q.addBindValue(cutoff);
        if (!q.exec() || !q.next())
            return q.lastError().text();
    }
    if (q.isValid() && !q.value(0).isNull()) {
        const qint64 last = q.value(0).toLongLong();
        const QString error = dropUpTo(last, &dropped->byAge, &dropped->firstSeq);
        if (!error.isEmpty())
            return error;
        dropped->lastSeq = last;
    }
    // By count.
    const qint64 excess = m_count - m_retention.maxReports;
    if (excess <= 0)
        return {};
    QSqlQuery e(m_db);
    e.prepare(QStringLiteral("SELECT seq FROM report_outbox ORDER BY seq LIMIT 1 OFFSET ?"));
    e.addBindValue(excess - 1);
    if (!e.exec() || !e.next())
        return e.lastError().text();
    const qint64 last = e.value(0).toLongLong();
    qint64 firstSeq = 0;
    const QString error = dropUpTo(last, &dropped->byCount, &firstSeq);
    if (dropped->firstSeq == 0)
        dropped->firstSeq = firstSeq;
    dropped->lastSeq = last;
    return error;
}

QString ReportOutbox::dropUpTo(qint64 seq, qint64 *count, qint64 *firstSeq)
{
    QSqlQuery first(m_db);
    if (!first.exec(QStringLiteral("SELECT MIN(seq) FROM report_outbox")) || !first.next())
        return first.lastError().text();
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("DELETE FROM report_outbox WHERE seq <= ?"));
    q.addBindValue(seq);
    if (!q.exec())
        return q.lastError().text();
    *firstSeq = first.value(0).toLongLong();
    *count += q.numRowsAffected();
    m_count -= q.numRowsAffected();
    return {};
}

QList<OutboxReport> ReportOutbox::after(qint64 seq, int limit, QString *error) const
{
    QList<OutboxReport> list;
    // Kept: every sync's answer is read back through it before it is sent.
    KeptQuery q(m_db, QStringLiteral("SELECT seq, type, timestamp, data, superseding_key, created_ms FROM report_outbox"
                                     " WHERE seq > ? ORDER BY seq LIMIT ?"));
    q->addBindValue(seq);
    q->addBindValue(limit);
    if (!q->exec()) {
        if (error)
            *error = q->lastError().text();
        return list;
    }
    while (q->next()) {
        OutboxReport r;
        r.seq = q->value(0).toLongLong();
        r.type = q->value(1).toString();
        r.timestamp = q->value(2).toString();
        r.data = QJsonDocument::fromJson(q->value(3).toString().toUtf8()).object();
        r.supersedingKey = q->value(4).toString();
        r.createdMs = q->value(5).toLongLong();
        list.append(r);
    }
    return list;
}

qint64 ReportOutbox::highestSeq(QString *error) const
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT seq FROM sqlite_sequence WHERE name = 'report_outbox'"))) {
        if (error)
            *error = q.lastError().text();
        return 0;
    }
    return q.next() ? q.value(0).toLongLong() : 0;
}

QString ReportOutbox::moveAbove(qint64 lastSeq)
{
    QString error;
    const qint64 highest = highestSeq(&error);
    if (!error.isEmpty())
        return error;
    if (lastSeq <= highest)
        return {};
    if (!m_db.transaction())
        return m_db.lastError().text();
    // Every new seq (old + lastSeq) is above every old one: no collisions.
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("UPDATE report_outbox SET seq = seq + ?"));
    q.addBindValue(lastSeq);
    bool ok = q.exec();
    QSqlQuery s(m_db);
    s.prepare(highest == 0 && !QSqlQuery(QStringLiteral("SELECT 1 FROM sqlite_sequence WHERE name = 'report_outbox'"), m_db).next()
                  ? QStringLiteral("INSERT INTO sqlite_sequence (seq, name) VALUES (?, 'report_outbox')")
                  : QStringLiteral("UPDATE sqlite_sequence SET seq = ? WHERE name = 'report_outbox'"));
    s.addBindValue(lastSeq + highest);
    ok = ok && s.exec();
    if (!ok || !m_db.commit()) {
        error = q.lastError().text() + s.lastError().text() + m_db.lastError().text();
        m_db.rollback();
        return error.isEmpty() ? QStringLiteral("cannot renumber the report outbox") : error;
    }
    m_forgottenUpTo = 0;
    // Count and highest seq afresh: reports another connection stored and
    // not yet adopted were renumbered too.
    return open();
}
