// End to end: control-cloud, control-nuc and the device simulator as real
// processes on 127.0.0.1, driven through control-cloud's command line.
// The database is SQLite, or PostgreSQL when NUC_TEST_DB=postgres (the test
// script starts a throw-away cluster and sets CONTROL_CLOUD_TEST_PG_URL).
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QSignalSpy>
#include <QWebSocket>

#include "cloudprocess.h"
#include "wsrelay.h"

#include <csignal>
#include <memory>

namespace {

const QString binDir = QStringLiteral(CONTROL_NUC_BINARY).section(QLatin1Char('/'), 0, -2);
const QString cloudBinary = binDir + QStringLiteral("/cloudserver/control-cloud");
const QString nucBinary = QStringLiteral(CONTROL_NUC_BINARY);
const QString loadtestBinary = binDir + QStringLiteral("/loadtest/control-cloud-loadtest");

quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

} // namespace

class tst_Cloud : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void deployGoesPendingInProgressActive();
    void badDriverFailsWithItsMessage();
    void signedDeployAndRollbackThroughTheCli();
    void provisionAndCommandThroughTheCli();
    void driverMetricsReachTheCloud();
    void refusedDeviceListFailsTheCli();
    void controllerReconnectsAfterTheCloudRestarts();
    void wrongTokenIsRefused();
    void unknownSyncIdIsLoggedNotACrash();
    void wssWithCertificateAndKey();
    void perControllerCredentialsAddListRemove();
    void anotherControllersTokenCannotTakeOver();
    void cloudFilesAreOwnerOnly();
    void readableTokenFileIsRefused();
    void openFileLimitIsRaisedAtStart();
    void loadTestFleetDeploysAndIsAcknowledged();
    void outageWithRestartLosesNoReport();

private:
    // One value from the controller's own database (read while it runs).
    QVariant nucScalar(const QString &id, const QString &sql);
    QString deployNoWait(const QString &file, const QString &type, const QString &version);
    void startCloud(const QStringList &extra = {});
    // tcp_projector deployed to nuc-e2e (connected), device proj-1 connected.
    void deployProjector();
    void stopCloud();
    void startNuc(const QString &token = QStringLiteral("e2e-token"), const QString &id = QStringLiteral("nuc-e2e"),
                  const QStringList &extra = {});
    // Runs a CLI command; returns exit code, fills stdout.
    int cli(const QStringList &args, QString *out = nullptr, int timeoutMs = 40000);
    QJsonObject cliJson(const QStringList &args);
    bool waitForController(const QString &id, bool connected, int timeoutMs = 10000);
    QString addCredential(const QString &id);
    QString secretFile(const QString &name, const QString &content, QFile::Permissions permissions);
    QJsonObject deployment(const QString &syncId);

    QString m_database;
    bool m_postgres = false;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_sim;   // device-simulator: its own process, as the CLI calls block
    int m_simPort = 0;
    std::unique_ptr<QProcess> m_cloud;
    std::vector<std::unique_ptr<QProcess>> m_nucs;
    quint16 m_port = 0;
    QString m_admin;
};

void tst_Cloud::initTestCase()
{
    QVERIFY2(QFile::exists(cloudBinary), qPrintable(cloudBinary));
    CloudProcess::chooseDatabase(&m_postgres, &m_database);
}

void tst_Cloud::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    if (m_postgres) {
        // A clean schema for every test.
        QCOMPARE(CloudProcess::resetPostgres(m_database), QString());
    } else {
        m_database = m_dir->filePath(QStringLiteral("cloud.sqlite"));
    }
    m_sim = std::make_unique<QProcess>();
    m_sim->start(binDir + QStringLiteral("/simulator/device-simulator"), {QStringLiteral("--udp-port"), QStringLiteral("off")});
    QVERIFY(m_sim->waitForReadyRead(5000));
    m_simPort = QRegularExpression(QStringLiteral("tcp 127\\.0\\.0\\.1:(\\d+)"))
                    .match(QString::fromUtf8(m_sim->readAllStandardOutput())).captured(1).toInt();
    QVERIFY(m_simPort > 0);
    m_port = freePort();
    m_admin = m_dir->filePath(QStringLiteral("admin/admin.sock"));
    startCloud();
}

void tst_Cloud::cleanup()
{
    for (auto &nuc : m_nucs) {
        nuc->terminate();
        nuc->waitForFinished(10000);
    }
    m_nucs.clear();
    stopCloud();
    if (m_sim) {
        m_sim->terminate();
        m_sim->waitForFinished(5000);
    }
    m_sim.reset();
    m_dir.reset();
}

void tst_Cloud::startCloud(const QStringList &extra)
{
    // PostgreSQL: the password goes through the environment, not the command line.
    m_cloud = CloudProcess::start(m_database, m_port, m_admin, extra);
    QVERIFY2(m_cloud, "control-cloud did not start");
}

void tst_Cloud::stopCloud()
{
    if (!m_cloud)
        return;
    m_cloud->terminate();
    QVERIFY(m_cloud->waitForFinished(10000));
    QCOMPARE(m_cloud->exitCode(), 0);
    m_cloud.reset();
}

void tst_Cloud::startNuc(const QString &token, const QString &id, const QStringList &extra)
{
    auto nuc = std::make_unique<QProcess>();
    nuc->setProcessChannelMode(QProcess::ForwardedChannels);
    nuc->start(nucBinary, QStringList{QStringLiteral("--headless"), QStringLiteral("--root"), m_dir->filePath(id),
                           QStringLiteral("--cloud-url"), QStringLiteral("ws://127.0.0.1:%1/").arg(m_port),
                           QStringLiteral("--token"), token, QStringLiteral("--controller-id"), id,
                           QStringLiteral("--reconnect-min-ms"), QStringLiteral("100"),
                           QStringLiteral("--reconnect-max-ms"), QStringLiteral("500"),
                           QStringLiteral("--log-level"), QStringLiteral("warning")} + extra);
    QVERIFY(nuc->waitForStarted(5000));
    m_nucs.push_back(std::move(nuc));
}

int tst_Cloud::cli(const QStringList &args, QString *out, int timeoutMs)
{
    // The event loop runs meanwhile: the test's own relay (WsRelay) carries
    // what the command waits for.
    return CloudProcess::cli(m_admin, args, out, timeoutMs);
}

QJsonObject tst_Cloud::cliJson(const QStringList &args)
{
    return CloudProcess::cliJson(m_admin, args);
}

bool tst_Cloud::waitForController(const QString &id, bool connected, int timeoutMs)
{
    return QTest::qWaitFor([&] {
        const QJsonArray list = cliJson({QStringLiteral("controllers")}).value(QStringLiteral("controllers")).toArray();
        for (const QJsonValue &v : list) {
            if (v[QStringLiteral("controller_id")].toString() == id)
                return v[QStringLiteral("connected")].toBool() == connected;
        }
        return !connected;
    }, timeoutMs);
}

QJsonObject tst_Cloud::deployment(const QString &syncId)
{
    const QJsonArray list = cliJson({QStringLiteral("deployments")}).value(QStringLiteral("deployments")).toArray();
    for (const QJsonValue &v : list) {
        if (v[QStringLiteral("sync_id")].toString() == syncId)
            return v.toObject();
    }
    return {};
}

void tst_Cloud::deployGoesPendingInProgressActive()
{
    startNuc();
    QVERIFY(waitForController(QStringLiteral("nuc-e2e"), true));
    QString out;
    const int status = cli({QStringLiteral("deploy"), QStringLiteral("--controller"), QStringLiteral("nuc-e2e"),
                            QStringLiteral("--file"), QStringLiteral(NUC_SOURCE_DIR "/resources/examples/tcp-projector.js"),
                            QStringLiteral("--type"), QStringLiteral("tcp_projector"), QStringLiteral("--version"), QStringLiteral("1.0.0"),
                            QStringLiteral("--config"), QStringLiteral("{\"host\":\"127.0.0.1\",\"port\":%1}").arg(m_simPort)},
                           &out);
    QVERIFY2(status == 0, qPrintable(out));
    QVERIFY2(out.startsWith(u"deployment ") && out.contains(u": active, "), qPrintable(out));
    const QString syncId = out.section(QLatin1Char(' '), 1, 1).chopped(1);
    const QJsonObject d = deployment(syncId);
    QCOMPARE(d.value(QStringLiteral("deployment_status")).toString(), QStringLiteral("active"));
    QCOMPARE(d.value(QStringLiteral("controller_id")).toString(), QStringLiteral("nuc-e2e"));
    QCOMPARE(d.value(QStringLiteral("driver_type")).toString(), QStringLiteral("tcp_projector"));
    QVERIFY(d.value(QStringLiteral("file_path")).toString().endsWith(u"/var/drivers/tcp_projector.js"));
    QVERIFY(QFile::exists(d.value(QStringLiteral("file_path")).toString()));
    QVERIFY(!d.value(QStringLiteral("deployed_at")).toString().isEmpty());
    QVERIFY(d.value(QStringLiteral("error_message")).isNull());
    QCOMPARE(d.value(QStringLiteral("history")).toArray().toVariantList(),
             (QVariantList{QStringLiteral("pending"), QStringLiteral("in_progress"), QStringLiteral("active")}));
    // The table form lists it too.
    QVERIFY(cli({QStringLiteral("deployments")}, &out) == 0 && out.contains(syncId) && out.contains(u"active"));
}

void tst_Cloud::badDriverFailsWithItsMessage()
{
    startNuc();
    QVERIFY(waitForController(QStringLiteral("nuc-e2e"), true));
    QFile bad(m_dir->filePath(QStringLiteral("bad.js")));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("const B = require('./base-driver');\nclass X extends B {\n  connect( {\n}\n");
    bad.close();
    QString out;
    QCOMPARE(cli({QStringLiteral("deploy"), QStringLiteral("--controller"), QStringLiteral("nuc-e2e"), QStringLiteral("--file"), bad.fileName(),
                  QStringLiteral("--type"), QStringLiteral("bad_driver"), QStringLiteral("--version"), QStringLiteral("0.0.1")},
                 &out),
             1);
    QVERIFY2(out.contains(u": failed: Driver validation failed: syntax error at line"), qPrintable(out));
    const QString syncId = out.section(QLatin1Char(' '), 1, 1).chopped(1);
    const QJsonObject d = deployment(syncId);
    QCOMPARE(d.value(QStringLiteral("deployment_status")).toString(), QStringLiteral("failed"));
    QVERIFY(d.value(QStringLiteral("error_message")).toString().startsWith(u"Driver validation failed: syntax error at line"));
    QVERIFY(d.value(QStringLiteral("file_path")).isNull());
    // Deploying to a controller that is not connected is refused at once.
    QCOMPARE(cli({QStringLiteral("deploy"), QStringLiteral("--controller"), QStringLiteral("nobody"), QStringLiteral("--file"), bad.fileName(),
                  QStringLiteral("--type"), QStringLiteral("x"), QStringLiteral("--version"), QStringLiteral("1")},
                 &out),
             1);
    QVERIFY(out.contains(u"controller nobody is not connected"));
}

void tst_Cloud::signedDeployAndRollbackThroughTheCli()
{
    // keygen: a private key only its owner may read, and a trusted-keys line.
    // (keygen talks to no running cloud: it is called without --admin-socket.)
    const QString key = m_dir->filePath(QStringLiteral("ops-key"));
    QString out;
    const auto keygen = [&] {
        QProcess p;
        p.start(cloudBinary, {QStringLiteral("keygen"), QStringLiteral("--out"), key, QStringLiteral("--key-id"), QStringLiteral("ops-2026")});
        p.waitForFinished(10000);
        out = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
        return p.exitCode();
    };
    QCOMPARE(keygen(), 0);
    QVERIFY2(out.startsWith(u"ops-2026 "), qPrintable(out));
    QCOMPARE(QFile::permissions(key) & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther), QFile::Permissions());
    QVERIFY(QFile::exists(key + QStringLiteral(".pub")));
    QCOMPARE(keygen(), 1);
    QVERIFY2(out.contains(u"not overwriting"), qPrintable(out));

    startNuc(QStringLiteral("e2e-token"), QStringLiteral("nuc-e2e"),
             {QStringLiteral("--trusted-keys"), key + QStringLiteral(".pub"), QStringLiteral("--require-signed-drivers")});
    QVERIFY(waitForController(QStringLiteral("nuc-e2e"), true));
    const auto deploy = [&](const QString &version, bool sign) {
        QStringList args{QStringLiteral("deploy"), QStringLiteral("--controller"), QStringLiteral("nuc-e2e"),
                         QStringLiteral("--file"), QStringLiteral(NUC_SOURCE_DIR "/resources/examples/tcp-projector.js"),
                         QStringLiteral("--type"), QStringLiteral("tcp_projector"), QStringLiteral("--version"), version,
                         QStringLiteral("--config"), QStringLiteral("{\"host\":\"127.0.0.1\",\"port\":%1}").arg(m_simPort)};
        if (sign)
            args << QStringLiteral("--sign") << key;
        return cli(args, &out);
    };
    // Unsigned: refused by the controller, which writes nothing.
    QCOMPARE(deploy(QStringLiteral("1.0.0"), false), 1);
    QVERIFY2(out.contains(u": failed: Invalid signature: this controller requires signed drivers"), qPrintable(out));
    QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("nuc-e2e/var/drivers/tcp_projector.js"))));
    QVERIFY2(deploy(QStringLiteral("1.0.0"), true) == 0, qPrintable(out));
    QVERIFY2(deploy(QStringLiteral("1.1.0"), true) == 0, qPrintable(out));
    QVERIFY(QFile(m_dir->filePath(QStringLiteral("nuc-e2e/logs/driver-sync.log"))).exists());
    QFile audit(m_dir->filePath(QStringLiteral("nuc-e2e/logs/driver-sync.log")));
    QVERIFY(audit.open(QIODevice::ReadOnly));
    QVERIFY(audit.readAll().contains("key_id=\"ops-2026\""));

    // rollback: waits for the outcome like deploy, and the cloud's view follows.
    QCOMPARE(cli({QStringLiteral("rollback"), QStringLiteral("--controller"), QStringLiteral("nuc-e2e"), QStringLiteral("--type"),
                  QStringLiteral("tcp_projector")},
                 &out),
             0);
    QVERIFY2(out.startsWith(u"deployment ") && out.contains(u": active, "), qPrintable(out));
    const QString syncId = out.section(QLatin1Char(' '), 1, 1).chopped(1);
    QCOMPARE(deployment(syncId).value(QStringLiteral("deployment_status")).toString(), QStringLiteral("active"));
    QCOMPARE(deployment(syncId).value(QStringLiteral("version")).toString(), QStringLiteral("(previous)"));
    const QJsonArray controllers = cliJson({QStringLiteral("controllers")}).value(QStringLiteral("controllers")).toArray();
    QCOMPARE(controllers.size(), 1);
    QCOMPARE(controllers.at(0)[QStringLiteral("drivers")][0][QStringLiteral("version")].toString(), QStringLiteral("1.0.0"));
    // A version the controller did not keep: the CLI fails with the controller's reason.
    QCOMPARE(cli({QStringLiteral("rollback"), QStringLiteral("--controller"), QStringLiteral("nuc-e2e"), QStringLiteral("--type"),
                  QStringLiteral("tcp_projector"), QStringLiteral("--version"), QStringLiteral("9.9.9")},
                 &out),
             1);
    QVERIFY2(out.contains(u"failed: Rollback refused: version '9.9.9' of 'tcp_projector' is not kept (kept: 1.1.0)"), qPrintable(out));
    // A type the controller never had: refused with the reason, and the deployment fails.
    QCOMPARE(cli({QStringLiteral("rollback"), QStringLiteral("--controller"), QStringLiteral("nuc-e2e"), QStringLiteral("--type"),
                  QStringLiteral("../etc")},
                 &out),
             1);
    QVERIFY2(out.contains(u"failed: Rollback refused: invalid driver_rollback: driver_type must be a valid driver type"), qPrintable(out));
}

void tst_Cloud::deployProjector()
{
    QVERIFY(waitForController(QStringLiteral("nuc-e2e"), true));
    QCOMPARE(cli({QStringLiteral("deploy"), QStringLiteral("--controller"), QStringLiteral("nuc-e2e"),
                  QStringLiteral("--file"), QStringLiteral(NUC_SOURCE_DIR "/resources/examples/tcp-projector.js"),
                  QStringLiteral("--type"), QStringLiteral("tcp_projector"), QStringLiteral("--version"), QStringLiteral("1.0.0"),
                  QStringLiteral("--config"), QStringLiteral("{\"host\":\"127.0.0.1\",\"port\":%1}").arg(m_simPort)}),
             0);
    QFile devices(m_dir->filePath(QStringLiteral("devices.json")));
    QVERIFY(devices.open(QIODevice::WriteOnly));
    devices.write(R"([{"device_id":"proj-1","name":"Lobby projector","type":"tcp_projector"}])");
    devices.close();
    QString out;
    QCOMPARE(cli({QStringLiteral("devices"), QStringLiteral("--controller"), QStringLiteral("nuc-e2e"), QStringLiteral("--file"), devices.fileName()}, &out), 0);
    QVERIFY(QTest::qWaitFor([&] {
        return cli({QStringLiteral("controllers")}, &out) == 0 && out.contains(u"proj-1=connected");
    }, 10000));
}

void tst_Cloud::provisionAndCommandThroughTheCli()
{
    startNuc();
    deployProjector();
    if (QTest::currentTestFailed())
        return;
    QString out;
    const int status = cli({QStringLiteral("command"), QStringLiteral("--controller"), QStringLiteral("nuc-e2e"),
                            QStringLiteral("--device"), QStringLiteral("proj-1"), QStringLiteral("--command"), QStringLiteral("power_on")},
                           &out);
    QVERIFY2(status == 0, qPrintable(out));
    QVERIFY2(out.startsWith(u"ok (") && out.contains(u"{\"power\":\"on\"}"), qPrintable(out));
    // The device really is on: the driver asks it.
    QCOMPARE(cli({QStringLiteral("command"), QStringLiteral("--controller"), QStringLiteral("nuc-e2e"), QStringLiteral("--device"),
                  QStringLiteral("proj-1"), QStringLiteral("--command"), QStringLiteral("status")},
                 &out),
             0);
    QVERIFY2(out.contains(u"{\"power\":\"on\"}"), qPrintable(out));
    QCOMPARE(cli({QStringLiteral("command"), QStringLiteral("--controller"), QStringLiteral("nuc-e2e"), QStringLiteral("--device"),
                  QStringLiteral("ghost"), QStringLiteral("--command"), QStringLiteral("power_on")},
                 &out),
             1);
    QVERIFY2(out.contains(u"failed: unknown device: ghost"), qPrintable(out));
}

void tst_Cloud::driverMetricsReachTheCloud()
{
    startNuc(QStringLiteral("e2e-token"), QStringLiteral("nuc-e2e"), {QStringLiteral("--metrics-interval"), QStringLiteral("1")});
    QString out;
    // Nothing yet from this controller: said so, exit 1.
    QCOMPARE(cli({QStringLiteral("metrics"), QStringLiteral("nuc-e2e")}, &out), 1);
    QVERIFY2(out.contains(u"no driver_metrics from controller nuc-e2e yet"), qPrintable(out));
    deployProjector();
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(cli({QStringLiteral("command"), QStringLiteral("--controller"), QStringLiteral("nuc-e2e"), QStringLiteral("--device"),
                  QStringLiteral("proj-1"), QStringLiteral("--command"), QStringLiteral("power_on")}),
             0);
    // Within a few intervals the cloud holds the controller's figures,
    // including the calls into proj-1 (load, connect, the command).
    QJsonObject device;
    QVERIFY(QTest::qWaitFor([&] {
        const QJsonArray metrics = cliJson({QStringLiteral("metrics"), QStringLiteral("nuc-e2e")}).value(QStringLiteral("metrics")).toArray();
        for (const QJsonValue &driver : metrics.first()[QStringLiteral("drivers")].toArray()) {
            for (const QJsonValue &d : driver[QStringLiteral("devices")].toArray()) {
                if (driver[QStringLiteral("driver_type")].toString() == u"tcp_projector" && d[QStringLiteral("device_id")].toString() == u"proj-1"
                    && d[QStringLiteral("calls")].toInt() >= 3 && driver[QStringLiteral("host_rss_bytes")].toDouble() > 0)
                    device = d.toObject();
            }
        }
        return !device.isEmpty();
    }, 15000));
    QCOMPARE(device.value(QStringLiteral("errors")).toInt(), 0);
    QVERIFY(device.value(QStringLiteral("call_ms_p99")).toDouble() >= device.value(QStringLiteral("call_ms_p50")).toDouble());
    QCOMPARE(cliJson({QStringLiteral("metrics")}).value(QStringLiteral("metrics")).toArray().first()[QStringLiteral("interval_s")].toInt(), 1);
    // The table for people.
    QCOMPARE(cli({QStringLiteral("metrics")}, &out), 0);
    QVERIFY2(out.contains(u"controller nuc-e2e (received ") && out.contains(u"tcp_projector") && out.contains(u"proj-1"),
             qPrintable(out));
}

void tst_Cloud::refusedDeviceListFailsTheCli()
{
    startNuc();
    QVERIFY(waitForController(QStringLiteral("nuc-e2e"), true));
    QFile devices(m_dir->filePath(QStringLiteral("duplicate.json")));
    QVERIFY(devices.open(QIODevice::WriteOnly));
    devices.write(R"([{"device_id":"dup-1","name":"A","type":"tcp_projector"},
                      {"device_id":"dup-2","name":"B","type":"tcp_projector"},
                      {"device_id":"dup-1","name":"C","type":"tcp_projector"}])");
    devices.close();
    QString out;
    QCOMPARE(cli({QStringLiteral("devices"), QStringLiteral("--controller"), QStringLiteral("nuc-e2e"), QStringLiteral("--file"),
                  devices.fileName()}, &out),
             1);
    // The controller's own reason, not a guess.
    QVERIFY2(out.contains(u"controller nuc-e2e refused device_sync: device_sync: ")
                 && out.contains(u"device_id dup-1 is listed twice"),
             qPrintable(out));
    QVERIFY2(!out.contains(u"accepted"), qPrintable(out));
    // Nothing was created; a good list right after is accepted (the fence of
    // the refused one does not answer for it).
    QVERIFY(devices.open(QIODevice::WriteOnly | QIODevice::Truncate));
    devices.write(R"([{"device_id":"ok-1","name":"A","type":"tcp_projector"}])");
    devices.close();
    QCOMPARE(cli({QStringLiteral("devices"), QStringLiteral("--controller"), QStringLiteral("nuc-e2e"), QStringLiteral("--file"),
                  devices.fileName()}, &out),
             0);
    QVERIFY2(out.contains(u"1 devices accepted by nuc-e2e"), qPrintable(out));
    QVERIFY(QTest::qWaitFor([&] { return cli({QStringLiteral("controllers")}, &out) == 0 && out.contains(u"ok-1="); }, 10000));
    QVERIFY2(!out.contains(u"dup-1"), qPrintable(out));
}

void tst_Cloud::controllerReconnectsAfterTheCloudRestarts()
{
    startNuc();
    QVERIFY(waitForController(QStringLiteral("nuc-e2e"), true));
    stopCloud();
    startCloud();
    QVERIFY(waitForController(QStringLiteral("nuc-e2e"), true, 15000));
}

void tst_Cloud::wrongTokenIsRefused()
{
    // The intruder alone first, so that the refusal the cloud logs is its own:
    // the test fails if it never dialled or was let in.
    QByteArray cloudLog;
    QProcess intruder;
    intruder.setProcessChannelMode(QProcess::MergedChannels);
    intruder.start(nucBinary, {QStringLiteral("--headless"), QStringLiteral("--root"), m_dir->filePath(QStringLiteral("intruder")),
                               QStringLiteral("--cloud-url"), QStringLiteral("ws://127.0.0.1:%1/").arg(m_port),
                               QStringLiteral("--token"), QStringLiteral("not-the-token"), QStringLiteral("--controller-id"),
                               QStringLiteral("intruder"), QStringLiteral("--reconnect-min-ms"), QStringLiteral("100"),
                               QStringLiteral("--reconnect-max-ms"), QStringLiteral("200"), QStringLiteral("--log-level"),
                               QStringLiteral("warning")});
    QVERIFY(intruder.waitForStarted(5000));
    // Refused on the upgrade (HTTP 401), again and again as it retries.
    QVERIFY2(QTest::qWaitFor([&] {
                 cloudLog += m_cloud->readAll();
                 return cloudLog.count("refused a controller with a missing or wrong token from \"127.0.0.1\" (HTTP 401)") >= 4;
             }, 10000),
             cloudLog.constData());
    // Each refusal names the id that was tried.
    QVERIFY2(cloudLog.count("(HTTP 401) as \"intruder\"") >= 4, cloudLog.constData());
    intruder.terminate();
    QVERIFY(intruder.waitForFinished(10000));
    // The controller said so once, and never that it was connected.
    const QString intruderLog = QString::fromLocal8Bit(intruder.readAll());
    QVERIFY2(intruderLog.count(QStringLiteral("the cloud refused our credentials (HTTP 401)")) == 1
                 && !intruderLog.contains(u"connection to the cloud lost"),
             qPrintable(intruderLog));
    startNuc();
    QVERIFY(waitForController(QStringLiteral("nuc-e2e"), true));
    QString out;
    QCOMPARE(cli({QStringLiteral("controllers")}, &out), 0);
    QVERIFY2(!out.contains(u"intruder"), qPrintable(out));
}

void tst_Cloud::unknownSyncIdIsLoggedNotACrash()
{
    QWebSocket socket;
    QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_port)));
    request.setRawHeader("Authorization", "Bearer e2e-token");
    socket.open(request);
    QVERIFY(QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }, 5000));
    socket.sendTextMessage(QStringLiteral(R"({"type":"hello","data":{"controller_id":"raw-1"}})"));
    socket.sendTextMessage(QStringLiteral(R"({"type":"driver_sync_complete","data":{"sync_id":"nope","file_path":"/x"}})"));
    socket.sendTextMessage(QStringLiteral(R"({"type":"driver_sync_error","data":{"sync_id":"nope2","error_message":"x"}})"));
    socket.sendTextMessage(QStringLiteral(R"({"type":"driver_sync_progress","data":{"sync_id":"nope3"}})"));
    socket.sendTextMessage(QStringLiteral("not json"));
    QVERIFY(waitForController(QStringLiteral("raw-1"), true));
    QCOMPARE(m_cloud->state(), QProcess::Running);
    QVERIFY(cliJson({QStringLiteral("deployments")}).value(QStringLiteral("deployments")).toArray().isEmpty());
}

void tst_Cloud::wssWithCertificateAndKey()
{
    // A self-signed certificate for 127.0.0.1, made for this test.
    const QString cert = m_dir->filePath(QStringLiteral("cert.pem"));
    const QString key = m_dir->filePath(QStringLiteral("key.pem"));
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                   QStringLiteral("-nodes"), QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert,
                   QStringLiteral("-days"), QStringLiteral("1"), QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"),
                   QStringLiteral("-addext"), QStringLiteral("subjectAltName=IP:127.0.0.1")});
    QVERIFY(openssl.waitForFinished(30000));
    QCOMPARE(openssl.exitCode(), 0);

    stopCloud();
    QFile::remove(m_admin);
    startCloud({QStringLiteral("--cert"), cert, QStringLiteral("--key"), key});
    // Without trusting that certificate, the controller does not connect ...
    auto wssUrl = QStringLiteral("wss://127.0.0.1:%1/").arg(m_port);
    startNuc(QStringLiteral("e2e-token"), QStringLiteral("untrusting"), {QStringLiteral("--cloud-url"), wssUrl});
    // ... and trusting it (--cloud-ca), it does.
    startNuc(QStringLiteral("e2e-token"), QStringLiteral("trusting"),
             {QStringLiteral("--cloud-url"), wssUrl, QStringLiteral("--cloud-ca"), cert});
    QVERIFY(waitForController(QStringLiteral("trusting"), true, 15000));
    QString out;
    QCOMPARE(cli({QStringLiteral("controllers")}, &out), 0);
    QVERIFY2(!out.contains(u"untrusting"), qPrintable(out));
}

QVariant tst_Cloud::nucScalar(const QString &id, const QString &sql)
{
    QVariant value;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("nuc-peek"));
        db.setDatabaseName(m_dir->filePath(id + QStringLiteral("/var/database.sqlite")));
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql) && q.next())
                value = q.value(0);
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("nuc-peek"));
    return value;
}

QString tst_Cloud::deployNoWait(const QString &file, const QString &type, const QString &version)
{
    QString out;
    if (cli({QStringLiteral("deploy"), QStringLiteral("--controller"), QStringLiteral("nuc-e2e"), QStringLiteral("--file"), file,
             QStringLiteral("--type"), type, QStringLiteral("--version"), version, QStringLiteral("--no-wait")},
            &out) != 0)
        return {};
    return out.section(QLatin1Char(' '), 1, 1);   // "deployment <id> sent"
}

// The issue's outage: while the controller's reports are lost on the way
// (and, for a while, the link is down altogether), 10 syncs finish and its
// devices change status over 1000 times; the controller is killed and
// restarted in the middle. Afterwards the cloud has every outcome exactly
// once and the latest status of every device.
void tst_Cloud::outageWithRestartLosesNoReport()
{
    WsRelay relay(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_port)));
    QVERIFY(relay.listen());
    const QString id = QStringLiteral("nuc-e2e");
    const QStringList nucArgs{QStringLiteral("--headless"), QStringLiteral("--root"), m_dir->filePath(id),
                              QStringLiteral("--cloud-url"), relay.url().toString(), QStringLiteral("--token"),
                              QStringLiteral("e2e-token"), QStringLiteral("--controller-id"), id,
                              QStringLiteral("--reconnect-min-ms"), QStringLiteral("100"),
                              QStringLiteral("--reconnect-max-ms"), QStringLiteral("300"),
                              QStringLiteral("--device-max-restarts"), QStringLiteral("40"),
                              QStringLiteral("--device-retry-min-ms"), QStringLiteral("10"),
                              QStringLiteral("--device-retry-max-ms"), QStringLiteral("20"),
                              // The faulty versions below would be rolled back: this is about delivery.
                              QStringLiteral("--automatic-rollback"), QStringLiteral("false"),
                              QStringLiteral("--log-level"), QStringLiteral("error")};
    auto startRelayedNuc = [&] {
        auto nuc = std::make_unique<QProcess>();
        nuc->setProcessChannelMode(QProcess::ForwardedChannels);
        nuc->start(nucBinary, nucArgs);
        QVERIFY(nuc->waitForStarted(5000));
        m_nucs.push_back(std::move(nuc));
    };
    startRelayedNuc();
    QVERIFY(waitForController(id, true));

    // Drivers: a good one, one whose connect() throws (each device faults
    // 40 times, two status changes each, then parks), one that fails validation.
    auto writeFile = [&](const QString &name, const QByteArray &code) {
        QFile f(m_dir->filePath(name));
        f.open(QIODevice::WriteOnly);
        f.write(code);
        return f.fileName();
    };
    const QString good = writeFile(QStringLiteral("good.js"),
                                   "const BaseDriver = require('./base-driver');\n"
                                   "class Good extends BaseDriver { connect() { return Promise.resolve(); } }\n"
                                   "module.exports = Good;\n");
    const QString faulty = writeFile(QStringLiteral("faulty.js"),
                                     "const BaseDriver = require('./base-driver');\n"
                                     "class Faulty extends BaseDriver { connect() { throw new Error('no device here'); } }\n"
                                     "module.exports = Faulty;\n");
    const QString broken = writeFile(QStringLiteral("broken.js"), "const BaseDriver = require('./base-driver');\nclass X {\n");
    QString out;
    QVERIFY(cli({QStringLiteral("deploy"), QStringLiteral("--controller"), id, QStringLiteral("--file"), good,
                 QStringLiteral("--type"), QStringLiteral("flaky"), QStringLiteral("--version"), QStringLiteral("1.0.0")},
                &out) == 0);
    QByteArray list = "[";
    for (int i = 0; i < 10; ++i)
        list += QStringLiteral(R"(%1{"device_id":"dev-%2","name":"Device %2","type":"flaky"})").arg(i ? u"," : u"").arg(i).toUtf8();
    list += "]";
    QCOMPARE(cli({QStringLiteral("devices"), QStringLiteral("--controller"), id, QStringLiteral("--file"),
                  writeFile(QStringLiteral("devices.json"), list)}, &out), 0);
    QVERIFY(QTest::qWaitFor([&] { return cli({QStringLiteral("controllers")}, &out) == 0 && out.count(u"=connected") == 10; }, 15000));

    const QString seqSql = QStringLiteral("SELECT seq FROM sqlite_sequence WHERE name = 'report_outbox'");
    const qint64 seqBefore = nucScalar(id, seqSql).toLongLong();
    relay.setMode(WsRelay::Mode::UplinkLost);
    QStringList syncs;
    auto deployRound = [&](int from) {
        for (int i = from; i < from + 5; ++i) {
            const QString file = i % 3 == 2 ? broken : faulty;
            const QString syncId = deployNoWait(file, QStringLiteral("flaky"), QStringLiteral("2.0.%1").arg(i));
            QVERIFY2(!syncId.isEmpty(), qPrintable(QStringLiteral("deploy %1").arg(i)));
            syncs << syncId;
        }
        QVERIFY(QTest::qWaitFor([&] { return nucScalar(id, QStringLiteral("SELECT COUNT(*) FROM sync_outcomes")).toInt() == 1 + from + 5; },
                                20000));
    };
    deployRound(0);
    QVERIFY(QTest::qWaitFor([&] { return nucScalar(id, seqSql).toLongLong() - seqBefore > 300; }, 20000));

    // Killed in the middle of it, restarted while the link is down.
    ::kill(pid_t(m_nucs.back()->processId()), SIGKILL);
    QVERIFY(m_nucs.back()->waitForFinished(5000));
    relay.setMode(WsRelay::Mode::Down);
    startRelayedNuc();
    QVERIFY(QTest::qWaitFor([&] { return nucScalar(id, seqSql).toLongLong() - seqBefore > 500; }, 20000));
    relay.setMode(WsRelay::Mode::UplinkLost);
    QVERIFY(waitForController(id, true, 15000));
    deployRound(5);

    // Every device ends parked: its latest status, held for the cloud.
    const QString parkedSql = QStringLiteral("SELECT COUNT(*) FROM report_outbox WHERE type = 'status_update'"
                                             " AND data LIKE '%parked after 41 driver faults%'");
    QVERIFY(QTest::qWaitFor([&] { return nucScalar(id, parkedSql).toInt() == 10; }, 30000));
    const qint64 madeInOutage = nucScalar(id, seqSql).toLongLong() - seqBefore;
    qInfo() << "reports made during the outage:" << madeInOutage << "; frames lost on the way:" << relay.lostFrames();
    QVERIFY2(madeInOutage >= 1010, qPrintable(QString::number(madeInOutage)));
    QVERIFY(relay.lostFrames() > 0);

    // The link comes back: the controller resends what the cloud lacks.
    relay.setMode(WsRelay::Mode::Pass);
    relay.dropConnections();
    QVERIFY(QTest::qWaitFor([&] { return nucScalar(id, QStringLiteral("SELECT COUNT(*) FROM report_outbox")).toInt() == 0; }, 30000));
    QCOMPARE(nucScalar(id, QStringLiteral("SELECT COUNT(*) FROM sync_outcomes WHERE reported = 0")).toInt(), 0);

    for (int i = 0; i < syncs.size(); ++i) {
        const QJsonObject d = deployment(syncs.at(i));
        const QString expected = i % 3 == 2 ? QStringLiteral("failed") : QStringLiteral("active");
        QCOMPARE(d.value(QStringLiteral("deployment_status")).toString(), expected);
        // Exactly once: one outcome in the deployment's history.
        const QVariantList history = d.value(QStringLiteral("history")).toArray().toVariantList();
        QCOMPARE(history.count(QStringLiteral("active")) + history.count(QStringLiteral("failed")), 1);
    }
    const QJsonArray controllers = cliJson({QStringLiteral("controllers")}).value(QStringLiteral("controllers")).toArray();
    QCOMPARE(controllers.size(), 1);
    const QJsonArray devices = controllers.at(0)[QStringLiteral("devices")].toArray();
    QCOMPARE(devices.size(), 10);
    for (const QJsonValue &d : devices) {
        QCOMPARE(d[QStringLiteral("status")].toString(), QStringLiteral("error"));
        QVERIFY2(d[QStringLiteral("message")].toString().startsWith(u"parked after 41 driver faults"),
                 qPrintable(d[QStringLiteral("message")].toString()));
    }
}

QTEST_GUILESS_MAIN(tst_Cloud)
#include "tst_cloud.moc"

QString tst_Cloud::addCredential(const QString &id)
{
    return cliJson({QStringLiteral("controllers"), QStringLiteral("add"), id}).value(QStringLiteral("token")).toString();
}

QString tst_Cloud::secretFile(const QString &name, const QString &content, QFile::Permissions permissions)
{
    QFile f(m_dir->filePath(name));
    if (!f.open(QIODevice::WriteOnly) || f.write(content.toUtf8() + "\n") < 0)
        return {};
    f.close();
    f.setPermissions(permissions);
    return f.fileName();
}

void tst_Cloud::perControllerCredentialsAddListRemove()
{
    const QString tokenA = addCredential(QStringLiteral("nuc-a"));
    const QString tokenB = addCredential(QStringLiteral("nuc-b"));
    QCOMPARE(tokenA.size(), 64);   // 32 random bytes, hex
    QVERIFY(tokenA != tokenB);
    QString out;
    QCOMPARE(cli({QStringLiteral("controllers"), QStringLiteral("add"), QStringLiteral("nuc-a")}, &out), 1);
    QVERIFY2(out.contains(u"already has a credential"), qPrintable(out));
    QCOMPARE(cli({QStringLiteral("controllers"), QStringLiteral("list")}, &out), 0);
    QVERIFY2(out.contains(u"nuc-a") && out.contains(u"nuc-b") && !out.contains(tokenA), qPrintable(out));
    QCOMPARE(cli({QStringLiteral("controllers"), QStringLiteral("remove"), QStringLiteral("nuc-b")}, &out), 0);
    QCOMPARE(cli({QStringLiteral("controllers"), QStringLiteral("remove"), QStringLiteral("nuc-b")}, &out), 1);
    QVERIFY2(out.contains(u"has no credential"), qPrintable(out));
    const QJsonArray list = cliJson({QStringLiteral("controllers"), QStringLiteral("list")}).value(QStringLiteral("credentials")).toArray();
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.at(0)[QStringLiteral("controller_id")].toString(), QStringLiteral("nuc-a"));
    // Only the hash is stored: the token is nowhere in the database.
    if (!m_postgres) {
        QFile db(m_database);
        QVERIFY(db.open(QIODevice::ReadOnly));
        QVERIFY(!db.readAll().contains(tokenA.toLatin1()));
    }

    // A controller with its credential (from a private token file) gets in;
    // the shared token still serves controllers without one.
    startNuc(QString(), QStringLiteral("nuc-a"),
             {QStringLiteral("--token-file"), secretFile(QStringLiteral("a.token"), tokenA, QFile::ReadOwner | QFile::WriteOwner)});
    startNuc(QStringLiteral("e2e-token"), QStringLiteral("nuc-e2e"));
    QVERIFY(waitForController(QStringLiteral("nuc-a"), true));
    QVERIFY(waitForController(QStringLiteral("nuc-e2e"), true));
}

void tst_Cloud::anotherControllersTokenCannotTakeOver()
{
    const QString tokenA = addCredential(QStringLiteral("nuc-a"));
    const QString tokenB = addCredential(QStringLiteral("nuc-b"));
    QVERIFY(!tokenA.isEmpty() && !tokenB.isEmpty());
    startNuc(QString(), QStringLiteral("nuc-a"),
             {QStringLiteral("--token-file"), secretFile(QStringLiteral("a.token"), tokenA, QFile::ReadOwner)});
    QVERIFY(waitForController(QStringLiteral("nuc-a"), true));

    struct Attempt { const char *headerId; QString token; bool upgraded; };
    const Attempt attempts[] = {
        {"nuc-a", tokenB, false},                        // B's token for A: 401
        {"nuc-a", QStringLiteral("e2e-token"), false},   // the shared token does not open an enrolled id
        {"nuc-b", tokenB, true},                         // B itself gets in, but may not say hello as A
        {"", QStringLiteral("e2e-token"), true},         // no id: the shared token, but not as A either
    };
    for (const Attempt &attempt : attempts) {
        QWebSocket socket;
        QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_port)));
        if (*attempt.headerId)
            request.setRawHeader("X-Controller-Id", attempt.headerId);
        request.setRawHeader("Authorization", "Bearer " + attempt.token.toLatin1());
        QSignalSpy connected(&socket, &QWebSocket::connected);
        QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
        // Qt 6.4 names the signal error(); errorOccurred() arrives in 6.5.
        QSignalSpy failed(&socket, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error));
        socket.open(request);
        QVERIFY(QTest::qWaitFor([&] { return connected.count() > 0 || failed.count() > 0; }, 5000));
        QCOMPARE(connected.count() > 0, attempt.upgraded);
        if (!attempt.upgraded)
            continue;
        socket.sendTextMessage(QStringLiteral(R"({"type":"hello","data":{"controller_id":"nuc-a"}})"));
        QVERIFY(disconnected.wait(5000));
        QCOMPARE(socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    }
    // nuc-a was never replaced: the cloud still has its first connection.
    QString log = QString::fromUtf8(m_cloud->readAll());
    QVERIFY2(!log.contains(u"replaced by a new connection") && log.count(u"refused a hello as nuc-a") == 2, qPrintable(log));
    QVERIFY(waitForController(QStringLiteral("nuc-a"), true));
}

void tst_Cloud::cloudFilesAreOwnerOnly()
{
    if (m_postgres)
        QSKIP("PostgreSQL: control-cloud creates no database file");
    QVERIFY(!addCredential(QStringLiteral("nuc-a")).isEmpty());   // something written: the WAL exists
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
        const QFileInfo info(m_database + suffix);
        QVERIFY2(info.exists(), qPrintable(info.filePath()));
        QCOMPARE(info.permissions() & ~(QFile::ReadUser | QFile::WriteUser),
                 QFile::Permissions(QFile::ReadOwner | QFile::WriteOwner));
    }
}

void tst_Cloud::readableTokenFileIsRefused()
{
    stopCloud();
    QProcess cloud;
    cloud.start(cloudBinary, {QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(m_port),
                              QStringLiteral("--token-file"),
                              secretFile(QStringLiteral("shared.token"), QStringLiteral("e2e-token"),
                                         QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther),
                              QStringLiteral("--db"), m_database, QStringLiteral("--admin-socket"), m_admin});
    QVERIFY(cloud.waitForFinished(10000));
    QCOMPARE(cloud.exitCode(), 2);
    const QString error = QString::fromUtf8(cloud.readAllStandardError());
    QVERIFY2(error.contains(u"may be read by its group or others") && error.contains(u"chmod 600"), qPrintable(error));
    // The same file, made private, is taken; --token warns that ps shows it.
    QFile::setPermissions(m_dir->filePath(QStringLiteral("shared.token")), QFile::ReadOwner);
    startCloud({QStringLiteral("--token-file"), m_dir->filePath(QStringLiteral("shared.token"))});
    startNuc();
    QVERIFY(waitForController(QStringLiteral("nuc-e2e"), true));
}

// A cloud started with a low soft open-file limit (as a shell's 1024 would
// be) runs with its hard limit, and says so.
void tst_Cloud::openFileLimitIsRaisedAtStart()
{
    stopCloud();
    QProcess cloud;
    cloud.setProcessChannelMode(QProcess::MergedChannels);
    // exec: the shell's pid becomes control-cloud's.
    cloud.start(QStringLiteral("/bin/sh"),
                {QStringLiteral("-c"), QStringLiteral("ulimit -Sn 256 && exec \"$0\" \"$@\""), cloudBinary, QStringLiteral("serve"),
                 QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(m_port), QStringLiteral("--token"),
                 QStringLiteral("e2e-token"), QStringLiteral("--db"), m_dir->filePath(QStringLiteral("limit.sqlite")),
                 QStringLiteral("--admin-socket"), m_admin});
    QVERIFY(cloud.waitForStarted(5000));
    QByteArray log;
    QVERIFY2(QTest::qWaitFor([&] { log += cloud.readAll(); return log.contains("listening on"); }, 10000), log.constData());
    QFile limits(QStringLiteral("/proc/%1/limits").arg(cloud.processId()));
    QVERIFY(limits.open(QIODevice::ReadOnly));
    // /proc files have no size: read them whole, not by atEnd().
    QString line;
    for (const QByteArray &l : limits.readAll().split('\n')) {
        if (l.startsWith("Max open files"))
            line = QString::fromLatin1(l);
    }
    const QStringList fields = line.mid(int(qstrlen("Max open files"))).simplified().split(u' ');
    QVERIFY2(fields.size() >= 2, qPrintable(line));
    QCOMPARE(fields.at(0), fields.at(1));   // soft == hard
    QVERIFY2(fields.at(0) == u"unlimited" || fields.at(0).toLongLong() > 256, qPrintable(line));
    // Said on stdout, "listening on" on stderr: either may arrive first.
    const QByteArray said = QByteArray("open-file limit raised from 256 to ") + fields.at(1).toLatin1();
    QVERIFY2(QTest::qWaitFor([&] { log += cloud.readAll(); return log.contains(said); }, 5000), log.constData());
    cloud.terminate();
    QVERIFY(cloud.waitForFinished(10000));
}

// control-cloud-loadtest against this cloud: 20 simulated controllers get
// in with the shared token, a deploy to each ends active or (for the
// --fail-rate share) failed as the load tool answered, and a burst of status
// updates is acknowledged in full and lands in device_status.
void tst_Cloud::loadTestFleetDeploysAndIsAcknowledged()
{
    QProcess load;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("CONTROL_CLOUD_LOADTEST_TOKEN"), QStringLiteral("e2e-token"));
    load.setProcessEnvironment(env);
    load.start(loadtestBinary, {QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:%1/").arg(m_port),
                                QStringLiteral("--controllers"), QStringLiteral("20"), QStringLiteral("--fail-rate"),
                                QStringLiteral("0.25"), QStringLiteral("--devices"), QStringLiteral("3")});
    QVERIFY(load.waitForStarted(5000));
    QByteArray out;
    auto waitFor = [&](const QByteArray &text, int timeoutMs) {
        return QTest::qWaitFor([&] { out += load.readAllStandardOutput(); return out.contains(text); }, timeoutMs);
    };
    QVERIFY2(waitFor("connected 20 in", 20000), out.constData());
    QStringList syncs;
    for (int i = 0; i < 20; ++i) {
        QString sent;
        QCOMPARE(cli({QStringLiteral("deploy"), QStringLiteral("--controller"), QStringLiteral("loadtest-%1").arg(i), QStringLiteral("--file"),
                      QStringLiteral(NUC_SOURCE_DIR "/resources/examples/tcp-projector.js"), QStringLiteral("--type"),
                      QStringLiteral("bench_driver"), QStringLiteral("--version"), QStringLiteral("2.0.0"), QStringLiteral("--no-wait")},
                     &sent), 0);
        syncs << sent.section(QLatin1Char(' '), 1, 1);   // "deployment <id> sent"
    }
    int active = 0;
    int failed = 0;
    QVERIFY(QTest::qWaitFor([&] {
        active = failed = 0;
        for (const QJsonValue &d : cliJson({QStringLiteral("deployments")}).value(QStringLiteral("deployments")).toArray()) {
            if (!syncs.contains(d[QStringLiteral("sync_id")].toString()))
                continue;
            active += d[QStringLiteral("deployment_status")].toString() == u"active";
            failed += d[QStringLiteral("deployment_status")].toString() == u"failed";
        }
        return active + failed == 20;
    }, 20000));
    QCOMPARE(active + failed, 20);
    QVERIFY2(failed > 0 && failed < 20, qPrintable(QString::number(failed)));
    load.write("burst 600\n");
    QVERIFY2(waitFor("burst-acked 600 in", 30000), out.constData());
    load.write("stats\n");
    QVERIFY2(waitFor("\nstats ", 5000), out.constData());
    // What the load tool counted matches what the cloud recorded.
    QVERIFY2(out.contains(QStringLiteral("syncs_ok=%1 syncs_failed=%2").arg(active).arg(failed).toUtf8()), out.constData());
    QVERIFY2(out.contains("unacked=0"), out.constData());
    const QJsonArray controllers = cliJson({QStringLiteral("controllers")}).value(QStringLiteral("controllers")).toArray();
    QCOMPARE(controllers.size(), 20);
    for (const QJsonValue &c : controllers)
        QCOMPARE(c[QStringLiteral("devices")].toArray().size(), 3);   // 600 updates over 20 × 3 devices
    load.write("quit\n");
    QVERIFY(load.waitForFinished(10000));
    QCOMPARE(load.exitStatus(), QProcess::NormalExit);
    QCOMPARE(load.exitCode(), 0);
}

