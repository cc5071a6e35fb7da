// The `drivers` table: one row per driver_type, the active version.
#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QString>

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
};

class DriverRepository
{
public:
    explicit DriverRepository(const QSqlDatabase &db) : m_db(db) {}

    std::optional<DriverRecord> find(const QString &driverType, QString *error = nullptr) const;
    std::optional<DriverRecord> findById(const QString &id, QString *error = nullptr) const;
    QList<DriverRecord> all(QString *error = nullptr) const;

    // INSERT OR REPLACE with synced_at = now and status = 'active'.
    // Call inside the caller's transaction. Returns an error line or empty.
    QString upsertActive(const DriverRecord &record);

private:
    QSqlDatabase m_db;
};
