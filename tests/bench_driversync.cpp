// Benchmark: driver_sync sent → driver_sync_complete received, against the
// real control-nuc process over loopback. Prints median and p99.
//   bench_driversync [--syncs N] [--bytes B] [--binary PATH]
#include "fakecloud.h"
#include "testdrivers.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("syncs"), QStringLiteral("Number of syncs (default 500)."), QStringLiteral("n"), QStringLiteral("500")});
    parser.addOption({QStringLiteral("bytes"), QStringLiteral("Driver size (default 5120)."), QStringLiteral("b"), QStringLiteral("5120")});
    parser.addOption({QStringLiteral("unique"), QStringLiteral("Make every sync's code different (no transformer cache hits).")});
    parser.addOption({QStringLiteral("gap-ms"), QStringLiteral("Idle time between syncs (default 0: back to back)."), QStringLiteral("ms"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("binary"), QStringLiteral("control-nuc to run."), QStringLiteral("path"), QStringLiteral(CONTROL_NUC_BINARY)});
    parser.process(app);
    const int syncs = parser.value(QStringLiteral("syncs")).toInt();
    const int bytes = parser.value(QStringLiteral("bytes")).toInt();
    const int gapMs = parser.value(QStringLiteral("gap-ms")).toInt();

    QTemporaryDir dir;
    FakeCloud cloud;
    if (!cloud.listen()) {
        std::fprintf(stderr, "cannot listen on 127.0.0.1\n");
        return 1;
    }
    QProcess nuc;
    nuc.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    nuc.start(parser.value(QStringLiteral("binary")),
              {QStringLiteral("--headless"), QStringLiteral("--root"), dir.path(), QStringLiteral("--cloud-url"),
               cloud.url().toString(), QStringLiteral("--controller-id"), QStringLiteral("bench"),
               QStringLiteral("--log-level"), qEnvironmentVariable("BENCH_LOG_LEVEL", QStringLiteral("warning"))});
    if (!nuc.waitForStarted(10000) || cloud.waitForMessage(QStringLiteral("hello"), 0, 10000) < 0) {
        std::fprintf(stderr, "control-nuc did not connect\n");
        return 1;
    }

    const QString code = TestDrivers::sized(bytes);
    QList<double> samples;
    QElapsedTimer clock;
    // An event loop, not QTest::qWaitFor: that one sleeps in 10 ms steps.
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    qint64 sentAt = 0;
    double received = -1;
    QString awaited;
    cloud.onMessage = [&](const QJsonObject &m) {
        const QString type = m.value(QStringLiteral("type")).toString();
        if ((type == u"driver_sync_complete" || type == u"driver_sync_error")
            && m.value(QStringLiteral("data")).toObject().value(QStringLiteral("sync_id")).toString() == awaited) {
            received = (clock.nsecsElapsed() - sentAt) / 1e6;
            loop.quit();
            if (type == u"driver_sync_error")
                std::fprintf(stderr, "sync failed: %s\n", qPrintable(m.value(QStringLiteral("data")).toObject()
                                                                        .value(QStringLiteral("error_message")).toString()));
        }
    };
    clock.start();
    const int warmup = 20;
    for (int i = 0; i < syncs + warmup; ++i) {
        awaited = QStringLiteral("bench-%1").arg(i);
        received = -1;
        QJsonObject data{{QStringLiteral("sync_id"), awaited},
                         {QStringLiteral("driver_id"), QStringLiteral("drv-bench")},
                         {QStringLiteral("driver_type"), QStringLiteral("bench_driver")},
                         {QStringLiteral("version"), QStringLiteral("1.0.%1").arg(i)},
                         {QStringLiteral("driver_code"), parser.isSet(QStringLiteral("unique"))
                                                             ? code + QStringLiteral("// build %1\n").arg(i) : code},
                         {QStringLiteral("protocol_type"), QStringLiteral("tcp")},
                         {QStringLiteral("connection_config"), QJsonObject{{QStringLiteral("port"), 23}}}};
        sentAt = clock.nsecsElapsed();
        cloud.send(QStringLiteral("driver_sync"), data);
        timeout.start(10000);
        if (received < 0)
            loop.exec();
        if (received < 0) {
            std::fprintf(stderr, "timed out waiting for %s\n", qPrintable(awaited));
            return 1;
        }
        if (i >= warmup)
            samples.append(received);
        if (gapMs > 0) {
            timeout.start(gapMs);
            loop.exec();
        }
    }
    nuc.terminate();
    nuc.waitForFinished(5000);

    std::sort(samples.begin(), samples.end());
    auto pct = [&](double p) { return samples.at(std::min<qsizetype>(samples.size() - 1, qsizetype(p * samples.size()))); };
    double sum = 0;
    for (double s : samples)
        sum += s;
    std::printf("driver_sync round trip, %d syncs of a %d-byte driver, %s, %s (fsync on, fresh engine per validation)\n",
                syncs, int(code.toUtf8().size()),
                gapMs > 0 ? qPrintable(QStringLiteral("%1 ms apart").arg(gapMs)) : "back to back",
                parser.isSet(QStringLiteral("unique")) ? "every sync new code (transformed)"
                                                       : "same code each time (transformer cache hit)");
    std::printf("  median %.3f ms  p99 %.3f ms  mean %.3f ms  min %.3f ms  max %.3f ms\n", pct(0.5), pct(0.99),
                sum / samples.size(), samples.first(), samples.last());
    return 0;
}
