#include "storage/driverrepository.h"

#include "core/sha256.h"
#include "storage/keptquery.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace {

// The signature lives beside the row (driver_digests): `drivers` keeps the
// seed's shape. A subquery, not a join, so that callers' WHERE clauses name
// `drivers`' columns unqualified.
const QString selectColumns = QStringLiteral(
    "SELECT id, driver_type, version, protocol_type, driver_code, command_mappings,"
    " connection_config, sync_id, synced_at, status,"
    " (SELECT signature FROM driver_digests g WHERE g.driver_type = drivers.driver_type) FROM drivers");
// The same columns, driver_code read as an empty text.
const QString selectMetadata = QStringLiteral(
    "SELECT id, driver_type, version, protocol_type, '', command_mappings,"
    " connection_config, sync_id, synced_at, status,"
    " (SELECT signature FROM driver_digests g WHERE g.driver_type = drivers.driver_type) FROM drivers");

DriverRecord fromQuery(const QSqlQuery &q)
{
    DriverRecord r;
    r.id = q.value(0).toString();
    r.driverType = q.value(1).toString();
    r.version = q.value(2).toString();
    r.protocolType = q.value(3).toString();
    r.driverCode = q.value(4).toString();
    r.commandMappings = q.value(5).toString();
    r.connectionConfig = q.value(6).toString();
    r.syncId = q.value(7).toString();
    r.syncedAt = q.value(8).toString();
    r.status = q.value(9).toString();
    r.signature = q.value(10).toString();
    return r;
}

QList<DriverRecord> runList(const QSqlDatabase &db, const QString &sql, QString *error)
{
    QList<DriverRecord> list;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.exec(sql)) {
        if (error)
            *error = q.lastError().text();
        return list;
    }
    while (q.next())
        list.append(fromQuery(q));
    return list;
}

} // namespace

std::optional<DriverRecord> DriverRepository::find(const QString &driverType, QString *error) const
{
    return findOne(selectColumns + QStringLiteral(" WHERE driver_type = ?"), driverType, error);
}

std::optional<DriverRecord> DriverRepository::findActive(const QString &driverType, const QString &transformerVersion,
                                                        QString *error) const
{
    std::optional<DriverRecord> record = find(driverType, error);
    if (!record || record->status != u"active")
        return std::nullopt;
    if (const std::optional<QString> runnable = RunnableRepository(m_db).find(record->driverCode, transformerVersion))
        record->runnableCode = *runnable;
    return record;
}

std::optional<DriverRecord> DriverRepository::findById(const QString &id, QString *error) const
{
    return findOne(selectColumns + QStringLiteral(" WHERE id = ?"), id, error);
}

QList<DriverRecord> DriverRepository::all(QString *error) const
{
    return runList(m_db, selectColumns + QStringLiteral(" ORDER BY driver_type"), error);
}

QList<DriverRecord> DriverRepository::allMetadata(QString *error) const
{
    return runList(m_db, selectMetadata + QStringLiteral(" ORDER BY driver_type"), error);
}

std::optional<DriverRecord> DriverRepository::findMetadata(const QString &driverType, QString *error) const
{
    return findOne(selectMetadata + QStringLiteral(" WHERE driver_type = ?"), driverType, error);
}

std::optional<DriverRecord> DriverRepository::findOne(const QString &sql, const QString &key, QString *error) const
{
    KeptQuery q(m_db, sql);
    q->addBindValue(key);
    if (!q->exec()) {
        if (error)
            *error = q->lastError().text();
        return std::nullopt;
    }
    if (!q->next())
        return std::nullopt;
    return fromQuery(*q);
}

QString DriverRepository::upsertActive(const DriverRecord &r)
{
    KeptQuery q(m_db, QStringLiteral(
        "INSERT OR REPLACE INTO drivers (id, driver_type, version, protocol_type, driver_code,"
        " command_mappings, connection_config, sync_id, synced_at, status)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, datetime('now'), 'active')"));
    q->addBindValue(r.id);
    q->addBindValue(r.driverType);
    q->addBindValue(r.version);
    q->addBindValue(r.protocolType);
    q->addBindValue(r.driverCode);
    q->addBindValue(r.commandMappings);
    q->addBindValue(r.connectionConfig);
    q->addBindValue(r.syncId);
    if (!q->exec())
        return q->lastError().text();
    return storeDigest(r.driverType, RunnableRepository::sourceKey(r.driverCode), r.signature);
}

QString DriverRepository::storeDigest(const QString &driverType, const QString &sha256, const QString &signature)
{
    KeptQuery q(m_db, QStringLiteral("INSERT OR REPLACE INTO driver_digests (driver_type, code_sha256, signature)"
                                     " VALUES (?, ?, ?)"));
    q->addBindValue(driverType);
    q->addBindValue(sha256);
    q->addBindValue(signature.isEmpty() ? QVariant() : QVariant(signature));
    return q->exec() ? QString() : q->lastError().text();
}

QString DriverRepository::storeSignature(const QString &driverType, const QString &signature)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("UPDATE driver_digests SET signature = ? WHERE driver_type = ?"));
    q.addBindValue(signature);
    q.addBindValue(driverType);
    return q.exec() ? QString() : q.lastError().text();
}

QHash<QString, QString> DriverRepository::activeDigests(QString *error)
{
    QHash<QString, QString> digests;
    QStringList missing;
    {
        QSqlQuery q(m_db);
        q.setForwardOnly(true);
        if (!q.exec(QStringLiteral("SELECT d.driver_type, g.code_sha256 FROM drivers d"
                                   " LEFT JOIN driver_digests g ON g.driver_type = d.driver_type"))) {
            if (error)
                *error = q.lastError().text();
            return digests;
        }
        while (q.next()) {
            if (q.isNull(1))
                missing << q.value(0).toString();
            else
                digests.insert(q.value(0).toString(), q.value(1).toString());
        }
    }
    for (const QString &type : std::as_const(missing)) {
        const std::optional<DriverRecord> r = find(type, error);
        if (!r)
            continue;
        const QString sha = RunnableRepository::sourceKey(r->driverCode);
        digests.insert(type, sha);
        const QString problem = storeDigest(type, sha, r->signature);
        if (!problem.isEmpty() && error)
            *error = problem;
    }
    return digests;
}

QString RunnableRepository::sourceKey(const QString &source)
{
    return Sha256::hexOfUtf8(source);
}

std::optional<QString> RunnableRepository::find(const QString &source, const QString &transformerVersion) const
{
    KeptQuery q(m_db, QStringLiteral("SELECT code FROM driver_runnable WHERE source_sha256 = ? AND transformer_version = ?"));
    q->addBindValue(sourceKey(source));
    q->addBindValue(transformerVersion);
    if (!q->exec() || !q->next())
        return std::nullopt;
    const QString code = q->value(0).toString();
    return code.isEmpty() ? source : code;   // '': the source itself (store())
}

QString RunnableRepository::store(const QString &source, const QString &transformerVersion, const QString &code)
{
    KeptQuery q(m_db, QStringLiteral("INSERT OR REPLACE INTO driver_runnable (source_sha256, transformer_version, code)"
                                     " VALUES (?, ?, ?)"));
    q->addBindValue(sourceKey(source));
    q->addBindValue(transformerVersion);
    // Most drivers need no rewrite: their form is kept as '' rather than a
    // second copy of the code (each sync's commit writes two pages fewer).
    q->addBindValue(code == source ? QStringLiteral("") : code);
    return q->exec() ? QString() : q->lastError().text();
}

int RunnableRepository::prune(const QStringList &keepKeys, const QString &transformerVersion)
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT source_sha256, transformer_version FROM driver_runnable")))
        return 0;
    QList<std::pair<QString, QString>> doomed;
    while (q.next()) {
        if (q.value(1).toString() != transformerVersion || !keepKeys.contains(q.value(0).toString()))
            doomed.append({q.value(0).toString(), q.value(1).toString()});
    }
    for (const auto &[key, version] : doomed) {
        QSqlQuery d(m_db);
        d.prepare(QStringLiteral("DELETE FROM driver_runnable WHERE source_sha256 = ? AND transformer_version = ?"));
        d.addBindValue(key);
        d.addBindValue(version);
        d.exec();
    }
    return int(doomed.size());
}
