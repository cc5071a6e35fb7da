// The host's face inside a driver engine (handed to host.js, never on the
// global object): logging,
// timers, state and status, transports, and the settling of calls.
// Inert when it has no delegate (validation engines).
#pragma once

#include <QJSValue>
#include <QObject>
#include <QString>

class HostDelegate
{
public:
    virtual ~HostDelegate() = default;
    virtual void hostLog(int level, const QString &text) = 0;
    virtual void hostStartTimer(int id, int ms, bool repeat) = 0;
    virtual void hostStopTimer(int id) = 0;
    virtual void hostSetState(const QJSValue &state) = 0;
    virtual void hostSetStatus(const QString &status, const QString &message) = 0;
    virtual QJSValue hostCreateTransport(const QString &protocol, const QJSValue &config) = 0;
    // `thrown`: the method threw synchronously (no Promise was returned).
    virtual void hostSettle(int id, bool ok, const QJSValue &value, bool thrown) = 0;
    virtual void hostEnterReaction() = 0;
    virtual void hostLeaveReaction() = 0;
};

class HostBridge : public QObject
{
    Q_OBJECT

public:
    explicit HostBridge(HostDelegate *delegate, QObject *parent = nullptr)
        : QObject(parent), m_delegate(delegate) {}

    Q_INVOKABLE void log(int level, const QString &text);
    Q_INVOKABLE void startTimer(int id, int ms, bool repeat);
    Q_INVOKABLE void stopTimer(int id);
    Q_INVOKABLE void setState(const QJSValue &state);
    Q_INVOKABLE void setStatus(const QString &status, const QString &message);
    Q_INVOKABLE QJSValue createTransport(const QString &protocol, const QJSValue &config);
    Q_INVOKABLE void settle(int id, bool ok, const QJSValue &value, bool thrown);
    Q_INVOKABLE void enterReaction() { if (m_delegate) m_delegate->hostEnterReaction(); }
    Q_INVOKABLE void leaveReaction() { if (m_delegate) m_delegate->hostLeaveReaction(); }

private:
    HostDelegate *m_delegate;
};
