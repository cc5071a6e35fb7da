#include "storage/database.h"

#include "core/logcategories.h"
#include "storage/durablefile.h"
#include "storage/keptquery.h"

#include <QFile>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

#include <sys/stat.h>

namespace {

// Each entry moves the schema from version (index) to (index + 1), inside one
// transaction. Never edit a shipped entry: append a new one.
const QStringList &migrations()
{
    static const QStringList list = {
        // 1: drivers (the seed's table, exactly) and sync outcomes for idempotent driver_sync.
        QStringLiteral(
            "CREATE TABLE IF NOT EXISTS drivers ("
            " id TEXT PRIMARY KEY, driver_type TEXT UNIQUE NOT NULL, version TEXT NOT NULL,"
            " protocol_type TEXT NOT NULL, driver_code TEXT NOT NULL, command_mappings TEXT,"
            " connection_config TEXT, sync_id TEXT, synced_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,"
            " status TEXT DEFAULT 'active');"
            "CREATE TABLE IF NOT EXISTS sync_outcomes ("
            " sync_id TEXT PRIMARY KEY, outcome TEXT NOT NULL, message_type TEXT NOT NULL,"
            " message_data TEXT NOT NULL, driver_type TEXT, version TEXT,"
            " recorded_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);"),
        // 2: devices provisioned by the cloud (device_sync), restored at start.
        QStringLiteral(
            "CREATE TABLE IF NOT EXISTS devices ("
            " id TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL,"
            " connection_config TEXT NOT NULL DEFAULT '{}',"
            " created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,"
            " updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);"
            "CREATE INDEX IF NOT EXISTS devices_type ON devices(type);"),
        // 3: the runnable (down-levelled) form of driver source, by content and transformer.
        QStringLiteral(
            "CREATE TABLE IF NOT EXISTS driver_runnable ("
            " source_sha256 TEXT NOT NULL, transformer_version TEXT NOT NULL, code TEXT NOT NULL,"
            " created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,"
            " PRIMARY KEY (source_sha256, transformer_version));"),
        // 4: where a device is (device_sync `room`, PROTOCOL.md "Device details").
        QStringLiteral("ALTER TABLE devices ADD COLUMN room TEXT NOT NULL DEFAULT '';"),
        // 5: the versions each driver type ran before the active one (PROTOCOL.md
        // "Versions and rollback"); `drivers` keeps the seed's shape.
        QStringLiteral(
            "CREATE TABLE IF NOT EXISTS driver_versions ("
            " seq INTEGER PRIMARY KEY AUTOINCREMENT, driver_type TEXT NOT NULL, version TEXT NOT NULL,"
            " driver_id TEXT NOT NULL, protocol_type TEXT NOT NULL, driver_code TEXT NOT NULL,"
            " code_sha256 TEXT NOT NULL, command_mappings TEXT, connection_config TEXT, sync_id TEXT,"
            " active_from TIMESTAMP, active_until TIMESTAMP DEFAULT CURRENT_TIMESTAMP,"
            " UNIQUE (driver_type, version));"),
        // 6: the SHA-256 of each active driver's code, written with its row, so
        // hello names it without reading every driver's code (`drivers` keeps
        // the seed's shape). Rows from before are filled in on first use.
        QStringLiteral(
            "CREATE TABLE IF NOT EXISTS driver_digests ("
            " driver_type TEXT PRIMARY KEY, code_sha256 TEXT NOT NULL);"),
        // 7: reports kept until the cloud has them (ReportOutbox). AUTOINCREMENT:
        // a seq is never handed out twice, also after its row is gone.
        // Outcomes stored before this version count as reported.
        QStringLiteral(
            "CREATE TABLE IF NOT EXISTS report_outbox ("
            " seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, timestamp TEXT NOT NULL,"
            " data TEXT NOT NULL, superseding_key TEXT, created_ms INTEGER NOT NULL);"
            "CREATE INDEX IF NOT EXISTS report_outbox_superseding ON report_outbox(superseding_key)"
            " WHERE superseding_key IS NOT NULL;"
            "ALTER TABLE sync_outcomes ADD COLUMN reported INTEGER NOT NULL DEFAULT 0;"
            "UPDATE sync_outcomes SET reported = 1;"),
        // 8: the event log (app/events/EventLog keeps it bounded; newest by id).
        QStringLiteral(
            "CREATE TABLE IF NOT EXISTS events ("
            " id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, kind TEXT NOT NULL,"
            " device_id TEXT, subject TEXT, from_value TEXT, to_value TEXT, message TEXT, detail TEXT);"
            "CREATE INDEX IF NOT EXISTS events_device ON events(device_id, id);"),
        // 9: the signature each version arrived with (driver_sync.signature as
        // JSON text, NULL when unsigned or stored before this version), so that
        // a rollback is held to the trusted keys of today (PROTOCOL.md "Signed
        // drivers"; docs/drivers.md). `drivers` keeps the seed's shape.
        QStringLiteral(
            "ALTER TABLE driver_digests ADD COLUMN signature TEXT;"
            "ALTER TABLE driver_versions ADD COLUMN signature TEXT;"),
        // 10: driver_runnable.code '' stands for the source itself
        //     (RunnableRepository::store): an older build would take '' for
        //     the runnable form, so it refuses this schema instead.
        QStringLiteral("SELECT 1;"),
    };
    return list;
}

QString execAll(QSqlDatabase &db, const QString &script)
{
    const QStringList statements = script.split(QLatin1Char(';'), Qt::SkipEmptyParts);
    for (const QString &statement : statements) {
        if (statement.trimmed().isEmpty())
            continue;
        QSqlQuery q(db);
        if (!q.exec(statement))
            return q.lastError().text();
    }
    return {};
}

} // namespace

Database::~Database()
{
    close();
}

int Database::schemaVersion()
{
    return int(migrations().size());
}

QSqlDatabase Database::connection() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

void Database::close()
{
    if (m_connectionName.isEmpty())
        return;
    KeptQuery::forget(m_connectionName);
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    m_connectionName.clear();
}

QString Database::open(const QString &path, const QString &connectionName)
{
    close();
    const bool existed = QFile::exists(path);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(busyTimeoutMs));
        if (!db.open()) {
            const QString error = QStringLiteral("cannot open database %1: %2").arg(path, db.lastError().text());
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(connectionName);
            return error;
        }
    }
    m_connectionName = connectionName;
    if (!existed)
        ::chmod(QFile::encodeName(path).constData(), 0600);

    QSqlDatabase db = connection();
    // Writers of this process wait for each other's commit rather than
    // sleeping (storage/writegate.h); the automatic checkpoint stays.
    if (const QString gateError = m_writeGate.install(db, busyTimeoutMs, autoCheckpointPages); !gateError.isEmpty()) {
        const QString error = QStringLiteral("cannot prepare %1 for writers: %2").arg(path, gateError);
        close();
        return error;
    }
    QSqlQuery q(db);
    // WAL with synchronous=FULL: a commit is on disk when it returns.
    if (!q.exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !q.next()
        || q.value(0).toString().compare(u"wal", Qt::CaseInsensitive) != 0) {
        const QString error = QStringLiteral("cannot switch %1 to WAL: %2").arg(path, q.lastError().text());
        close();
        return error;
    }
    // Durability rests on this: read it back (FULL is 2) rather than trust
    // that the statement took effect.
    q.exec(QStringLiteral("PRAGMA synchronous=FULL"));
    if (!q.exec(QStringLiteral("PRAGMA synchronous")) || !q.next() || q.value(0).toInt() != 2) {
        const QString error = QStringLiteral("cannot set %1 to synchronous=FULL (it reports %2): %3")
                                  .arg(path, q.isValid() ? q.value(0).toString() : QStringLiteral("nothing"),
                                       q.lastError().text());
        close();
        return error;
    }
    q.exec(QStringLiteral("PRAGMA foreign_keys=ON"));

    const QString error = migrate();
    if (!error.isEmpty()) {
        close();
        return error;
    }
    return {};
}

qint64 Database::workingWalBytes() const
{
    constexpr qint64 walHeader = 32;
    constexpr qint64 frameHeader = 24;
    QSqlQuery q(connection());
    const qint64 pageSize = q.exec(QStringLiteral("PRAGMA page_size")) && q.next() ? q.value(0).toLongLong() : 4096;
    return walHeader + qint64(autoCheckpointPages) * (pageSize + frameHeader) + (qint64(1) << 20);
}

QString Database::reserveWal(qint64 bytes)
{
    QSqlDatabase db = connection();
    if (!db.isOpen())
        return QStringLiteral("the database is not open");
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return QStringLiteral("cannot take the write lock: %1").arg(q.lastError().text());
    const QString error = DurableFile::growWithZeros(db.databaseName() + QStringLiteral("-wal"), bytes);
    q.exec(QStringLiteral("ROLLBACK"));
    return error;
}

QString Database::migrate()
{
    QSqlDatabase db = connection();
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
        return QStringLiteral("cannot read the schema version: %1").arg(q.lastError().text());
    const int current = q.value(0).toInt();
    const int target = schemaVersion();
    if (current > target) {
        return QStringLiteral("database schema version %1 is newer than this build understands (%2); "
                              "refusing to touch it")
            .arg(current).arg(target);
    }
    for (int version = current; version < target; ++version) {
        if (!db.transaction())
            return QStringLiteral("cannot start migration %1: %2").arg(version + 1).arg(db.lastError().text());
        QString error = execAll(db, migrations().at(version));
        if (error.isEmpty()) {
            QSqlQuery set(db);
            if (!set.exec(QStringLiteral("PRAGMA user_version = %1").arg(version + 1)))
                error = set.lastError().text();
        }
        if (!error.isEmpty()) {
            db.rollback();
            return QStringLiteral("migration %1 failed: %2").arg(version + 1).arg(error);
        }
        if (!db.commit())
            return QStringLiteral("cannot commit migration %1: %2").arg(version + 1).arg(db.lastError().text());
        qCInfo(lcStorage) << "database migrated to schema version" << version + 1;
    }
    return {};
}
