// CloudServer, continued: what goes out about drivers (PROTOCOL.md
// driver_sync, signed or not, and driver_rollback). Their outcomes come
// back as driver_sync_complete / driver_sync_error like any deployment's.
#include "cloudserver/adminreply.h"
#include "cloudserver/cloudserver.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QUuid>

Q_DECLARE_LOGGING_CATEGORY(lcCloudServer)

using AdminReply::failure;
using AdminReply::success;

void CloudServer::deploy(const QJsonObject &request, const Reply &reply)
{
    const QString controllerId = request.value(QStringLiteral("controller_id")).toString();
    QWebSocket *socket = controllerSocket(controllerId);
    if (!socket)
        return reply(failure(QStringLiteral("controller %1 is not connected").arg(controllerId)));
    for (const char *key : {"driver_type", "version", "protocol_type", "driver_code"}) {
        if (request.value(QLatin1String(key)).toString().isEmpty())
            return reply(failure(QStringLiteral("%1 is required").arg(QLatin1String(key))));
    }
    DeploymentRow row;
    row.syncId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    row.driverId = request.value(QStringLiteral("driver_id")).toString();
    if (row.driverId.isEmpty())
        row.driverId = QUuid::createUuidV5(QUuid(), request.value(QStringLiteral("driver_type")).toString()).toString(QUuid::WithoutBraces);
    row.driverType = request.value(QStringLiteral("driver_type")).toString();
    row.version = request.value(QStringLiteral("version")).toString();
    row.controllerId = controllerId;
    QJsonObject data{{QStringLiteral("sync_id"), row.syncId},
                     {QStringLiteral("driver_id"), row.driverId},
                     {QStringLiteral("driver_type"), row.driverType},
                     {QStringLiteral("version"), row.version},
                     {QStringLiteral("driver_code"), request.value(QStringLiteral("driver_code"))},
                     {QStringLiteral("command_mappings"), request.value(QStringLiteral("command_mappings")).toArray()},
                     {QStringLiteral("protocol_type"), request.value(QStringLiteral("protocol_type"))},
                     {QStringLiteral("connection_config"), request.value(QStringLiteral("connection_config")).toObject()}};
    // Signed by the CLI (deploy --sign), which holds the private key.
    if (request.value(QStringLiteral("signature")).isObject())
        data.insert(QStringLiteral("signature"), request.value(QStringLiteral("signature")));
    qCInfo(lcCloudServer).noquote() << "deploying" << row.driverType << row.version << "to" << controllerId
                                    << "(sync" << row.syncId << ")";
    startDeployment(row, QStringLiteral("driver_sync"), data, reply);
}

void CloudServer::startDeployment(const DeploymentRow &row, const QString &type, const QJsonObject &data, const Reply &reply)
{
    m_store->post(
        CloudStore::Priority::Urgent, [row](CloudDatabase &db) { return db.createDeployment(row); },
        [this, row, type, data, reply](const QString &error) {
            if (!error.isEmpty())
                return reply(failure(QStringLiteral("cannot record the deployment: %1").arg(error)));
            // Sent once it is recorded: its progress finds the row.
            QWebSocket *socket = controllerSocket(row.controllerId);
            if (!socket) {
                // Gone while the row was committed: refused as if it had been
                // gone before, not failed (the controller never saw it, and
                // would never report an outcome for it).
                m_store->post(
                    CloudStore::Priority::Urgent, [syncId = row.syncId](CloudDatabase &db) { return db.discardDeployment(syncId); },
                    [syncId = row.syncId](const QString &error) {
                        if (!error.isEmpty())
                            qCWarning(lcCloudServer).noquote() << "cannot discard deployment" << syncId << ":" << error;
                    });
                return reply(failure(QStringLiteral("controller %1 is not connected").arg(row.controllerId)));
            }
            send(socket, type, data);
            // No reply of its own (the deployment's waiters get the outcome);
            // kept so that a protocol_error refusing it fails it.
            m_awaiting[row.controllerId].append({type, row.syncId, {}, nullptr, 0});
            updatePriority(row.controllerId);
            QJsonObject answer{{QStringLiteral("sync_id"), row.syncId}};
            if (type == u"driver_sync")
                answer.insert(QStringLiteral("driver_id"), row.driverId);
            reply(success(answer));
        });
}

void CloudServer::markFailed(const QString &syncId, const QString &controllerId, const QString &why)
{
    m_store->call<std::optional<DeploymentRow>>(
        CloudStore::Priority::Urgent,
        [syncId, controllerId, why](CloudDatabase &db, QString *error) -> std::optional<DeploymentRow> {
            if (!db.markFailed(syncId, controllerId, why, error))
                return std::nullopt;
            return db.deployment(syncId, error);
        },
        [this, syncId](const std::optional<DeploymentRow> &row, const QString &error) {
            if (!error.isEmpty())
                qCWarning(lcCloudServer).noquote() << "cannot record the failure of" << syncId << error;
            if (row)
                deploymentUpdated(*row);
        });
}

void CloudServer::rollback(const QJsonObject &request, const Reply &reply)
{
    const QString controllerId = request.value(QStringLiteral("controller_id")).toString();
    QWebSocket *socket = controllerSocket(controllerId);
    if (!socket)
        return reply(failure(QStringLiteral("controller %1 is not connected").arg(controllerId)));
    DeploymentRow row;
    row.syncId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    row.driverType = request.value(QStringLiteral("driver_type")).toString();
    if (row.driverType.isEmpty())
        return reply(failure(QStringLiteral("driver_type is required")));
    const QString version = request.value(QStringLiteral("version")).toString();
    // The deployments view shows what was asked for: the version, or the one before.
    row.version = version.isEmpty() ? QStringLiteral("(previous)") : version;
    row.controllerId = controllerId;
    // The driver_id the controller reported for that type, if any.
    for (const QJsonValue &d : m_controllers.value(controllerId).hello.value(QStringLiteral("drivers")).toArray()) {
        if (d[QStringLiteral("driver_type")].toString() == row.driverType)
            row.driverId = d[QStringLiteral("driver_id")].toString();
    }
    // A type the controller did not report: the id a deploy would derive; the
    // controller's answer says what is wrong with the request.
    if (row.driverId.isEmpty())
        row.driverId = QUuid::createUuidV5(QUuid(), row.driverType).toString(QUuid::WithoutBraces);
    QJsonObject data{{QStringLiteral("sync_id"), row.syncId}, {QStringLiteral("driver_type"), row.driverType}};
    if (!version.isEmpty())
        data.insert(QStringLiteral("version"), version);
    qCInfo(lcCloudServer).noquote() << "rolling back" << row.driverType << "on" << controllerId << "to" << row.version
                                    << "(sync" << row.syncId << ")";
    startDeployment(row, QStringLiteral("driver_rollback"), data, reply);
}

namespace {

QString versionIn(const QJsonArray &drivers, const QString &driverType)
{
    for (const QJsonValue &d : drivers) {
        if (d[QStringLiteral("driver_type")].toString() == driverType)
            return d[QStringLiteral("version")].toString();
    }
    return {};
}

} // namespace

QString CloudServer::driverVersion(const QString &controllerId, const QString &driverType) const
{
    return versionIn(m_controllers.value(controllerId).hello.value(QStringLiteral("drivers")).toArray(), driverType);
}

QStringList CloudServer::controllersRunning(const QString &driverType) const
{
    // Those seen since the start know their drivers best (completions update
    // them); the others as their last hello, stored, said.
    QHash<QString, QJsonObject> hellos = m_database->controllerHellos();
    for (auto it = m_controllers.cbegin(); it != m_controllers.cend(); ++it)
        hellos.insert(it.key(), it->hello);
    QStringList ids;
    for (auto it = hellos.cbegin(); it != hellos.cend(); ++it) {
        if (!versionIn(it->value(QStringLiteral("drivers")).toArray(), driverType).isEmpty())
            ids << it.key();
    }
    ids.sort();
    return ids;
}
