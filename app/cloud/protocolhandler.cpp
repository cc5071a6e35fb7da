#include "cloud/protocolhandler.h"

#include "core/logcategories.h"
#include "core/logtext.h"
#include "protocol/deliveryrequests.h"
#include "protocol/envelope.h"

#include <QJsonDocument>

#include <utility>

ProtocolHandler::ProtocolHandler(qint64 maxFrameBytes, QObject *parent)
    : QObject(parent), m_maxFrameBytes(maxFrameBytes)
{
    registerHandler(WelcomeRequest::type(), [this](const QJsonObject &data) {
        const Parsed<WelcomeRequest> welcome = WelcomeRequest::parse(data);
        if (!welcome.ok())
            return reject(WelcomeRequest::type() + QStringLiteral(": ") + welcome.error, WelcomeRequest::type());
        qCInfo(lcProtocol) << "welcome: acks" << welcome.value.acks << "last_seq" << welcome.value.lastSeq;
        m_reports.welcome(welcome.value);
    });
    registerHandler(AckRequest::type(), [this](const QJsonObject &data) {
        const Parsed<AckRequest> ack = AckRequest::parse(data);
        if (!ack.ok())
            return reject(AckRequest::type() + QStringLiteral(": ") + ack.error, AckRequest::type());
        m_reports.ack(ack.value.seq);
    });
}

void ProtocolHandler::setSender(Sender sender)
{
    m_sender = sender;
    m_reports.setSender(std::move(sender));
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

void ProtocolHandler::send(const Message &message)
{
    if (Reports::isReport(message.type)) {
        m_reports.enqueue(message);
        return;
    }
    if (!m_online || !m_sender)
        return;
    m_reports.flushReports();   // the reports made before it are numbered (and, unless catching up, sent) first
    m_sender(QString::fromUtf8(QJsonDocument(Messages::envelope(message)).toJson(QJsonDocument::Compact)));
}

void ProtocolHandler::sendHello()
{
    if (m_online)
        send(m_helloProvider ? m_helloProvider() : Messages::hello({}));
}

void ProtocolHandler::setOnline(bool online)
{
    if (online == m_online)
        return;
    m_online = online;
    if (!online) {
        m_reports.disconnected();
        return;
    }
    if (m_sender)
        m_sender(QString::fromUtf8(QJsonDocument(Messages::envelope(m_helloProvider ? m_helloProvider() : Messages::hello({})))
                                      .toJson(QJsonDocument::Compact)));
    m_reports.connected();
}
