// PROTOCOL.md "Safe mode and quarantine": the two cloud → controller
// messages that lift what containment put in place.
#pragma once

#include "protocol/parsed.h"

#include <QJsonObject>
#include <QString>

// {"type":"safe_mode_clear","data":{}}: leaves safe mode and lifts every
// quarantine; answered by a fresh hello.
struct SafeModeClearRequest
{
    static QString type() { return QStringLiteral("safe_mode_clear"); }

    static Parsed<SafeModeClearRequest> parse(const QJsonObject &data);
};

// {"type":"driver_quarantine_clear","data":{"driver_type":"x"}}
struct DriverQuarantineClearRequest
{
    static QString type() { return QStringLiteral("driver_quarantine_clear"); }

    QString driverType;

    static Parsed<DriverQuarantineClearRequest> parse(const QJsonObject &data);
};
