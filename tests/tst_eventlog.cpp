// The event log: batched writes off the GUI thread, bounded size pruned in
// batches, reads newest first by device and time, what the controller
// records (device status changes, syncs, reloads, cloud and credential
// events, safe mode, quarantine, technician actions), and
// `control-nuc --events` reading it beside a running controller.
#include "controller/controller.h"
#include "core/config.h"
#include "devices/devicemanager.h"
#include "events/eventcli.h"
#include "events/eventlog.h"
#include "events/eventstore.h"
#include "events/eventtext.h"
#include "simulator/devicesimulator.h"
#include "storage/database.h"
#include "ui/translations.h"
#include "cloudsteps.h"
#include "crashhistory.h"
#include "fakecloud.h"
#include "testpeers.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QElapsedTimer>
#include <QProcess>
#include <QSqlQuery>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTranslator>

#include <memory>

namespace {

Event deviceEvent(const QString &device, const QString &to, const QDateTime &at = {})
{
    Event e;
    e.kind = QStringLiteral("device_status");
    e.deviceId = device;
    e.from = QStringLiteral("connected");
    e.to = to;
    e.at = at;
    return e;
}

QString projectorCode()
{
    return QStringLiteral(R"JS(const BaseDriver = require('./base-driver');
class Projector extends BaseDriver {
  connect() { return this.openTransport(); }
}
module.exports = Projector;
)JS");
}

} // namespace

class tst_EventLog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void recordsOneBatchPerWindowOffTheGuiThread();
    void prunesTheOldestInBatches();
    void readsNewestFirstByDeviceAndTime();
    void wordsEveryKind();
    void sinceAcceptsSpansAndIsoTimes();
    void controllerRecordsWhatHappens();
    void safeModeIsAnEvent();
    void quarantineOnAndOffAreEvents();
    void refusedCredentialsAreOneEvent();
    void commandLinePrintsBesideARunningController();

private:
    QString databasePath() const { return m_dir->path() + QStringLiteral("/var/database.sqlite"); }
    void openDatabase();
    Config controllerConfig() const;
    void syncDriver(const QString &type, const QString &syncId, const QString &code);
    QList<Event> stored(const EventQuery &query = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    Database m_db;   // this thread's connection, for checking what was stored
    std::unique_ptr<FakeCloud> m_cloud;
    std::unique_ptr<DeviceSimulator> m_sim;
};

void tst_EventLog::initTestCase()
{
    // As the dashboard and --events do: English plural forms come from the English file.
    static QTranslator english;
    QVERIFY(!Translations::load(english, QStringLiteral("en")).isEmpty());
    QCoreApplication::installTranslator(&english);
}

void tst_EventLog::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(QDir().mkpath(m_dir->path() + QStringLiteral("/var")));
}

void tst_EventLog::cleanup()
{
    m_db.close();
    m_sim.reset();
    m_cloud.reset();
    m_dir.reset();
}

void tst_EventLog::openDatabase()
{
    QCOMPARE(m_db.open(databasePath(), QStringLiteral("test-main")), QString());
}

QList<Event> tst_EventLog::stored(const EventQuery &query)
{
    QString error;
    const QList<Event> events = EventStore(m_db.connection()).read(query, &error);
    [&] { QCOMPARE(error, QString()); }();
    return events;
}

void tst_EventLog::recordsOneBatchPerWindowOffTheGuiThread()
{
    openDatabase();
    EventLog log(1000);
    QCOMPARE(log.open(databasePath()), QString());
    QSignalSpy recorded(&log, &EventLog::recorded);
    for (int i = 0; i < 2; ++i)
        log.record(deviceEvent(QStringLiteral("d%1").arg(i), QStringLiteral("error")));
    // Signalled at once (the dashboard shows it), stored after the batch's
    // window: what comes within it joins the same batch.
    QCOMPARE(recorded.size(), 2);
    QElapsedTimer window;
    window.start();
    QTest::qWait(EventLog::batchWindowMs / 4);
    log.record(deviceEvent(QStringLiteral("d2"), QStringLiteral("error")));
    if (window.elapsed() < EventLog::batchWindowMs / 2)   // (a machine that stalled here says nothing)
        QCOMPARE(EventStore(m_db.connection()).count(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(EventStore(m_db.connection()).count(), 3, 5000);
    // (A coarse timer may fire up to 5 % early.)
    QVERIFY2(window.elapsed() >= EventLog::batchWindowMs * 9 / 10, qPrintable(QString::number(window.elapsed())));
    const QList<Event> events = stored();
    QCOMPARE(events.size(), 3);
    QCOMPARE(events.at(0).deviceId, QStringLiteral("d2"));   // newest first
    QVERIFY(events.at(0).at.isValid());

    // The commit runs on the writer's thread: with the database locked by
    // another writer, recording and the event loop's turns go on.
    QSqlQuery lock(m_db.connection());
    QVERIFY(lock.exec(QStringLiteral("BEGIN IMMEDIATE")));
    QElapsedTimer turn;
    turn.start();
    log.record(deviceEvent(QStringLiteral("d3"), QStringLiteral("connected")));
    QTest::qWait(EventLog::batchWindowMs + 20);   // the flush: handed over, not waited for
    QVERIFY2(turn.elapsed() < 1000, qPrintable(QString::number(turn.elapsed())));
    QVERIFY(lock.exec(QStringLiteral("COMMIT")));
    log.flushAndWait();
    QCOMPARE(EventStore(m_db.connection()).count(), 4);

    // A full batch does not wait for its window; the destructor stores what
    // is still queued.
    // (Waited for without turning this thread's event loop: no timer of it
    // could have sent the batch.)
    for (int i = 0; i < EventLog::batchLimit; ++i)
        log.record(deviceEvent(QStringLiteral("full"), QStringLiteral("error")));
    QElapsedTimer full;
    full.start();
    while (EventStore(m_db.connection()).count() < 4 + EventLog::batchLimit && full.elapsed() < 5000)
        QThread::msleep(5);
    QCOMPARE(EventStore(m_db.connection()).count(), 4 + EventLog::batchLimit);
    {
        EventLog last(1000);
        QCOMPARE(last.open(databasePath()), QString());
        last.record(deviceEvent(QStringLiteral("last"), QStringLiteral("error")));
    }
    QCOMPARE(EventStore(m_db.connection()).count(), 5 + EventLog::batchLimit);
}

void tst_EventLog::prunesTheOldestInBatches()
{
    openDatabase();
    EventLog log(100);
    QCOMPARE(log.open(databasePath()), QString());
    for (int i = 1; i <= 110; ++i)
        log.record(deviceEvent(QStringLiteral("d%1").arg(i), QStringLiteral("error")));
    log.flushAndWait();
    // Up to a tenth over the limit: no pruning yet (not one delete per insert).
    QCOMPARE(EventStore(m_db.connection()).count(), 110);
    log.record(deviceEvent(QStringLiteral("d111"), QStringLiteral("error")));
    log.flushAndWait();
    QCOMPARE(EventStore(m_db.connection()).count(), 100);
    const QList<Event> events = stored({QString(), QDateTime(), 0});
    QCOMPARE(events.constFirst().deviceId, QStringLiteral("d111"));
    QCOMPARE(events.constLast().deviceId, QStringLiteral("d12"));   // the oldest went

    // A restart counts what is there: the next batch over the slack prunes.
    EventLog again(100);
    QCOMPARE(again.open(databasePath()), QString());
    for (int i = 0; i < 11; ++i)
        again.record(deviceEvent(QStringLiteral("e%1").arg(i), QStringLiteral("error")));
    again.flushAndWait();
    QCOMPARE(EventStore(m_db.connection()).count(), 100);
}

void tst_EventLog::readsNewestFirstByDeviceAndTime()
{
    openDatabase();
    EventLog log(1000);
    QCOMPARE(log.open(databasePath()), QString());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    log.record(deviceEvent(QStringLiteral("proj-1"), QStringLiteral("error"), now.addSecs(-3 * 3600)));
    log.record(deviceEvent(QStringLiteral("dsp-1"), QStringLiteral("error"), now.addSecs(-3600)));
    log.record(deviceEvent(QStringLiteral("proj-1"), QStringLiteral("connected"), now.addSecs(-60)));
    // Read before the turn ends: the read still sees them (it comes after).
    QList<Event> got;
    bool answered = false;
    log.read({QStringLiteral("proj-1"), QDateTime(), 10}, this, [&](const QList<Event> &events) {
        got = events;
        answered = true;
    });
    QTRY_VERIFY(answered);
    QCOMPARE(got.size(), 2);
    QCOMPARE(got.at(0).to, QStringLiteral("connected"));
    QCOMPARE(got.at(1).to, QStringLiteral("error"));
    QCOMPARE(stored({QString(), now.addSecs(-2 * 3600), 0}).size(), 2);
    QCOMPARE(stored({QString(), QDateTime(), 1}).size(), 1);
    // A reader gone before the answer is not called.
    auto *gone = new QObject;
    bool called = false;
    log.read({}, gone, [&](const QList<Event> &) { called = true; });
    delete gone;
    log.flushAndWait();
    QTest::qWait(50);   // the answer had its turn to arrive
    QVERIFY(!called);
}

void tst_EventLog::wordsEveryKind()
{
    Event e = deviceEvent(QStringLiteral("proj-1"), QStringLiteral("error"));
    e.message = QStringLiteral("connect ECONNREFUSED");
    QCOMPARE(EventText::describe(e), QStringLiteral("proj-1: connected → error – connect ECONNREFUSED"));
    QCOMPARE(EventText::tone(e), QStringLiteral("error"));
    Event reload{QStringLiteral("reload"), {}, {}, QStringLiteral("lobby_projector"), {}, {}, {},
                 QJsonObject{{QStringLiteral("total"), 60}, {QStringLiteral("connected"), 58}, {QStringLiteral("error"), 2}}, 0};
    QCOMPARE(EventText::describe(reload), QStringLiteral("Driver lobby_projector reloaded: 58 of 60 devices connected, 2 in error"));
    QCOMPARE(EventText::tone(reload), QStringLiteral("warning"));
    Event refused{QStringLiteral("cloud"), {}, {}, QStringLiteral("wss://cloud.example/"), {}, QStringLiteral("refused"), {},
                  QJsonObject{{QStringLiteral("http_status"), 403}}, 0};
    QCOMPARE(EventText::describe(refused), QStringLiteral("The cloud wss://cloud.example/ refused our credentials (HTTP 403)"));
    Event tech{QStringLiteral("technician"), {}, QStringLiteral("proj-1"), QStringLiteral("Reconnect"), {}, {}, {}, {}, 0};
    QCOMPARE(EventText::describe(tech), QStringLiteral("Technician: Reconnect (proj-1)"));
    Event sync{QStringLiteral("driver_sync"), {}, {}, QStringLiteral("dsp"), QStringLiteral("2.0.0"), QStringLiteral("failed"),
               QStringLiteral("syntax error at line 1"), {}, 0};
    QCOMPARE(EventText::describe(sync), QStringLiteral("Sync of driver dsp 2.0.0 failed – syntax error at line 1"));
    Event at = sync;
    at.at = QDateTime(QDate(2026, 3, 1), QTime(8, 0), Qt::UTC);
    QCOMPARE(EventCli::line(at), QStringLiteral("2026-03-01T08:00:00.000Z  driver_sync   Sync of driver dsp 2.0.0 failed – syntax error at line 1"));
}

void tst_EventLog::sinceAcceptsSpansAndIsoTimes()
{
    const QDateTime now(QDate(2026, 3, 1), QTime(12, 0), Qt::UTC);
    QCOMPARE(ConfigLoader::parseSince(QStringLiteral("30m"), now), now.addSecs(-1800));
    QCOMPARE(ConfigLoader::parseSince(QStringLiteral("2h"), now), now.addSecs(-7200));
    QCOMPARE(ConfigLoader::parseSince(QStringLiteral("1d"), now), now.addDays(-1));
    QCOMPARE(ConfigLoader::parseSince(QStringLiteral("2026-02-28T10:00:00Z"), now),
             QDateTime(QDate(2026, 2, 28), QTime(10, 0), Qt::UTC));
    QVERIFY(!ConfigLoader::parseSince(QStringLiteral("yesterday"), now).isValid());
    QVERIFY(!ConfigLoader::parseSince(QStringLiteral("5 h"), now).isValid());
}

Config tst_EventLog::controllerConfig() const
{
    Config c;
    c.root = m_dir->path();
    c.cloudUrl = m_cloud ? m_cloud->url() : QUrl();
    c.controllerId = QStringLiteral("nuc-events");
    c.reconnectMinMs = 50;
    c.reconnectMaxMs = 200;
    c.reloadDeadlineMs = 700;
    c.connectTimeoutMs = 1500;
    c.deviceRetryMinMs = 200;
    c.deviceRetryMaxMs = 400;
    return c;
}

void tst_EventLog::syncDriver(const QString &type, const QString &syncId, const QString &code)
{
    QVERIFY(CloudSteps::syncDriver(*m_cloud, type, syncId, code, m_sim->tcpPort()));
}

void tst_EventLog::controllerRecordsWhatHappens()
{
    m_cloud = std::make_unique<FakeCloud>();
    QVERIFY(m_cloud->listen());
    m_sim = std::make_unique<DeviceSimulator>();
    QCOMPARE(m_sim->start(0, DeviceSimulator::Off), QString());
    auto controller = std::make_unique<Controller>(controllerConfig());
    QCOMPARE(controller->start(), QString());
    QVERIFY(m_cloud->waitForMessage(QStringLiteral("hello")) >= 0);
    syncDriver(QStringLiteral("projector"), QStringLiteral("s1"), projectorCode());
    syncDriver(QStringLiteral("broken"), QStringLiteral("s2"), QStringLiteral("class {"));
    m_cloud->send(QStringLiteral("device_sync"),
                  QJsonObject{{QStringLiteral("devices"),
                               QJsonArray{QJsonObject{{QStringLiteral("device_id"), QStringLiteral("proj-1")},
                                                      {QStringLiteral("type"), QStringLiteral("projector")}}}}});
    QTRY_VERIFY_WITH_TIMEOUT(controller->deviceManager()->device(QStringLiteral("proj-1"))
                                 && controller->deviceManager()->device(QStringLiteral("proj-1"))->status() == u"connected",
                             5000);
    bool reloaded = false;
    controller->deviceManager()->reloadDriver(QStringLiteral("projector"), [&](const ReloadOutcome &) { reloaded = true; });
    QTRY_VERIFY_WITH_TIMEOUT(reloaded, 5000);
    controller->eventLog()->recordTechnicianAction(QStringLiteral("Reconnect"), QStringLiteral("proj-1"));
    m_sim->stop();
    QTRY_VERIFY_WITH_TIMEOUT(controller->deviceManager()->device(QStringLiteral("proj-1"))->status() != u"connected", 5000);
    m_cloud->close();
    QTRY_VERIFY_WITH_TIMEOUT(controller->cloudLink()->state() != CloudLink::State::Connected, 5000);
    controller->eventLog()->flushAndWait();

    openDatabase();
    QStringList lines;
    const QList<Event> events = stored({QString(), QDateTime(), 0});
    for (auto it = events.crbegin(); it != events.crend(); ++it)
        lines << it->kind + QLatin1Char('|') + EventText::describe(*it);
    const QString all = lines.join(u'\n');
    auto has = [&](const QString &line) { return lines.contains(line); };
    QVERIFY2(has(QStringLiteral("cloud|Cloud connected: %1").arg(m_cloud->url().toDisplayString())), qPrintable(all));
    QVERIFY2(has(QStringLiteral("driver_sync|Driver projector 1.2.0 synced")), qPrintable(all));
    QVERIFY2(std::any_of(lines.cbegin(), lines.cend(),
                         [](const QString &l) { return l.startsWith(u"driver_sync|Sync of driver broken 1.2.0 failed – "); }),
             qPrintable(all));
    QVERIFY2(has(QStringLiteral("device_status|proj-1: connecting → connected")), qPrintable(all));
    QVERIFY2(has(QStringLiteral("reload|Driver projector reloaded: 1 of 1 device connected")), qPrintable(all));
    QVERIFY2(has(QStringLiteral("technician|Technician: Reconnect (proj-1)")), qPrintable(all));
    QVERIFY2(std::any_of(lines.cbegin(), lines.cend(),
                         [](const QString &l) { return l.startsWith(u"device_status|proj-1: connected → "); }),
             qPrintable(all));
    QVERIFY2(has(QStringLiteral("cloud|Cloud connection lost: %1").arg(m_cloud->url().toDisplayString())), qPrintable(all));
    // Only status changes: a device's retries with new messages are not events.
    QVERIFY2(stored({QStringLiteral("proj-1"), QDateTime(), 0}).size() < 12, qPrintable(all));
}

void tst_EventLog::safeModeIsAnEvent()
{
    // Earlier runs crashed three times in a row, minutes ago.
    QVERIFY(CrashHistory::writeThreeCrashes(m_dir->path() + QStringLiteral("/var")));
    auto controller = std::make_unique<Controller>(controllerConfig());
    QCOMPARE(controller->start(), QString());
    QVERIFY(controller->safeMode());
    controller->enableDrivers();
    QVERIFY(!controller->safeMode());
    controller->eventLog()->flushAndWait();
    openDatabase();
    QList<Event> events = stored();
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(1).kind, QStringLiteral("safe_mode"));
    QCOMPARE(events.at(1).to, QStringLiteral("entered"));
    QVERIFY2(EventText::describe(events.at(1)).startsWith(u"Safe mode entered: drivers stopped – "),
             qPrintable(EventText::describe(events.at(1))));
    QCOMPARE(events.at(0).to, QStringLiteral("left"));
}

void tst_EventLog::quarantineOnAndOffAreEvents()
{
    m_cloud = std::make_unique<FakeCloud>();
    QVERIFY(m_cloud->listen());
    m_sim = std::make_unique<DeviceSimulator>();
    QCOMPARE(m_sim->start(0, DeviceSimulator::Off), QString());
    Config c = controllerConfig();
    c.quarantineFailures = 1;   // the first host crash quarantines the type
    Controller controller(c);
    QCOMPARE(controller.start(), QString());
    QVERIFY(m_cloud->waitForMessage(QStringLiteral("hello")) >= 0);
    // Crashes its host at connect() (a string of an array nested 300,000 deep overflows the stack).
    syncDriver(QStringLiteral("crasher"), QStringLiteral("sq"), QStringLiteral(R"JS(const BaseDriver = require('./base-driver');
class Crasher extends BaseDriver {
  connect() { return (function () { var a = []; for (var i = 0; i < 300000; i++) a = [a]; return Promise.resolve(String(a)); })(); }
}
module.exports = Crasher;
)JS"));
    m_cloud->send(QStringLiteral("device_sync"),
                  QJsonObject{{QStringLiteral("devices"),
                               QJsonArray{QJsonObject{{QStringLiteral("device_id"), QStringLiteral("c1")},
                                                      {QStringLiteral("type"), QStringLiteral("crasher")}}}}});
    QTRY_COMPARE_WITH_TIMEOUT(controller.quarantined(), QStringList{QStringLiteral("crasher")}, 10000);
    QVERIFY(controller.clearQuarantine(QStringLiteral("crasher")));
    controller.eventLog()->flushAndWait();
    openDatabase();
    QStringList quarantine;
    const QList<Event> events = stored({QString(), QDateTime(), 0});
    for (auto it = events.crbegin(); it != events.crend(); ++it) {
        if (it->kind == u"quarantine")
            quarantine << EventText::describe(*it);
    }
    QCOMPARE(quarantine, (QStringList{QStringLiteral("Driver crasher quarantined: its host failed too often"),
                                      QStringLiteral("Quarantine of driver crasher lifted")}));
}

void tst_EventLog::refusedCredentialsAreOneEvent()
{
    RefusingPeer peer("403 Forbidden");
    QVERIFY(peer.server.listen(QHostAddress::LocalHost));
    Config c = controllerConfig();
    c.cloudUrl = QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(peer.server.serverPort()));
    c.reconnectMaxMs = 100;
    Controller controller(c);
    QCOMPARE(controller.start(), QString());
    QTRY_VERIFY_WITH_TIMEOUT(peer.upgrades >= 4, 5000);   // it redials ...
    controller.eventLog()->flushAndWait();
    openDatabase();
    const QList<Event> events = stored();
    QCOMPARE(events.size(), 1);   // ... and that is one event, not one per attempt
    QCOMPARE(EventText::describe(events.at(0)),
             QStringLiteral("The cloud %1 refused our credentials (HTTP 403)").arg(c.cloudUrl.toDisplayString()));
}

void tst_EventLog::commandLinePrintsBesideARunningController()
{
    Config c = controllerConfig();
    Controller controller(c);
    QCOMPARE(controller.start(), QString());   // holds the root lock
    const QDateTime now = QDateTime::currentDateTimeUtc();
    controller.eventLog()->record(deviceEvent(QStringLiteral("proj-1"), QStringLiteral("error"), now.addSecs(-3 * 3600)));
    controller.eventLog()->record(deviceEvent(QStringLiteral("dsp-1"), QStringLiteral("error"), now.addSecs(-60)));
    controller.eventLog()->record(deviceEvent(QStringLiteral("proj-1"), QStringLiteral("connected"), now.addSecs(-30)));
    controller.eventLog()->flushAndWait();

    auto run = [&](const QStringList &args, int *status) {
        QProcess p;
        p.start(QStringLiteral(CONTROL_NUC_BINARY), QStringList{QStringLiteral("--root"), c.root, QStringLiteral("--events")} + args);
        [&] { QVERIFY(p.waitForFinished(20000)); }();
        *status = p.exitCode();
        return QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError()).split(u'\n', Qt::SkipEmptyParts);
    };
    int status = -1;
    QStringList lines = run({}, &status);
    QCOMPARE(status, 0);
    QCOMPARE(lines.size(), 3);
    QVERIFY2(lines.at(0).endsWith(u"device_status proj-1: connected → error"), qPrintable(lines.join(u'\n')));   // oldest first
    lines = run({QStringLiteral("--device"), QStringLiteral("proj-1"), QStringLiteral("--since"), QStringLiteral("2h")}, &status);
    QCOMPARE(status, 0);
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines.at(0).endsWith(u"proj-1: connected → connected"), qPrintable(lines.join(u'\n')));
    lines = run({QStringLiteral("--since"), QStringLiteral("soon")}, &status);
    QCOMPARE(status, 2);
    // It started nothing and wrote nothing: the controller's lock and data are as they were.
    QVERIFY(controller.deviceManager()->devices().isEmpty());
    openDatabase();
    QCOMPARE(EventStore(m_db.connection()).count(), 3);
}

QTEST_MAIN(tst_EventLog)
#include "tst_eventlog.moc"
