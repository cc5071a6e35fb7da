#include "protocol/safetyrequests.h"

#include "core/protocolrules.h"

Parsed<SafeModeClearRequest> SafeModeClearRequest::parse(const QJsonObject &)
{
    // No fields: any data object (the envelope checked it is one) is valid.
    return {};
}

Parsed<DriverQuarantineClearRequest> DriverQuarantineClearRequest::parse(const QJsonObject &data)
{
    Parsed<DriverQuarantineClearRequest> parsed;
    const QJsonValue type = data.value(QStringLiteral("driver_type"));
    if (!type.isString() || !ProtocolRules::isValidDriverType(type.toString()))
        parsed.error = QStringLiteral("driver_type must be a valid driver type");
    else
        parsed.value.driverType = type.toString();
    return parsed;
}
