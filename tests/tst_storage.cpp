// Storage: folder layout and permissions, durable files, migrations, and
// how the connections of one process share the write lock.
#include "storage/database.h"
#include "storage/driverrepository.h"
#include "storage/durablefile.h"
#include "storage/storagelayout.h"
#include "storage/writegate.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <chrono>
#include <thread>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

int modeOf(const QString &path)
{
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 0777);
}

} // namespace

class tst_Storage : public QObject
{
    Q_OBJECT

private slots:
    void layoutIsCreatedOwnerOnly();
    void layoutTightensExistingPermissions();
    void durableReplace();
    void staleTemporaryFilesAreRemoved();
    void freshDatabaseIsMigrated();
    void driversTableIsExactlyTheSeeds();
    void newerDatabaseIsRefused();
    void reopeningKeepsData();
    void aWriterWaitsForTheCommitNotForASleep();
    void aWriterStillGivesUpAfterItsTimeout();
    void rollbacksAndCommitsAreSeen();
    void theAutomaticCheckpointStays();
    void theWalKeepsItsReservedSize();
    void framesBeforeTheReserveSurviveACrash();
    void aRunnableFormLikeItsSourceIsNotKeptTwice();
};

void tst_Storage::layoutIsCreatedOwnerOnly()
{
    QTemporaryDir dir;
    const StorageLayout layout(dir.filePath(QStringLiteral("root")));
    QCOMPARE(layout.prepare(), QString());
    QCOMPARE(modeOf(layout.varDir()), 0700);
    QCOMPARE(modeOf(layout.driversDir()), 0700);
    QCOMPARE(modeOf(layout.logsDir()), 0700);
    QCOMPARE(layout.driverFilePath(QStringLiteral("x")), layout.root() + QStringLiteral("/var/drivers/x.js"));
    QCOMPARE(layout.databasePath(), layout.root() + QStringLiteral("/var/database.sqlite"));
    QCOMPARE(layout.syncLogPath(), layout.root() + QStringLiteral("/logs/driver-sync.log"));

    Database db;
    QCOMPARE(db.open(layout.databasePath(), QStringLiteral("perm")), QString());
    QCOMPARE(modeOf(layout.databasePath()), 0600);
}

void tst_Storage::layoutTightensExistingPermissions()
{
    QTemporaryDir dir;
    const StorageLayout layout(dir.filePath(QStringLiteral("root")));
    QVERIFY(QDir().mkpath(layout.driversDir()));
    ::chmod(QFile::encodeName(layout.driversDir()).constData(), 0755);
    QFile f(layout.driverFilePath(QStringLiteral("open")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    ::chmod(QFile::encodeName(f.fileName()).constData(), 0644);
    QCOMPARE(layout.prepare(), QString());
    QCOMPARE(modeOf(layout.driversDir()), 0700);
    QCOMPARE(modeOf(f.fileName()), 0600);
}

void tst_Storage::durableReplace()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("file.js"));
    QCOMPARE(DurableFile::replace(path, "one"), QString());
    QCOMPARE(DurableFile::replace(path, "two"), QString());
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("two"));
    QCOMPARE(modeOf(path), 0600);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("file.js")});

    QString temp;
    QVERIFY(!DurableFile::writeTemporary(dir.filePath(QStringLiteral("missing")), QStringLiteral("x"), "y", &temp)
                 .isEmpty());
}

void tst_Storage::staleTemporaryFilesAreRemoved()
{
    QTemporaryDir dir;
    const StorageLayout layout(dir.filePath(QStringLiteral("root")));
    QCOMPARE(layout.prepare(), QString());
    QString temp;
    QCOMPARE(DurableFile::writeTemporary(layout.driversDir(), QStringLiteral("a.js"), "x", &temp), QString());
    QVERIFY(QFile::exists(temp));
    QCOMPARE(layout.removeStaleTemporaryFiles(), 1);
    QVERIFY(!QFile::exists(temp));
}

void tst_Storage::freshDatabaseIsMigrated()
{
    QTemporaryDir dir;
    Database db;
    QCOMPARE(db.open(dir.filePath(QStringLiteral("db.sqlite")), QStringLiteral("fresh")), QString());
    QSqlQuery q(db.connection());
    QVERIFY(q.exec(QStringLiteral("PRAGMA user_version")) && q.next());
    QCOMPARE(q.value(0).toInt(), Database::schemaVersion());
    QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
    QVERIFY(q.exec(QStringLiteral("PRAGMA synchronous")) && q.next());
    QCOMPARE(q.value(0).toInt(), 2);   // FULL
}

void tst_Storage::driversTableIsExactlyTheSeeds()
{
    QTemporaryDir dir;
    Database db;
    QCOMPARE(db.open(dir.filePath(QStringLiteral("db.sqlite")), QStringLiteral("columns")), QString());
    QSqlQuery q(db.connection());
    QVERIFY(q.exec(QStringLiteral("PRAGMA table_info(drivers)")));
    QStringList columns;
    while (q.next()) {
        // name type notnull default pk
        columns << QStringLiteral("%1 %2 %3 %4 %5")
                       .arg(q.value(1).toString(), q.value(2).toString(), q.value(3).toString(),
                            q.value(4).isNull() ? QStringLiteral("-") : q.value(4).toString(), q.value(5).toString());
    }
    QCOMPARE(columns, (QStringList{
                          QStringLiteral("id TEXT 0 - 1"),
                          QStringLiteral("driver_type TEXT 1 - 0"),
                          QStringLiteral("version TEXT 1 - 0"),
                          QStringLiteral("protocol_type TEXT 1 - 0"),
                          QStringLiteral("driver_code TEXT 1 - 0"),
                          QStringLiteral("command_mappings TEXT 0 - 0"),
                          QStringLiteral("connection_config TEXT 0 - 0"),
                          QStringLiteral("sync_id TEXT 0 - 0"),
                          QStringLiteral("synced_at TIMESTAMP 0 CURRENT_TIMESTAMP 0"),
                          QStringLiteral("status TEXT 0 'active' 0"),
                      }));
    // driver_type is UNIQUE.
    QVERIFY(q.exec(QStringLiteral("INSERT INTO drivers (id, driver_type, version, protocol_type, driver_code)"
                                  " VALUES ('a', 't', '1', 'tcp', 'x')")));
    QVERIFY(!q.exec(QStringLiteral("INSERT INTO drivers (id, driver_type, version, protocol_type, driver_code)"
                                   " VALUES ('b', 't', '1', 'tcp', 'x')")));
}

void tst_Storage::newerDatabaseIsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("db.sqlite"));
    {
        Database db;
        QCOMPARE(db.open(path, QStringLiteral("future")), QString());
        QSqlQuery q(db.connection());
        QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = 99")));
    }
    Database db;
    const QString error = db.open(path, QStringLiteral("future2"));
    QVERIFY2(error.contains(u"newer than this build"), qPrintable(error));
    QVERIFY(!db.isOpen());
}

void tst_Storage::reopeningKeepsData()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("db.sqlite"));
    {
        Database db;
        QCOMPARE(db.open(path, QStringLiteral("first")), QString());
        QSqlQuery q(db.connection());
        QVERIFY(q.exec(QStringLiteral("INSERT INTO drivers (id, driver_type, version, protocol_type, driver_code)"
                                      " VALUES ('a', 't', '1', 'tcp', 'x')")));
    }
    Database db;
    QCOMPARE(db.open(path, QStringLiteral("second")), QString());
    QSqlQuery q(db.connection());
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM drivers")) && q.next());
    QCOMPARE(q.value(0).toInt(), 1);
}

namespace {

// A connection of its own, opened, used and closed on the calling thread.
struct RawConnection
{
    explicit RawConnection(const QString &path, const QString &name) : name(name)
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        db.open();
    }
    ~RawConnection()
    {
        QSqlDatabase::database(name, false).close();
        QSqlDatabase::removeDatabase(name);
    }
    QSqlDatabase db() const { return QSqlDatabase::database(name, false); }
    // WAL mode and a table `t` with `columns`.
    bool makeWalTable(const QString &columns) const
    {
        QSqlQuery q(db());
        return q.exec(QStringLiteral("PRAGMA journal_mode=WAL")) && q.exec(QStringLiteral("CREATE TABLE t (%1)").arg(columns));
    }
    QString name;
};

// A database file of its own, in WAL mode with a table `t`, on one raw
// connection.
struct WalTable
{
    WalTable(const QString &name, const QString &columns) : connection(path, name)
    {
        ready = connection.makeWalTable(columns);
    }
    QTemporaryDir dir;
    QString path = dir.filePath(QStringLiteral("db.sqlite"));
    RawConnection connection;
    bool ready = false;
};

} // namespace

void tst_Storage::aWriterWaitsForTheCommitNotForASleep()
{
    // SQLite's own busy handler would look again 1, 3, 8, 18, 33, 53 ms
    // after the first try: a lock let go after 35 ms was taken 18 ms late.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("db.sqlite"));
    Database holder;
    QCOMPARE(holder.open(path, QStringLiteral("holder")), QString());
    QSqlDatabase db = holder.connection();
    QVERIFY(db.transaction());
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("INSERT INTO sync_outcomes (sync_id, outcome, message_type, message_data, driver_type, version)"
                                  " VALUES ('held', 'completed', 't', '{}', 'd', '1')")));

    std::atomic<bool> waiting{false};
    std::chrono::steady_clock::time_point written;
    QString writerError;
    std::thread writer([&] {
        Database other;
        writerError = other.open(path, QStringLiteral("writer"));
        if (!writerError.isEmpty())
            return;
        QSqlQuery w(other.connection());
        // Its own commit's fsync is not what is measured.
        w.exec(QStringLiteral("PRAGMA synchronous=OFF"));
        waiting = true;
        if (!w.exec(QStringLiteral("INSERT INTO sync_outcomes (sync_id, outcome, message_type, message_data, driver_type, version)"
                                   " VALUES ('waited', 'completed', 't', '{}', 'd', '1')")))
            writerError = w.lastError().text();
        written = std::chrono::steady_clock::now();
    });
    QTRY_VERIFY(waiting.load());
    QTest::qSleep(35);
    QVERIFY(db.commit());
    const auto committed = std::chrono::steady_clock::now();
    writer.join();
    QCOMPARE(writerError, QString());
    const auto lateMs = std::chrono::duration_cast<std::chrono::microseconds>(written - committed).count() / 1000.0;
    QVERIFY2(lateMs < 8.0, qPrintable(QStringLiteral("the waiting writer wrote %1 ms after the commit").arg(lateMs)));
}

void tst_Storage::aWriterStillGivesUpAfterItsTimeout()
{
    WalTable held(QStringLiteral("holder"), QStringLiteral("x"));
    QVERIFY(held.ready);
    QVERIFY(held.connection.db().transaction());
    QSqlQuery setup(held.connection.db());
    QVERIFY(setup.exec(QStringLiteral("INSERT INTO t VALUES (1)")));

    QString error;
    qint64 waitedMs = 0;
    std::thread writer([&] {
        RawConnection other(held.path, QStringLiteral("writer"));
        WriteGate gate;
        error = gate.install(other.db(), 200, 0);
        if (!error.isEmpty())
            return;
        QElapsedTimer timer;
        timer.start();
        QSqlQuery w(other.db());
        if (!w.exec(QStringLiteral("INSERT INTO t VALUES (2)")))
            error = w.lastError().text();
        waitedMs = timer.elapsed();
    });
    writer.join();
    held.connection.db().rollback();
    QVERIFY2(error.contains(u"locked"), qPrintable(error));
    QVERIFY2(waitedMs >= 200 && waitedMs < 3000, qPrintable(QString::number(waitedMs)));
}

void tst_Storage::rollbacksAndCommitsAreSeen()
{
    // What wakes a waiting writer: every commit and every rollback of a
    // write transaction of a connection with the gate.
    QTemporaryDir dir;
    Database db;
    QCOMPARE(db.open(dir.filePath(QStringLiteral("db.sqlite")), QStringLiteral("seen")), QString());
    QSqlQuery q(db.connection());
    const std::uint64_t before = WriteGate::commits();
    QVERIFY(q.exec(QStringLiteral("INSERT INTO sync_outcomes (sync_id, outcome, message_type, message_data, driver_type, version)"
                                  " VALUES ('a', 'completed', 't', '{}', 'd', '1')")));
    QCOMPARE(WriteGate::commits(), before + 1);
    QVERIFY(db.connection().transaction());
    QVERIFY(q.exec(QStringLiteral("INSERT INTO sync_outcomes (sync_id, outcome, message_type, message_data, driver_type, version)"
                                  " VALUES ('b', 'completed', 't', '{}', 'd', '1')")));
    QVERIFY(db.connection().rollback());
    QCOMPARE(WriteGate::commits(), before + 2);
}

void tst_Storage::theAutomaticCheckpointStays()
{
    // The WAL hook replaces SQLite's automatic checkpoint: past the
    // threshold, a commit copies the WAL back into the database file.
    WalTable blobs(QStringLiteral("checkpointed"), QStringLiteral("x BLOB"));
    QVERIFY(blobs.ready);
    WriteGate gate;
    QCOMPARE(gate.install(blobs.connection.db(), 1000, 20), QString());
    QSqlQuery q(blobs.connection.db());
    const qint64 before = QFileInfo(blobs.path).size();
    for (int i = 0; i < 10; ++i) {
        q.prepare(QStringLiteral("INSERT INTO t VALUES (?)"));
        q.addBindValue(QByteArray(3 * 4096, char('a' + i)));
        QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
    }
    QVERIFY2(QFileInfo(blobs.path).size() >= before + 20 * 4096,
             qPrintable(QStringLiteral("database file %1 bytes, %2 before").arg(QFileInfo(blobs.path).size()).arg(before)));
}

namespace {

qint64 sizeOf(const QString &path)
{
    struct stat st {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? qint64(st.st_size) : -1;
}

QString insertDriver(QSqlDatabase db, const QString &type)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO drivers (id, driver_type, version, protocol_type, driver_code) VALUES (?, ?, '1', 'tcp', ?)"));
    q.addBindValue(type);
    q.addBindValue(type);
    q.addBindValue(QString(6000, QLatin1Char('x')));
    return q.exec() ? QString() : q.lastError().text();
}

} // namespace

void tst_Storage::theWalKeepsItsReservedSize()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("db.sqlite"));
    const QString wal = path + QStringLiteral("-wal");
    const qint64 reserve = 2 << 20;
    {
        Database db;
        QCOMPARE(db.open(path, QStringLiteral("reserving")), QString());
        QVERIFY(sizeOf(wal) < reserve);
        QCOMPARE(db.reserveWal(reserve), QString());
        QCOMPARE(sizeOf(wal), reserve);
        QCOMPARE(db.reserveWal(reserve / 2), QString());   // never shorter
        QCOMPARE(sizeOf(wal), reserve);
        for (int i = 0; i < 20; ++i)
            QCOMPARE(insertDriver(db.connection(), QStringLiteral("t%1").arg(i)), QString());
        QCOMPARE(sizeOf(wal), reserve);   // written into, not grown
        QCOMPARE(db.workingWalBytes(), 32 + Database::autoCheckpointPages * (4096 + 24) + (1 << 20));
    }
    // Closed by the last connection: checkpointed and gone, as SQLite does
    // (no WAL left to outlive a database restored beside it).
    QCOMPARE(sizeOf(wal), -1);
    Database again;
    QCOMPARE(again.open(path, QStringLiteral("again")), QString());
    QSqlQuery q(again.connection());
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM drivers")) && q.next());
    QCOMPARE(q.value(0).toInt(), 20);
    QCOMPARE(again.reserveWal(reserve), QString());
    QCOMPARE(insertDriver(again.connection(), QStringLiteral("after")), QString());
    QCOMPARE(sizeOf(wal), reserve);

    // Never made where SQLite has none.
    QTemporaryDir other;
    Database none;
    QCOMPARE(none.open(other.filePath(QStringLiteral("db.sqlite")), QStringLiteral("none")), QString());
    QVERIFY(QFile::remove(other.filePath(QStringLiteral("db.sqlite-wal"))));
    QVERIFY(!none.reserveWal(reserve).isEmpty());
    QVERIFY(!QFile::exists(other.filePath(QStringLiteral("db.sqlite-wal"))));
}

void tst_Storage::framesBeforeTheReserveSurviveACrash()
{
    // Committed frames not yet checkpointed, zeros after them, and the
    // process gone without closing: the next open finds the commits.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("db.sqlite"));
    const pid_t child = ::fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        Database db;
        bool ok = db.open(path, QStringLiteral("crashing")).isEmpty();
        for (int i = 0; ok && i < 5; ++i)
            ok = insertDriver(db.connection(), QStringLiteral("before%1").arg(i)).isEmpty();
        ok = ok && db.reserveWal(db.workingWalBytes()).isEmpty();
        ok = ok && insertDriver(db.connection(), QStringLiteral("after")).isEmpty();
        ::_exit(ok ? 0 : 1);   // no close, no checkpoint
    }
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);
    QCOMPARE(sizeOf(path + QStringLiteral("-wal")), 32 + Database::autoCheckpointPages * (4096 + 24) + (1 << 20));
    Database db;
    QCOMPARE(db.open(path, QStringLiteral("recovered")), QString());
    QSqlQuery q(db.connection());
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM drivers")) && q.next());
    QCOMPARE(q.value(0).toInt(), 6);
    QVERIFY(q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
}

void tst_Storage::aRunnableFormLikeItsSourceIsNotKeptTwice()
{
    QTemporaryDir dir;
    Database db;
    QCOMPARE(db.open(dir.filePath(QStringLiteral("db.sqlite")), QStringLiteral("runnable")), QString());
    RunnableRepository forms(db.connection());
    const QString plain = QStringLiteral("class A extends BaseDriver {}\nmodule.exports = A;\n");
    const QString modern = QStringLiteral("class B extends BaseDriver { #x = 1; }\nmodule.exports = B;\n");
    const QString rewritten = QStringLiteral("var B = /* down-levelled */ 1;\n");
    QCOMPARE(forms.store(plain, QStringLiteral("t1"), plain), QString());
    QCOMPARE(forms.store(modern, QStringLiteral("t1"), rewritten), QString());
    QSqlQuery q(db.connection());
    QVERIFY(q.exec(QStringLiteral("SELECT length(code) FROM driver_runnable ORDER BY length(code)")));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toInt(), 0);
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toInt(), rewritten.size());
    QCOMPARE(forms.find(plain, QStringLiteral("t1")), std::optional<QString>(plain));
    QCOMPARE(forms.find(modern, QStringLiteral("t1")), std::optional<QString>(rewritten));
    QCOMPARE(forms.find(plain, QStringLiteral("t2")), std::optional<QString>());
}

QTEST_GUILESS_MAIN(tst_Storage)
#include "tst_storage.moc"
