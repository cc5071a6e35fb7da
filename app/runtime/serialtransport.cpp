#include "runtime/serialtransport.h"

QString SerialSettings::pathFromConfig(const QVariantMap &config)
{
    return config.value(QStringLiteral("path"), config.value(QStringLiteral("port"))).toString();
}

QString SerialSettings::fromConfig(const QVariantMap &config, SerialSettings *out)
{
    SerialSettings s;
    s.path = pathFromConfig(config);
    if (s.path.isEmpty())
        return QStringLiteral("serial transport needs config.path (or config.port)");
    if (config.contains(QStringLiteral("baudRate"))) {
        bool ok = false;
        s.baudRate = config.value(QStringLiteral("baudRate")).toInt(&ok);
        if (!ok || s.baudRate <= 0)
            return QStringLiteral("serial baudRate must be a positive number");
    }
    if (config.contains(QStringLiteral("dataBits"))) {
        const int bits = config.value(QStringLiteral("dataBits")).toInt();
        if (bits < 5 || bits > 8)
            return QStringLiteral("serial dataBits must be 5, 6, 7 or 8");
        s.dataBits = QSerialPort::DataBits(bits);
    }
    const QString parity = config.value(QStringLiteral("parity"), QStringLiteral("none")).toString().toLower();
    if (parity == u"none")
        s.parity = QSerialPort::NoParity;
    else if (parity == u"even")
        s.parity = QSerialPort::EvenParity;
    else if (parity == u"odd")
        s.parity = QSerialPort::OddParity;
    else if (parity == u"space")
        s.parity = QSerialPort::SpaceParity;
    else if (parity == u"mark")
        s.parity = QSerialPort::MarkParity;
    else
        return QStringLiteral("serial parity must be none, even, odd, space or mark");
    const QString stop = config.value(QStringLiteral("stopBits"), 1).toString();
    if (stop == u"1")
        s.stopBits = QSerialPort::OneStop;
    else if (stop == u"1.5")
        s.stopBits = QSerialPort::OneAndHalfStop;
    else if (stop == u"2")
        s.stopBits = QSerialPort::TwoStop;
    else
        return QStringLiteral("serial stopBits must be 1, 1.5 or 2");
    const QString flow = config.value(QStringLiteral("flowControl"), QStringLiteral("none")).toString().toLower();
    if (flow == u"none")
        s.flowControl = QSerialPort::NoFlowControl;
    else if (flow == u"hardware" || flow == u"rtscts")
        s.flowControl = QSerialPort::HardwareControl;
    else if (flow == u"software" || flow == u"xonxoff")
        s.flowControl = QSerialPort::SoftwareControl;
    else
        return QStringLiteral("serial flowControl must be none, hardware or software");
    *out = s;
    return {};
}

SerialTransport::SerialTransport(JsCaller *caller, const SerialSettings &settings, QObject *parent)
    : NativeTransport(caller, QStringLiteral("serial %1").arg(settings.path), parent), m_settings(settings)
{
    connect(&m_port, &QSerialPort::readyRead, this, [this] { received(m_port.readAll()); });
    connect(&m_port, &QSerialPort::errorOccurred, this, [this](QSerialPort::SerialPortError error) {
        if (error == QSerialPort::NoError || !m_port.isOpen())
            return;
        const QString text = m_port.errorString();
        if (error == QSerialPort::ResourceError) {
            // The device went away (unplugged, pty closed).
            m_port.close();
            failed(text);
            closed();
            return;
        }
        failed(text);
    });
}

void SerialTransport::doOpen()
{
    m_port.setPortName(m_settings.path);
    if (!m_port.open(QIODevice::ReadWrite)) {
        failed(QStringLiteral("cannot open: %1").arg(m_port.errorString()));
        return;
    }
    const bool configured = m_port.setBaudRate(m_settings.baudRate) && m_port.setDataBits(m_settings.dataBits)
        && m_port.setParity(m_settings.parity) && m_port.setStopBits(m_settings.stopBits)
        && m_port.setFlowControl(m_settings.flowControl);
    if (!configured) {
        const QString error = m_port.errorString();
        m_port.close();
        failed(QStringLiteral("cannot configure: %1").arg(error));
        return;
    }
    opened();
}

qint64 SerialTransport::doWrite(const QByteArray &bytes)
{
    return m_port.write(bytes);
}

bool SerialTransport::doIsOpen() const
{
    return m_port.isOpen();
}

void SerialTransport::doClose()
{
    m_port.flush();
    m_port.close();
}

void SerialTransport::doAbort()
{
    m_port.disconnect(this);
    if (m_port.isOpen()) {
        m_port.clear();
        m_port.close();
    }
}
