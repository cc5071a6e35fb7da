// The `devices` table: what the cloud provisioned with device_sync.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

struct DeviceRecord
{
    QString id;
    QString name;
    QString type;                  // the driver_type it runs
    QJsonObject connectionConfig;  // the device's own part of the config
    QString room;                  // where it is (device_sync `room`); may be empty
    QString createdAt;
    QString updatedAt;
};

class DeviceRepository
{
public:
    explicit DeviceRepository(const QSqlDatabase &db) : m_db(db) {}

    QList<DeviceRecord> all(QString *error = nullptr) const;
    std::optional<DeviceRecord> find(const QString &id, QString *error = nullptr) const;
    // Whether any device runs driver `type` (one indexed lookup).
    bool anyOfType(const QString &type, QString *error = nullptr) const;
    // Inserts or updates (created_at kept). Returns an error line or empty.
    QString upsert(const DeviceRecord &record);
    QString remove(const QString &id);

private:
    QSqlDatabase m_db;
};
