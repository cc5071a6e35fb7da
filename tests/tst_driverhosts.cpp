// Containment: driver code runs in driver host processes. Real processes and
// real signals: a driver that segfaults its host, one that outgrows the
// memory limit, a hung host, a killed host; the other type's devices keep
// answering; quarantine; the validator host; no host outlives its controller.
#include "hosts/driverhostpool.h"
#include "hosts/driverhostprocess.h"
#include "hosts/hostcgroups.h"
#include "hosts/hosteddriverinstance.h"
#include "hosts/hostvalidator.h"
#include "hosttesthelpers.h"
#include "runtimetesthelpers.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <QScopeGuard>

#include <memory>

using HostTest::echoDriver;
using HostTest::hotDriver;
using HostTest::jitCodeMappings;
using HostTest::options;
using HostTest::crashOptions;
using HostTest::thenableDriver;
using HostTest::typed;
using RuntimeTest::wait;

namespace {

// Pushes the host's limits: timers, nesting, log lines.
const QString greedyDriver = QStringLiteral(R"JS(const BaseDriver = require('./base-driver');
function nested(depth) { let o = {}; for (let i = 0; i < depth; ++i) o = { o: o }; return o; }
class Greedy extends BaseDriver {
  connect() { return Promise.resolve(); }
  sendCommand(command) {
    if (command === 'timers') {
      let n = 0;
      try { for (; n < 200000; ++n) setTimeout(function () {}, 100000); }
      catch (e) { return Promise.resolve(n + ' ' + e.name + ': ' + e.message); }
      return Promise.resolve(n + ' no error');
    }
    if (command === 'deepState') {
      try { this.setState(nested(20000)); return Promise.resolve('accepted'); }
      catch (e) { return Promise.resolve(e.name + ': ' + e.message); }
    }
    if (command === 'deepResult') return Promise.resolve(nested(20000));
    if (command === 'logs') { for (let i = 0; i < 5000; ++i) console.log('line ' + i); return Promise.resolve('logged'); }
    return Promise.resolve('alive');
  }
}
module.exports = Greedy;
)JS");

// Looks for the host's internals on the global object, calls whatever it
// finds, and then loops.
const QString probingDriver = QStringLiteral(R"JS(const BaseDriver = require('./base-driver');
class Probe extends BaseDriver {
  connect() { return Promise.resolve(); }
  sendCommand(command) {
    const names = Object.getOwnPropertyNames(globalThis).filter(function (n) { return /^__nuc|Host|host/.test(n); });
    if (command === 'names') return Promise.resolve(names.sort().join(','));
    for (const n of names) {
      try { const v = globalThis[n]; if (typeof v === 'function') v(1, {}, 'sendCommand', []); } catch (e) {}
      try { const v = globalThis[n]; if (v && typeof v.leaveReaction === 'function') v.leaveReaction(); } catch (e) {}
    }
    try { BaseDriver.__attachHost(null, null); } catch (e) {}
    while (true) {}
  }
}
module.exports = Probe;
)JS");

// Leaks about 4 MB every 20 ms from a timer: each callback is short.
const QString leakDriver = QStringLiteral(R"JS(const BaseDriver = require('./base-driver');
const kept = [];
class Leak extends BaseDriver {
  connect() {
    setInterval(function () { for (let i = 0; i < 64; ++i) kept.push(new Array(8192).fill(i)); }, 20);
    return Promise.resolve();
  }
}
module.exports = Leak;
)JS");

// Mappings of Qt's memfds for engines' heaps and stacks in a process.
int engineMemfdMappings(qint64 pid)
{
    QFile maps(QStringLiteral("/proc/%1/maps").arg(pid));
    if (!maps.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray text = maps.readAll();
    return int(text.count("memfd:JSGCHeap") + text.count("memfd:JSVMStack"));
}

bool processExists(qint64 pid)
{
    // A zombie (ended, not yet reaped by its parent) counts as gone.
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    return pid > 0 && status.open(QIODevice::ReadOnly) && !status.readAll().contains("State:	Z");
}

} // namespace

class tst_DriverHosts : public QObject
{
    Q_OBJECT

private slots:
    void instanceRunsInAHostProcess();
    void segfaultEndsOnlyItsHost();
    void memoryLimitEndsTheHost();
    void limitsInsideTheHost();
    void killedHostIsReportedAndReplaced();
    void internalsAreOutOfReach();
    void repeatedFailuresQuarantine();
    void validatorHostValidatesAndSurvivesACrash();
    void validationOverlapsOtherCalls();
    void hostEndsWhenTheControllerGoes();
    void aMissingProgramIsReported();
    void cgroupPathsAreRead();
    void cgroupBookkeeping();
    void deviceHostsRunInterpreted_data();
    void deviceHostsRunInterpreted();
    void deviceHostEnginesUseAnonymousMemory_data();
    void deviceHostEnginesUseAnonymousMemory();
};

void tst_DriverHosts::instanceRunsInAHostProcess()
{
    DriverHostPool pool(options());
    std::unique_ptr<DriverHandle> handle(pool.create(typed(QStringLiteral("echo"), echoDriver, QStringLiteral("d1")), nullptr));
    QSignalSpy state(handle.get(), &DriverHandle::stateChanged);
    QVERIFY(wait([&](auto cb) { handle->load(cb); }).ok);
    QVERIFY(wait([&](auto cb) { handle->connectDevice(cb); }).ok);
    QTRY_COMPARE(state.size(), 1);
    QCOMPARE(state.at(0).at(0).toJsonObject().value(QStringLiteral("power")).toString(), QStringLiteral("on"));
    const CallResult r = wait([&](auto cb) { handle->sendCommand(QStringLiteral("hello"), {{QStringLiteral("a"), 1}}, cb); });
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.value.toObject().value(QStringLiteral("command")).toString(), QStringLiteral("hello"));

    // Per-device figures arrive with the host's next answer to a ping.
    QTRY_VERIFY(!pool.figures().isEmpty() && !pool.figures().first().deviceFigures.isEmpty()
                && pool.figures().first().deviceFigures.first().toObject().value(QStringLiteral("calls")).toInt() == 3);
    const QJsonObject device = pool.figures().first().deviceFigures.first().toObject();
    QCOMPARE(device.value(QStringLiteral("device_id")).toString(), QStringLiteral("d1"));
    QCOMPARE(device.value(QStringLiteral("errors")).toInt(), 0);
    QVERIFY(device.value(QStringLiteral("call_ms_p99")).toDouble() >= device.value(QStringLiteral("call_ms_p50")).toDouble());
    QTRY_VERIFY(pool.figures().first().residentBytes > 1024 * 1024);
    const QList<DriverHostFigures> figures = pool.figures();
    QCOMPARE(figures.size(), 1);
    QVERIFY(figures.first().pid > 0);
    QVERIFY(figures.first().pid != QCoreApplication::applicationPid());
    QCOMPARE(figures.first().devices, 1);

    QSignalSpy stopped(handle.get(), &DriverHandle::stopped);
    handle->stop();
    QTRY_COMPARE(stopped.size(), 1);
}

void tst_DriverHosts::segfaultEndsOnlyItsHost()
{
    DriverHostPool pool(crashOptions());
    std::unique_ptr<DriverHandle> bad(pool.create(typed(QStringLiteral("thenable"), thenableDriver, QStringLiteral("bad")), nullptr));
    std::unique_ptr<DriverHandle> good(pool.create(typed(QStringLiteral("echo"), echoDriver, QStringLiteral("good")), nullptr));
    QVERIFY(wait([&](auto cb) { bad->load(cb); }).ok);
    QVERIFY(wait([&](auto cb) { good->load(cb); }).ok);
    QVERIFY(wait([&](auto cb) { bad->connectDevice(cb); }).ok);
    QVERIFY(wait([&](auto cb) { good->connectDevice(cb); }).ok);

    QSignalSpy faulted(bad.get(), &DriverHandle::faulted);
    QSignalSpy stopped(bad.get(), &DriverHandle::stopped);
    QSignalSpy failed(&pool, &DriverHostPool::hostFailed);
    int answers = 0;
    CallResult crashed;
    bad->sendCommand(QStringLiteral("x"), {}, [&](const CallResult &r) { ++answers; crashed = r; });
    QTRY_COMPARE(stopped.size(), 1);
    QCOMPARE(answers, 1);
    QVERIFY(!crashed.ok);
    QCOMPARE(crashed.error, QStringLiteral("driver host crashed (SIGSEGV)"));
    QCOMPARE(faulted.size(), 1);
    QCOMPARE(faulted.at(0).at(0).toString(), QStringLiteral("driver host crashed (SIGSEGV)"));
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("thenable"));

    // The other type's device never noticed.
    const CallResult r = wait([&](auto cb) { good->sendCommand(QStringLiteral("still"), {}, cb); });
    QVERIFY2(r.ok, qPrintable(r.error));
    QVERIFY(!pool.isQuarantined(QStringLiteral("thenable")));
}

void tst_DriverHosts::memoryLimitEndsTheHost()
{
    DriverHostOptions o = crashOptions();
    o.memoryBaseBytes = 96ll << 20;
    o.memoryPerDeviceBytes = 0;
    DriverHostPool pool(o);
    std::unique_ptr<DriverHandle> leak(pool.create(typed(QStringLiteral("leak"), leakDriver, QStringLiteral("leaky")), nullptr));
    QSignalSpy faulted(leak.get(), &DriverHandle::faulted);
    QVERIFY(wait([&](auto cb) { leak->load(cb); }).ok);
    QVERIFY(wait([&](auto cb) { leak->connectDevice(cb); }).ok);
    QTRY_COMPARE_WITH_TIMEOUT(faulted.size(), 1, 20000);
    QCOMPARE(faulted.at(0).at(0).toString(), QStringLiteral("driver host exceeded its memory limit of 96 MiB"));
}

void tst_DriverHosts::limitsInsideTheHost()
{
    DriverHostOptions o = options();
    o.runtime.maxPendingTimers = 1000;
    DriverHostPool pool(o);
    std::unique_ptr<DriverHandle> greedy(pool.create(typed(QStringLiteral("greedy"), greedyDriver, QStringLiteral("g")), nullptr));
    QVERIFY(wait([&](auto cb) { greedy->load(cb); }).ok);
    QVERIFY(wait([&](auto cb) { greedy->connectDevice(cb); }).ok);
    auto command = [&](const QString &name) { return wait([&](auto cb) { greedy->sendCommand(name, {}, cb); }); };

    CallResult r = command(QStringLiteral("timers"));
    QCOMPARE(r.value.toString(), QStringLiteral("1000 RangeError: too many pending timers (limit: 1000 per device)"));
    r = command(QStringLiteral("deepState"));
    QCOMPARE(r.value.toString(),
             QStringLiteral("RangeError: setState: value is nested deeper than 100 levels (or refers to itself)"));
    r = command(QStringLiteral("deepResult"));
    QVERIFY(!r.ok);
    QCOMPARE(r.error, QStringLiteral("the driver's result was refused: value is nested deeper than 100 levels "
                                     "(or refers to itself)"));
    QCOMPARE(command(QStringLiteral("logs")).value.toString(), QStringLiteral("logged"));
    // The host survived all of it.
    QCOMPARE(command(QStringLiteral("ping")).value.toString(), QStringLiteral("alive"));
    QCOMPARE(pool.figures().first().restarts, 0);
}

void tst_DriverHosts::killedHostIsReportedAndReplaced()
{
    DriverHostPool pool(options());
    std::unique_ptr<DriverHandle> first(pool.create(typed(QStringLiteral("echo"), echoDriver, QStringLiteral("k1")), nullptr));
    QVERIFY(wait([&](auto cb) { first->load(cb); }).ok);
    const qint64 pid = pool.figures().first().pid;
    QSignalSpy faulted(first.get(), &DriverHandle::faulted);
    ::kill(pid_t(pid), SIGKILL);
    QTRY_COMPARE(faulted.size(), 1);
    QCOMPARE(faulted.at(0).at(0).toString(), QStringLiteral("driver host crashed (SIGKILL)"));

    // The next instance of the type gets a new host.
    std::unique_ptr<DriverHandle> second(pool.create(typed(QStringLiteral("echo"), echoDriver, QStringLiteral("k1")), nullptr));
    QVERIFY(wait([&](auto cb) { second->load(cb); }).ok);
    QVERIFY(pool.figures().first().pid != pid);
    QCOMPARE(pool.figures().first().restarts, 1);
}

void tst_DriverHosts::internalsAreOutOfReach()
{
    DriverHostPool pool(options());
    std::unique_ptr<DriverHandle> probe(pool.create(typed(QStringLiteral("probe"), probingDriver, QStringLiteral("p")), nullptr));
    std::unique_ptr<DriverHandle> good(pool.create(typed(QStringLiteral("echo"), echoDriver, QStringLiteral("e")), nullptr));
    for (DriverHandle *h : {probe.get(), good.get()}) {
        QVERIFY(wait([&](auto cb) { h->load(cb); }).ok);
        QVERIFY(wait([&](auto cb) { h->connectDevice(cb); }).ok);
    }
    // Only the data and the down-levelling helpers carry the prefix; none
    // of them can settle a call, leave the watchdog or open a transport.
    const QString names = wait([&](auto cb) { probe->sendCommand(QStringLiteral("names"), {}, cb); }).value.toString();
    QVERIFY2(!names.contains(QStringLiteral("__nucHost")) && !names.contains(QStringLiteral("__nucInvoke"))
                 && !names.contains(QStringLiteral("__nucTransports")) && !names.contains(QStringLiteral("__nucConstruct")),
             qPrintable(names));

    QSignalSpy faulted(probe.get(), &DriverHandle::faulted);
    const CallResult r = wait([&](auto cb) { probe->sendCommand(QStringLiteral("probe"), {}, cb); }, 10000);
    QVERIFY(!r.ok);
    QVERIFY2(r.error.startsWith(QStringLiteral("watchdog:")), qPrintable(r.error));
    QTRY_COMPARE(faulted.size(), 1);
    const CallResult other = wait([&](auto cb) { good->sendCommand(QStringLiteral("x"), {}, cb); });
    QVERIFY2(other.ok, qPrintable(other.error));
    QCOMPARE(pool.figures().size(), 2);
    for (const DriverHostFigures &f : pool.figures())
        QCOMPARE(f.restarts, 0);
}

void tst_DriverHosts::repeatedFailuresQuarantine()
{
    DriverHostPool pool(crashOptions());
    pool.setFailureRule(3, 60000);
    QSignalSpy quarantine(&pool, &DriverHostPool::quarantineChanged);
    for (int i = 0; i < 3; ++i) {
        std::unique_ptr<DriverHandle> bad(pool.create(typed(QStringLiteral("thenable"), thenableDriver, QStringLiteral("q")), nullptr));
        QVERIFY(wait([&](auto cb) { bad->load(cb); }).ok);
        const CallResult r = wait([&](auto cb) { bad->sendCommand(QStringLiteral("x"), {}, cb); });
        QCOMPARE(r.error, QStringLiteral("driver host crashed (SIGSEGV)"));
    }
    QCOMPARE(quarantine.size(), 1);
    QCOMPARE(pool.quarantined(), QStringList{QStringLiteral("thenable")});
    std::unique_ptr<DriverHandle> refused(pool.create(typed(QStringLiteral("thenable"), thenableDriver, QStringLiteral("q")), nullptr));
    const CallResult r = wait([&](auto cb) { refused->load(cb); });
    QVERIFY(!r.ok);
    QVERIFY2(r.error.contains(QStringLiteral("quarantined")), qPrintable(r.error));

    QVERIFY(pool.clearQuarantine(QStringLiteral("thenable")));
    QVERIFY(pool.quarantined().isEmpty());
    std::unique_ptr<DriverHandle> again(pool.create(typed(QStringLiteral("thenable"), thenableDriver, QStringLiteral("q")), nullptr));
    QVERIFY(wait([&](auto cb) { again->load(cb); }).ok);
}

void tst_DriverHosts::validatorHostValidatesAndSurvivesACrash()
{
    HostValidator validator(options(), 5000);
    validator.prepare();
    DriverValidationRequest ok{echoDriver, QStringLiteral("echo"), QStringLiteral("tcp"), QStringLiteral("echo.js")};
    QVERIFY(validator.validate(ok).isNull());
    const qint64 pid = validator.hostPid();
    QVERIFY(pid > 0);

    DriverValidationRequest bad{QStringLiteral("module.exports = 42;"), QStringLiteral("bad"), QStringLiteral("tcp"),
                                QStringLiteral("bad.js")};
    const ScriptError refused = validator.validate(bad);
    QCOMPARE(refused.rule, QStringLiteral("export"));

    // A host that crashes mid-validation (here: SIGSEGV sent while the
    // driver's top level loops) answers the sync with the cause.
    DriverValidationRequest loop{QStringLiteral("while (true) {}"), QStringLiteral("loop"), QStringLiteral("tcp"),
                                 QStringLiteral("loop.js")};
    QVERIFY(QProcess::startDetached(QStringLiteral("/bin/sh"),
                                    {QStringLiteral("-c"), QStringLiteral("sleep 0.3; kill -SEGV %1").arg(pid)}));
    const ScriptError crashed = validator.validate(loop);
    QCOMPARE(crashed.message, QStringLiteral("driver host crashed (SIGSEGV)"));
    QVERIFY(validator.validate(ok).isNull());
    QVERIFY(validator.hostPid() != pid);

    const TransformResult t = validator.transform(QStringLiteral("const a = { ...b };\n"), TransformMode::Skip);
    QVERIFY(t.ok);
    QVERIFY(t.code.contains(QStringLiteral("Object.assign")) || t.code != QStringLiteral("const a = { ...b };\n"));

    // A source that needs no rewrite is not parsed, not even a broken one
    // (HostValidator decides that without the host). `full` asks the host
    // for acorn's verdict, as the pipeline does when such a source fails
    // validation.
    const QString broken = QStringLiteral("function f() { return 1 +; }\n");
    const TransformResult skipped = validator.transform(broken, TransformMode::Skip);
    QVERIFY(skipped.ok);
    QCOMPARE(skipped.code, broken);
    const TransformResult full = validator.transform(broken, TransformMode::Full);
    QVERIFY(!full.ok);
    QCOMPARE(full.error.rule, QStringLiteral("syntax"));
    QCOMPARE(full.error.line, 1);
}

void tst_DriverHosts::validationOverlapsOtherCalls()
{
    HostValidator validator(options(), 5000);
    validator.prepare();
    // begin() returns at once; a transform that needs the host goes to it
    // meanwhile, and each gets its own answer.
    DriverValidationRequest ok{echoDriver, QStringLiteral("echo"), QStringLiteral("tcp"), QStringLiteral("echo.js")};
    validator.begin(ok);
    const QString spread = QStringLiteral("const a = { ...b };\n");
    const TransformResult t = validator.transform(spread, TransformMode::Skip);
    QVERIFY2(t.ok, qPrintable(t.error.message));
    QVERIFY(t.code != spread);
    QVERIFY(validator.verdict().isNull());

    DriverValidationRequest bad{QStringLiteral("module.exports = 42;"), QStringLiteral("bad"), QStringLiteral("tcp"),
                                QStringLiteral("bad.js")};
    validator.begin(bad);
    QCOMPARE(validator.verdict().rule, QStringLiteral("export"));

    // A validation let go (its sync was answered otherwise): its answer is
    // dropped when it comes, and the next validation gets its own.
    validator.begin(bad);
    validator.abandon();
    QVERIFY(validator.busyWithAbandoned());   // until its answer is read
    validator.begin(ok);
    QVERIFY(validator.verdict().isNull());
    QVERIFY(!validator.busyWithAbandoned());
    validator.begin(ok);
    validator.abandon();
    validator.begin(bad);
    QCOMPARE(validator.verdict().rule, QStringLiteral("export"));

    // The host dies while a begun validation is out and another call is
    // waited for: both say why, and the next validation gets a new host.
    const qint64 pid = validator.hostPid();
    QVERIFY(pid > 0);
    DriverValidationRequest loop{QStringLiteral("while (true) {}"), QStringLiteral("loop"), QStringLiteral("tcp"),
                                 QStringLiteral("loop.js")};
    validator.begin(loop);
    QVERIFY(QProcess::startDetached(QStringLiteral("/bin/sh"),
                                    {QStringLiteral("-c"), QStringLiteral("sleep 0.3; kill -SEGV %1").arg(pid)}));
    const TransformResult lost = validator.transform(QStringLiteral("const c = { ...d };\n"), TransformMode::Skip);
    QVERIFY(!lost.ok);
    QCOMPARE(lost.error.message, QStringLiteral("driver host crashed (SIGSEGV)"));
    QCOMPARE(validator.verdict().message, QStringLiteral("driver host crashed (SIGSEGV)"));
    validator.begin(ok);
    QVERIFY(validator.verdict().isNull());
    QVERIFY(validator.hostPid() != pid);
}

void tst_DriverHosts::hostEndsWhenTheControllerGoes()
{
    // A controller stand-in: this test binary, run as a child that starts a
    // host and then is killed with SIGKILL. The host must not outlive it.
    QProcess standIn;
    standIn.setProgram(QCoreApplication::applicationFilePath());
    standIn.setArguments({QStringLiteral("standIn")});
    standIn.setProcessEnvironment([] {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("NUC_TEST_STANDIN"), QStringLiteral("1"));
        return env;
    }());
    standIn.start();
    QVERIFY(standIn.waitForStarted());
    QVERIFY(standIn.waitForReadyRead(10000));
    const qint64 hostPid = standIn.readLine().trimmed().toLongLong();
    QVERIFY(hostPid > 0);
    QVERIFY(processExists(hostPid));
    ::kill(pid_t(standIn.processId()), SIGKILL);
    QVERIFY(standIn.waitForFinished(5000));
    QTRY_VERIFY_WITH_TIMEOUT(!processExists(hostPid), 5000);
}

void tst_DriverHosts::aMissingProgramIsReported()
{
    DriverHostOptions o = options();
    o.program = QStringLiteral("/nonexistent/control-nuc-driverhost");
    DriverHostPool pool(o);
    std::unique_ptr<DriverHandle> handle(pool.create(typed(QStringLiteral("echo"), echoDriver, QStringLiteral("m")), nullptr));
    QSignalSpy faulted(handle.get(), &DriverHandle::faulted);
    const CallResult r = wait([&](auto cb) { handle->load(cb); });
    QVERIFY(!r.ok);
    QVERIFY2(r.error.startsWith(QStringLiteral("driver host")) && r.error.contains(QStringLiteral("start")), qPrintable(r.error));
}

void tst_DriverHosts::cgroupPathsAreRead()
{
    // This machine's kind (hybrid: v1 controllers, the unified hierarchy
    // beside them) and a pure v2 one.
    QCOMPARE(HostCgroups::unifiedPath("12:memory:/system.slice/x.service\n0::/system.slice/x.service\n"),
             QStringLiteral("/system.slice/x.service"));
    QCOMPARE(HostCgroups::unifiedPath("4:memory:/\n1:name=systemd:/\n"), QString());
    QCOMPARE(HostCgroups::cgroup2Mount(
                 "25 30 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
                 "26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid shared:5 - cgroup2 cgroup2 rw,nsdelegate\n"),
             QStringLiteral("/sys/fs/cgroup/unified"));
    QCOMPARE(HostCgroups::cgroup2Mount("26 25 0:23 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"), QString());
}

// The kernel side (memory.max enforced, the OOM kill) cannot run on a cgroup
// v1 machine: this checks what the controller writes where, against a
// temporary directory laid out like a delegated cgroupfs directory.
void tst_DriverHosts::cgroupBookkeeping()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    auto write = [&](const QString &path, const QByteArray &text) {
        QDir().mkpath(QFileInfo(root.filePath(path)).path());
        QFile f(root.filePath(path));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
    };
    auto read = [&](const QString &path) {
        QFile f(root.filePath(path));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("(missing)");
    };
    write(QStringLiteral("cgroup.controllers"), "cpu io memory pids\n");
    write(QStringLiteral("cgroup.subtree_control"), "");
    write(QStringLiteral("cgroup.procs"), "4242\n4243\n");
    // What the kernel makes in a child once memory is enabled for children.
    write(QStringLiteral("host-echo/memory.max"), "max\n");
    write(QStringLiteral("host-echo/memory.swap.max"), "max\n");
    write(QStringLiteral("host-echo/memory.events"), "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
    write(QStringLiteral("host-echo/cgroup.procs"), "");

    qputenv("NUC_CGROUP_DIR", root.path().toUtf8());
    QCOMPARE(HostCgroups::findDelegatedDir(), root.path());
    qputenv("NUC_CGROUP_DIR", "off");
    QCOMPARE(HostCgroups::findDelegatedDir(), QString());
    qunsetenv("NUC_CGROUP_DIR");

    HostCgroups cgroups(root.path());
    QString error;
    QVERIFY2(cgroups.setUp(&error), qPrintable(error));
    // The processes of the directory went to the leaf (one write each; a
    // regular file keeps the last), then memory was enabled for children.
    QCOMPARE(read(QStringLiteral("controller/cgroup.procs")), QByteArray("4243"));
    QCOMPARE(read(QStringLiteral("cgroup.subtree_control")), QByteArray("+memory"));

    DriverHostOptions o = options();
    o.memoryBaseBytes = 100ll << 20;
    o.memoryPerDeviceBytes = 2ll << 20;
    o.cgroups = &cgroups;
    o.name = QStringLiteral("echo");
    DriverHostProcess host(o);
    QVERIFY2(host.start(&error), qPrintable(error));
    QCOMPARE(read(QStringLiteral("host-echo/cgroup.procs")), QByteArray::number(host.pid()));
    QCOMPARE(read(QStringLiteral("host-echo/memory.max")), QByteArray::number(100ll << 20));
    QCOMPARE(read(QStringLiteral("host-echo/memory.swap.max")), QByteArray("0"));
    host.setDeviceCount(3);
    QCOMPARE(read(QStringLiteral("host-echo/memory.max")), QByteArray::number(106ll << 20));

    // An OOM kill by the kernel is reported as the memory limit, not as a crash.
    write(QStringLiteral("host-echo/memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
    QSignalSpy died(&host, &DriverHostProcess::died);
    ::kill(pid_t(host.pid()), SIGKILL);
    QTRY_COMPARE_WITH_TIMEOUT(died.size(), 1, 5000);
    QCOMPARE(died.at(0).at(0).toString(), QStringLiteral("exceeded its memory limit of 106 MiB"));

    // A name that is not a safe directory name is made one.
    write(QStringLiteral("host-a_b/memory.max"), "max\n");
    QVERIFY2(cgroups.setLimit(QStringLiteral("a/b"), 1 << 20, &error), qPrintable(error));
    QCOMPARE(read(QStringLiteral("host-a_b/memory.max")), QByteArray::number(1 << 20));
}

// The stand-in controller of hostEndsWhenTheControllerGoes: starts a host,
// prints its pid, and waits to be killed.
static int standInMain()
{
    DriverHostProcess host(options());
    QString error;
    if (!host.start(&error))
        return 1;
    std::printf("%lld\n", host.pid());
    std::fflush(stdout);
    QEventLoop loop;
    QTimer::singleShot(30000, &loop, &QEventLoop::quit);
    loop.exec();
    return 0;
}

void tst_DriverHosts::deviceHostsRunInterpreted_data()
{
    QTest::addColumn<bool>("keepJit");
    QTest::newRow("default: interpreter") << false;
    QTest::newRow("CONTROL_NUC_HOST_JIT=1") << true;
}

void tst_DriverHosts::deviceHostsRunInterpreted()
{
    QFETCH(bool, keepJit);
    // The host inherits the environment at its start.
    if (keepJit)
        qputenv("CONTROL_NUC_HOST_JIT", "1");
    // Qt's memfds kept, in both rows: each chunk of JIT code is then a
    // mapping of its own, named JITCode, which is what is counted (in
    // anonymous pages the chunks merge with their neighbours).
    qputenv("CONTROL_NUC_HOST_MEMFD", "1");
    const auto restore = qScopeGuard([] {
        qunsetenv("CONTROL_NUC_HOST_JIT");
        qunsetenv("CONTROL_NUC_HOST_MEMFD");
    });
    DriverHostPool pool(options());
    std::unique_ptr<DriverHandle> handle(pool.create(typed(QStringLiteral("hot"), hotDriver, QStringLiteral("h1")), nullptr));
    QVERIFY(wait([&](auto cb) { handle->load(cb); }).ok);
    QVERIFY(wait([&](auto cb) { handle->connectDevice(cb); }).ok);
    QTRY_VERIFY(!pool.figures().isEmpty());
    const qint64 pid = pool.figures().first().pid;
    const int before = jitCodeMappings(pid);
    QVERIFY(before >= 0);
    for (int i = 0; i < 5; ++i) {
        const CallResult r = wait([&](auto cb) { handle->sendCommand(QStringLiteral("run"), {}, cb); });
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.value.toInt(), 12497500);
    }
    const int after = jitCodeMappings(pid);
    if (keepJit)
        QVERIFY2(after > before, "the JIT kept on request compiled nothing: the check below would prove nothing");
    else
        QCOMPARE(after, before);
}

void tst_DriverHosts::deviceHostEnginesUseAnonymousMemory_data()
{
    QTest::addColumn<bool>("keepMemfd");
    QTest::newRow("default: anonymous pages") << false;
    QTest::newRow("CONTROL_NUC_HOST_MEMFD=1") << true;
}

void tst_DriverHosts::deviceHostEnginesUseAnonymousMemory()
{
    QFETCH(bool, keepMemfd);
    if (keepMemfd)
        qputenv("CONTROL_NUC_HOST_MEMFD", "1");
    const auto restore = qScopeGuard([] { qunsetenv("CONTROL_NUC_HOST_MEMFD"); });
    DriverHostPool pool(options());
    std::unique_ptr<DriverHandle> handle(pool.create(typed(QStringLiteral("echo"), echoDriver, QStringLiteral("m1")), nullptr));
    QVERIFY(wait([&](auto cb) { handle->load(cb); }).ok);
    QVERIFY(wait([&](auto cb) { handle->connectDevice(cb); }).ok);
    // The driver still runs: the engine took its memory from elsewhere.
    const CallResult r = wait([&](auto cb) { handle->sendCommand(QStringLiteral("hello"), {}, cb); });
    QVERIFY2(r.ok, qPrintable(r.error));
    QTRY_VERIFY(!pool.figures().isEmpty());
    const int memfds = engineMemfdMappings(pool.figures().first().pid);
    if (keepMemfd)
        QVERIFY2(memfds > 0, "Qt made no memfd for the engine: the check below would prove nothing");
    else
        QCOMPARE(memfds, 0);
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsSet("NUC_TEST_STANDIN"))
        return standInMain();
    tst_DriverHosts test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_driverhosts.moc"
