#include "protocol/envelope.h"

#include "protocol/jsonfields.h"

#include <QJsonDocument>
#include <QJsonParseError>

Parsed<Envelope> Envelope::parse(const QString &text, qint64 maxFrameBytes)
{
    Parsed<Envelope> parsed;
    // UTF-8 takes 1 to 3 bytes per UTF-16 unit; convert only when it matters.
    if (maxFrameBytes > 0 && text.size() * 3 > maxFrameBytes) {
        const qint64 bytes = text.toUtf8().size();
        if (bytes > maxFrameBytes) {
            parsed.error = QStringLiteral("frame of %1 bytes exceeds the limit of %2 bytes").arg(bytes).arg(maxFrameBytes);
            return parsed;
        }
    }

    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        parsed.error = QStringLiteral("not valid JSON: %1 at offset %2").arg(parseError.errorString()).arg(parseError.offset);
        return parsed;
    }
    if (!doc.isObject()) {
        parsed.error = QStringLiteral("message is not a JSON object");
        return parsed;
    }
    const QJsonObject message = doc.object();
    const QJsonValue type = message.value(QStringLiteral("type"));
    if (!type.isString() || type.toString().isEmpty()) {
        parsed.error = QStringLiteral("message has no string 'type'");
        return parsed;
    }
    parsed.value.type = type.toString();
    const QJsonValue data = message.value(QStringLiteral("data"));
    if (!data.isUndefined() && !data.isObject()) {
        parsed.error = QStringLiteral("'data' of a %1 message is not an object").arg(parsed.value.type);
        return parsed;
    }
    parsed.value.data = data.toObject();
    const QJsonValue seq = message.value(QStringLiteral("seq"));
    if (!seq.isUndefined() && !JsonFields::readSequence(seq, 1, &parsed.value.seq)) {
        parsed.error = QStringLiteral("'seq' of a %1 message must be a whole number of at least 1, got %2")
                           .arg(parsed.value.type, JsonFields::typeName(seq));
        return parsed;
    }
    return parsed;
}
