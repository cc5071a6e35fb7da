// PROTOCOL.md "Versions and rollback" end to end: a real controller
// (Controller, as main() builds it) with a FakeCloud and the device
// simulator: the archive of kept versions, hello's sha256 and
// previous_versions, driver_rollback, the active code sent again, and the
// automatic rollback after an update its devices refuse.
#include "controller/controller.h"
#include "devices/devicemanager.h"
#include "fakecloud.h"
#include "simulator/devicesimulator.h"
#include "storage/database.h"
#include "sync/driversyncservice.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

// A driver whose connect() greets the device with its version: the
// simulator answers OK only to the versions a test lets it accept, and
// the driver refuses anything else, as a real device with a new firmware
// handshake would.
QString handshakeDriver(const QString &version)
{
    return QStringLiteral(R"JS(const BaseDriver = require('./base-driver');
const VERSION = '%1';
class Handshake extends BaseDriver {
  connect() {
    return this.openTransport().then(function (t) {
      t.setEncoding('latin1');
      return t.request('HELLO ' + VERSION + '\r', { until: '\r', timeout: 1000 });
    }).then(function (reply) {
      if (reply.trim() !== 'OK') throw new Error('handshake refused: ' + reply.trim());
    });
  }
}
module.exports = Handshake;
)JS").arg(version);
}

QString sha256(const QString &text)
{
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex());
}

} // namespace

class tst_DriverLifecycle : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void helloListsSha256AndPreviousVersions();
    void archiveKeepsTheLastFive();
    void rollbackByMessage();
    void rollbackRefusals_data();
    void rollbackRefusals();
    void activeCodeSentAgainTouchesNothing();
    void automaticRollbackWhenDevicesRefuseTheNewVersion();
    void automaticRollbackCanBeTurnedOff();
    void unsignedKeptVersionsAreNamedAtStart();

private:
    void startController(bool automaticRollback = true, bool requireSigned = false);
    QJsonObject syncData(const QString &syncId, const QString &version, const QString &code = {}) const;
    // Sends `type` with `data`; returns the outcome (complete or error) for its sync_id.
    QJsonObject send(const QString &type, const QJsonObject &data, QStringList *steps = nullptr);
    QJsonObject lastHelloDriver();
    QString activeVersion();
    int archivedCount();
    void provisionConnected(const QStringList &ids);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakeCloud> m_cloud;
    std::unique_ptr<DeviceSimulator> m_sim;
    std::unique_ptr<Controller> m_controller;
    const QString m_type = QStringLiteral("lobby_display");
};

void tst_DriverLifecycle::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_cloud = std::make_unique<FakeCloud>();
    QVERIFY(m_cloud->listen());
    m_sim = std::make_unique<DeviceSimulator>();
    QCOMPARE(m_sim->start(0, DeviceSimulator::Off), QString());
    m_sim->setReply(QStringLiteral("HELLO 1.0.0"), QStringLiteral("OK"));
}

void tst_DriverLifecycle::cleanup()
{
    m_controller.reset();
    m_sim.reset();
    m_cloud.reset();
    m_dir.reset();
}

void tst_DriverLifecycle::startController(bool automaticRollback, bool requireSigned)
{
    Config c;
    c.root = m_dir->path() + QStringLiteral("/root");
    c.cloudUrl = m_cloud->url();
    c.controllerId = QStringLiteral("nuc-lifecycle");
    c.reconnectMinMs = 50;
    c.reconnectMaxMs = 200;
    c.connectTimeoutMs = 1500;
    c.reloadDeadlineMs = 2000;
    c.deviceRetryMinMs = 200;
    c.deviceRetryMaxMs = 400;
    c.automaticRollback = automaticRollback;
    c.requireSignedDrivers = requireSigned;
    const int from = int(m_cloud->messages().size());
    m_controller = std::make_unique<Controller>(c);
    QCOMPARE(m_controller->start(), QString());
    QVERIFY(m_cloud->waitForMessage(QStringLiteral("hello"), from) >= 0);
}

QJsonObject tst_DriverLifecycle::syncData(const QString &syncId, const QString &version, const QString &code) const
{
    return QJsonObject{{QStringLiteral("sync_id"), syncId},
                       {QStringLiteral("driver_id"), QStringLiteral("drv-lobby-display")},
                       {QStringLiteral("driver_type"), m_type},
                       {QStringLiteral("version"), version},
                       {QStringLiteral("driver_code"), code.isEmpty() ? handshakeDriver(version) : code},
                       {QStringLiteral("protocol_type"), QStringLiteral("tcp")},
                       {QStringLiteral("connection_config"),
                        QJsonObject{{QStringLiteral("host"), QStringLiteral("127.0.0.1")},
                                    {QStringLiteral("port"), int(m_sim->tcpPort())}}}};
}

QJsonObject tst_DriverLifecycle::send(const QString &type, const QJsonObject &data, QStringList *steps)
{
    const int from = int(m_cloud->messages().size());
    const QString syncId = data.value(QStringLiteral("sync_id")).toString();
    m_cloud->send(type, data);
    QJsonObject outcome;
    static_cast<void>(QTest::qWaitFor([&] {
        for (int i = from; i < m_cloud->messages().size(); ++i) {
            const QJsonObject m = m_cloud->messages().at(i);
            const QString t = m.value(QStringLiteral("type")).toString();
            if ((t == u"driver_sync_complete" || t == u"driver_sync_error")
                && m[QStringLiteral("data")][QStringLiteral("sync_id")].toString() == syncId) {
                outcome = m;
                return true;
            }
        }
        return false;
    }, 15000));
    if (steps) {
        for (const QJsonObject &m : m_cloud->messagesOfType(QStringLiteral("driver_sync_progress"), from)) {
            if (m[QStringLiteral("data")][QStringLiteral("sync_id")].toString() == syncId)
                *steps << m[QStringLiteral("data")][QStringLiteral("step")].toString();
        }
    }
    return outcome;
}

QJsonObject tst_DriverLifecycle::lastHelloDriver()
{
    const Message hello = m_controller->hello();
    for (const QJsonValue &d : hello.data.value(QStringLiteral("drivers")).toArray()) {
        if (d[QStringLiteral("driver_type")].toString() == m_type)
            return d.toObject();
    }
    return {};
}

QString tst_DriverLifecycle::activeVersion()
{
    QSqlQuery q(m_controller->database()->connection());
    q.prepare(QStringLiteral("SELECT version FROM drivers WHERE driver_type = ?"));
    q.addBindValue(m_type);
    return q.exec() && q.next() ? q.value(0).toString() : QString();
}

int tst_DriverLifecycle::archivedCount()
{
    QSqlQuery q(m_controller->database()->connection());
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM driver_versions WHERE driver_type = ?"));
    q.addBindValue(m_type);
    return q.exec() && q.next() ? q.value(0).toInt() : -1;
}

void tst_DriverLifecycle::provisionConnected(const QStringList &ids)
{
    QJsonArray devices;
    for (const QString &id : ids)
        devices.append(QJsonObject{{QStringLiteral("device_id"), id}, {QStringLiteral("name"), QString(QStringLiteral("Display ") + id)},
                                   {QStringLiteral("type"), m_type}});
    m_cloud->send(QStringLiteral("device_sync"), QJsonObject{{QStringLiteral("devices"), devices}});
    for (const QString &id : ids) {
        QVERIFY2(QTest::qWaitFor([&] {
            const Device *d = m_controller->deviceManager()->device(id);
            return d && d->status() == u"connected";
        }, 5000), qPrintable(id));
    }
}

void tst_DriverLifecycle::helloListsSha256AndPreviousVersions()
{
    startController();
    QCOMPARE(send(QStringLiteral("driver_sync"), syncData(QStringLiteral("h1"), QStringLiteral("1.0.0")))[QStringLiteral("type")].toString(),
             QStringLiteral("driver_sync_complete"));
    QCOMPARE(send(QStringLiteral("driver_sync"), syncData(QStringLiteral("h2"), QStringLiteral("1.1.0")))[QStringLiteral("type")].toString(),
             QStringLiteral("driver_sync_complete"));
    // The hello of a reconnect carries them, as sent on the wire.
    const int from = int(m_cloud->messages().size());
    m_cloud->close();
    QVERIFY(m_cloud->listen(m_cloud->port()));
    const int at = m_cloud->waitForMessage(QStringLiteral("hello"), from, 10000);
    QVERIFY(at >= 0);
    const QJsonObject driver = m_cloud->messages().at(at)[QStringLiteral("data")][QStringLiteral("drivers")][0].toObject();
    QCOMPARE(driver.value(QStringLiteral("version")).toString(), QStringLiteral("1.1.0"));
    QCOMPARE(driver.value(QStringLiteral("sha256")).toString(), sha256(handshakeDriver(QStringLiteral("1.1.0"))));
    QCOMPARE(driver.value(QStringLiteral("previous_versions")).toArray(), QJsonArray{QStringLiteral("1.0.0")});

    // hello reads the digest kept beside the row, not the code; a row from
    // before driver_digests existed gets its digest computed once.
    QSqlQuery q(m_controller->database()->connection());
    QVERIFY(q.exec(QStringLiteral("SELECT code_sha256 FROM driver_digests WHERE driver_type = '%1'").arg(m_type)) && q.next());
    QCOMPARE(q.value(0).toString(), sha256(handshakeDriver(QStringLiteral("1.1.0"))));
    QVERIFY(q.exec(QStringLiteral("DELETE FROM driver_digests")));
    const QJsonObject again = m_controller->hello().data[QStringLiteral("drivers")].toArray().at(0).toObject();
    QCOMPARE(again.value(QStringLiteral("sha256")).toString(), sha256(handshakeDriver(QStringLiteral("1.1.0"))));
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM driver_digests")) && q.next());
    QCOMPARE(q.value(0).toInt(), 1);
}

void tst_DriverLifecycle::archiveKeepsTheLastFive()
{
    startController();
    for (int i = 0; i < 8; ++i) {
        const QString version = QStringLiteral("1.%1.0").arg(i);
        QCOMPARE(send(QStringLiteral("driver_sync"), syncData(QStringLiteral("a%1").arg(i), version))[QStringLiteral("type")].toString(),
                 QStringLiteral("driver_sync_complete"));
    }
    QCOMPARE(archivedCount(), 5);
    QCOMPARE(lastHelloDriver().value(QStringLiteral("previous_versions")).toArray(),
             (QJsonArray{QStringLiteral("1.6.0"), QStringLiteral("1.5.0"), QStringLiteral("1.4.0"), QStringLiteral("1.3.0"),
                         QStringLiteral("1.2.0")}));
    QCOMPARE(activeVersion(), QStringLiteral("1.7.0"));
}

void tst_DriverLifecycle::rollbackByMessage()
{
    startController();
    m_sim->setReply(QStringLiteral("HELLO 1.1.0"), QStringLiteral("OK"));
    QVERIFY(!send(QStringLiteral("driver_sync"), syncData(QStringLiteral("r1"), QStringLiteral("1.0.0"))).isEmpty());
    provisionConnected({QStringLiteral("d1")});
    QCOMPARE(send(QStringLiteral("driver_sync"), syncData(QStringLiteral("r2"), QStringLiteral("1.1.0")))[QStringLiteral("type")].toString(),
             QStringLiteral("driver_sync_complete"));

    QSignalSpy reloads(m_controller->deviceManager(), &DeviceManager::reloadFinished);
    QStringList steps;
    const QJsonObject rollback{{QStringLiteral("sync_id"), QStringLiteral("rb-1")}, {QStringLiteral("driver_type"), m_type}};
    const QJsonObject outcome = send(QStringLiteral("driver_rollback"), rollback, &steps);
    QCOMPARE(outcome[QStringLiteral("type")].toString(), QStringLiteral("driver_sync_complete"));
    QCOMPARE(outcome[QStringLiteral("data")][QStringLiteral("version")].toString(), QStringLiteral("1.0.0"));
    QCOMPARE(outcome[QStringLiteral("data")][QStringLiteral("driver_id")].toString(), QStringLiteral("drv-lobby-display"));
    QCOMPARE(steps, (QStringList{QStringLiteral("saving_file"), QStringLiteral("validating"), QStringLiteral("storing"),
                                 QStringLiteral("reloading_devices")}));
    QCOMPARE(activeVersion(), QStringLiteral("1.0.0"));
    QFile file(m_controller->layout().driverFilePath(m_type));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(file.readAll()), handshakeDriver(QStringLiteral("1.0.0")));
    QCOMPARE(reloads.size(), 1);
    QCOMPARE(m_controller->deviceManager()->device(QStringLiteral("d1"))->status(), QStringLiteral("connected"));
    QCOMPARE(lastHelloDriver().value(QStringLiteral("previous_versions")).toArray(), QJsonArray{QStringLiteral("1.1.0")});

    // The same sync_id again: the same answer, nothing done twice.
    const QJsonObject again = send(QStringLiteral("driver_rollback"), rollback);
    QCOMPARE(again[QStringLiteral("data")].toObject(), outcome[QStringLiteral("data")].toObject());
    QCOMPARE(reloads.size(), 1);
    QCOMPARE(activeVersion(), QStringLiteral("1.0.0"));
    QCOMPARE(lastHelloDriver().value(QStringLiteral("previous_versions")).toArray(), QJsonArray{QStringLiteral("1.1.0")});

    // Forward again to a named kept version.
    const QJsonObject named = send(QStringLiteral("driver_rollback"),
                                   QJsonObject{{QStringLiteral("sync_id"), QStringLiteral("rb-2")}, {QStringLiteral("driver_type"), m_type},
                                               {QStringLiteral("version"), QStringLiteral("1.1.0")}});
    QCOMPARE(named[QStringLiteral("data")][QStringLiteral("version")].toString(), QStringLiteral("1.1.0"));
    QCOMPARE(activeVersion(), QStringLiteral("1.1.0"));
}

void tst_DriverLifecycle::rollbackRefusals_data()
{
    QTest::addColumn<QJsonObject>("data");
    QTest::addColumn<int>("syncs");   // versions synced before
    QTest::addColumn<QString>("error");
    const auto rollback = [](const QString &type, const QString &version) {
        QJsonObject o{{QStringLiteral("sync_id"), QStringLiteral("rb-x")}, {QStringLiteral("driver_type"), type}};
        if (!version.isEmpty())
            o.insert(QStringLiteral("version"), version);
        return o;
    };
    QTest::newRow("unknown type") << rollback(QStringLiteral("no_such_driver"), {}) << 1
                                  << QStringLiteral("Rollback refused: driver_type 'no_such_driver' is not installed");
    QTest::newRow("no earlier version") << rollback(QStringLiteral("lobby_display"), {}) << 1
                                        << QStringLiteral("Rollback refused: no earlier version of 'lobby_display' is kept");
    QTest::newRow("version not kept") << rollback(QStringLiteral("lobby_display"), QStringLiteral("0.9.0")) << 2
                                      << QStringLiteral("Rollback refused: version '0.9.0' of 'lobby_display' is not kept (kept: 1.0.0)");
    QTest::newRow("invalid type") << rollback(QStringLiteral("../etc"), {}) << 1
                                  << QStringLiteral("Rollback refused: invalid driver_rollback: driver_type must be a valid driver type");
}

void tst_DriverLifecycle::rollbackRefusals()
{
    QFETCH(QJsonObject, data);
    QFETCH(int, syncs);
    QFETCH(QString, error);
    startController();
    for (int i = 0; i < syncs; ++i)
        QVERIFY(!send(QStringLiteral("driver_sync"), syncData(QStringLiteral("s%1").arg(i), QStringLiteral("1.%1.0").arg(i))).isEmpty());
    const QString before = activeVersion();
    const QJsonObject outcome = send(QStringLiteral("driver_rollback"), data);
    QCOMPARE(outcome[QStringLiteral("type")].toString(), QStringLiteral("driver_sync_error"));
    QCOMPARE(outcome[QStringLiteral("data")][QStringLiteral("error_message")].toString(), error);
    QCOMPARE(activeVersion(), before);
}

void tst_DriverLifecycle::activeCodeSentAgainTouchesNothing()
{
    startController();
    QVERIFY(!send(QStringLiteral("driver_sync"), syncData(QStringLiteral("n1"), QStringLiteral("1.0.0"))).isEmpty());
    provisionConnected({QStringLiteral("d1")});
    const QString path = m_controller->layout().driverFilePath(m_type);
    const QDateTime modified = QFileInfo(path).lastModified();
    QSqlQuery q(m_controller->database()->connection());
    QVERIFY(q.exec(QStringLiteral("SELECT synced_at, sync_id FROM drivers")) && q.next());
    const QString syncedAt = q.value(0).toString();
    q.finish();   // an open read would hold a snapshot the controller's writes cannot pass
    const int accepted = m_sim->connectionsAccepted();

    QSignalSpy reloads(m_controller->deviceManager(), &DeviceManager::reloadStarted);
    QTest::qWait(1100);   // synced_at has a resolution of one second: a rewrite would show
    QStringList steps;
    const QJsonObject outcome = send(QStringLiteral("driver_sync"), syncData(QStringLiteral("n2"), QStringLiteral("1.0.0")), &steps);
    QCOMPARE(outcome[QStringLiteral("type")].toString(), QStringLiteral("driver_sync_complete"));
    QCOMPARE(outcome[QStringLiteral("data")][QStringLiteral("sync_id")].toString(), QStringLiteral("n2"));
    QVERIFY2(steps.isEmpty(), qPrintable(steps.join(u',')));
    QCOMPARE(reloads.size(), 0);
    QCOMPARE(QFileInfo(path).lastModified(), modified);
    QVERIFY(q.exec(QStringLiteral("SELECT synced_at, sync_id FROM drivers")) && q.next());
    QCOMPARE(q.value(0).toString(), syncedAt);
    QCOMPARE(q.value(1).toString(), QStringLiteral("n1"));
    q.finish();
    QCOMPARE(archivedCount(), 0);
    QCOMPARE(m_sim->connectionsAccepted(), accepted);   // the device was not touched

    // The same version with other code is an update, not a no-op.
    const QJsonObject changed = send(QStringLiteral("driver_sync"),
                                     syncData(QStringLiteral("n3"), QStringLiteral("1.0.0"),
                                              handshakeDriver(QStringLiteral("1.0.0")) + QStringLiteral("// rebuilt\n")));
    QCOMPARE(changed[QStringLiteral("type")].toString(), QStringLiteral("driver_sync_complete"));
    QCOMPARE(reloads.size(), 1);
}

void tst_DriverLifecycle::automaticRollbackWhenDevicesRefuseTheNewVersion()
{
    startController();
    QVERIFY(!send(QStringLiteral("driver_sync"), syncData(QStringLiteral("g1"), QStringLiteral("1.0.0"))).isEmpty());
    provisionConnected({QStringLiteral("d1"), QStringLiteral("d2"), QStringLiteral("d3")});
    // A fourth device that never connected (nothing listens on its port)
    // does not count against the new version.
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    const int deadPort = closed.serverPort();
    closed.close();
    m_cloud->send(QStringLiteral("device_sync"),
                  QJsonObject{{QStringLiteral("devices"),
                               QJsonArray{QJsonObject{{QStringLiteral("device_id"), QStringLiteral("d4")},
                                                      {QStringLiteral("name"), QStringLiteral("Unplugged")},
                                                      {QStringLiteral("type"), m_type},
                                                      {QStringLiteral("connection_config"),
                                                       QJsonObject{{QStringLiteral("host"), QStringLiteral("127.0.0.1")},
                                                                   {QStringLiteral("port"), deadPort}}}}}}});
    QVERIFY(QTest::qWaitFor([&] {
        const Device *d = m_controller->deviceManager()->device(QStringLiteral("d4"));
        return d && d->status() == u"error";
    }, 5000));

    // 1.1.0's handshake is refused by the devices.
    const QJsonObject outcome = send(QStringLiteral("driver_sync"), syncData(QStringLiteral("g2"), QStringLiteral("1.1.0")));
    QCOMPARE(outcome[QStringLiteral("type")].toString(), QStringLiteral("driver_sync_error"));
    const QString message = outcome[QStringLiteral("data")][QStringLiteral("error_message")].toString();
    QVERIFY2(message.startsWith(u"rolled back to 1.0.0: 3 of 3 devices failed to connect on 1.1.0: d1: "), qPrintable(message));
    QVERIFY2(message.contains(u"handshake refused: ERR unknown command"), qPrintable(message));
    QVERIFY2(!message.contains(u"d4"), qPrintable(message));
    QCOMPARE(outcome[QStringLiteral("data")][QStringLiteral("sync_id")].toString(), QStringLiteral("g2"));
    QCOMPARE(activeVersion(), QStringLiteral("1.0.0"));
    QFile file(m_controller->layout().driverFilePath(m_type));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(file.readAll()), handshakeDriver(QStringLiteral("1.0.0")));
    // The devices are back on 1.0.0, connected, before the answer went out.
    for (const char *id : {"d1", "d2", "d3"})
        QCOMPARE(m_controller->deviceManager()->device(QLatin1String(id))->status(), QStringLiteral("connected"));
    // 1.1.0 ran, briefly: it is kept like any version before the active one.
    QCOMPARE(lastHelloDriver().value(QStringLiteral("previous_versions")).toArray(), QJsonArray{QStringLiteral("1.1.0")});

    // Redelivered, the sync gets the same answer and nothing happens again.
    QSignalSpy reloads(m_controller->deviceManager(), &DeviceManager::reloadStarted);
    const QJsonObject again = send(QStringLiteral("driver_sync"), syncData(QStringLiteral("g2"), QStringLiteral("1.1.0")));
    QCOMPARE(again[QStringLiteral("data")].toObject(), outcome[QStringLiteral("data")].toObject());
    QCOMPARE(reloads.size(), 0);
}

void tst_DriverLifecycle::automaticRollbackCanBeTurnedOff()
{
    startController(false);
    QVERIFY(!send(QStringLiteral("driver_sync"), syncData(QStringLiteral("o1"), QStringLiteral("1.0.0"))).isEmpty());
    provisionConnected({QStringLiteral("d1")});
    const QJsonObject outcome = send(QStringLiteral("driver_sync"), syncData(QStringLiteral("o2"), QStringLiteral("1.1.0")));
    QCOMPARE(outcome[QStringLiteral("type")].toString(), QStringLiteral("driver_sync_complete"));
    QCOMPARE(activeVersion(), QStringLiteral("1.1.0"));
    QVERIFY(m_controller->deviceManager()->device(QStringLiteral("d1"))->status() != u"connected");
}

void tst_DriverLifecycle::unsignedKeptVersionsAreNamedAtStart()
{
    // Two versions synced unsigned keep one in the archive; a restart that
    // requires signatures says at once that it cannot be rolled back to.
    startController();
    QCOMPARE(send(QStringLiteral("driver_sync"), syncData(QStringLiteral("u-1"), QStringLiteral("1.0.0")))
                 .value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_complete"));
    QCOMPARE(send(QStringLiteral("driver_sync"), syncData(QStringLiteral("u-2"), QStringLiteral("1.1.0")))
                 .value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_complete"));
    QCOMPARE(archivedCount(), 1);
    m_controller.reset();
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral(
        "^1 kept driver versions carry no signature .*cannot be rolled back to")));
    startController(true, true);
}

QTEST_MAIN(tst_DriverLifecycle)
#include "tst_driverlifecycle.moc"
