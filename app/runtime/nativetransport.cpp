#include "runtime/nativetransport.h"

#include "runtime/jscaller.h"
#include "core/logcategories.h"
#include "runtime/serialtransport.h"
#include "runtime/tcptransport.h"
#include "runtime/udptransport.h"

#include <QJSEngine>

QString NetworkEndpoint::fromConfig(const QString &protocol, const QVariantMap &config, NetworkEndpoint *out)
{
    const QString host = config.value(QStringLiteral("host")).toString();
    bool ok = false;
    const int port = config.value(QStringLiteral("port")).toInt(&ok);
    if (host.isEmpty())
        return QStringLiteral("%1 transport needs config.host").arg(protocol);
    if (!ok || port < 1 || port > 65535)
        return QStringLiteral("%1 transport needs config.port from 1 to 65535").arg(protocol);
    out->host = host;
    out->port = quint16(port);
    return {};
}

DeviceEndpoint DeviceEndpoint::ofDevice(const QString &protocol, const QVariantMap &config)
{
    DeviceEndpoint endpoint;
    if (protocol == u"tcp" || protocol == u"udp")
        endpoint.host = config.value(QStringLiteral("host")).toString();
    else if (protocol == u"serial")
        endpoint.path = SerialSettings::pathFromConfig(config);
    return endpoint;
}

namespace {

// Empty when `target` is the device's own `allowed` host or path (an empty
// one, a device without that kind of endpoint, allows nothing).
QString refusal(const QString &target, const QString &allowed)
{
    if (!allowed.isEmpty() && target == allowed)
        return {};
    return QStringLiteral("transport refused: %1 is not this device's endpoint").arg(target);
}

} // namespace

NativeTransport *NativeTransport::create(const QString &protocol, const QVariantMap &config,
                                         const DeviceEndpoint &allowed, JsCaller *caller, QObject *parent,
                                         QString *error)
{
    if (protocol == u"tcp") {
        TcpSettings settings;
        *error = TcpSettings::fromConfig(config, &settings);
        if (error->isEmpty())
            *error = refusal(settings.endpoint.host, allowed.host);
        return error->isEmpty() ? new TcpTransport(caller, settings, parent) : nullptr;
    }
    if (protocol == u"udp") {
        UdpSettings settings;
        *error = UdpSettings::fromConfig(config, &settings);
        if (error->isEmpty())
            *error = refusal(settings.endpoint.host, allowed.host);
        return error->isEmpty() ? new UdpTransport(caller, settings, parent) : nullptr;
    }
    if (protocol == u"serial") {
        SerialSettings settings;
        *error = SerialSettings::fromConfig(config, &settings);
        if (error->isEmpty())
            *error = refusal(settings.path, allowed.path);
        return error->isEmpty() ? new SerialTransport(caller, settings, parent) : nullptr;
    }
    *error = QStringLiteral("unknown protocol '%1' (tcp, udp or serial)").arg(protocol);
    return nullptr;
}

NativeTransport::NativeTransport(JsCaller *caller, const QString &description, QObject *parent)
    : QObject(parent), m_caller(caller), m_description(description)
{
}

NativeTransport::~NativeTransport() = default;

void NativeTransport::open()
{
    doOpen();
}

void NativeTransport::opened()
{
    m_open = true;
    if (m_openHandler.isCallable()) {
        QJSValue handler = std::exchange(m_openHandler, QJSValue());
        m_caller->callJs(QStringLiteral("opening the %1 transport").arg(m_description), handler, {QJSValue()});
    }
}

void NativeTransport::openFailed(const QString &error)
{
    m_open = false;
    if (m_openHandler.isCallable()) {
        QJSValue handler = std::exchange(m_openHandler, QJSValue());
        m_caller->callJs(QStringLiteral("opening the %1 transport").arg(m_description), handler,
                         {QJSValue(QStringLiteral("%1: %2").arg(m_description, error))});
    }
}

QByteArray NativeTransport::encode(const QString &text, const QString &encoding)
{
    if (encoding == u"latin1" || encoding == u"binary" || encoding == u"ascii")
        return text.toLatin1();
    if (encoding == u"hex")
        return QByteArray::fromHex(text.toLatin1());
    if (encoding == u"base64")
        return QByteArray::fromBase64(text.toLatin1());
    return text.toUtf8();
}

QString NativeTransport::write(const QJSValue &data)
{
    if (!isOpen())
        return QStringLiteral("%1 is not open").arg(m_description);
    QByteArray bytes;
    if (data.isString()) {
        bytes = encode(data.toString(), m_encoding);
    } else {
        const QVariant v = data.toVariant();
        if (v.typeId() != QMetaType::QByteArray)
            return QStringLiteral("write expects a string or bytes");
        bytes = v.toByteArray();
    }
    if (bytes.isEmpty())
        return {};
    const qint64 n = doWrite(bytes);
    if (n != bytes.size())
        return QStringLiteral("%1: write failed").arg(m_description);
    return {};
}

void NativeTransport::setEncoding(const QString &encoding)
{
    m_encoding = encoding;
    if (encoding == u"utf8" || encoding == u"utf-8")
        m_decoder = QStringDecoder(QStringDecoder::Utf8);
}

void NativeTransport::received(const QByteArray &bytes)
{
    if (m_tornDown || bytes.isEmpty())
        return;
    QJSEngine *engine = m_caller->jsEngine();
    QJSValue payload;
    if (m_encoding.isEmpty()) {
        payload = engine->toScriptValue(bytes);   // ArrayBuffer
    } else if (m_encoding == u"utf8" || m_encoding == u"utf-8") {
        payload = QJSValue(QString(m_decoder.decode(bytes)));
    } else if (m_encoding == u"hex") {
        payload = QJSValue(QString::fromLatin1(bytes.toHex()));
    } else if (m_encoding == u"base64") {
        payload = QJSValue(QString::fromLatin1(bytes.toBase64()));
    } else if (m_encoding == u"ascii") {
        QByteArray seven = bytes;
        for (char &c : seven)
            c = char(c & 0x7f);
        payload = QJSValue(QString::fromLatin1(seven));
    } else {
        payload = QJSValue(QString::fromLatin1(bytes));
    }
    deliver(QStringLiteral("data"), payload);
}

void NativeTransport::failed(const QString &error, bool lost)
{
    if (m_tornDown)
        return;
    if (!m_open) {
        openFailed(error);
        return;
    }
    const QString text = QStringLiteral("%1: %2").arg(m_description, error);
    deliver(QStringLiteral("error"), QJSValue(text));
    if (lost && !m_lossReported) {
        m_lossReported = true;
        m_caller->transportLost(text);
    }
}

void NativeTransport::closed()
{
    if (m_tornDown || !m_open)
        return;
    m_open = false;
    deliver(QStringLiteral("close"), QJSValue());
    if (!m_closing && !m_lossReported) {
        m_lossReported = true;
        m_caller->transportLost(QStringLiteral("%1: connection closed by the peer").arg(m_description));
    }
}

void NativeTransport::close()
{
    if (!m_open)
        return;
    m_closing = true;   // the driver's own close: not a loss
    doClose();
    closed();
}

void NativeTransport::closeNow()
{
    m_tornDown = true;
    m_open = false;
    m_listener = QJSValue();
    m_openHandler = QJSValue();
    doAbort();
}

void NativeTransport::deliver(const QString &event, const QJSValue &payload)
{
    if (!m_listener.isCallable())
        return;
    m_caller->callJs(QStringLiteral("the transport's %1 event handler").arg(event), m_listener,
                     {QJSValue(event), payload});
}
