#include "storage/driverarchive.h"

#include "storage/keptquery.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

QList<ArchivedDriver> DriverArchive::versions(const QString &driverType, bool withCode, QString *error) const
{
    QList<ArchivedDriver> list;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT driver_id, driver_type, version, protocol_type, %1, command_mappings,"
                             " connection_config, sync_id, active_from, code_sha256, active_until, signature"
                             " FROM driver_versions WHERE driver_type = ? ORDER BY seq DESC")
                  .arg(withCode ? QStringLiteral("driver_code") : QStringLiteral("''")));
    q.addBindValue(driverType);
    if (!q.exec()) {
        if (error)
            *error = q.lastError().text();
        return list;
    }
    while (q.next()) {
        ArchivedDriver a;
        a.record.id = q.value(0).toString();
        a.record.driverType = q.value(1).toString();
        a.record.version = q.value(2).toString();
        a.record.protocolType = q.value(3).toString();
        a.record.driverCode = q.value(4).toString();
        a.record.commandMappings = q.value(5).toString();
        a.record.connectionConfig = q.value(6).toString();
        a.record.syncId = q.value(7).toString();
        a.record.syncedAt = q.value(8).toString();
        a.record.status = QStringLiteral("archived");
        a.sha256 = q.value(9).toString();
        a.activeUntil = q.value(10).toString();
        a.record.signature = q.value(11).toString();
        list.append(a);
    }
    return list;
}

QStringList DriverArchive::versionNames(const QString &driverType, QString *error) const
{
    QStringList names;
    for (const ArchivedDriver &a : versions(driverType, false, error))
        names << a.record.version;
    return names;
}

QHash<QString, QStringList> DriverArchive::allVersionNames(QString *error) const
{
    QHash<QString, QStringList> names;
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT driver_type, version FROM driver_versions ORDER BY seq DESC"))) {
        if (error)
            *error = q.lastError().text();
        return names;
    }
    while (q.next())
        names[q.value(0).toString()] << q.value(1).toString();
    return names;
}

QString DriverArchive::archive(const DriverRecord &outgoing, const QString &incomingVersion)
{
    // Kept statements: every driver_sync that replaces a version runs these.
    {
        KeptQuery q(m_db, QStringLiteral("DELETE FROM driver_versions WHERE driver_type = ? AND version IN (?, ?)"));
        q->addBindValue(outgoing.driverType);
        q->addBindValue(outgoing.version);
        q->addBindValue(incomingVersion);
        if (!q->exec())
            return q->lastError().text();
    }
    if (outgoing.version != incomingVersion) {
        KeptQuery q(m_db, QStringLiteral(
            "INSERT INTO driver_versions (driver_type, version, driver_id, protocol_type, driver_code, code_sha256,"
            " command_mappings, connection_config, sync_id, active_from, signature)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        q->addBindValue(outgoing.driverType);
        q->addBindValue(outgoing.version);
        q->addBindValue(outgoing.id);
        q->addBindValue(outgoing.protocolType);
        q->addBindValue(outgoing.driverCode);
        q->addBindValue(RunnableRepository::sourceKey(outgoing.driverCode));
        q->addBindValue(outgoing.commandMappings);
        q->addBindValue(outgoing.connectionConfig);
        q->addBindValue(outgoing.syncId);
        q->addBindValue(outgoing.syncedAt);
        q->addBindValue(outgoing.signature.isEmpty() ? QVariant() : QVariant(outgoing.signature));
        if (!q->exec())
            return q->lastError().text();
    }
    KeptQuery q(m_db, QStringLiteral("DELETE FROM driver_versions WHERE driver_type = ? AND seq NOT IN"
                                     " (SELECT seq FROM driver_versions WHERE driver_type = ? ORDER BY seq DESC LIMIT ?)"));
    q->addBindValue(outgoing.driverType);
    q->addBindValue(outgoing.driverType);
    q->addBindValue(kept);
    return q->exec() ? QString() : q->lastError().text();
}

qint64 DriverArchive::unsignedVersions(QString *error) const
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM driver_versions WHERE signature IS NULL")) || !q.next()) {
        if (error)
            *error = q.lastError().text();
        return 0;
    }
    return q.value(0).toLongLong();
}
