// Crash consistency, proven: a real control-nuc is killed with SIGKILL at
// random points while it syncs drivers, rolls them back (driver_rollback)
// and delivers reports to a real control-cloud, 30 rounds, and after every
// kill and restart:
//  - after the restart, every driver file equals its active row (the file
//    the devices run is the code the database says is active),
//  - the archive of earlier versions is intact: at most 5 per type, never
//    the active version, each row's code_sha256 the SHA-256 of its code,
//    and driver_digests naming the SHA-256 of each active driver's code,
//  - PRAGMA integrity_check is ok,
//  - the cloud has every sync and rollback outcome the controller stored
//    exactly once, no report twice and none the controller never made,
//  - a rollback either happened whole (the version it asked for is active,
//    with its outcome) or not at all (the version before stays active).
// The seed is fixed and printed; NUC_CRASH_SEED=<n> repeats another run.
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace {

const QString binDir = QStringLiteral(CONTROL_NUC_BINARY).section(QLatin1Char('/'), 0, -2);
const QString cloudBinary = binDir + QStringLiteral("/cloudserver/control-cloud");
const QString nucBinary = QStringLiteral(CONTROL_NUC_BINARY);
const QString controllerId = QStringLiteral("nuc-crash");
constexpr int rounds = 30;
constexpr quint32 defaultSeed = 20261201;
constexpr int keptVersions = 5;   // PROTOCOL.md "Versions and rollback"

QString sha256Hex(const QString &text)
{
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex());
}

// Each good version's code names its version, so a row whose code is
// another version's (a rollback that mixed them up) shows.
QString versionMark(const QString &version)
{
    return QStringLiteral("// version %1\n").arg(version);
}

quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

// Runs `sql` on the SQLite file and returns every row (columns joined by '|').
QStringList rowsOf(const QString &path, const QString &sql, QString *error = nullptr)
{
    QStringList rows;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (!db.open()) {
            if (error)
                *error = db.lastError().text();
        } else {
            QSqlQuery q(db);
            if (!q.exec(sql) && error)
                *error = q.lastError().text();
            while (q.next()) {
                QStringList columns;
                for (int i = 0; i < q.record().count(); ++i)
                    columns << q.value(i).toString();
                rows << columns.join(QLatin1Char('|'));
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("peek"));
    return rows;
}

} // namespace

class tst_CrashConsistency : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void killedAtRandomLosesNothing();

private:
    // What a round does before the kill; sent without waiting for answers.
    void syncRound(int round);
    void deliveryRound(int round);
    void rollbackRound(int round);

    void startNuc();
    void killNuc();
    int cli(const QStringList &args, QString *out = nullptr);
    void startCli(const QStringList &args);
    bool nucConnected();
    QString nucDatabase() const { return m_dir.filePath(controllerId + QStringLiteral("/var/database.sqlite")); }
    QString cloudDatabase() const { return m_dir.filePath(QStringLiteral("cloud.sqlite")); }
    QString writeFile(const QString &name, const QByteArray &content);
    QString goodFile(const QString &version);
    QString activeVersion();
    // The checks after a kill (the controller is down) and after its restart.
    void checkStorage(const QString &when, bool restarted);
    void checkDelivery(const QString &when);
    void checkRollback(const QString &when);

    QTemporaryDir m_dir;
    QString m_admin;
    quint16 m_port = 0;
    std::unique_ptr<QProcess> m_cloud;
    std::unique_ptr<QProcess> m_nuc;
    std::vector<std::unique_ptr<QProcess>> m_clis;
    QRandomGenerator m_random;
    QString m_broken;
    // The rollback of the current round: what it asked for and what was
    // active before, to tell after the restart whether it happened whole.
    struct Rollback
    {
        QProcess *cli = nullptr;   // in m_clis, until cliOutput is read
        QString cliOutput;
        QString before;
        QString expected;   // empty: a version not kept, to be refused
    };
    std::optional<Rollback> m_rollback;
    int m_rolledBack = 0;
    int m_refused = 0;
    int m_cutShort = 0;   // killed before the rollback was sent or done
};

void tst_CrashConsistency::initTestCase()
{
    const quint32 seed = qEnvironmentVariableIsSet("NUC_CRASH_SEED") ? quint32(qEnvironmentVariableIntValue("NUC_CRASH_SEED"))
                                                                      : defaultSeed;
    qInfo("crash-consistency seed: %u (NUC_CRASH_SEED=%u repeats this run)", seed, seed);
    m_random.seed(seed);

    m_port = freePort();
    m_admin = m_dir.filePath(QStringLiteral("admin.sock"));
    m_cloud = std::make_unique<QProcess>();
    m_cloud->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_cloud->start(cloudBinary, {QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(m_port),
                                 QStringLiteral("--token"), QStringLiteral("crash-token"), QStringLiteral("--db"), cloudDatabase(),
                                 QStringLiteral("--admin-socket"), m_admin});
    QVERIFY(m_cloud->waitForStarted(5000));
    QVERIFY(QTest::qWaitFor([&] { return QFile::exists(m_admin); }, 10000));

    m_broken = writeFile(QStringLiteral("broken.js"), "const BaseDriver = require('./base-driver');\nclass X {\n");

    startNuc();
    QVERIFY(QTest::qWaitFor([&] { return nucConnected(); }, 15000));
    QString out;
    // Two versions, so that the archive holds one to roll back to from the start.
    for (const QString &version : {QStringLiteral("1.0.0"), QStringLiteral("1.1.0")}) {
        QVERIFY2(cli({QStringLiteral("deploy"), QStringLiteral("--controller"), controllerId, QStringLiteral("--file"),
                      goodFile(version), QStringLiteral("--type"), QStringLiteral("crashy"), QStringLiteral("--version"), version},
                     &out) == 0,
                 qPrintable(out));
    }
    QCOMPARE(cli({QStringLiteral("devices"), QStringLiteral("--controller"), controllerId, QStringLiteral("--file"),
                  writeFile(QStringLiteral("devices.json"),
                            R"([{"device_id":"a","name":"A","type":"crashy"},{"device_id":"b","name":"B","type":"crashy"},
                                {"device_id":"c","name":"C","type":"crashy"}])")},
                 &out),
             0);
}

void tst_CrashConsistency::cleanupTestCase()
{
    for (auto &p : m_clis)
        p->waitForFinished(20000);
    if (m_nuc) {
        m_nuc->terminate();
        m_nuc->waitForFinished(10000);
    }
    if (m_cloud) {
        m_cloud->terminate();
        m_cloud->waitForFinished(10000);
    }
}

QString tst_CrashConsistency::writeFile(const QString &name, const QByteArray &content)
{
    QFile f(m_dir.filePath(name));
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(f.fileName()));
    f.write(content);
    return f.fileName();
}

QString tst_CrashConsistency::goodFile(const QString &version)
{
    return writeFile(QStringLiteral("good-%1.js").arg(version),
                     "const BaseDriver = require('./base-driver');\n"
                     "class Good extends BaseDriver {\n"
                     "  connect() { return Promise.resolve(); }\n"
                     "  sendCommand(command, params) { return Promise.resolve({ echoed: command }); }\n"
                     "}\n"
                     "module.exports = Good;\n"
                         + versionMark(version).toUtf8());
}

QString tst_CrashConsistency::activeVersion()
{
    return rowsOf(nucDatabase(), QStringLiteral("SELECT version FROM drivers WHERE driver_type = 'crashy'")).value(0);
}

void tst_CrashConsistency::startNuc()
{
    m_nuc = std::make_unique<QProcess>();
    m_nuc->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_nuc->start(nucBinary, {QStringLiteral("--headless"), QStringLiteral("--root"), m_dir.filePath(controllerId),
                             QStringLiteral("--cloud-url"), QStringLiteral("ws://127.0.0.1:%1/").arg(m_port),
                             QStringLiteral("--token"), QStringLiteral("crash-token"), QStringLiteral("--controller-id"), controllerId,
                             QStringLiteral("--reconnect-min-ms"), QStringLiteral("50"),
                             QStringLiteral("--reconnect-max-ms"), QStringLiteral("200"),
                             QStringLiteral("--log-level"), QStringLiteral("error")});
    QVERIFY(m_nuc->waitForStarted(5000));
}

void tst_CrashConsistency::killNuc()
{
    ::kill(pid_t(m_nuc->processId()), SIGKILL);
    QVERIFY(m_nuc->waitForFinished(5000));
    QCOMPARE(m_nuc->exitStatus(), QProcess::CrashExit);
}

int tst_CrashConsistency::cli(const QStringList &args, QString *out)
{
    QProcess p;
    p.start(cloudBinary, args + QStringList{QStringLiteral("--admin-socket"), m_admin});
    if (!p.waitForFinished(40000))
        return -1;
    if (out)
        *out = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
    return p.exitCode();
}

void tst_CrashConsistency::startCli(const QStringList &args)
{
    auto p = std::make_unique<QProcess>();
    p->setProcessChannelMode(QProcess::MergedChannels);
    p->start(cloudBinary, args + QStringList{QStringLiteral("--admin-socket"), m_admin});
    m_clis.push_back(std::move(p));
}

bool tst_CrashConsistency::nucConnected()
{
    QString out;
    if (cli({QStringLiteral("controllers"), QStringLiteral("--json")}, &out) != 0)
        return false;
    for (const QJsonValue &c : QJsonDocument::fromJson(out.toUtf8()).object().value(QStringLiteral("controllers")).toArray()) {
        if (c[QStringLiteral("controller_id")].toString() == controllerId)
            return c[QStringLiteral("connected")].toBool();
    }
    return false;
}

void tst_CrashConsistency::syncRound(int round)
{
    const bool good = m_random.bounded(4) != 0;
    const QString version = QStringLiteral("2.%1.0").arg(round);
    startCli({QStringLiteral("deploy"), QStringLiteral("--controller"), controllerId, QStringLiteral("--file"),
              good ? goodFile(version) : m_broken, QStringLiteral("--type"), QStringLiteral("crashy"), QStringLiteral("--version"),
              version, QStringLiteral("--no-wait")});
}

void tst_CrashConsistency::rollbackRound(int)
{
    // Half of them to the version before (no --version), most others to a
    // kept version picked at random, some to one not kept (refused: its
    // driver_sync_error is an outcome to deliver like any other).
    Rollback r;
    r.before = activeVersion();
    const QStringList kept = rowsOf(nucDatabase(), QStringLiteral("SELECT version FROM driver_versions"
                                                                  " WHERE driver_type = 'crashy' ORDER BY seq DESC"));
    QVERIFY2(!kept.isEmpty(), "no kept version to roll back to");
    QStringList args{QStringLiteral("rollback"), QStringLiteral("--controller"), controllerId, QStringLiteral("--type"),
                     QStringLiteral("crashy"), QStringLiteral("--no-wait")};
    const quint32 pick = m_random.bounded(8);
    if (pick < 4) {
        r.expected = kept.constFirst();
    } else if (pick < 7) {
        r.expected = kept.at(int(m_random.bounded(quint32(kept.size()))));
        args << QStringLiteral("--version") << r.expected;
    } else {
        args << QStringLiteral("--version") << QStringLiteral("0.0.1");
    }
    startCli(args);
    r.cli = m_clis.back().get();
    m_rollback = r;
}

void tst_CrashConsistency::deliveryRound(int round)
{
    // Commands (one device_command_result each) and a sync (its outcome and
    // the devices' status_updates): reports made and acknowledged while the
    // kill comes.
    for (const char *device : {"a", "b", "c"}) {
        startCli({QStringLiteral("command"), QStringLiteral("--controller"), controllerId, QStringLiteral("--device"),
                  QLatin1String(device), QStringLiteral("--command"), QStringLiteral("round_%1").arg(round)});
    }
    syncRound(round);
}

void tst_CrashConsistency::checkStorage(const QString &when, bool restarted)
{
    QString error;
    const QStringList integrity = rowsOf(nucDatabase(), QStringLiteral("PRAGMA integrity_check"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(when + u": " + error));
    QVERIFY2(integrity == QStringList{QStringLiteral("ok")}, qPrintable(when + u": " + integrity.join(u"; ")));
    // File == active row, for every driver, once restarted: a kill between
    // the file's rename and the commit leaves the new file next to the old
    // row, which the start mends (DriverSyncPipeline::reconcileFiles).
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("drivers"));
    db.setDatabaseName(nucDatabase());
    QVERIFY(db.open());
    {
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT driver_type, version, driver_code FROM drivers")));
        int drivers = 0;
        while (q.next()) {
            ++drivers;
            if (!restarted)
                continue;
            QFile file(m_dir.filePath(controllerId + QStringLiteral("/var/drivers/%1.js").arg(q.value(0).toString())));
            QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(when + u": no file for " + q.value(0).toString()));
            QVERIFY2(QString::fromUtf8(file.readAll()) == q.value(2).toString(),
                     qPrintable(when + u": the file of " + q.value(0).toString() + u" is not its active row ("
                                + q.value(1).toString() + u")"));
        }
        QCOMPARE(drivers, 1);
    }
    {
        // The archive: at most 5 versions per type, never the active one,
        // and every row's code what its digest and its version say.
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT driver_type, COUNT(*) FROM driver_versions GROUP BY driver_type")));
        while (q.next()) {
            QVERIFY2(q.value(1).toInt() <= keptVersions,
                     qPrintable(when + u": " + q.value(1).toString() + u" archived versions of " + q.value(0).toString()));
        }
        QVERIFY(q.exec(QStringLiteral("SELECT v.driver_type, v.version FROM driver_versions v"
                                      " JOIN drivers d ON d.driver_type = v.driver_type AND d.version = v.version")));
        QVERIFY2(!q.next(), qPrintable(when + u": the active " + q.value(1).toString() + u" is also archived"));
        QVERIFY(q.exec(QStringLiteral("SELECT driver_type, version, driver_code, code_sha256 FROM driver_versions")));
        int archived = 0;
        while (q.next()) {
            ++archived;
            const QString what = when + u": archived " + q.value(0).toString() + u' ' + q.value(1).toString();
            QVERIFY2(q.value(3).toString() == sha256Hex(q.value(2).toString()), qPrintable(what + u": code_sha256 is not its code's"));
            QVERIFY2(q.value(2).toString().endsWith(versionMark(q.value(1).toString())), qPrintable(what + u": another version's code"));
        }
        QVERIFY2(archived > 0, qPrintable(when + u": the archive is empty"));
        // The active row's digest (what hello names) is its code's, and its
        // code is that version's.
        QVERIFY(q.exec(QStringLiteral("SELECT d.driver_type, d.version, d.driver_code, g.code_sha256 FROM drivers d"
                                      " LEFT JOIN driver_digests g ON g.driver_type = d.driver_type")));
        while (q.next()) {
            const QString what = when + u": active " + q.value(0).toString() + u' ' + q.value(1).toString();
            QVERIFY2(q.value(3).toString() == sha256Hex(q.value(2).toString()),
                     qPrintable(what + u": driver_digests has " + q.value(3).toString()));
            QVERIFY2(q.value(2).toString().endsWith(versionMark(q.value(1).toString())), qPrintable(what + u": another version's code"));
        }
    }
    db.close();
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("drivers"));
}

void tst_CrashConsistency::checkDelivery(const QString &when)
{
    // Settled: connected, nothing held, every stored outcome put in the outbox.
    QVERIFY2(QTest::qWaitFor([&] { return nucConnected(); }, 15000), qPrintable(when + u": not connected"));
    QVERIFY2(QTest::qWaitFor([&] {
                 return rowsOf(nucDatabase(), QStringLiteral("SELECT (SELECT COUNT(*) FROM report_outbox)"
                                                             " + (SELECT COUNT(*) FROM sync_outcomes WHERE reported = 0)"))
                     == QStringList{QStringLiteral("0")};
             }, 15000),
             qPrintable(when + u": reports still held: "
                        + rowsOf(nucDatabase(), QStringLiteral("SELECT seq, type FROM report_outbox")).join(u", ")));

    // Every outcome the controller stored is on the cloud exactly once, and
    // the cloud has no outcome the controller did not store.
    const QStringList stored = rowsOf(nucDatabase(), QStringLiteral("SELECT sync_id FROM sync_outcomes ORDER BY sync_id"));
    const QStringList onCloud = rowsOf(cloudDatabase(),
                                       QStringLiteral("SELECT json_extract(data, '$.sync_id') || '|' || COUNT(*) FROM controller_reports"
                                                      " WHERE type IN ('driver_sync_complete', 'driver_sync_error')"
                                                      " GROUP BY json_extract(data, '$.sync_id') ORDER BY 1"));
    QStringList expected;
    for (const QString &syncId : stored)
        expected << syncId + QStringLiteral("|1");
    QCOMPARE(onCloud, expected);
    // ... and ended its deployment (a sync's or a rollback's) once, the way
    // the controller says: one active or failed event in its history.
    const QStringList ends = rowsOf(cloudDatabase(),
                                    QStringLiteral("SELECT d.sync_id || '|' || d.deployment_status || '|' ||"
                                                   " (SELECT COUNT(*) FROM deployment_events e WHERE e.sync_id = d.sync_id"
                                                   "  AND e.deployment_status IN ('active', 'failed'))"
                                                   " FROM driver_deployments d WHERE d.deployment_status IN ('active', 'failed')"
                                                   " ORDER BY d.sync_id"));
    QCOMPARE(ends, rowsOf(nucDatabase(), QStringLiteral("SELECT sync_id || '|' || CASE outcome WHEN 'completed' THEN 'active'"
                                                        " ELSE 'failed' END || '|1' FROM sync_outcomes ORDER BY sync_id")));
    // No command answered twice.
    QCOMPARE(rowsOf(cloudDatabase(), QStringLiteral("SELECT json_extract(data, '$.request_id') FROM controller_reports"
                                                    " WHERE type = 'device_command_result'"
                                                    " GROUP BY json_extract(data, '$.request_id') HAVING COUNT(*) > 1")),
             QStringList());
    // A seq is never handed out twice: the controller's counter is ahead of
    // all the cloud has (a repeat would have been taken for a duplicate).
    const qint64 counter = rowsOf(nucDatabase(), QStringLiteral("SELECT seq FROM sqlite_sequence WHERE name = 'report_outbox'"))
                               .value(0).toLongLong();
    const qint64 cloudMax = rowsOf(cloudDatabase(), QStringLiteral("SELECT MAX(seq) FROM controller_reports")).value(0).toLongLong();
    QVERIFY2(counter >= cloudMax && cloudMax > 0, qPrintable(QStringLiteral("%1: counter %2, cloud %3").arg(when).arg(counter).arg(cloudMax)));
}

void tst_CrashConsistency::checkRollback(const QString &when)
{
    // Called once the controller is back and settled (checkDelivery).
    const Rollback r = *std::exchange(m_rollback, std::nullopt);
    const QString &out = r.cliOutput;
    const QRegularExpressionMatch sent = QRegularExpression(QStringLiteral("deployment (\\S+) sent")).match(out);
    const QString active = activeVersion();
    // Killed before the cloud could send it: nothing may have changed.
    if (!sent.hasMatch()) {
        QVERIFY2(active == r.before, qPrintable(when + u": not sent (" + out.trimmed() + u"), yet " + active + u" is active"));
        ++m_cutShort;
        return;
    }
    const QStringList outcome = rowsOf(nucDatabase(), QStringLiteral("SELECT outcome, message_data FROM sync_outcomes WHERE sync_id = '%1'")
                                                          .arg(sent.captured(1)));
    if (outcome.isEmpty()) {
        // Killed before it was done: the row, the archive and the outcome
        // are one transaction, so the version before is still active.
        QVERIFY2(active == r.before, qPrintable(when + u": no outcome, yet " + active + u" replaced " + r.before));
        ++m_cutShort;
    } else if (r.expected.isEmpty()) {
        QVERIFY2(outcome.constFirst().startsWith(u"failed|") && outcome.constFirst().contains(u"not kept"),
                 qPrintable(when + u": a version not kept: " + outcome.constFirst()));
        QCOMPARE(active, r.before);
        ++m_refused;
    } else {
        QVERIFY2(outcome.constFirst().startsWith(u"completed|"), qPrintable(when + u": " + outcome.constFirst()));
        QVERIFY2(active == r.expected, qPrintable(when + u": rolled back to " + active + u", asked for " + r.expected));
        ++m_rolledBack;
    }
}

void tst_CrashConsistency::killedAtRandomLosesNothing()
{
    // The kinds of round, drawn at random.
    struct Kind
    {
        const char *name;
        void (tst_CrashConsistency::*action)(int round);
        quint32 maxDelayMs;   // a rollback is done within tens of ms: killed sooner, more die half-way
    };
    static const Kind kinds[] = {
        {"sync", &tst_CrashConsistency::syncRound, 400},
        {"delivery", &tst_CrashConsistency::deliveryRound, 400},
        {"rollback", &tst_CrashConsistency::rollbackRound, 150},
    };
    constexpr int kindCount = int(sizeof(kinds) / sizeof(kinds[0]));

    // One round: its action, a kill after `delayMs`, the checks; false when one failed.
    const auto runRound = [this](const Kind &kind, int delayMs, int round) {
        const QString when = QStringLiteral("round %1 (%2, kill after %3 ms)").arg(round).arg(QLatin1String(kind.name)).arg(delayMs);
        qInfo().noquote() << when;
        (this->*kind.action)(round);
        if (QTest::currentTestFailed())
            return false;
        QTest::qWait(delayMs);
        killNuc();
        checkStorage(when, false);
        if (QTest::currentTestFailed())
            return false;
        for (auto &p : m_clis)
            p->waitForFinished(20000);   // the cloud answers them once the controller is gone
        if (m_rollback)
            m_rollback->cliOutput = QString::fromUtf8(m_rollback->cli->readAll());
        m_clis.clear();
        startNuc();
        checkDelivery(when);
        if (QTest::currentTestFailed())
            return false;
        if (m_rollback)
            checkRollback(when);
        // The archive once more, now that the restarted controller has read
        // (and, had it found anything to mend, written) it.
        checkStorage(when + u", restarted", true);
        return !QTest::currentTestFailed();
    };
    for (int round = 1; round <= rounds; ++round) {
        const Kind &kind = kinds[m_random.bounded(kindCount)];
        if (!runRound(kind, int(m_random.bounded(kind.maxDelayMs)), round))
            return;
    }
    // A rollback takes tens of ms on a quiet machine, but under load every
    // one drawn may have been killed half-way (seen at load ~10): then more,
    // given the time to finish, so that a run always checks a finished one.
    for (int extra = 1; m_rolledBack == 0 && extra <= 3; ++extra) {
        if (!runRound(kinds[kindCount - 1], 3000, rounds + extra))
            return;
    }
    // Not a run in which every rollback was killed before it was done.
    qInfo("rollbacks: %d done, %d refused, %d killed before done", m_rolledBack, m_refused, m_cutShort);
    QVERIFY2(m_rolledBack > 0, "no rollback round got as far as its outcome");
}

QTEST_GUILESS_MAIN(tst_CrashConsistency)
#include "tst_crashconsistency.moc"
