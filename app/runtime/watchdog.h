// Deadlines for calls into JavaScript. One watchdog thread serves every
// engine: when an armed deadline passes, it calls
// QJSEngine::setInterrupted(true) on that engine (thread-safe), which stops
// the running script. Disarming after the call clears the flag again.
#pragma once

#include <QString>

#include <condition_variable>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

class QJSEngine;

class Watchdog
{
public:
    Watchdog();
    ~Watchdog();
    Watchdog(const Watchdog &) = delete;
    Watchdog &operator=(const Watchdog &) = delete;

    using Ticket = std::uint64_t;

    Ticket arm(QJSEngine *engine, int budgetMs);
    // Returns true when the deadline had fired (the engine was interrupted).
    // Resets the engine's interrupted flag so that it can run again.
    bool disarm(Ticket ticket);
    bool hasFired(Ticket ticket) const;

private:
    struct Entry
    {
        QJSEngine *engine = nullptr;
        std::chrono::steady_clock::time_point deadline;
        bool fired = false;
    };

    void run();

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::map<Ticket, Entry> m_entries;
    Ticket m_next = 1;
    std::chrono::steady_clock::time_point m_waitingUntil = std::chrono::steady_clock::time_point::max();
    bool m_stopping = false;
    std::thread m_thread;
};

// Arms on construction, disarms on destruction (RAII around one JS call).
class WatchdogScope
{
public:
    // A null watchdog makes a scope that guards nothing (the caller guards).
    WatchdogScope(Watchdog *watchdog, QJSEngine *engine, int budgetMs)
        : m_watchdog(watchdog), m_ticket(watchdog ? watchdog->arm(engine, budgetMs) : 0) {}
    ~WatchdogScope() { finish(); }
    WatchdogScope(const WatchdogScope &) = delete;
    WatchdogScope &operator=(const WatchdogScope &) = delete;

    // Disarms now; true when the deadline had fired.
    bool finish()
    {
        if (m_ticket) {
            m_fired = m_watchdog->disarm(m_ticket);
            m_ticket = 0;
        }
        return m_fired;
    }

private:
    Watchdog *m_watchdog;
    Watchdog::Ticket m_ticket;
    bool m_fired = false;
};
