// UDP over QUdpSocket: config {host, port, localPort (optional)}. Datagrams
// go to host:port; replies from that peer arrive as data.
#pragma once

#include "nativetransport.h"

#include <QHostAddress>
#include <QUdpSocket>

class UdpTransport : public NativeTransport
{
    Q_OBJECT

public:
    UdpTransport(JsCaller *caller, const QString &host, quint16 port, quint16 localPort, QObject *parent = nullptr);

protected:
    void doOpen() override;
    qint64 doWrite(const QByteArray &bytes) override;
    bool doIsOpen() const override;
    void doClose() override;
    void doAbort() override;

private:
    QUdpSocket m_socket;
    QString m_host;
    quint16 m_port;
    quint16 m_localPort;
};
