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

    // Schema version this build knows (PRAGMA user_version).
    static int schemaVersion();

private:
    QString migrate();

    QString m_connectionName;
    WriteGate m_writeGate;
};
