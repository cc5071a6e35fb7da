#include "core/epolleventdispatcher.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTimerEvent>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcDispatcher, "nuc.dispatcher", QtInfoMsg)

namespace {

// Marks the wake-up eventfd in epoll_event.data; an fd entry's data holds
// its serial (never 0) in the upper half.
constexpr quint64 wakeMarker = ~quint64(0);
constexpr quint64 priorityMarker = ~quint64(0) - 1;   // m_priorityEpoll has something ready
constexpr int maxEventsPerTurn = 512;
// Sockets activated in one turn stop after this long; the ones left are
// still ready and come back from epoll in a later turn. At the start of a
// burst each of 512 ready sockets held a dozen frames or more, and one turn
// decoded all of them (0.3–0.4 s) before the loop looked at anything else.
constexpr auto socketBudget = std::chrono::milliseconds(5);

constexpr quint8 bit(QSocketNotifier::Type type)
{
    return quint8(1u << int(type));
}

const char *typeName(QSocketNotifier::Type type)
{
    switch (type) {
    case QSocketNotifier::Read:
        return "Read";
    case QSocketNotifier::Write:
        return "Write";
    case QSocketNotifier::Exception:
        return "Exception";
    }
    return "?";
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
{
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    m_wakeEpoll = ::epoll_create1(EPOLL_CLOEXEC);
    m_wakeFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    m_priorityEpoll = ::epoll_create1(EPOLL_CLOEXEC);
    if (m_epoll < 0 || m_wakeEpoll < 0 || m_wakeFd < 0 || m_priorityEpoll < 0)
        qFatal("EpollEventDispatcher: cannot create its epoll or eventfd descriptors: %s", strerror(errno));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = wakeMarker;
    if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &ev) != 0 || ::epoll_ctl(m_wakeEpoll, EPOLL_CTL_ADD, m_wakeFd, &ev) != 0)
        qFatal("EpollEventDispatcher: cannot watch its eventfd: %s", strerror(errno));
    ev.data.u64 = priorityMarker;
    if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_priorityEpoll, &ev) != 0)
        qFatal("EpollEventDispatcher: cannot watch its priority set: %s", strerror(errno));
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    ::close(m_priorityEpoll);
    ::close(m_wakeFd);
    ::close(m_wakeEpoll);
    ::close(m_epoll);
}

bool EpollEventDispatcher::installForMainThread()
{
    if (qEnvironmentVariable("CONTROL_CLOUD_EPOLL") == u"0")
        return false;
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    return true;
}

QString EpollEventDispatcher::currentName()
{
    const QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance();
    return dispatcher ? QString::fromLatin1(dispatcher->metaObject()->className()) : QStringLiteral("none");
}

bool EpollEventDispatcher::prioritize(qintptr fd, bool priority)
{
    auto *dispatcher = qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
    return dispatcher && fd >= 0 && dispatcher->setPriority(int(fd), priority);
}

bool EpollEventDispatcher::setPriority(int fd, bool priority)
{
    const auto it = m_fds.find(fd);
    if (it == m_fds.end())
        return false;
    FdEntry &entry = it->second;
    if (entry.priority == priority)
        return true;
    if (entry.polled && entry.epollEvents) {
        // Moved from one set to the other, with what it waits for.
        epoll_event ev{};
        ev.events = entry.epollEvents;
        ev.data.u64 = (quint64(entry.serial) << 32) | quint32(fd);
        ::epoll_ctl(epollOf(entry), EPOLL_CTL_DEL, fd, nullptr);
        entry.priority = priority;
        if (::epoll_ctl(epollOf(entry), EPOLL_CTL_ADD, fd, &ev) != 0)
            qErrnoWarning("EpollEventDispatcher: cannot watch fd %d", fd);
    } else {
        entry.priority = priority;
    }
    m_priorityCount += priority ? 1 : -1;
    return true;
}

void EpollEventDispatcher::logCurrent()
{
    if (qEnvironmentVariable("CONTROL_CLOUD_EPOLL") == u"0")
        qCDebug(lcDispatcher).noquote() << "event dispatcher:" << currentName() << "(CONTROL_CLOUD_EPOLL=0)";
    else
        qCDebug(lcDispatcher).noquote() << "event dispatcher:" << currentName();
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.store(false, std::memory_order_relaxed);
    emit awake();
    QCoreApplication::sendPostedEvents();
    if (m_interrupted.load(std::memory_order_relaxed))
        return false;

    const bool sockets = !(flags & QEventLoop::ExcludeSocketNotifiers);
    const int timeout = waitTimeout(flags);
    if (timeout != 0)
        emit aboutToBlock();
    // On the stack: a notifier's or timer's slot may run a nested loop,
    // which comes back here before this turn has used what it read.
    epoll_event events[maxEventsPerTurn];
    int count = ::epoll_wait(sockets ? m_epoll : m_wakeEpoll, events, maxEventsPerTurn, timeout);
    if (count < 0) {
        if (errno != EINTR)
            qErrnoWarning("EpollEventDispatcher: epoll_wait");
        count = 0;
    }
    if (timeout != 0)
        emit awake();

    ReadyList ready;
    bool woken = false;
    if (sockets && m_priorityCount > 0) {
        // Asked every turn, not only when m_epoll names the set: with many
        // sockets ready, m_epoll hands the set out in its turn, like any fd.
        epoll_event first[64];
        const int n = ::epoll_wait(m_priorityEpoll, first, 64, 0);
        collectReady(first, std::max(n, 0), &ready, &woken, false);
    }
    collectReady(events, count, sockets ? &ready : nullptr, &woken, true);
    int handled = woken ? 1 : 0;
    // What another thread posted is delivered in this call, not only at the
    // start of the next: processEvents(WaitForMoreEvents) returns with it.
    if (woken)
        QCoreApplication::sendPostedEvents();
    if (sockets && !m_interrupted.load(std::memory_order_relaxed))
        handled += activateSocketNotifiers(ready);
    if (!(flags & QEventLoop::X11ExcludeTimers) && !m_interrupted.load(std::memory_order_relaxed))
        handled += activateTimers();
    return handled > 0;
}

int EpollEventDispatcher::waitTimeout(QEventLoop::ProcessEventsFlags flags) const
{
    if (!(flags & QEventLoop::WaitForMoreEvents))
        return 0;
    if (!(flags & QEventLoop::ExcludeSocketNotifiers) && !m_unpolled.empty())
        return 0;
    if (flags & QEventLoop::X11ExcludeTimers)
        return -1;
    // A timer whose slot is still running (a nested loop in it) does not
    // count: it is not activated again until that returns.
    auto next = m_deadlines.begin();
    while (next != m_deadlines.end() && m_timers.at(next->second).active)
        ++next;
    if (next == m_deadlines.end())
        return -1;
    const auto wait = next->first - Clock::now();
    if (wait <= Clock::duration::zero())
        return 0;
    // Rounded up: waking before the deadline would only spin.
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
    return int(std::min<qint64>(ms, std::numeric_limits<int>::max()));
}

void EpollEventDispatcher::drainWakeUps()
{
    quint64 value = 0;
    [[maybe_unused]] const ssize_t n = ::read(m_wakeFd, &value, sizeof value);
    // After the read: a wakeUp() between the two finds the flag still set
    // and does not write, but its event is posted before this store, so the
    // sendPostedEvents() that follows sees it.
    m_wakePending.store(false, std::memory_order_release);
}

void EpollEventDispatcher::collectReady(const epoll_event *events, int count, ReadyList *ready, bool *woken, bool unpolled)
{
    for (int i = 0; i < count; ++i) {
        if (events[i].data.u64 == wakeMarker) {
            drainWakeUps();
            *woken = true;
            continue;
        }
        if (events[i].data.u64 == priorityMarker)
            continue;   // read before (processEvents)
        if (!ready)
            continue;
        const int fd = int(quint32(events[i].data.u64));
        const quint32 serial = quint32(events[i].data.u64 >> 32);
        const auto it = m_fds.find(fd);
        if (it == m_fds.end() || it->second.serial != serial)
            continue;   // unregistered since; a new entry on the fd is another socket
        const quint32 e = events[i].events;
        // As Qt's own dispatcher: a hang-up or an error wakes the reader and
        // the writer, which then find out what happened from read()/write().
        quint8 bits = 0;
        if (e & (EPOLLIN | EPOLLHUP | EPOLLERR))
            bits |= bit(QSocketNotifier::Read);
        if (e & (EPOLLOUT | EPOLLHUP | EPOLLERR))
            bits |= bit(QSocketNotifier::Write);
        if (e & EPOLLPRI)
            bits |= bit(QSocketNotifier::Exception);
        FdEntry &entry = it->second;
        entry.pending = 0;
        for (int type = 0; type < 3; ++type) {
            if ((bits & (1u << type)) && entry.notifiers[type])
                entry.pending |= quint8(1u << type);
        }
        if (entry.pending)
            ready->push_back({fd, serial});
    }
    if (!ready || !unpolled)
        return;
    // What epoll cannot watch (regular files) poll() reports ready at once.
    for (const int fd : m_unpolled) {
        FdEntry &entry = m_fds.at(fd);
        entry.pending = 0;
        for (int type = 0; type < 2; ++type) {
            if (entry.notifiers[type])
                entry.pending |= quint8(1u << type);
        }
        if (entry.pending)
            ready->push_back({fd, entry.serial});
    }
}

int EpollEventDispatcher::activateSocketNotifiers(const ReadyList &ready)
{
    int activated = 0;
    const Clock::time_point until = Clock::now() + socketBudget;
    for (const Ready &r : ready) {
        if (activated > 0 && Clock::now() >= until)
            break;   // at least one a turn
        for (int type = 0; type < 3; ++type) {
            if (m_interrupted.load(std::memory_order_relaxed))
                return activated;
            // Looked up again each time: the slot before may have disabled
            // or deleted this notifier, closed the socket, or opened a new
            // one on the same fd number.
            const auto it = m_fds.find(r.fd);
            if (it == m_fds.end() || it->second.serial != r.serial)
                break;
            FdEntry &entry = it->second;
            const quint8 b = quint8(1u << type);
            if (!(entry.pending & b) || !entry.notifiers[type])
                continue;
            entry.pending &= quint8(~b);
            QEvent event(QEvent::SockAct);
            QCoreApplication::sendEvent(entry.notifiers[type], &event);
            ++activated;
        }
    }
    return activated;
}

void EpollEventDispatcher::updateEpoll(int fd, FdEntry &entry)
{
    quint32 want = 0;
    if (entry.notifiers[QSocketNotifier::Read])
        want |= EPOLLIN;
    if (entry.notifiers[QSocketNotifier::Write])
        want |= EPOLLOUT;
    if (entry.notifiers[QSocketNotifier::Exception])
        want |= EPOLLPRI;
    if (want == 0) {
        // A closed fd left epoll by itself (EBADF, ENOENT): nothing to undo.
        if (entry.polled)
            ::epoll_ctl(epollOf(entry), EPOLL_CTL_DEL, fd, nullptr);
        else
            m_unpolled.erase(std::find(m_unpolled.begin(), m_unpolled.end(), fd));
        if (entry.priority)
            --m_priorityCount;
        m_fds.erase(fd);
        return;
    }
    if (want == entry.epollEvents || !entry.polled) {
        entry.epollEvents = want;
        return;
    }
    epoll_event ev{};
    ev.events = want;
    ev.data.u64 = (quint64(entry.serial) << 32) | quint32(fd);
    int op = entry.epollEvents ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    int rc = ::epoll_ctl(epollOf(entry), op, fd, &ev);
    // The kernel dropped a socket closed while its notifier was still on
    // (MOD: ENOENT), or kept one we thought gone (ADD: EEXIST).
    if (rc != 0 && (errno == ENOENT || errno == EEXIST)) {
        op = errno == ENOENT ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        rc = ::epoll_ctl(epollOf(entry), op, fd, &ev);
    }
    if (rc != 0 && errno == EPERM) {
        entry.polled = false;
        m_unpolled.push_back(fd);
    } else if (rc != 0) {
        qErrnoWarning("EpollEventDispatcher: cannot watch fd %d", fd);
    }
    entry.epollEvents = want;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const QSocketNotifier::Type type = notifier->type();
    if (fd < 0) {
        qWarning("QSocketNotifier: Internal error: invalid socket %d", fd);
        return;
    }
    const auto [it, added] = m_fds.try_emplace(fd);
    FdEntry &entry = it->second;
    if (added)
        entry.serial = m_nextFdSerial++;
    if (entry.notifiers[type] && entry.notifiers[type] != notifier)
        qWarning("%s: Multiple socket notifiers for same socket %d and type %s", Q_FUNC_INFO, fd, typeName(type));
    entry.notifiers[type] = notifier;
    updateEpoll(fd, entry);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const QSocketNotifier::Type type = notifier->type();
    const auto it = m_fds.find(fd);
    if (it == m_fds.end() || it->second.notifiers[type] != notifier)
        return;
    FdEntry &entry = it->second;
    entry.notifiers[type] = nullptr;
    entry.pending &= quint8(~bit(type));
    updateEpoll(fd, entry);
}

void EpollEventDispatcher::scheduleTimer(int timerId, Timer &timer, Clock::time_point deadline)
{
    m_deadlines.erase({timer.deadline, timerId});
    timer.deadline = deadline;
    m_deadlines.insert({deadline, timerId});
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    if (timerId < 1 || interval < 0 || !object) {
        qWarning("EpollEventDispatcher::registerTimer: invalid arguments");
        return;
    }
    // Coarse timers are kept precise; very coarse ones to whole seconds, as
    // Qt documents for Qt::VeryCoarseTimer.
    if (timerType == Qt::VeryCoarseTimer)
        interval = (interval + 500) / 1000 * 1000;
    Timer &timer = m_timers[timerId];
    if (timer.object)
        m_deadlines.erase({timer.deadline, timerId});   // an id registered twice: the newer wins
    timer = Timer{object, interval, timerType, Clock::now() + std::chrono::milliseconds(interval), m_nextTimerSerial++, false};
    m_deadlines.insert({timer.deadline, timerId});
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    m_deadlines.erase({it->second.deadline, timerId});
    m_timers.erase(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->second.object == object) {
            m_deadlines.erase({it->second.deadline, it->first});
            it = m_timers.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> timers;
    for (const auto &[id, timer] : m_timers) {
        if (timer.object == object)
            timers.append(TimerInfo(id, int(timer.interval), timer.type));
    }
    return timers;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return -1;
    const auto left = it->second.deadline - Clock::now();
    if (left <= Clock::duration::zero())
        return 0;
    return int(std::chrono::ceil<std::chrono::milliseconds>(left).count());
}

int EpollEventDispatcher::activateTimers()
{
    if (m_deadlines.empty())
        return 0;
    const Clock::time_point now = Clock::now();
    // The timers due now, taken before any runs: one started by a slot in
    // this turn waits for the next, so a zero-interval timer cannot starve
    // the loop.
    std::vector<std::pair<int, quint64>> due;
    for (auto it = m_deadlines.begin(); it != m_deadlines.end() && it->first <= now; ++it)
        due.emplace_back(it->second, m_timers.at(it->second).serial);
    int activated = 0;
    for (const auto &[id, serial] : due) {
        if (m_interrupted.load(std::memory_order_relaxed))
            break;
        auto it = m_timers.find(id);
        // Gone, replaced under a reused id, still running (its slot runs a
        // nested loop), or already run by such a nested loop.
        if (it == m_timers.end() || it->second.serial != serial || it->second.active || it->second.deadline > now)
            continue;
        Timer &timer = it->second;
        const auto interval = std::chrono::milliseconds(timer.interval);
        Clock::time_point next = timer.deadline + interval;
        if (next <= now)
            next = now + interval;   // missed periods are skipped, not caught up
        scheduleTimer(id, timer, next);
        timer.active = true;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(timer.object, &event);
        ++activated;
        it = m_timers.find(id);
        if (it != m_timers.end() && it->second.serial == serial)
            it->second.active = false;
    }
    return activated;
}

void EpollEventDispatcher::wakeUp()
{
    // Every postEvent() calls this: one write until the loop reads it.
    if (m_wakePending.exchange(true, std::memory_order_acq_rel))
        return;
    const quint64 one = 1;
    [[maybe_unused]] const ssize_t n = ::write(m_wakeFd, &one, sizeof one);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_relaxed);
    wakeUp();
}
