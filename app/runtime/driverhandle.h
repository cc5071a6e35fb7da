// One running driver instance (one device), seen from whoever drives it: the
// device supervision in the controller, or a driver host's server. Every
// call is asynchronous and answered exactly once. Two implementations:
// DriverInstance runs the engine in this process (what a driver host does);
// HostedDriverInstance (app/hosts) forwards to a driver host process, which
// is how the controller runs every device.
#pragma once

#include "runtime/runtimetypes.h"

#include <QJsonObject>
#include <QObject>

#include <functional>

class DriverHandle : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const CallResult &)>;

    explicit DriverHandle(const DriverSpec &spec, QObject *parent = nullptr)
        : QObject(parent), m_spec(spec) {}

    const DriverSpec &spec() const { return m_spec; }

    // Evaluates the module and constructs the driver.
    virtual void load(Callback done) = 0;
    virtual void connectDevice(Callback done) = 0;
    virtual void disconnectDevice(Callback done) = 0;
    virtual void sendCommand(const QString &command, const QJsonObject &params, Callback done) = 0;

    // Tears down within a bounded time, even when the driver is stuck in
    // JavaScript; `stopped()` follows, and calls still waiting are answered.
    virtual void stop() = 0;
    virtual bool isStopped() const = 0;
    // The instance failed for good (watchdog, deadline, its host ended).
    bool isFaulted() const { return m_faulted; }

signals:
    void statusReported(const QString &status, const QString &message);
    void stateChanged(const QJsonObject &state);
    void faulted(const QString &message);
    // A transport dropped (peer closed, I/O error) without the driver closing it.
    void transportDropped(const QString &reason);
    void stopped();

protected:
    void reportFault(const QString &message)
    {
        m_faulted = true;
        emit faulted(message);
    }

    DriverSpec m_spec;
    bool m_faulted = false;
};
