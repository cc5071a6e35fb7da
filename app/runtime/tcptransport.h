// TCP over QTcpSocket: config {host, port, connectTimeout (ms, default 5000)}.
#pragma once

#include "nativetransport.h"

#include <QTcpSocket>
#include <QTimer>

class TcpTransport : public NativeTransport
{
    Q_OBJECT

public:
    TcpTransport(JsCaller *caller, const QString &host, quint16 port, int connectTimeoutMs, QObject *parent = nullptr);

protected:
    void doOpen() override;
    qint64 doWrite(const QByteArray &bytes) override;
    bool doIsOpen() const override;
    void doClose() override;
    void doAbort() override;

private:
    QTcpSocket m_socket;
    QTimer m_connectDeadline;
    QString m_host;
    quint16 m_port;
};
