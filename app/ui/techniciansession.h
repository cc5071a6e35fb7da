// The technician session: a right PIN unlocks the technician's actions for
// a while (`technician-session-s`, default 300 s), so that the PIN is not
// asked for every single action. The dashboard shows the time left and a
// "Lock now" button; the keypad's lockout (PinLockout) is counted down here
// too, once a second, so that both countdowns visibly tick. Times run on
// the monotonic clock: setting the wall clock does not extend a session.
#pragma once

#include "ui/pinlockout.h"

#include <QDeadlineTimer>
#include <QObject>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

class TechnicianSession : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The session belongs to the dashboard")

    Q_PROPERTY(bool unlocked READ unlocked NOTIFY unlockedChanged)
    // Whole seconds left of the session (0 when locked).
    Q_PROPERTY(int remainingS READ remainingS NOTIFY tick)
    // Whole seconds left of the keypad's lockout (0 when not locked out).
    Q_PROPERTY(int lockoutS READ lockoutS NOTIFY tick)
    Q_PROPERTY(int durationS READ durationS CONSTANT)

public:
    TechnicianSession(int durationS, const PinLockout *lockout, QObject *parent = nullptr);

    bool unlocked() const { return m_unlocked; }
    int remainingS() const;
    int lockoutS() const;
    int durationS() const { return m_durationS; }

    // A right PIN: (re)starts the session for its full length.
    void unlock();
    // Ends it now (the "Lock now" button, or a PIN change of mind).
    Q_INVOKABLE void lockNow();
    // A wrong PIN may have started a lockout: start ticking.
    void lockoutChanged();

signals:
    void unlockedChanged();
    void tick();

private:
    void onTick();

    int m_durationS;
    const PinLockout *m_lockout;
    bool m_unlocked = false;
    QDeadlineTimer m_end;
    QTimer m_ticker;
};
