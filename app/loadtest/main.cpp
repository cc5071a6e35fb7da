// control-cloud-loadtest: N simulated controllers in one process, speaking
// the real protocol to a control-cloud (docs/performance.md, "control-cloud
// for a fleet"). Lines on stdin steer it (burst N, stats, quit); what it
// measured goes to stdout, one line each, for people and for
// tests/bench_fleet.cpp alike.
#include "core/epolleventdispatcher.h"
#include "core/filelimit.h"
#include "core/secretfile.h"
#include "loadtest/simulatedcontroller.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSocketNotifier>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <unistd.h>
#include <vector>

namespace {

void say(const QString &line)
{
    std::printf("%s\n", qPrintable(line));
    std::fflush(stdout);
}

struct Counters
{
    int connected = 0;   // welcomed and not disconnected since
    qint64 syncsOk = 0;
    qint64 syncsFailed = 0;
    qint64 commands = 0;
    qint64 reportsSent = 0;
    qint64 acked = 0;
    qint64 ackFrames = 0;   // acks that acknowledged something (cumulative: one may cover many)
    qint64 disconnects = 0;
};

class Fleet
{
public:
    Fleet(int count, const QString &prefix, const SimulatedControllerSettings &settings, double failRate)
    {
        for (int i = 0; i < count; ++i) {
            SimulatedControllerSettings s = settings;
            // The same sites fail on every run: the first failRate of a
            // fixed shuffle (multiplicative hashing of the index).
            s.failsSyncs = double((quint64(i) * 2654435761u) % 10000) < failRate * 10000;
            auto controller = std::make_unique<SimulatedController>(QStringLiteral("%1%2").arg(prefix).arg(i), s);
            SimulatedController *c = controller.get();
            // Counted once per connection: a controller is welcomed again
            // after every reconnect, and leaves the count when it drops.
            QObject::connect(c, &SimulatedController::welcomed, c, [this, i] {
                if (m_counted.at(i))
                    return;
                m_counted.at(i) = true;
                if (++m_counters.connected == int(m_controllers.size()))
                    say(QStringLiteral("connected %1 in %2 ms").arg(m_counters.connected).arg(m_clock.elapsed()));
            });
            QObject::connect(c, &SimulatedController::disconnected, c, [this, c, i](const QString &why) {
                if (m_counted.at(i)) {
                    m_counted.at(i) = false;
                    --m_counters.connected;
                }
                ++m_counters.disconnects;
                if (m_counters.disconnects <= 10)
                    say(QStringLiteral("disconnected %1: %2").arg(c->id(), why));
            });
            QObject::connect(c, &SimulatedController::syncAnswered, c, [this](bool ok) { ++(ok ? m_counters.syncsOk : m_counters.syncsFailed); });
            QObject::connect(c, &SimulatedController::commandAnswered, c, [this] { ++m_counters.commands; });
            QObject::connect(c, &SimulatedController::acked, c, [this](qint64 n) { onAcked(n); });
            m_controllers.push_back(std::move(controller));
        }
        m_counted.assign(m_controllers.size(), false);
    }

    // All at once (a reconnect storm) or `perSecond` a second.
    void open(int perSecond)
    {
        m_clock.start();
        if (perSecond <= 0) {
            for (auto &c : m_controllers)
                c->open();
            return;
        }
        auto *timer = new QTimer(qApp);
        const int perTick = std::max(1, perSecond / 100);
        QObject::connect(timer, &QTimer::timeout, qApp, [this, timer, perTick] {
            for (int i = 0; i < perTick && m_next < m_controllers.size(); ++i)
                m_controllers.at(m_next++)->open();
            if (m_next == m_controllers.size())
                timer->deleteLater();
        });
        timer->start(10);
    }

    // `count` status updates, spread over every controller and device in turn.
    void sendStatus(int count)
    {
        for (int i = 0; i < count; ++i) {
            SimulatedController *c = m_controllers.at(m_statusNext % m_controllers.size()).get();
            const int device = int((m_statusNext / m_controllers.size()) % quint64(std::max(1, m_devices)));
            ++m_statusNext;
            if (!c->isConnected())
                continue;
            c->sendStatus(device, (m_statusNext & 1) ? QStringLiteral("connected") : QStringLiteral("error"));
            ++m_counters.reportsSent;
        }
    }

    // Sends `count` status updates at once; says when all are acknowledged
    // (acks come only once the cloud committed them).
    // Sent in slices of 500 per event-loop turn: the controllers keep
    // answering the cloud meanwhile, as separate processes would.
    void burst(int count)
    {
        m_burstTarget = m_counters.acked + unacked();
        m_burstLeft = count;
        m_burstCount = 0;
        m_burstAckFrames = m_counters.ackFrames;
        m_burstClock.start();
        sendSlice();
    }

    void sendSlice()
    {
        const int slice = std::min(m_burstLeft, 500);
        const qint64 before = m_counters.reportsSent;
        sendStatus(slice);
        m_burstLeft -= slice;
        m_burstTarget += m_counters.reportsSent - before;
        m_burstCount += m_counters.reportsSent - before;
        if (m_burstLeft > 0) {
            QTimer::singleShot(0, qApp, [this] { sendSlice(); });
            return;
        }
        say(QStringLiteral("burst-sent %1 in %2 ms").arg(m_burstCount).arg(m_burstClock.elapsed()));
        onAcked(0);
    }

    QString stats() const
    {
        return QStringLiteral("stats connected=%1 syncs_ok=%2 syncs_failed=%3 commands=%4 reports_sent=%5 acked=%6 "
                              "unacked=%7 disconnects=%8")
            .arg(m_counters.connected)
            .arg(m_counters.syncsOk)
            .arg(m_counters.syncsFailed)
            .arg(m_counters.commands)
            .arg(m_counters.reportsSent)
            .arg(m_counters.acked)
            .arg(unacked())
            .arg(m_counters.disconnects);
    }

    void setDevices(int devices) { m_devices = devices; }

private:
    qint64 unacked() const
    {
        qint64 n = 0;
        for (const auto &c : m_controllers)
            n += c->unacked();
        return n;
    }

    void onAcked(qint64 n)
    {
        m_counters.acked += n;
        if (n > 0)
            ++m_counters.ackFrames;
        if (m_burstCount > 0 && m_burstLeft == 0 && m_counters.acked >= m_burstTarget) {
            const qint64 ms = std::max<qint64>(1, m_burstClock.elapsed());
            say(QStringLiteral("burst-acked %1 in %2 ms (%3 msg/s, %4 acks)")
                    .arg(m_burstCount)
                    .arg(ms)
                    .arg(m_burstCount * 1000 / ms)
                    .arg(m_counters.ackFrames - m_burstAckFrames));
            m_burstCount = 0;
        }
    }

    std::vector<std::unique_ptr<SimulatedController>> m_controllers;
    std::vector<bool> m_counted;   // per controller: in m_counters.connected
    Counters m_counters;
    QElapsedTimer m_clock;
    size_t m_next = 0;
    quint64 m_statusNext = 0;
    int m_devices = 1;
    qint64 m_burstTarget = 0;
    qint64 m_burstCount = 0;
    qint64 m_burstAckFrames = 0;   // m_counters.ackFrames when the burst began
    int m_burstLeft = 0;
    QElapsedTimer m_burstClock;
};

} // namespace

int main(int argc, char *argv[])
{
    // epoll rather than Qt's poll() over every socket on every turn
    // (core/epolleventdispatcher.h); CONTROL_CLOUD_EPOLL=0 gives Qt's back.
    // Then Qt's own rather than GLib's: with thousands of sockets GLib's
    // removes a notifier by walking a list of all of them, which made every
    // write to a controller cost O(controllers).
    EpollEventDispatcher::installForMainThread();
    if (qEnvironmentVariableIsEmpty("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    EpollEventDispatcher::logCurrent();
    QCoreApplication::setApplicationName(QStringLiteral("control-cloud-loadtest"));
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "N simulated controllers in one process against a control-cloud. Lines on stdin: 'burst N' (N status updates "
        "at once, then the time until all are acknowledged), 'stats', 'quit'."));
    p.addHelpOption();
    p.addOption({QStringLiteral("url"), QStringLiteral("The cloud's WebSocket URL."), QStringLiteral("url"), QStringLiteral("ws://127.0.0.1:8080/")});
    p.addOption({QStringLiteral("token-file"), QStringLiteral("File (owner-only) holding the shared controller token "
                                                              "(or CONTROL_CLOUD_LOADTEST_TOKEN)."), QStringLiteral("file")});
    p.addOption({QStringLiteral("controllers"), QStringLiteral("How many controllers (default 100)."), QStringLiteral("n"), QStringLiteral("100")});
    p.addOption({QStringLiteral("prefix"), QStringLiteral("Controller ids: PREFIX0, PREFIX1, … (default loadtest-)."), QStringLiteral("prefix"), QStringLiteral("loadtest-")});
    p.addOption({QStringLiteral("devices"), QStringLiteral("Devices per controller (default 4)."), QStringLiteral("n"), QStringLiteral("4")});
    p.addOption({QStringLiteral("driver-type"), QStringLiteral("The driver every controller reports (default bench_driver)."), QStringLiteral("type"), QStringLiteral("bench_driver")});
    p.addOption({QStringLiteral("driver-version"), QStringLiteral("Its version (default 1.0.0)."), QStringLiteral("version"), QStringLiteral("1.0.0")});
    p.addOption({QStringLiteral("fail-rate"), QStringLiteral("Fraction of controllers answering driver_sync with driver_sync_error (0…1)."), QStringLiteral("rate"), QStringLiteral("0")});
    p.addOption({QStringLiteral("sync-ms"), QStringLiteral("Time a controller takes for a driver_sync (default 20)."), QStringLiteral("ms"), QStringLiteral("20")});
    p.addOption({QStringLiteral("status-rate"), QStringLiteral("status_update messages a second, over the whole fleet (default 0)."), QStringLiteral("n"), QStringLiteral("0")});
    p.addOption({QStringLiteral("connect-rate"), QStringLiteral("Controllers dialling per second (default 0: all at once)."), QStringLiteral("n"), QStringLiteral("0")});
    p.addOption({QStringLiteral("stats-every"), QStringLiteral("Seconds between stats lines (default 0: only on 'stats')."), QStringLiteral("s"), QStringLiteral("0")});
    p.addOption({QStringLiteral("duration"), QStringLiteral("Quit after this many seconds (default 0: on 'quit' or the end of stdin)."), QStringLiteral("s"), QStringLiteral("0")});
    p.process(app);

    QByteArray token = qgetenv("CONTROL_CLOUD_LOADTEST_TOKEN");
    if (p.isSet(QStringLiteral("token-file"))) {
        QString text;
        const QString error = SecretFile::read(p.value(QStringLiteral("token-file")), &text);
        if (!error.isEmpty()) {
            std::fprintf(stderr, "control-cloud-loadtest: %s\n", qPrintable(error));
            return 2;
        }
        token = text.toUtf8();
    }
    // One socket per controller.
    std::fprintf(stderr, "control-cloud-loadtest: %s\n", qPrintable(FileLimit::raiseToHard()));

    SimulatedControllerSettings settings;
    settings.url = QUrl(p.value(QStringLiteral("url")));
    settings.token = token;
    settings.driverType = p.value(QStringLiteral("driver-type"));
    settings.driverVersion = p.value(QStringLiteral("driver-version"));
    settings.devices = std::max(1, p.value(QStringLiteral("devices")).toInt());
    settings.syncMs = p.value(QStringLiteral("sync-ms")).toInt();
    const int count = p.value(QStringLiteral("controllers")).toInt();
    if (count <= 0 || !settings.url.isValid()) {
        std::fprintf(stderr, "control-cloud-loadtest: --controllers must be at least 1 and --url a ws:// or wss:// URL\n");
        return 2;
    }
    Fleet fleet(count, p.value(QStringLiteral("prefix")), settings, p.value(QStringLiteral("fail-rate")).toDouble());
    fleet.setDevices(settings.devices);
    fleet.open(p.value(QStringLiteral("connect-rate")).toInt());

    const int rate = p.value(QStringLiteral("status-rate")).toInt();
    if (rate > 0) {
        // Every 10 ms its share, so the rate holds without bursts.
        auto *timer = new QTimer(&app);
        QElapsedTimer clock;
        clock.start();
        auto sent = std::make_shared<qint64>(0);
        QObject::connect(timer, &QTimer::timeout, &app, [&fleet, rate, clock, sent] {
            const qint64 due = clock.elapsed() * rate / 1000 - *sent;
            fleet.sendStatus(int(due));
            *sent += due;
        });
        timer->start(10);
    }
    if (const int every = p.value(QStringLiteral("stats-every")).toInt(); every > 0) {
        auto *timer = new QTimer(&app);
        QObject::connect(timer, &QTimer::timeout, &app, [&fleet] { say(fleet.stats()); });
        timer->start(every * 1000);
    }
    if (const int duration = p.value(QStringLiteral("duration")).toInt(); duration > 0)
        QTimer::singleShot(duration * 1000, &app, [&fleet] { say(fleet.stats()); QCoreApplication::quit(); });

    // Commands on stdin, a line each.
    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    QByteArray pending;
    QObject::connect(&input, &QSocketNotifier::activated, &app, [&] {
        char buffer[4096];
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n <= 0) {
            input.setEnabled(false);
            if (p.value(QStringLiteral("duration")).toInt() <= 0)
                QCoreApplication::quit();   // stdin closed: done
            return;
        }
        pending.append(buffer, n);
        qsizetype end;
        while ((end = pending.indexOf('\n')) >= 0) {
            const QStringList words = QString::fromUtf8(pending.left(end)).simplified().split(u' ', Qt::SkipEmptyParts);
            pending.remove(0, end + 1);
            if (words.value(0) == u"burst")
                fleet.burst(words.value(1).toInt());
            else if (words.value(0) == u"stats")
                say(fleet.stats());
            else if (words.value(0) == u"quit")
                QCoreApplication::quit();
            else if (!words.isEmpty())
                say(QStringLiteral("unknown command '%1' (burst N, stats, quit)").arg(words.join(u' ')));
        }
    });
    const int status = QCoreApplication::exec();
    say(fleet.stats());
    return status;
}
