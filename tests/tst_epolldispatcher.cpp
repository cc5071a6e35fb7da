// EpollEventDispatcher (core/epolleventdispatcher.h) keeps the semantics of
// Qt's own dispatcher that control-cloud and its load tool rely on: posted
// events and deleteLater, wake-ups from other threads, timers (also changed
// from their own slot, never re-entered by a nested loop), socket notifiers
// (also deleted and their fd reused within one turn), Qt's sockets, event
// loops and interrupt(), and a QThread running one. This whole process runs
// on it (main() below installs it before the application is made).
#include "core/epolleventdispatcher.h"

#include <QElapsedTimer>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QScopeGuard>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <atomic>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace {

// Counts the events of one type it receives.
class Receiver : public QObject
{
public:
    std::atomic<int> received{0};

protected:
    bool event(QEvent *e) override
    {
        if (e->type() == QEvent::User) {
            ++received;
            return true;
        }
        return QObject::event(e);
    }
};

// Records its timer events, and what to do in them.
class TimerObject : public QObject
{
public:
    QList<int> fired;
    std::function<void(int)> onTimer;

protected:
    void timerEvent(QTimerEvent *e) override
    {
        fired.append(e->timerId());
        if (onTimer)
            onTimer(e->timerId());
    }
};

struct SocketPair
{
    int fd[2] = {-1, -1};
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd); }
    ~SocketPair()
    {
        for (const int f : fd) {
            if (f >= 0)
                ::close(f);
        }
    }
    void closeEnd(int i)
    {
        ::close(fd[i]);
        fd[i] = -1;
    }
};

// A connected TCP pair over 127.0.0.1 from plain sockets (no Qt notifiers on them).
bool tcpPair(int *client, int *accepted)
{
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener, reinterpret_cast<sockaddr *>(&addr), len) != 0 || ::listen(listener, 1) != 0
        || ::getsockname(listener, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
        ::close(listener);
        return false;
    }
    *client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const bool ok = ::connect(*client, reinterpret_cast<sockaddr *>(&addr), len) == 0;
    *accepted = ok ? ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC) : -1;
    ::close(listener);
    return ok && *accepted >= 0;
}

EpollEventDispatcher *dispatcher()
{
    return qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
}

} // namespace

class tst_EpollDispatcher : public QObject
{
    Q_OBJECT

private slots:
    void installed();
    void postedEventsAndDeleteLater();
    void postsFromAnotherThreadAreNotMissed();
    void singleShotAndRepeatingTimers();
    void zeroIntervalTimerDoesNotStarveTheLoop();
    void timerStoppedRestartedDeletedInItsSlot();
    void timerDeletedByAnotherDueInTheSameTurn();
    void remainingTimeRegisteredTimersUnregisterTimers();
    void timerIsNotReenteredFromANestedLoop();
    void readWriteExceptionNotifiers();
    void notifierDeletedAndFdReusedWithinATurn();
    void notifierDisabledWithinATurn();
    void hangUpActivatesReadAndWrite();
    void regularFileIsAlwaysReady();
    void tcpEcho();
    void webSocketEcho();
    void localSocketEcho();
    void eventLoopExecExitAndNesting();
    void excludeSocketNotifiers();
    void waitForMoreEventsReturnsAfterOneEvent();
    void interruptFromAnotherThread();
    void awakeAndAboutToBlock();
    void threadWithItsOwnDispatcher();
    void priorityDescriptorGoesFirst();
    void activationStopsAfterItsBudget();
};

void tst_EpollDispatcher::installed()
{
    QVERIFY(dispatcher());
    QCOMPARE(EpollEventDispatcher::currentName(), QStringLiteral("EpollEventDispatcher"));
}

void tst_EpollDispatcher::postedEventsAndDeleteLater()
{
    Receiver receiver;
    QCoreApplication::postEvent(&receiver, new QEvent(QEvent::User));
    QCoreApplication::postEvent(&receiver, new QEvent(QEvent::User));
    QVERIFY(QCoreApplication::eventDispatcher()->processEvents(QEventLoop::AllEvents));
    QCOMPARE(receiver.received.load(), 2);

    QPointer<QObject> doomed = new QObject;
    QEventLoop loop;
    connect(doomed.data(), &QObject::destroyed, &loop, &QEventLoop::quit);
    doomed->deleteLater();
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    loop.exec();
    QVERIFY(doomed.isNull());
}

void tst_EpollDispatcher::postsFromAnotherThreadAreNotMissed()
{
    // A lost wake-up would leave the loop blocked with events queued until
    // the guard timer: the posts are timed against the thread's own pace.
    Receiver receiver;
    constexpr int posts = 20000;
    bool guardFired = false;
    QTimer guard;
    guard.setSingleShot(true);
    connect(&guard, &QTimer::timeout, this, [&] { guardFired = true; });
    guard.start(20000);
    std::thread poster([&receiver] {
        for (int i = 0; i < posts; ++i) {
            QCoreApplication::postEvent(&receiver, new QEvent(QEvent::User));
            if (i % 97 == 0)
                std::this_thread::sleep_for(std::chrono::microseconds(i % 7 * 50));
        }
    });
    QElapsedTimer clock;
    clock.start();
    while (receiver.received.load() < posts && !guardFired)
        QCoreApplication::eventDispatcher()->processEvents(QEventLoop::WaitForMoreEvents);
    poster.join();
    QVERIFY2(!guardFired, qPrintable(QStringLiteral("%1 of %2 delivered").arg(receiver.received.load()).arg(posts)));
    QCOMPARE(receiver.received.load(), posts);

    // One post while the loop sleeps: delivered within the call it wakes.
    std::thread late([&receiver] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        QCoreApplication::postEvent(&receiver, new QEvent(QEvent::User));
    });
    QVERIFY(QCoreApplication::eventDispatcher()->processEvents(QEventLoop::WaitForMoreEvents));
    late.join();
    QCOMPARE(receiver.received.load(), posts + 1);
}

void tst_EpollDispatcher::singleShotAndRepeatingTimers()
{
    int singleShots = 0;
    QTimer::singleShot(20, Qt::PreciseTimer, this, [&] { ++singleShots; });
    QElapsedTimer clock;
    clock.start();
    QList<qint64> ticks;
    QTimer repeating;
    repeating.setTimerType(Qt::PreciseTimer);
    connect(&repeating, &QTimer::timeout, this, [&] { ticks.append(clock.elapsed()); });
    repeating.start(15);
    QTRY_VERIFY_WITH_TIMEOUT(ticks.size() >= 5, 5000);
    repeating.stop();
    QCOMPARE(singleShots, 1);
    // Never early: the n-th activation at n periods or later.
    for (int i = 0; i < ticks.size(); ++i)
        QVERIFY2(ticks.at(i) >= 15 * (i + 1), qPrintable(QStringLiteral("tick %1 at %2 ms").arg(i).arg(ticks.at(i))));
    const int count = int(ticks.size());
    QTest::qWait(60);
    QCOMPARE(ticks.size(), count);
    QCOMPARE(singleShots, 1);
}

void tst_EpollDispatcher::zeroIntervalTimerDoesNotStarveTheLoop()
{
    int zeroTicks = 0;
    QTimer zero;
    connect(&zero, &QTimer::timeout, this, [&] { ++zeroTicks; });
    zero.start(0);
    Receiver receiver;
    SocketPair pair;
    QSocketNotifier notifier(pair.fd[0], QSocketNotifier::Read);
    int reads = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        char c;
        while (::read(pair.fd[0], &c, 1) == 1)
            ++reads;
    });
    QEventLoop loop;
    QTimer::singleShot(0, this, [&] {
        QCoreApplication::postEvent(&receiver, new QEvent(QEvent::User));
        QCOMPARE(::write(pair.fd[1], "x", 1), 1);
    });
    QTimer::singleShot(30, &loop, &QEventLoop::quit);
    loop.exec();
    QVERIFY(zeroTicks > 2);
    QCOMPARE(receiver.received.load(), 1);
    QCOMPARE(reads, 1);
}

void tst_EpollDispatcher::timerStoppedRestartedDeletedInItsSlot()
{
    QTimer stopped;
    int stoppedTicks = 0;
    connect(&stopped, &QTimer::timeout, this, [&] { ++stoppedTicks; stopped.stop(); });
    stopped.start(5);

    QTimer restarted;
    QList<int> restartedTicks;
    QElapsedTimer clock;
    clock.start();
    connect(&restarted, &QTimer::timeout, this, [&] {
        restartedTicks.append(int(clock.elapsed()));
        if (restartedTicks.size() == 1)
            restarted.start(40);   // from 5 ms to 40 ms, from inside
    });
    restarted.setTimerType(Qt::PreciseTimer);
    restarted.start(5);

    int deletedTicks = 0;
    auto *deleted = new QTimer;
    QPointer<QTimer> deletedGuard = deleted;
    connect(deleted, &QTimer::timeout, this, [&deletedTicks, deleted] { ++deletedTicks; delete deleted; });
    deleted->start(5);

    QTRY_VERIFY_WITH_TIMEOUT(restartedTicks.size() >= 2, 5000);
    QTest::qWait(30);
    QCOMPARE(stoppedTicks, 1);
    QCOMPARE(deletedTicks, 1);
    QVERIFY(deletedGuard.isNull());
    QVERIFY2(restartedTicks.at(1) - restartedTicks.at(0) >= 40, qPrintable(QString::number(restartedTicks.at(1) - restartedTicks.at(0))));
}

void tst_EpollDispatcher::timerDeletedByAnotherDueInTheSameTurn()
{
    // Both due in one turn; whichever runs first deletes the other.
    int ticks = 0;
    QTimer *a = new QTimer;
    QTimer *b = new QTimer;
    QPointer<QTimer> pa = a, pb = b;
    for (QTimer *t : {a, b}) {
        t->setSingleShot(true);
        connect(t, &QTimer::timeout, this, [&, t] {
            ++ticks;
            delete (t == pa ? pb.data() : pa.data());
        });
    }
    a->start(10);
    b->start(10);
    QTest::qSleep(30);
    QCoreApplication::eventDispatcher()->processEvents(QEventLoop::AllEvents);
    QTest::qWait(30);
    QCOMPARE(ticks, 1);
    QCOMPARE(int(pa.isNull()) + int(pb.isNull()), 1);
    delete pa.data();
    delete pb.data();
}

void tst_EpollDispatcher::remainingTimeRegisteredTimersUnregisterTimers()
{
    EpollEventDispatcher *d = dispatcher();
    TimerObject object;
    const int slow = object.startTimer(1000, Qt::CoarseTimer);
    const int fast = object.startTimer(50, Qt::PreciseTimer);
    const int veryCoarse = object.startTimer(1400, Qt::VeryCoarseTimer);
    const QList<QAbstractEventDispatcher::TimerInfo> timers = d->registeredTimers(&object);
    QCOMPARE(timers.size(), 3);
    for (const auto &t : timers) {
        if (t.timerId == slow)
            QCOMPARE(t.interval, 1000);
        else if (t.timerId == fast)
            QCOMPARE(t.timerType, Qt::PreciseTimer);
        else
            QCOMPARE(t.interval, 1000);   // very coarse: whole seconds
        QVERIFY(t.timerId == slow || t.timerId == fast || t.timerId == veryCoarse);
    }
    const int left = d->remainingTime(slow);
    QVERIFY2(left > 900 && left <= 1000, qPrintable(QString::number(left)));
    QCOMPARE(d->remainingTime(12345678), -1);
    QTRY_VERIFY_WITH_TIMEOUT(object.fired.contains(fast), 2000);

    QVERIFY(d->unregisterTimers(&object));
    QVERIFY(d->registeredTimers(&object).isEmpty());
    QVERIFY(!d->unregisterTimers(&object));
    QCOMPARE(d->remainingTime(fast), -1);
    object.fired.clear();
    QTest::qWait(120);
    QVERIFY(object.fired.isEmpty());
}

void tst_EpollDispatcher::timerIsNotReenteredFromANestedLoop()
{
    QTimer repeating;
    int depth = 0;
    int reentered = 0;
    int ticks = 0;
    int otherTicksInside = 0;
    QTimer other;
    connect(&other, &QTimer::timeout, this, [&] {
        if (depth > 0)
            ++otherTicksInside;
    });
    other.start(5);
    connect(&repeating, &QTimer::timeout, this, [&] {
        ++ticks;
        if (depth > 0)
            ++reentered;
        if (ticks > 1)
            return;
        ++depth;
        QEventLoop nested;
        QTimer::singleShot(100, &nested, &QEventLoop::quit);
        nested.exec();
        --depth;
    });
    repeating.start(5);
    QTRY_VERIFY_WITH_TIMEOUT(ticks >= 3, 5000);
    repeating.stop();
    QCOMPARE(reentered, 0);
    QVERIFY2(otherTicksInside >= 3, qPrintable(QString::number(otherTicksInside)));
}

void tst_EpollDispatcher::readWriteExceptionNotifiers()
{
    SocketPair pair;
    // Read and Write on the same fd.
    QSocketNotifier read(pair.fd[0], QSocketNotifier::Read);
    QSocketNotifier write(pair.fd[0], QSocketNotifier::Write);
    int reads = 0, writes = 0;
    connect(&read, &QSocketNotifier::activated, this, [&](QSocketDescriptor fd, QSocketNotifier::Type type) {
        QCOMPARE(int(fd), pair.fd[0]);
        QCOMPARE(type, QSocketNotifier::Read);
        char buffer[16];
        while (::read(pair.fd[0], buffer, sizeof buffer) > 0) {}
        ++reads;
    });
    connect(&write, &QSocketNotifier::activated, this, [&] { ++writes; write.setEnabled(false); });
    QTRY_COMPARE(writes, 1);
    QCOMPARE(reads, 0);
    QCOMPARE(::write(pair.fd[1], "ab", 2), 2);
    QTRY_COMPARE(reads, 1);
    QTest::qWait(20);
    QCOMPARE(reads, 1);   // drained: not activated again
    QCOMPARE(writes, 1);  // disabled: not activated again
    write.setEnabled(true);
    QTRY_COMPARE(writes, 2);

    // Exception: TCP urgent data (EPOLLPRI).
    int client = -1, server = -1;
    QVERIFY(tcpPair(&client, &server));
    QSocketNotifier exception(server, QSocketNotifier::Exception);
    int exceptions = 0;
    connect(&exception, &QSocketNotifier::activated, this, [&] { ++exceptions; exception.setEnabled(false); });
    QTest::qWait(20);
    QCOMPARE(exceptions, 0);
    QCOMPARE(::send(client, "!", 1, MSG_OOB), 1);
    QTRY_COMPARE(exceptions, 1);
    ::close(client);
    ::close(server);
}

void tst_EpollDispatcher::notifierDeletedAndFdReusedWithinATurn()
{
    // Two readable sockets in one turn; whichever is activated first deletes
    // the other's notifier, closes its socket and puts a new (empty) socket
    // on the same fd number with a notifier of its own. Neither the deleted
    // notifier nor the new one may be activated by what the turn read.
    SocketPair a, b;
    QCOMPARE(::write(a.fd[1], "x", 1), 1);
    QCOMPARE(::write(b.fd[1], "x", 1), 1);
    int activations = 0;
    int newActivations = 0;
    SocketPair replacement;
    QSocketNotifier *notifiers[2] = {new QSocketNotifier(a.fd[0], QSocketNotifier::Read),
                                     new QSocketNotifier(b.fd[0], QSocketNotifier::Read)};
    std::unique_ptr<QSocketNotifier> reused;
    int *fds[2] = {&a.fd[0], &b.fd[0]};
    for (int i = 0; i < 2; ++i) {
        connect(notifiers[i], &QSocketNotifier::activated, this, [&, i] {
            ++activations;
            const int other = 1 - i;
            delete notifiers[other];
            notifiers[other] = nullptr;
            const int fd = *fds[other];
            QCOMPARE(::dup3(replacement.fd[0], fd, O_CLOEXEC), fd);   // closes the old socket
            reused = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Read);
            connect(reused.get(), &QSocketNotifier::activated, this, [&] { ++newActivations; });
            notifiers[i]->setEnabled(false);
        });
    }
    QCoreApplication::eventDispatcher()->processEvents(QEventLoop::AllEvents);
    QCOMPARE(activations, 1);
    QCOMPARE(newActivations, 0);
    QTest::qWait(20);
    QCOMPARE(newActivations, 0);
    // The new socket is watched for real.
    QCOMPARE(::write(replacement.fd[1], "y", 1), 1);
    QTRY_VERIFY(newActivations >= 1);
    reused.reset();
    for (QSocketNotifier *n : notifiers)
        delete n;
}

void tst_EpollDispatcher::notifierDisabledWithinATurn()
{
    SocketPair a, b;
    QCOMPARE(::write(a.fd[1], "x", 1), 1);
    QCOMPARE(::write(b.fd[1], "x", 1), 1);
    QSocketNotifier na(a.fd[0], QSocketNotifier::Read);
    QSocketNotifier nb(b.fd[0], QSocketNotifier::Read);
    int activations = 0;
    connect(&na, &QSocketNotifier::activated, this, [&] { ++activations; nb.setEnabled(false); na.setEnabled(false); });
    connect(&nb, &QSocketNotifier::activated, this, [&] { ++activations; na.setEnabled(false); nb.setEnabled(false); });
    QCoreApplication::eventDispatcher()->processEvents(QEventLoop::AllEvents);
    QCOMPARE(activations, 1);
    // Disabled, then enabled again in a later turn: still readable, so activated.
    na.setEnabled(true);
    QTRY_VERIFY(activations >= 2);
}

void tst_EpollDispatcher::hangUpActivatesReadAndWrite()
{
    SocketPair pair;
    // The write side full first, so only the hang-up can wake the writer.
    const char chunk[4096] = {};
    while (::write(pair.fd[0], chunk, sizeof chunk) > 0) {}
    QSocketNotifier read(pair.fd[0], QSocketNotifier::Read);
    QSocketNotifier write(pair.fd[0], QSocketNotifier::Write);
    int reads = 0, writes = 0;
    connect(&read, &QSocketNotifier::activated, this, [&] { ++reads; read.setEnabled(false); });
    connect(&write, &QSocketNotifier::activated, this, [&] { ++writes; write.setEnabled(false); });
    QTest::qWait(20);
    QCOMPARE(reads + writes, 0);
    pair.closeEnd(1);
    QTRY_COMPARE(reads, 1);
    QTRY_COMPARE(writes, 1);
}

void tst_EpollDispatcher::regularFileIsAlwaysReady()
{
    // epoll refuses regular files; poll() calls them ready, and so does this.
    QTemporaryFile file;
    QVERIFY(file.open());
    file.write("data");
    file.flush();
    QSocketNotifier read(file.handle(), QSocketNotifier::Read);
    int reads = 0;
    connect(&read, &QSocketNotifier::activated, this, [&] { ++reads; read.setEnabled(false); });
    QTRY_COMPARE(reads, 1);
}

void tst_EpollDispatcher::tcpEcho()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    connect(&server, &QTcpServer::newConnection, this, [&] {
        QTcpSocket *peer = server.nextPendingConnection();
        connect(peer, &QTcpSocket::readyRead, peer, [peer] { peer->write(peer->readAll()); });
    });
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    // Large enough to need many write notifications on both sides.
    QByteArray payload(4 * 1024 * 1024, 'p');
    for (int i = 0; i < payload.size(); i += 997)
        payload[i] = char(i);
    QByteArray echoed;
    connect(&client, &QTcpSocket::readyRead, this, [&] { echoed += client.readAll(); });
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    client.write(payload);
    QTRY_COMPARE_WITH_TIMEOUT(echoed.size(), payload.size(), 20000);
    QVERIFY(echoed == payload);
}

void tst_EpollDispatcher::webSocketEcho()
{
    QWebSocketServer server(QStringLiteral("echo"), QWebSocketServer::NonSecureMode);
    QVERIFY(server.listen(QHostAddress::LocalHost));
    connect(&server, &QWebSocketServer::newConnection, this, [&] {
        QWebSocket *peer = server.nextPendingConnection();
        connect(peer, &QWebSocket::textMessageReceived, peer, [peer](const QString &m) { peer->sendTextMessage(m); });
    });
    QWebSocket client;
    QStringList echoed;
    connect(&client, &QWebSocket::textMessageReceived, this, [&](const QString &m) { echoed.append(m); });
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server.serverPort())));
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    for (int i = 0; i < 200; ++i)
        client.sendTextMessage(QStringLiteral("message %1 ").arg(i).repeated(i % 50 + 1));
    QTRY_COMPARE_WITH_TIMEOUT(echoed.size(), 200, 20000);
    QCOMPARE(echoed.at(7), QStringLiteral("message 7 ").repeated(8));
    client.close();
    QTRY_COMPARE(client.state(), QAbstractSocket::UnconnectedState);
}

void tst_EpollDispatcher::localSocketEcho()
{
    QTemporaryDir dir;
    QLocalServer server;
    QVERIFY(server.listen(dir.filePath(QStringLiteral("echo"))));
    connect(&server, &QLocalServer::newConnection, this, [&] {
        QLocalSocket *peer = server.nextPendingConnection();
        connect(peer, &QLocalSocket::readyRead, peer, [peer] { peer->write(peer->readAll()); });
    });
    QLocalSocket client;
    QByteArray echoed;
    connect(&client, &QLocalSocket::readyRead, this, [&] { echoed += client.readAll(); });
    client.connectToServer(server.fullServerName());
    QTRY_COMPARE(client.state(), QLocalSocket::ConnectedState);
    const QByteArray payload(1024 * 1024, 'l');
    client.write(payload);
    QTRY_COMPARE_WITH_TIMEOUT(echoed.size(), payload.size(), 20000);
    client.disconnectFromServer();
    QTRY_COMPARE(client.state(), QLocalSocket::UnconnectedState);
}

void tst_EpollDispatcher::eventLoopExecExitAndNesting()
{
    QEventLoop outer;
    QList<QString> steps;
    QTimer::singleShot(10, this, [&] {
        steps.append(QStringLiteral("outer running"));
        QEventLoop inner;
        QTimer::singleShot(10, this, [&] { steps.append(QStringLiteral("inner running")); inner.exit(7); });
        steps.append(QStringLiteral("inner returned %1").arg(inner.exec()));
        outer.exit(3);
    });
    QTimer::singleShot(5000, &outer, [&] { outer.exit(-1); });
    QCOMPARE(outer.exec(), 3);
    QCOMPARE(steps, (QStringList{QStringLiteral("outer running"), QStringLiteral("inner running"), QStringLiteral("inner returned 7")}));
}

void tst_EpollDispatcher::excludeSocketNotifiers()
{
    SocketPair pair;
    QSocketNotifier read(pair.fd[0], QSocketNotifier::Read);
    int reads = 0;
    connect(&read, &QSocketNotifier::activated, this, [&] {
        char c;
        while (::read(pair.fd[0], &c, 1) == 1) {}
        ++reads;
    });
    QCOMPARE(::write(pair.fd[1], "x", 1), 1);
    Receiver receiver;
    QCoreApplication::postEvent(&receiver, new QEvent(QEvent::User));
    int ticks = 0;
    QTimer::singleShot(20, this, [&] { ++ticks; });
    QElapsedTimer clock;
    clock.start();
    // Waits for the timer, not woken over and over by the readable socket.
    int turns = 0;
    while (ticks == 0 && clock.elapsed() < 2000) {
        QCoreApplication::eventDispatcher()->processEvents(QEventLoop::ExcludeSocketNotifiers | QEventLoop::WaitForMoreEvents);
        ++turns;
    }
    QCOMPARE(ticks, 1);
    QVERIFY2(turns <= 3, qPrintable(QString::number(turns)));
    QCOMPARE(receiver.received.load(), 1);
    QCOMPARE(reads, 0);
    QCoreApplication::eventDispatcher()->processEvents(QEventLoop::AllEvents);
    QCOMPARE(reads, 1);
}

void tst_EpollDispatcher::waitForMoreEventsReturnsAfterOneEvent()
{
    int ticks = 0;
    QTimer::singleShot(50, Qt::PreciseTimer, this, [&] { ++ticks; });
    QElapsedTimer clock;
    clock.start();
    QVERIFY(QCoreApplication::eventDispatcher()->processEvents(QEventLoop::WaitForMoreEvents));
    QCOMPARE(ticks, 1);
    QVERIFY2(clock.elapsed() >= 50 && clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));

    SocketPair pair;
    QSocketNotifier read(pair.fd[0], QSocketNotifier::Read);
    int reads = 0;
    connect(&read, &QSocketNotifier::activated, this, [&] { ++reads; read.setEnabled(false); });
    std::thread writer([&pair] {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        [[maybe_unused]] const ssize_t n = ::write(pair.fd[1], "x", 1);
    });
    QVERIFY(QCoreApplication::eventDispatcher()->processEvents(QEventLoop::WaitForMoreEvents));
    writer.join();
    QCOMPARE(reads, 1);
}

void tst_EpollDispatcher::interruptFromAnotherThread()
{
    EpollEventDispatcher *d = dispatcher();
    QElapsedTimer clock;
    clock.start();
    std::thread interrupter([d] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        d->interrupt();
    });
    // Nothing else registered: only interrupt() can end this wait.
    d->processEvents(QEventLoop::WaitForMoreEvents);
    interrupter.join();
    QVERIFY2(clock.elapsed() >= 40 && clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));

    // interrupt() by a posted event, delivered before the wait: the call
    // returns at once instead of waiting for the timer.
    int ticks = 0;
    QTimer::singleShot(500, this, [&] { ++ticks; });
    clock.restart();
    QMetaObject::invokeMethod(this, [d] { d->interrupt(); }, Qt::QueuedConnection);
    QVERIFY(!d->processEvents(QEventLoop::WaitForMoreEvents));
    QVERIFY2(clock.elapsed() < 400, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(ticks, 0);
    QTRY_COMPARE(ticks, 1);
}

void tst_EpollDispatcher::awakeAndAboutToBlock()
{
    EpollEventDispatcher *d = dispatcher();
    QStringList seen;
    const auto a = connect(d, &QAbstractEventDispatcher::aboutToBlock, this, [&] { seen.append(QStringLiteral("block")); });
    const auto b = connect(d, &QAbstractEventDispatcher::awake, this, [&] { seen.append(QStringLiteral("awake")); });
    QTimer::singleShot(20, this, [&] { seen.append(QStringLiteral("timer")); });
    d->processEvents(QEventLoop::WaitForMoreEvents);
    disconnect(a);
    disconnect(b);
    QCOMPARE(seen, (QStringList{QStringLiteral("awake"), QStringLiteral("block"), QStringLiteral("awake"), QStringLiteral("timer")}));
}

void tst_EpollDispatcher::threadWithItsOwnDispatcher()
{
    QThread thread;
    thread.setEventDispatcher(new EpollEventDispatcher);
    QObject worker;
    worker.moveToThread(&thread);
    thread.start();
    std::atomic<int> ticks{0};
    QString dispatcherName;
    QEventLoop loop;
    QMetaObject::invokeMethod(&worker, [&] {
        dispatcherName = EpollEventDispatcher::currentName();
        auto *timer = new QTimer(&worker);
        connect(timer, &QTimer::timeout, &worker, [&, timer] {
            if (++ticks == 3) {
                timer->stop();
                QMetaObject::invokeMethod(&loop, [&] { loop.quit(); }, Qt::QueuedConnection);
            }
        });
        timer->start(5);
    });
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    loop.exec();
    QCOMPARE(ticks.load(), 3);
    QCOMPARE(dispatcherName, QStringLiteral("EpollEventDispatcher"));
    thread.quit();
    QVERIFY(thread.wait(5000));
}

void tst_EpollDispatcher::priorityDescriptorGoesFirst()
{
    // 600 sockets ready, more than one turn takes (512): without priority,
    // the one made ready last waits for the others; with it, it goes first.
    // (eventfds: one descriptor each, far below the usual limit of 1024.)
    const int last = 600;
    std::vector<int> fds;
    std::vector<std::unique_ptr<QSocketNotifier>> notifiers;
    QList<int> order;
    auto ready = [&fds](int i) {
        const quint64 one = 1;
        return ::write(fds.at(i), &one, sizeof one) == ssize_t(sizeof one);
    };
    for (int i = 0; i <= last; ++i) {
        fds.push_back(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
        QVERIFY(fds.back() >= 0);
        auto n = std::make_unique<QSocketNotifier>(fds.back(), QSocketNotifier::Read);
        connect(n.get(), &QSocketNotifier::activated, this, [&order, i, fd = fds.back()] {
            quint64 value = 0;
            [[maybe_unused]] const ssize_t n = ::read(fd, &value, sizeof value);
            order.append(i);
        });
        notifiers.push_back(std::move(n));
    }
    const auto closeAll = qScopeGuard([&] {
        notifiers.clear();
        for (const int fd : fds)
            ::close(fd);
    });
    QVERIFY(!EpollEventDispatcher::prioritize(-1));
    QVERIFY(EpollEventDispatcher::prioritize(fds.at(last)));
    for (int i = 0; i <= last; ++i)
        QVERIFY(ready(i));
    QCoreApplication::processEvents();
    QVERIFY(!order.isEmpty());
    QCOMPARE(order.first(), last);
    QTRY_COMPARE(order.size(), last + 1);
    // Taken back: it waits its turn again (written last, so not first).
    QVERIFY(EpollEventDispatcher::prioritize(fds.at(last), false));
    order.clear();
    for (int i = 0; i <= last; ++i)
        QVERIFY(ready(i));
    QCoreApplication::processEvents();
    QVERIFY(!order.isEmpty());
    QVERIFY(order.first() != last);
    QTRY_COMPARE(order.size(), last + 1);
    // Gone with its notifier: a new socket on the same number has none.
    const int fd = fds.at(last);
    QVERIFY(EpollEventDispatcher::prioritize(fd));
    notifiers.at(last).reset();
    QVERIFY(!dispatcher()->setPriority(fd, false));
}

void tst_EpollDispatcher::activationStopsAfterItsBudget()
{
    // Slots that take 2 ms each: one turn stops after about 5 ms, and the
    // sockets it left come back in later turns, each handled once.
    std::vector<std::unique_ptr<SocketPair>> pairs;
    std::vector<std::unique_ptr<QSocketNotifier>> notifiers;
    QList<int> handled;
    for (int i = 0; i < 40; ++i) {
        pairs.push_back(std::make_unique<SocketPair>());
        auto n = std::make_unique<QSocketNotifier>(pairs.back()->fd[0], QSocketNotifier::Read);
        connect(n.get(), &QSocketNotifier::activated, this, [&handled, i, fd = pairs.back()->fd[0]] {
            char buffer[16];
            while (::read(fd, buffer, sizeof buffer) > 0) {
            }
            QElapsedTimer busy;
            busy.start();
            while (busy.nsecsElapsed() < 2000000) {
            }
            handled.append(i);
        });
        notifiers.push_back(std::move(n));
        QCOMPARE(::write(pairs.back()->fd[1], "x", 1), ssize_t(1));
    }
    QCoreApplication::processEvents();
    QVERIFY2(handled.size() >= 1 && handled.size() <= 8, qPrintable(QString::number(handled.size())));
    QTRY_COMPARE(handled.size(), 40);
    std::sort(handled.begin(), handled.end());
    for (int i = 0; i < 40; ++i)
        QCOMPARE(handled.at(i), i);
}

int main(int argc, char *argv[])
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    tst_EpollDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_epolldispatcher.moc"
