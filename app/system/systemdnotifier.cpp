#include "system/systemdnotifier.h"

#include "core/logcategories.h"

#include <systemd/sd-daemon.h>

SystemdNotifier::SystemdNotifier(QObject *parent)
    : QObject(parent)
{
    connect(&m_timer, &QTimer::timeout, this, [this] { notify("WATCHDOG=1"); });
}

void SystemdNotifier::notify(const QByteArray &state)
{
    const int r = sd_notify(0, state.constData());
    if (r < 0)
        qCWarning(lcConfig) << "sd_notify failed:" << r;
}

void SystemdNotifier::ready(const QString &text)
{
    QByteArray state = "READY=1";
    if (!text.isEmpty())
        state += "\nSTATUS=" + text.toUtf8();
    notify(state);
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        const int intervalMs = int(std::max<uint64_t>(usec / 2000, 1));
        m_timer.start(intervalMs);
        qCInfo(lcConfig) << "systemd watchdog: pinging every" << intervalMs << "ms";
        notify("WATCHDOG=1");
    }
}

void SystemdNotifier::status(const QString &text)
{
    notify("STATUS=" + text.toUtf8());
}

void SystemdNotifier::stopping()
{
    m_timer.stop();
    notify("STOPPING=1");
}
