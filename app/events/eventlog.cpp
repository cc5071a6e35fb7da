#include "events/eventlog.h"

#include "core/logcategories.h"
#include "events/eventstore.h"
#include "storage/database.h"

#include <QMetaObject>
#include <QPointer>
#include <QSemaphore>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>

#include <algorithm>

// The writer thread's side: its own connection, the batches, the pruning.
class EventWriter : public QObject
{
public:
    explicit EventWriter(qint64 maxRows) : m_maxRows(maxRows) {}

    QString open(const QString &path)
    {
        QString error = m_db.open(path, QStringLiteral("nuc-events"));
        if (!error.isEmpty())
            return error;
        // The log's commits wait for no fsync of their own (WAL with
        // synchronous=NORMAL): each one came right after a driver_sync, a
        // report or a status change whose durable commit then waited for it
        // (one WAL write lock, one disk). It stays consistent after any
        // crash; a power cut can lose only the events after the last
        // durable commit of another connection or checkpoint, which syncs
        // the same WAL file, these frames included.
        QSqlQuery q(m_db.connection());
        if (!q.exec(QStringLiteral("PRAGMA synchronous=NORMAL")))
            qCWarning(lcStorage).noquote() << "event log: cannot relax synchronous:" << q.lastError().text();
        m_rows = EventStore(m_db.connection()).count(&error);
        return error;
    }

    void write(QList<Event> batch)
    {
        EventStore store(m_db.connection());
        const QString error = store.insert(batch);
        if (!error.isEmpty()) {
            qCWarning(lcStorage).noquote() << "cannot store" << batch.size() << "events:" << error;
            return;
        }
        m_rows += batch.size();
        // Pruned in batches (a tenth of the limit), not at every insert.
        if (m_rows <= m_maxRows + std::max<qint64>(1, m_maxRows / 10))
            return;
        QString pruneError;
        const int removed = store.prune(m_maxRows, &pruneError);
        if (removed < 0)
            qCWarning(lcStorage).noquote() << "cannot prune the event log:" << pruneError;
        else
            m_rows = store.count();
    }

    QList<Event> read(const EventQuery &query)
    {
        QString error;
        const QList<Event> events = EventStore(m_db.connection()).read(query, &error);
        if (!error.isEmpty())
            qCWarning(lcStorage).noquote() << "cannot read the event log:" << error;
        return events;
    }

    void close() { m_db.close(); }

private:
    Database m_db;
    qint64 m_maxRows;
    qint64 m_rows = 0;
};

EventLog::EventLog(qint64 maxRows, QObject *parent)
    : QObject(parent)
    , m_maxRows(std::max<qint64>(1, maxRows))
{
    m_thread.setObjectName(QStringLiteral("nuc-events"));
    m_writer = new EventWriter(m_maxRows);
    m_writer->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_writer, &QObject::deleteLater);
    m_thread.start(QThread::LowPriority);
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(batchWindowMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &EventLog::flush);
}

EventLog::~EventLog()
{
    flush();
    QMetaObject::invokeMethod(m_writer, [w = m_writer] { w->close(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

QString EventLog::open(const QString &path)
{
    QString error;
    QMetaObject::invokeMethod(m_writer, [&] { error = m_writer->open(path); }, Qt::BlockingQueuedConnection);
    m_open = error.isEmpty();
    return error;
}

void EventLog::record(Event event)
{
    if (!event.at.isValid())
        event.at = QDateTime::currentDateTimeUtc();
    m_pending << event;
    emit recorded(event);
    if (m_pending.size() >= batchLimit)
        flush();
    else if (!m_flushTimer.isActive())
        m_flushTimer.start();   // what comes within the window joins this batch
}

void EventLog::recordTechnicianAction(const QString &what, const QString &deviceId)
{
    Event e;
    e.kind = QStringLiteral("technician");
    e.subject = what;
    e.deviceId = deviceId;
    record(e);
}

void EventLog::flush()
{
    m_flushTimer.stop();
    if (m_pending.isEmpty() || !m_open) {
        m_pending.clear();
        return;
    }
    QMetaObject::invokeMethod(m_writer, [w = m_writer, batch = std::exchange(m_pending, {})] { w->write(batch); });
}

void EventLog::read(const EventQuery &query, QObject *context, ReadDone done)
{
    flush();   // what was recorded before the read is in it
    if (!m_open) {
        QTimer::singleShot(0, context, [done] { done({}); });
        return;
    }
    // The answer comes back through this object (it outlives the writer's
    // work: the destructor waits for it) and reaches `context` only if it
    // still exists.
    QPointer<QObject> guard(context);
    QMetaObject::invokeMethod(m_writer, [this, w = m_writer, query, guard, done] {
        const QList<Event> events = w->read(query);
        QMetaObject::invokeMethod(this, [guard, done, events] {
            if (guard)
                done(events);
        });
    });
}

void EventLog::flushAndWait()
{
    flush();
    QMetaObject::invokeMethod(m_writer, [] {}, Qt::BlockingQueuedConnection);
}
