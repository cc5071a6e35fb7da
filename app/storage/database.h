// One named SQLite connection (QSQLITE) to <root>/var/database.sqlite, in WAL
// mode with durable commits, and the schema's versioned migrations.
// A Database belongs to the thread that opened it: open one per thread.
#pragma once

#include <QSqlDatabase>
#include <QString>

#include "storage/writegate.h"

class Database
{
public:
    Database() = default;
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // Opens (creating when missing) and brings the schema up to date.
    // Returns an empty string on success, else one line.
    QString open(const QString &path, const QString &connectionName);
    void close();

    QSqlDatabase connection() const;
    bool isOpen() const { return !m_connectionName.isEmpty(); }

    // Every connection's automatic WAL checkpoint threshold (pages): a
    // backstop only, WalCheckpointer checkpoints long before it.
    static constexpr int autoCheckpointPages = 4000;

    // How long a statement waits for another connection's write lock.
    static constexpr int busyTimeoutMs = 5000;

    // Makes the WAL file at least `bytes` long (zeros past its last frame;
    // never shorter, never created), so that commits write into blocks the
    // file already has instead of growing it: growing cost every commit a
    // block allocation and an inode write in its fdatasync (a driver_sync
    // 0.1–0.19 ms, docs/performance.md). Done under the write lock (BEGIN
    // IMMEDIATE): no writer of any process appends meanwhile, and SQLite
    // reads a WAL only up to its last valid frame. Not done when the folder
    // has less than four times the growth free. SQLite still deletes the
    // WAL when the last connection closes: each start reserves again.
    // Returns an error line or empty.
    QString reserveWal(qint64 bytes);
    // What the controller reserves: the automatic checkpoint's threshold in
    // frames of this database's page size, and 1 MiB for the commit that
    // crosses it (17.5 MB with 4 KiB pages).
    qint64 workingWalBytes() const;

    // Schema version this build knows (PRAGMA user_version).
    static int schemaVersion();

private:
    QString migrate();

    QString m_connectionName;
    WriteGate m_writeGate;
};
