// logs/driver-sync.log: one line per driver_sync, success or failure.
#pragma once

#include <QFile>
#include <QString>

struct SyncAuditEntry
{
    QString syncId;
    QString driverType;
    QString version;
    QString outcome;      // completed, unchanged, failed, rolled-back, duplicate-completed, duplicate-failed
    double durationMs = 0;
    QString error;
    QString keyId;        // the key whose signature was verified; empty: unsigned
};

class SyncAuditLog
{
public:
    // Past `maxBytes` the file is rotated: driver-sync.log → .1 → .2 …,
    // keeping `keep` old files.
    explicit SyncAuditLog(const QString &path, qint64 maxBytes = 1024 * 1024, int keep = 3);
    // Appends one line; returns false (and logs) when the file cannot be written.
    bool append(const SyncAuditEntry &entry);
    static QString format(const SyncAuditEntry &entry);

private:
    void rotate();

    QString m_path;
    QFile m_file;
    qint64 m_maxBytes;
    int m_keep;
};
