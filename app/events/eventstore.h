// The events table (schema migration 5 in storage/database.cpp) on one
// connection: insert a batch, prune the oldest, read newest first. Used by
// EventLog's writer thread and, read-only, by `control-nuc --events`.
#pragma once

#include "events/event.h"

#include <QList>
#include <QSqlDatabase>

class EventStore
{
public:
    explicit EventStore(const QSqlDatabase &db) : m_db(db) {}

    // One transaction for the whole batch; ids are set in `events`.
    QString insert(QList<Event> &events);
    // Keeps the newest `keep` rows. Returns the rows deleted, or -1 on error.
    int prune(qint64 keep, QString *error = nullptr);
    qint64 count(QString *error = nullptr) const;
    QList<Event> read(const EventQuery &query, QString *error = nullptr) const;

private:
    QSqlDatabase m_db;
};
