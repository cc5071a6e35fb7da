// The answer given to each driver_sync, kept so that a redelivered sync_id
// (also after a restart) gets the same answer without redoing the work.
#pragma once

#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>

#include <optional>

struct SyncOutcome
{
    QString syncId;
    QString outcome;        // "completed" or "failed"
    QString messageType;    // driver_sync_complete or driver_sync_error
    QJsonObject data;       // the message's data, as sent
    QString driverType;
    QString version;
};

class SyncOutcomeRepository
{
public:
    explicit SyncOutcomeRepository(const QSqlDatabase &db) : m_db(db) {}

    std::optional<SyncOutcome> find(const QString &syncId, QString *error = nullptr) const;
    // Call inside the caller's transaction. Returns an error line or empty.
    QString store(const SyncOutcome &outcome);

private:
    QSqlDatabase m_db;
};
