// control-cloud's database: SQLite by default (a file, nothing to install),
// PostgreSQL when given a postgres:// URL (QPSQL). The same schema on both,
// through numbered migrations recorded in schema_migrations.
#pragma once

#include "protocol/controllerreports.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

struct DeploymentRow
{
    QString syncId;
    QString driverId;
    QString driverType;
    QString version;
    QString controllerId;
    QString status;        // pending, in_progress, active, failed
    QString deployedAt;
    QString filePath;
    QString errorMessage;
    QString createdAt;
};

// A rollout of one driver version to a set of sites (rollouts.h).
struct RolloutRow
{
    QString rolloutId;
    QString target;          // "group G", "sites running T" …: what the sites were chosen by
    QString driverType;
    QString version;
    QJsonObject payload;     // the driver_sync fields but sync_id
    int canary = 1;
    int batchSize = 0;       // sites per batch; 0: batchPercent of all sites
    int batchPercent = 0;
    double maxFailurePercent = 5;
    qint64 siteTimeoutMs = 600000;
    QString state;           // running, paused, aborting, completed, aborted
    QString reason;          // why it was aborted
    int batch = -1;          // the batch under way: 0 the canary, -1 none yet
    QString createdAt;
    QString updatedAt;
};

struct RolloutSiteRow
{
    QString rolloutId;
    QString controllerId;
    int batch = -1;          // -1: not in a batch yet
    // waiting, queued (its batch came while it was offline), sent, in_progress,
    // active, failed, timed_out, skipped, rollback_queued, rolling_back,
    // rolled_back, rollback_failed
    QString state;
    QString syncId;
    QString rollbackSyncId;
    QString previousVersion; // the version it ran before, rolled back to on abort
    QString errorMessage;
    QString updatedAt;
};

class CloudDatabase
{
public:
    CloudDatabase() = default;
    ~CloudDatabase();

    // `location`: a file path (SQLite, created 0600) or
    // postgres://user[:pass]@host:port/db.
    QString open(const QString &location);
    // PostgreSQL: the password to use instead of the URL's (call before open()).
    void setPassword(const QString &password) { m_password = password; }
    bool isPostgres() const { return m_postgres; }
    static int schemaVersion();
    // What open() was given: a second connection (CloudStore's) opens the same.
    QString location() const { return m_location; }
    QString password() const { return m_password; }
    // The connection, for work that CloudStore runs on it.
    QSqlDatabase connection() const { return db(); }
    // While set, the methods below make no transactions of their own: the
    // caller (CloudStore) wraps them in its batch's transaction. Methods
    // that CloudStore runs use begin()/commit()/rollback() for the same reason.
    void setOuterTransaction(bool outer) { m_outer = outer; }

    QString createDeployment(const DeploymentRow &row);
    // Undoes createDeployment of one that was never sent (its controller
    // went away before): a refusal, not an outcome.
    QString discardDeployment(const QString &syncId);
    // The seed's handlers. Each returns false when the sync_id is unknown
    // (or belongs to another controller than the one reporting).
    bool markInProgress(const QString &syncId, const QString &controllerId, QString *error);
    bool markActive(const QString &syncId, const QString &controllerId, const QString &filePath, QString *error);
    bool markFailed(const QString &syncId, const QString &controllerId, const QString &errorMessage, QString *error);
    // The newest `limit` deployments, oldest of them first, and whether
    // there are older ones (the operator's view: never the whole history).
    QList<DeploymentRow> recentDeployments(int limit, bool *more, QString *error = nullptr) const;
    // The statuses each of those went through, oldest first, in one query.
    QHash<QString, QStringList> recentDeploymentHistories(int limit, QString *error = nullptr) const;
    // One deployment by its key, what the report path reads; nullopt when
    // unknown (or on an error, in *error).
    std::optional<DeploymentRow> deployment(const QString &syncId, QString *error = nullptr) const;

    // A numbered report (PROTOCOL.md "Reports that survive outages"), kept
    // once per (controller_id, seq): a resent one is a Duplicate.
    enum class Recorded { New, Duplicate, Failed };
    Recorded recordReport(const QString &controllerId, qint64 seq, const QString &type, const QJsonObject &data,
                          QString *error);
    // The last cumulative ack sent to the controller (every seq up to it is
    // stored); 0: none. A welcome's last_seq.
    qint64 ackedReportSeq(const QString &controllerId, QString *error) const;
    // Records an ack once it is sent; never moves it back.
    QString storeAck(const QString &controllerId, qint64 seq);
    // The same for many controllers (statusingest.cpp): on PostgreSQL one
    // statement per 500, not a round trip each.
    struct Ack
    {
        QString controllerId;
        qint64 seq = 0;
    };
    QString storeAcks(const std::vector<const Ack *> &acks);

    // Many status_update reports at once (statusingest.cpp): each numbered
    // one stored once per (controller, seq) like recordReport(), and the
    // new and unnumbered ones applied, the latest per device, in a few
    // multi-row statements.
    struct StatusReport
    {
        QString controllerId;
        qint64 seq = 0;   // 0: unnumbered
        QJsonObject data;
        StatusUpdateReport status;
    };
    QString storeStatusReports(const std::vector<const StatusReport *> &reports);
    // Every controller's device statuses (controller id → [{device_id, …}]),
    // in one query.
    QHash<QString, QJsonArray> deviceStatuses(QString *error) const;
    QString storeController(const QString &controllerId, const QJsonObject &hello);

    // Per-controller credentials, stored as the hex SHA-256 of the token.
    QString addCredential(const QString &controllerId, const QByteArray &tokenSha256Hex);
    // False (and `*error` untouched) when the id had none.
    bool removeCredential(const QString &controllerId, QString *error);
    // Empty when the id has no credential.
    QByteArray credentialHash(const QString &controllerId) const;
    // Every credential: controller id → hex SHA-256 of its token.
    QHash<QString, QByteArray> credentialHashes(QString *error) const;
    QJsonArray credentials() const;   // [{controller_id, created_at}]
    bool hasCredentials() const;

    // Groups and rollouts (clouddatabasefleet.cpp): small statements by key.
    // Writes run on CloudStore's thread; an existing group is an error.
    QString createGroup(const QString &name);
    // False when the group does not exist (or, with `error` set, when it cannot be read).
    bool groupExists(const QString &name, QString *error = nullptr) const;
    QString addGroupMembers(const QString &name, const QStringList &controllerIds);
    QString removeGroupMembers(const QString &name, const QStringList &controllerIds);
    QStringList groupMembers(const QString &name, QString *error = nullptr) const;
    QJsonArray groups(QString *error = nullptr) const;   // [{group, members}]
    // Every controller's latest hello as stored (publish's targets beyond those connected).
    QHash<QString, QJsonObject> controllerHellos(QString *error = nullptr) const;

    QString createRollout(const RolloutRow &rollout, const QList<RolloutSiteRow> &sites);
    QString updateRollout(const RolloutRow &rollout);
    QString updateRolloutSite(const RolloutSiteRow &site);
    std::optional<RolloutRow> rollout(const QString &rolloutId, QString *error = nullptr) const;
    // Those still at work (running, paused, aborting): resumed at start.
    QList<RolloutRow> unfinishedRollouts(QString *error = nullptr) const;
    // The newest `limit` rollouts, oldest of them first (operator views).
    QList<RolloutRow> recentRollouts(int limit, QString *error = nullptr) const;
    // How many of its sites are in each state, without reading the sites.
    QHash<QString, int> rolloutSiteCounts(const QString &rolloutId, QString *error = nullptr) const;
    QList<RolloutSiteRow> rolloutSites(const QString &rolloutId, QString *error = nullptr) const;

private:
    bool begin();
    bool commit(QString *error);
    void rollback();
    // A prepared statement kept for the connection's life: the report path
    // runs the same few statements thousands of times a second, and
    // PostgreSQL would otherwise prepare and drop each one every time.
    QSqlQuery &prepared(const QString &sql) const;
    static QString now();
    QString migrate();
    // `sql` (two binds: group, controller) for each id, in one transaction.
    QString forEachMember(const QString &sql, const QString &name, const QStringList &controllerIds);
    bool setStatus(const QString &syncId, const QString &controllerId, const QString &status, const QString &extraSql,
                   const QVariantList &extraValues, QString *error);
    QSqlDatabase db() const;

    QString m_connection;
    QString m_location;
    bool m_postgres = false;
    bool m_outer = false;
    QString m_password;
    mutable QHash<QString, QSqlQuery> m_prepared;
    mutable QSqlQuery m_unprepared;   // prepared() of a statement the driver refused
};
