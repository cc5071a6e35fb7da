// Storage: folder layout and permissions, durable files, migrations.
#include "storage/database.h"
#include "storage/durablefile.h"
#include "storage/storagelayout.h"

#include <QDir>
#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

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

QTEST_GUILESS_MAIN(tst_Storage)
#include "tst_storage.moc"
