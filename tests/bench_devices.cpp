// Benchmark of the device manager against the real control-nuc (and its
// driver host processes) and the real device-simulator, all as separate
// processes on loopback:
//  1. driver_sync sent → driver_sync_complete received while the devices of
//     the first driver type use it (every one is recreated from the new
//     code: step reloading_devices);
//  2. device_command sent → device_command_result received, median and p99;
//  3. memory: PSS (/proc/PID/smaps_rollup) and RSS summed over control-nuc
//     and every driver host it started, so pages shared between them (Qt,
//     the engine's code) count once in PSS; per device = total / devices;
//  4. crash recovery (--crashes N): kill -9 of one driver host until all of
//     its devices report `connected` again;
//  5. cold start (--cold-starts N): control-nuc stopped with SIGTERM and
//     started again on the same root, from process start until every device
//     reported `connected` (hello and status_update).
//   bench_devices [--devices 100,500] [--types 1] [--commands 2000]
//                 [--reloads 5] [--crashes 0] [--cold-starts 0]
//                 [--binary PATH]   (another build's control-nuc, for A/B;
//                                    its driver host is the one beside it)
// BENCH_LOG_LEVEL=debug passes --log-level debug to control-nuc (its
// timings then reach stderr).
#include "benchtarget.h"
#include "fakecloud.h"
#include "procinfo.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <signal.h>
#include <unistd.h>
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

// The first number after `field` in a /proc file of key: value lines, in kB.
double procKb(const QString &path, const char *field)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(qstrlen(field)).trimmed().split(' ').value(0).toDouble();
    }
    return 0;
}

double statusKb(qint64 pid, const char *field)
{
    return procKb(QStringLiteral("/proc/%1/status").arg(pid), field);
}

// A driver host as seen from outside: its pid and the name it was started
// with (`--name <driver type>`, or `validator`).
struct Host
{
    qint64 pid = 0;
    QString name;
};

// The driver hosts (children) of `parent`, with their --name, and the host
// launcher (named "launcher"). Read as ps shows them: a host the launcher
// forked has its arguments as one string (ProcInfo::commandLine).
QList<Host> hostsOf(qint64 parent)
{
    QList<Host> hosts;
    for (qint64 pid : ProcInfo::childrenOf(parent)) {
        const QStringList args = ProcInfo::commandLine(pid).split(u' ');
        const qsizetype at = args.indexOf(QStringLiteral("--name"));
        const QString name = args.contains(QStringLiteral("--launcher")) ? QStringLiteral("launcher")
                             : at >= 0                                  ? args.value(at + 1)
                                                                        : args.value(0);
        hosts.append({pid, name});
    }
    return hosts;
}

using ProcInfo::cpuSeconds;

// Memory of control-nuc and all its hosts: PSS and RSS in MB.
struct Memory
{
    double controllerPss = 0, controllerRss = 0, hostsPss = 0, hostsRss = 0, validatorPss = 0;
    double controllerCpu = 0, hostsCpu = 0;   // seconds used since each started
    int hosts = 0;
    double pss() const { return controllerPss + hostsPss; }
    double rss() const { return controllerRss + hostsRss; }
};

Memory measureMemory(qint64 nucPid)
{
    auto pss = [](qint64 pid) { return procKb(QStringLiteral("/proc/%1/smaps_rollup").arg(pid), "Pss:") / 1024.0; };
    auto rss = [](qint64 pid) { return procKb(QStringLiteral("/proc/%1/smaps_rollup").arg(pid), "Rss:") / 1024.0; };
    Memory m;
    m.controllerPss = pss(nucPid);
    m.controllerRss = rss(nucPid);
    m.controllerCpu = cpuSeconds(nucPid);
    for (const Host &h : hostsOf(nucPid)) {
        const double p = pss(h.pid);
        m.hostsPss += p;
        m.hostsRss += rss(h.pid);
        m.hostsCpu += cpuSeconds(h.pid);
        if (h.name == u"validator")
            m.validatorPss = p;
        if (h.name != u"launcher")   // its memory and CPU count, it is no host
            ++m.hosts;
    }
    return m;
}

void printMemory(const char *when, const Memory &m, int devices)
{
    std::printf("  memory %s: PSS %.1f MB total = control-nuc %.1f + %d hosts %.1f (validator %.1f); "
                "RSS %.1f MB total = control-nuc %.1f + hosts %.1f\n",
                when, m.pss(), m.controllerPss, m.hosts, m.hostsPss, m.validatorPss, m.rss(), m.controllerRss,
                m.hostsRss);
    std::printf("    per device: PSS %.2f MB, RSS %.2f MB (%d devices); CPU used so far: control-nuc %.2f s, hosts %.2f s\n",
                m.pss() / devices, m.rss() / devices, devices, m.controllerCpu, m.hostsCpu);
}

// CPU time (user + system) of control-nuc and its live hosts, in seconds:
// what a phase cost, which load on the shared machine disturbs far less
// than its wall time.
struct Cpu
{
    double controller = 0, hosts = 0;
    double total() const { return controller + hosts; }
};

Cpu cpuNow(qint64 nucPid)
{
    Cpu c;
    c.controller = cpuSeconds(nucPid);
    for (const Host &h : hostsOf(nucPid))
        c.hosts += cpuSeconds(h.pid);
    return c;
}

// The 1-minute load average, printed with every figure.
QByteArray loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    return f.open(QIODevice::ReadOnly) ? f.readAll().split(' ').value(0) : QByteArray("?");
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

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? -1 : v[v.size() / 2];
}

QString deviceId(int i)
{
    return QStringLiteral("dev-%1").arg(i, 4, 10, QLatin1Char('0'));
}

QString driverType(int type)
{
    return QStringLiteral("bench_projector_%1").arg(type);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("devices"), QStringLiteral("Device counts (default 100,500)."), QStringLiteral("list"), QStringLiteral("100,500")});
    parser.addOption({QStringLiteral("types"), QStringLiteral("Distinct driver types the devices are spread over (default 1)."), QStringLiteral("n"), QStringLiteral("1")});
    parser.addOption({QStringLiteral("commands"), QStringLiteral("Commands to time at the first count (default 2000; 0: none)."), QStringLiteral("n"), QStringLiteral("2000")});
    parser.addOption({QStringLiteral("reloads"), QStringLiteral("driver_sync reloads of the first type to time per count (default 5)."), QStringLiteral("n"), QStringLiteral("5")});
    parser.addOption({QStringLiteral("crashes"), QStringLiteral("Driver hosts to kill -9, one type after another (default 0)."), QStringLiteral("n"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("cold-starts"), QStringLiteral("Stops (SIGTERM) and starts of control-nuc to time (default 0)."), QStringLiteral("n"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("binary"), QStringLiteral("control-nuc to measure (default: this build's)."), QStringLiteral("path"), QStringLiteral(CONTROL_NUC_BINARY)});
    BenchTarget::addOptions(parser);
    parser.process(app);
    const QString nucBinary = parser.value(QStringLiteral("binary"));
    if (const int rc = BenchTarget::select(parser, {QStringLiteral("crashes"), QStringLiteral("cold-starts")}); rc >= 0)
        return rc;
    const int types = std::max(1, parser.value(QStringLiteral("types")).toInt());
    const QString logLevel = qEnvironmentVariable("BENCH_LOG_LEVEL", QStringLiteral("warning"));

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
        // Status of every device as the cloud last heard it (hello, then
        // status_update), whatever else the benchmark waits for meanwhile.
        QHash<QString, QString> status;
        QObject::connect(&cloud, &FakeCloud::messageReceived, &cloud, [&](const QJsonObject &msg) {
            const QString type = msg.value(QStringLiteral("type")).toString();
            const QJsonObject d = msg.value(QStringLiteral("data")).toObject();
            if (type == u"status_update") {
                status.insert(d.value(QStringLiteral("device_id")).toString(), d.value(QStringLiteral("status")).toString());
            } else if (type == u"hello") {
                for (const QJsonValue &v : d.value(QStringLiteral("devices")).toArray()) {
                    const QJsonObject dev = v.toObject();
                    status.insert(dev.value(QStringLiteral("device_id")).toString(), dev.value(QStringLiteral("status")).toString());
                }
            }
        });
        auto connectedAmong = [&](const QStringList &ids) {
            return std::all_of(ids.cbegin(), ids.cend(), [&](const QString &id) { return status.value(id) == u"connected"; });
        };
        QStringList allIds;
        QList<QStringList> idsOfType(types);
        for (int i = 0; i < count; ++i) {
            allIds.append(deviceId(i));
            idsOfType[i % types].append(deviceId(i));
        }

        QProcess nuc;
        nuc.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        const QStringList nucArgs{QStringLiteral("--headless"), QStringLiteral("--root"), dir.path(),
                                  QStringLiteral("--cloud-url"), cloud.url().toString(),
                                  QStringLiteral("--log-level"), logLevel,
                                  QStringLiteral("--controller-id"), QStringLiteral("bench")};
        BenchTarget::start(nuc, nucBinary, nucArgs);
        if (cloud.waitForMessage(QStringLiteral("hello"), 0, 10000) < 0) {
            std::fprintf(stderr, "control-nuc did not connect\n");
            return 1;
        }
        double reloadStepAt = -1;   // when the last sync reported step reloading_devices
        auto sync = [&](int type, int n) {
            const QString syncId = QStringLiteral("bench-%1-%2-%3").arg(count).arg(type).arg(n);
            QJsonObject data{{QStringLiteral("sync_id"), syncId},
                             {QStringLiteral("driver_id"), QStringLiteral("drv-bench-%1").arg(type)},
                             {QStringLiteral("driver_type"), driverType(type)},
                             {QStringLiteral("version"), QStringLiteral("1.0.%1").arg(n)},
                             {QStringLiteral("driver_code"), benchDriver.arg(QStringLiteral("%1.%2").arg(type).arg(n))},
                             {QStringLiteral("protocol_type"), QStringLiteral("tcp")},
                             {QStringLiteral("connection_config"), QJsonObject{{QStringLiteral("host"), QStringLiteral("127.0.0.1")},
                                                                                {QStringLiteral("port"), simPort}}}};
            bool done = false;
            QElapsedTimer t;
            cloud.onMessage = [&](const QJsonObject &msg) {
                const QString kind = msg.value(QStringLiteral("type")).toString();
                const QJsonObject d = msg.value(QStringLiteral("data")).toObject();
                if (kind == u"driver_sync_progress" && d.value(QStringLiteral("sync_id")).toString() == syncId
                    && d.value(QStringLiteral("step")).toString() == u"reloading_devices")
                    reloadStepAt = t.nsecsElapsed() / 1e6;
                if ((kind == u"driver_sync_complete" || kind == u"driver_sync_error")
                    && msg.value(QStringLiteral("data")).toObject().value(QStringLiteral("sync_id")).toString() == syncId) {
                    if (kind == u"driver_sync_error")
                        std::fprintf(stderr, "driver_sync failed: %s\n",
                                     qPrintable(msg.value(QStringLiteral("data")).toObject().value(QStringLiteral("error_message")).toString()));
                    done = true;
                }
            };
            reloadStepAt = -1;
            t.start();
            cloud.send(QStringLiteral("driver_sync"), data);
            const bool ok = waitUntil([&] { return done; }, 30000);
            cloud.onMessage = nullptr;
            return ok ? t.nsecsElapsed() / 1e6 : -1.0;
        };
        QElapsedTimer syncing;
        syncing.start();
        for (int type = 0; type < types; ++type)
            sync(type, 0);
        const double syncAllMs = syncing.elapsed();
        QJsonArray devices;
        for (int i = 0; i < count; ++i) {
            devices.append(QJsonObject{{QStringLiteral("device_id"), deviceId(i)},
                                       {QStringLiteral("name"), QStringLiteral("Projector %1").arg(i)},
                                       {QStringLiteral("type"), driverType(i % types)}});
        }
        QElapsedTimer provisioning;
        provisioning.start();
        cloud.send(QStringLiteral("device_sync"), QJsonObject{{QStringLiteral("devices"), devices}});
        if (!waitUntil([&] { return connectedAmong(allIds); }, 60000)) {
            std::fprintf(stderr, "devices did not all connect\n");
            return 1;
        }
        const double provisionMs = provisioning.elapsed();
        std::printf("%d devices of %d driver types (%d driver_syncs in %.0f ms): provisioned and connected in %.0f ms\n",
                    count, types, types, syncAllMs, provisionMs);

        std::vector<double> reloads, beforeReload;
        const Cpu reloadCpu0 = cpuNow(nuc.processId());
        for (int n = 1; n <= parser.value(QStringLiteral("reloads")).toInt(); ++n) {
            reloads.push_back(sync(0, n));
            beforeReload.push_back(reloadStepAt);
        }
        if (!reloads.empty()) {
            std::sort(reloads.begin(), reloads.end());
            std::printf("  driver_sync → driver_sync_complete with %lld devices reloaded: median %.1f ms (min %.1f, max %.1f, %zu runs)\n",
                        qlonglong(idsOfType[0].size()), median(reloads), reloads.front(), reloads.back(), reloads.size());
            std::printf("    of which before step reloading_devices (checks, transform, validation, storing): median %.1f ms\n",
                        median(beforeReload));
            const Cpu reloadCpu1 = cpuNow(nuc.processId());
            std::printf("    CPU per reload: %.1f ms (control-nuc %.1f, hosts %.1f); load average %s\n",
                        (reloadCpu1.total() - reloadCpu0.total()) * 1000 / reloads.size(),
                        (reloadCpu1.controller - reloadCpu0.controller) * 1000 / reloads.size(),
                        (reloadCpu1.hosts - reloadCpu0.hosts) * 1000 / reloads.size(), loadAverage().constData());
        }

        const int commands = parser.value(QStringLiteral("commands")).toInt();
        if (commands > 0 && count == parser.value(QStringLiteral("devices")).split(QLatin1Char(',')).constFirst().toInt()) {
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
            Cpu commandCpu0;
            for (int i = 0; i < commands + 100; ++i) {
                if (i == 100)
                    commandCpu0 = cpuNow(nuc.processId());
                awaited = QStringLiteral("cmd-%1").arg(i);
                received = -1;
                clock.start();
                cloud.send(QStringLiteral("device_command"),
                           QJsonObject{{QStringLiteral("request_id"), awaited},
                                       {QStringLiteral("device_id"), deviceId(i % count)},
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
            const Cpu commandCpu1 = cpuNow(nuc.processId());
            std::printf("    CPU per command: %.1f µs (control-nuc %.1f, hosts %.1f; the simulator not counted); load average %s\n",
                        (commandCpu1.total() - commandCpu0.total()) * 1e6 / commands,
                        (commandCpu1.controller - commandCpu0.controller) * 1e6 / commands,
                        (commandCpu1.hosts - commandCpu0.hosts) * 1e6 / commands, loadAverage().constData());
            cloud.onMessage = nullptr;
        }

        std::printf("  control-nuc peak RSS (VmHWM) %.1f MB\n", statusKb(nuc.processId(), "VmHWM:") / 1024.0);
        printMemory("with all connected", measureMemory(nuc.processId()), count);

        // Crash recovery: one host after another, each of a different type,
        // so no type nears its quarantine (5 failures in 10 minutes).
        std::vector<double> detected, recovered, afterRestart;
        for (int n = 0; n < parser.value(QStringLiteral("crashes")).toInt(); ++n) {
            const QString victim = driverType(n % types);
            const QStringList &ids = idsOfType[n % types];
            qint64 victimPid = 0;
            for (const Host &h : hostsOf(nuc.processId())) {
                if (h.name == victim)
                    victimPid = h.pid;
            }
            if (!victimPid) {
                std::fprintf(stderr, "no driver host for %s\n", qPrintable(victim));
                return 1;
            }
            QElapsedTimer t;
            double allError = -1, firstConnecting = -1;
            QSet<QString> erred;
            cloud.onMessage = [&](const QJsonObject &msg) {
                if (msg.value(QStringLiteral("type")).toString() != u"status_update")
                    return;
                const QJsonObject d = msg.value(QStringLiteral("data")).toObject();
                if (!ids.contains(d.value(QStringLiteral("device_id")).toString()))
                    return;
                const QString s = d.value(QStringLiteral("status")).toString();
                // Each device's error counts once, even if its restart
                // (backoff with jitter) begins before the last one's error.
                if (s == u"error") {
                    erred.insert(d.value(QStringLiteral("device_id")).toString());
                    if (allError < 0 && erred.size() == ids.size())
                        allError = t.nsecsElapsed() / 1e6;
                } else if (s == u"connecting" && !erred.isEmpty() && firstConnecting < 0) {
                    firstConnecting = t.nsecsElapsed() / 1e6;
                }
            };
            t.start();
            ::kill(pid_t(victimPid), SIGKILL);
            const bool sawErrors = waitUntil([&] { return allError >= 0; }, 10000);
            const bool back = sawErrors && waitUntil([&] { return connectedAmong(ids); }, 30000);
            const double total = t.nsecsElapsed() / 1e6;
            cloud.onMessage = nullptr;
            if (!back) {
                std::fprintf(stderr, "devices of %s did not come back after kill -9 of its host\n", qPrintable(victim));
                return 1;
            }
            detected.push_back(allError);
            recovered.push_back(total);
            afterRestart.push_back(total - firstConnecting);
            std::printf("  kill -9 of host %s (pid %lld, %lld devices): all in error after %.1f ms, restart (first "
                        "`connecting`) at %.1f ms, all connected at %.1f ms (%.1f ms after the restart)\n",
                        qPrintable(victim), victimPid, qlonglong(ids.size()), allError, firstConnecting, total,
                        total - firstConnecting);
        }
        if (!recovered.empty()) {
            std::printf("  crash recovery (%zu runs): medians: errors seen %.1f ms, all connected %.1f ms after the kill, "
                        "%.1f ms after the restart\n",
                        recovered.size(), median(detected), median(recovered), median(afterRestart));
        }

        // Cold start: a clean stop, then a start on the same root (drivers and
        // devices in its database), timed from the start of the process.
        std::vector<double> colds, hellos, stops, coldCpus;
        for (int n = 0; n < parser.value(QStringLiteral("cold-starts")).toInt(); ++n) {
            const QList<Host> before = hostsOf(nuc.processId());
            QElapsedTimer stopping;
            stopping.start();
            nuc.terminate();
            if (!nuc.waitForFinished(15000)) {
                std::fprintf(stderr, "control-nuc did not stop within 15 s of SIGTERM\n");
                nuc.kill();
                nuc.waitForFinished(5000);
            }
            const double stopMs = stopping.elapsed();
            // A host's own exit may lag the controller's by a few ms.
            const bool allGone = waitUntil([&] {
                return std::none_of(before.cbegin(), before.cend(), [](const Host &h) { return ProcInfo::isAlive(h.pid); });
            }, 5000);
            if (nuc.exitStatus() != QProcess::NormalExit || nuc.exitCode() != 0)
                std::fprintf(stderr, "control-nuc exited with status %d, code %d\n", int(nuc.exitStatus()), nuc.exitCode());
            status.clear();
            const int from = int(cloud.messages().size());
            QElapsedTimer cold;
            cold.start();
            BenchTarget::start(nuc, nucBinary, nucArgs);
            if (cloud.waitForMessage(QStringLiteral("hello"), from, 10000) < 0) {
                std::fprintf(stderr, "control-nuc did not connect after its restart\n");
                return 1;
            }
            const double helloMs = cold.nsecsElapsed() / 1e6;
            if (!waitUntil([&] { return connectedAmong(allIds); }, 60000)) {
                std::fprintf(stderr, "devices did not all connect after the restart\n");
                return 1;
            }
            const double coldMs = cold.nsecsElapsed() / 1e6;
            const Cpu coldCpu = cpuNow(nuc.processId());   // all started with this process
            coldCpus.push_back(coldCpu.total() * 1000);
            colds.push_back(coldMs);
            hellos.push_back(helloMs);
            stops.push_back(stopMs);
            std::printf("  cold start %d: stopped in %.0f ms (%lld hosts, %s left behind); started: hello at %.0f ms, "
                        "all %d connected at %.0f ms; CPU until then %.0f ms (control-nuc %.0f, hosts %.0f); load average %s\n",
                        n + 1, stopMs, qlonglong(before.size()), allGone ? "none" : "SOME", helloMs, count, coldMs,
                        coldCpu.total() * 1000, coldCpu.controller * 1000, coldCpu.hosts * 1000, loadAverage().constData());
        }
        if (!colds.empty()) {
            std::printf("  cold start (%zu runs): median %.0f ms to all connected (hello %.0f ms; stop %.0f ms); CPU median %.0f ms\n",
                        colds.size(), median(colds), median(hellos), median(stops), median(coldCpus));
            QThread::msleep(500);   // the last hosts' engines settle
            printMemory("after the cold start", measureMemory(nuc.processId()), count);
        }
        nuc.terminate();
        nuc.waitForFinished(15000);
    }
    simulator.terminate();
    simulator.waitForFinished(5000);
    return 0;
}
