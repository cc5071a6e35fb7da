#include "runtime/watchdog.h"

#include "core/logcategories.h"

#include <QJSEngine>

Watchdog::Watchdog()
    : m_thread([this] { run(); })
{
}

Watchdog::~Watchdog()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

Watchdog::Ticket Watchdog::arm(QJSEngine *engine, int budgetMs)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    const Ticket ticket = m_next++;
    Entry &e = m_entries[ticket];
    e.engine = engine;
    e.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(budgetMs);
    // Wake the thread only when this deadline comes before the one it waits for.
    if (e.deadline < m_waitingUntil)
        m_wake.notify_all();
    return ticket;
}

bool Watchdog::hasFired(Ticket ticket) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_entries.find(ticket);
    return it != m_entries.end() && it->second.fired;
}

bool Watchdog::disarm(Ticket ticket)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_entries.find(ticket);
    if (it == m_entries.end())
        return false;
    const bool fired = it->second.fired;
    if (fired)
        it->second.engine->setInterrupted(false);
    m_entries.erase(it);
    return fired;
}

void Watchdog::run()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    while (!m_stopping) {
        auto earliest = std::chrono::steady_clock::time_point::max();
        const auto now = std::chrono::steady_clock::now();
        for (auto &[ticket, e] : m_entries) {
            if (e.fired)
                continue;
            if (e.deadline <= now) {
                e.fired = true;
                e.engine->setInterrupted(true);
                qCWarning(lcRuntime) << "watchdog: interrupted a JavaScript call that overran its budget";
            } else if (e.deadline < earliest) {
                earliest = e.deadline;
            }
        }
        m_waitingUntil = earliest;
        if (earliest == std::chrono::steady_clock::time_point::max())
            m_wake.wait(lock);
        else
            m_wake.wait_until(lock, earliest);
        m_waitingUntil = std::chrono::steady_clock::time_point::min();
    }
}
