// Safe mode: when the app crashed several times in a short window, it
// starts with driver instances stopped until a technician re-enables them.
// The count is kept on disk (var/run-state.json): a run that did not end
// cleanly counts as a crash at the next start.
#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

class SafeMode
{
public:
    SafeMode(const QString &stateFile, int crashLimit = 3, int windowSeconds = 600);

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

private:
    QString save(bool running) const;

    QString m_file;
    int m_limit;
    int m_window;
    QList<QDateTime> m_crashes;
    bool m_active = false;
};
