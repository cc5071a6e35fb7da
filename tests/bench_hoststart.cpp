// What one driver host's start costs: exec'd by QProcess (as before the
// launcher) against forked by the host launcher (hosts/hostlauncher.h).
// Each start: a DriverHostProcess started, its `ready` frame read, then it
// is killed and reaped. CPU from getrusage: this process (the controller's
// side) and its reaped children (the hosts, and for the launcher mode the
// launcher and its intermediates, counted when it is stopped at the end).
//   bench_hoststart [--starts 50] [--rounds 2]
// Rounds alternate exec, fork, exec, fork, ... (the machine is shared).
#include "hosts/driverhostprocess.h"
#include "hosts/hostlauncher.h"
#include "procinfo.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <sys/resource.h>
#include <vector>

namespace {

double cpuMs(int who)
{
    rusage u{};
    getrusage(who, &u);
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

struct Round
{
    double controllerMs = 0, childrenMs = 0, medianWallMs = 0;
};

Round run(bool fork, int starts)
{
    const double self0 = cpuMs(RUSAGE_SELF), children0 = cpuMs(RUSAGE_CHILDREN);
    std::unique_ptr<HostLauncher> launcher;
    DriverHostOptions options;
    options.program = DriverHostProcess::defaultProgram();
    if (fork) {
        launcher = std::make_unique<HostLauncher>(options.program);
        launcher->start();
        options.launcher = launcher.get();
    }
    std::vector<double> walls;
    for (int i = 0; i < starts; ++i) {
        options.name = QStringLiteral("bench%1").arg(i);
        DriverHostProcess host(options);
        QEventLoop loop;
        bool ready = false;
        QObject::connect(&host, &DriverHostProcess::frameReceived, &loop, [&](const QJsonObject &frame) {
            if (frame.value(QStringLiteral("ev")).toString() == u"ready") {
                ready = true;
                loop.quit();
            }
        });
        QObject::connect(&host, &DriverHostProcess::died, &loop, &QEventLoop::quit);
        QElapsedTimer wall;
        wall.start();
        QString error;
        if (!host.start(&error)) {
            std::fprintf(stderr, "cannot start a host: %s\n", qPrintable(error));
            return {};
        }
        QTimer::singleShot(10000, &loop, &QEventLoop::quit);
        loop.exec();
        if (!ready) {
            std::fprintf(stderr, "a host did not get ready\n");
            return {};
        }
        walls.push_back(wall.nsecsElapsed() / 1e6);
    }   // each host killed and reaped here
    launcher.reset();   // the launcher reaped: its CPU (and its intermediates') counted
    std::sort(walls.begin(), walls.end());
    return {(cpuMs(RUSAGE_SELF) - self0) / starts, (cpuMs(RUSAGE_CHILDREN) - children0) / starts, walls[walls.size() / 2]};
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("starts"), QStringLiteral("Host starts per round (default 50)."), QStringLiteral("n"), QStringLiteral("50")});
    parser.addOption({QStringLiteral("rounds"), QStringLiteral("Rounds of each mode, alternating (default 2)."), QStringLiteral("n"), QStringLiteral("2")});
    parser.process(app);
    const int starts = std::max(1, parser.value(QStringLiteral("starts")).toInt());
    const int rounds = std::max(1, parser.value(QStringLiteral("rounds")).toInt());
    std::printf("load before: %s\n", qPrintable(ProcInfo::loadAverage()));
    for (int r = 0; r < rounds; ++r) {
        for (bool fork : {false, true}) {
            const Round round = run(fork, starts);
            std::printf("%-5s %d starts: CPU per start %.2f ms (host%s %.2f, controller %.2f); start to ready, median %.2f ms\n",
                        fork ? "fork" : "exec", starts, round.controllerMs + round.childrenMs,
                        fork ? " + launcher" : "", round.childrenMs, round.controllerMs, round.medianWallMs);
            std::fflush(stdout);
        }
    }
    std::printf("load after: %s\n", qPrintable(ProcInfo::loadAverage()));
    return 0;
}
