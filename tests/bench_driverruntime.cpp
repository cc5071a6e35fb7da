// Benchmark of the driver runtime:
//  1. command round trip: DriverInstance::sendCommand (C++) → JS sendCommand →
//     TCP line device on another thread → reply resolved in JS → result in C++;
//  2. resident memory added per running instance (loaded, connected) at
//     1, 100 and 500 instances;
//  3. bounds the tests check without timing them: how long past its budget
//     a runaway top-level loop runs before the watchdog stops it, and how
//     long stop() of a connected instance takes until stopped();
//  4. engine setup: a driver engine made (prelude, require, host globals)
//     and destroyed, CPU time per engine, and what the first use of the
//     global Buffer (loaded lazily, from node-buffer) adds to it.
//   bench_driverruntime [--commands N] [--instances 1,100,500] [--runs N] [--engines N]
#include "runtime/driverinstance.h"
#include "runtime/drivermodule.h"
#include "runtime/hostbridge.h"
#include "runtime/watchdog.h"
#include "runtimetesthelpers.h"
#include "testpeers.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJSEngine>
#include <QLoggingCategory>
#include <QThread>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <malloc.h>
#include <memory>
#include <vector>

namespace {

double residentMb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return 0;
}

const QString benchDriver = QStringLiteral(R"JS(const BaseDriver = require('./base-driver');
class BenchDriver extends BaseDriver {
  connect() {
    return this.openTransport().then(function (t) { t.setEncoding('latin1'); });
  }
  sendCommand(command, params) {
    if (command === 'ping') return this.transport.request('PING\r', { until: '\r', timeout: 2000 });
    return super.sendCommand(command, params);
  }
}
module.exports = BenchDriver;
)JS");

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("nuc.*.info=false\nqt.qml.compiler=false"));
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("commands"), QStringLiteral("Commands to time (default 2000)."), QStringLiteral("n"), QStringLiteral("2000")});
    parser.addOption({QStringLiteral("runs"), QStringLiteral("Watchdog and teardown runs (default 5)."), QStringLiteral("n"), QStringLiteral("5")});
    parser.addOption({QStringLiteral("engines"), QStringLiteral("Engines to set up for figure 4 (default 200)."), QStringLiteral("n"), QStringLiteral("200")});
    parser.addOption({QStringLiteral("instances"), QStringLiteral("Instance counts for memory (default 1,100,500)."), QStringLiteral("list"), QStringLiteral("1,100,500")});
    parser.process(app);

    // The device: a line server on its own thread.
    QThread deviceThread;
    deviceThread.start();
    QObject deviceContext;
    deviceContext.moveToThread(&deviceThread);
    LineServer *device = nullptr;
    quint16 port = 0;
    QMetaObject::invokeMethod(&deviceContext, [&] {
        device = new LineServer;   // made on its thread, with its sockets
        device->listen();
        port = device->port();
    }, Qt::BlockingQueuedConnection);

    Watchdog watchdog;
    RuntimeSettings settings;
    const QJsonObject config{{QStringLiteral("host"), QStringLiteral("127.0.0.1")}, {QStringLiteral("port"), int(port)}};

    // 1. Round trip.
    {
        DriverInstance instance(RuntimeTest::spec(benchDriver, QStringLiteral("tcp"), config), settings, &watchdog);
        if (!RuntimeTest::wait([&](auto done) { instance.load(done); }).ok
            || !RuntimeTest::wait([&](auto done) { instance.connectDevice(done); }).ok) {
            std::fprintf(stderr, "cannot start the driver\n");
            return 1;
        }
        const int commands = parser.value(QStringLiteral("commands")).toInt();
        std::vector<double> samples;
        samples.reserve(size_t(commands));
        QElapsedTimer clock;
        for (int i = 0; i < commands + 100; ++i) {
            clock.start();
            const CallResult r = RuntimeTest::wait([&](auto done) { instance.sendCommand(QStringLiteral("ping"), {}, done); });
            const double ms = clock.nsecsElapsed() / 1e6;
            if (!r.ok || r.value.toString() != u"PONG") {
                std::fprintf(stderr, "command failed: %s\n", qPrintable(r.error));
                return 1;
            }
            if (i >= 100)
                samples.push_back(ms);
        }
        std::sort(samples.begin(), samples.end());
        auto pct = [&](double p) { return samples[std::min(samples.size() - 1, size_t(p * double(samples.size())))]; };
        std::printf("command round trip (C++ → JS sendCommand → TCP device → JS → C++), %d commands\n", commands);
        std::printf("  median %.3f ms  p99 %.3f ms  min %.3f ms  max %.3f ms\n", pct(0.5), pct(0.99), samples.front(),
                    samples.back());
    }

    // 2. Memory per instance.
    const QStringList counts = parser.value(QStringLiteral("instances")).split(QLatin1Char(','));
    std::printf("resident memory added per running instance (loaded and connected, one thread each)\n");
    for (const QString &countText : counts) {
        const int count = countText.toInt();
        malloc_trim(0);
        const double before = residentMb();
        std::vector<std::unique_ptr<DriverInstance>> instances;
        instances.reserve(size_t(count));
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < count; ++i) {
            auto instance = std::make_unique<DriverInstance>(
                RuntimeTest::spec(benchDriver, QStringLiteral("tcp"), config, {}, QStringLiteral("dev-%1").arg(i)),
                settings, &watchdog);
            if (!RuntimeTest::wait([&](auto done) { instance->load(done); }).ok
                || !RuntimeTest::wait([&](auto done) { instance->connectDevice(done); }).ok) {
                std::fprintf(stderr, "instance %d failed to start\n", i);
                return 1;
            }
            instances.push_back(std::move(instance));
        }
        const double startMs = clock.elapsed();
        // Every instance answers once, so that each has run a command.
        for (auto &instance : instances)
            RuntimeTest::wait([&](auto done) { instance->sendCommand(QStringLiteral("ping"), {}, done); });
        const double after = residentMb();
        std::printf("  %4d instances: +%.1f MB resident, %.2f MB per instance (started in %.0f ms)\n", count,
                    after - before, (after - before) / count, startMs);
        instances.clear();
    }

    // 3. Watchdog overshoot and teardown.
    {
        const int runs = std::max(1, parser.value(QStringLiteral("runs")).toInt());
        std::vector<double> overshoot;
        std::vector<double> teardown;
        QElapsedTimer clock;
        for (int i = 0; i < runs; ++i) {
            DriverInstance looping(RuntimeTest::spec(QStringLiteral("require('./base-driver');\nfor (;;) {}\n"),
                                                     QStringLiteral("tcp"), config),
                                   settings, &watchdog);
            clock.start();
            const CallResult r = RuntimeTest::wait([&](auto done) { looping.load(done); }, 10 * settings.budgetMs);
            if (!r.timedOut) {
                std::fprintf(stderr, "the loop was not stopped by the watchdog: %s\n", qPrintable(r.error));
                return 1;
            }
            overshoot.push_back(clock.nsecsElapsed() / 1e6 - settings.budgetMs);

            DriverInstance instance(RuntimeTest::spec(benchDriver, QStringLiteral("tcp"), config), settings, &watchdog);
            if (!RuntimeTest::wait([&](auto done) { instance.load(done); }).ok
                || !RuntimeTest::wait([&](auto done) { instance.connectDevice(done); }).ok) {
                std::fprintf(stderr, "cannot start the driver\n");
                return 1;
            }
            QEventLoop loop;
            QObject::connect(&instance, &DriverInstance::stopped, &loop, &QEventLoop::quit);
            clock.start();
            instance.stop();
            loop.exec();
            teardown.push_back(clock.nsecsElapsed() / 1e6);
        }
        std::sort(overshoot.begin(), overshoot.end());
        std::sort(teardown.begin(), teardown.end());
        std::printf("watchdog: top-level endless loop stopped after its %d ms budget plus median %.1f ms (max %.1f), %d runs\n",
                    settings.budgetMs, overshoot[overshoot.size() / 2], overshoot.back(), runs);
        std::printf("teardown: stop() of a connected instance → stopped(): median %.1f ms (max %.1f; deadline %d ms), %d runs\n",
                    teardown[teardown.size() / 2], teardown.back(), settings.teardownTimeoutMs, runs);
    }

    // 4. Engine setup, without and with the first Buffer use.
    {
        const int engines = std::max(1, parser.value(QStringLiteral("engines")).toInt());
        auto cpuMsPerEngine = [engines](const QString &touch) {
            HostBridge bridge(nullptr);
            const std::clock_t start = std::clock();
            for (int i = 0; i < engines; ++i) {
                QJSEngine engine;
                DriverModule::installHost(&engine, &bridge, {});
                if (!touch.isEmpty())
                    engine.evaluate(touch);
            }
            return 1000.0 * double(std::clock() - start) / CLOCKS_PER_SEC / engines;
        };
        const double bare = cpuMsPerEngine({});
        const double withBuffer = cpuMsPerEngine(QStringLiteral("Buffer.from('x')"));
        std::printf("engine setup (prelude, require, host globals; made and destroyed): %.2f ms CPU per engine; "
                    "first use of Buffer adds %.2f ms (%d engines each)\n", bare, withBuffer - bare, engines);
    }

    QMetaObject::invokeMethod(device, [device] { delete device; }, Qt::BlockingQueuedConnection);
    deviceThread.quit();
    deviceThread.wait();
    return 0;
}
