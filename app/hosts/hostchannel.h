// The controller ⇄ driver host link: length-prefixed CBOR frames (a 4-byte
// big-endian length, then one CBOR map) over a connected local socket. Both
// ends use it: the controller over its end of a socketpair, the host over
// fd 3 (see DriverHostProcess). Each frame is one JSON-compatible object.
#pragma once

#include <QJsonObject>
#include <QLocalSocket>
#include <QObject>

class HostChannel : public QObject
{
    Q_OBJECT

public:
    // Frames larger than this are refused (driver code is far smaller).
    static constexpr qint64 MaxFrameBytes = 64 * 1024 * 1024;

    explicit HostChannel(QObject *parent = nullptr);

    // Takes over a connected socket descriptor; false if it is unusable.
    bool open(qintptr descriptor);
    bool isOpen() const;
    void send(const QJsonObject &frame);
    // Blocks the calling thread until the next frame arrives (it is also
    // emitted), the peer closes, or `timeoutMs` passes. For callers that have
    // no event loop to spare (validation on the sync thread).
    bool waitForFrame(int timeoutMs);
    void close();

signals:
    void frameReceived(const QJsonObject &frame);
    // The peer closed, or sent something that is not a frame.
    void closed(const QString &reason);

private:
    // Emits every whole frame in the buffer (counted in m_framesSeen).
    void drain();
    void fail(const QString &reason);

    QLocalSocket m_socket;
    QByteArray m_buffer;
    bool m_closed = false;
    quint64 m_framesSeen = 0;
};
