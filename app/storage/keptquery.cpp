#include "storage/keptquery.h"

#include <QHash>
#include <QMutex>
#include <QSqlDriver>

#include <memory>
#include <unordered_map>

namespace {

// The statements of one connection. A connection is used by one thread at
// a time, so only the registry itself needs the lock.
struct Kept
{
    // A connection of the same name opened anew (not closed through
    // Database, which forgets) drops these: another driver or handle.
    const QSqlDriver *driver = nullptr;
    const void *handle = nullptr;
    std::unordered_map<QString, std::unique_ptr<QSqlQuery>> queries;
};

QMutex registryMutex;
QHash<QString, std::shared_ptr<Kept>> registry;

std::shared_ptr<Kept> keptOf(const QSqlDatabase &db)
{
    QMutexLocker lock(&registryMutex);
    std::shared_ptr<Kept> &kept = registry[db.connectionName()];
    const QVariant handle = db.driver()->handle();
    const void *sqlite = handle.isValid() && handle.data() ? *static_cast<void *const *>(handle.data()) : nullptr;
    if (!kept || kept->driver != db.driver() || kept->handle != sqlite) {
        kept = std::make_shared<Kept>();
        kept->driver = db.driver();
        kept->handle = sqlite;
    }
    return kept;
}

} // namespace

KeptQuery::KeptQuery(const QSqlDatabase &db, const QString &sql)
{
    if (!db.isOpen()) {
        m_unkept.emplace(db);
        m_unkept->prepare(sql);   // fails, and says why in lastError()
        m_query = &*m_unkept;
        return;
    }
    const std::shared_ptr<Kept> kept = keptOf(db);
    m_keptSet = kept;
    std::unique_ptr<QSqlQuery> &query = kept->queries[sql];
    if (!query) {
        auto made = std::make_unique<QSqlQuery>(db);
        // Not prepared (an error): exec() reports it, and it is not kept.
        if (!made->prepare(sql)) {
            m_unkept.emplace(std::move(*made));
            kept->queries.erase(sql);
            m_query = &*m_unkept;
            return;
        }
        query = std::move(made);
    }
    m_query = query.get();
}

KeptQuery::~KeptQuery()
{
    m_query->finish();
}

void KeptQuery::forget(const QString &connectionName)
{
    QMutexLocker lock(&registryMutex);
    registry.remove(connectionName);
}
