// The shape of control-cloud's answers to admin requests ({"ok":bool, …}),
// shared by the files that define CloudServer's methods.
#pragma once

#include "cloudserver/clouddatabase.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace AdminReply {

inline QJsonObject failure(const QString &message)
{
    return QJsonObject{{QStringLiteral("ok"), false}, {QStringLiteral("error"), message}};
}

inline QJsonObject success(QJsonObject fields = {})
{
    fields.insert(QStringLiteral("ok"), true);
    return fields;
}

inline QJsonObject deploymentJson(const DeploymentRow &r)
{
    return QJsonObject{{QStringLiteral("sync_id"), r.syncId},
                       {QStringLiteral("driver_id"), r.driverId},
                       {QStringLiteral("driver_type"), r.driverType},
                       {QStringLiteral("version"), r.version},
                       {QStringLiteral("controller_id"), r.controllerId},
                       {QStringLiteral("deployment_status"), r.status},
                       {QStringLiteral("deployed_at"), r.deployedAt.isEmpty() ? QJsonValue() : QJsonValue(r.deployedAt)},
                       {QStringLiteral("file_path"), r.filePath.isEmpty() ? QJsonValue() : QJsonValue(r.filePath)},
                       {QStringLiteral("error_message"), r.errorMessage.isEmpty() ? QJsonValue() : QJsonValue(r.errorMessage)},
                       {QStringLiteral("created_at"), r.createdAt}};
}

} // namespace AdminReply
