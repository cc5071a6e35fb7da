// driver_versions: per driver type, the last versions it ran before the
// active one (newest first), each with its code, metadata and SHA-256.
// The active version stays in `drivers`; a version is in one place only.
#pragma once

#include "storage/driverrepository.h"

#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>

struct ArchivedDriver
{
    DriverRecord record;   // as it was when active (synced_at: when it became active)
    QString sha256;
    QString activeUntil;   // 'YYYY-MM-DD HH:MM:SS' UTC
};

class DriverArchive
{
public:
    static constexpr int kept = 5;

    explicit DriverArchive(const QSqlDatabase &db) : m_db(db) {}

    // Newest first. With `withCode` false, driver_code is left empty.
    QList<ArchivedDriver> versions(const QString &driverType, bool withCode = false, QString *error = nullptr) const;
    QStringList versionNames(const QString &driverType, QString *error = nullptr) const;
    // Every type's kept version names, newest first, in one query (hello).
    QHash<QString, QStringList> allVersionNames(QString *error = nullptr) const;
    // Kept versions with no signature stored (sent unsigned, or kept before
    // signatures were stored): what require-signed-drivers refuses to roll back to.
    qint64 unsignedVersions(QString *error = nullptr) const;
    // Call inside the caller's transaction: `outgoing` (the active record
    // being replaced) becomes the newest archived version of its type (an
    // older copy of that version is replaced), `incomingVersion` leaves the
    // archive (it is active now), and only the newest `kept` remain.
    QString archive(const DriverRecord &outgoing, const QString &incomingVersion);

private:
    QSqlDatabase m_db;
};
