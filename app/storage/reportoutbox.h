// The reports the controller has made and the cloud has not yet confirmed
// (PROTOCOL.md "Reports that survive outages"), in the report_outbox table.
// A report is stored here before it is sent and gets its `seq` from the
// table: AUTOINCREMENT never hands a number out twice, also across restarts
// and after the row is gone. Newer status_updates of a device replace older
// ones; retention is bounded by count and age, oldest dropped first.
// Owned by the thread of its connection (the main thread); another
// connection may only add reports through storeIn().
#pragma once

#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>

class QSqlQuery;

struct OutboxReport
{
    qint64 seq = 0;           // 0 until stored
    QString type;
    QString timestamp;        // when it was made: the envelope's, also when resent
    QJsonObject data;
    QString supersedingKey;   // non-empty: a later report with the same key replaces it
    qint64 createdMs = 0;     // ms since the epoch, for retention by age
};

struct OutboxRetention
{
    qint64 maxReports = 100000;
    qint64 maxAgeMs = qint64(7) * 24 * 3600 * 1000;
};

// What retention dropped (not what superseding replaced: that is no loss).
struct OutboxDrop
{
    qint64 byCount = 0;
    qint64 byAge = 0;
    qint64 firstSeq = 0;
    qint64 lastSeq = 0;

    qint64 total() const { return byCount + byAge; }
    void add(const OutboxDrop &other);
};

class ReportOutbox
{
public:
    explicit ReportOutbox(const QSqlDatabase &db, OutboxRetention retention = {});

    // Counts what an earlier run left. Returns an error line or empty.
    QString open();

    struct Written
    {
        QList<OutboxReport> stored;   // with their seq, in seq order
        qint64 superseded = 0;        // older reports replaced by newer ones
        OutboxDrop dropped;
        QString error;                // set: nothing was written
        // Reports another connection stored (storeIn) before these, not
        // yet sent: `stored` may go out only after them (after()).
        qint64 foreign = 0;
    };
    // One transaction: forgets every report with seq <= forgetUpTo (the cloud
    // has them), stores `reports` in order (each replacing the held reports
    // with its superseding key; of several in the batch the last counts),
    // then applies retention.
    Written write(QList<OutboxReport> reports, qint64 forgetUpTo = 0);

    // Stores one report in `db`'s open transaction, from another thread's
    // connection (the sync pipeline, so that its answer is kept in the
    // commit that makes it true). The outbox's owner learns of it through
    // adopt(), or when its next write finds the gap in the seqs.
    static QString storeIn(const QSqlDatabase &db, OutboxReport &report);
    // A report storeIn() stored (its seq) is counted here. False: a
    // write() had found it already (as `foreign`).
    bool adopt(qint64 seq);

    // Held reports with seq > `seq`, in seq order, at most `limit`.
    QList<OutboxReport> after(qint64 seq, int limit, QString *error = nullptr) const;
    qint64 count() const { return m_count; }
    // The highest seq ever handed out (0: none yet).
    qint64 highestSeq(QString *error = nullptr) const;
    // The cloud stored reports up to `lastSeq`, beyond any seq handed out
    // here (this database is younger than the cloud's memory of the
    // controller): every held report and the counter move above it.
    QString moveAbove(qint64 lastSeq);

private:
    QString forget(qint64 upTo);
    QString supersede(const QString &key, qint64 *removed);
    QString insert(OutboxReport &report);
    QString applyRetention(OutboxDrop *dropped);
    QString dropUpTo(qint64 seq, qint64 *count, qint64 *firstSeq);
    static QString insertSql();
    static QString bindAndRun(QSqlQuery &query, OutboxReport &report);

    QSqlDatabase m_db;
    OutboxRetention m_retention;
    qint64 m_count = 0;
    qint64 m_forgottenUpTo = 0;
    qint64 m_highestSeq = 0;   // the highest seq this outbox knows of (own or adopted)
    QString countForeign(qint64 above, qint64 upTo, qint64 *counted);
};
