#include "ui/techniciansession.h"

TechnicianSession::TechnicianSession(int durationS, const PinLockout *lockout, QObject *parent)
    : QObject(parent), m_durationS(durationS), m_lockout(lockout)
{
    m_ticker.setInterval(1000);
    connect(&m_ticker, &QTimer::timeout, this, &TechnicianSession::onTick);
    // A lockout that survived a restart ticks from the start.
    lockoutChanged();
}

int TechnicianSession::remainingS() const
{
    return m_unlocked ? int((m_end.remainingTime() + 999) / 1000) : 0;
}

int TechnicianSession::lockoutS() const
{
    return int((m_lockout->remainingMs() + 999) / 1000);
}

void TechnicianSession::unlock()
{
    m_end = QDeadlineTimer(qint64(m_durationS) * 1000);
    const bool was = m_unlocked;
    m_unlocked = true;
    m_ticker.start();
    if (!was)
        emit unlockedChanged();
    emit tick();
}

void TechnicianSession::lockNow()
{
    if (!m_unlocked)
        return;
    m_unlocked = false;
    if (lockoutS() == 0)
        m_ticker.stop();
    emit unlockedChanged();
    emit tick();
}

void TechnicianSession::lockoutChanged()
{
    if (lockoutS() > 0 && !m_ticker.isActive())
        m_ticker.start();
    emit tick();
}

void TechnicianSession::onTick()
{
    if (m_unlocked && m_end.hasExpired()) {
        m_unlocked = false;
        emit unlockedChanged();
    }
    if (!m_unlocked && lockoutS() == 0)
        m_ticker.stop();
    emit tick();
}
