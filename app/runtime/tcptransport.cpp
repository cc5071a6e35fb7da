#include "runtime/tcptransport.h"

QString TcpSettings::fromConfig(const QVariantMap &config, TcpSettings *out)
{
    TcpSettings s;
    const QString error = NetworkEndpoint::fromConfig(QStringLiteral("tcp"), config, &s.endpoint);
    if (!error.isEmpty())
        return error;
    const int connectTimeout = config.value(QStringLiteral("connectTimeout"), s.connectTimeoutMs).toInt();
    if (connectTimeout > 0)
        s.connectTimeoutMs = connectTimeout;
    *out = s;
    return {};
}

TcpTransport::TcpTransport(JsCaller *caller, const TcpSettings &settings, QObject *parent)
    : NativeTransport(caller, QStringLiteral("tcp %1:%2").arg(settings.endpoint.host).arg(settings.endpoint.port),
                      parent)
    , m_settings(settings)
{
    m_connectDeadline.setSingleShot(true);
    m_connectDeadline.setInterval(settings.connectTimeoutMs);
    connect(&m_connectDeadline, &QTimer::timeout, this, [this] {
        m_socket.abort();
        failed(QStringLiteral("connect timed out after %1 ms").arg(m_settings.connectTimeoutMs));
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
    m_socket.connectToHost(m_settings.endpoint.host, m_settings.endpoint.port);
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
