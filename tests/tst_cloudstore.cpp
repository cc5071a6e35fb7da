// CloudStore, control-cloud's database thread: urgent work ahead of status
// ingest, status coalesced per key only when the queue is full, a failing
// job that does not take its batch down with it.
#include "cloudserver/clouddatabase.h"
#include "cloudserver/cloudstore.h"
#include "storeblocker.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

class tst_CloudStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void urgentWorkGoesAheadOfStatus();
    void statusIsCoalescedOnlyWhenFull();
    void aFailingJobDoesNotLoseItsBatch();
    void bulkItemsRunTogether();

private:
    void block(CloudStore &store) { m_blocker.block(store); }
    void release() { m_blocker.release(); }
    int count(const QString &sql);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<CloudDatabase> m_db;
    StoreBlocker m_blocker;
};

void tst_CloudStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<CloudDatabase>();
    QCOMPARE(m_db->open(m_dir->filePath(QStringLiteral("cloud.sqlite"))), QString());
    QSqlQuery q(m_db->connection());
    QVERIFY(q.exec(QStringLiteral("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)")));
}

void tst_CloudStore::cleanup()
{
    release();
    m_db.reset();
    m_dir.reset();
}

int tst_CloudStore::count(const QString &sql)
{
    QSqlQuery q(m_db->connection());
    return q.exec(sql) && q.next() ? q.value(0).toInt() : -1;
}

void tst_CloudStore::urgentWorkGoesAheadOfStatus()
{
    CloudStore store(*m_db, CloudStore::Settings{});
    QCOMPARE(store.start(), QString());
    block(store);
    QStringList order;
    for (int i = 0; i < 50; ++i)
        store.post(CloudStore::Priority::Status, [](CloudDatabase &) { return QString(); },
                   [&order, i](const QString &) { order << QStringLiteral("status %1").arg(i); });
    store.post(CloudStore::Priority::Urgent, [](CloudDatabase &) { return QString(); },
               [&order](const QString &) { order << QStringLiteral("urgent"); });
    release();
    QVERIFY(QTest::qWaitFor([&] { return order.size() == 51; }, 5000));
    QCOMPARE(order.first(), QStringLiteral("urgent"));
    QCOMPARE(order.at(1), QStringLiteral("status 0"));
    QCOMPARE(order.last(), QStringLiteral("status 49"));
    QCOMPARE(store.coalesced(), 0);
}

void tst_CloudStore::statusIsCoalescedOnlyWhenFull()
{
    CloudStore store(*m_db, CloudStore::Settings{10, 1000});
    QCOMPARE(store.start(), QString());
    block(store);
    // 10 fill the queue (capacity 10, the blocking job is already running);
    // then 100 updates of one key and one of another key.
    int done = 0;
    QStringList errors;
    auto update = [&](const QString &key, int value) {
        store.post(CloudStore::Priority::Status,
                   [key, value](CloudDatabase &db) {
                       QSqlQuery q(db.connection());
                       q.prepare(QStringLiteral("INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v"));
                       q.addBindValue(key);
                       q.addBindValue(QString::number(value));
                       return q.exec() ? QString() : q.lastError().text();
                   },
                   [&](const QString &error) {
                       ++done;
                       if (!error.isEmpty())
                           errors << error;
                   },
                   key);
    };
    for (int i = 0; i < 10; ++i)
        update(QStringLiteral("fill-%1").arg(i), i);
    QCOMPARE(store.coalesced(), 0);   // not full yet: nothing coalesced
    update(QStringLiteral("dev"), 0);   // full, and no job for "dev" queued: queued anyway
    for (int i = 1; i < 100; ++i)
        update(QStringLiteral("dev"), i);
    update(QStringLiteral("other"), 7);
    QCOMPARE(store.coalesced(), 99);
    QCOMPARE(store.queued(), 12);
    release();
    // Every callback runs (each covered report is acknowledged); the row holds the latest.
    QVERIFY(QTest::qWaitFor([&] { return done == 111; }, 5000));
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n')));
    QCOMPARE(count(QStringLiteral("SELECT v FROM t WHERE k = 'dev'")), 99);
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM t")), 12);
}

void tst_CloudStore::aFailingJobDoesNotLoseItsBatch()
{
    CloudStore store(*m_db, CloudStore::Settings{});
    QCOMPARE(store.start(), QString());
    block(store);
    QHash<int, QString> outcome;
    for (int i = 0; i < 5; ++i) {
        store.post(CloudStore::Priority::Urgent,
                   [i](CloudDatabase &db) {
                       QSqlQuery q(db.connection());
                       // The third one breaks the primary key: its batch is rolled back.
                       q.prepare(QStringLiteral("INSERT INTO t (k, v) VALUES (?, 'x')"));
                       q.addBindValue(i == 2 ? QStringLiteral("k1") : QStringLiteral("k%1").arg(i));
                       return q.exec() ? QString() : q.lastError().text();
                   },
                   [&outcome, i](const QString &error) { outcome.insert(i, error); });
    }
    release();
    QVERIFY(QTest::qWaitFor([&] { return outcome.size() == 5; }, 5000));
    for (int i : {0, 1, 3, 4})
        QVERIFY2(outcome.value(i).isEmpty(), qPrintable(outcome.value(i)));
    QVERIFY(!outcome.value(2).isEmpty());
    QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM t")), 4);
}

void tst_CloudStore::bulkItemsRunTogether()
{
    CloudStore store(*m_db, CloudStore::Settings{});
    QList<int> calls;   // items per call of the bulk work
    QList<int> seen;
    const int kind = store.addBulk([&calls, &seen](CloudDatabase &, const std::vector<const std::any *> &items) {
        calls << int(items.size());
        for (const std::any *item : items)
            seen << std::any_cast<int>(*item);
        return QString();
    });
    QCOMPARE(store.start(), QString());
    block(store);
    int done = 0;
    for (int i = 0; i < 5; ++i)
        store.postBulk(CloudStore::Priority::Status, kind, i, [&done](const QString &) { ++done; });
    release();
    QVERIFY(QTest::qWaitFor([&] { return done == 5; }, 5000));
    QCOMPARE(calls, QList<int>{5});   // one call for the five, in order
    QCOMPARE(seen, (QList<int>{0, 1, 2, 3, 4}));
}

QTEST_GUILESS_MAIN(tst_CloudStore)
#include "tst_cloudstore.moc"
