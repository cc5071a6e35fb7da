// Frames from controllers' sockets, taken off the sockets as they arrive
// and handled in slices of bounded time, so that one event-loop turn never
// handles a whole burst (docs/cloud.md "Frames in slices").
//
// With 2000 controllers each sending a burst, every socket is readable at
// once and the event loop used to handle every frame of every socket in one
// turn (a second and more on this machine): an operator's request on the
// admin socket, or a command's result, waited for all of it. Now a turn
// only moves frames into per-socket queues (QWebSocket has decoded them
// already), and the frames are handled from a posted event for at most
// `sliceMs` per turn, socket by socket in the order they had something to
// say, every frame of a socket in arrival order. A frame of a socket that
// something waits on (an operator's command, a deployment's outcome) is
// handled at once, after the frames queued before it from the same socket:
// order per socket never changes, so cumulative acks stay right.
#pragma once

#include "cloudserver/slicedqueue.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <deque>
#include <functional>

class QWebSocket;

class ControllerInbox : public QObject
{
    Q_OBJECT

public:
    using Handler = std::function<void(QWebSocket *socket, const QString &frame)>;
    explicit ControllerInbox(Handler handler, int sliceMs = 5, QObject *parent = nullptr);

    // Queues `frame`; `urgent`: handles the socket's queued frames and this one now.
    void add(QWebSocket *socket, const QString &frame, bool urgent);
    // Handles what is queued for `socket` now (before it goes, say).
    void flush(QWebSocket *socket);
    qsizetype queued() const { return m_count; }

private:
    Handler m_handler;
    QHash<QWebSocket *, std::deque<QString>> m_frames;   // never dereferenced: a key only
    SlicedQueue<QWebSocket *> m_order;   // sockets with frames (a flushed one may stay; skipped)
    qsizetype m_count = 0;
};
