#include "storage/writegate.h"

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QVariant>

#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace {

// What every connection of the process shares: the commits seen, and the
// waiters woken by each.
struct Commits
{
    std::mutex mutex;
    std::condition_variable next;
    std::uint64_t count = 0;
};

Commits &processCommits()
{
    static Commits c;
    return c;
}

} // namespace

int WriteGate::waitForCommit(void *gate, int tries)
{
    using Clock = std::chrono::steady_clock;
    thread_local Clock::time_point started;
    const Clock::time_point now = Clock::now();
    if (tries == 0)
        started = now;
    if (now - started >= std::chrono::milliseconds(static_cast<const WriteGate *>(gate)->m_busyTimeoutMs))
        return 0;   // SQLITE_BUSY to the caller: "database is locked"
    Commits &c = processCommits();
    std::unique_lock<std::mutex> lock(c.mutex);
    const std::uint64_t seen = c.count;
    // The first looks come soon (a lock held for a moment: a reader taking
    // its snapshot, a writer of another process); then the process's own
    // commits and rollbacks wake the waiter, and the looks space out.
    const auto look = std::chrono::microseconds(tries < 4 ? checkEveryUs : 8 * checkEveryUs);
    c.next.wait_for(lock, look, [&] { return c.count != seen; });
    return 1;
}

void WriteGate::released()
{
    Commits &c = processCommits();
    {
        std::lock_guard<std::mutex> lock(c.mutex);
        ++c.count;
    }
    c.next.notify_all();
}

void WriteGate::afterRollback(void *)
{
    released();
}

int WriteGate::afterCommit(void *gate, sqlite3 *db, const char *name, int walPages)
{
    released();
    // What PRAGMA wal_autocheckpoint's hook would have done
    // (sqlite3WalDefaultHook): a passive checkpoint past the threshold.
    const int threshold = static_cast<const WriteGate *>(gate)->m_autoCheckpointPages;
    if (threshold > 0 && walPages >= threshold)
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
}

QString WriteGate::install(const QSqlDatabase &db, int busyTimeoutMs, int autoCheckpointPages)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return QStringLiteral("not an SQLite connection");
    sqlite3 *connection = *static_cast<sqlite3 *const *>(handle.constData());
    if (!connection)
        return QStringLiteral("the SQLite connection is not open");
    m_busyTimeoutMs = busyTimeoutMs;
    m_autoCheckpointPages = autoCheckpointPages;
    if (sqlite3_busy_handler(connection, waitForCommit, this) != SQLITE_OK)
        return QStringLiteral("cannot set the busy handler: %1").arg(QString::fromUtf8(sqlite3_errmsg(connection)));
    sqlite3_wal_hook(connection, afterCommit, this);
    // Called after the transaction's locks are let go (sqlite3RollbackAll).
    sqlite3_rollback_hook(connection, afterRollback, nullptr);
    return {};
}

std::uint64_t WriteGate::commits()
{
    Commits &c = processCommits();
    std::lock_guard<std::mutex> lock(c.mutex);
    return c.count;
}
