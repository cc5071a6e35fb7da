// One received text frame checked against PROTOCOL.md's "Transport" rules:
// UTF-8 JSON, an object, a non-empty string `type`, a `data` that is an
// object when present, a `seq` that is a whole number of at least 1 when
// present, within the size limit. Both ends use it: the
// controller answers a broken frame with protocol_error, control-cloud logs it.
#pragma once

#include "protocol/parsed.h"

#include <QJsonObject>
#include <QString>

struct Envelope
{
    QString type;   // empty when the frame had no readable type
    QJsonObject data;
    // The report's sequence number (PROTOCOL.md "Reports that survive
    // outages"); 0 when the frame carries none.
    qint64 seq = 0;

    // maxFrameBytes <= 0: no size limit.
    static Parsed<Envelope> parse(const QString &text, qint64 maxFrameBytes);
};
