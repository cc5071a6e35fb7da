// The cloud protocol (PROTOCOL.md, "Transport"), apart from any socket:
// checks incoming frames, answers bad ones with protocol_error, dispatches
// good ones by `type`, wraps outgoing messages in the envelope, says `hello`
// first on every connect. Reports (Reports::isReport) go through
// ReportDelivery: numbered, kept in the database, resent until the cloud has
// them; other messages are sent while online and dropped while offline.
#pragma once

#include "cloud/reportdelivery.h"
#include "protocol/messages.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>

class ProtocolHandler : public QObject
{
    Q_OBJECT

public:
    using Handler = std::function<void(const QJsonObject &data)>;
    using HelloProvider = std::function<Message()>;
    // Puts one text frame on the wire; false when it could not.
    using Sender = std::function<bool(const QString &text)>;

    explicit ProtocolHandler(qint64 maxFrameBytes, QObject *parent = nullptr);

    void registerHandler(const QString &type, Handler handler);
    void setHelloProvider(HelloProvider provider) { m_helloProvider = std::move(provider); }
    void setSender(Sender sender);

    // Incoming frames from the link.
    void handleTextFrame(const QString &text);
    void handleBinaryFrame(const QByteArray &bytes);

    // Sends a message built by Messages: a report through the outbox
    // (numbered, kept until delivered), anything else now or, while
    // offline, not at all (it means nothing on a later connection). The
    // envelope's timestamp is set here.
    void send(const Message &message);
    void send(const QString &type, const QJsonObject &data) { send(Message{type, data}); }

    // Where reports are kept (not owned; the Controller attaches it once
    // the database is open).
    void setReportOutbox(ReportOutbox *outbox) { m_reports.setOutbox(outbox); }
    ReportDelivery *reports() { return &m_reports; }

    // The link went up (hello, then the held reports) or down.
    void setOnline(bool online);
    bool isOnline() const { return m_online; }
    // A fresh hello now (safe mode or quarantine changed); only while online:
    // the next connection starts with one anyway.
    void sendHello();

    // Answers a message that breaks a rule: logged, and sent as protocol_error.
    void reject(const QString &reason, const QJsonValue &receivedType);

private:
    qint64 m_maxFrameBytes;
    bool m_online = false;
    QHash<QString, Handler> m_handlers;
    HelloProvider m_helloProvider;
    Sender m_sender;
    ReportDelivery m_reports;
};
