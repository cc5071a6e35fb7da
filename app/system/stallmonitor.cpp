#include "system/stallmonitor.h"

#include "core/logcategories.h"

#include <algorithm>

StallMonitor::StallMonitor(int thresholdMs, int tickMs, QObject *parent)
    : QObject(parent), m_thresholdMs(thresholdMs)
{
    // Precise: a coarse timer may fire up to 5 % late by design, which is
    // not a stall.
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(tickMs);
    connect(&m_timer, &QTimer::timeout, this, &StallMonitor::tick);
    m_summary.setSingleShot(true);
    connect(&m_summary, &QTimer::timeout, this, &StallMonitor::summarise);
    m_sinceTick.start();
    m_timer.start();
}

void StallMonitor::tick()
{
    const qint64 late = m_sinceTick.restart() - m_timer.interval();
    if (late < m_thresholdMs)
        return;
    ++m_stalls;
    m_longestMs = std::max(m_longestMs, late);
    emit stalled(late);
    if (!m_sinceLogged.isValid() || m_sinceLogged.elapsed() >= summaryMs) {
        qCWarning(lcConfig).noquote() << QStringLiteral("the main thread (dashboard and cloud link) did not run for %1 ms")
                                             .arg(late);
        m_sinceLogged.start();
        return;
    }
    // One line per summaryMs at most: the others are summed up when it ends.
    ++m_unlogged;
    m_unloggedLongest = std::max(m_unloggedLongest, late);
    if (!m_summary.isActive())
        m_summary.start(int(summaryMs - m_sinceLogged.elapsed()));
}

void StallMonitor::summarise()
{
    if (m_unlogged == 0)
        return;
    qCWarning(lcConfig).noquote() << QStringLiteral("the main thread (dashboard and cloud link) stalled %1 more times in "
                                                    "the last %2 s, the longest for %3 ms")
                                         .arg(m_unlogged).arg(summaryMs / 1000).arg(m_unloggedLongest);
    m_unlogged = 0;
    m_unloggedLongest = 0;
    m_sinceLogged.start();
}
