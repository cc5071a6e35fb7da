#include "cloudserver/clouddatabase.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QUuid>
#include <QVariant>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcCloudDb, "cloud.db", QtInfoMsg)

namespace {

// Portable SQL: TEXT timestamps in ISO 8601 UTC, set by the server.
const QStringList &migrations()
{
    static const QStringList list = {
        QStringLiteral(
            "CREATE TABLE driver_deployments ("
            " sync_id TEXT PRIMARY KEY, driver_id TEXT NOT NULL, driver_type TEXT NOT NULL,"
            " version TEXT NOT NULL, controller_id TEXT NOT NULL,"
            " deployment_status TEXT NOT NULL DEFAULT 'pending',"
            " deployed_at TEXT, file_path TEXT, error_message TEXT, created_at TEXT NOT NULL);"
            "CREATE TABLE deployment_events ("
            " sync_id TEXT NOT NULL, deployment_status TEXT NOT NULL, at TEXT NOT NULL);"
            "CREATE TABLE device_status ("
            " controller_id TEXT NOT NULL, device_id TEXT NOT NULL, status TEXT NOT NULL,"
            " message TEXT, reported_at TEXT NOT NULL, received_at TEXT NOT NULL,"
            " PRIMARY KEY (controller_id, device_id));"
            "CREATE TABLE controllers ("
            " controller_id TEXT PRIMARY KEY, name TEXT, app_version TEXT, hello TEXT, last_seen TEXT NOT NULL)"),
        // Per-controller credentials: only the SHA-256 of each token (hex).
        QStringLiteral(
            "CREATE TABLE controller_credentials ("
            " controller_id TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL, created_at TEXT NOT NULL)"),
        // Every numbered report, once: the UNIQUE key makes a resent one a no-op.
        QStringLiteral(
            "CREATE TABLE controller_reports ("
            " controller_id TEXT NOT NULL, seq BIGINT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL,"
            " received_at TEXT NOT NULL, UNIQUE (controller_id, seq))"),
        // Fleet rollouts (rollouts.h) and the indexes that keep every report's
        // bookkeeping a lookup by key, however long the history grows.
        QStringLiteral(
            "CREATE INDEX deployment_events_sync ON deployment_events (sync_id);"
            "CREATE INDEX driver_deployments_controller ON driver_deployments (controller_id);"
            "CREATE TABLE controller_groups (group_name TEXT PRIMARY KEY, created_at TEXT NOT NULL);"
            "CREATE TABLE group_members ("
            " group_name TEXT NOT NULL, controller_id TEXT NOT NULL, PRIMARY KEY (group_name, controller_id));"
            "CREATE TABLE rollouts ("
            " rollout_id TEXT PRIMARY KEY, target TEXT NOT NULL, driver_type TEXT NOT NULL, version TEXT NOT NULL,"
            " payload TEXT NOT NULL, canary INTEGER NOT NULL, batch_size INTEGER NOT NULL, batch_percent INTEGER NOT NULL,"
            " max_failure_percent REAL NOT NULL, site_timeout_ms BIGINT NOT NULL, state TEXT NOT NULL,"
            " reason TEXT, batch INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
            "CREATE INDEX rollouts_state ON rollouts (state);"
            "CREATE TABLE rollout_sites ("
            " rollout_id TEXT NOT NULL, controller_id TEXT NOT NULL, batch INTEGER NOT NULL, state TEXT NOT NULL,"
            " sync_id TEXT, rollback_sync_id TEXT, previous_version TEXT, error_message TEXT, updated_at TEXT NOT NULL,"
            " PRIMARY KEY (rollout_id, controller_id))"),
        // The last cumulative ack per controller: what a welcome may claim.
        QStringLiteral("ALTER TABLE controllers ADD COLUMN acked_seq BIGINT NOT NULL DEFAULT 0"),
        // The operator's views read the newest rows by these, not the history.
        QStringLiteral(
            "CREATE INDEX driver_deployments_created ON driver_deployments (created_at);"
            "CREATE INDEX rollouts_created ON rollouts (created_at)"),
    };
    return list;
}

// open() runs on the event loop's thread and on CloudStore's.
std::atomic<int> counter {0};

const QString deploymentColumns = QStringLiteral(
    "SELECT sync_id, driver_id, driver_type, version, controller_id, deployment_status,"
    " deployed_at, file_path, error_message, created_at FROM driver_deployments");

DeploymentRow deploymentRow(const QSqlQuery &q)
{
    DeploymentRow r;
    r.syncId = q.value(0).toString();
    r.driverId = q.value(1).toString();
    r.driverType = q.value(2).toString();
    r.version = q.value(3).toString();
    r.controllerId = q.value(4).toString();
    r.status = q.value(5).toString();
    r.deployedAt = q.value(6).toString();
    r.filePath = q.value(7).toString();
    r.errorMessage = q.value(8).toString();
    r.createdAt = q.value(9).toString();
    return r;
}

} // namespace

CloudDatabase::~CloudDatabase()
{
    if (m_connection.isEmpty())
        return;
    m_prepared.clear();   // before the connection goes
    {
        QSqlDatabase d = QSqlDatabase::database(m_connection, false);
        d.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

QString CloudDatabase::now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

int CloudDatabase::schemaVersion()
{
    return int(migrations().size());
}

QSqlDatabase CloudDatabase::db() const
{
    return QSqlDatabase::database(m_connection, false);
}

bool CloudDatabase::begin()
{
    return m_outer || db().transaction();
}

bool CloudDatabase::commit(QString *error)
{
    if (m_outer || db().commit())
        return true;
    *error = db().lastError().text();
    return false;
}

void CloudDatabase::rollback()
{
    // Under an outer transaction the caller rolls back the whole batch
    // when told of the error; a method that changed nothing needs none.
    if (!m_outer)
        db().rollback();
}

QSqlQuery &CloudDatabase::prepared(const QString &sql) const
{
    auto it = m_prepared.find(sql);
    if (it == m_prepared.end()) {
        QSqlQuery q(db());
        if (!q.prepare(sql)) {
            // Not kept: its exec() fails with the reason, and the next call
            // prepares it again (kept, it would fail for good on PostgreSQL).
            m_unprepared = std::move(q);
            return m_unprepared;
        }
        it = m_prepared.insert(sql, q);
    }
    return *it;
}

QString CloudDatabase::open(const QString &location)
{
    m_connection = QStringLiteral("cloud-%1").arg(++counter);
    m_location = location;
    const QUrl url(location);
    m_postgres = url.scheme() == u"postgres" || url.scheme() == u"postgresql";
    QSqlDatabase d = QSqlDatabase::addDatabase(m_postgres ? QStringLiteral("QPSQL") : QStringLiteral("QSQLITE"), m_connection);
    if (!d.isValid())
        return QStringLiteral("the Qt SQL driver for %1 is not installed").arg(m_postgres ? u"PostgreSQL" : u"SQLite");
    if (m_postgres) {
        d.setHostName(url.host());
        d.setPort(url.port(5432));
        d.setUserName(url.userName());
        d.setPassword(url.password());
        d.setDatabaseName(url.path().mid(1));
        d.setConnectOptions(QStringLiteral("connect_timeout=10"));
        // The password from a file or the environment keeps it off the
        // command line (main.cpp); one in the URL still works.
        if (!m_password.isEmpty())
            d.setPassword(m_password);
    } else {
        // Created owner-only before SQLite opens it: the WAL and SHM files
        // SQLite adds take the database file's mode.
        const QByteArray native = QFile::encodeName(location);
        // Only when it does not exist yet: closing any descriptor of the file
        // drops every POSIX lock this process holds on it, including those
        // of a connection already open (CloudStore opens a second one), and
        // another process would then take the WAL for unused and delete it.
        const bool isFile = location != u":memory:" && !location.startsWith(u"file:") && !QFile::exists(location);
        const int fd = isFile ? ::open(native.constData(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : -2;
        if (fd == -1 && errno != EEXIST)   // EEXIST: made meanwhile by someone else
            return QStringLiteral("cannot create the database %1: %2").arg(location, QString::fromLocal8Bit(strerror(errno)));
        if (fd >= 0)
            ::close(fd);
        d.setDatabaseName(location);
        d.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    }
    if (!d.open())
        return QStringLiteral("cannot open the database %1: %2").arg(url.toDisplayString(QUrl::RemovePassword), d.lastError().text());
    if (!m_postgres) {
        QSqlQuery q(d);
        q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
    }
    return migrate();
}

QString CloudDatabase::migrate()
{
    QSqlDatabase d = db();
    QSqlQuery q(d);
    if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")))
        return QStringLiteral("cannot create schema_migrations: %1").arg(q.lastError().text());
    if (!q.exec(QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")) || !q.next())
        return QStringLiteral("cannot read the schema version: %1").arg(q.lastError().text());
    const int current = q.value(0).toInt();
    if (current > schemaVersion())
        return QStringLiteral("database schema version %1 is newer than this build (%2)").arg(current).arg(schemaVersion());
    for (int version = current; version < schemaVersion(); ++version) {
        if (!d.transaction())
            return d.lastError().text();
        QString error;
        for (const QString &statement : migrations().at(version).split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
            QSqlQuery s(d);
            if (!s.exec(statement)) {
                error = s.lastError().text();
                break;
            }
        }
        if (error.isEmpty()) {
            QSqlQuery s(d);
            s.prepare(QStringLiteral("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)"));
            s.addBindValue(version + 1);
            s.addBindValue(now());
            if (!s.exec())
                error = s.lastError().text();
        }
        if (!error.isEmpty()) {
            d.rollback();
            return QStringLiteral("migration %1 failed: %2").arg(version + 1).arg(error);
        }
        if (!d.commit())
            return d.lastError().text();
        qCInfo(lcCloudDb) << "schema migrated to version" << version + 1;
    }
    return {};
}

QString CloudDatabase::createDeployment(const DeploymentRow &r)
{
    begin();
    QSqlQuery &q = prepared(QStringLiteral("INSERT INTO driver_deployments (sync_id, driver_id, driver_type, version,"
                                           " controller_id, deployment_status, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)"));
    const QString at = now();
    q.addBindValue(r.syncId);
    q.addBindValue(r.driverId);
    q.addBindValue(r.driverType);
    q.addBindValue(r.version);
    q.addBindValue(r.controllerId);
    q.addBindValue(at);
    QSqlQuery &e = prepared(QStringLiteral("INSERT INTO deployment_events (sync_id, deployment_status, at) VALUES (?, 'pending', ?)"));
    e.addBindValue(r.syncId);
    e.addBindValue(at);
    if (!q.exec() || !e.exec()) {
        const QString error = q.lastError().text() + e.lastError().text();
        rollback();
        return error;
    }
    QString error;
    commit(&error);
    return error;
}

bool CloudDatabase::setStatus(const QString &syncId, const QString &controllerId, const QString &status,
                              const QString &extraSql, const QVariantList &extraValues, QString *error)
{
    begin();
    QSqlQuery &q = prepared(QStringLiteral("UPDATE driver_deployments SET deployment_status = ?") + extraSql
                            + QStringLiteral(" WHERE sync_id = ? AND controller_id = ?"));
    q.addBindValue(status);
    for (const QVariant &v : extraValues)
        q.addBindValue(v);
    q.addBindValue(syncId);
    q.addBindValue(controllerId);
    if (!q.exec()) {
        *error = q.lastError().text();
        rollback();
        return false;
    }
    if (q.numRowsAffected() == 0) {
        rollback();
        return false;
    }
    QSqlQuery &e = prepared(QStringLiteral("INSERT INTO deployment_events (sync_id, deployment_status, at) VALUES (?, ?, ?)"));
    e.addBindValue(syncId);
    e.addBindValue(status);
    e.addBindValue(now());
    if (!e.exec()) {
        *error = e.lastError().text();
        rollback();
        return false;
    }
    return commit(error);
}

bool CloudDatabase::markInProgress(const QString &syncId, const QString &controllerId, QString *error)
{
    // Progress after the outcome (a late or repeated message) does not undo it.
    QSqlQuery &q = prepared(QStringLiteral("SELECT deployment_status FROM driver_deployments WHERE sync_id = ? AND controller_id = ?"));
    q.addBindValue(syncId);
    q.addBindValue(controllerId);
    if (!q.exec() || !q.next())
        return false;
    const QString current = q.value(0).toString();
    q.finish();
    if (current == u"in_progress" || current == u"active" || current == u"failed")
        return true;
    return setStatus(syncId, controllerId, QStringLiteral("in_progress"), {}, {}, error);
}

bool CloudDatabase::markActive(const QString &syncId, const QString &controllerId, const QString &filePath, QString *error)
{
    return setStatus(syncId, controllerId, QStringLiteral("active"), QStringLiteral(", deployed_at = ?, file_path = ?, error_message = NULL"),
                     {now(), filePath}, error);
}

bool CloudDatabase::markFailed(const QString &syncId, const QString &controllerId, const QString &errorMessage,
                               QString *error)
{
    return setStatus(syncId, controllerId, QStringLiteral("failed"), QStringLiteral(", error_message = ?"), {errorMessage}, error);
}

QList<DeploymentRow> CloudDatabase::recentDeployments(int limit, bool *more, QString *error) const
{
    QList<DeploymentRow> rows;
    QSqlQuery q(db());
    // By the created_at index, newest first (one more than shown: are there
    // older ones?); shown oldest first.
    q.prepare(deploymentColumns + QStringLiteral(" ORDER BY created_at DESC, sync_id DESC LIMIT ?"));
    q.addBindValue(limit + 1);
    if (!q.exec()) {
        if (error)
            *error = q.lastError().text();
        return rows;
    }
    while (q.next())
        rows.prepend(deploymentRow(q));
    *more = rows.size() > limit;
    if (*more)
        rows.removeFirst();
    return rows;
}

QHash<QString, QStringList> CloudDatabase::recentDeploymentHistories(int limit, QString *error) const
{
    QHash<QString, QStringList> histories;
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT e.sync_id, e.deployment_status FROM deployment_events e"
                             " JOIN (SELECT sync_id FROM driver_deployments ORDER BY created_at DESC, sync_id DESC LIMIT ?) r"
                             " ON r.sync_id = e.sync_id ORDER BY e.at, e.deployment_status"));
    q.addBindValue(limit);
    if (!q.exec()) {
        if (error)
            *error = q.lastError().text();
        return histories;
    }
    while (q.next())
        histories[q.value(0).toString()] << q.value(1).toString();
    return histories;
}

std::optional<DeploymentRow> CloudDatabase::deployment(const QString &syncId, QString *error) const
{
    QSqlQuery &q = prepared(deploymentColumns + QStringLiteral(" WHERE sync_id = ?"));
    q.addBindValue(syncId);
    if (!q.exec()) {
        if (error)
            *error = q.lastError().text();
        return std::nullopt;
    }
    if (!q.next())
        return std::nullopt;
    const DeploymentRow row = deploymentRow(q);
    q.finish();
    return row;
}

CloudDatabase::Recorded CloudDatabase::recordReport(const QString &controllerId, qint64 seq, const QString &type,
                                                    const QJsonObject &data, QString *error)
{
    // ON CONFLICT DO NOTHING: SQLite (3.24+) and PostgreSQL alike.
    QSqlQuery &q = prepared(QStringLiteral("INSERT INTO controller_reports (controller_id, seq, type, data, received_at)"
                                           " VALUES (?, ?, ?, ?, ?) ON CONFLICT (controller_id, seq) DO NOTHING"));
    q.addBindValue(controllerId);
    q.addBindValue(seq);
    q.addBindValue(type);
    q.addBindValue(QString::fromUtf8(QJsonDocument(data).toJson(QJsonDocument::Compact)));
    q.addBindValue(now());
    if (!q.exec()) {
        *error = q.lastError().text();
        return Recorded::Failed;
    }
    return q.numRowsAffected() > 0 ? Recorded::New : Recorded::Duplicate;
}

qint64 CloudDatabase::ackedReportSeq(const QString &controllerId, QString *error) const
{
    // Not MAX(seq) of controller_reports: the database thread commits urgent
    // reports ahead of queued status updates, so a higher seq can be stored
    // while a lower one is not (yet, or failed); a welcome claiming it would
    // make the controller drop the lower one. The last ack only ever covers
    // committed seqs (CloudServer::reportCommitted).
    QSqlQuery &q = prepared(QStringLiteral("SELECT acked_seq FROM controllers WHERE controller_id = ?"));
    q.addBindValue(controllerId);
    if (!q.exec()) {
        *error = q.lastError().text();
        return 0;
    }
    const qint64 seq = q.next() ? q.value(0).toLongLong() : 0;
    q.finish();
    return seq;
}

QString CloudDatabase::storeAck(const QString &controllerId, qint64 seq)
{
    QSqlQuery &q = prepared(QStringLiteral("UPDATE controllers SET acked_seq = ? WHERE controller_id = ? AND acked_seq < ?"));
    q.addBindValue(seq);
    q.addBindValue(controllerId);
    q.addBindValue(seq);
    return q.exec() ? QString() : q.lastError().text();
}

QHash<QString, QJsonArray> CloudDatabase::deviceStatuses(QString *error) const
{
    QHash<QString, QJsonArray> byController;
    QSqlQuery q(db());
    if (!q.exec(QStringLiteral("SELECT controller_id, device_id, status, message, reported_at FROM device_status"
                               " ORDER BY controller_id, device_id"))) {
        *error = q.lastError().text();
        return {};
    }
    while (q.next()) {
        byController[q.value(0).toString()].append(
            QJsonObject{{QStringLiteral("device_id"), q.value(1).toString()},
                        {QStringLiteral("status"), q.value(2).toString()},
                        {QStringLiteral("message"), q.value(3).isNull() ? QJsonValue() : QJsonValue(q.value(3).toString())},
                        {QStringLiteral("reported_at"), q.value(4).toString()}});
    }
    return byController;
}

QString CloudDatabase::storeController(const QString &controllerId, const QJsonObject &hello)
{
    QSqlQuery &q = prepared(QStringLiteral(
        "INSERT INTO controllers (controller_id, name, app_version, hello, last_seen) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (controller_id) DO UPDATE SET name = excluded.name,"
        " app_version = excluded.app_version, hello = excluded.hello, last_seen = excluded.last_seen"));
    q.addBindValue(controllerId);
    q.addBindValue(hello.value(QStringLiteral("name")).toString());
    q.addBindValue(hello.value(QStringLiteral("app_version")).toString());
    q.addBindValue(QString::fromUtf8(QJsonDocument(hello).toJson(QJsonDocument::Compact)));
    q.addBindValue(now());
    return q.exec() ? QString() : q.lastError().text();
}

QString CloudDatabase::addCredential(const QString &controllerId, const QByteArray &tokenSha256Hex)
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("INSERT INTO controller_credentials (controller_id, token_sha256, created_at) VALUES (?, ?, ?)"));
    q.addBindValue(controllerId);
    q.addBindValue(QString::fromLatin1(tokenSha256Hex));
    q.addBindValue(now());
    if (q.exec())
        return {};
    // Either constraint failure or a broken database: tell which.
    return credentialHash(controllerId).isEmpty()
        ? q.lastError().text()
        : QStringLiteral("controller %1 already has a credential; remove it first").arg(controllerId);
}

bool CloudDatabase::removeCredential(const QString &controllerId, QString *error)
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("DELETE FROM controller_credentials WHERE controller_id = ?"));
    q.addBindValue(controllerId);
    if (!q.exec()) {
        *error = q.lastError().text();
        return false;
    }
    return q.numRowsAffected() > 0;
}

QByteArray CloudDatabase::credentialHash(const QString &controllerId) const
{
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT token_sha256 FROM controller_credentials WHERE controller_id = ?"));
    q.addBindValue(controllerId);
    if (!q.exec() || !q.next())
        return {};
    return q.value(0).toString().toLatin1();
}

QHash<QString, QByteArray> CloudDatabase::credentialHashes(QString *error) const
{
    QHash<QString, QByteArray> hashes;
    QSqlQuery q(db());
    if (!q.exec(QStringLiteral("SELECT controller_id, token_sha256 FROM controller_credentials"))) {
        *error = q.lastError().text();
        return {};
    }
    while (q.next())
        hashes.insert(q.value(0).toString(), q.value(1).toString().toLatin1());
    return hashes;
}

QJsonArray CloudDatabase::credentials() const
{
    QJsonArray list;
    QSqlQuery q(db());
    if (q.exec(QStringLiteral("SELECT controller_id, created_at FROM controller_credentials ORDER BY controller_id"))) {
        while (q.next()) {
            list.append(QJsonObject{{QStringLiteral("controller_id"), q.value(0).toString()},
                                    {QStringLiteral("created_at"), q.value(1).toString()}});
        }
    }
    return list;
}

bool CloudDatabase::hasCredentials() const
{
    QSqlQuery q(db());
    return q.exec(QStringLiteral("SELECT 1 FROM controller_credentials LIMIT 1")) && q.next();
}
