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

// How many rows an operator's view shows: the request's "limit", else
// `byDefault`; -1 with `error` set when it is not a whole number in 1..100000.
inline int limitOf(const QJsonObject &request, int byDefault, QString *error)
{
    const QJsonValue v = request.value(QStringLiteral("limit"));
    if (v.isUndefined() || v.isNull())
        return byDefault;
    const double n = v.toDouble(-1);
    if (!v.isDouble() || n != double(qint64(n)) || n < 1 || n > 100000) {
        *error = QStringLiteral("limit must be a whole number from 1 to 100000");
        return -1;
    }
    return int(n);
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
