#include "protocol/driverrollbackrequest.h"

#include "protocol/jsonfields.h"

Parsed<DriverRollbackRequest> DriverRollbackRequest::parse(const QJsonObject &data)
{
    Parsed<DriverRollbackRequest> parsed;
    DriverRollbackRequest &r = parsed.value;
    r.syncId = JsonFields::stringOrNull(data, QStringLiteral("sync_id"));
    r.driverType = JsonFields::stringOrNull(data, QStringLiteral("driver_type"));
    if (!JsonFields::isNonEmptyString(r.syncId)) {
        parsed.error = QStringLiteral("sync_id must be a non-empty string");
        return parsed;
    }
    QString type;
    parsed.error = JsonFields::readDriverType(data, &type);
    if (!parsed.ok())
        return parsed;
    QJsonValue version = QString();
    parsed.error = JsonFields::readOptional(data, QStringLiteral("version"), QJsonValue::String, &version);
    r.version = version.toString();
    return parsed;
}
