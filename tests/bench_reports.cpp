// The persisted report path per status_update (docs/performance.md): the
// report stored in the outbox (SQLite, WAL, synchronous=FULL) and then put
// on the wire, as ProtocolHandler does it on the GUI thread. Reports made in
// one event-loop turn share one transaction, so the cost is measured for
// 1, 10 and 100 status changes per turn. The database goes in the folder
// given as the first argument (default: the current one), so that the
// figures are for the disk the controller's root is on.
#include "cloud/protocolhandler.h"
#include "protocol/deliveryrequests.h"
#include "storage/database.h"
#include "storage/reportoutbox.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <cstdio>
#include <ctime>

namespace {

double cpuMs()
{
    timespec ts {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir dir(QDir(argc > 1 ? QString::fromLocal8Bit(argv[1]) : QDir::currentPath()).filePath(QStringLiteral("bench-XXXXXX")));
    Database db;
    const QString error = db.open(dir.filePath(QStringLiteral("db.sqlite")), QStringLiteral("bench"));
    if (!error.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    ReportOutbox outbox(db.connection());
    outbox.open();
    ProtocolHandler handler(8 << 20);
    handler.setReportOutbox(&outbox);
    qint64 bytes = 0;
    handler.setSender([&](const QString &text) { bytes += text.size(); return true; });
    handler.setOnline(true);
    // An acknowledging cloud that has everything: each report is kept until
    // its ack, which comes with the next turn's batch.
    handler.handleTextFrame(QStringLiteral(R"({"type":"welcome","data":{"acks":true,"last_seq":0}})"));

    std::printf("persisted report path per status_update (%s)\n", qPrintable(dir.path()));
    std::printf("%-16s %10s %12s %12s\n", "changes/turn", "reports", "cpu us/rep", "wall us/rep");
    int device = 0;
    for (const int perTurn : {1, 10, 100}) {
        const int turns = perTurn == 1 ? 500 : perTurn == 10 ? 200 : 50;
        QElapsedTimer wall;
        wall.start();
        const double cpu0 = cpuMs();
        for (int t = 0; t < turns; ++t) {
            for (int i = 0; i < perTurn; ++i) {
                const QString id = QStringLiteral("dev-%1").arg(device++ % 200);
                handler.send(Messages::statusUpdate(id, i % 2 ? QStringLiteral("connected") : QStringLiteral("connecting"), {},
                                                    QDateTime::currentDateTimeUtc()));
            }
            handler.reports()->flush();   // the end of the event-loop turn
            handler.handleTextFrame(QStringLiteral(R"({"type":"ack","data":{"seq":%1}})").arg(outbox.highestSeq()));
        }
        handler.reports()->flush();
        const double cpu = cpuMs() - cpu0;
        const double ms = wall.nsecsElapsed() / 1e6;
        const int reports = turns * perTurn;
        std::printf("%-16d %10d %12.1f %12.1f\n", perTurn, reports, cpu * 1000 / reports, ms * 1000 / reports);
    }
    // Offline: the outbox fills up to its bound (100,000) and then drops the
    // oldest with every batch; the figure is for the last 10,000.
    handler.setOnline(false);
    const int total = 110000;
    QElapsedTimer wall;
    double cpu0 = 0;
    for (int n = 0; n < total; n += 100) {
        if (n == total - 10000) {
            wall.start();
            cpu0 = cpuMs();
        }
        for (int i = 0; i < 100; ++i)
            handler.send(Messages::deviceCommandResult(QStringLiteral("r%1").arg(n + i), QStringLiteral("d"), {true, {}, {}, 1}));
        handler.reports()->flush();
    }
    std::printf("%-16s %10d %12.1f %12.1f   (offline, outbox at its 100,000 bound)\n", "100", 10000,
                (cpuMs() - cpu0) * 1000 / 10000, wall.nsecsElapsed() / 1e6 * 1000 / 10000);
    std::printf("held at the end: %lld, bytes sent: %lld\n", outbox.count(), bytes);
    return 0;
}
