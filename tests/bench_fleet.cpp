// control-cloud for a fleet (issue 19; docs/performance.md): a real
// control-cloud (SQLite, and PostgreSQL when a URL is given) and
// control-cloud-loadtest with N simulated controllers, measuring
//   - deploy of one driver to N sites, 32 admin `deploy` requests in flight
//     (what the CLI sends, each waiting for its outcome), with 0 and with
//     100,000 old deployment rows seeded in SQL;
//   - status ingest: a burst of 40,000 status_update, until every one is
//     acknowledged (control-cloud acks only what it committed);
//   - an operator `command` answered during such a burst, sent to a site of
//     its own (a second load tool process with one controller), so that what
//     is measured is the cloud's way, not the bursting process's backlog.
// Wall and CPU time (the cloud's, from /proc) for each; the load average
// before and after, as the machine may be busy with other work.
//
// bench_fleet [--sites N] [--old-rows N | --no-old-rows] [--pg URL | env CONTROL_CLOUD_TEST_PG_URL]
//             [--no-sqlite] [--cloud PATH-TO-ANOTHER-control-cloud] [--loadtest PATH]
//             [--cloud-arg ARG ...] [--ingest-only [--rounds N]]
//             [--rollout [--fail-rate R] [--canary N] [--max-failures P]]
// --rollout measures instead a staged rollout (docs/cloud.md "Groups and
// rollouts") of one driver version to all N sites in one group, batches of
// 10 %, until it is completed or aborted; --fail-rate makes that fraction of
// the simulated sites answer driver_sync with an error (the abort case), and
// the run prints how many batches went out and how many sites were rolled back.
// --ingest-only skips the deploys (and the round with old rows) and measures
// the burst and the operator commands during a burst N times (--rounds), for
// A/B runs of the report path against another build (--cloud) in one sitting.
#include "cloudprocess.h"
#include "procinfo.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

namespace {

const QString binDir = QStringLiteral(CONTROL_CLOUD_BINARY).section(QLatin1Char('/'), 0, -2);
QString cloudBinary = QStringLiteral(CONTROL_CLOUD_BINARY);   // --cloud: another build, for a before/after
QStringList cloudArgs;   // --cloud-arg: more arguments for `control-cloud serve`
QString loadtestBinary = QStringLiteral(CONTROL_CLOUD_LOADTEST_BINARY);   // --loadtest: another build
int burstSize = 40000;   // --burst: status updates per burst (--ingest-only)

quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

// One admin request (a line of JSON) over the admin socket; `done` gets the answer.
void ask(const QString &path, const QJsonObject &request, std::function<void(const QJsonObject &)> done)
{
    auto *socket = new QLocalSocket;
    auto buffer = std::make_shared<QByteArray>();
    QObject::connect(socket, &QLocalSocket::connected, socket, [socket, request] {
        socket->write(QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n');
    });
    QObject::connect(socket, &QLocalSocket::readyRead, socket, [socket, buffer, done] {
        *buffer += socket->readAll();
        if (buffer->contains('\n')) {
            socket->disconnect();
            socket->deleteLater();
            done(QJsonDocument::fromJson(buffer->left(buffer->indexOf('\n'))).object());
        }
    });
    QObject::connect(socket, &QLocalSocket::errorOccurred, socket, [socket, done] {
        socket->disconnect();
        socket->deleteLater();
        done(QJsonObject{{QStringLiteral("ok"), false}, {QStringLiteral("error"), socket->errorString()}});
    });
    socket->connectToServer(path);
}

class Run
{
public:
    Run(const QString &database, bool postgres, int sites, double failRate = 0)
        : m_database(database), m_postgres(postgres), m_sites(sites), m_failRate(failRate)
    {
    }

    bool start(qint64 oldRows);
    void stop();
    // Wall ms until every site's deployment is active; -1 on a failure.
    double deployToAll(double *cloudCpuMs, double *firstMs);
    // msg/s of a burst of `count`, until all acknowledged.
    double ingest(int count, double *cloudCpuMs, double *loadCpuMs, qint64 *acks, qint64 *stored);
    // Latencies (ms) of admin commands sent every 20 ms during a burst.
    QList<double> commandsDuringBurst(int count);
    struct RolloutOutcome
    {
        double ms = -1;          // from the start request until completed or aborted
        double cloudCpuMs = 0;
        QJsonObject rollout;     // its last status (state, batch, counts)
    };
    RolloutOutcome rollout(int canary, double maxFailurePercent);

private:
    bool seed(qint64 rows);
    // status_update reports stored so far (a coalesced one is acknowledged,
    // not stored: the latest of its device is).
    qint64 storedStatusReports();
    QString waitForLine(const QByteArray &prefix, int timeoutMs);
    QJsonObject askAndWait(const QJsonObject &request, int timeoutMs = 60000);

    QString m_database;
    bool m_postgres;
    int m_sites;
    double m_failRate;
    QTemporaryDir m_dir;
    QString m_admin;
    std::unique_ptr<QProcess> m_cloud;
    std::unique_ptr<QProcess> m_load;
    std::unique_ptr<QProcess> m_operatorSite;
    QByteArray m_loadOut;
};

// An open connection named "bench" to the cloud's database, while the
// cloud runs (SQLite: waiting for its locks).
QSqlDatabase connectTo(const QString &location, bool postgres)
{
    QSqlDatabase db;
    if (postgres) {
        db = CloudProcess::postgres(location, QStringLiteral("bench"));
    } else {
        db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("bench"));
        db.setDatabaseName(location);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    }
    db.open();
    return db;
}

qint64 Run::storedStatusReports()
{
    qint64 n = -1;
    {
        QSqlDatabase db = connectTo(m_postgres ? m_database : m_dir.filePath(QStringLiteral("cloud.sqlite")), m_postgres);
        QSqlQuery q(db);
        if (q.exec(QStringLiteral("SELECT COUNT(*) FROM controller_reports WHERE type = 'status_update'")) && q.next())
            n = q.value(0).toLongLong();
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("bench"));
    return n;
}

// Old, finished deployments of sites that are not in the load test, with
// their three events each, as a cloud that ran for a while has them.
bool Run::seed(qint64 rows)
{
    bool ok = true;
    {
        QSqlDatabase db = connectTo(m_postgres ? m_database : m_dir.filePath(QStringLiteral("cloud.sqlite")), m_postgres);
        db.transaction();
        QSqlQuery q(db);
        const qint64 chunk = 500;
        for (qint64 from = 0; from < rows && ok; from += chunk) {
            QStringList deployments;
            QStringList events;
            for (qint64 i = from; i < std::min(rows, from + chunk); ++i) {
                const QString at = QStringLiteral("2026-01-01T00:00:%1.000Z").arg(i % 60, 2, 10, QLatin1Char('0'));
                deployments << QStringLiteral("('old-%1','d','bench_driver','0.%2.0','old-site-%3','active','%4','/x','%4')")
                                   .arg(i).arg(i % 50).arg(i % 5000).arg(at);
                for (const char *status : {"pending", "in_progress", "active"})
                    events << QStringLiteral("('old-%1','%2','%3')").arg(i).arg(QLatin1String(status), at);
            }
            ok = q.exec(QStringLiteral("INSERT INTO driver_deployments (sync_id, driver_id, driver_type, version, controller_id,"
                                       " deployment_status, deployed_at, file_path, created_at) VALUES ")
                        + deployments.join(u','))
                && q.exec(QStringLiteral("INSERT INTO deployment_events (sync_id, deployment_status, at) VALUES ") + events.join(u','));
        }
        if (!ok)
            std::fprintf(stderr, "seeding failed: %s\n", qPrintable(q.lastError().text()));
        ok = db.commit() && ok;
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("bench"));
    return ok;
}

QString Run::waitForLine(const QByteArray &prefix, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        m_loadOut += m_load->readAllStandardOutput();
        qsizetype at = m_loadOut.startsWith(prefix) ? 0 : m_loadOut.indexOf(QByteArray("\n" + prefix));
        if (at >= 0) {
            at += m_loadOut.startsWith(prefix) ? 0 : 1;
            const qsizetype end = m_loadOut.indexOf('\n', at);
            if (end >= 0) {
                const QString line = QString::fromUtf8(m_loadOut.mid(at, end - at));
                m_loadOut.remove(0, end + 1);
                return line;
            }
        }
        QTest::qWait(5);
    }
    return {};
}

bool Run::start(qint64 oldRows)
{
    if (m_postgres) {
        if (const QString error = CloudProcess::resetPostgres(m_database); !error.isEmpty()) {
            std::fprintf(stderr, "resetting PostgreSQL failed: %s\n", qPrintable(error));
            return false;
        }
    }
    const quint16 port = freePort();
    m_admin = m_dir.filePath(QStringLiteral("admin/admin.sock"));
    QFile token(m_dir.filePath(QStringLiteral("token")));
    token.open(QIODevice::WriteOnly);
    token.write("bench-token\n");
    token.close();
    token.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    QUrl location(m_database);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (m_postgres) {
        env.insert(QStringLiteral("CONTROL_CLOUD_DB_PASSWORD"), location.password());
        location.setPassword(QString());
    }
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("cloud.*.info=false"));
    m_cloud = std::make_unique<QProcess>();
    m_cloud->setProcessEnvironment(env);
    m_cloud->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_cloud->start(cloudBinary, QStringList{QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port),
                                 QStringLiteral("--token-file"), token.fileName(), QStringLiteral("--db"),
                                 m_postgres ? location.toString() : m_dir.filePath(QStringLiteral("cloud.sqlite")),
                                 QStringLiteral("--admin-socket"), m_admin} + cloudArgs);
    if (!m_cloud->waitForStarted(5000) || !QTest::qWaitFor([&] { return QFile::exists(m_admin); }, 20000))
        return false;
    if (oldRows > 0 && !seed(oldRows))
        return false;
    env.insert(QStringLiteral("CONTROL_CLOUD_LOADTEST_TOKEN"), QStringLiteral("bench-token"));
    m_load = std::make_unique<QProcess>();
    m_load->setProcessEnvironment(env);
    m_load->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_load->start(loadtestBinary, {QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:%1/").arg(port),
                                   QStringLiteral("--controllers"), QString::number(m_sites),
                                   QStringLiteral("--fail-rate"), QString::number(m_failRate)});
    m_operatorSite = std::make_unique<QProcess>();
    m_operatorSite->setProcessEnvironment(env);
    m_operatorSite->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_operatorSite->start(loadtestBinary, {QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:%1/").arg(port),
                                           QStringLiteral("--controllers"), QStringLiteral("1"), QStringLiteral("--prefix"),
                                           QStringLiteral("operator-")});
    return m_load->waitForStarted(5000) && m_operatorSite->waitForStarted(5000)
        && QTest::qWaitFor([&] { return m_operatorSite->readAllStandardOutput().contains("connected 1 "); }, 60000)
        && !waitForLine("connected ", 60000).isEmpty();
}

void Run::stop()
{
    for (QProcess *load : {m_load.get(), m_operatorSite.get()}) {
        if (!load)
            continue;
        load->write("quit\n");
        if (!load->waitForFinished(10000))
            load->kill();
    }
    if (m_cloud) {
        m_cloud->terminate();
        if (!m_cloud->waitForFinished(15000))
            m_cloud->kill();
    }
}

double Run::deployToAll(double *cloudCpuMs, double *firstMs)
{
    const QJsonObject base{{QStringLiteral("op"), QStringLiteral("deploy")},
                           {QStringLiteral("driver_type"), QStringLiteral("bench_driver")},
                           {QStringLiteral("version"), QStringLiteral("2.0.0")},
                           {QStringLiteral("protocol_type"), QStringLiteral("tcp")},
                           {QStringLiteral("driver_code"), QStringLiteral("module.exports = class {};")},
                           {QStringLiteral("wait"), true},
                           {QStringLiteral("timeout_ms"), 120000}};
    int failed = 0;
    int answered = 0;
    auto deployTo = [&](int site, std::function<void()> then) {
        QJsonObject request = base;
        request.insert(QStringLiteral("controller_id"), QStringLiteral("loadtest-%1").arg(site));
        ask(m_admin, request, [&, then](const QJsonObject &answer) {
            ++answered;
            if (answer.value(QStringLiteral("deployment"))[QStringLiteral("deployment_status")].toString() != u"active") {
                if (++failed <= 3)
                    std::fprintf(stderr, "deploy failed: %s\n", QJsonDocument(answer).toJson(QJsonDocument::Compact).constData());
            }
            then();
        });
    };
    // One alone first: what a single CLI deploy costs.
    QElapsedTimer one;
    one.start();
    deployTo(0, [] {});
    if (!QTest::qWaitFor([&] { return answered == 1; }, 60000))
        return -1;
    *firstMs = double(one.nsecsElapsed()) / 1e6;

    const double cpu0 = ProcInfo::cpuSeconds(m_cloud->processId()) * 1000;
    QElapsedTimer wall;
    wall.start();
    answered = 0;
    int next = 0;
    std::function<void()> more = [&] {
        if (next < m_sites)
            deployTo(next++, more);
    };
    for (int i = 0; i < 32; ++i)
        more();
    if (!QTest::qWaitFor([&] { return answered == m_sites; }, 600000))
        return -1;
    const double ms = double(wall.nsecsElapsed()) / 1e6;
    *cloudCpuMs = ProcInfo::cpuSeconds(m_cloud->processId()) * 1000 - cpu0;
    return failed ? -1 : ms;
}

double Run::ingest(int count, double *cloudCpuMs, double *loadCpuMs, qint64 *acks, qint64 *stored)
{
    const qint64 storedBefore = storedStatusReports();
    const double cpu0 = ProcInfo::cpuSeconds(m_cloud->processId()) * 1000;
    const double loadCpu0 = ProcInfo::cpuSeconds(m_load->processId()) * 1000;
    m_load->write(QStringLiteral("burst %1\n").arg(count).toUtf8());
    const QString line = waitForLine("burst-acked ", 120000);
    *cloudCpuMs = ProcInfo::cpuSeconds(m_cloud->processId()) * 1000 - cpu0;
    *loadCpuMs = ProcInfo::cpuSeconds(m_load->processId()) * 1000 - loadCpu0;
    // "burst-acked N in X ms (R msg/s, A acks)"
    *acks = line.section(u',', 1).trimmed().section(u' ', 0, 0).toLongLong();
    // Those the last ack covers are committed.
    *stored = storedStatusReports() - storedBefore;
    return line.section(u'(', 1).section(u' ', 0, 0).toDouble();
}

QList<double> Run::commandsDuringBurst(int count)
{
    m_load->write(QStringLiteral("burst %1\n").arg(count).toUtf8());
    QList<double> latencies;
    bool acked = false;
    int pending = 0;
    QElapsedTimer burst;
    burst.start();
    while (!acked) {
        // Bounded as ingest() is: a burst never acknowledged, or a load tool
        // that died, must end the run with a failure rather than hang it.
        if (m_load->state() != QProcess::Running || burst.elapsed() > 120000) {
            std::fprintf(stderr, "operator command during a burst: %s\n",
                         m_load->state() != QProcess::Running
                             ? qPrintable(m_load->exitStatus() == QProcess::CrashExit
                                              ? QStringLiteral("control-cloud-loadtest was killed or crashed")
                                              : QStringLiteral("control-cloud-loadtest ended (exit code %1)").arg(m_load->exitCode()))
                             : "the burst was not acknowledged within 120 s");
            latencies << -1.0;
            break;
        }
        m_loadOut += m_load->readAllStandardOutput();
        acked = m_loadOut.contains("burst-acked ");
        auto *clock = new QElapsedTimer;
        clock->start();
        ++pending;
        ask(m_admin,
            QJsonObject{{QStringLiteral("op"), QStringLiteral("command")},
                        {QStringLiteral("controller_id"), QStringLiteral("operator-0")},
                        {QStringLiteral("device_id"), QStringLiteral("dev-0")}, {QStringLiteral("command"), QStringLiteral("ping")}},
            [&latencies, &pending, clock](const QJsonObject &answer) {
                latencies << (answer.value(QStringLiteral("ok")).toBool() ? double(clock->nsecsElapsed()) / 1e6 : -1.0);
                delete clock;
                --pending;
            });
        QTest::qWait(20);
    }
    if (!QTest::qWaitFor([&] { return pending == 0; }, 30000))
        latencies << -1.0;   // one never came back
    m_loadOut.clear();
    return latencies;
}

QJsonObject Run::askAndWait(const QJsonObject &request, int timeoutMs)
{
    std::optional<QJsonObject> answer;
    ask(m_admin, request, [&answer](const QJsonObject &a) { answer = a; });
    if (!QTest::qWaitFor([&] { return answer.has_value(); }, timeoutMs))
        return QJsonObject{{QStringLiteral("ok"), false}, {QStringLiteral("error"), QStringLiteral("no answer")}};
    return *answer;
}

Run::RolloutOutcome Run::rollout(int canary, double maxFailurePercent)
{
    RolloutOutcome outcome;
    QJsonArray ids;
    for (int i = 0; i < m_sites; ++i)
        ids.append(QStringLiteral("loadtest-%1").arg(i));
    // What `control-cloud groups create/add` and `rollout start` send.
    for (const QJsonObject &request :
         {QJsonObject{{QStringLiteral("op"), QStringLiteral("group_create")}, {QStringLiteral("group"), QStringLiteral("fleet")}},
          QJsonObject{{QStringLiteral("op"), QStringLiteral("group_add")}, {QStringLiteral("group"), QStringLiteral("fleet")},
                      {QStringLiteral("controller_ids"), ids}}}) {
        const QJsonObject answer = askAndWait(request);
        if (!answer.value(QStringLiteral("ok")).toBool()) {
            std::fprintf(stderr, "%s: %s\n", qPrintable(request.value(QStringLiteral("op")).toString()),
                         qPrintable(answer.value(QStringLiteral("error")).toString()));
            return outcome;
        }
    }
    const double cpu0 = ProcInfo::cpuSeconds(m_cloud->processId()) * 1000;
    QElapsedTimer wall;
    wall.start();
    const QJsonObject started = askAndWait(QJsonObject{
        {QStringLiteral("op"), QStringLiteral("rollout_start")}, {QStringLiteral("group"), QStringLiteral("fleet")},
        {QStringLiteral("driver_type"), QStringLiteral("bench_driver")}, {QStringLiteral("version"), QStringLiteral("2.0.0")},
        {QStringLiteral("protocol_type"), QStringLiteral("tcp")}, {QStringLiteral("driver_code"), QStringLiteral("module.exports = class {};")},
        {QStringLiteral("canary"), canary}, {QStringLiteral("batch_percent"), 10},
        {QStringLiteral("max_failure_percent"), maxFailurePercent}, {QStringLiteral("site_timeout_ms"), 120000}});
    const QString id = started.value(QStringLiteral("rollout_id")).toString();
    if (id.isEmpty()) {
        std::fprintf(stderr, "rollout_start: %s\n", qPrintable(started.value(QStringLiteral("error")).toString()));
        return outcome;
    }
    // Polled as `rollout status --follow` does, a little more often.
    for (;;) {
        const QJsonObject status = askAndWait(QJsonObject{{QStringLiteral("op"), QStringLiteral("rollout_status")},
                                                          {QStringLiteral("rollout_id"), id}})
                                       .value(QStringLiteral("rollout")).toObject();
        const QString state = status.value(QStringLiteral("state")).toString();
        if (state == u"completed" || state == u"aborted") {
            outcome.ms = double(wall.nsecsElapsed()) / 1e6;
            outcome.cloudCpuMs = ProcInfo::cpuSeconds(m_cloud->processId()) * 1000 - cpu0;
            outcome.rollout = status;
            return outcome;
        }
        if (wall.elapsed() > 600000 || status.isEmpty()) {
            std::fprintf(stderr, "rollout %s: %s after %lld ms\n", qPrintable(id), qPrintable(state), qlonglong(wall.elapsed()));
            outcome.rollout = status;
            return outcome;
        }
        QTest::qWait(100);
    }
}

void benchRollout(const QString &name, const QString &database, bool postgres, int sites, qint64 oldRows, double failRate,
                  int canary, double maxFailures)
{
    for (const qint64 old : {qint64(0), oldRows}) {
        if (old < 0)
            break;
        Run run(database, postgres, sites, failRate);
        if (!run.start(old)) {
            std::printf("%-10s could not start the cloud and %d controllers\n", qPrintable(name), sites);
            run.stop();
            continue;
        }
        const Run::RolloutOutcome o = run.rollout(canary, maxFailures);
        const QJsonObject counts = o.rollout.value(QStringLiteral("counts")).toObject();
        QStringList perState;
        for (auto it = counts.begin(); it != counts.end(); ++it)
            perState << QStringLiteral("%1 %2").arg(it.key()).arg(it.value().toInt());
        // "batch" is the last one sent: 0 the canary.
        std::printf("%-10s rollout to %5d sites (canary %d, batches of 10 %%, fail rate %.0f %%, abort past %.0f %%), %6lld old rows: "
                    "%s in %8.0f ms wall, cloud CPU %7.0f ms; %d batches sent (canary included), %d rolled back; %s\n",
                    qPrintable(name), sites, canary, failRate * 100, maxFailures, old,
                    qPrintable(o.rollout.value(QStringLiteral("state")).toString()), o.ms, o.cloudCpuMs,
                    o.rollout.value(QStringLiteral("batch")).toInt() + 1, counts.value(QStringLiteral("rolled_back")).toInt(),
                    qPrintable(perState.join(QStringLiteral(", "))));
        if (!o.rollout.value(QStringLiteral("reason")).toString().isEmpty())
            std::printf("%-10s   reason: %s\n", qPrintable(name), qPrintable(o.rollout.value(QStringLiteral("reason")).toString()));
        std::fflush(stdout);
        run.stop();
    }
}

void benchIngest(const QString &name, Run &run, int rounds)
{
    for (int round = 0; round < rounds; ++round) {
        double cpu = 0;
        double loadCpu = 0;
        qint64 acks = 0;
        qint64 stored = 0;
        const double rate = run.ingest(burstSize, &cpu, &loadCpu, &acks, &stored);
        std::printf("%-10s status ingest, burst of %d until acked: %8.0f msg/s (stored %lld: %.0f rows/s, the rest coalesced), "
                    "cloud CPU %7.0f ms (%.0f us/msg), load tool CPU %.0f us/msg, %lld acks; load %s\n",
                    qPrintable(name), burstSize, rate, qlonglong(stored), rate * double(stored) / burstSize, cpu,
                    cpu * 1000 / burstSize, loadCpu * 1000 / burstSize, qlonglong(acks), qPrintable(ProcInfo::loadAverage()));
        QList<double> l = run.commandsDuringBurst(burstSize);
        std::sort(l.begin(), l.end());
        const bool anyFailed = !l.isEmpty() && l.first() < 0;
        std::printf("%-10s operator command during a %d burst: %lld sent, median %.1f ms, p90 %.1f ms, max %.1f ms%s\n",
                    qPrintable(name), burstSize, qlonglong(l.size()), l.isEmpty() ? 0.0 : l.at(l.size() / 2),
                    l.isEmpty() ? 0.0 : l.at(l.size() * 9 / 10), l.isEmpty() ? 0.0 : l.last(), anyFailed ? " (some failed)" : "");
        std::fflush(stdout);
    }
}

void bench(const QString &name, const QString &database, bool postgres, int sites, qint64 oldRows, int ingestRounds)
{
    for (const qint64 old : {qint64(0), oldRows}) {
        if (old < 0)
            break;
        Run run(database, postgres, sites);
        if (!run.start(old)) {
            std::printf("%-10s could not start the cloud and %d controllers\n", qPrintable(name), sites);
            run.stop();
            continue;
        }
        if (ingestRounds > 0) {   // --ingest-only
            benchIngest(name, run, ingestRounds);
            run.stop();
            break;
        }
        double cpu = 0;
        double first = 0;
        const double ms = run.deployToAll(&cpu, &first);
        std::printf("%-10s deploy to %5d sites, %6lld old rows: %8.0f ms wall, cloud CPU %7.0f ms; one deploy alone %6.1f ms\n",
                    qPrintable(name), sites, old, ms, cpu, first);
        if (old == 0)
            benchIngest(name, run, 1);
        std::fflush(stdout);
        run.stop();
    }
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.addOption({QStringLiteral("sites"), QStringLiteral("Simulated controllers (default 2000)."), QStringLiteral("n"), QStringLiteral("2000")});
    p.addOption({QStringLiteral("old-rows"), QStringLiteral("Old deployment rows for the second round (default 100000)."), QStringLiteral("n"), QStringLiteral("100000")});
    p.addOption({QStringLiteral("pg"), QStringLiteral("PostgreSQL URL (default: CONTROL_CLOUD_TEST_PG_URL; none: SQLite only)."), QStringLiteral("url")});
    p.addOption({QStringLiteral("no-sqlite"), QStringLiteral("PostgreSQL only.")});
    p.addOption({QStringLiteral("cloud"), QStringLiteral("The control-cloud binary to measure (default: this build's)."), QStringLiteral("path")});
    p.addOption({QStringLiteral("burst"), QStringLiteral("--ingest-only: status updates per burst (default 40000; more, for a sustained rate)."), QStringLiteral("n"), QStringLiteral("40000")});
    p.addOption({QStringLiteral("loadtest"), QStringLiteral("The control-cloud-loadtest binary (default: this build's)."), QStringLiteral("path")});
    p.addOption({QStringLiteral("no-old-rows"), QStringLiteral("Skip the round with old rows.")});
    p.addOption({QStringLiteral("rollout"), QStringLiteral("Measure a staged rollout to every site (one group, batches of 10 %) instead.")});
    p.addOption({QStringLiteral("fail-rate"), QStringLiteral("--rollout: fraction of sites failing the driver_sync (default 0)."), QStringLiteral("r"), QStringLiteral("0")});
    p.addOption({QStringLiteral("canary"), QStringLiteral("--rollout: canary sites (default 1)."), QStringLiteral("n"), QStringLiteral("1")});
    p.addOption({QStringLiteral("max-failures"), QStringLiteral("--rollout: abort past this failure percentage (default 5)."), QStringLiteral("p"), QStringLiteral("5")});
    p.addOption({QStringLiteral("cloud-arg"), QStringLiteral("One more argument for control-cloud serve (repeatable), e.g. --cloud-arg=--db-thread-nice=0."), QStringLiteral("arg")});
    p.addOption({QStringLiteral("ingest-only"), QStringLiteral("Only the status burst and the operator commands during one (no deploys).")});
    p.addOption({QStringLiteral("rounds"), QStringLiteral("--ingest-only: bursts to measure (default 3)."), QStringLiteral("n"), QStringLiteral("3")});
    p.process(app);
    const int ingestRounds = p.isSet(QStringLiteral("ingest-only")) ? std::max(1, p.value(QStringLiteral("rounds")).toInt()) : 0;
    const int sites = p.value(QStringLiteral("sites")).toInt();
    if (p.isSet(QStringLiteral("cloud")))
        cloudBinary = p.value(QStringLiteral("cloud"));
    burstSize = std::max(1, p.value(QStringLiteral("burst")).toInt());
    if (p.isSet(QStringLiteral("loadtest")))
        loadtestBinary = p.value(QStringLiteral("loadtest"));
    cloudArgs = p.values(QStringLiteral("cloud-arg"));
    const qint64 oldRows = p.isSet(QStringLiteral("no-old-rows")) ? -1 : p.value(QStringLiteral("old-rows")).toLongLong();
    const QString pg = p.isSet(QStringLiteral("pg")) ? p.value(QStringLiteral("pg")) : qEnvironmentVariable("CONTROL_CLOUD_TEST_PG_URL");

    const bool rollout = p.isSet(QStringLiteral("rollout"));
    const double failRate = p.value(QStringLiteral("fail-rate")).toDouble();
    const int canary = p.value(QStringLiteral("canary")).toInt();
    const double maxFailures = p.value(QStringLiteral("max-failures")).toDouble();
    std::printf("control-cloud for a fleet: %d simulated controllers (control-cloud-loadtest), %s\n", sites,
                rollout ? "a staged rollout" : "32 deploys in flight");
    std::printf("load average before: %s\n", qPrintable(ProcInfo::loadAverage()));
    auto run = [&](const QString &name, const QString &database, bool postgres) {
        if (rollout)
            benchRollout(name, database, postgres, sites, oldRows, failRate, canary, maxFailures);
        else
            bench(name, database, postgres, sites, oldRows, ingestRounds);
    };
    if (!p.isSet(QStringLiteral("no-sqlite")))
        run(QStringLiteral("SQLite"), QString(), false);
    if (!pg.isEmpty())
        run(QStringLiteral("PostgreSQL"), pg, true);
    std::printf("load average after: %s\n", qPrintable(ProcInfo::loadAverage()));
    return 0;
}
