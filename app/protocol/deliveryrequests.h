// PROTOCOL.md "Reports that survive outages (acknowledged delivery)": the
// cloud's answers that let the controller forget what it kept, and which
// controller → cloud messages are such kept, numbered reports.
#pragma once

#include "protocol/parsed.h"

#include <QJsonObject>
#include <QString>

// {"type":"welcome","data":{"acks":true,"last_seq":N}}: sent by a cloud that
// acknowledges, right after hello. `acks` absent means false; with acks,
// `last_seq` (the highest seq the cloud already stored, or 0) is required.
struct WelcomeRequest
{
    static QString type() { return QStringLiteral("welcome"); }

    bool acks = false;
    qint64 lastSeq = 0;

    static Parsed<WelcomeRequest> parse(const QJsonObject &data);
};

// {"type":"ack","data":{"seq":N}}: cumulative, every seq <= N is stored.
struct AckRequest
{
    static QString type() { return QStringLiteral("ack"); }

    qint64 seq = 0;

    static Parsed<AckRequest> parse(const QJsonObject &data);
};

namespace Reports {

// Whether a controller → cloud message of this type is a report: numbered
// with `seq`, kept in the database until delivered. The four of PROTOCOL.md
// and this controller's driver_reload_result (an answer, like
// device_command_result; docs/protocol.md).
bool isReport(const QString &type);

// The key under which a newer report supersedes an older one: the device of
// a status_update; empty for everything else (outcomes are never coalesced).
QString supersedingKey(const QString &type, const QJsonObject &data);

} // namespace Reports
