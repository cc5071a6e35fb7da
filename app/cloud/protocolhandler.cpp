#include "protocolhandler.h"

#include "logcategories.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonParseError>

#include <utility>

ProtocolHandler::ProtocolHandler(qint64 maxFrameBytes, QObject *parent)
    : QObject(parent), m_maxFrameBytes(maxFrameBytes)
{
}

void ProtocolHandler::registerHandler(const QString &type, Handler handler)
{
    m_handlers.insert(type, std::move(handler));
}

QString ProtocolHandler::timestampNow()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QJsonObject ProtocolHandler::envelope(const QString &type, const QJsonObject &data)
{
    return QJsonObject{{QStringLiteral("type"), type},
                       {QStringLiteral("timestamp"), timestampNow()},
                       {QStringLiteral("data"), data}};
}

void ProtocolHandler::reject(const QString &reason, const QJsonValue &receivedType)
{
    qCWarning(lcProtocol).noquote() << "protocol_error:" << reason;
    send(QStringLiteral("protocol_error"),
         QJsonObject{{QStringLiteral("reason"), reason},
                     {QStringLiteral("received_type"), receivedType.isString() ? receivedType : QJsonValue()}});
    emit protocolErrorSent(reason);
}

void ProtocolHandler::handleBinaryFrame(const QByteArray &bytes)
{
    reject(QStringLiteral("binary frames are not accepted (got %1 bytes); send UTF-8 JSON text frames")
               .arg(bytes.size()),
           QJsonValue());
}

void ProtocolHandler::handleTextFrame(const QString &text)
{
    // UTF-8 takes 1 to 3 bytes per UTF-16 unit; convert only when it matters.
    if (text.size() * 3 > m_maxFrameBytes) {
        const qint64 bytes = text.toUtf8().size();
        if (bytes > m_maxFrameBytes) {
            reject(QStringLiteral("frame of %1 bytes exceeds the limit of %2 bytes").arg(bytes).arg(m_maxFrameBytes),
                   QJsonValue());
            return;
        }
    }

    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        reject(QStringLiteral("not valid JSON: %1 at offset %2").arg(parseError.errorString()).arg(parseError.offset),
               QJsonValue());
        return;
    }
    if (!doc.isObject()) {
        reject(QStringLiteral("message is not a JSON object"), QJsonValue());
        return;
    }
    const QJsonObject message = doc.object();
    const QJsonValue type = message.value(QStringLiteral("type"));
    if (!type.isString() || type.toString().isEmpty()) {
        reject(QStringLiteral("message has no string 'type'"), QJsonValue());
        return;
    }
    const QJsonValue data = message.value(QStringLiteral("data"));
    if (!data.isUndefined() && !data.isObject()) {
        reject(QStringLiteral("'data' of a %1 message is not an object").arg(type.toString()), type);
        return;
    }

    const auto it = m_handlers.constFind(type.toString());
    if (it == m_handlers.constEnd()) {
        qCInfo(lcProtocol).noquote() << "ignoring message of unknown type" << type.toString();
        return;
    }
    qCDebug(lcProtocol).noquote() << "received" << type.toString();
    (*it)(data.toObject());
}

void ProtocolHandler::send(const QString &type, const QJsonObject &data, Offline offline)
{
    const QString text = QString::fromUtf8(QJsonDocument(envelope(type, data)).toJson(QJsonDocument::Compact));
    if (m_online && m_sender && m_sender(text))
        return;
    if (offline == Offline::Drop || type == u"hello" || type == u"protocol_error")
        return;   // meaningless on a later connection
    keep(text);
}

void ProtocolHandler::keep(const QString &text)
{
    if (m_outbox.size() >= outboxLimit) {
        m_outbox.removeFirst();
        if (m_dropped++ == 0)
            qCWarning(lcProtocol) << "offline outbox full; dropping the oldest messages";
    }
    m_outbox.append(text);
}

void ProtocolHandler::setOnline(bool online)
{
    if (online == m_online)
        return;
    m_online = online;
    if (!online)
        return;
    const QJsonObject hello = m_helloProvider ? m_helloProvider() : QJsonObject();
    send(QStringLiteral("hello"), hello);
    if (!m_outbox.isEmpty())
        qCInfo(lcProtocol) << "sending" << m_outbox.size() << "messages kept while offline";
    QList<QString> kept = std::exchange(m_outbox, {});
    m_dropped = 0;
    for (qsizetype i = 0; i < kept.size(); ++i) {
        if (!m_online || !m_sender || !m_sender(kept.at(i))) {
            // The link dropped again: keep the rest, in order.
            m_outbox = kept.mid(i) + m_outbox;
            return;
        }
    }
    emit cameOnline();
}
