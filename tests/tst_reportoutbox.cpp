// The report outbox (app/storage) on a real SQLite file: seq order, seqs
// that never repeat (also after a restart and once every row is gone),
// superseded status_updates, retention by count and by age, and the sync
// outcomes it marks as reported.
#include "storage/database.h"
#include "storage/reportoutbox.h"
#include "storage/syncoutcomerepository.h"

#include <QDateTime>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

namespace {

OutboxReport report(const QString &type, const QString &key = {}, qint64 ageMs = 0, int n = 0)
{
    OutboxReport r;
    r.type = type;
    r.timestamp = QStringLiteral("2026-01-01T00:00:00.000Z");
    r.data = QJsonObject{{QStringLiteral("device_id"), key}, {QStringLiteral("n"), n}};
    r.supersedingKey = key;
    r.createdMs = QDateTime::currentMSecsSinceEpoch() - ageMs;
    return r;
}

OutboxReport status(const QString &device, int n)
{
    return report(QStringLiteral("status_update"), device, 0, n);
}

QList<qint64> seqs(const QList<OutboxReport> &list)
{
    QList<qint64> out;
    for (const OutboxReport &r : list)
        out << r.seq;
    return out;
}

} // namespace

class tst_ReportOutbox : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void storesInOrderWithGrowingSeq();
    void forgetsWhatTheCloudHas();
    void newerStatusOfADeviceReplacesTheOlder();
    void outcomesAreNeverReplaced();
    void retentionByCountDropsTheOldest();
    void retentionByAgeDropsTheOld();
    void seqNeverRepeatsAcrossRestarts();
    void moveAboveRenumbersHeldReports();
    void storedOutcomeIsMarkedReported();
    void reportsStoredByAnotherConnectionAreFoundAndCountedOnce();

private:
    void reopen();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
};

void tst_ReportOutbox::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    reopen();
}

void tst_ReportOutbox::cleanup()
{
    m_db.reset();
    m_dir.reset();
}

void tst_ReportOutbox::reopen()
{
    m_db.reset();
    m_db = std::make_unique<Database>();
    QCOMPARE(m_db->open(m_dir->filePath(QStringLiteral("db.sqlite")), QStringLiteral("outbox-test")), QString());
}

void tst_ReportOutbox::storesInOrderWithGrowingSeq()
{
    ReportOutbox outbox(m_db->connection());
    QCOMPARE(outbox.open(), QString());
    const auto w = outbox.write({report(QStringLiteral("driver_sync_complete")), status(QStringLiteral("a"), 1),
                                 report(QStringLiteral("device_command_result"))});
    QCOMPARE(w.error, QString());
    QCOMPARE(seqs(w.stored), (QList<qint64>{1, 2, 3}));
    QCOMPARE(outbox.count(), 3);
    const QList<OutboxReport> held = outbox.after(0, 10);
    QCOMPARE(seqs(held), (QList<qint64>{1, 2, 3}));
    QCOMPARE(held.at(0).type, QStringLiteral("driver_sync_complete"));
    QCOMPARE(held.at(1).data.value(QStringLiteral("n")).toInt(), 1);
    QCOMPARE(held.at(1).timestamp, QStringLiteral("2026-01-01T00:00:00.000Z"));
    QCOMPARE(seqs(outbox.after(1, 1)), QList<qint64>{2});
}

void tst_ReportOutbox::forgetsWhatTheCloudHas()
{
    ReportOutbox outbox(m_db->connection());
    QCOMPARE(outbox.open(), QString());
    outbox.write({report(QStringLiteral("driver_sync_error")), report(QStringLiteral("driver_sync_error")),
                  report(QStringLiteral("driver_sync_error"))});
    const auto w = outbox.write({}, 2);
    QCOMPARE(w.error, QString());
    QCOMPARE(outbox.count(), 1);
    QCOMPARE(seqs(outbox.after(0, 10)), QList<qint64>{3});
}

void tst_ReportOutbox::newerStatusOfADeviceReplacesTheOlder()
{
    ReportOutbox outbox(m_db->connection());
    QCOMPARE(outbox.open(), QString());
    outbox.write({status(QStringLiteral("a"), 1), status(QStringLiteral("b"), 1)});
    // Of a batch only the last of a device is stored; an earlier batch's goes too.
    const auto w = outbox.write({status(QStringLiteral("a"), 2), status(QStringLiteral("a"), 3)});
    QCOMPARE(w.superseded, 2);
    QCOMPARE(w.stored.size(), 1);
    const QList<OutboxReport> held = outbox.after(0, 10);
    QCOMPARE(held.size(), 2);
    QCOMPARE(held.at(0).data.value(QStringLiteral("device_id")).toString(), QStringLiteral("b"));
    QCOMPARE(held.at(1).data.value(QStringLiteral("device_id")).toString(), QStringLiteral("a"));
    QCOMPARE(held.at(1).data.value(QStringLiteral("n")).toInt(), 3);
    QVERIFY(held.at(1).seq > held.at(0).seq);   // the latest status is numbered when it is made
    QCOMPARE(outbox.count(), 2);
}

void tst_ReportOutbox::outcomesAreNeverReplaced()
{
    ReportOutbox outbox(m_db->connection());
    QCOMPARE(outbox.open(), QString());
    for (int i = 0; i < 3; ++i) {
        outbox.write({report(QStringLiteral("driver_sync_complete")), report(QStringLiteral("device_command_result")),
                      report(QStringLiteral("driver_reload_result"))});
    }
    QCOMPARE(outbox.count(), 9);
}

void tst_ReportOutbox::retentionByCountDropsTheOldest()
{
    ReportOutbox outbox(m_db->connection(), OutboxRetention{5, qint64(7) * 24 * 3600 * 1000});
    QCOMPARE(outbox.open(), QString());
    QList<OutboxReport> batch;
    for (int i = 0; i < 4; ++i)
        batch << report(QStringLiteral("device_command_result"), {}, 0, i);
    QCOMPARE(outbox.write(batch).dropped.total(), 0);
    const auto w = outbox.write(batch);   // 8 held: the 3 oldest go
    QCOMPARE(w.dropped.byCount, 3);
    QCOMPARE(w.dropped.byAge, 0);
    QCOMPARE(w.dropped.firstSeq, 1);
    QCOMPARE(w.dropped.lastSeq, 3);
    QCOMPARE(w.stored.size(), 4);
    QCOMPARE(outbox.count(), 5);
    QCOMPARE(seqs(outbox.after(0, 10)), (QList<qint64>{4, 5, 6, 7, 8}));
}

void tst_ReportOutbox::retentionByAgeDropsTheOld()
{
    const qint64 day = qint64(24) * 3600 * 1000;
    ReportOutbox outbox(m_db->connection());
    QCOMPARE(outbox.open(), QString());
    const auto w = outbox.write({report(QStringLiteral("driver_sync_complete"), {}, 8 * day),
                                 report(QStringLiteral("driver_sync_complete"), {}, 7 * day + 60000),
                                 report(QStringLiteral("driver_sync_complete"), {}, 6 * day)});
    QCOMPARE(w.dropped.byAge, 2);
    QCOMPARE(w.dropped.firstSeq, 1);
    QCOMPARE(w.dropped.lastSeq, 2);
    QCOMPARE(seqs(w.stored), QList<qint64>{3});
    QCOMPARE(seqs(outbox.after(0, 10)), QList<qint64>{3});
}

void tst_ReportOutbox::seqNeverRepeatsAcrossRestarts()
{
    {
        ReportOutbox outbox(m_db->connection());
        QCOMPARE(outbox.open(), QString());
        outbox.write({report(QStringLiteral("driver_sync_complete")), status(QStringLiteral("a"), 1)});
        outbox.write({}, 2);   // the cloud has both: nothing held
        QCOMPARE(outbox.count(), 0);
        QCOMPARE(outbox.highestSeq(), 2);
    }
    reopen();
    ReportOutbox outbox(m_db->connection());
    QCOMPARE(outbox.open(), QString());
    QCOMPARE(outbox.count(), 0);
    const auto w = outbox.write({report(QStringLiteral("driver_sync_error"))});
    QCOMPARE(seqs(w.stored), QList<qint64>{3});

    outbox.write({status(QStringLiteral("b"), 1)});
    reopen();
    ReportOutbox again(m_db->connection());
    QCOMPARE(again.open(), QString());
    QCOMPARE(again.count(), 2);   // what was held survives
    QCOMPARE(seqs(again.after(0, 10)), (QList<qint64>{3, 4}));
}

void tst_ReportOutbox::moveAboveRenumbersHeldReports()
{
    ReportOutbox outbox(m_db->connection());
    QCOMPARE(outbox.open(), QString());
    outbox.write({report(QStringLiteral("driver_sync_complete")), status(QStringLiteral("a"), 1)});
    QCOMPARE(outbox.moveAbove(1), QString());   // not beyond what was handed out: nothing changes
    QCOMPARE(seqs(outbox.after(0, 10)), (QList<qint64>{1, 2}));
    QCOMPARE(outbox.moveAbove(500), QString());
    QCOMPARE(seqs(outbox.after(0, 10)), (QList<qint64>{501, 502}));
    QCOMPARE(seqs(outbox.write({report(QStringLiteral("driver_sync_error"))}).stored), QList<qint64>{503});

    // A database that never numbered anything.
    QTemporaryDir other;
    Database fresh;
    QCOMPARE(fresh.open(other.filePath(QStringLiteral("f.sqlite")), QStringLiteral("outbox-fresh")), QString());
    ReportOutbox empty(fresh.connection());
    QCOMPARE(empty.open(), QString());
    QCOMPARE(empty.moveAbove(40), QString());
    QCOMPARE(seqs(empty.write({report(QStringLiteral("driver_sync_error"))}).stored), QList<qint64>{41});
}

void tst_ReportOutbox::storedOutcomeIsMarkedReported()
{
    SyncOutcomeRepository outcomes(m_db->connection());
    const QJsonObject data{{QStringLiteral("sync_id"), QStringLiteral("s1")}};
    QCOMPARE(outcomes.store({QStringLiteral("s1"), QStringLiteral("completed"), QStringLiteral("driver_sync_complete"), data,
                             QStringLiteral("t"), QStringLiteral("1")}),
             QString());
    QCOMPARE(outcomes.store({QStringLiteral("s2"), QStringLiteral("failed"), QStringLiteral("driver_sync_error"),
                             QJsonObject{{QStringLiteral("sync_id"), QStringLiteral("s2")}}, QStringLiteral("t"), {}}),
             QString());
    QCOMPARE(outcomes.unreported().size(), 2);

    ReportOutbox outbox(m_db->connection());
    QCOMPARE(outbox.open(), QString());
    OutboxReport r = report(QStringLiteral("driver_sync_complete"));
    r.data = data;
    QCOMPARE(outbox.write({r}).error, QString());
    const QList<SyncOutcome> left = outcomes.unreported();
    QCOMPARE(left.size(), 1);
    QCOMPARE(left.at(0).syncId, QStringLiteral("s2"));
    QCOMPARE(left.at(0).messageType, QStringLiteral("driver_sync_error"));
}

QTEST_GUILESS_MAIN(tst_ReportOutbox)
#include "tst_reportoutbox.moc"

void tst_ReportOutbox::reportsStoredByAnotherConnectionAreFoundAndCountedOnce()
{
    // The sync pipeline stores its answer on its own connection
    // (ReportOutbox::storeIn) in the commit that installs the driver.
    ReportOutbox outbox(m_db->connection());
    QCOMPARE(outbox.open(), QString());
    QCOMPARE(seqs(outbox.write({status(QStringLiteral("a"), 1)}).stored), QList<qint64>{1});
    Database other;
    QCOMPARE(other.open(m_dir->filePath(QStringLiteral("db.sqlite")), QStringLiteral("outbox-other")), QString());
    const auto storeElsewhere = [&] {
        OutboxReport r = report(QStringLiteral("driver_sync_complete"));
        QSqlDatabase db = other.connection();
        if (!db.transaction() || !ReportOutbox::storeIn(db, r).isEmpty() || !db.commit())
            return qint64(-1);
        return r.seq;
    };
    QCOMPARE(storeElsewhere(), 2);

    // The owner's next write finds it below its own: sent first, counted once.
    const auto w = outbox.write({status(QStringLiteral("b"), 1)});
    QCOMPARE(w.error, QString());
    QCOMPARE(seqs(w.stored), QList<qint64>{3});
    QCOMPARE(w.foreign, 1);
    QCOMPARE(outbox.count(), 3);
    QVERIFY(!outbox.adopt(2));   // announced after the write found it
    QCOMPARE(outbox.count(), 3);
    QCOMPARE(seqs(outbox.after(0, 10)), (QList<qint64>{1, 2, 3}));

    // Announced before any write: counted by adopt(), not found again.
    QCOMPARE(storeElsewhere(), 4);
    QVERIFY(outbox.adopt(4));
    QCOMPARE(outbox.count(), 4);
    const auto next = outbox.write({status(QStringLiteral("c"), 1)});
    QCOMPARE(seqs(next.stored), QList<qint64>{5});
    QCOMPARE(next.foreign, 0);
    QCOMPARE(outbox.count(), 5);
}
