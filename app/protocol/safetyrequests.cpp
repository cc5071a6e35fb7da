#include "protocol/safetyrequests.h"

#include "protocol/jsonfields.h"

Parsed<SafeModeClearRequest> SafeModeClearRequest::parse(const QJsonObject &)
{
    // No fields: any data object (the envelope checked it is one) is valid.
    return {};
}

Parsed<DriverQuarantineClearRequest> DriverQuarantineClearRequest::parse(const QJsonObject &data)
{
    Parsed<DriverQuarantineClearRequest> parsed;
    parsed.error = JsonFields::readDriverType(data, &parsed.value.driverType);
    return parsed;
}
