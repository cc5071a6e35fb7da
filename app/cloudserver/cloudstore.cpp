#include "cloudserver/cloudstore.h"

#include <QLoggingCategory>
#include <QMetaObject>
#include <QSqlError>

#ifdef Q_OS_LINUX
#include <cerrno>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

Q_DECLARE_LOGGING_CATEGORY(lcCloudDb)

CloudStore::CloudStore(const CloudDatabase &main, const Settings &settings, QObject *parent)
    : QObject(parent), m_location(main.location()), m_password(main.password()), m_settings(settings)
{
}

CloudStore::~CloudStore()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

QString CloudStore::start()
{
    std::promise<QString> started;
    std::future<QString> result = started.get_future();
    m_thread = std::thread([this, &started] { run(&started); });
    const QString error = result.get();
    if (!error.isEmpty())
        m_thread.join();
    return error;
}

void CloudStore::post(Priority priority, Work work, Done done, const QString &coalesceKey)
{
    enqueue(priority, coalesceKey, [&work](Job &job) { job.work = std::move(work); }, std::move(done));
}

int CloudStore::addBulk(BulkWork work)
{
    m_bulks.push_back(std::move(work));
    return int(m_bulks.size()) - 1;
}

void CloudStore::postBulk(Priority priority, int kind, std::any item, Done done, const QString &coalesceKey)
{
    enqueue(priority, coalesceKey, [&item, kind](Job &job) {
        job.bulk = kind;
        job.item = std::move(item);
    }, std::move(done));
}

void CloudStore::enqueue(Priority priority, const QString &key, const std::function<void(Job &)> &fill, Done done)
{
    {
        std::lock_guard lock(m_mutex);
        const qsizetype waiting = qsizetype(m_urgent.size() + m_status.size());
        if (priority == Priority::Status && !key.isEmpty()) {
            const auto it = m_byKey.constFind(key);
            if (it != m_byKey.cend() && waiting >= m_settings.capacity) {
                // Full: the newer work takes the queued job's place.
                fill(**it);
                (*it)->done.push_back(std::move(done));
                if (++m_coalesced, !m_full) {
                    m_full = true;
                    m_coalescedBefore = m_coalesced - 1;
                    qCWarning(lcCloudDb).noquote()
                        << QStringLiteral("database queue full (%1 jobs): status updates are coalesced per device").arg(waiting);
                }
                return;
            }
        }
        auto job = std::make_shared<Job>();
        job->priority = priority;
        job->key = key;
        fill(*job);
        job->done.push_back(std::move(done));
        if (priority == Priority::Urgent) {
            m_urgent.push_back(job);
        } else {
            m_status.push_back(job);
            if (!key.isEmpty())
                m_byKey.insert(key, job);   // the newest one with the key
        }
    }
    m_wake.notify_one();
}

qsizetype CloudStore::queued() const
{
    std::lock_guard lock(m_mutex);
    return qsizetype(m_urgent.size() + m_status.size());
}

CloudStore::JobPtr CloudStore::take()
{
    std::lock_guard lock(m_mutex);
    std::deque<JobPtr> &queue = m_urgent.empty() ? m_status : m_urgent;
    if (queue.empty())
        return nullptr;
    JobPtr job = std::move(queue.front());
    queue.pop_front();
    if (m_full && qsizetype(m_urgent.size() + m_status.size()) < m_settings.capacity / 2) {
        m_full = false;
        qCInfo(lcCloudDb) << "database queue below half again;" << m_coalesced - m_coalescedBefore
                          << "status updates were coalesced meanwhile";
    }
    if (!job->key.isEmpty()) {
        const auto it = m_byKey.find(job->key);
        if (it != m_byKey.end() && *it == job)
            m_byKey.erase(it);   // running: no longer replaceable
    }
    return job;
}

void CloudStore::run(std::promise<QString> *started)
{
#ifdef Q_OS_LINUX
    // Linux gives each thread its own nice value (PRIO_PROCESS with a thread id).
    const auto tid = id_t(::syscall(SYS_gettid));
    errno = 0;
    const int current = ::getpriority(PRIO_PROCESS, tid);
    if (m_settings.niceness != 0 && errno == 0 && ::setpriority(PRIO_PROCESS, tid, current + m_settings.niceness) != 0)
        qCWarning(lcCloudDb) << "cannot lower the database thread's priority:" << qt_error_string(errno);
#endif
    CloudDatabase db;
    db.setPassword(m_password);
    QString error = db.open(m_location);
    if (error.isEmpty())
        db.setOuterTransaction(true);   // each batch is the store's transaction
    started->set_value(error);
    if (!error.isEmpty())
        return;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_urgent.empty() || !m_status.empty(); });
            if (m_urgent.empty() && m_status.empty())
                return;   // stopping, nothing left
        }
        std::vector<JobPtr> batch;
        bool urgent = false;
        while (int(batch.size()) < m_settings.maxBatch) {
            // A batch with urgent work commits as soon as no urgent job
            // waits: an operator does not wait for a thousand status rows.
            if (urgent) {
                std::lock_guard lock(m_mutex);
                if (m_urgent.empty())
                    break;
            }
            JobPtr job = take();
            if (!job)
                break;
            urgent = urgent || job->priority == Priority::Urgent;
            batch.push_back(std::move(job));
        }
        runBatch(db, batch);
        deliver(std::move(batch));
    }
}

QString CloudStore::runFrom(CloudDatabase &db, std::vector<JobPtr> &batch, size_t *from)
{
    Job &first = *batch.at(*from);
    if (first.bulk < 0) {
        ++*from;
        return first.error = first.work(db);
    }
    std::vector<const std::any *> items;
    const size_t begin = *from;
    while (*from < batch.size() && batch.at(*from)->bulk == first.bulk)
        items.push_back(&batch.at((*from)++)->item);
    const QString error = m_bulks.at(size_t(first.bulk))(db, items);
    for (size_t i = begin; i < *from; ++i)
        batch.at(i)->error = error;
    return error;
}

void CloudStore::runBatch(CloudDatabase &db, std::vector<JobPtr> &batch)
{
    QSqlDatabase connection = db.connection();
    bool failed = !connection.transaction();
    for (size_t i = 0; i < batch.size() && !failed;)
        failed = !runFrom(db, batch, &i).isEmpty();
    if (!failed && connection.commit())
        return;
    // One job (or the commit) failed: nothing of the batch was kept. Each
    // runs again alone, so the others are not lost with it.
    connection.rollback();
    if (batch.size() == 1 && batch.front()->error.isEmpty())
        batch.front()->error = connection.lastError().text();
    if (batch.size() == 1)
        return;
    qCWarning(lcCloudDb).noquote() << "a batch of" << batch.size() << "failed; running its jobs one by one";
    for (const JobPtr &job : batch) {
        std::vector<JobPtr> alone{job};
        job->error.clear();
        runBatch(db, alone);
    }
}

void CloudStore::deliver(std::vector<JobPtr> batch)
{
    // One event for the whole batch: the callbacks run in the order of the
    // work, on the store's thread.
    QMetaObject::invokeMethod(this, [batch = std::move(batch)] {
        for (const JobPtr &job : batch) {
            for (const Done &done : job->done) {
                if (done)
                    done(job->error);
            }
        }
    }, Qt::QueuedConnection);
}
