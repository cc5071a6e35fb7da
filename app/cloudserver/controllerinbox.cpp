#include "cloudserver/controllerinbox.h"

#include <utility>

ControllerInbox::ControllerInbox(Handler handler, int sliceMs, QObject *parent)
    : QObject(parent), m_handler(std::move(handler)), m_order(this, [this](QWebSocket *socket) { flush(socket); }, sliceMs)
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
        m_order.push(socket);   // its turn flushes it (nothing when flushed before)
    }
    it->push_back(frame);
    ++m_count;
}

void ControllerInbox::flush(QWebSocket *socket)
{
    // Taken out first: a handler may queue again (or flush) meanwhile.
    std::deque<QString> frames = m_frames.take(socket);
    m_count -= qsizetype(frames.size());
    for (const QString &frame : frames)
        m_handler(socket, frame);
}
