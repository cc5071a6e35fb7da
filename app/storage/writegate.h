// How the SQLite connections of one process wait for each other's write
// lock. SQLite's own busy handler sleeps 1, 2, 5, 10 … ms between tries: a
// driver_sync that found the event log committing (a few microseconds) slept
// a whole millisecond, and the event log, behind a sync's transaction, slept
// up to 25 ms at a time. Here a connection that finds the database busy
// waits for the process's next commit or rollback (SQLite calls the WAL hook
// and the rollback hook after the write lock is let go), looking again every
// checkEveryUs at first, then every 8 × checkEveryUs, for a lock these hooks
// do not see go (another process's), until its busy timeout.
//
// The WAL hook is also where SQLite's automatic checkpoint lives
// (PRAGMA wal_autocheckpoint installs it): install() keeps that backstop.
// Either PRAGMA (wal_autocheckpoint, busy_timeout) run afterwards replaces
// what install() set. A write transaction that wrote nothing lets its lock
// go without either hook: its waiters see it at their next look (≤ 2 ms).
// The handle is Qt's QSQLITE connection, called into with the system
// libsqlite3's functions: right because Debian's Qt uses that library
// (libqt6sql6-sqlite depends on libsqlite3-0), not with a Qt that bundles
// its own SQLite.
#pragma once

#include <QString>

#include <cstdint>

class QSqlDatabase;
struct sqlite3;

// One per connection (Database holds it): it outlives the connection's hooks.
class WriteGate
{
public:
    static constexpr int checkEveryUs = 250;

    // Replaces the connection's busy handler and WAL hook. Returns an empty
    // string on success, else one line.
    QString install(const QSqlDatabase &db, int busyTimeoutMs, int autoCheckpointPages);

    // Commits and rollbacks the hooks saw in this process, of every
    // connection (for tests).
    static std::uint64_t commits();

private:
    static int waitForCommit(void *gate, int tries);
    static void released();
    static void afterRollback(void *);
    static int afterCommit(void *gate, sqlite3 *db, const char *name, int walPages);

    int m_busyTimeoutMs = 0;
    int m_autoCheckpointPages = 0;
};
