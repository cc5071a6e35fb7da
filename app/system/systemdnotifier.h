// Tells systemd the service is ready and pets its watchdog from the main
// thread (sd_notify, libsystemd), so a frozen event loop or UI gets the
// service restarted. Does nothing when not started by systemd (no
// NOTIFY_SOCKET).
#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

class SystemdNotifier : public QObject
{
    Q_OBJECT

public:
    explicit SystemdNotifier(QObject *parent = nullptr);

    // READY=1 and, when systemd asked for a watchdog (WATCHDOG_USEC), pings
    // at half its interval from this (the main) thread's event loop.
    void ready(const QString &status = {});
    void status(const QString &text);
    void stopping();

    bool watchdogEnabled() const { return m_timer.isActive(); }
    int watchdogIntervalMs() const { return m_timer.interval(); }

private:
    void notify(const QByteArray &state);

    QTimer m_timer;
};
