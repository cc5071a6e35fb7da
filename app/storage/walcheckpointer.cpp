#include "storage/walcheckpointer.h"

#include "core/logcategories.h"
#include "storage/database.h"

#include <QMetaObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>

namespace {

class CheckpointWorker : public QObject
{
public:
    QString open(const QString &path)
    {
        const QString error = m_db.open(path, QStringLiteral("nuc-checkpoint"));
        if (!error.isEmpty())
            return error;
        m_timer.setInterval(WalCheckpointer::intervalMs);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] { checkpoint(); });
        m_timer.start();
        return {};
    }

    void checkpoint()
    {
        QSqlQuery q(m_db.connection());
        // Only after a pause: data_version changes with every commit of
        // another connection, and a checkpoint beside a commit slows that
        // commit's fsync down (one disk) — measured worse than the
        // automatic checkpoint it replaces while syncs came back to back.
        if (!q.exec(QStringLiteral("PRAGMA data_version")) || !q.next())
            return;
        const qint64 version = q.value(0).toLongLong();
        const bool idle = version == m_lastVersion;
        m_lastVersion = version;
        if (m_checkpointedVersion == version)
            return;
        // Under commits without a pause (syncs or reports back to back) the
        // WAL would grow to the automatic backstop, whose checkpoint then
        // lands inside one commit: every busyTicksMax ticks it goes anyway.
        if (!idle && ++m_busyTicks < busyTicksMax)
            return;
        m_busyTicks = 0;
        m_checkpointedVersion = version;
        // Busy (another checkpoint, or a reader on an older snapshot) is not
        // an error: what is left goes on the next turn.
        if (!q.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")) && !m_warned) {
            qCWarning(lcStorage).noquote() << "WAL checkpoint failed:" << q.lastError().text();
            m_warned = true;
        }
    }

    void close()
    {
        m_timer.stop();
        m_db.close();
    }

private:
    Database m_db;
    QTimer m_timer{this};   // a child: it moves to the thread with the worker
    bool m_warned = false;   // logged once
    qint64 m_lastVersion = -1;           // data_version at the last tick
    qint64 m_checkpointedVersion = -1;   // data_version at the last checkpoint
    static constexpr int busyTicksMax = 10;   // 2 s of commits without a pause
    int m_busyTicks = 0;
};

} // namespace

WalCheckpointer::WalCheckpointer()
{
    m_thread.setObjectName(QStringLiteral("nuc-checkpoint"));
}

WalCheckpointer::~WalCheckpointer()
{
    if (!m_thread.isRunning())
        return;
    auto *worker = static_cast<CheckpointWorker *>(m_worker);
    QMetaObject::invokeMethod(worker, [worker] { worker->close(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

QString WalCheckpointer::start(const QString &path)
{
    auto *worker = new CheckpointWorker;
    m_worker = worker;
    worker->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, worker, &QObject::deleteLater);
    m_thread.start(QThread::LowPriority);
    QString error;
    QMetaObject::invokeMethod(worker, [worker, path, &error] { error = worker->open(path); },
                              Qt::BlockingQueuedConnection);
    return error;
}
