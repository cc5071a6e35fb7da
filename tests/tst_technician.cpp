// The technician's pages under the offscreen platform, through objectNames:
// the device detail page with its test commands against the device
// simulator, the technician session (unlock, countdown, lock now, expiry,
// the ticking lockout), and the devices list with 60 devices (compact rows,
// search, rooms, errors first, the wide scroll bar). Renders the list and
// the detail at 800×480 and 1280×800 in English and German (PNG files in the
// build folder) and fails on text cut off at those sizes.
#include "controller/controller.h"
#include "devices/devicemanager.h"
#include "fakecloud.h"
#include "uitesthelpers.h"
#include "simulator/devicesimulator.h"
#include "ui/dashboard.h"
#include "ui/offlinenetwork.h"
#include "ui/translations.h"

#include <QElapsedTimer>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QQmlApplicationEngine>
#include <QRegularExpression>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest/quicktest.h>

#include <memory>

using UiTest::collectTexts;
using UiTest::findItem;
using UiTest::findVisibleText;

Q_IMPORT_QML_PLUGIN(ControlNucPlugin)

namespace {


// A projector that declares two commands of its own (a static class field:
// down-levelled at sync); power_on and input come from its command_mappings.
const char *projectorCode = R"JS(const BaseDriver = require('./base-driver');
class Projector extends BaseDriver {
  connect() {
    const self = this;
    return this.openTransport().then(function (t) {
      t.setEncoding('latin1');
      return t.request('PWR?\r', { until: '\r' });
    }).then(function (reply) { self.setState({ power: reply === 'PWR=ON' ? 'on' : 'off' }); });
  }
  sendCommand(command, params) {
    if (command === 'volume')
      return this.transport.request('VOL ' + params.level + '\r', { until: '\r' });
    if (command === 'volume_query')
      return this.transport.request('VOL?\r', { until: '\r' });
    return super.sendCommand(command, params);
  }
  static commands = {
    volume: { description: 'Set the volume', params: { level: { type: 'integer', min: 0, max: 100, default: 20 } } },
    volume_query: { description: 'Read the volume' },
  };
}
module.exports = Projector;
)JS";

const char *malformedCode = R"JS(const BaseDriver = require('./base-driver');
class Odd extends BaseDriver {}
Odd.commands = { 'power on': {} };
module.exports = Odd;
)JS";

QJsonArray mappings()
{
    return {QJsonObject{{QStringLiteral("command"), QStringLiteral("power_on")},
                        {QStringLiteral("payload"), QStringLiteral("PWR ON\r")},
                        {QStringLiteral("expect"), QStringLiteral("OK")}},
            QJsonObject{{QStringLiteral("command"), QStringLiteral("input")},
                        {QStringLiteral("payload"), QStringLiteral("INPUT {source}\r")},
                        {QStringLiteral("expect"), QStringLiteral("OK")}}};
}

// Every visible Text under `root` whose text does not fit its width.
QStringList clippedTexts(QQuickItem *root)
{
    QList<QQuickItem *> texts;
    collectTexts(root, &texts);
    QStringList clipped;
    for (QQuickItem *t : std::as_const(texts)) {
        bool shown = t->isVisible() && t->width() > 0;
        for (QQuickItem *p = t; shown && p; p = p->parentItem())
            shown = p->isVisible() && p->opacity() > 0;
        if (!shown || t->property("elide").toInt() != Qt::ElideNone || t->property("wrapMode").toInt() != 0)
            continue;   // elided or wrapped text shows it is longer, on purpose
        if (t->property("contentWidth").toReal() > t->width() + 1)
            clipped << QStringLiteral("%1 (%2 > %3)").arg(t->property("text").toString())
                           .arg(t->property("contentWidth").toReal()).arg(t->width());
    }
    return clipped;
}

} // namespace

class tst_Technician : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void detailShowsTheDeviceAndSendsTestCommands();
    void malformedCommandsAreRefusedWithAReason();
    void sessionCountsDownAndLocks();
    void lockoutCountdownTicks();
    void manyDevicesSearchRoomsAndErrorsFirst();
    void rendersInEnglishAndGerman();

private:
    void startController(int sessionS = 300);
    void loadUi();
    void click(const QString &objectName);
    QQuickItem *item(const QString &objectName) const { return findItem(m_window->contentItem(), objectName); }
    void syncDriver(const QString &type, const QString &code);
    void enterPin(const QString &pin);
    void provisionMany();
    void openDevice(const QString &deviceId);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakeCloud> m_cloud;
    std::unique_ptr<DeviceSimulator> m_sim;
    std::unique_ptr<Controller> m_controller;
    std::unique_ptr<Dashboard> m_dashboard;
    OfflineNetworkFactory m_offlineNetwork;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
};

void tst_Technician::initTestCase()
{
    UiTest::collectMessages();
    static QTranslator english;
    QVERIFY(!Translations::load(english, QStringLiteral("en")).isEmpty());
    QCoreApplication::installTranslator(&english);
}

void tst_Technician::init()
{
    UiTest::qmlWarnings().clear();
    m_dir = std::make_unique<QTemporaryDir>();
    m_cloud = std::make_unique<FakeCloud>();
    QVERIFY(m_cloud->listen());
    m_sim = std::make_unique<DeviceSimulator>();
    QCOMPARE(m_sim->start(0, DeviceSimulator::Off), QString());
}

void tst_Technician::cleanup()
{
    m_engine.reset();
    m_window = nullptr;
    m_dashboard.reset();
    m_controller.reset();
    m_sim.reset();
    m_cloud.reset();
    m_dir.reset();
}

void tst_Technician::startController(int sessionS)
{
    Config c;
    c.root = m_dir->path() + QStringLiteral("/root");
    c.cloudUrl = m_cloud->url();
    c.controllerId = QStringLiteral("nuc-lobby-01");
    c.controllerName = QStringLiteral("Lobby rack");
    c.reconnectMinMs = 50;
    c.reconnectMaxMs = 200;
    c.reloadDeadlineMs = 700;
    c.connectTimeoutMs = 1500;
    c.deviceRetryMinMs = 200;
    c.deviceRetryMaxMs = 400;
    c.technicianSessionS = sessionS;
    m_controller = std::make_unique<Controller>(c);
    QCOMPARE(m_controller->start(), QString());
    QVERIFY(m_cloud->waitForMessage(QStringLiteral("hello")) >= 0);
    m_dashboard = std::make_unique<Dashboard>(m_controller.get(), QStringLiteral("2468"));
}

void tst_Technician::loadUi()
{
    m_engine = std::make_unique<QQmlApplicationEngine>();
    m_engine->setNetworkAccessManagerFactory(&m_offlineNetwork);
    m_engine->setInitialProperties({{QStringLiteral("dashboard"), QVariant::fromValue(m_dashboard.get())},
                                    {QStringLiteral("kiosk"), false}});
    m_engine->load(QUrl(QStringLiteral("qrc:/ControlNuc/Main.qml")));
    QVERIFY(!m_engine->rootObjects().isEmpty());
    m_window = qobject_cast<QQuickWindow *>(m_engine->rootObjects().constFirst());
    QVERIFY(m_window);
    m_window->resize(1280, 800);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
}

void tst_Technician::click(const QString &objectName)
{
    QQuickItem *target = nullptr;
    QVERIFY2(QTest::qWaitFor([&] {
        target = item(objectName);
        return target && target->isVisible() && target->isEnabled() && target->width() > 0;
    }, 3000), qPrintable(objectName));
    QVERIFY(QQuickTest::qWaitForPolish(m_window));
    const QPointF centre = target->mapToScene(QPointF(target->width() / 2, target->height() / 2));
    QTest::mouseClick(m_window, Qt::LeftButton, {}, centre.toPoint());
}

void tst_Technician::syncDriver(const QString &type, const QString &code)
{
    const int from = int(m_cloud->messages().size());
    m_cloud->send(QStringLiteral("driver_sync"),
                  QJsonObject{{QStringLiteral("sync_id"), QString(QStringLiteral("sync-") + type)},
                              {QStringLiteral("driver_id"), QString(QStringLiteral("drv-") + type)},
                              {QStringLiteral("driver_type"), type},
                              {QStringLiteral("version"), QStringLiteral("1.2.0")},
                              {QStringLiteral("driver_code"), code},
                              {QStringLiteral("protocol_type"), QStringLiteral("tcp")},
                              {QStringLiteral("command_mappings"), mappings()},
                              {QStringLiteral("connection_config"),
                               QJsonObject{{QStringLiteral("host"), QStringLiteral("127.0.0.1")},
                                           {QStringLiteral("port"), int(m_sim->tcpPort())}}}});
    QVERIFY(QTest::qWaitFor([&] {
        return !m_cloud->messagesOfType(QStringLiteral("driver_sync_complete"), from).isEmpty();
    }, 10000));
}

void tst_Technician::enterPin(const QString &pin)
{
    for (const QChar digit : pin)
        click(QStringLiteral("key_") + digit);
    click(QStringLiteral("key_OK"));
}

void tst_Technician::openDevice(const QString &deviceId)
{
    QTRY_VERIFY(item(QStringLiteral("name_") + deviceId) != nullptr);
    click(QStringLiteral("name_") + deviceId);   // the row's text: the tap goes to the row
    QTRY_VERIFY(item(QStringLiteral("devicePage"))->isVisible());
    QCOMPARE(m_dashboard->deviceDetail()->deviceId(), deviceId);
}

void tst_Technician::detailShowsTheDeviceAndSendsTestCommands()
{
    startController();
    syncDriver(QStringLiteral("lobby_projector"), QLatin1String(projectorCode));
    m_cloud->send(QStringLiteral("device_sync"),
                  QJsonObject{{QStringLiteral("devices"),
                               QJsonArray{QJsonObject{{QStringLiteral("device_id"), QStringLiteral("proj-1")},
                                                      {QStringLiteral("name"), QStringLiteral("Projector")},
                                                      {QStringLiteral("room"), QStringLiteral("Hall")},
                                                      {QStringLiteral("type"), QStringLiteral("lobby_projector")}}}}});
    QTRY_VERIFY_WITH_TIMEOUT(m_dashboard->connectedCount() == 1, 5000);
    loadUi();
    QSignalSpy actions(m_dashboard.get(), &Dashboard::technicianAction);

    openDevice(QStringLiteral("proj-1"));
    QCOMPARE(item(QStringLiteral("deviceDetailName"))->property("text").toString(), QStringLiteral("Projector"));
    QCOMPARE(item(QStringLiteral("deviceDetailRoom"))->property("text").toString(), QStringLiteral("Hall"));
    QCOMPARE(item(QStringLiteral("deviceDetailDriver"))->property("text").toString(), QStringLiteral("lobby_projector 1.2.0"));
    QTRY_VERIFY(item(QStringLiteral("deviceDetailSince"))->property("text").toString().startsWith(u"connected since "));
    QTRY_VERIFY(item(QStringLiteral("deviceDetailState"))->property("text").toString().startsWith(u"power: \"off\"  (updated "));
    // The connect went through connecting → connected: both are recent changes.
    QTRY_VERIFY(item(QStringLiteral("deviceDetailEvents"))->property("count").toInt() >= 2);
    // A button per mapping and per declared command; locked until the PIN.
    for (const char *name : {"command_power_on", "command_input", "command_volume", "command_volume_query"})
        QTRY_VERIFY2(item(QLatin1String(name)) && !item(QLatin1String(name))->isEnabled(), name);

    click(QStringLiteral("unlockButton"));
    enterPin(QStringLiteral("2468"));
    QTRY_VERIFY(m_dashboard->session()->unlocked());
    QTRY_VERIFY(!item(QStringLiteral("key_OK")) || !item(QStringLiteral("key_OK"))->isVisible());
    QTRY_VERIFY(item(QStringLiteral("sessionBar"))->isVisible());

    // A mapping without parameters runs at once; its result shows its duration.
    click(QStringLiteral("command_power_on"));
    QTRY_VERIFY_WITH_TIMEOUT(item(QStringLiteral("commandResult_0")) != nullptr, 5000);
    QString result = item(QStringLiteral("commandResult_0"))->property("text").toString();
    QVERIFY2(QRegularExpression(QStringLiteral("^✔ power_on · \\d+\\.\\d ms · ")).match(result).hasMatch(), qPrintable(result));
    QTRY_VERIFY(m_sim->isPoweredOn());

    // A declared command with parameters fills the form from its defaults.
    click(QStringLiteral("command_volume"));
    QCOMPARE(item(QStringLiteral("commandName"))->property("text").toString(), QStringLiteral("volume"));
    QCOMPARE(item(QStringLiteral("commandParams"))->property("text").toString(), QStringLiteral("{\"level\":20}"));
    click(QStringLiteral("sendCommandButton"));
    QTRY_VERIFY_WITH_TIMEOUT(m_sim->volume() == 20, 5000);
    QTRY_VERIFY(item(QStringLiteral("commandResult_0"))->property("text").toString().startsWith(u"✔ volume · "));

    // The free command: any name, JSON parameters.
    item(QStringLiteral("commandName"))->setProperty("text", QStringLiteral("input"));
    item(QStringLiteral("commandParams"))->setProperty("text", QStringLiteral("{\"source\": \"HDMI2\"}"));
    click(QStringLiteral("sendCommandButton"));
    QTRY_VERIFY_WITH_TIMEOUT(m_sim->input() == "HDMI2", 5000);
    // A failure is shown as one, with its duration too.
    item(QStringLiteral("commandName"))->setProperty("text", QStringLiteral("no_such_command"));
    item(QStringLiteral("commandParams"))->setProperty("text", QString());
    click(QStringLiteral("sendCommandButton"));
    QTRY_VERIFY_WITH_TIMEOUT(item(QStringLiteral("commandResult_0"))->property("text").toString().startsWith(u"✖ no_such_command · "), 5000);
    QVERIFY(item(QStringLiteral("commandResult_0"))->property("text").toString().contains(u"unknown command: no_such_command"));
    // Parameters that are not a JSON object are not sent.
    item(QStringLiteral("commandParams"))->setProperty("text", QStringLiteral("{level"));
    click(QStringLiteral("sendCommandButton"));
    QTRY_VERIFY(item(QStringLiteral("sendProblem"))->isVisible());
    QVERIFY(item(QStringLiteral("sendProblem"))->property("text").toString().startsWith(u"The parameters are not a JSON object"));

    // The unlock and each command are logged technician actions; commands name the device.
    QCOMPARE(actions.size(), 5);
    QCOMPARE(actions.at(0).at(0).toString(), QStringLiteral("unlock the technician session for 300 s"));
    QCOMPARE(actions.at(2).at(0).toString(), QStringLiteral("test command volume {\"level\":20}"));
    QCOMPARE(actions.at(2).at(1).toString(), QStringLiteral("proj-1"));
    // The host's figures for this device arrive with its next ping.
    QTRY_VERIFY_WITH_TIMEOUT(item(QStringLiteral("deviceDetailFigures"))->property("text").toString().contains(u" calls, "), 5000);

    // Within the session the next action asks no PIN: straight to the confirmation.
    click(QStringLiteral("deviceReconnectButton"));
    QTRY_VERIFY(item(QStringLiteral("confirmText"))->isVisible());
    QVERIFY(!item(QStringLiteral("key_1"))->isVisible());
    click(QStringLiteral("confirmButton"));
    QTRY_VERIFY_WITH_TIMEOUT(item(QStringLiteral("actionText"))->property("text").toString().startsWith(u"Device proj-1: connected"), 5000);
    QCOMPARE(actions.last().at(0).toString(), QStringLiteral("reconnect device"));

    // Lock now: the commands are locked again.
    click(QStringLiteral("lockNowButton"));
    QTRY_VERIFY(!m_dashboard->session()->unlocked());
    QCOMPARE(actions.last().at(0).toString(), QStringLiteral("technician session locked"));
    QTRY_VERIFY(!item(QStringLiteral("sessionBar"))->isVisible());
    QVERIFY(!item(QStringLiteral("command_volume"))->isEnabled());
    QCOMPARE(m_dashboard->deviceDetail()->sendCommand(QStringLiteral("volume_query"), {}),
             QStringLiteral("Unlock the technician session first."));

    click(QStringLiteral("deviceBackButton"));
    QTRY_VERIFY(item(QStringLiteral("deviceList"))->isVisible());
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Technician::malformedCommandsAreRefusedWithAReason()
{
    startController();
    syncDriver(QStringLiteral("odd_driver"), QLatin1String(malformedCode));
    m_cloud->send(QStringLiteral("device_sync"),
                  QJsonObject{{QStringLiteral("devices"),
                               QJsonArray{QJsonObject{{QStringLiteral("device_id"), QStringLiteral("odd-1")},
                                                      {QStringLiteral("type"), QStringLiteral("odd_driver")}}}}});
    QTRY_VERIFY_WITH_TIMEOUT(m_dashboard->connectedCount() == 1, 5000);
    loadUi();
    openDevice(QStringLiteral("odd-1"));
    // The declaration is ignored as a whole; the mappings stay; the driver runs.
    QTRY_VERIFY(item(QStringLiteral("commandsProblem"))->isVisible());
    QCOMPARE(item(QStringLiteral("commandsProblem"))->property("text").toString(),
             QStringLiteral("The driver's command list was refused: commands: 'power on' is not a valid command name"));
    QVERIFY(item(QStringLiteral("command_power_on")) != nullptr);
    QCOMPARE(m_dashboard->deviceDetail()->commands().size(), 2);
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Technician::sessionCountsDownAndLocks()
{
    startController(3);
    loadUi();
    TechnicianSession *session = m_dashboard->session();
    QSignalSpy unlocked(session, &TechnicianSession::unlockedChanged);
    QVERIFY(!session->unlocked());
    QElapsedTimer sinceUnlock;
    sinceUnlock.start();
    QVERIFY(m_dashboard->checkPin(QStringLiteral("2468")));
    QVERIFY(session->unlocked());
    QCOMPARE(session->remainingS(), 3);
    QTRY_VERIFY(item(QStringLiteral("sessionCountdown"))->isVisible());
    // What is left of the 3 s (a loaded machine may get here a second late).
    const auto countdown = [this] { return item(QStringLiteral("sessionCountdown"))->property("text").toString(); };
    const int first = UiTest::shownSeconds(countdown());
    QVERIFY2(countdown().contains(u"Technician unlocked: 0:0") && first <= 3
                 && first >= UiTest::fewestSecondsLeft(3, sinceUnlock.elapsed()),
             qPrintable(countdown()));
    // It ticks, second by second, on the screen (a late tick may skip one).
    QTRY_VERIFY2_WITH_TIMEOUT(UiTest::shownSeconds(countdown()) < first, qPrintable(countdown()), 3000);
    // Within the session an action needs no PIN.
    QSignalSpy finished(m_dashboard.get(), &Dashboard::actionFinished);
    m_dashboard->reloadAll(QString());
    QTRY_VERIFY(!finished.isEmpty());
    QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
    // Then it ends by itself, and the PIN is asked again.
    QTRY_VERIFY_WITH_TIMEOUT(!session->unlocked(), 4000);
    QTRY_VERIFY(!item(QStringLiteral("sessionBar"))->isVisible());
    m_dashboard->reloadAll(QString());
    QTRY_COMPARE(finished.size(), 2);
    QCOMPARE(finished.last().at(0).toBool(), false);
    QCOMPARE(finished.last().at(1).toString(), QStringLiteral("The technician session has ended: enter the PIN again."));
    QCOMPARE(unlocked.size(), 2);
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Technician::lockoutCountdownTicks()
{
    startController();
    loadUi();
    click(QStringLiteral("reloadAllButton"));
    for (int i = 0; i < 4; ++i)
        enterPin(QStringLiteral("1111"));
    QElapsedTimer sinceLock;
    sinceLock.start();
    enterPin(QStringLiteral("1111"));
    QTRY_VERIFY(item(QStringLiteral("pinProblem"))->isVisible());
    // A 30 s lockout, less what a loaded machine took to get here (reading
    // exactly "30 s" failed once under load: the first tick had come).
    const auto problem = [this] { return item(QStringLiteral("pinProblem"))->property("text").toString(); };
    const int first = UiTest::shownSeconds(problem());
    QVERIFY2(problem().startsWith(u"Too many wrong PINs. Try again in ") && first <= 30
                 && first >= UiTest::fewestSecondsLeft(30, sinceLock.elapsed()),
             qPrintable(problem()));
    QVERIFY(m_dashboard->session()->lockoutS() <= first);
    // The dialog counts down without anything being touched (a late tick
    // may skip a number).
    QTRY_VERIFY2_WITH_TIMEOUT(UiTest::shownSeconds(problem()) < first && UiTest::shownSeconds(problem()) > 0,
                              qPrintable(problem()), 3000);
    QVERIFY(!m_dashboard->session()->unlocked());
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Technician::provisionMany()
{
    syncDriver(QStringLiteral("lobby_projector"), QLatin1String(projectorCode));
    const QStringList rooms = {QStringLiteral("Auditorium"), QStringLiteral("Board room"), QStringLiteral("Foyer"), QString()};
    QJsonArray devices;
    for (int i = 1; i <= 60; ++i) {
        devices.append(QJsonObject{{QStringLiteral("device_id"), QStringLiteral("dev-%1").arg(i, 2, 10, QLatin1Char('0'))},
                                   {QStringLiteral("name"), QStringLiteral("Meeting room projector %1").arg(i)},
                                   {QStringLiteral("room"), rooms.at(i % rooms.size())},
                                   // Every tenth has no driver: in error.
                                   {QStringLiteral("type"), i % 10 == 0 ? QStringLiteral("missing_driver")
                                                                        : QStringLiteral("lobby_projector")}});
    }
    m_cloud->send(QStringLiteral("device_sync"), QJsonObject{{QStringLiteral("devices"), devices}});
    QTRY_VERIFY_WITH_TIMEOUT(m_dashboard->connectedCount() == 54 && m_dashboard->errorCount() == 6, 20000);
}

void tst_Technician::manyDevicesSearchRoomsAndErrorsFirst()
{
    startController();
    provisionMany();
    loadUi();
    QQuickItem *list = item(QStringLiteral("deviceList"));
    QObject *proxy = list->property("model").value<QObject *>();
    QTRY_COMPARE(list->property("count").toInt(), 60);

    for (const auto &[size, rows] : {std::pair{QSize(800, 480), 6}, std::pair{QSize(1280, 800), 10}}) {
        m_window->resize(size);
        QTRY_COMPARE(m_window->size(), size);
        QQuickItem *page = item(QStringLiteral("devicesPage"));
        QTRY_COMPARE(int(page->width() + 2 * page->mapToScene({0, 0}).x() + 0.5), size.width());
        QVERIFY(QQuickTest::qWaitForPolish(m_window));
        QQuickItem *row = item(QStringLiteral("name_dev-01"))->parentItem()->parentItem();
        // At least 48 px (9 mm on a 7" 800×480 panel), and enough of them.
        QVERIFY2(row->height() >= 48, qPrintable(QString::number(row->height())));
        const double pitch = row->height() + list->property("spacing").toReal();
        // The devices view itself spends one toolbar row on search and filters.
        QVERIFY2(page->height() - list->height() <= pitch + 8, qPrintable(QString::number(page->height() - list->height())));
        // The rest is up to the header, tabs and the error banner (shown: 6
        // devices are in error) around the view.
        QVERIFY(item(QStringLiteral("errorBanner"))->isVisible());
        const double above = page->mapToScene({0, 0}).y();
        qInfo("%.2f rows at %dx%d", list->height() / pitch, size.width(), size.height());
        QVERIFY2(list->height() / pitch >= rows,
                 qPrintable(QStringLiteral("%1 rows at %2x%3 (%4 px above the view)")
                                .arg(list->height() / pitch).arg(size.width()).arg(size.height()).arg(above)));
        // The scroll bar: wide and always there when the list scrolls.
        QQuickItem *bar = item(QStringLiteral("deviceScrollBar"));
        QVERIFY(bar->isVisible());
        QVERIFY2(bar->width() >= 28, qPrintable(QString::number(bar->width())));
        QCOMPARE(bar->property("policy").toInt(), 2);   // ScrollBar.AlwaysOn
    }

    // Search by id or name.
    item(QStringLiteral("deviceSearch"))->setProperty("text", QStringLiteral("dev-07"));
    QTRY_COMPARE(list->property("count").toInt(), 1);
    item(QStringLiteral("deviceSearch"))->setProperty("text", QStringLiteral("PROJECTOR 1"));
    QTRY_COMPARE(list->property("count").toInt(), 11);   // 1, 10–19
    item(QStringLiteral("deviceSearch"))->setProperty("text", QString());
    QTRY_COMPARE(list->property("count").toInt(), 60);

    // Errors first.
    click(QStringLiteral("sortByStatusButton"));
    auto value = [&](int row, const char *role) {
        QVariant v;
        QMetaObject::invokeMethod(proxy, "valueAt", Q_RETURN_ARG(QVariant, v), Q_ARG(int, row), Q_ARG(QString, QLatin1String(role)));
        return v.toString();
    };
    QTRY_COMPARE(value(0, "status"), QStringLiteral("error"));
    for (int i = 0; i < 6; ++i)
        QCOMPARE(value(i, "status"), QStringLiteral("error"));
    QCOMPARE(value(6, "status"), QStringLiteral("connected"));

    // Grouped by room: rooms in order, no room last, a heading per room.
    click(QStringLiteral("groupByRoomButton"));
    QTRY_COMPARE(list->property("section").value<QObject *>()->property("property").toString(), QStringLiteral("room"));
    QStringList seen;
    for (int i = 0; i < 60; ++i) {
        const QString room = value(i, "room");
        if (seen.isEmpty() || seen.last() != room)
            seen << room;
    }
    QCOMPARE(seen, (QStringList{QStringLiteral("Auditorium"), QStringLiteral("Board room"), QStringLiteral("Foyer"), QString()}));
    // Within a room, errors still first.
    QCOMPARE(value(0, "status"), QStringLiteral("error"));
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Technician::rendersInEnglishAndGerman()
{
    startController();
    provisionMany();
    loadUi();
    QVERIFY(m_dashboard->checkPin(QStringLiteral("2468")));   // the session bar shows too
    QTRY_COMPARE(item(QStringLiteral("deviceList"))->property("count").toInt(), 60);
    for (const QString &language : {QStringLiteral("en"), QStringLiteral("de")}) {
        QTranslator translator;
        if (language == u"de") {
            QVERIFY(translator.load(QLocale(language), QStringLiteral("control-nuc"), QStringLiteral("_"), QStringLiteral(":/i18n")));
            QCoreApplication::installTranslator(&translator);
            m_engine->retranslate();
        }
        for (const QSize size : {QSize(800, 480), QSize(1280, 800)}) {
            m_window->resize(size);
            QTRY_COMPARE(m_window->size(), size);
            for (const QString &page : {QStringLiteral("devices"), QStringLiteral("device")}) {
                m_dashboard->deviceDetail()->setDeviceId(page == u"device" ? QStringLiteral("dev-01") : QString());
                if (page == u"device") {
                    m_dashboard->deviceDetail()->sendCommand(QStringLiteral("volume"), QStringLiteral("{\"level\": 30}"));
                    QTRY_VERIFY_WITH_TIMEOUT(!m_dashboard->deviceDetail()->results().isEmpty(), 5000);
                }
                QTRY_VERIFY(item(page == u"device" ? QStringLiteral("devicePage") : QStringLiteral("deviceList"))->isVisible());
                QVERIFY(QQuickTest::qWaitForPolish(m_window));
                const QString file = QStringLiteral("%1-%2-%3x%4.png").arg(page, language).arg(size.width()).arg(size.height());
                QVERIFY(m_window->grabWindow().save(file));
                qInfo() << "rendered" << QDir::current().absoluteFilePath(file);
                const QStringList clipped = clippedTexts(item(page == u"device" ? QStringLiteral("devicePage") : QStringLiteral("devicesPage")));
                QVERIFY2(clipped.isEmpty(), qPrintable(file + QStringLiteral(": ") + clipped.join(QStringLiteral("; "))));
            }
        }
        QCoreApplication::removeTranslator(&translator);
    }
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

QTEST_MAIN(tst_Technician)
#include "tst_technician.moc"
