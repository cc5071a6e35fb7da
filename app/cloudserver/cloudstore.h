// control-cloud's database thread: every SQL write (and the reads the report
// path needs) runs here, on a connection of its own, so that the event loop
// never waits for the database. Work is queued, taken urgent first, and run
// in batches of one transaction each; each job's callback runs on the
// thread that owns the store (the event loop) after its batch committed.
//
// The queue is bounded for status ingest only: once `capacity` jobs wait, a
// job posted with a coalesce key replaces the work of the queued job with
// the same key (both callbacks run, with the newer work's outcome). Urgent
// jobs (operator commands, deployments, outcomes) are never coalesced and
// never refused, so the queue holds at most one status job per key beyond
// the capacity.
#pragma once

#include "cloudserver/clouddatabase.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <any>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

class CloudStore : public QObject
{
    Q_OBJECT

public:
    enum class Priority {
        Urgent,   // operator commands, deployments and their outcomes, hellos: ahead of
        Status,   // status ingest
    };
    struct Settings
    {
        int capacity = 20000;   // queued jobs before status jobs are coalesced
        int maxBatch = 1000;    // jobs per transaction
        // The thread's nice value above the process's (Linux): when the
        // machine is short of CPU, the event loop (operators' requests,
        // commands' results) goes ahead of bulk ingest, which has its
        // queue and coalescing for exactly that case.
        int niceness = 5;
    };

    // `main`: the open database whose location (and password) the store's
    // own connection uses.
    CloudStore(const CloudDatabase &main, const Settings &settings, QObject *parent = nullptr);
    // Runs what is queued, then stops the thread (callbacks no longer run).
    ~CloudStore() override;

    // Opens the store's connection on its thread; an error when it cannot.
    QString start();

    // Runs on the database thread, inside the batch's transaction; returns
    // an error (empty: done). A job that fails is run again alone, in a
    // transaction of its own, so one failure does not lose the others'
    // work; jobs must therefore be safe to run twice after a rollback
    // (anything without side effects outside the database is).
    using Work = std::function<QString(CloudDatabase &db)>;
    // Runs on the store's thread after the commit (or the failure).
    using Done = std::function<void(const QString &error)>;
    void post(Priority priority, Work work, Done done, const QString &coalesceKey = {});

    // The same with a result: `work` fills *error on failure.
    template<typename Result>
    void call(Priority priority, std::function<Result(CloudDatabase &, QString *error)> work,
              std::function<void(const Result &, const QString &error)> done)
    {
        auto result = std::make_shared<Result>();
        post(priority,
             [result, work = std::move(work)](CloudDatabase &db) {
                 QString error;
                 *result = work(db, &error);
                 return error;
             },
             [result, done = std::move(done)](const QString &error) { done(*result, error); });
    }

    // Work of which many small pieces run better as one (a multi-row
    // statement instead of a round trip per row, which is what limits
    // PostgreSQL): posted as items of a bulk kind, and the queued items of
    // one kind that a batch takes in a row are handed to its BulkWork
    // together. Coalescing replaces an item. An error fails every item of
    // the call; they then run again one by one, like failed jobs.
    using BulkWork = std::function<QString(CloudDatabase &db, const std::vector<const std::any *> &items)>;
    // Before start(); returns the kind for postBulk().
    int addBulk(BulkWork work);
    void postBulk(Priority priority, int kind, std::any item, Done done, const QString &coalesceKey = {});

    // Figures for the log and the benchmark.
    qsizetype queued() const;
    qint64 coalesced() const { return m_coalesced.load(); }

private:
    struct Job
    {
        Priority priority;
        QString key;
        Work work;
        std::vector<Done> done;
        QString error;
        int bulk = -1;    // a bulk kind: `item` is run by its BulkWork, not `work`
        std::any item;
    };
    using JobPtr = std::shared_ptr<Job>;

    void enqueue(Priority priority, const QString &key, const std::function<void(Job &)> &fill, Done done);
    void run(std::promise<QString> *started);
    // Runs the batch's jobs from `from` on: a job, or a run of bulk items of one kind.
    QString runFrom(CloudDatabase &db, std::vector<JobPtr> &batch, size_t *from);
    // Takes the next job (urgent first); null when none is queued.
    JobPtr take();
    void runBatch(CloudDatabase &db, std::vector<JobPtr> &batch);
    void deliver(std::vector<JobPtr> batch);

    QString m_location;
    QString m_password;
    Settings m_settings;
    std::vector<BulkWork> m_bulks;

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<JobPtr> m_urgent;
    std::deque<JobPtr> m_status;
    QHash<QString, JobPtr> m_byKey;   // queued status jobs with a key
    bool m_stopping = false;
    bool m_full = false;             // coalescing since the queue filled (logged once)
    qint64 m_coalescedBefore = 0;
    std::atomic<qint64> m_coalesced {0};
    std::thread m_thread;
};
