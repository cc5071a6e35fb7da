// Says when the main thread stops running: it draws the touchscreen and
// speaks to the cloud, so a stall there is a frozen panel and a silent
// link. A timer on the main thread notes how late each of its ticks comes;
// a tick later than the threshold is logged (at most one line per
// summaryMs, the rest summed up), so a stall shows in the journal with its
// length, long before systemd's watchdog (SystemdNotifier) would restart
// the service. docs/deployment.md "Reading the journal".
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

class StallMonitor : public QObject
{
    Q_OBJECT

public:
    static constexpr int defaultTickMs = 100;
    static constexpr int defaultThresholdMs = 250;
    static constexpr int summaryMs = 10000;

    explicit StallMonitor(int thresholdMs = defaultThresholdMs, int tickMs = defaultTickMs, QObject *parent = nullptr);

    // The longest stall seen since the start, in ms (0: none over the threshold).
    qint64 longestMs() const { return m_longestMs; }
    int stalls() const { return m_stalls; }

signals:
    void stalled(qint64 ms);

private:
    void tick();
    void summarise();

    int m_thresholdMs;
    QTimer m_timer;
    QTimer m_summary;             // the line for the stalls not logged one by one
    QElapsedTimer m_sinceTick;
    QElapsedTimer m_sinceLogged;
    qint64 m_longestMs = 0;
    int m_stalls = 0;
    int m_unlogged = 0;           // stalls since the last line, not logged yet
    qint64 m_unloggedLongest = 0;
};
