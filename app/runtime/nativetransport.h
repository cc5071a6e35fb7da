// A transport's C++ side, owned by the driver host and handed to JavaScript
// (resources/js/host.js wraps it in the DRIVER_API.md Transport). Bytes in,
// bytes out, events to one JS listener; every call into JS goes through the
// host so that it runs under the watchdog.
#pragma once

#include <QByteArray>
#include <QJSValue>
#include <QObject>
#include <QString>
#include <QStringDecoder>
#include <QVariantMap>

class JsCaller;

// host and port of a network transport (tcp, udp), as a driver's config
// gives them. The unit a device's own endpoint can be compared by.
struct NetworkEndpoint
{
    QString host;
    quint16 port = 0;

    // Reads config.host and config.port; returns an error line or empty.
    static QString fromConfig(const QString &protocol, const QVariantMap &config, NetworkEndpoint *out);
};

// The one endpoint a device's transports may reach (DRIVER_API.md
// "Transports reach only their own device"): for a tcp or udp device the
// host of its merged connection config, any port on it; for a serial device
// its path. Read once from the config the device starts with, so what a
// driver does to this.config afterwards cannot widen it. Hosts and paths
// compare as configured, character for character: "localhost" and
// "127.0.0.1" are two endpoints, and a driver uses the one its device names.
struct DeviceEndpoint
{
    QString host;   // tcp and udp devices
    QString path;   // serial devices

    static DeviceEndpoint ofDevice(const QString &protocol, const QVariantMap &config);
};

class NativeTransport : public QObject
{
    Q_OBJECT

public:
    NativeTransport(JsCaller *caller, const QString &description, QObject *parent = nullptr);
    ~NativeTransport() override;

    // The transport a driver asks for with createTransport(protocol, config):
    // tcp, udp or serial, its settings read by TcpSettings, UdpSettings or
    // SerialSettings::fromConfig, its host or path one `allowed` names. Null
    // with `*error` set when refused. A path is compared before anything
    // touches the file system: the refusal says nothing about what exists.
    static NativeTransport *create(const QString &protocol, const QVariantMap &config,
                                   const DeviceEndpoint &allowed, JsCaller *caller, QObject *parent,
                                   QString *error);

    Q_INVOKABLE void setListener(const QJSValue &listener) { m_listener = listener; }
    Q_INVOKABLE void setOpenHandler(const QJSValue &handler) { m_openHandler = handler; }
    Q_INVOKABLE void open();
    // Returns an empty string when the bytes were handed over, else why not.
    Q_INVOKABLE QString write(const QJSValue &data);
    Q_INVOKABLE void setEncoding(const QString &encoding);
    Q_INVOKABLE bool isOpen() const { return m_open && doIsOpen(); }
    Q_INVOKABLE void close();

    // Teardown: closes at once, tells JavaScript nothing.
    void closeNow();

    // Converts between bytes and text in one of the transport encodings.
    static QByteArray encode(const QString &text, const QString &encoding);

protected:
    virtual void doOpen() = 0;              // then opened() or openFailed()
    virtual qint64 doWrite(const QByteArray &bytes) = 0;
    virtual bool doIsOpen() const = 0;
    virtual void doClose() = 0;             // orderly
    virtual void doAbort() = 0;             // immediate, no signals wanted

    void opened();
    void openFailed(const QString &error);
    void received(const QByteArray &bytes);
    // An error; `lost` when the transport can no longer be used (the host's
    // device supervision hears of it), else only the driver is told.
    void failed(const QString &error, bool lost = true);
    void closed();

private:
    void deliver(const QString &event, const QJSValue &payload);

    JsCaller *m_caller;
    QString m_description;
    QJSValue m_listener;
    QJSValue m_openHandler;
    QString m_encoding;
    QStringDecoder m_decoder;
    bool m_open = false;
    bool m_closing = false;
    bool m_tornDown = false;
    bool m_lossReported = false;
};
