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
    // The seed's handlers. Each returns false when the sync_id is unknown
    // (or belongs to another controller than the one reporting).
    bool markInProgress(const QString &syncId, const QString &controllerId, QString *error);
    bool markActive(const QString &syncId, const QString &controllerId, const QString &filePath, QString *error);
    bool markFailed(const QString &syncId, const QString &controllerId, const QString &errorMessage, QString *error);
    QList<DeploymentRow> deployments(QString *error = nullptr) const;
    // One deployment by its key; nullopt when unknown (or on an error, in *error).
    std::optional<DeploymentRow> deployment(const QString &syncId, QString *error = nullptr) const;
    // The statuses a deployment went through, oldest first.
    QStringList deploymentHistory(const QString &syncId) const;

    // A numbered report (PROTOCOL.md "Reports that survive outages"), kept
    // once per (controller_id, seq): a resent one is a Duplicate.
    enum class Recorded { New, Duplicate, Failed };
    Recorded recordReport(const QString &controllerId, qint64 seq, const QString &type, const QJsonObject &data,
                          QString *error);
    // The highest seq stored for the controller; 0: none.
    qint64 lastReportSeq(const QString &controllerId, QString *error) const;

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
    QJsonArray deviceStatuses(const QString &controllerId) const;
    QString storeController(const QString &controllerId, const QJsonObject &hello);

    // Per-controller credentials, stored as the hex SHA-256 of the token.
    QString addCredential(const QString &controllerId, const QByteArray &tokenSha256Hex);
    // False (and `*error` untouched) when the id had none.
    bool removeCredential(const QString &controllerId, QString *error);
    // Empty when the id has no credential.
    QByteArray credentialHash(const QString &controllerId) const;
    QJsonArray credentials() const;   // [{controller_id, created_at}]
    bool hasCredentials() const;

private:
    bool begin();
    bool commit(QString *error);
    void rollback();
    // A prepared statement kept for the connection's life: the report path
    // runs the same few statements thousands of times a second, and
    // PostgreSQL would otherwise prepare and drop each one every time.
    QSqlQuery &prepared(const QString &sql) const;
    QString migrate();
    bool setStatus(const QString &syncId, const QString &controllerId, const QString &status, const QString &extraSql,
                   const QVariantList &extraValues, QString *error);
    QSqlDatabase db() const;

    QString m_connection;
    QString m_location;
    bool m_postgres = false;
    bool m_outer = false;
    QString m_password;
    mutable QHash<QString, QSqlQuery> m_prepared;
};
