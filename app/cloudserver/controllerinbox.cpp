#include "cloudserver/controllerinbox.h"

#include <QMetaObject>

#include <utility>

ControllerInbox::ControllerInbox(Handler handler, int sliceMs, QObject *parent)
    : QObject(parent), m_handler(std::move(handler)), m_sliceMs(sliceMs)
{
}

void ControllerInbox::add(QWebSocket *socket, const QString &frame, bool urgent)
{
    if (urgent) {
        flush(socket);
        m_handler(socket, frame);
        return;
    }
    auto it = m_frames.find(socket);
    if (it == m_frames.end()) {
        it = m_frames.insert(socket, {});
        m_order.push_back(socket);
    }
    it->push_back(frame);
    ++m_count;
    schedule();
}

void ControllerInbox::flush(QWebSocket *socket)
{
    // Taken out first: a handler may queue again (or flush) meanwhile.
    std::deque<QString> frames = m_frames.take(socket);
    m_count -= qsizetype(frames.size());
    for (const QString &frame : frames)
        m_handler(socket, frame);
}

void ControllerInbox::schedule()
{
    if (m_scheduled)
        return;
    m_scheduled = true;
    // A posted event runs once per event-loop turn (Qt does not run events
    // posted while it sends them in the same pass): between two slices the
    // loop polls every socket, the admin socket included.
    QMetaObject::invokeMethod(this, [this] { drain(); }, Qt::QueuedConnection);
}

void ControllerInbox::drain()
{
    m_scheduled = false;
    if (m_order.empty())
        return;
    QElapsedTimer slice;
    slice.start();
    // At least one socket a turn, however short the slice.
    do {
        QWebSocket *socket = m_order.front();
        m_order.pop_front();
        flush(socket);   // nothing when it was flushed before
    } while (!m_order.empty() && slice.elapsed() < m_sliceMs);
    if (!m_order.empty())
        schedule();
}
