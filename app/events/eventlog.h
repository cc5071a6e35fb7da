// The controller's event log: device status changes, driver syncs, reloads,
// technician actions, cloud and credential events, safe mode, quarantine.
// Kept in the controller's SQLite database (table `events`), at most
// `maxRows` rows: the oldest go in batches of a tenth, not one per insert.
//
// record() only queues: the events of up to batchWindowMs (or batchLimit
// events, whichever comes first) are written as one transaction by a writer
// thread with its own connection, so a durable commit (fsync) never runs on
// the GUI thread, and a stream of syncs or status changes costs one commit
// per window rather than one each (each commit also made every other
// connection of the process read its pages again). Reads go the same way and
// answer by callback, after every event recorded before them is stored; the
// destructor stores what is still queued.
#pragma once

#include "events/event.h"

#include <QList>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <functional>

class EventWriter;

class EventLog : public QObject
{
    Q_OBJECT

public:
    explicit EventLog(qint64 maxRows = 20000, QObject *parent = nullptr);
    ~EventLog() override;

    // Opens the writer's connection to the (migrated) database at `path`.
    // Returns an error line or empty; until then events are only signalled.
    QString open(const QString &path);

    // Queued for the current batch; recorded() is emitted at once.
    void record(Event event);
    // Newest first, after every event recorded so far is stored.
    using ReadDone = std::function<void(const QList<Event> &events)>;
    void read(const EventQuery &query, QObject *context, ReadDone done);
    // Waits until everything recorded so far is stored (tests, shutdown).
    void flushAndWait();

    qint64 maxRows() const { return m_maxRows; }

    static constexpr int batchWindowMs = 100;
    static constexpr int batchLimit = 256;

public slots:
    // A technician's action on the dashboard: `what` it did, on which device.
    void recordTechnicianAction(const QString &what, const QString &deviceId);

signals:
    void recorded(const Event &event);

private:
    void flush();

    qint64 m_maxRows;
    QList<Event> m_pending;
    QTimer m_flushTimer{this};
    bool m_open = false;
    QThread m_thread;
    EventWriter *m_writer = nullptr;   // lives in m_thread
};
