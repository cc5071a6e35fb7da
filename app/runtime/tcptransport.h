// TCP over QTcpSocket: config {host, port, connectTimeout (ms, default 5000)}.
#pragma once

#include "runtime/nativetransport.h"

#include <QTcpSocket>
#include <QTimer>

struct TcpSettings
{
    NetworkEndpoint endpoint;
    int connectTimeoutMs = 5000;   // a missing, zero or negative connectTimeout keeps this

    // Reads the settings from a driver config; returns an error line or empty.
    static QString fromConfig(const QVariantMap &config, TcpSettings *out);
};

class TcpTransport : public NativeTransport
{
    Q_OBJECT

public:
    TcpTransport(JsCaller *caller, const TcpSettings &settings, QObject *parent = nullptr);

protected:
    void doOpen() override;
    qint64 doWrite(const QByteArray &bytes) override;
    bool doIsOpen() const override;
    void doClose() override;
    void doAbort() override;

private:
    QTcpSocket m_socket;
    QTimer m_connectDeadline;
    TcpSettings m_settings;
};
