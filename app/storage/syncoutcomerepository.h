// The answer given to each driver_sync, kept so that a redelivered sync_id
// (also after a restart) gets the same answer without redoing the work.
#pragma once

#include <QJsonObject>
#include <QList>
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
    // A stored outcome is unreported until markReported().
    QString store(const SyncOutcome &outcome);

    // The answer went into the report outbox (ReportOutbox::append, in its
    // transaction): from there it reaches the cloud, also after a restart.
    QString markReported(const QString &syncId);
    // Outcomes stored but never put in the outbox (the controller stopped in
    // between, e.g. while devices reloaded), oldest first: sent at start.
    QList<SyncOutcome> unreported(QString *error = nullptr) const;

private:
    QSqlDatabase m_db;
};
