#include "runtime/udptransport.h"

#include <QNetworkDatagram>

QString UdpSettings::fromConfig(const QVariantMap &config, UdpSettings *out)
{
    UdpSettings s;
    const QString error = NetworkEndpoint::fromConfig(QStringLiteral("udp"), config, &s.endpoint);
    if (!error.isEmpty())
        return error;
    s.localPort = quint16(qBound(0, config.value(QStringLiteral("localPort"), 0).toInt(), 65535));
    *out = s;
    return {};
}

UdpTransport::UdpTransport(JsCaller *caller, const UdpSettings &settings, QObject *parent)
    : NativeTransport(caller, QStringLiteral("udp %1:%2").arg(settings.endpoint.host).arg(settings.endpoint.port),
                      parent)
    , m_settings(settings)
{
    connect(&m_socket, &QUdpSocket::readyRead, this, [this] {
        while (m_socket.hasPendingDatagrams()) {
            const QNetworkDatagram datagram = m_socket.receiveDatagram();
            received(datagram.data());
        }
    });
    connect(&m_socket, &QUdpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        // A refused datagram (ICMP port unreachable, e.g. while the device
        // reboots) is told to the driver, not treated as a lost transport.
        if (error == QAbstractSocket::ConnectionRefusedError)
            failed(QStringLiteral("datagram refused by the peer"), false);
        else
            failed(m_socket.errorString());
    });
}

void UdpTransport::doOpen()
{
    const QHostAddress address(m_settings.endpoint.host);
    const QHostAddress bindAddress = address.protocol() == QAbstractSocket::IPv6Protocol ? QHostAddress::AnyIPv6
                                                                                          : QHostAddress::AnyIPv4;
    if (!m_socket.bind(bindAddress, m_settings.localPort)) {
        failed(QStringLiteral("cannot bind a local UDP port: %1").arg(m_socket.errorString()));
        return;
    }
    m_socket.connectToHost(m_settings.endpoint.host, m_settings.endpoint.port);
    if (m_socket.state() == QAbstractSocket::UnconnectedState) {
        failed(m_socket.errorString());
        return;
    }
    if (m_socket.state() == QAbstractSocket::ConnectedState) {
        opened();
        return;
    }
    connect(&m_socket, &QUdpSocket::connected, this, [this] { opened(); }, Qt::SingleShotConnection);
}

qint64 UdpTransport::doWrite(const QByteArray &bytes)
{
    return m_socket.write(bytes);
}

bool UdpTransport::doIsOpen() const
{
    return m_socket.state() == QAbstractSocket::ConnectedState;
}

void UdpTransport::doClose()
{
    m_socket.close();
}

void UdpTransport::doAbort()
{
    m_socket.disconnect(this);
    m_socket.abort();
}
