// UDP over QUdpSocket: config {host, port, localPort (optional)}. Datagrams
// go to host:port; replies from that peer arrive as data.
#pragma once

#include "runtime/nativetransport.h"

#include <QHostAddress>
#include <QUdpSocket>

struct UdpSettings
{
    NetworkEndpoint endpoint;
    quint16 localPort = 0;   // 0: any free port; a config value outside 0..65535 is clamped

    // Reads the settings from a driver config; returns an error line or empty.
    static QString fromConfig(const QVariantMap &config, UdpSettings *out);
};

class UdpTransport : public NativeTransport
{
    Q_OBJECT

public:
    UdpTransport(JsCaller *caller, const UdpSettings &settings, QObject *parent = nullptr);

protected:
    void doOpen() override;
    qint64 doWrite(const QByteArray &bytes) override;
    bool doIsOpen() const override;
    void doClose() override;
    void doAbort() override;

private:
    QUdpSocket m_socket;
    UdpSettings m_settings;
};
