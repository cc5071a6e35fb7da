// The technician keypad's lockout: after 5 wrong PINs in a row the keypad is
// locked for 30 s, doubling with each further failure (at most 32 min). The
// running lock is measured on the monotonic clock, so setting the wall clock
// forward does not shorten it. Failures and the lock are written to a file
// (var/pin-lockout.json, 0600) on every change, so a restart neither clears
// the count nor the lock: after a restart the lock runs for the remaining
// time that was written last (time spent down does not count against it).
#pragma once

#include <QDeadlineTimer>
#include <QString>

class PinLockout
{
public:
    // Reads the state from `path` (absent or unreadable: no failures).
    explicit PinLockout(const QString &path);

    bool locked() const { return !m_lock.hasExpired(); }
    qint64 remainingMs() const { return locked() ? m_lock.remainingTime() : 0; }
    int failures() const { return m_failures; }

    // Both persist the new state; an error line when it could not be written.
    QString recordFailure();
    QString recordSuccess();

    static constexpr int freeFailures = 4;           // the 5th in a row locks
    static constexpr qint64 maxLockMs = 30000LL << 6;

private:
    QString save() const;

    QString m_path;
    int m_failures = 0;
    QDeadlineTimer m_lock;   // expired: not locked
};
