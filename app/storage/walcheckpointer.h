// Checkpoints the database's write-ahead log on a thread of its own, with a
// connection of its own, so that no durable commit on the path of a sync,
// a report or a command pays for one. SQLite's automatic checkpoint runs
// inside the commit that crosses its threshold: that commit then copies
// the WAL's pages into the database file and fsyncs it (10–25 ms on this
// disk for the 1000-page default), once every few dozen driver_syncs.
// Here a PASSIVE checkpoint (it never blocks a writer or a reader) runs
// once no connection committed for intervalMs; the connections keep
// automatic checkpoints only as a backstop at Database::autoCheckpointPages
// (16 MB of WAL), for commits that never pause that long.
#pragma once

#include <QString>
#include <QThread>

class WalCheckpointer
{
public:
    static constexpr int intervalMs = 200;

    WalCheckpointer();
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer &) = delete;
    WalCheckpointer &operator=(const WalCheckpointer &) = delete;

    // Opens its connection to the (migrated) database at `path` and starts.
    // Returns an error line or empty.
    QString start(const QString &path);

private:
    QThread m_thread;
    QObject *m_worker = nullptr;   // lives on m_thread
};
