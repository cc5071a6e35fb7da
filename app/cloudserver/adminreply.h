// The admin socket's answers: {"ok":true, …} or {"ok":false,"error":"…"}.
#pragma once

#include <QJsonObject>
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

} // namespace AdminReply
