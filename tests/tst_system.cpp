// Appliance logic: safe mode from simulated crash counts (and what it does
// to the controller), and readiness/watchdog notifications to a fake
// systemd (NOTIFY_SOCKET), the audit log's size cap, and one control-nuc
// process per root (the real binary).
#include "controller/controller.h"
#include "controller/devicemessages.h"
#include "devices/devicemanager.h"
#include "sync/syncauditlog.h"
#include "system/safemode.h"
#include "system/stallmonitor.h"
#include "system/systemdnotifier.h"

#include <QDir>
#include <QFile>
#include <QLockFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QThread>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

class tst_System : public QObject
{
    Q_OBJECT

private slots:
    void cleanRunsNeverEnterSafeMode();
    void crashesInTheWindowEnterSafeMode();
    void oldCrashesDoNotCount();
    void safeModeStaysUntilCleared();
    void powerCutsAreNotCrashes();
    void controllerInSafeModeHoldsDevices();
    void readyAndWatchdogReachSystemd();
    void noSystemdNoNoise();
    void auditLogIsCapped();
    void oneProcessPerRoot();
    void stallsOfTheMainThreadAreLogged();

private:
    QTemporaryDir m_dir;
};

void tst_System::cleanRunsNeverEnterSafeMode()
{
    const QString file = m_dir.filePath(QStringLiteral("clean.json"));
    const QDateTime t0 = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < 10; ++i) {
        SafeMode s(file, 3, 600);
        QCOMPARE(s.begin(t0.addSecs(i)), QString());
        QVERIFY(!s.active());
        QCOMPARE(s.recentCrashes(), 0);
        s.endCleanly();
    }
}

void tst_System::crashesInTheWindowEnterSafeMode()
{
    const QString file = m_dir.filePath(QStringLiteral("crashy.json"));
    const QDateTime t0 = QDateTime::currentDateTimeUtc();
    // Three runs that never end cleanly: the 4th start sees 3 crashes.
    for (int run = 0; run < 3; ++run) {
        SafeMode s(file, 3, 600);
        QCOMPARE(s.begin(t0.addSecs(run * 10)), QString());
        QCOMPARE(s.recentCrashes(), run);
        QVERIFY(!s.active());
        // ... no endCleanly(): a crash
    }
    SafeMode s(file, 3, 600);
    QCOMPARE(s.begin(t0.addSecs(40)), QString());
    QCOMPARE(s.recentCrashes(), 3);
    QVERIFY(s.active());
}

void tst_System::oldCrashesDoNotCount()
{
    const QString file = m_dir.filePath(QStringLiteral("slow.json"));
    const QDateTime t0 = QDateTime::currentDateTimeUtc();
    // One crash every 20 minutes: never three within 10 minutes.
    for (int run = 0; run < 6; ++run) {
        SafeMode s(file, 3, 600);
        QCOMPARE(s.begin(t0.addSecs(run * 1200)), QString());
        QVERIFY2(!s.active(), qPrintable(QString::number(run)));
        QVERIFY(s.recentCrashes() <= 1);
    }
}

void tst_System::powerCutsAreNotCrashes()
{
    const QString file = m_dir.filePath(QStringLiteral("power.json"));
    const QDateTime t0 = QDateTime::currentDateTimeUtc();
    // Three power blips in ten minutes: each run ends with its boot.
    for (int run = 0; run < 4; ++run) {
        SafeMode s(file, 3, 600, QStringLiteral("boot-%1").arg(run));
        QCOMPARE(s.begin(t0.addSecs(run * 60)), QString());
        QCOMPARE(s.recentCrashes(), 0);
        QVERIFY(!s.active());
    }
    // Killed within one boot (OOM killer, watchdog, SIGKILL): counted.
    for (int run = 0; run < 3; ++run) {
        SafeMode s(file, 3, 600, QStringLiteral("boot-same"));
        s.begin(t0.addSecs(300 + run * 10));
    }
    SafeMode s(file, 3, 600, QStringLiteral("boot-same"));
    s.begin(t0.addSecs(340));
    QCOMPARE(s.recentCrashes(), 3);
    QVERIFY(s.active());
    QCOMPARE(s.reason(), QStringLiteral("the controller crashed 3 times within 10 minutes"));
}

void tst_System::safeModeStaysUntilCleared()
{
    const QString file = m_dir.filePath(QStringLiteral("sticky.json"));
    const QDateTime t0 = QDateTime::currentDateTimeUtc();
    for (int run = 0; run < 4; ++run) {
        SafeMode s(file, 3, 600);
        s.begin(t0.addSecs(run));
    }
    {
        // Clean runs, hours later: still in safe mode until a technician acts.
        SafeMode s(file, 3, 600);
        s.begin(t0.addSecs(7200));
        QVERIFY(s.active());
        s.endCleanly();
    }
    {
        SafeMode s(file, 3, 600);
        s.begin(t0.addSecs(7300));
        QVERIFY(s.active());
        s.clear();
        QVERIFY(!s.active());
        s.endCleanly();
    }
    SafeMode s(file, 3, 600);
    s.begin(t0.addSecs(7400));
    QVERIFY(!s.active());
    QCOMPARE(s.recentCrashes(), 0);
}

void tst_System::controllerInSafeModeHoldsDevices()
{
    const QString root = m_dir.filePath(QStringLiteral("root"));
    QVERIFY(QDir().mkpath(root + QStringLiteral("/var")));
    // Three unclean ends in the last minutes, as written by earlier runs.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QJsonArray crashes;
    for (int i = 1; i <= 2; ++i)
        crashes.append(now.addSecs(-60 * i).toString(Qt::ISODateWithMs));
    QFile state(root + QStringLiteral("/var/run-state.json"));
    QVERIFY(state.open(QIODevice::WriteOnly));
    state.write(QJsonDocument(QJsonObject{{QStringLiteral("running"), true},
                                          {QStringLiteral("started_at"), now.addSecs(-10).toString(Qt::ISODateWithMs)},
                                          {QStringLiteral("crashes"), crashes}})
                    .toJson());
    state.close();

    Config config;
    config.root = root;
    config.controllerId = QStringLiteral("safe-1");
    {
        Controller controller(config);
        QCOMPARE(controller.start(), QString());
        QVERIFY(controller.safeMode());
        QCOMPARE(controller.recentCrashes(), 3);
        const QJsonObject hello = controller.hello().data;
        QCOMPARE(hello.value(QStringLiteral("safe_mode")).toObject().value(QStringLiteral("active")).toBool(), true);
        QCOMPARE(hello.value(QStringLiteral("safe_mode")).toObject().value(QStringLiteral("recent_crashes")).toInt(), 3);

        // A device provisioned now is held: no driver instance, a clear reason.
        controller.deviceMessages()->handleDeviceSync(QJsonObject{
            {QStringLiteral("devices"), QJsonArray{QJsonObject{{QStringLiteral("device_id"), QStringLiteral("d1")},
                                                                {QStringLiteral("type"), QStringLiteral("some_driver")}}}}});
        QVERIFY(QTest::qWaitFor([&] {
            const Device *d = controller.deviceManager()->device(QStringLiteral("d1"));
            return d && d->status() == u"disconnected";
        }, 3000));
        QVERIFY(controller.deviceManager()->device(QStringLiteral("d1"))->message().startsWith(u"safe mode: drivers stopped"));

        // The technician re-enables the drivers: the device starts (and here
        // reports its missing driver, which proves it ran).
        controller.enableDrivers();
        QVERIFY(!controller.safeMode());
        QVERIFY(QTest::qWaitFor([&] {
            return controller.deviceManager()->device(QStringLiteral("d1"))->message() == u"driver not installed: some_driver";
        }, 3000));
        controller.shutdownCleanly();
    }
    // Next start: clean, not in safe mode.
    Controller again(config);
    QCOMPARE(again.start(), QString());
    QVERIFY(!again.safeMode());
    again.shutdownCleanly();
}

namespace {

struct FakeSystemd
{
    int fd = -1;
    QString path;
    QStringList received;

    bool open(const QString &socketPath)
    {
        path = socketPath;
        fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_un addr {};
        addr.sun_family = AF_UNIX;
        const QByteArray native = QFile::encodeName(path);
        std::memcpy(addr.sun_path, native.constData(), size_t(native.size()));
        return fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0;
    }
    void drain()
    {
        char buf[4096];
        for (;;) {
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0)
                break;
            received << QString::fromUtf8(buf, int(n));
        }
    }
    ~FakeSystemd()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

} // namespace

void tst_System::readyAndWatchdogReachSystemd()
{
    FakeSystemd systemd;
    QVERIFY(systemd.open(m_dir.filePath(QStringLiteral("notify.sock"))));
    qputenv("NOTIFY_SOCKET", QFile::encodeName(systemd.path));
    qputenv("WATCHDOG_USEC", "200000");   // 200 ms: pings every 100 ms
    qputenv("WATCHDOG_PID", QByteArray::number(::getpid()));

    SystemdNotifier notifier;
    notifier.ready(QStringLiteral("running"));
    QVERIFY(notifier.watchdogEnabled());
    QCOMPARE(notifier.watchdogIntervalMs(), 100);
    // The pings come from this (the main) thread's event loop.
    QVERIFY(QTest::qWaitFor([&] {
        systemd.drain();
        return systemd.received.count(QStringLiteral("WATCHDOG=1")) >= 4;
    }, 2000));
    QCOMPARE(systemd.received.first(), QStringLiteral("READY=1\nSTATUS=running"));
    // A blocked event loop stops the pings: what lets systemd restart a frozen UI.
    systemd.drain();
    systemd.received.clear();
    QThread::msleep(350);
    systemd.drain();
    QVERIFY(systemd.received.count(QStringLiteral("WATCHDOG=1")) <= 1);

    notifier.stopping();
    systemd.drain();
    QVERIFY(systemd.received.contains(QStringLiteral("STOPPING=1")));
    qunsetenv("NOTIFY_SOCKET");
    qunsetenv("WATCHDOG_USEC");
    qunsetenv("WATCHDOG_PID");
}

void tst_System::noSystemdNoNoise()
{
    qunsetenv("NOTIFY_SOCKET");
    qunsetenv("WATCHDOG_USEC");
    SystemdNotifier notifier;
    notifier.ready();
    QVERIFY(!notifier.watchdogEnabled());
}

void tst_System::auditLogIsCapped()
{
    const QString path = m_dir.filePath(QStringLiteral("driver-sync.log"));
    SyncAuditLog log(path, 2000, 2);
    for (int i = 0; i < 200; ++i)
        QVERIFY(log.append({QStringLiteral("s%1").arg(i), QStringLiteral("t"), QStringLiteral("1"), QStringLiteral("completed"), 1.0, {}}));
    QVERIFY(QFileInfo(path).size() <= 2000 + 200);
    QVERIFY(QFile::exists(path + QStringLiteral(".1")));
    QVERIFY(QFile::exists(path + QStringLiteral(".2")));
    QVERIFY(!QFile::exists(path + QStringLiteral(".3")));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().contains("sync_id=\"s199\""));   // the newest line is kept
}

namespace {

qint64 lockHolder(const QString &lockPath)
{
    qint64 pid = 0;
    QString host;
    QString app;
    return QLockFile(lockPath).getLockInfo(&pid, &host, &app) ? pid : 0;
}

} // namespace

void tst_System::oneProcessPerRoot()
{
    const QString root = m_dir.filePath(QStringLiteral("shared-root"));
    const QString runState = root + QStringLiteral("/var/run-state.json");
    const QString lock = root + QStringLiteral("/var/control-nuc.lock");
    const QStringList args{QStringLiteral("--headless"), QStringLiteral("--root"), root,
                           QStringLiteral("--log-level"), QStringLiteral("warning")};
    QProcess first;
    first.start(QStringLiteral(CONTROL_NUC_BINARY), args);
    QVERIFY(first.waitForStarted(5000));
    QVERIFY(QTest::qWaitFor([&] { return QFile::exists(runState) && lockHolder(lock) == first.processId(); }, 15000));
    QFile stateFile(runState);
    QVERIFY(stateFile.open(QIODevice::ReadOnly));
    const QByteArray stateBefore = stateFile.readAll();
    stateFile.close();

    // A second one on the same root: status 2, one line naming the root and
    // the holder, and the first one's run state untouched.
    QProcess second;
    second.start(QStringLiteral(CONTROL_NUC_BINARY), args);
    QVERIFY(second.waitForFinished(10000));
    QCOMPARE(second.exitStatus(), QProcess::NormalExit);
    QCOMPARE(second.exitCode(), 2);
    const QString err = QString::fromLocal8Bit(second.readAllStandardError());
    QCOMPARE(err.count(QLatin1Char('\n')), 1);
    QVERIFY2(err.contains(QStringLiteral("the root %1 is in use by another control-nuc (pid %2")
                              .arg(QDir::cleanPath(root)).arg(first.processId())),
             qPrintable(err));
    QVERIFY(stateFile.open(QIODevice::ReadOnly));
    QCOMPARE(stateFile.readAll(), stateBefore);
    stateFile.close();
    QCOMPARE(first.state(), QProcess::Running);

    // The first one killed: its lock is stale, the next start takes it over.
    ::kill(pid_t(first.processId()), SIGKILL);
    QVERIFY(first.waitForFinished(5000));
    QVERIFY(QFile::exists(lock));
    QProcess third;
    third.start(QStringLiteral(CONTROL_NUC_BINARY), args);
    QVERIFY(third.waitForStarted(5000));
    QVERIFY2(QTest::qWaitFor([&] { return lockHolder(lock) == third.processId() || third.state() != QProcess::Running; },
                             15000) && third.state() == QProcess::Running,
             third.readAllStandardError().constData());
    third.kill();
    QVERIFY(third.waitForFinished(5000));
}

void tst_System::stallsOfTheMainThreadAreLogged()
{
    // Thresholds well above a loaded machine's scheduling gaps; counts are
    // taken from a baseline, not assumed zero.
    StallMonitor monitor(400, 20);
    QSignalSpy stalled(&monitor, &StallMonitor::stalled);

    // The main thread blocked for 900 ms: a stall of about that length, logged.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral(
        "^the main thread \\(dashboard and cloud link\\) did not run for \\d+ ms$")));
    const qsizetype before = stalled.count();
    QThread::msleep(900);
    QTRY_COMPARE(stalled.count(), before + 1);
    QVERIFY2(stalled.last().at(0).toLongLong() >= 800, qPrintable(stalled.last().at(0).toString()));
    QVERIFY(monitor.longestMs() >= stalled.last().at(0).toLongLong());

    // A second one right after is not logged alone: it waits for the summary.
    QTest::failOnWarning(QRegularExpression(QStringLiteral("did not run for")));
    const qsizetype second = stalled.count();
    QThread::msleep(700);
    QTRY_COMPARE(stalled.count(), second + 1);
    QCOMPARE(monitor.stalls(), int(stalled.count()));
}

QTEST_GUILESS_MAIN(tst_System)
#include "tst_system.moc"
