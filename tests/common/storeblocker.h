// Holds a CloudStore's database thread in a job until release(): what is
// posted meanwhile queues up behind it (tst_cloudstore, tst_cloudreports).
#pragma once

#include "cloudserver/cloudstore.h"

#include <condition_variable>
#include <mutex>

class StoreBlocker
{
public:
    ~StoreBlocker() { release(); }

    // Returns once the job runs (so it is no longer queued).
    void block(CloudStore &store)
    {
        {
            std::lock_guard lock(m_mutex);
            m_open = false;
            m_entered = false;
        }
        store.post(CloudStore::Priority::Urgent, [this](CloudDatabase &) {
            std::unique_lock lock(m_mutex);
            m_entered = true;
            m_changed.notify_all();
            m_changed.wait(lock, [this] { return m_open; });
            return QString();
        }, {});
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return m_entered; });
    }

    void release()
    {
        {
            std::lock_guard lock(m_mutex);
            m_open = true;
        }
        m_changed.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_open = true;
    bool m_entered = false;
};
