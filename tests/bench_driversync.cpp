// Benchmark: driver_sync sent → driver_sync_complete received, against the
// real control-nuc process over loopback (fsyncs on, synchronous=FULL,
// validation in the validator host). Prints median and p99, and around it
// the figures of docs/performance.md (issue 13):
//   bench_driversync [--syncs N] [--bytes B] [--unique] [--distinct-types]
//                    [--installed N] [--burst N] [--floor N] [--cold]
//                    [--gap-ms MS] [--binary PATH] [--driver-host PATH]
//   --distinct-types  every sync a new driver type with new code
//   --installed N     install N other drivers first (the run then measures
//                     the syncs against N installed drivers)
//   --burst N         afterwards, N syncs sent at once: each answered once?
//   --floor N         the fsync chain alone on the same disk, N times
//                     (temp file + fsync, rename + folder fsync, WAL commit)
//   --cold            the first transform of new modern code in a fresh
//                     validator host
#include "benchtarget.h"
#include "fakecloud.h"
#include "hosts/hostvalidator.h"
#include "procinfo.h"
#include "storage/database.h"
#include "storage/durablefile.h"
#include "testdrivers.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QHash>
#include <QProcess>
#include <QSqlQuery>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>

namespace {

struct Figures
{
    QList<double> samples;
    double pct(double p) const
    {
        return samples.at(std::min<qsizetype>(samples.size() - 1, qsizetype(p * samples.size())));
    }
    void print(const char *label)
    {
        std::sort(samples.begin(), samples.end());
        if (samples.isEmpty())
            return;
        double sum = 0;
        for (double s : std::as_const(samples))
            sum += s;
        std::printf("  %-34s median %.3f ms  p99 %.3f ms  mean %.3f ms  min %.3f ms  max %.3f ms  (n=%d)\n", label,
                    pct(0.5), pct(0.99), sum / samples.size(), samples.first(), samples.last(), int(samples.size()));
    }
};

QJsonObject syncData(const QString &syncId, const QString &type, const QString &version, const QString &code)
{
    return {{QStringLiteral("sync_id"), syncId},
            {QStringLiteral("driver_id"), QString(QStringLiteral("drv-") + type)},
            {QStringLiteral("driver_type"), type},
            {QStringLiteral("version"), version},
            {QStringLiteral("driver_code"), code},
            {QStringLiteral("protocol_type"), QStringLiteral("tcp")},
            {QStringLiteral("connection_config"), QJsonObject{{QStringLiteral("port"), 23}}}};
}

// The physical floor: what one sync must wait for on this disk, each step
// alone, as the pipeline does them (DurableFile, Database with WAL and
// synchronous=FULL), in this process.
void floor(int rounds, const QByteArray &bytes, const char *when)
{
    QTemporaryDir dir;
    Database db;
    const QString error = db.open(dir.filePath(QStringLiteral("floor.sqlite")), QStringLiteral("floor"));
    QSqlQuery q(db.connection());
    if (!error.isEmpty() || !q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, code TEXT)"))) {
        std::fprintf(stderr, "floor: cannot open the database: %s\n", qPrintable(error));
        return;
    }
    Figures file, rename, commit, chain;
    QElapsedTimer t;
    for (int i = 0; i < rounds; ++i) {
        QString temp;
        t.start();
        QString problem = DurableFile::writeTemporary(dir.path(), QStringLiteral("floor.js"), bytes, &temp,
                                                      DurableFile::Sync::Now);
        const double a = t.nsecsElapsed() / 1e6;
        if (problem.isEmpty())
            problem = DurableFile::commit(temp, dir.filePath(QStringLiteral("floor.js")), DurableFile::Sync::Later);
        if (problem.isEmpty())
            problem = DurableFile::syncDirectory(dir.path());
        const double b = t.nsecsElapsed() / 1e6;
        QSqlDatabase c = db.connection();
        c.transaction();
        q.prepare(QStringLiteral("INSERT OR REPLACE INTO floor (id, code) VALUES (?, ?)"));
        q.addBindValue(i % 50);
        q.addBindValue(QString::fromUtf8(bytes));
        q.exec();
        c.commit();
        const double d = t.nsecsElapsed() / 1e6;
        if (!problem.isEmpty()) {
            std::fprintf(stderr, "floor: %s\n", qPrintable(problem));
            return;
        }
        file.samples << a;
        rename.samples << b - a;
        commit.samples << d - b;
        chain.samples << d;
    }
    std::printf("physical floor on the same disk, %s (%d rounds, %d bytes, one after another):\n", when, rounds,
                int(bytes.size()));
    file.print("temp file write + fsync");
    rename.print("rename + folder fsync");
    commit.print("SQLite WAL commit (sync=FULL)");
    chain.print("the chain");
}

// The first transform of new modern code in a fresh validator host: once
// right after the host is started (process start and acorn load included),
// once in a host that was started and warmed a second before.
void coldTransform(int bytes, const QString &program)
{
    DriverHostOptions options;
    options.program = DriverHostProcess::defaultProgram(program);
    std::printf("cold transform of new modern code (%d bytes, needs every rewrite), validator host %s:\n",
                int(TestDrivers::modern(bytes, 1).toUtf8().size()), qPrintable(options.program));
    for (int warmFirst = 0; warmFirst < 2; ++warmFirst) {
        HostValidator validator(options, 20000);
        QElapsedTimer t;
        t.start();
        if (warmFirst) {
            validator.prepare();
            QThread::msleep(1000);
            t.restart();
        }
        const TransformResult first = validator.transform(TestDrivers::modern(bytes, 100 + warmFirst), TransformMode::Skip);
        const double firstMs = t.nsecsElapsed() / 1e6;
        t.restart();
        const TransformResult second = validator.transform(TestDrivers::modern(bytes, 200 + warmFirst), TransformMode::Skip);
        const double secondMs = t.nsecsElapsed() / 1e6;
        if (!first.ok || !second.ok)
            std::fprintf(stderr, "transform failed: %s\n", qPrintable(first.error.message + second.error.message));
        std::printf("  %-34s first %.3f ms  next new code %.3f ms\n",
                    warmFirst ? "host started and warmed 1 s before" : "host started by this transform", firstMs,
                    secondMs);
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("syncs"), QStringLiteral("Number of syncs (default 500)."), QStringLiteral("n"), QStringLiteral("500")});
    parser.addOption({QStringLiteral("bytes"), QStringLiteral("Driver size (default 5120)."), QStringLiteral("b"), QStringLiteral("5120")});
    parser.addOption({QStringLiteral("unique"), QStringLiteral("Make every sync's code different (no transformer cache hits).")});
    parser.addOption({QStringLiteral("distinct-types"), QStringLiteral("Every sync a new driver type with new code.")});
    parser.addOption({QStringLiteral("installed"), QStringLiteral("Install N other drivers first (default 0)."), QStringLiteral("n"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("burst"), QStringLiteral("Then send N syncs at once (default 0)."), QStringLiteral("n"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("floor"), QStringLiteral("Measure the fsync chain N times (default 0)."), QStringLiteral("n"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("cold"), QStringLiteral("Measure a cold transform of new modern code.")});
    parser.addOption({QStringLiteral("gap-ms"), QStringLiteral("Idle time between syncs (default 0: back to back)."), QStringLiteral("ms"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("binary"), QStringLiteral("control-nuc to run."), QStringLiteral("path"), QStringLiteral(CONTROL_NUC_BINARY)});
    parser.addOption({QStringLiteral("driver-host"), QStringLiteral("control-nuc-driverhost to use (default: control-nuc's own)."), QStringLiteral("path")});
    BenchTarget::addOptions(parser);
    parser.process(app);
    if (const int rc = BenchTarget::select(parser, {QStringLiteral("binary"), QStringLiteral("driver-host"), QStringLiteral("cold")}); rc >= 0)
        return rc;
    const int syncs = parser.value(QStringLiteral("syncs")).toInt();
    const int bytes = parser.value(QStringLiteral("bytes")).toInt();
    const int gapMs = parser.value(QStringLiteral("gap-ms")).toInt();
    const int installed = parser.value(QStringLiteral("installed")).toInt();
    const int burst = parser.value(QStringLiteral("burst")).toInt();
    const bool distinct = parser.isSet(QStringLiteral("distinct-types"));
    const bool unique = distinct || parser.isSet(QStringLiteral("unique"));

    QTemporaryDir dir;
    FakeCloud cloud;
    if (!cloud.listen()) {
        std::fprintf(stderr, "cannot listen on 127.0.0.1\n");
        return 1;
    }
    QProcess nuc;
    nuc.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QStringList arguments{QStringLiteral("--headless"), QStringLiteral("--root"), dir.path(), QStringLiteral("--cloud-url"),
                          cloud.url().toString(), QStringLiteral("--controller-id"), QStringLiteral("bench"),
                          QStringLiteral("--log-level"), qEnvironmentVariable("BENCH_LOG_LEVEL", QStringLiteral("warning"))};
    if (parser.isSet(QStringLiteral("driver-host")))
        arguments << QStringLiteral("--driver-host") << parser.value(QStringLiteral("driver-host"));
    BenchTarget::start(nuc, parser.value(QStringLiteral("binary")), arguments);
    if (!nuc.waitForStarted(10000) || cloud.waitForMessage(QStringLiteral("hello"), 0, 10000) < 0) {
        std::fprintf(stderr, "control-nuc did not connect\n");
        return 1;
    }

    const QString code = TestDrivers::sized(bytes);
    // The disk is shared: its floor is measured before and after the syncs.
    const int floorRounds = parser.value(QStringLiteral("floor")).toInt();
    if (floorRounds > 0)
        floor(floorRounds, code.toUtf8(), "before the syncs");
    QElapsedTimer clock;
    // An event loop, not QTest::qWaitFor: that one sleeps in 10 ms steps.
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    QHash<QString, qint64> sentAt;       // sync_id → when sent
    QHash<QString, int> answers;         // sync_id → answers received
    QHash<QString, double> roundTrip;    // sync_id → ms
    int failures = 0;
    QString awaited;                     // quit the loop on this one ('' : when all sent are answered)
    cloud.onMessage = [&](const QJsonObject &m) {
        const QString type = m.value(QStringLiteral("type")).toString();
        if (type != u"driver_sync_complete" && type != u"driver_sync_error")
            return;
        const QJsonObject data = m.value(QStringLiteral("data")).toObject();
        const QString id = data.value(QStringLiteral("sync_id")).toString();
        if (!sentAt.contains(id))
            return;
        if (++answers[id] == 1)
            roundTrip[id] = (clock.nsecsElapsed() - sentAt.value(id)) / 1e6;
        if (type == u"driver_sync_error") {
            ++failures;
            std::fprintf(stderr, "sync failed: %s\n", qPrintable(data.value(QStringLiteral("error_message")).toString()));
        }
        if (id == awaited || (awaited.isEmpty() && answers.size() == sentAt.size()))
            loop.quit();
    };
    clock.start();
    // One sync, waited for; its round trip in ms (< 0: no answer).
    const auto syncOnce = [&](const QJsonObject &data) {
        awaited = data.value(QStringLiteral("sync_id")).toString();
        sentAt.insert(awaited, clock.nsecsElapsed());
        cloud.send(QStringLiteral("driver_sync"), data);
        timeout.start(20000);
        if (!answers.contains(awaited))
            loop.exec();
        return roundTrip.value(awaited, -1);
    };

    for (int i = 0; i < installed; ++i) {
        if (syncOnce(syncData(QStringLiteral("install-%1").arg(i), QStringLiteral("installed_%1").arg(i),
                              QStringLiteral("1.0.0"), code + QStringLiteral("// installed %1\n").arg(i))) < 0) {
            std::fprintf(stderr, "timed out installing driver %d\n", i);
            return 1;
        }
    }

    Figures run;
    const int warmup = 20;
    double cpuBefore = 0;   // seconds, the controller and its children
    for (int i = 0; i < syncs + warmup; ++i) {
        if (i == warmup)
            cpuBefore = ProcInfo::treeCpuSeconds(nuc.processId());
        const QString type = distinct ? QStringLiteral("bench_%1").arg(i) : QStringLiteral("bench_driver");
        const double ms = syncOnce(syncData(QStringLiteral("bench-%1").arg(i), type, QStringLiteral("1.0.%1").arg(i),
                                            unique ? code + QStringLiteral("// build %1\n").arg(i) : code));
        if (ms < 0) {
            std::fprintf(stderr, "timed out waiting for bench-%d\n", i);
            return 1;
        }
        if (i >= warmup)
            run.samples.append(ms);
        if (gapMs > 0) {
            timeout.start(gapMs);
            loop.exec();
        }
    }
    std::printf("driver_sync round trip, %d syncs of a %d-byte driver, %s, %s, %d drivers installed before\n", syncs,
                int(code.toUtf8().size()),
                gapMs > 0 ? qPrintable(QStringLiteral("%1 ms apart").arg(gapMs)) : "back to back",
                distinct ? "every sync a new driver type with new code"
                         : unique ? "every sync new code (transformed)" : "same code each time (transformer cache hit)",
                installed);
    // Where the controller's root was: creating files costs more in a folder
    // whose block group had many files deleted in the last minutes (ext4
    // without a journal; docs/performance.md, TMPDIR).
    std::printf("  root in %s (TMPDIR to choose)\n", qPrintable(QFileInfo(dir.path()).absolutePath()));
    run.print("send → complete");
    std::printf("  CPU per sync: %.3f ms (the controller and its child processes)\n",
                (ProcInfo::treeCpuSeconds(nuc.processId()) - cpuBefore) * 1000 / std::max(1, syncs));

    if (burst > 0) {
        awaited.clear();
        sentAt.clear();
        answers.clear();
        roundTrip.clear();
        const qint64 start = clock.nsecsElapsed();
        for (int i = 0; i < burst; ++i) {
            const QString id = QStringLiteral("burst-%1").arg(i);
            sentAt.insert(id, clock.nsecsElapsed());
            cloud.send(QStringLiteral("driver_sync"),
                       syncData(id, QStringLiteral("burst_%1").arg(i), QStringLiteral("1.0.0"),
                                code + QStringLiteral("// burst %1\n").arg(i)));
        }
        timeout.start(60000);
        loop.exec();
        const double totalMs = (clock.nsecsElapsed() - start) / 1e6;
        timeout.start(500);   // late duplicates would arrive here
        loop.exec();
        int once = 0;
        for (int n : std::as_const(answers))
            once += n == 1 ? 1 : 0;
        Figures each;
        each.samples = roundTrip.values();
        std::printf("burst of %d syncs sent without waiting: %d answered exactly once, %d answered more than once, "
                    "%d unanswered; all answered after %.1f ms (%.3f ms per sync)\n",
                    burst, once, int(answers.size()) - once, burst - int(answers.size()), totalMs, totalMs / burst);
        each.print("each, send → complete");
    }
    nuc.terminate();
    nuc.waitForFinished(5000);

    if (parser.isSet(QStringLiteral("cold")))
        coldTransform(bytes, parser.value(QStringLiteral("driver-host")));
    if (floorRounds > 0)
        floor(floorRounds, code.toUtf8(), "after the syncs");
    return failures > 0 ? 2 : 0;
}
