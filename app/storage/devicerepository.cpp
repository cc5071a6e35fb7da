#include "storage/devicerepository.h"

#include "storage/keptquery.h"

#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace {

const QString selectColumns = QStringLiteral(
    "SELECT id, name, type, connection_config, created_at, updated_at, room FROM devices");

DeviceRecord fromQuery(const QSqlQuery &q)
{
    DeviceRecord r;
    r.id = q.value(0).toString();
    r.name = q.value(1).toString();
    r.type = q.value(2).toString();
    r.connectionConfig = QJsonDocument::fromJson(q.value(3).toString().toUtf8()).object();
    r.createdAt = q.value(4).toString();
    r.updatedAt = q.value(5).toString();
    r.room = q.value(6).toString();
    return r;
}

} // namespace

QList<DeviceRecord> DeviceRepository::all(QString *error) const
{
    QList<DeviceRecord> list;
    QSqlQuery q(m_db);
    if (!q.exec(selectColumns + QStringLiteral(" ORDER BY id"))) {
        if (error)
            *error = q.lastError().text();
        return list;
    }
    while (q.next())
        list.append(fromQuery(q));
    return list;
}

std::optional<DeviceRecord> DeviceRepository::find(const QString &id, QString *error) const
{
    QSqlQuery q(m_db);
    q.prepare(selectColumns + QStringLiteral(" WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec()) {
        if (error)
            *error = q.lastError().text();
        return std::nullopt;
    }
    if (!q.next())
        return std::nullopt;
    return fromQuery(q);
}

QString DeviceRepository::upsert(const DeviceRecord &r)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral(
        "INSERT INTO devices (id, name, type, connection_config, room) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET name = excluded.name, type = excluded.type,"
        " connection_config = excluded.connection_config, room = excluded.room,"
        " updated_at = CURRENT_TIMESTAMP"));
    q.addBindValue(r.id);
    q.addBindValue(r.name);
    q.addBindValue(r.type);
    q.addBindValue(QString::fromUtf8(QJsonDocument(r.connectionConfig).toJson(QJsonDocument::Compact)));
    q.addBindValue(r.room.isEmpty() ? QStringLiteral("") : r.room);   // a null QString binds as NULL
    if (!q.exec())
        return q.lastError().text();
    return {};
}

QString DeviceRepository::remove(const QString &id)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("DELETE FROM devices WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec())
        return q.lastError().text();
    return {};
}

bool DeviceRepository::anyOfType(const QString &type, QString *error) const
{
    KeptQuery kept(m_db, QStringLiteral("SELECT 1 FROM devices WHERE type = ? LIMIT 1"));
    QSqlQuery &q = *kept;
    q.addBindValue(type);
    if (!q.exec()) {
        if (error)
            *error = q.lastError().text();
        return false;
    }
    return q.next();
}
