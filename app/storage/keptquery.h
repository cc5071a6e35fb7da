// A statement kept prepared on its connection: SQLite parses it once per
// connection instead of on every use (its parser was 15 % of the sync
// thread's CPU per driver_sync, docs/performance.md "Session 4, CPU per
// sync"). Use it for statements a hot path runs again and again.
#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include <memory>
#include <optional>

class KeptQuery
{
public:
    // The statement `sql` on `db`, prepared on its first use on this
    // connection. Bind with addBindValue and exec() as with a QSqlQuery.
    KeptQuery(const QSqlDatabase &db, const QString &sql);
    // Resets the statement: a SELECT kept open would hold its read
    // snapshot, and later statements on the connection would see old data.
    ~KeptQuery();
    KeptQuery(const KeptQuery &) = delete;
    KeptQuery &operator=(const KeptQuery &) = delete;

    QSqlQuery &operator*() { return *m_query; }
    QSqlQuery *operator->() { return m_query; }

    // Drops what `connectionName` kept; Database::close() calls it before
    // the connection closes, so no kept statement outlives its connection.
    static void forget(const QString &connectionName);

private:
    QSqlQuery *m_query = nullptr;
    std::shared_ptr<void> m_keptSet;     // the connection's statements, while in use
    std::optional<QSqlQuery> m_unkept;   // a connection that is not open
};
