// Items handled from a posted event for at most `sliceMs` per event-loop
// turn (at least one a turn), in the order queued; what is left waits for
// the next turn, so the loop polls every socket (the admin socket too)
// between two slices. ControllerInbox's sockets with frames and
// CloudServer's acks go this way (docs/cloud.md "Frames in slices").
#pragma once

#include <QElapsedTimer>
#include <QMetaObject>
#include <QObject>

#include <deque>
#include <functional>
#include <utility>

template<typename T>
class SlicedQueue
{
public:
    // The posted events go to `context`, which owns this queue (they die
    // with it).
    SlicedQueue(QObject *context, std::function<void(const T &)> handle, int sliceMs)
        : m_context(context), m_handle(std::move(handle)), m_sliceMs(sliceMs)
    {
    }

    void push(T item)
    {
        m_items.push_back(std::move(item));
        if (m_scheduled)
            return;
        m_scheduled = true;
        // A posted event runs once per turn (Qt does not run events posted
        // while it sends them in the same pass).
        QMetaObject::invokeMethod(m_context, [this] { drain(); }, Qt::QueuedConnection);
    }

private:
    void drain()
    {
        m_scheduled = false;
        QElapsedTimer slice;
        slice.start();
        while (!m_items.empty()) {
            // Taken out first: the handler may push again.
            const T item = std::move(m_items.front());
            m_items.pop_front();
            m_handle(item);
            if (slice.elapsed() >= m_sliceMs)
                break;
        }
        if (!m_items.empty() && !m_scheduled) {
            m_scheduled = true;
            QMetaObject::invokeMethod(m_context, [this] { drain(); }, Qt::QueuedConnection);
        }
    }

    QObject *m_context;
    std::function<void(const T &)> m_handle;
    int m_sliceMs;
    std::deque<T> m_items;
    bool m_scheduled = false;
};
