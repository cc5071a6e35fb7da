#include "hosts/hostchannel.h"

#include <QCborMap>
#include <QCborValue>
#include <QDeadlineTimer>
#include <QtEndian>

HostChannel::HostChannel(QObject *parent)
    : QObject(parent)
{
    connect(&m_socket, &QLocalSocket::readyRead, this, &HostChannel::drain);
    connect(&m_socket, &QLocalSocket::disconnected, this, [this] { fail(QStringLiteral("the peer closed the link")); });
}

bool HostChannel::open(qintptr descriptor)
{
    m_closed = false;
    m_buffer.clear();   // nothing of an earlier link is read as this one's
    return m_socket.setSocketDescriptor(descriptor, QLocalSocket::ConnectedState, QIODevice::ReadWrite);
}

bool HostChannel::isOpen() const
{
    return !m_closed && m_socket.state() == QLocalSocket::ConnectedState;
}

void HostChannel::send(const QJsonObject &frame)
{
    if (!isOpen())
        return;
    const QByteArray body = QCborValue(QCborMap::fromJsonObject(frame)).toCbor();
    char length[4];
    qToBigEndian<quint32>(quint32(body.size()), length);
    m_socket.write(length, 4);
    m_socket.write(body);
    // Frames leave now, not when the event loop next runs: a host about to
    // crash, or a caller about to block, still gets its frame out.
    m_socket.flush();
}

bool HostChannel::waitForFrame(int timeoutMs)
{
    // readyRead may drain inside waitForReadyRead: count frames, not reads.
    const quint64 before = m_framesSeen;
    QDeadlineTimer deadline(timeoutMs);
    drain();
    if (m_framesSeen == before && isOpen()) {
        // What already sits in the kernel's buffer, without waiting.
        m_socket.waitForReadyRead(0);
        drain();
    }
    while (isOpen() && m_framesSeen == before && !deadline.hasExpired()) {
        if (m_socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
            drain();
        else if (m_socket.state() != QLocalSocket::ConnectedState)
            fail(QStringLiteral("the peer closed the link"));
    }
    return m_framesSeen != before;
}

void HostChannel::drain()
{
    m_buffer += m_socket.readAll();
    while (!m_closed && m_buffer.size() >= 4) {
        const quint32 length = qFromBigEndian<quint32>(m_buffer.constData());
        if (length > MaxFrameBytes) {
            fail(QStringLiteral("frame of %1 bytes is over the limit").arg(length));
            return;
        }
        if (m_buffer.size() < qsizetype(4 + length))
            break;
        QCborParserError error;
        const QCborValue value = QCborValue::fromCbor(m_buffer.mid(4, length), &error);
        m_buffer.remove(0, 4 + length);
        if (error.error != QCborError::NoError || !value.isMap()) {
            fail(QStringLiteral("malformed frame: %1").arg(error.errorString()));
            return;
        }
        ++m_framesSeen;
        emit frameReceived(value.toMap().toJsonObject());
    }
}

void HostChannel::fail(const QString &reason)
{
    if (m_closed)
        return;
    m_closed = true;
    m_socket.abort();
    emit closed(reason);
}

void HostChannel::close()
{
    m_closed = true;
    m_socket.abort();
}
