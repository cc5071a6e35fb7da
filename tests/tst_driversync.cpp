// The driver_sync pipeline end to end: a real controller (Controller, as
// main() builds it) dials a real QWebSocketServer on 127.0.0.1.
#include "cloud/cloudlink.h"
#include "controller/controller.h"
#include "fakecloud.h"
#include "storage/database.h"
#include "testdrivers.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

class tst_DriverSync : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void helloIsFirstAndComplete();
    void happyPath();
    void updateReplacesDriver();
    void refusalIsAnsweredOverTheWire();
    void topLevelInfiniteLoopIsStoppedByTheWatchdog();
    void failedUpdateKeepsPreviousVersion();
    void driverIdOfAnotherTypeIsRefused();
    void malformedFrames_data();
    void malformedFrames();
    void binaryFrameIsRefused();
    void oversizedFrameIsRefused();
    void unknownTypeIsIgnored();
    void duplicateSyncIdAnswersSameOutcome();
    void duplicateSyncIdAfterRestart();
    void reconnectsWhenCloudComesBack();
    void restartRestoresMissingDriverFile();

private:
    Config makeConfig() const;
    void startController();
    void stopController();
    QJsonObject syncData(const QString &syncId, const QString &type, const QString &code,
                         const QString &version = QStringLiteral("1.0.0")) const;
    // Sends a driver_sync and returns its outcome message (complete or error).
    QJsonObject runSync(const QJsonObject &data, int timeoutMs = 10000);
    QStringList driverFiles() const;
    QString readFile(const QString &path) const;
    QVariantMap driverRow(const QString &type);
    int rowCount(const QString &table);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakeCloud> m_cloud;
    std::unique_ptr<Controller> m_controller;
    int m_readerSerial = 0;
};

Config tst_DriverSync::makeConfig() const
{
    Config c;
    c.root = m_dir->path() + QStringLiteral("/root");
    c.cloudUrl = m_cloud->url();
    c.token = QStringLiteral("s3cret-token");
    c.controllerId = QStringLiteral("nuc-test-01");
    c.controllerName = QStringLiteral("Test rack");
    c.reconnectMinMs = 50;
    c.reconnectMaxMs = 200;
    c.maxDriverCodeBytes = 64 * 1024;
    c.maxFrameBytes = 256 * 1024;
    return c;
}

void tst_DriverSync::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_cloud = std::make_unique<FakeCloud>();
    QVERIFY(m_cloud->listen());
    startController();
}

void tst_DriverSync::cleanup()
{
    stopController();
    m_cloud.reset();
    m_dir.reset();
}

void tst_DriverSync::startController()
{
    const int from = m_cloud->messages().size();
    m_controller = std::make_unique<Controller>(makeConfig());
    const QString error = m_controller->start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(m_cloud->waitForMessage(QStringLiteral("hello"), from) == from);
}

void tst_DriverSync::stopController()
{
    m_controller.reset();
}

QJsonObject tst_DriverSync::syncData(const QString &syncId, const QString &type, const QString &code,
                                     const QString &version) const
{
    QJsonObject mapping;
    mapping.insert(QStringLiteral("command"), QStringLiteral("power_on"));
    mapping.insert(QStringLiteral("payload"), QStringLiteral("PWR ON\r"));
    mapping.insert(QStringLiteral("encoding"), QStringLiteral("ascii"));
    QJsonArray mappings;
    mappings.append(mapping);
    QJsonObject connection;
    connection.insert(QStringLiteral("host"), QStringLiteral("127.0.0.1"));
    connection.insert(QStringLiteral("port"), 2323);

    QJsonObject data;
    data.insert(QStringLiteral("sync_id"), syncId);
    data.insert(QStringLiteral("driver_id"), QString(QStringLiteral("drv-") + type));
    data.insert(QStringLiteral("driver_type"), type);
    data.insert(QStringLiteral("version"), version);
    data.insert(QStringLiteral("driver_code"), code);
    data.insert(QStringLiteral("command_mappings"), mappings);
    data.insert(QStringLiteral("protocol_type"), QStringLiteral("tcp"));
    data.insert(QStringLiteral("connection_config"), connection);
    return data;
}

QJsonObject tst_DriverSync::runSync(const QJsonObject &data, int timeoutMs)
{
    const int from = m_cloud->messages().size();
    m_cloud->send(QStringLiteral("driver_sync"), data);
    QJsonObject outcome;
    static_cast<void>(QTest::qWaitFor([&] {
        for (int i = from; i < m_cloud->messages().size(); ++i) {
            const QString type = m_cloud->messages().at(i).value(QStringLiteral("type")).toString();
            if (type == u"driver_sync_complete" || type == u"driver_sync_error") {
                outcome = m_cloud->messages().at(i);
                return true;
            }
        }
        return false;
    }, timeoutMs));
    return outcome;
}

QStringList tst_DriverSync::driverFiles() const
{
    return QDir(m_controller->layout().driversDir()).entryList(QDir::Files | QDir::Hidden, QDir::Name);
}

QString tst_DriverSync::readFile(const QString &path) const
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("<missing>");
    return QString::fromUtf8(f.readAll());
}

QVariantMap tst_DriverSync::driverRow(const QString &type)
{
    QVariantMap row;
    const QString name = QStringLiteral("reader-%1").arg(++m_readerSerial);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(m_controller->layout().databasePath());
        if (db.open()) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("SELECT * FROM drivers WHERE driver_type = ?"));
            q.addBindValue(type);
            if (q.exec() && q.next()) {
                for (int i = 0; i < q.record().count(); ++i)
                    row.insert(q.record().fieldName(i), q.value(i));
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return row;
}

int tst_DriverSync::rowCount(const QString &table)
{
    int count = -1;
    const QString name = QStringLiteral("reader-%1").arg(++m_readerSerial);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(m_controller->layout().databasePath());
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(QStringLiteral("SELECT COUNT(*) FROM ") + table) && q.next())
                count = q.value(0).toInt();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return count;
}

void tst_DriverSync::helloIsFirstAndComplete()
{
    QVERIFY(!m_cloud->messages().isEmpty());
    const QJsonObject hello = m_cloud->messages().constFirst();
    QCOMPARE(hello.value(QStringLiteral("type")).toString(), QStringLiteral("hello"));
    QVERIFY(QDateTime::fromString(hello.value(QStringLiteral("timestamp")).toString(), Qt::ISODateWithMs).isValid());
    const QJsonObject data = hello.value(QStringLiteral("data")).toObject();
    QCOMPARE(data.value(QStringLiteral("controller_id")).toString(), QStringLiteral("nuc-test-01"));
    QCOMPARE(data.value(QStringLiteral("name")).toString(), QStringLiteral("Test rack"));
    QCOMPARE(data.value(QStringLiteral("app_version")).toString(), QStringLiteral(NUC_APP_VERSION));
    QVERIFY(data.value(QStringLiteral("drivers")).isArray());
    QVERIFY(data.value(QStringLiteral("devices")).isArray());
    QCOMPARE(data.value(QStringLiteral("drivers")).toArray().size(), 0);

    const QNetworkRequest request = m_cloud->lastRequest();
    QCOMPARE(request.rawHeader("Authorization"), QByteArray("Bearer s3cret-token"));
    QCOMPARE(request.rawHeader("X-Controller-Id"), QByteArray("nuc-test-01"));
    QCOMPARE(request.rawHeader("X-Controller-Version"), QByteArray(NUC_APP_VERSION));

    // After a sync and a reconnect, hello lists the driver.
    QCOMPARE(runSync(syncData(QStringLiteral("s-hello"), QStringLiteral("projector"), TestDrivers::valid()))
                 .value(QStringLiteral("type")).toString(),
             QStringLiteral("driver_sync_complete"));
    const int connections = m_cloud->connectionCount();
    m_cloud->client()->close();
    QVERIFY(QTest::qWaitFor([&] { return m_cloud->connectionCount() > connections; }, 5000));
    const int helloIndex = m_cloud->waitForMessage(QStringLiteral("hello"), 1);
    QVERIFY(helloIndex > 0);
    const QJsonArray drivers = m_cloud->messages().at(helloIndex).value(QStringLiteral("data")).toObject()
                                   .value(QStringLiteral("drivers")).toArray();
    QCOMPARE(drivers.size(), 1);
    const QJsonObject d = drivers.at(0).toObject();
    QCOMPARE(d.value(QStringLiteral("driver_type")).toString(), QStringLiteral("projector"));
    QCOMPARE(d.value(QStringLiteral("driver_id")).toString(), QStringLiteral("drv-projector"));
    QCOMPARE(d.value(QStringLiteral("version")).toString(), QStringLiteral("1.0.0"));
    QCOMPARE(d.value(QStringLiteral("sync_id")).toString(), QStringLiteral("s-hello"));
    QCOMPARE(d.value(QStringLiteral("status")).toString(), QStringLiteral("active"));
}

void tst_DriverSync::happyPath()
{
    const QString code = TestDrivers::valid(QStringLiteral("BinaryPowerControl"), QStringLiteral("ünïcode ✓"));
    const int from = m_cloud->messages().size();
    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-2);
    const QJsonObject outcome = runSync(syncData(QStringLiteral("sync-1"), QStringLiteral("binary_power_control"), code));
    QCOMPARE(outcome.value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_complete"));

    // Message order: progress for each step, then the outcome.
    QStringList sequence;
    for (int i = from; i < m_cloud->messages().size(); ++i) {
        const QJsonObject m = m_cloud->messages().at(i);
        const QJsonObject data = m.value(QStringLiteral("data")).toObject();
        QString entry = m.value(QStringLiteral("type")).toString();
        if (entry == u"driver_sync_progress") {
            QCOMPARE(data.value(QStringLiteral("sync_id")).toString(), QStringLiteral("sync-1"));
            QCOMPARE(data.value(QStringLiteral("status")).toString(), QStringLiteral("in_progress"));
            entry += QLatin1Char(':') + data.value(QStringLiteral("step")).toString();
        }
        QVERIFY(m.value(QStringLiteral("timestamp")).isString());
        sequence << entry;
    }
    QCOMPARE(sequence, (QStringList{QStringLiteral("driver_sync_progress:saving_file"),
                                    QStringLiteral("driver_sync_progress:validating"),
                                    QStringLiteral("driver_sync_progress:storing"),
                                    QStringLiteral("driver_sync_progress:reloading_devices"),
                                    QStringLiteral("driver_sync_complete")}));

    const QString path = m_controller->layout().driversDir() + QStringLiteral("/binary_power_control.js");
    const QJsonObject data = outcome.value(QStringLiteral("data")).toObject();
    QCOMPARE(data, (QJsonObject{{QStringLiteral("sync_id"), QStringLiteral("sync-1")},
                                {QStringLiteral("driver_id"), QStringLiteral("drv-binary_power_control")},
                                {QStringLiteral("driver_type"), QStringLiteral("binary_power_control")},
                                {QStringLiteral("version"), QStringLiteral("1.0.0")},
                                {QStringLiteral("status"), QStringLiteral("completed")},
                                {QStringLiteral("file_path"), path}}));

    // The file, byte for byte, owner-only, and nothing else in the folder.
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), code.toUtf8());
    QCOMPARE(f.permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
             QFile::Permissions());
    QCOMPARE(driverFiles(), QStringList{QStringLiteral("binary_power_control.js")});

    // Every column of the row.
    const QVariantMap row = driverRow(QStringLiteral("binary_power_control"));
    QCOMPARE(row.value(QStringLiteral("id")).toString(), QStringLiteral("drv-binary_power_control"));
    QCOMPARE(row.value(QStringLiteral("driver_type")).toString(), QStringLiteral("binary_power_control"));
    QCOMPARE(row.value(QStringLiteral("version")).toString(), QStringLiteral("1.0.0"));
    QCOMPARE(row.value(QStringLiteral("protocol_type")).toString(), QStringLiteral("tcp"));
    QCOMPARE(row.value(QStringLiteral("driver_code")).toString(), code);
    QCOMPARE(QJsonDocument::fromJson(row.value(QStringLiteral("command_mappings")).toByteArray()).array(),
             syncData({}, {}, {}).value(QStringLiteral("command_mappings")).toArray());
    QCOMPARE(QJsonDocument::fromJson(row.value(QStringLiteral("connection_config")).toByteArray()).object(),
             syncData({}, {}, {}).value(QStringLiteral("connection_config")).toObject());
    QCOMPARE(row.value(QStringLiteral("sync_id")).toString(), QStringLiteral("sync-1"));
    QCOMPARE(row.value(QStringLiteral("status")).toString(), QStringLiteral("active"));
    QDateTime syncedAt = QDateTime::fromString(row.value(QStringLiteral("synced_at")).toString(),
                                               QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    syncedAt.setTimeSpec(Qt::UTC);
    QVERIFY2(syncedAt >= before && syncedAt <= QDateTime::currentDateTimeUtc().addSecs(2),
             qPrintable(row.value(QStringLiteral("synced_at")).toString()));
    QCOMPARE(row.size(), 10);

    // The audit trail.
    const QString audit = readFile(m_controller->layout().syncLogPath());
    QCOMPARE(audit.count(QLatin1Char('\n')), 1);
    QVERIFY(audit.contains(u"sync_id=\"sync-1\""));
    QVERIFY(audit.contains(u"driver_type=\"binary_power_control\""));
    QVERIFY(audit.contains(u"version=\"1.0.0\""));
    QVERIFY(audit.contains(u"outcome=completed"));
    QVERIFY(audit.contains(u"duration_ms="));
}

void tst_DriverSync::updateReplacesDriver()
{
    const QString type = QStringLiteral("projector");
    QCOMPARE(runSync(syncData(QStringLiteral("u-1"), type, TestDrivers::valid(QStringLiteral("A"))))
                 .value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_complete"));
    const QString v2 = TestDrivers::valid(QStringLiteral("B"), QStringLiteral("second version"));
    QCOMPARE(runSync(syncData(QStringLiteral("u-2"), type, v2, QStringLiteral("2.0.0")))
                 .value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_complete"));

    QCOMPARE(readFile(m_controller->layout().driverFilePath(type)), v2);
    const QVariantMap row = driverRow(type);
    QCOMPARE(row.value(QStringLiteral("version")).toString(), QStringLiteral("2.0.0"));
    QCOMPARE(row.value(QStringLiteral("sync_id")).toString(), QStringLiteral("u-2"));
    QCOMPARE(row.value(QStringLiteral("driver_code")).toString(), v2);
    QCOMPARE(rowCount(QStringLiteral("drivers")), 1);
    QCOMPARE(driverFiles(), QStringList{QStringLiteral("projector.js")});
}

void tst_DriverSync::refusalIsAnsweredOverTheWire()
{
    // Every refusal rule is a row of tst_driversyncpipeline; this one shows a
    // refusal reaching the cloud, its missing field echoed as JSON null.
    QJsonObject data = syncData(QStringLiteral("refusal-sync"), QStringLiteral("refused_driver"), TestDrivers::valid());
    data.remove(QStringLiteral("driver_id"));
    const QJsonObject outcome = runSync(data);
    QCOMPARE(outcome.value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_error"));
    const QJsonObject error = outcome.value(QStringLiteral("data")).toObject();
    QCOMPARE(error.value(QStringLiteral("sync_id")).toString(), QStringLiteral("refusal-sync"));
    QVERIFY(error.contains(QStringLiteral("driver_id")));
    QVERIFY(error.value(QStringLiteral("driver_id")).isNull());
    QCOMPARE(error.value(QStringLiteral("driver_type")).toString(), QStringLiteral("refused_driver"));
    const QString message = error.value(QStringLiteral("error_message")).toString();
    QVERIFY2(message.contains(u"'driver_id' is missing"), qPrintable(message));
    QVERIFY(!error.value(QStringLiteral("error_stack")).toString().isEmpty());
    QCOMPARE(driverFiles(), QStringList());
    QCOMPARE(rowCount(QStringLiteral("drivers")), 0);
    QVERIFY(readFile(m_controller->layout().syncLogPath()).contains(u"outcome=failed"));
}

void tst_DriverSync::topLevelInfiniteLoopIsStoppedByTheWatchdog()
{
    QElapsedTimer timer;
    timer.start();
    const QJsonObject outcome = runSync(syncData(QStringLiteral("loop"), QStringLiteral("looper"),
                                                 QStringLiteral("require('./base-driver');\nwhile (true) {}\n")),
                                        15000);
    const qint64 elapsed = timer.elapsed();
    QCOMPARE(outcome.value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_error"));
    const QString message = outcome.value(QStringLiteral("data")).toObject().value(QStringLiteral("error_message")).toString();
    QVERIFY2(message.contains(u"watchdog") && message.contains(u"2000 ms"), qPrintable(message));
    // The budget was given in full; how soon after it the loop stops is a
    // figure of bench_driverruntime, not a limit here (ctest -j shares cores).
    QVERIFY2(elapsed >= 1900, qPrintable(QString::number(elapsed)));
    QCOMPARE(driverFiles(), QStringList());

    // The pipeline is usable right after.
    QCOMPARE(runSync(syncData(QStringLiteral("after-loop"), QStringLiteral("looper"), TestDrivers::valid()))
                 .value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_complete"));
}

void tst_DriverSync::failedUpdateKeepsPreviousVersion()
{
    const QString type = QStringLiteral("keeper");
    const QString v1 = TestDrivers::valid(QStringLiteral("Keeper"), QStringLiteral("v1"));
    QCOMPARE(runSync(syncData(QStringLiteral("k-1"), type, v1)).value(QStringLiteral("type")).toString(),
             QStringLiteral("driver_sync_complete"));
    const QVariantMap before = driverRow(type);

    const QJsonObject outcome = runSync(syncData(QStringLiteral("k-2"), type,
                                                 QStringLiteral("class {\n"), QStringLiteral("2.0.0")));
    QCOMPARE(outcome.value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_error"));
    QVERIFY(outcome.value(QStringLiteral("data")).toObject().value(QStringLiteral("error_message")).toString()
                .contains(u"syntax error at line 1"));

    QCOMPARE(readFile(m_controller->layout().driverFilePath(type)), v1);
    QCOMPARE(driverRow(type), before);
    QCOMPARE(driverFiles(), QStringList{QStringLiteral("keeper.js")});
}

void tst_DriverSync::driverIdOfAnotherTypeIsRefused()
{
    QJsonObject first = syncData(QStringLiteral("id-1"), QStringLiteral("first_type"), TestDrivers::valid());
    first.insert(QStringLiteral("driver_id"), QStringLiteral("shared-id"));
    QCOMPARE(runSync(first).value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_complete"));
    QJsonObject second = syncData(QStringLiteral("id-2"), QStringLiteral("second_type"), TestDrivers::valid());
    second.insert(QStringLiteral("driver_id"), QStringLiteral("shared-id"));
    const QJsonObject outcome = runSync(second);
    QCOMPARE(outcome.value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_error"));
    QCOMPARE(outcome.value(QStringLiteral("data")).toObject().value(QStringLiteral("error_message")).toString(),
             QStringLiteral("Invalid driver_sync: driver_id 'shared-id' already belongs to driver_type 'first_type'"));
    QCOMPARE(driverRow(QStringLiteral("first_type")).value(QStringLiteral("sync_id")).toString(), QStringLiteral("id-1"));
    QCOMPARE(driverFiles(), QStringList{QStringLiteral("first_type.js")});
}

void tst_DriverSync::malformedFrames_data()
{
    QTest::addColumn<QString>("frame");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QJsonValue>("receivedType");

    QTest::newRow("not JSON") << QStringLiteral("{not json") << QStringLiteral("not valid JSON") << QJsonValue();
    QTest::newRow("array") << QStringLiteral("[1,2,3]") << QStringLiteral("not a JSON object") << QJsonValue();
    QTest::newRow("string") << QStringLiteral("\"hello\"") << QStringLiteral("not valid JSON") << QJsonValue();
    QTest::newRow("no type") << QStringLiteral("{\"data\":{}}") << QStringLiteral("no string 'type'") << QJsonValue();
    QTest::newRow("type not a string") << QStringLiteral("{\"type\":5,\"data\":{}}") << QStringLiteral("no string 'type'") << QJsonValue();
    QTest::newRow("data an array") << QStringLiteral("{\"type\":\"driver_sync\",\"data\":[1]}")
                                   << QStringLiteral("'data' of a driver_sync message is not an object")
                                   << QJsonValue(QStringLiteral("driver_sync"));
    QTest::newRow("data a string") << QStringLiteral("{\"type\":\"driver_sync\",\"data\":\"x\"}")
                                   << QStringLiteral("is not an object") << QJsonValue(QStringLiteral("driver_sync"));
}

void tst_DriverSync::malformedFrames()
{
    QFETCH(QString, frame);
    QFETCH(QString, reason);
    QFETCH(QJsonValue, receivedType);

    const int connections = m_cloud->connectionCount();
    const int from = m_cloud->messages().size();
    m_cloud->sendText(frame);
    const int index = m_cloud->waitForMessage(QStringLiteral("protocol_error"), from);
    QVERIFY(index >= 0);
    const QJsonObject data = m_cloud->messages().at(index).value(QStringLiteral("data")).toObject();
    QVERIFY2(data.value(QStringLiteral("reason")).toString().contains(reason),
             qPrintable(data.value(QStringLiteral("reason")).toString()));
    QVERIFY(data.contains(QStringLiteral("received_type")));
    QCOMPARE(data.value(QStringLiteral("received_type")), receivedType);

    // Nothing changed and the connection stays up: a sync still works on it.
    QCOMPARE(driverFiles(), QStringList());
    QCOMPARE(runSync(syncData(QStringLiteral("after-bad-frame"), QStringLiteral("still_ok"), TestDrivers::valid()))
                 .value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_complete"));
    QCOMPARE(m_cloud->connectionCount(), connections);
}

void tst_DriverSync::binaryFrameIsRefused()
{
    const int connections = m_cloud->connectionCount();
    const int from = m_cloud->messages().size();
    m_cloud->sendBinary(QByteArray("{\"type\":\"driver_sync\",\"data\":{}}"));
    const int index = m_cloud->waitForMessage(QStringLiteral("protocol_error"), from);
    QVERIFY(index >= 0);
    const QJsonObject data = m_cloud->messages().at(index).value(QStringLiteral("data")).toObject();
    QVERIFY(data.value(QStringLiteral("reason")).toString().contains(u"binary"));
    QVERIFY(data.value(QStringLiteral("received_type")).isNull());
    QCOMPARE(m_cloud->messagesOfType(QStringLiteral("driver_sync_error"), from).size(), 0);
    QCOMPARE(m_cloud->connectionCount(), connections);
    QVERIFY(m_cloud->client()->isValid());
}

void tst_DriverSync::oversizedFrameIsRefused()
{
    const int connections = m_cloud->connectionCount();
    const int from = m_cloud->messages().size();
    // 300 KB against the test's 256 KiB frame limit.
    QJsonObject data = syncData(QStringLiteral("huge"), QStringLiteral("huge"), QString(300 * 1024, QLatin1Char('x')));
    m_cloud->send(QStringLiteral("driver_sync"), data);
    const int index = m_cloud->waitForMessage(QStringLiteral("protocol_error"), from);
    QVERIFY(index >= 0);
    const QString reason = m_cloud->messages().at(index).value(QStringLiteral("data")).toObject()
                               .value(QStringLiteral("reason")).toString();
    QVERIFY2(reason.contains(u"exceeds the limit of 262144 bytes"), qPrintable(reason));
    QCOMPARE(m_cloud->messagesOfType(QStringLiteral("driver_sync_error"), from).size(), 0);
    QCOMPARE(driverFiles(), QStringList());
    QCOMPARE(runSync(syncData(QStringLiteral("after-huge"), QStringLiteral("fine"), TestDrivers::valid()))
                 .value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_complete"));
    QCOMPARE(m_cloud->connectionCount(), connections);
}

void tst_DriverSync::unknownTypeIsIgnored()
{
    const int connections = m_cloud->connectionCount();
    const int from = m_cloud->messages().size();
    m_cloud->send(QStringLiteral("gui_sync"), QJsonObject{{QStringLiteral("anything"), 1}});
    QCOMPARE(runSync(syncData(QStringLiteral("after-unknown"), QStringLiteral("fine"), TestDrivers::valid()))
                 .value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_complete"));
    QCOMPARE(m_cloud->messagesOfType(QStringLiteral("protocol_error"), from).size(), 0);
    // The first thing sent after the unknown message is the sync's progress.
    QCOMPARE(m_cloud->messages().at(from).value(QStringLiteral("type")).toString(),
             QStringLiteral("driver_sync_progress"));
    QCOMPARE(m_cloud->connectionCount(), connections);
}

void tst_DriverSync::duplicateSyncIdAnswersSameOutcome()
{
    const QString v1 = TestDrivers::valid(QStringLiteral("Dup"), QStringLiteral("first delivery"));
    const QJsonObject first = runSync(syncData(QStringLiteral("dup-1"), QStringLiteral("dup"), v1));
    QCOMPARE(first.value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_complete"));

    // Redelivered (even with a different body): same answer, no work, no progress.
    const int from = m_cloud->messages().size();
    const QJsonObject second = runSync(syncData(QStringLiteral("dup-1"), QStringLiteral("dup"),
                                                TestDrivers::valid(QStringLiteral("Other")), QStringLiteral("9.9.9")));
    QCOMPARE(second.value(QStringLiteral("type")), first.value(QStringLiteral("type")));
    QCOMPARE(second.value(QStringLiteral("data")), first.value(QStringLiteral("data")));
    QCOMPARE(m_cloud->messagesOfType(QStringLiteral("driver_sync_progress"), from).size(), 0);
    QCOMPARE(readFile(m_controller->layout().driverFilePath(QStringLiteral("dup"))), v1);
    QCOMPARE(driverRow(QStringLiteral("dup")).value(QStringLiteral("version")).toString(), QStringLiteral("1.0.0"));

    // A failed sync redelivered answers the same error.
    const QJsonObject failed = runSync(syncData(QStringLiteral("dup-2"), QStringLiteral("dup"), QStringLiteral("(")));
    QCOMPARE(failed.value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_error"));
    const QJsonObject failedAgain = runSync(syncData(QStringLiteral("dup-2"), QStringLiteral("dup"), v1));
    QCOMPARE(failedAgain.value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_error"));
    QCOMPARE(failedAgain.value(QStringLiteral("data")), failed.value(QStringLiteral("data")));

    const QString audit = readFile(m_controller->layout().syncLogPath());
    QCOMPARE(audit.count(QLatin1Char('\n')), 4);
    QVERIFY(audit.contains(u"outcome=duplicate-completed"));
    QVERIFY(audit.contains(u"outcome=duplicate-failed"));
}

void tst_DriverSync::duplicateSyncIdAfterRestart()
{
    const QJsonObject first = runSync(syncData(QStringLiteral("restart-1"), QStringLiteral("persist"),
                                               TestDrivers::valid()));
    QCOMPARE(first.value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_complete"));
    const QJsonObject failed = runSync(syncData(QStringLiteral("restart-2"), QStringLiteral("persist"),
                                                QStringLiteral("throw new Error('nope');")));
    QCOMPARE(failed.value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_error"));

    stopController();
    startController();

    const int from = m_cloud->messages().size();
    const QJsonObject again = runSync(syncData(QStringLiteral("restart-1"), QStringLiteral("persist"),
                                               TestDrivers::valid(QStringLiteral("Changed"))));
    QCOMPARE(again.value(QStringLiteral("type")), first.value(QStringLiteral("type")));
    QCOMPARE(again.value(QStringLiteral("data")), first.value(QStringLiteral("data")));
    const QJsonObject failedAgain = runSync(syncData(QStringLiteral("restart-2"), QStringLiteral("persist"),
                                                     TestDrivers::valid()));
    QCOMPARE(failedAgain.value(QStringLiteral("data")), failed.value(QStringLiteral("data")));
    QCOMPARE(m_cloud->messagesOfType(QStringLiteral("driver_sync_progress"), from).size(), 0);
    QCOMPARE(readFile(m_controller->layout().driverFilePath(QStringLiteral("persist"))), TestDrivers::valid());
}

void tst_DriverSync::reconnectsWhenCloudComesBack()
{
    const quint16 port = m_cloud->port();
    const int connections = m_cloud->connectionCount();
    m_cloud->close();
    QVERIFY(QTest::qWaitFor([&] {
        return m_controller->cloudLink()->state() == CloudLink::State::WaitingToReconnect;
    }, 5000));

    const int from = m_cloud->messages().size();
    QVERIFY(m_cloud->listen(port));
    QVERIFY(QTest::qWaitFor([&] { return m_cloud->connectionCount() > connections; }, 10000));
    QCOMPARE(m_cloud->waitForMessage(QStringLiteral("hello"), from), from);
    QCOMPARE(m_controller->cloudLink()->state(), CloudLink::State::Connected);
    QCOMPARE(runSync(syncData(QStringLiteral("after-reconnect"), QStringLiteral("fine"), TestDrivers::valid()))
                 .value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_complete"));
}

void tst_DriverSync::restartRestoresMissingDriverFile()
{
    const QString code = TestDrivers::valid(QStringLiteral("Restored"));
    QCOMPARE(runSync(syncData(QStringLiteral("r-1"), QStringLiteral("restored"), code))
                 .value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_complete"));
    const QString path = m_controller->layout().driverFilePath(QStringLiteral("restored"));
    stopController();
    QVERIFY(QFile::remove(path));
    // A temporary file left by a crash is cleaned up too.
    QFile stale(QFileInfo(path).absolutePath() + QStringLiteral("/.restored.js.abc123.tmp"));
    QVERIFY(stale.open(QIODevice::WriteOnly));
    stale.close();
    startController();
    QCOMPARE(readFile(path), code);
    QCOMPARE(driverFiles(), QStringList{QStringLiteral("restored.js")});
}

QTEST_GUILESS_MAIN(tst_DriverSync)
#include "tst_driversync.moc"
