// logs/driver-sync.log: one line per driver_sync, success or failure.
#pragma once

#include <QFile>
#include <QString>

struct SyncAuditEntry
{
    QString syncId;
    QString driverType;
    QString version;
    QString outcome;      // completed, failed, duplicate-completed, duplicate-failed
    double durationMs = 0;
    QString error;
};

class SyncAuditLog
{
public:
    explicit SyncAuditLog(const QString &path);
    // Appends one line; returns false (and logs) when the file cannot be written.
    bool append(const SyncAuditEntry &entry);
    static QString format(const SyncAuditEntry &entry);

private:
    QString m_path;
    QFile m_file;
};
