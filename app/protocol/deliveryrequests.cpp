#include "protocol/deliveryrequests.h"

#include "protocol/jsonfields.h"

Parsed<WelcomeRequest> WelcomeRequest::parse(const QJsonObject &data)
{
    Parsed<WelcomeRequest> parsed;
    const QJsonValue acks = data.value(QStringLiteral("acks"));
    if (!JsonFields::isAbsent(acks) && !acks.isBool()) {
        parsed.error = QStringLiteral("acks must be a boolean, got %1").arg(JsonFields::typeName(acks));
        return parsed;
    }
    parsed.value.acks = acks.toBool(false);
    const QJsonValue lastSeq = data.value(QStringLiteral("last_seq"));
    if (!parsed.value.acks && JsonFields::isAbsent(lastSeq))
        return parsed;   // a cloud that does not acknowledge need not say more
    if (!JsonFields::readSequence(lastSeq, 0, &parsed.value.lastSeq))
        parsed.error = QStringLiteral("last_seq must be a whole number of at least 0, got %1").arg(JsonFields::typeName(lastSeq));
    return parsed;
}

Parsed<AckRequest> AckRequest::parse(const QJsonObject &data)
{
    Parsed<AckRequest> parsed;
    const QJsonValue seq = data.value(QStringLiteral("seq"));
    if (!JsonFields::readSequence(seq, 0, &parsed.value.seq))
        parsed.error = QStringLiteral("seq must be a whole number of at least 0, got %1").arg(JsonFields::typeName(seq));
    return parsed;
}

namespace Reports {

bool isReport(const QString &type)
{
    return type == u"driver_sync_complete" || type == u"driver_sync_error" || type == u"status_update"
        || type == u"device_command_result" || type == u"driver_reload_result";
}

QString supersedingKey(const QString &type, const QJsonObject &data)
{
    if (type != u"status_update")
        return {};
    return data.value(QStringLiteral("device_id")).toString();
}

} // namespace Reports
