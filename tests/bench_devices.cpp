// Benchmark of the device manager against the real control-nuc and the real
// device-simulator, both as separate processes on loopback:
//  1. driver_sync sent → driver_sync_complete received while N devices use
//     the driver (every one is recreated from the new code: step
//     reloading_devices);
//  2. device_command sent → device_command_result received, median and p99;
//  3. peak resident memory (VmHWM) of control-nuc with N connected devices.
//   bench_devices [--devices 100,500] [--commands 2000] [--reloads 5]
#include "fakecloud.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

const QString benchDriver = QStringLiteral(R"JS(const BaseDriver = require('./base-driver');
const BUILD = '%1';
class BenchProjector extends BaseDriver {
  connect() {
    return this.openTransport().then(function (t) { t.setEncoding('latin1'); });
  }
  sendCommand(command, params) {
    if (command === 'power_on') return this.transport.request('PWR ON\r', { until: '\r', timeout: 2000 });
    return super.sendCommand(command, params);
  }
}
module.exports = BenchProjector;
)JS");

double statusKb(qint64 pid, const char *field)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(qstrlen(field)).trimmed().split(' ').value(0).toDouble();
    }
    return 0;
}

// Waits for `done()` with an event loop (not qWaitFor's 10 ms steps).
bool waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QEventLoop loop;
        QTimer::singleShot(1, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("devices"), QStringLiteral("Device counts (default 100,500)."), QStringLiteral("list"), QStringLiteral("100,500")});
    parser.addOption({QStringLiteral("commands"), QStringLiteral("Commands to time (default 2000)."), QStringLiteral("n"), QStringLiteral("2000")});
    parser.addOption({QStringLiteral("reloads"), QStringLiteral("driver_sync reloads to time per count (default 5)."), QStringLiteral("n"), QStringLiteral("5")});
    parser.process(app);

    const QString binDir = QStringLiteral(CONTROL_NUC_BINARY).section(QLatin1Char('/'), 0, -2);
    QProcess simulator;
    simulator.start(binDir + QStringLiteral("/simulator/device-simulator"), {QStringLiteral("--udp-port"), QStringLiteral("off")});
    if (!simulator.waitForReadyRead(5000)) {
        std::fprintf(stderr, "device-simulator did not start\n");
        return 1;
    }
    const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("tcp 127\\.0\\.0\\.1:(\\d+)"))
                                          .match(QString::fromUtf8(simulator.readAllStandardOutput()));
    const int simPort = m.captured(1).toInt();

    for (const QString &countText : parser.value(QStringLiteral("devices")).split(QLatin1Char(','))) {
        const int count = countText.toInt();
        QTemporaryDir dir;
        FakeCloud cloud;
        cloud.listen();
        QProcess nuc;
        nuc.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        nuc.start(QStringLiteral(CONTROL_NUC_BINARY),
                  {QStringLiteral("--headless"), QStringLiteral("--root"), dir.path(), QStringLiteral("--cloud-url"),
                   cloud.url().toString(), QStringLiteral("--log-level"), QStringLiteral("warning"),
                   QStringLiteral("--controller-id"), QStringLiteral("bench")});
        if (cloud.waitForMessage(QStringLiteral("hello"), 0, 10000) < 0) {
            std::fprintf(stderr, "control-nuc did not connect\n");
            return 1;
        }
        auto sync = [&](int n) {
            const QString syncId = QStringLiteral("bench-%1-%2").arg(count).arg(n);
            QJsonObject data{{QStringLiteral("sync_id"), syncId},
                             {QStringLiteral("driver_id"), QStringLiteral("drv-bench")},
                             {QStringLiteral("driver_type"), QStringLiteral("bench_projector")},
                             {QStringLiteral("version"), QStringLiteral("1.0.%1").arg(n)},
                             {QStringLiteral("driver_code"), benchDriver.arg(n)},
                             {QStringLiteral("protocol_type"), QStringLiteral("tcp")},
                             {QStringLiteral("connection_config"), QJsonObject{{QStringLiteral("host"), QStringLiteral("127.0.0.1")},
                                                                                {QStringLiteral("port"), simPort}}}};
            bool done = false;
            cloud.onMessage = [&](const QJsonObject &msg) {
                if (msg.value(QStringLiteral("type")).toString() == u"driver_sync_complete"
                    && msg.value(QStringLiteral("data")).toObject().value(QStringLiteral("sync_id")).toString() == syncId)
                    done = true;
            };
            QElapsedTimer t;
            t.start();
            cloud.send(QStringLiteral("driver_sync"), data);
            const bool ok = waitUntil([&] { return done; }, 30000);
            cloud.onMessage = nullptr;
            return ok ? t.nsecsElapsed() / 1e6 : -1.0;
        };
        sync(0);
        QJsonArray devices;
        for (int i = 0; i < count; ++i) {
            devices.append(QJsonObject{{QStringLiteral("device_id"), QStringLiteral("dev-%1").arg(i, 4, 10, QLatin1Char('0'))},
                                       {QStringLiteral("name"), QStringLiteral("Projector %1").arg(i)},
                                       {QStringLiteral("type"), QStringLiteral("bench_projector")}});
        }
        QHash<QString, QString> status;
        cloud.onMessage = [&](const QJsonObject &msg) {
            if (msg.value(QStringLiteral("type")).toString() == u"status_update") {
                const QJsonObject d = msg.value(QStringLiteral("data")).toObject();
                status.insert(d.value(QStringLiteral("device_id")).toString(), d.value(QStringLiteral("status")).toString());
            }
        };
        QElapsedTimer provisioning;
        provisioning.start();
        cloud.send(QStringLiteral("device_sync"), QJsonObject{{QStringLiteral("devices"), devices}});
        auto allConnected = [&] {
            if (status.size() < count)
                return false;
            return std::all_of(status.cbegin(), status.cend(), [](const QString &s) { return s == u"connected"; });
        };
        if (!waitUntil(allConnected, 60000)) {
            std::fprintf(stderr, "devices did not all connect\n");
            return 1;
        }
        const double provisionMs = provisioning.elapsed();
        cloud.onMessage = nullptr;

        std::vector<double> reloads;
        for (int n = 1; n <= parser.value(QStringLiteral("reloads")).toInt(); ++n)
            reloads.push_back(sync(n));
        std::sort(reloads.begin(), reloads.end());
        const double hwmMb = statusKb(nuc.processId(), "VmHWM:") / 1024.0;
        const double rssMb = statusKb(nuc.processId(), "VmRSS:") / 1024.0;
        std::printf("%d devices: provisioned and connected in %.0f ms\n", count, provisionMs);
        std::printf("  driver_sync → driver_sync_complete with %d devices reloaded: median %.1f ms (min %.1f, max %.1f, %zu runs)\n",
                    count, reloads[reloads.size() / 2], reloads.front(), reloads.back(), reloads.size());
        std::printf("  control-nuc memory: peak %.1f MB, now %.1f MB\n", hwmMb, rssMb);

        if (count == parser.value(QStringLiteral("devices")).split(QLatin1Char(',')).constFirst().toInt()) {
            const int commands = parser.value(QStringLiteral("commands")).toInt();
            std::vector<double> samples;
            QElapsedTimer clock;
            QString awaited;
            double received = -1;
            cloud.onMessage = [&](const QJsonObject &msg) {
                const QJsonObject d = msg.value(QStringLiteral("data")).toObject();
                if (msg.value(QStringLiteral("type")).toString() == u"device_command_result"
                    && d.value(QStringLiteral("request_id")).toString() == awaited) {
                    if (!d.value(QStringLiteral("ok")).toBool())
                        std::fprintf(stderr, "command failed: %s\n", qPrintable(d.value(QStringLiteral("error")).toString()));
                    received = clock.nsecsElapsed() / 1e6;
                }
            };
            for (int i = 0; i < commands + 100; ++i) {
                awaited = QStringLiteral("cmd-%1").arg(i);
                received = -1;
                clock.start();
                cloud.send(QStringLiteral("device_command"),
                           QJsonObject{{QStringLiteral("request_id"), awaited},
                                       {QStringLiteral("device_id"), QStringLiteral("dev-%1").arg(i % count, 4, 10, QLatin1Char('0'))},
                                       {QStringLiteral("command"), QStringLiteral("power_on")}});
                QEventLoop loop;
                QTimer poll;
                QObject::connect(&poll, &QTimer::timeout, &loop, [&] { if (received >= 0) loop.quit(); });
                QObject::connect(&cloud, &FakeCloud::messageReceived, &loop, [&] { if (received >= 0) loop.quit(); });
                poll.start(100);
                if (received < 0)
                    loop.exec();
                if (i >= 100)
                    samples.push_back(received);
            }
            std::sort(samples.begin(), samples.end());
            std::printf("  device_command → device_command_result (%d commands over %d devices): median %.3f ms  p99 %.3f ms\n",
                        commands, count, samples[samples.size() / 2], samples[size_t(samples.size() * 0.99)]);
            cloud.onMessage = nullptr;
        }
        nuc.terminate();
        nuc.waitForFinished(10000);
    }
    simulator.terminate();
    simulator.waitForFinished(5000);
    return 0;
}
