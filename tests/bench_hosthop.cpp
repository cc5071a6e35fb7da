// The cost of the controller ⇄ driver host hop alone: a `command` frame sent
// over HostChannel (socketpair, length-prefixed CBOR) to a second process,
// which answers with a `result` frame as DriverHostServer does, back to back.
// Both processes run a Qt event loop, as the controller and a host do; no
// JavaScript runs, so the figure is what a device_command pays for the host
// on top of the in-process runtime (bench_driverruntime).
//   bench_hosthop [--frames 5000]
// The same program is the answering side when started with --echo (fd 3).
#include "hosts/hostchannel.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>

#include <algorithm>
#include <cstdio>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <signal.h>
#include <unistd.h>
#include <vector>

namespace {

int echo(QCoreApplication &app)
{
    HostChannel channel;
    if (!channel.open(3))
        return 1;
    QObject::connect(&channel, &HostChannel::closed, &app, [&app] { app.exit(0); });
    QObject::connect(&channel, &HostChannel::frameReceived, &app, [&channel](const QJsonObject &frame) {
        // The shape of DriverHostServer's answer to a command.
        channel.send({{QStringLiteral("ev"), QStringLiteral("result")},
                      {QStringLiteral("inst"), frame.value(QStringLiteral("inst"))},
                      {QStringLiteral("call"), frame.value(QStringLiteral("call"))},
                      {QStringLiteral("result"), QJsonObject{{QStringLiteral("ok"), true},
                                                             {QStringLiteral("durationMs"), 0.05},
                                                             {QStringLiteral("value"), QStringLiteral("PWR ON")}}}});
    });
    return app.exec();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("frames"), QStringLiteral("Round trips to time (default 5000)."), QStringLiteral("n"), QStringLiteral("5000")});
    parser.addOption({QStringLiteral("echo"), QStringLiteral("Answer frames on fd 3 (the other side).")});
    parser.process(app);
    if (parser.isSet(QStringLiteral("echo")))
        return echo(app);

    // The same set-up as DriverHostProcess::start.
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        return 1;
    const int childFd = fds[1];
    QProcess peer;
    peer.setProcessChannelMode(QProcess::ForwardedChannels);
    peer.setChildProcessModifier([childFd] {
        ::dup2(childFd, 3);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    });
    peer.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--echo")});
    ::close(childFd);
    if (!peer.waitForStarted(5000))
        return 1;
    HostChannel channel;
    if (!channel.open(fds[0]))
        return 1;

    const int frames = parser.value(QStringLiteral("frames")).toInt();
    std::vector<double> samples;
    QElapsedTimer clock;
    int call = 0;
    auto sendNext = [&] {
        clock.start();
        channel.send({{QStringLiteral("op"), QStringLiteral("command")}, {QStringLiteral("inst"), 17},
                      {QStringLiteral("call"), ++call}, {QStringLiteral("command"), QStringLiteral("power_on")},
                      {QStringLiteral("params"), QJsonObject{}}});
    };
    QObject::connect(&channel, &HostChannel::frameReceived, &app, [&](const QJsonObject &) {
        if (call > 200)   // the first 200 warm both sides up
            samples.push_back(clock.nsecsElapsed() / 1e3);
        if (int(samples.size()) < frames)
            sendNext();
        else
            app.exit(0);
    });
    QObject::connect(&channel, &HostChannel::closed, &app, [&app] { app.exit(1); });
    sendNext();
    const int rc = app.exec();
    channel.close();
    peer.waitForFinished(5000);
    if (rc != 0 || samples.empty()) {
        std::fprintf(stderr, "the echo process went away\n");
        return 1;
    }
    std::sort(samples.begin(), samples.end());
    std::printf("controller ⇄ host frame round trip (%zu frames, 2 processes): median %.1f µs  p99 %.1f µs  max %.1f µs\n",
                samples.size(), samples[samples.size() / 2], samples[size_t(samples.size() * 0.99)], samples.back());
    return 0;
}
