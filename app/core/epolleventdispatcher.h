// An event dispatcher on epoll for processes with thousands of sockets
// (control-cloud, its load tool). Qt 6.4's QEventDispatcherUNIX builds a
// pollfd array of every socket notifier and poll()s all of them on every
// loop turn; with 2000 controllers that was a third of the cloud's CPU
// (docs/performance.md). Here a notifier is registered with the kernel once
// (epoll_ctl) and a turn costs what is ready, not what is open.
// docs/cloud.md, "Event dispatcher".
#pragma once

#include <QAbstractEventDispatcher>
#include <QVarLengthArray>

#include <atomic>
#include <chrono>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

class EpollEventDispatcher : public QAbstractEventDispatcher
{
    Q_OBJECT
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    // Installs one for the main thread unless CONTROL_CLOUD_EPOLL=0 (Qt's
    // own then, for comparison); before the QCoreApplication is made.
    // Returns whether it did.
    static bool installForMainThread();
    // The dispatcher the current thread runs, for the log ("EpollEventDispatcher").
    static QString currentName();
    // Says currentName() at debug (nuc.dispatcher).
    static void logCurrent();
    // The current thread's dispatcher, if it is one of these, serves `fd`'s
    // notifiers first in every turn (setPriority). Returns whether it did.
    static bool prioritize(qintptr fd, bool priority = true);

    // A descriptor with priority is watched in an epoll set of its own that
    // is asked first every turn, and its notifiers are activated before the
    // others'. With 2000 busy sockets ready, epoll hands out the ready ones
    // in turn, 512 a turn, so a newly ready socket waited for every other
    // one before it (an operator's connection to the admin socket: a third
    // of a second, docs/performance.md). For the few sockets someone waits
    // on. Lasts while `fd` has a notifier; false if it has none. (A turn
    // activates sockets for at most 5 ms; see socketBudget.)
    bool setPriority(int fd, bool priority);

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

private:
    using Clock = std::chrono::steady_clock;

    // The notifiers on one descriptor (one of each type at most, as in Qt).
    // `serial` is new each time an fd gets an entry, so readiness read for a
    // closed socket never reaches a new one that reuses its number.
    // `pending` holds the types this turn found ready and has not activated
    // yet; unregistering a notifier clears its bit.
    struct FdEntry
    {
        QSocketNotifier *notifiers[3] = {nullptr, nullptr, nullptr};   // Read, Write, Exception
        quint32 serial = 0;
        quint32 epollEvents = 0;   // as registered with the kernel
        quint8 pending = 0;
        bool polled = true;        // false: epoll refuses it (a regular file), always ready like poll()
        bool priority = false;     // watched in m_priorityEpoll (setPriority)
    };
    struct Timer
    {
        QObject *object = nullptr;
        qint64 interval = 0;   // ms, as asked for
        Qt::TimerType type = Qt::CoarseTimer;
        Clock::time_point deadline;
        quint64 serial = 0;    // ids are reused: tells a new timer from the one activated
        bool active = false;   // its timerEvent is running (a nested loop must not re-enter it)
    };
    struct Ready
    {
        int fd;
        quint32 serial;
    };
    // On the stack: a turn's ready list was a heap block of several KB, and
    // glibc consolidates every small free block on each such request
    // (malloc_consolidate: 6 % of the load tool's CPU in a burst).
    using ReadyList = QVarLengthArray<Ready, 640>;

    void updateEpoll(int fd, FdEntry &entry);
    int epollOf(const FdEntry &entry) const { return entry.priority ? m_priorityEpoll : m_epoll; }
    // `unpolled`: also what epoll cannot watch (once a turn).
    void collectReady(const struct epoll_event *events, int count, ReadyList *ready, bool *woken, bool unpolled);
    int activateSocketNotifiers(const ReadyList &ready);
    int activateTimers();
    int waitTimeout(QEventLoop::ProcessEventsFlags flags) const;
    void drainWakeUps();
    void scheduleTimer(int timerId, Timer &timer, Clock::time_point deadline);

    int m_epoll = -1;       // the wake-up eventfd and every socket notifier
    int m_wakeEpoll = -1;   // the wake-up eventfd alone, for ExcludeSocketNotifiers
    int m_wakeFd = -1;
    int m_priorityEpoll = -1;   // the fds with priority; itself watched in m_epoll
    int m_priorityCount = 0;    // entries with priority
    std::atomic<bool> m_wakePending{false};   // one write to the eventfd until it is read
    std::atomic<bool> m_interrupted{false};

    std::unordered_map<int, FdEntry> m_fds;
    std::vector<int> m_unpolled;   // fds of entries with polled == false
    quint32 m_nextFdSerial = 1;

    std::unordered_map<int, Timer> m_timers;
    std::set<std::pair<Clock::time_point, int>> m_deadlines;   // (deadline, id), nearest first
    quint64 m_nextTimerSerial = 1;
};
