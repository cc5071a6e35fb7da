#include "tcptransport.h"

TcpTransport::TcpTransport(JsCaller *caller, const QString &host, quint16 port, int connectTimeoutMs, QObject *parent)
    : NativeTransport(caller, QStringLiteral("tcp %1:%2").arg(host).arg(port), parent), m_host(host), m_port(port)
{
    m_connectDeadline.setSingleShot(true);
    m_connectDeadline.setInterval(connectTimeoutMs);
    connect(&m_connectDeadline, &QTimer::timeout, this, [this, connectTimeoutMs] {
        m_socket.abort();
        failed(QStringLiteral("connect timed out after %1 ms").arg(connectTimeoutMs));
    });
    connect(&m_socket, &QTcpSocket::connected, this, [this] {
        m_connectDeadline.stop();
        m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
        opened();
    });
    connect(&m_socket, &QTcpSocket::readyRead, this, [this] { received(m_socket.readAll()); });
    connect(&m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        m_connectDeadline.stop();
        if (error == QAbstractSocket::RemoteHostClosedError)
            return;   // disconnected() follows
        failed(m_socket.errorString());
    });
    connect(&m_socket, &QTcpSocket::disconnected, this, [this] { closed(); });
}

void TcpTransport::doOpen()
{
    m_connectDeadline.start();
    m_socket.connectToHost(m_host, m_port);
}

qint64 TcpTransport::doWrite(const QByteArray &bytes)
{
    return m_socket.write(bytes);
}

bool TcpTransport::doIsOpen() const
{
    return m_socket.state() == QAbstractSocket::ConnectedState;
}

void TcpTransport::doClose()
{
    m_connectDeadline.stop();
    m_socket.disconnectFromHost();
}

void TcpTransport::doAbort()
{
    m_connectDeadline.stop();
    m_socket.disconnect(this);
    m_socket.abort();
}
