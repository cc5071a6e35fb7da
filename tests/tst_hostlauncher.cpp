// The host launcher (control-nuc-driverhost --launcher): driver hosts forked
// from it instead of exec'd. Real processes, real signals: a forked host is
// this process's child and serves devices; its crash reads as before; the
// launcher killed with SIGKILL costs no host and no start (exec'd meanwhile,
// then a new launcher); the environment of the moment reaches a host; a
// killed controller leaves neither a host nor the launcher; nothing is left
// as a zombie.
#include "hosts/driverhostpool.h"
#include "hosts/driverhostprocess.h"
#include "hosts/hosteddriverinstance.h"
#include "hosts/hostlauncher.h"
#include "procinfo.h"
#include "hosttesthelpers.h"
#include "runtimetesthelpers.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>

#include <csignal>
#include <cstdio>
#include <memory>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

using HostTest::echoDriver;
using HostTest::hotDriver;
using HostTest::jitCodeMappings;
using HostTest::options;
using HostTest::crashOptions;
using HostTest::thenableDriver;
using HostTest::typed;
using RuntimeTest::wait;

namespace {

qint64 parentOf(qint64 pid)
{
    return ProcInfo::statFields(pid).value(1).toLongLong();
}

// A forked host wrote its arguments as one string (hostlaunchloop.cpp); an
// exec'd one has them NUL-separated.
bool forked(qint64 pid, const QString &type)
{
    QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
    return cmdline.open(QIODevice::ReadOnly)
           && cmdline.readAll().split('\0').value(0).contains(QStringLiteral(" --name %1 ").arg(type).toUtf8());
}

qint64 hostPid(const DriverHostPool &pool, const QString &type)
{
    for (const DriverHostFigures &f : pool.figures()) {
        if (f.driverType == type)
            return f.pid;
    }
    return 0;
}

// A device of `type` loaded, connected and answering; its host's pid.
qint64 startDevice(DriverHostPool &pool, std::unique_ptr<DriverHandle> &handle, const QString &type,
                   const QString &code, const QString &device)
{
    handle.reset(pool.create(typed(type, code, device), nullptr));
    if (!wait([&](auto cb) { handle->load(cb); }).ok || !wait([&](auto cb) { handle->connectDevice(cb); }).ok)
        return 0;
    return QTest::qWaitFor([&] { return hostPid(pool, type) > 0; }, 5000) ? hostPid(pool, type) : 0;
}

} // namespace

class tst_HostLauncher : public QObject
{
    Q_OBJECT

private slots:
    void forkedHostIsOurChildAndServes();
    void crashReadsAsBefore();
    void environmentOfTheMomentReachesAHost();
    void killedLauncherCostsNothing();
    void hungLauncherMeansExec();
    void stoppedWhileForkingIsNotExecd();
    void switchedOffMeansExec();
    void cancelledRequestLeavesNothing();
    void noHostOutlivesAKilledController();
};

void tst_HostLauncher::forkedHostIsOurChildAndServes()
{
    qint64 pid = 0;
    {
        DriverHostPool pool(options());
        QVERIFY(pool.launcher());
        QVERIFY(!pool.launcher()->isRunning());   // started with the first host
        std::unique_ptr<DriverHandle> handle;
        pid = startDevice(pool, handle, QStringLiteral("echo"), echoDriver, QStringLiteral("e1"));
        QVERIFY(pid > 0);
        QVERIFY(pool.launcher()->isRunning());
        QCOMPARE(parentOf(pool.launcher()->pid()), QCoreApplication::applicationPid());
        QCOMPARE(parentOf(pid), QCoreApplication::applicationPid());
        QVERIFY2(forked(pid, QStringLiteral("echo")), qPrintable(ProcInfo::commandLine(pid)));
        // As ps shows it: like an exec'd host, with its own arguments.
        QVERIFY2(ProcInfo::commandLine(pid).endsWith(QStringLiteral("control-nuc-driverhost --name echo --fd 3 --interpreter")),
                 qPrintable(ProcInfo::commandLine(pid)));
        const CallResult r = wait([&](auto cb) { handle->sendCommand(QStringLiteral("a"), {}, cb); });
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.value.toObject().value(QStringLiteral("command")).toString(), QStringLiteral("a"));
        // The host has its own process group, as an exec'd one.
        QCOMPARE(::getpgid(pid_t(pid)), pid_t(pid));
        handle.reset();
    }
    // The pool's end killed and reaped it: not even a zombie is left.
    QVERIFY(!QFile::exists(QStringLiteral("/proc/%1").arg(pid)));
}

void tst_HostLauncher::crashReadsAsBefore()
{
    DriverHostPool pool(crashOptions());
    std::unique_ptr<DriverHandle> bad;
    std::unique_ptr<DriverHandle> good;
    const qint64 badPid = startDevice(pool, bad, QStringLiteral("crash"), thenableDriver, QStringLiteral("bad"));
    QVERIFY(startDevice(pool, good, QStringLiteral("echo"), echoDriver, QStringLiteral("good")) > 0);
    QVERIFY(forked(badPid, QStringLiteral("crash")));
    // A QProcess child of ours ends meanwhile: Qt's forkfd reaps only its
    // own children, the host's status stays ours to read.
    QProcess other;
    other.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("exit 7")});
    QSignalSpy stopped(bad.get(), &DriverHandle::stopped);
    CallResult crashed;
    bad->sendCommand(QStringLiteral("x"), {}, [&](const CallResult &r) { crashed = r; });
    QVERIFY(other.waitForFinished(5000));
    QCOMPARE(other.exitCode(), 7);
    QTRY_COMPARE(stopped.size(), 1);
    QCOMPARE(crashed.error, QStringLiteral("driver host crashed (SIGSEGV)"));
    QVERIFY(!QFile::exists(QStringLiteral("/proc/%1").arg(badPid)));   // reaped
    const CallResult r = wait([&](auto cb) { good->sendCommand(QStringLiteral("b"), {}, cb); });
    QVERIFY2(r.ok, qPrintable(r.error));
}

void tst_HostLauncher::environmentOfTheMomentReachesAHost()
{
    DriverHostPool pool(options());
    std::unique_ptr<DriverHandle> warm;
    QVERIFY(startDevice(pool, warm, QStringLiteral("echo"), echoDriver, QStringLiteral("w")) > 0);
    // Set after the launcher started (and forked a host already).
    // (Memfds allowed too: the JIT's code is counted by its memfd mappings.)
    qputenv("CONTROL_NUC_HOST_JIT", "1");
    qputenv("CONTROL_NUC_HOST_MEMFD", "1");
    const auto restore = qScopeGuard([] {
        qunsetenv("CONTROL_NUC_HOST_JIT");
        qunsetenv("CONTROL_NUC_HOST_MEMFD");
    });
    std::unique_ptr<DriverHandle> hot;
    const qint64 pid = startDevice(pool, hot, QStringLiteral("hot"), hotDriver, QStringLiteral("h"));
    QVERIFY(forked(pid, QStringLiteral("hot")));
    const int before = jitCodeMappings(pid);
    for (int i = 0; i < 5; ++i) {
        const CallResult r = wait([&](auto cb) { hot->sendCommand(QStringLiteral("run"), {}, cb); });
        QVERIFY2(r.ok, qPrintable(r.error));
    }
    QVERIFY2(jitCodeMappings(pid) > before, "the host ran without the JIT: it did not get CONTROL_NUC_HOST_JIT=1");
}

void tst_HostLauncher::killedLauncherCostsNothing()
{
    DriverHostPool pool(options());
    pool.launcher()->restartMinMs = 300;
    std::unique_ptr<DriverHandle> first;
    const qint64 firstPid = startDevice(pool, first, QStringLiteral("echo"), echoDriver, QStringLiteral("a"));
    QVERIFY(forked(firstPid, QStringLiteral("echo")));
    const qint64 launcherPid = pool.launcher()->pid();
    QVERIFY(launcherPid > 0);

    ::kill(pid_t(launcherPid), SIGKILL);
    // At once, before this process has seen the launcher end: exec'd.
    std::unique_ptr<DriverHandle> second;
    const qint64 secondPid = startDevice(pool, second, QStringLiteral("echo2"), echoDriver, QStringLiteral("b"));
    QVERIFY(secondPid > 0);
    QCOMPARE(parentOf(secondPid), QCoreApplication::applicationPid());
    QVERIFY(!forked(secondPid, QStringLiteral("echo2")));
    // The host forked before keeps answering.
    CallResult r = wait([&](auto cb) { first->sendCommand(QStringLiteral("still"), {}, cb); });
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(parentOf(firstPid), QCoreApplication::applicationPid());

    // A new launcher after the backoff; hosts are forked again.
    QTRY_VERIFY_WITH_TIMEOUT(pool.launcher()->isRunning() && pool.launcher()->pid() != launcherPid, 5000);
    std::unique_ptr<DriverHandle> third;
    const qint64 thirdPid = startDevice(pool, third, QStringLiteral("echo3"), echoDriver, QStringLiteral("c"));
    QVERIFY2(forked(thirdPid, QStringLiteral("echo3")), qPrintable(ProcInfo::commandLine(thirdPid)));
    r = wait([&](auto cb) { third->sendCommand(QStringLiteral("new"), {}, cb); });
    QVERIFY2(r.ok, qPrintable(r.error));
}

void tst_HostLauncher::hungLauncherMeansExec()
{
    DriverHostPool pool(options());
    pool.launcher()->answerTimeoutMs = 300;
    pool.launcher()->restartMinMs = 300;
    std::unique_ptr<DriverHandle> warm;
    QVERIFY(forked(startDevice(pool, warm, QStringLiteral("warm"), echoDriver, QStringLiteral("w")), QStringLiteral("warm")));
    const qint64 launcherPid = pool.launcher()->pid();
    const auto resume = qScopeGuard([&] { ::kill(pid_t(launcherPid), SIGCONT); });
    ::kill(pid_t(launcherPid), SIGSTOP);
    // The request is taken, never answered: after the timeout the host is
    // exec'd and gets the frames sent meanwhile (configure, start, load).
    QElapsedTimer took;
    took.start();
    std::unique_ptr<DriverHandle> handle;
    const qint64 pid = startDevice(pool, handle, QStringLiteral("echo"), echoDriver, QStringLiteral("h"));
    QVERIFY(pid > 0);
    QVERIFY(took.elapsed() < 5000);
    QVERIFY(!forked(pid, QStringLiteral("echo")));
    const CallResult r = wait([&](auto cb) { handle->sendCommand(QStringLiteral("late"), {}, cb); });
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.value.toObject().value(QStringLiteral("command")).toString(), QStringLiteral("late"));
    // The hung launcher was killed and a new one started.
    QTRY_VERIFY(!ProcInfo::isAlive(launcherPid));
    QTRY_VERIFY_WITH_TIMEOUT(pool.launcher()->isRunning() && pool.launcher()->pid() != launcherPid, 5000);
}

void tst_HostLauncher::stoppedWhileForkingIsNotExecd()
{
    // A host stopped before the launcher answered is not started the other
    // way when the launcher then fails: it ends as stopped, nothing exec'd.
    DriverHostPool pool(options());
    pool.launcher()->answerTimeoutMs = 300;
    std::unique_ptr<DriverHandle> warm;
    QVERIFY(forked(startDevice(pool, warm, QStringLiteral("warm"), echoDriver, QStringLiteral("w")), QStringLiteral("warm")));
    const qint64 launcherPid = pool.launcher()->pid();
    const auto resume = qScopeGuard([&] { ::kill(pid_t(launcherPid), SIGCONT); });
    ::kill(pid_t(launcherPid), SIGSTOP);
    DriverHostOptions o = options();
    o.name = QStringLiteral("unwanted");
    o.launcher = pool.launcher();
    DriverHostProcess host(o);
    QSignalSpy stopped(&host, &DriverHostProcess::stopped);
    QSignalSpy died(&host, &DriverHostProcess::died);
    QString error;
    QVERIFY2(host.start(&error), qPrintable(error));
    QTest::failOnWarning(QRegularExpression(QStringLiteral("unwanted not forked")));
    host.stop();
    QVERIFY(stopped.wait(5000));
    QCOMPARE(died.count(), 0);
    QVERIFY(!host.isRunning());
}

void tst_HostLauncher::switchedOffMeansExec()
{
    qputenv("CONTROL_NUC_HOST_LAUNCHER", "0");
    const auto restore = qScopeGuard([] { qunsetenv("CONTROL_NUC_HOST_LAUNCHER"); });
    DriverHostPool pool(options());
    QVERIFY(!pool.launcher());
    std::unique_ptr<DriverHandle> handle;
    const qint64 pid = startDevice(pool, handle, QStringLiteral("echo"), echoDriver, QStringLiteral("x"));
    QVERIFY(pid > 0);
    QVERIFY(!forked(pid, QStringLiteral("echo")));
    QVERIFY(ProcInfo::commandLine(pid).contains(QStringLiteral("--name echo")));
}

// Children of this process in any state, zombies included.
QList<qint64> allChildren()
{
    QList<qint64> children;
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool numeric = false;
        const qint64 pid = entry.toLongLong(&numeric);
        if (numeric && parentOf(pid) == QCoreApplication::applicationPid())
            children << pid;
    }
    return children;
}

void tst_HostLauncher::cancelledRequestLeavesNothing()
{
    // The caller of a request went before its answer (a DriverHostProcess
    // deleted while its host was being forked): the launcher ends the host.
    HostLauncher launcher(QStringLiteral(NUC_DRIVERHOST_BUILD_PATH));
    launcher.start();
    QVERIFY(launcher.isRunning());
    const QList<qint64> before = allChildren();
    int fds[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    const auto closeOurs = qScopeGuard([&] { ::close(fds[0]); });
    bool answered = false;
    const quint32 request = launcher.spawn({QStringLiteral("--name"), QStringLiteral("stray"), QStringLiteral("--fd"),
                                            QStringLiteral("3")},
                                           fds[1], [&](qint64, const QString &) { answered = true; });
    ::close(fds[1]);
    QVERIFY(request > 0);
    launcher.cancel(request);
    // Our end reads end of file once no process holds the host's end: the
    // launcher, its intermediate and the host itself are done with it.
    const auto linkClosed = [&] {
        pollfd p{fds[0], POLLIN, 0};
        char buffer[4096];
        return ::poll(&p, 1, 0) == 1 && ::recv(fds[0], buffer, sizeof buffer, MSG_DONTWAIT) == 0;
    };
    QTRY_VERIFY_WITH_TIMEOUT(linkClosed(), 5000);
    // ... and it was reaped: no child of ours left but the launcher.
    QTRY_COMPARE(allChildren().size(), before.size());
    QVERIFY(!answered);
}

// The stand-in controller of noHostOutlivesAKilledController: a pool (and
// so a launcher) with one forked host; prints the launcher's and the host's
// pid, and waits to be killed.
static int standInMain()
{
    DriverHostPool pool(options());
    std::unique_ptr<DriverHandle> handle;
    const qint64 pid = startDevice(pool, handle, QStringLiteral("echo"), echoDriver, QStringLiteral("s"));
    if (pid <= 0 || !pool.launcher())
        return 1;
    std::printf("%lld %lld\n", pool.launcher()->pid(), pid);
    std::fflush(stdout);
    QEventLoop loop;
    QTimer::singleShot(30000, &loop, &QEventLoop::quit);
    loop.exec();
    return 0;
}

void tst_HostLauncher::noHostOutlivesAKilledController()
{
    QProcess standIn;
    standIn.setProgram(QCoreApplication::applicationFilePath());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("NUC_TEST_STANDIN"), QStringLiteral("1"));
    standIn.setProcessEnvironment(env);
    standIn.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    standIn.start();
    QVERIFY(standIn.waitForStarted());
    QVERIFY(standIn.waitForReadyRead(15000));
    const QList<QByteArray> pids = standIn.readLine().trimmed().split(' ');
    QCOMPARE(pids.size(), 2);
    const qint64 launcher = pids.at(0).toLongLong();
    const qint64 host = pids.at(1).toLongLong();
    QCOMPARE(parentOf(launcher), standIn.processId());
    QCOMPARE(parentOf(host), standIn.processId());
    QVERIFY(forked(host, QStringLiteral("echo")));
    // Stopped, neither can read its link closing: only PR_SET_PDEATHSIG
    // (SIGKILL ends a stopped process too) gets them out of the way. This
    // process adopts them (a subreaper, in the same session): init would
    // make their process groups orphaned, and the kernel sends an orphaned
    // group with a stopped member SIGHUP, which would end them anyway.
    QCOMPARE(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    const auto leftovers = qScopeGuard([&] {
        for (qint64 pid : {host, launcher}) {
            ::kill(pid_t(pid), SIGKILL);
            ::waitpid(pid_t(pid), nullptr, 0);
        }
    });
    ::kill(pid_t(host), SIGSTOP);
    ::kill(pid_t(launcher), SIGSTOP);
    QTRY_COMPARE(ProcInfo::statFields(host).value(0), QByteArray("T"));
    QTRY_COMPARE(ProcInfo::statFields(launcher).value(0), QByteArray("T"));
    ::kill(pid_t(standIn.processId()), SIGKILL);
    QVERIFY(standIn.waitForFinished(5000));
    QTRY_VERIFY_WITH_TIMEOUT(!ProcInfo::isAlive(host), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!ProcInfo::isAlive(launcher), 5000);
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsSet("NUC_TEST_STANDIN"))
        return standInMain();
    tst_HostLauncher test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_hostlauncher.moc"
