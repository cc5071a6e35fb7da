// Safe mode: the last resort when the controller process itself crashed
// several times in a short window (driver hosts do not count: their
// failures quarantine a driver type instead). It starts with driver
// instances stopped until the cloud (safe_mode_clear), a technician, or 15
// minutes without a crash end it. The count is kept on disk
// (var/run-state.json): a run that did not end cleanly counts as a crash at
// the next start — unless the machine itself went down in between (another
// boot id: a power cut or a reboot is not a crash of ours).
#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

class SafeMode
{
public:
    // `bootId` identifies this boot of the machine (empty: read it from
    // /proc/sys/kernel/random/boot_id).
    SafeMode(const QString &stateFile, int crashLimit = 3, int windowSeconds = 600, const QString &bootId = {});

    // At start: counts the previous run if it did not end cleanly, marks
    // this run as running, and decides. Returns an error line or empty.
    QString begin(const QDateTime &now = QDateTime::currentDateTimeUtc());
    // At a clean shutdown.
    void endCleanly();
    // The technician re-enabled the drivers: crashes are forgotten.
    void clear();

    bool active() const { return m_active; }
    int recentCrashes() const { return int(m_crashes.size()); }
    int crashLimit() const { return m_limit; }
    int windowSeconds() const { return m_window; }
    // Why it is on, for people and hello.safe_mode.reason; empty when off.
    QString reason() const;

    static QString currentBootId();

private:
    QString save(bool running) const;

    QString m_file;
    QString m_bootId;
    int m_limit;
    int m_window;
    QList<QDateTime> m_crashes;
    bool m_active = false;
};
