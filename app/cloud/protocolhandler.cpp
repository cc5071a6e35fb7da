#include "cloud/protocolhandler.h"

#include "core/logcategories.h"
#include "core/logtext.h"
#include "protocol/envelope.h"

#include <QJsonDocument>

#include <utility>

ProtocolHandler::ProtocolHandler(qint64 maxFrameBytes, QObject *parent)
    : QObject(parent), m_maxFrameBytes(maxFrameBytes)
{
}

void ProtocolHandler::registerHandler(const QString &type, Handler handler)
{
    m_handlers.insert(type, std::move(handler));
}

void ProtocolHandler::reject(const QString &reason, const QJsonValue &receivedType)
{
    qCWarning(lcProtocol).noquote() << "protocol_error:" << LogText::escaped(reason);
    send(Messages::protocolError(reason, receivedType));
}

void ProtocolHandler::handleBinaryFrame(const QByteArray &bytes)
{
    reject(QStringLiteral("binary frames are not accepted (got %1 bytes); send UTF-8 JSON text frames")
               .arg(bytes.size()),
           QJsonValue());
}

void ProtocolHandler::handleTextFrame(const QString &text)
{
    const Parsed<Envelope> envelope = Envelope::parse(text, m_maxFrameBytes);
    if (!envelope.ok()) {
        reject(envelope.error, envelope.value.type.isEmpty() ? QJsonValue() : QJsonValue(envelope.value.type));
        return;
    }
    const QString &type = envelope.value.type;
    const auto it = m_handlers.constFind(type);
    if (it == m_handlers.constEnd()) {
        qCInfo(lcProtocol).noquote() << "ignoring message of unknown type" << LogText::escaped(type);
        return;
    }
    qCDebug(lcProtocol).noquote() << "received" << LogText::escaped(type);
    (*it)(envelope.value.data);
}

void ProtocolHandler::send(const Message &message, Offline offline)
{
    const QString text = QString::fromUtf8(QJsonDocument(Messages::envelope(message)).toJson(QJsonDocument::Compact));
    if (m_online && m_sender && m_sender(text))
        return;
    if (offline == Offline::Drop || message.type == u"hello" || message.type == u"protocol_error")
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

void ProtocolHandler::sendHello()
{
    if (m_online)
        send(m_helloProvider ? m_helloProvider() : Messages::hello({}), Offline::Drop);
}

void ProtocolHandler::setOnline(bool online)
{
    if (online == m_online)
        return;
    m_online = online;
    if (!online)
        return;
    send(m_helloProvider ? m_helloProvider() : Messages::hello({}));
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
