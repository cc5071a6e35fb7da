// The cloud protocol (PROTOCOL.md, "Transport"), apart from any socket:
// checks incoming frames, answers bad ones with protocol_error, dispatches
// good ones by `type`, wraps outgoing messages in the envelope, says `hello`
// first on every connect and keeps what is sent while offline for later.
#pragma once

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
    void setSender(Sender sender) { m_sender = std::move(sender); }

    // Incoming frames from the link.
    void handleTextFrame(const QString &text);
    void handleBinaryFrame(const QByteArray &bytes);

    // What to do with a message sent while offline.
    enum class Offline { Keep, Drop };

    // Sends (or, while offline, keeps or drops) a message built by
    // Messages. The envelope's timestamp is set here.
    void send(const Message &message, Offline offline = Offline::Keep);
    void send(const QString &type, const QJsonObject &data, Offline offline = Offline::Keep)
    {
        send(Message{type, data}, offline);
    }

    // The link went up (hello, then what was kept) or down.
    void setOnline(bool online);
    bool isOnline() const { return m_online; }
    // A fresh hello now (safe mode or quarantine changed); only while online:
    // the next connection starts with one anyway.
    void sendHello();

    // Answers a message that breaks a rule: logged, and sent as protocol_error.
    void reject(const QString &reason, const QJsonValue &receivedType);

    qsizetype pendingCount() const { return m_outbox.size(); }
    static constexpr qsizetype outboxLimit = 1000;

signals:
    // After hello and the kept messages went out on a new connection.
    void cameOnline();

private:
    void keep(const QString &text);

    qint64 m_maxFrameBytes;
    bool m_online = false;
    QHash<QString, Handler> m_handlers;
    HelloProvider m_helloProvider;
    Sender m_sender;
    QList<QString> m_outbox;
    qsizetype m_dropped = 0;
};
