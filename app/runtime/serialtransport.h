// Serial over QSerialPort: config {path (or port), baudRate (9600),
// dataBits (8), parity ('none'), stopBits (1), flowControl ('none')}.
#pragma once

#include "runtime/nativetransport.h"

#include <QSerialPort>
#include <QVariantMap>

struct SerialSettings
{
    QString path;
    qint32 baudRate = 9600;
    QSerialPort::DataBits dataBits = QSerialPort::Data8;
    QSerialPort::Parity parity = QSerialPort::NoParity;
    QSerialPort::StopBits stopBits = QSerialPort::OneStop;
    QSerialPort::FlowControl flowControl = QSerialPort::NoFlowControl;

    // Reads the settings from a driver config; returns an error line or empty.
    static QString fromConfig(const QVariantMap &config, SerialSettings *out);
    // config.path, else config.port (a serial device's "port" is a path).
    static QString pathFromConfig(const QVariantMap &config);
};

class SerialTransport : public NativeTransport
{
    Q_OBJECT

public:
    SerialTransport(JsCaller *caller, const SerialSettings &settings, QObject *parent = nullptr);

protected:
    void doOpen() override;
    qint64 doWrite(const QByteArray &bytes) override;
    bool doIsOpen() const override;
    void doClose() override;
    void doAbort() override;

private:
    SerialSettings m_settings;
    QSerialPort m_port;
};
