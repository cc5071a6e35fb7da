// The `drivers` table: one row per driver_type, the active version.
#pragma once

#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <optional>

struct DriverRecord
{
    QString id;
    QString driverType;
    QString version;
    QString protocolType;
    QString driverCode;
    QString commandMappings;    // JSON text
    QString connectionConfig;   // JSON text
    QString syncId;
    QString syncedAt;           // 'YYYY-MM-DD HH:MM:SS' UTC, set by the database
    QString status;
    QString runnableCode;       // not a column: the down-levelled form, when known
    QString signature;          // driver_sync.signature as JSON text; empty: none kept

    // The one rule for which code a device runs: the down-levelled form the
    // sync pipeline stored for this transformer, else the code as sent.
    QString codeToRun() const { return runnableCode.isEmpty() ? driverCode : runnableCode; }
};

// driver_runnable: what driver source becomes after the transformer, keyed
// by the source's SHA-256 and the transformer's version.
class RunnableRepository
{
public:
    explicit RunnableRepository(const QSqlDatabase &db) : m_db(db) {}
    static QString sourceKey(const QString &source);
    std::optional<QString> find(const QString &source, const QString &transformerVersion) const;
    // A form equal to its source is kept as '' (find() gives the source).
    QString store(const QString &source, const QString &transformerVersion, const QString &code);
    // Deletes the forms of other transformer versions and of sources not in
    // `keepKeys`; returns how many went.
    int prune(const QStringList &keepKeys, const QString &transformerVersion);

private:
    QSqlDatabase m_db;
};

class DriverRepository
{
public:
    explicit DriverRepository(const QSqlDatabase &db) : m_db(db) {}

    std::optional<DriverRecord> find(const QString &driverType, QString *error = nullptr) const;
    std::optional<DriverRecord> findById(const QString &id, QString *error = nullptr) const;
    QList<DriverRecord> all(QString *error = nullptr) const;
    // The same without driver_code (left empty): for hello and the dashboard,
    // which never need the code and should not read every driver's.
    QList<DriverRecord> allMetadata(QString *error = nullptr) const;
    std::optional<DriverRecord> findMetadata(const QString &driverType, QString *error = nullptr) const;
    // The active driver of `driverType` with its runnable form for
    // `transformerVersion` (from driver_runnable) when one is stored.
    std::optional<DriverRecord> findActive(const QString &driverType, const QString &transformerVersion,
                                           QString *error = nullptr) const;

    // INSERT OR REPLACE with synced_at = now and status = 'active', and the
    // code's SHA-256 into driver_digests. Call inside the caller's
    // transaction. Returns an error line or empty.
    QString upsertActive(const DriverRecord &record);
    // The active version's signature replaced (the same code signed again).
    QString storeSignature(const QString &driverType, const QString &signature);

    // driver_type -> lowercase hex SHA-256 of the active code, from
    // driver_digests; reads (and records) the code only of rows stored
    // before that table existed.
    QHash<QString, QString> activeDigests(QString *error = nullptr);

private:
    QString storeDigest(const QString &driverType, const QString &sha256, const QString &signature);
    std::optional<DriverRecord> findOne(const QString &sql, const QString &key, QString *error) const;

    QSqlDatabase m_db;
};
