// The touchscreen dashboard under the offscreen platform, driven through the
// real controller, a cloud on 127.0.0.1 and the device simulator: it loads
// without QML warnings, follows syncs and status changes, guards technician
// actions with PIN and confirmation, speaks German, and renders at 800×480
// and 1920×1080 (PNG files in the build folder).
#include "cloud/cloudlink.h"
#include "controller/controller.h"
#include "ui/dashboard.h"
#include "devices/devicemanager.h"
#include "simulator/devicesimulator.h"
#include "cloudsteps.h"
#include "crashhistory.h"
#include "fakecloud.h"
#include "testpeers.h"
#include "uitesthelpers.h"
#include "ui/offlinenetwork.h"
#include "ui/translations.h"

#include <QColor>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QtQuickTest/quicktest.h>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QtQml/qqmlextensionplugin.h>

#include <memory>

Q_IMPORT_QML_PLUGIN(ControlNucPlugin)

using UiTest::collectTexts;
using UiTest::findItem;
using UiTest::findVisibleText;

namespace {


QString driverCode()
{
    return QStringLiteral(R"JS(const BaseDriver = require('./base-driver');
class Projector extends BaseDriver {
  connect() {
    const self = this;
    return this.openTransport().then(function (t) {
      t.setEncoding('latin1');
      return t.request('PWR?\r', { until: '\r' });
    }).then(function (reply) { self.setState({ power: reply === 'PWR=ON' ? 'on' : 'off', input: 'HDMI 1' }); });
  }
}
module.exports = Projector;
)JS");
}

} // namespace

class tst_Dashboard : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void loadsWithoutWarnings();
    void listsFollowSyncsAndStatus();
    void reloadNeedsPinAndConfirmation();
    void reloadWithDevicesDownIsAWarning();
    void lockedWithoutPin();
    void germanWithLangDe();
    void rendersAt800x480And1920x1080();
    void kioskIsFullScreenAndCannotBeClosed();
    void safeModeBannerAndReEnable();
    void quarantineBannerAndLift();
    void rollbackNeedsPinAndNamesTheDevices();
    void wrongPinsLockTheKeypad();
    void pinLockoutSurvivesARestart();
    void refusedTokenIsShownWithTheUrl();
    void outsideTextIsPlainAndFetchesNothing();

private:
    void startController(const QString &pin);
    void loadUi();
    void loadUi(bool kiosk);
    void click(const QString &objectName);
    QQuickItem *item(const QString &objectName) const;
    void syncDriver(const QString &type, const QString &syncId, const QString &code = driverCode());
    void provision(const QJsonArray &devices);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakeCloud> m_cloud;
    std::unique_ptr<DeviceSimulator> m_sim;
    std::unique_ptr<Controller> m_controller;
    std::unique_ptr<Dashboard> m_dashboard;
    OfflineNetworkFactory m_offlineNetwork;   // outlives every engine, as in main()
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
};

void tst_Dashboard::initTestCase()
{
    UiTest::collectMessages();
    // As main() does: the system locale's translation, else English.
    static QTranslator english;
    QVERIFY(!Translations::load(english, QStringLiteral("en")).isEmpty());
    QCoreApplication::installTranslator(&english);
}

void tst_Dashboard::init()
{
    UiTest::qmlWarnings().clear();
    m_dir = std::make_unique<QTemporaryDir>();
    m_cloud = std::make_unique<FakeCloud>();
    QVERIFY(m_cloud->listen());
    m_sim = std::make_unique<DeviceSimulator>();
    QCOMPARE(m_sim->start(0, DeviceSimulator::Off), QString());
}

void tst_Dashboard::cleanup()
{
    m_engine.reset();
    m_window = nullptr;
    m_dashboard.reset();
    m_controller.reset();
    m_sim.reset();
    m_cloud.reset();
    m_dir.reset();
}

void tst_Dashboard::startController(const QString &pin)
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
    m_controller = std::make_unique<Controller>(c);
    QCOMPARE(m_controller->start(), QString());
    QVERIFY(m_cloud->waitForMessage(QStringLiteral("hello")) >= 0);
    m_dashboard = std::make_unique<Dashboard>(m_controller.get(), pin);
}

void tst_Dashboard::loadUi()
{
    loadUi(false);
}

void tst_Dashboard::loadUi(bool kiosk)
{
    m_engine = std::make_unique<QQmlApplicationEngine>();
    m_window = UiTest::loadDashboard(*m_engine, m_dashboard.get(), kiosk, &m_offlineNetwork);
    QVERIFY(m_window);
    if (!kiosk) {
        m_window->resize(1280, 720);
        m_window->show();
    }
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
}

QQuickItem *tst_Dashboard::item(const QString &objectName) const
{
    return findItem(m_window->contentItem(), objectName);
}

void tst_Dashboard::click(const QString &objectName)
{
    QQuickItem *target = nullptr;
    QVERIFY2(QTest::qWaitFor([&] {
        target = item(objectName);
        return target && target->isVisible() && target->isEnabled() && target->width() > 0;
    }, 3000), qPrintable(objectName));
    // The layouts have placed the target where it is drawn.
    QVERIFY(QQuickTest::qWaitForPolish(m_window));
    const QPointF centre = target->mapToScene(QPointF(target->width() / 2, target->height() / 2));
    QTest::mouseClick(m_window, Qt::LeftButton, {}, centre.toPoint());
}

void tst_Dashboard::syncDriver(const QString &type, const QString &syncId, const QString &code)
{
    QVERIFY(CloudSteps::syncDriver(*m_cloud, type, syncId, code, m_sim->tcpPort()));
}

void tst_Dashboard::provision(const QJsonArray &devices)
{
    m_cloud->send(QStringLiteral("device_sync"), QJsonObject{{QStringLiteral("devices"), devices}});
}

void tst_Dashboard::loadsWithoutWarnings()
{
    startController(QStringLiteral("2468"));
    loadUi();
    QVERIFY(QQuickTest::qWaitForPolish(m_window));
    for (int tab = 0; tab < 4; ++tab) {
        click(QStringLiteral("tab_%1").arg(tab));
        // The tab's view is shown and laid out (any warning it has is out).
        QTRY_COMPARE(item(QStringLiteral("tabs"))->property("currentIndex").toInt(), tab);
        QVERIFY(QQuickTest::qWaitForPolish(m_window));
    }
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
    QCOMPARE(item(QStringLiteral("controllerName"))->property("text").toString(), QStringLiteral("Lobby rack"));
    QVERIFY(QTest::qWaitFor([&] { return m_dashboard->cloudState() == u"connected"; }, 2000));
    QCOMPARE(findItem(item(QStringLiteral("cloudBadge")), QStringLiteral("statusWord"))->property("text").toString(),
             QStringLiteral("Connected"));
}

void tst_Dashboard::listsFollowSyncsAndStatus()
{
    startController(QStringLiteral("2468"));
    loadUi();
    QQuickItem *drivers = item(QStringLiteral("driverList"));
    QQuickItem *devices = item(QStringLiteral("deviceList"));
    QQuickItem *syncs = item(QStringLiteral("syncList"));
    QCOMPARE(drivers->property("count").toInt(), 0);

    syncDriver(QStringLiteral("lobby_projector"), QStringLiteral("sync-ui-1"));
    QVERIFY(QTest::qWaitFor([&] { return drivers->property("count").toInt() == 1; }, 3000));
    QVERIFY(QTest::qWaitFor([&] { return syncs->property("count").toInt() == 1; }, 3000));

    provision({QJsonObject{{QStringLiteral("device_id"), QStringLiteral("proj-1")}, {QStringLiteral("name"), QStringLiteral("Projector")},
                           {QStringLiteral("type"), QStringLiteral("lobby_projector")}},
               QJsonObject{{QStringLiteral("device_id"), QStringLiteral("dsp-1")}, {QStringLiteral("name"), QStringLiteral("DSP")},
                           {QStringLiteral("type"), QStringLiteral("missing_driver")}}});
    QVERIFY(QTest::qWaitFor([&] { return devices->property("count").toInt() == 2; }, 3000));
    QVERIFY(QTest::qWaitFor([&] { return m_dashboard->connectedCount() == 1 && m_dashboard->errorCount() == 1; }, 5000));
    QQuickItem *banner = item(QStringLiteral("errorBanner"));
    QVERIFY(QTest::qWaitFor([&] { return banner->isVisible(); }, 2000));

    // Filter by status: only the device in error.
    click(QStringLiteral("filter_error"));
    QVERIFY(QTest::qWaitFor([&] { return devices->property("count").toInt() == 1; }, 2000));
    click(QStringLiteral("filter_all"));
    QVERIFY(QTest::qWaitFor([&] { return devices->property("count").toInt() == 2; }, 2000));

    // The device drops: the dashboard follows.
    m_sim->stop();
    QVERIFY(QTest::qWaitFor([&] { return m_dashboard->connectedCount() == 0; }, 5000));
    QVERIFY(m_dashboard->disconnectedCount() + m_dashboard->connectingCount() + m_dashboard->errorCount() == 2);

    // A failed sync shows its error message in the activity list.
    syncDriver(QStringLiteral("lobby_projector"), QStringLiteral("sync-ui-2"), QStringLiteral("class {"));
    QVERIFY(QTest::qWaitFor([&] { return syncs->property("count").toInt() == 2; }, 3000));
    click(QStringLiteral("tab_2"));
    // The event log has it, with its error ...
    QTRY_VERIFY_WITH_TIMEOUT([&] {
        QList<QQuickItem *> texts;
        collectTexts(item(QStringLiteral("eventList")), &texts);
        return std::any_of(texts.cbegin(), texts.cend(), [](QQuickItem *t) {
            const QString shown = t->property("text").toString();
            return shown.startsWith(u"Sync of driver lobby_projector 1.2.0 failed – ") && shown.contains(u"syntax error");
        });
    }(), 3000);
    // ... and so do the driver syncs with their steps.
    click(QStringLiteral("eventsSyncs"));
    QVERIFY(QTest::qWaitFor([&] {
        QQuickItem *activity = item(QStringLiteral("activityPage"));
        return findVisibleText(activity, QStringLiteral("syncError")).contains(u"syntax error at line 1");
    }, 3000));
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Dashboard::reloadNeedsPinAndConfirmation()
{
    startController(QStringLiteral("2468"));
    syncDriver(QStringLiteral("lobby_projector"), QStringLiteral("sync-ui-1"));
    provision({QJsonObject{{QStringLiteral("device_id"), QStringLiteral("proj-1")}, {QStringLiteral("name"), QStringLiteral("Projector")},
                           {QStringLiteral("type"), QStringLiteral("lobby_projector")}}});
    QVERIFY(QTest::qWaitFor([&] { return m_dashboard->connectedCount() == 1; }, 5000));
    loadUi();

    QSignalSpy reloads(m_controller->deviceManager(), &DeviceManager::reloadFinished);
    QSignalSpy finished(m_dashboard.get(), &Dashboard::actionFinished);
    click(QStringLiteral("tab_1"));
    // Tap the driver row: its detail opens.
    QQuickItem *drivers = item(QStringLiteral("driverList"));
    QVERIFY(QTest::qWaitFor([&] { return drivers->property("count").toInt() == 1; }, 3000));
    QVERIFY(QQuickTest::qWaitForPolish(m_window));   // the row is where it is drawn
    const QPointF row = drivers->mapToScene(QPointF(drivers->width() / 2, 30));
    QTest::mouseClick(m_window, Qt::LeftButton, {}, row.toPoint());
    QVERIFY(QTest::qWaitFor([&] { return item(QStringLiteral("driverDetail"))->isVisible(); }, 2000));

    click(QStringLiteral("reloadDriverButton"));
    QVERIFY(QTest::qWaitFor([&] { return item(QStringLiteral("pinTitle")) && item(QStringLiteral("pinTitle"))->isVisible(); }, 2000));
    QCOMPARE(item(QStringLiteral("pinTitle"))->property("text").toString(), QStringLiteral("Reload driver lobby_projector"));

    // A wrong PIN is refused and nothing happens.
    for (const char *key : {"key_1", "key_1", "key_1", "key_1", "key_OK"})
        click(QLatin1String(key));
    QVERIFY(QTest::qWaitFor([&] { return item(QStringLiteral("pinProblem"))->isVisible(); }, 2000));
    QVERIFY(!item(QStringLiteral("confirmButton"))->isVisible());
    QCOMPARE(reloads.size(), 0);

    // The right PIN leads to the confirmation, not yet to the action.
    for (const char *key : {"key_2", "key_4", "key_6", "key_8", "key_OK"})
        click(QLatin1String(key));
    QVERIFY(QTest::qWaitFor([&] { return item(QStringLiteral("confirmText"))->isVisible(); }, 2000));
    QVERIFY(item(QStringLiteral("confirmText"))->property("text").toString().contains(u"lobby_projector"));
    // A wait on purpose: the confirmation stays a question for a while; no
    // reload starts behind it.
    QTest::qWait(100);
    QCOMPARE(reloads.size(), 0);

    const int accepted = m_sim->connectionsAccepted();
    click(QStringLiteral("confirmButton"));
    QVERIFY(reloads.wait(5000));
    QCOMPARE(reloads.at(0).at(0).toString(), QStringLiteral("lobby_projector"));
    QVERIFY(finished.wait(3000) || !finished.isEmpty());
    QCOMPARE(finished.last().at(0).toBool(), true);
    QVERIFY(QTest::qWaitFor([&] {
        return item(QStringLiteral("actionText"))->property("text").toString().contains(u"1 of 1 device connected");
    }, 3000));
    QVERIFY(m_sim->connectionsAccepted() > accepted);   // the device was recreated
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Dashboard::reloadWithDevicesDownIsAWarning()
{
    startController(QStringLiteral("2468"));
    syncDriver(QStringLiteral("lobby_projector"), QStringLiteral("sync-ui-1"));
    provision({QJsonObject{{QStringLiteral("device_id"), QStringLiteral("proj-1")}, {QStringLiteral("type"), QStringLiteral("lobby_projector")}},
               QJsonObject{{QStringLiteral("device_id"), QStringLiteral("proj-2")}, {QStringLiteral("type"), QStringLiteral("lobby_projector")},
                           {QStringLiteral("room"), QStringLiteral("Hall")}}});
    QVERIFY(QTest::qWaitFor([&] { return m_dashboard->connectedCount() == 2; }, 5000));
    loadUi();
    QTRY_VERIFY(item(QStringLiteral("since_proj-1")) != nullptr);
    QTRY_VERIFY(item(QStringLiteral("since_proj-1"))->property("text").toString().startsWith(u"connected for "));
    QTRY_COMPARE(item(QStringLiteral("state_proj-1"))->property("text").toString(), QStringLiteral("input: HDMI 1  ·  power: off"));

    // The projectors go away: down since then, and their state is last known.
    m_sim->stop();
    QTRY_VERIFY_WITH_TIMEOUT(item(QStringLiteral("since_proj-1"))->property("text").toString().startsWith(u"down for "), 5000);
    QTRY_VERIFY(item(QStringLiteral("state_proj-1"))->property("text").toString().startsWith(u"last known: input: HDMI 1"));

    // A reload does not end green: it says what happened, in the warning colour, and which.
    QSignalSpy finished(m_dashboard.get(), &Dashboard::actionFinished);
    m_dashboard->reloadAll(QStringLiteral("2468"));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    const QStringList failing = finished.at(0).at(2).toStringList();
    QCOMPARE(failing.size(), 2);
    QVERIFY2(failing.at(0).startsWith(u"proj-1: ") && failing.at(1).startsWith(u"proj-2: "), qPrintable(failing.join(u'|')));
    QVERIFY2(finished.at(0).at(1).toString().startsWith(u"All drivers reloaded: 0 of 2 devices connected, "),
             qPrintable(finished.at(0).at(1).toString()));
    QTRY_COMPARE(item(QStringLiteral("actionBar"))->property("color").value<QColor>(), QColor(QStringLiteral("#e0a526")));
    QVERIFY(item(QStringLiteral("actionFailing"))->isVisible());
    QVERIFY(item(QStringLiteral("actionFailing"))->property("text").toString().contains(u"proj-2: "));
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Dashboard::lockedWithoutPin()
{
    startController(QString());
    loadUi();
    QSignalSpy reloads(m_controller->deviceManager(), &DeviceManager::reloadStarted);
    click(QStringLiteral("reloadAllButton"));
    QVERIFY(QTest::qWaitFor([&] { return item(QStringLiteral("lockedText")) && item(QStringLiteral("lockedText"))->isVisible(); }, 2000));
    QVERIFY(item(QStringLiteral("lockedText"))->property("text").toString().contains(u"technician-pin"));
    QVERIFY(!item(QStringLiteral("key_1"))->isVisible());
    QVERIFY(!m_dashboard->checkPin(QString()));
    QVERIFY(!m_dashboard->checkPin(QStringLiteral("1234")));   // no PIN configured: nothing opens it
    // Even called directly, the action is refused.
    QSignalSpy finished(m_dashboard.get(), &Dashboard::actionFinished);
    m_dashboard->reloadAll(QStringLiteral("0000"));
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QCOMPARE(reloads.size(), 0);
}

void tst_Dashboard::germanWithLangDe()
{
    QTranslator translator;
    QVERIFY(translator.load(QLocale(QStringLiteral("de")), QStringLiteral("control-nuc"), QStringLiteral("_"), QStringLiteral(":/i18n")));
    QCoreApplication::installTranslator(&translator);
    startController(QStringLiteral("2468"));
    loadUi();
    QVERIFY(QTest::qWaitFor([&] { return m_dashboard->cloudState() == u"connected"; }, 2000));
    const QString tab = item(QStringLiteral("tab_0"))->property("text").toString();
    // German labels are longer: render the small screen too (build/tests/dashboard-de-800x480.png).
    m_window->resize(800, 480);
    QVERIFY(QTest::qWaitFor([&] { return m_window->width() == 800; }, 2000));
    QVERIFY(QQuickTest::qWaitForPolish(m_window));
    QVERIFY(m_window->grabWindow().save(QStringLiteral("dashboard-de-800x480.png")));
    QCoreApplication::removeTranslator(&translator);
    QCOMPARE(tab, QStringLiteral("Geräte (0)"));
    QCOMPARE(findItem(item(QStringLiteral("cloudBadge")), QStringLiteral("statusWord"))->property("text").toString(),
             QStringLiteral("Verbunden"));
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Dashboard::rendersAt800x480And1920x1080()
{
    startController(QStringLiteral("2468"));
    syncDriver(QStringLiteral("lobby_projector"), QStringLiteral("sync-1"));
    syncDriver(QStringLiteral("conference_dsp"), QStringLiteral("sync-2"));
    syncDriver(QStringLiteral("broken_driver"), QStringLiteral("sync-3"), QStringLiteral("module.exports = 42;"));
    QJsonArray devices;
    const char *names[] = {"Lobby projector", "Lobby screen", "Meeting room 1 projector", "Meeting room 2 projector",
                           "Conference DSP", "Stage lights"};
    for (int i = 0; i < 6; ++i) {
        devices.append(QJsonObject{{QStringLiteral("device_id"), QStringLiteral("dev-%1").arg(i + 1)},
                                   {QStringLiteral("name"), QLatin1String(names[i])},
                                   {QStringLiteral("type"), i == 5 ? QStringLiteral("stage_lights") : i == 4 ? QStringLiteral("conference_dsp") : QStringLiteral("lobby_projector")}});
    }
    provision(devices);
    QVERIFY(QTest::qWaitFor([&] { return m_dashboard->connectedCount() == 5 && m_dashboard->errorCount() == 1; }, 8000));
    loadUi();
    QVERIFY(QQuickTest::qWaitForPolish(m_window));

    for (const QSize size : {QSize(800, 480), QSize(1920, 1080)}) {
        m_window->resize(size);
        QVERIFY(QTest::qWaitFor([&] { return m_window->size() == size; }, 2000));
        // Laid out for the new size: the full-width banner spans the window.
        QVERIFY2(QTest::qWaitFor([&] { return int(item(QStringLiteral("errorBanner"))->width()) == size.width(); }, 3000),
                 qPrintable(QString::number(item(QStringLiteral("errorBanner"))->width())));
        QVERIFY(QQuickTest::qWaitForPolish(m_window));
        const QImage image = m_window->grabWindow();
        QCOMPARE(image.size(), size);
        const QString file = QStringLiteral("dashboard-%1x%2.png").arg(size.width()).arg(size.height());
        QVERIFY(image.save(file));
        qInfo() << "rendered" << QDir::current().absoluteFilePath(file);
        // Not blank: the header, the error banner and the rows differ.
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7) {
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        }
        QVERIFY(colours.size() > 20);
        // Touch targets: at least 44 px high (the tab row stays that low so
        // that the devices view keeps its height; dashboard.md).
        QVERIFY(item(QStringLiteral("reloadAllButton"))->height() >= 44);
        QVERIFY(item(QStringLiteral("tab_0"))->height() >= 44);
    }
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Dashboard::kioskIsFullScreenAndCannotBeClosed()
{
    startController(QStringLiteral("2468"));
    loadUi(true);
    QCOMPARE(m_window->visibility(), QWindow::FullScreen);
    QVERIFY(m_window->flags().testFlag(Qt::FramelessWindowHint));
    // No way to quit from the screen: a close request is refused.
    QVERIFY(!m_window->close());
    QVERIFY(m_window->isVisible());
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Dashboard::safeModeBannerAndReEnable()
{
    // Earlier runs crashed three times in a row, minutes ago.
    QVERIFY(CrashHistory::writeThreeCrashes(m_dir->path() + QStringLiteral("/root/var")));
    startController(QStringLiteral("2468"));
    syncDriver(QStringLiteral("lobby_projector"), QStringLiteral("sync-safe"));
    loadUi();
    QQuickItem *banner = item(QStringLiteral("safeModeBanner"));
    QVERIFY(banner && banner->isVisible());
    const QString text = item(QStringLiteral("safeModeText"))->property("text").toString();
    QVERIFY2(text.contains(u"SAFE MODE") && text.contains(u"3 crashes") && text.contains(u"lobby_projector 1.2.0"), qPrintable(text));

    click(QStringLiteral("enableDriversButton"));
    for (const char *key : {"key_2", "key_4", "key_6", "key_8", "key_OK"})
        click(QLatin1String(key));
    click(QStringLiteral("confirmButton"));
    QVERIFY(QTest::qWaitFor([&] { return !m_dashboard->safeMode(); }, 3000));
    QVERIFY(QTest::qWaitFor([&] { return !banner->isVisible(); }, 2000));
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Dashboard::quarantineBannerAndLift()
{
    startController(QStringLiteral("2468"));
    // A driver that crashes its host at every connect(): quarantined after
    // a few failures, its device named in the confirmation.
    syncDriver(QStringLiteral("crasher"), QStringLiteral("sync-q"), QStringLiteral(R"JS(const BaseDriver = require('./base-driver');
class Crasher extends BaseDriver {
  connect() { return (function () { var a = []; for (var i = 0; i < 300000; i++) a = [a]; return Promise.resolve(String(a)); })(); }
}
module.exports = Crasher;
)JS"));
    provision({QJsonObject{{QStringLiteral("device_id"), QStringLiteral("c1")}, {QStringLiteral("name"), QStringLiteral("Crashing relay")},
                           {QStringLiteral("type"), QStringLiteral("crasher")}}});
    QVERIFY(QTest::qWaitFor([&] { return m_dashboard->quarantined() == QStringList{QStringLiteral("crasher")}; }, 20000));
    loadUi();
    QQuickItem *banner = item(QStringLiteral("quarantineBanner"));
    QVERIFY(banner && banner->isVisible());
    QVERIFY(item(QStringLiteral("quarantineText"))->property("text").toString().contains(u"QUARANTINED: crasher"));
    QCOMPARE(m_dashboard->quarantinedDevices(), QStringList{QStringLiteral("Crashing relay")});

    click(QStringLiteral("liftQuarantineButton"));
    for (const char *key : {"key_2", "key_4", "key_6", "key_8", "key_OK"})
        click(QLatin1String(key));
    click(QStringLiteral("confirmButton"));
    QVERIFY(QTest::qWaitFor([&] { return !banner->isVisible() || m_dashboard->quarantined().isEmpty(); }, 3000));
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Dashboard::rollbackNeedsPinAndNamesTheDevices()
{
    startController(QStringLiteral("2468"));
    const auto sync = [&](const QString &syncId, const QString &version) {
        const int from = int(m_cloud->messages().size());
        m_cloud->send(QStringLiteral("driver_sync"),
                      QJsonObject{{QStringLiteral("sync_id"), syncId},
                                  {QStringLiteral("driver_id"), QStringLiteral("drv-lobby")},
                                  {QStringLiteral("driver_type"), QStringLiteral("lobby_projector")},
                                  {QStringLiteral("version"), version},
                                  {QStringLiteral("driver_code"), QString(driverCode() + QStringLiteral("// ") + version + u'\n')},
                                  {QStringLiteral("protocol_type"), QStringLiteral("tcp")},
                                  {QStringLiteral("connection_config"),
                                   QJsonObject{{QStringLiteral("host"), QStringLiteral("127.0.0.1")},
                                               {QStringLiteral("port"), int(m_sim->tcpPort())}}}});
        return m_cloud->waitForMessage(QStringLiteral("driver_sync_complete"), from, 10000) >= 0;
    };
    QVERIFY(sync(QStringLiteral("sync-r1"), QStringLiteral("1.0.0")));
    provision({QJsonObject{{QStringLiteral("device_id"), QStringLiteral("proj-1")}, {QStringLiteral("name"), QStringLiteral("Lobby projector")},
                           {QStringLiteral("type"), QStringLiteral("lobby_projector")}}});
    QVERIFY(QTest::qWaitFor([&] { return m_dashboard->connectedCount() == 1; }, 5000));
    QVERIFY(sync(QStringLiteral("sync-r2"), QStringLiteral("1.1.0")));
    loadUi();

    click(QStringLiteral("tab_1"));
    QQuickItem *drivers = item(QStringLiteral("driverList"));
    QVERIFY(QTest::qWaitFor([&] { return drivers->property("count").toInt() == 1; }, 3000));
    QVERIFY(QQuickTest::qWaitForPolish(m_window));
    QTest::mouseClick(m_window, Qt::LeftButton, {}, drivers->mapToScene(QPointF(drivers->width() / 2, 30)).toPoint());
    QTRY_VERIFY_WITH_TIMEOUT(item(QStringLiteral("driverDetail"))->isVisible(), 2000);
    QTRY_COMPARE_WITH_TIMEOUT(item(QStringLiteral("keptVersionsText"))->property("text").toString(),
                              QStringLiteral("Kept versions: 1.0.0"), 2000);

    QSignalSpy finished(m_dashboard.get(), &Dashboard::actionFinished);
    click(QStringLiteral("rollbackButton_1.0.0"));
    QTRY_VERIFY_WITH_TIMEOUT(item(QStringLiteral("pinTitle")) && item(QStringLiteral("pinTitle"))->isVisible(), 2000);
    QCOMPARE(item(QStringLiteral("pinTitle"))->property("text").toString(), QStringLiteral("Roll back lobby_projector to 1.0.0"));
    for (const char *key : {"key_2", "key_4", "key_6", "key_8", "key_OK"})
        click(QLatin1String(key));
    QTRY_VERIFY_WITH_TIMEOUT(item(QStringLiteral("confirmText"))->isVisible(), 2000);
    // The confirmation names the devices that restart.
    QVERIFY(item(QStringLiteral("confirmText"))->property("text").toString().contains(u"Lobby projector"));
    QCOMPARE(finished.size(), 0);
    const int from = int(m_cloud->messages().size());
    click(QStringLiteral("confirmButton"));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
    QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("Driver lobby_projector rolled back to 1.0.0."));
    // 1.1.0 is now the kept one; the device runs again; the cloud hears a hello with 1.0.0.
    QTRY_VERIFY_WITH_TIMEOUT(item(QStringLiteral("rollbackButton_1.1.0")) != nullptr, 2000);
    QCOMPARE(m_dashboard->keptVersions(QStringLiteral("lobby_projector")), QStringList{QStringLiteral("1.1.0")});
    QTRY_COMPARE_WITH_TIMEOUT(m_dashboard->connectedCount(), 1, 5000);
    const int hello = m_cloud->waitForMessage(QStringLiteral("hello"), from);
    QVERIFY(hello >= 0);
    const QJsonObject driver = m_cloud->messages().at(hello)[QStringLiteral("data")][QStringLiteral("drivers")][0].toObject();
    QCOMPARE(driver.value(QStringLiteral("version")).toString(), QStringLiteral("1.0.0"));
    // A local rollback is not reported as a sync the cloud never sent.
    QVERIFY(m_cloud->messagesOfType(QStringLiteral("driver_sync_complete"), from).isEmpty());
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Dashboard::wrongPinsLockTheKeypad()
{
    startController(QStringLiteral("2468"));
    for (int i = 0; i < 4; ++i)
        QVERIFY(!m_dashboard->checkPin(QStringLiteral("0000")));
    QVERIFY(m_dashboard->checkPin(QStringLiteral("2468")));   // four wrong, then right: fine
    for (int i = 0; i < 5; ++i)
        QVERIFY(!m_dashboard->checkPin(QStringLiteral("0000")));
    // Locked now: even the right PIN is refused, and the dialog says why.
    QVERIFY(!m_dashboard->checkPin(QStringLiteral("2468")));
    QVERIFY2(m_dashboard->pinProblem().startsWith(u"Too many wrong PINs. Try again in "), qPrintable(m_dashboard->pinProblem()));
}

void tst_Dashboard::pinLockoutSurvivesARestart()
{
    startController(QStringLiteral("2468"));
    for (int i = 0; i < 4; ++i)
        QVERIFY(!m_dashboard->checkPin(QStringLiteral("0000")));
    const QString state = m_controller->layout().varDir() + QStringLiteral("/pin-lockout.json");
    QCOMPARE(QFileInfo(state).permissions() & ~(QFile::ReadUser | QFile::WriteUser),
             QFile::Permissions(QFile::ReadOwner | QFile::WriteOwner));
    // A restart does not wipe the count: one more wrong PIN locks.
    m_dashboard.reset();
    m_controller.reset();
    startController(QStringLiteral("2468"));
    QElapsedTimer sinceLock;
    sinceLock.start();
    QVERIFY(!m_dashboard->checkPin(QStringLiteral("0000")));
    QVERIFY(!m_dashboard->checkPin(QStringLiteral("2468")));
    QVERIFY2(m_dashboard->pinProblem().startsWith(u"Too many wrong PINs. Try again in 30 s."), qPrintable(m_dashboard->pinProblem()));
    // Nor the lock: after a restart it still holds, for the time that was
    // left (a restart on a loaded machine can take more than a second).
    m_dashboard.reset();
    m_controller.reset();
    startController(QStringLiteral("2468"));
    QVERIFY(!m_dashboard->checkPin(QStringLiteral("2468")));
    const int left = UiTest::shownSeconds(m_dashboard->pinProblem());
    QVERIFY2(m_dashboard->pinProblem().startsWith(u"Too many wrong PINs. Try again in ") && left <= 30
                 && left >= UiTest::fewestSecondsLeft(30, sinceLock.elapsed()),
             qPrintable(m_dashboard->pinProblem()));
}

void tst_Dashboard::refusedTokenIsShownWithTheUrl()
{
    RefusingPeer peer("401 Unauthorized");
    QVERIFY(peer.server.listen(QHostAddress::LocalHost));
    const QUrl url(QStringLiteral("ws://127.0.0.1:%1/").arg(peer.server.serverPort()));
    Config c;
    c.root = m_dir->path() + QStringLiteral("/root");
    c.cloudUrl = url;
    c.token = QStringLiteral("wrong");
    c.controllerId = QStringLiteral("nuc-lobby-01");
    c.reconnectMinMs = 50;
    c.reconnectMaxMs = 100;
    m_controller = std::make_unique<Controller>(c);
    QCOMPARE(m_controller->start(), QString());
    m_dashboard = std::make_unique<Dashboard>(m_controller.get(), QString());
    loadUi();
    QVERIFY(QTest::qWaitFor([&] { return m_dashboard->cloudState() == u"refused"; }, 5000));
    QCOMPARE(m_dashboard->cloudRefusedStatus(), 401);
    // Still "refused" while it redials (not "connecting"/"reconnecting").
    const int before = peer.upgrades;
    QVERIFY(QTest::qWaitFor([&] { return peer.upgrades >= before + 3; }, 5000));
    QCOMPARE(m_dashboard->cloudState(), QStringLiteral("refused"));
    QCOMPARE(findItem(item(QStringLiteral("cloudBadge")), QStringLiteral("statusWord"))->property("text").toString(),
             QStringLiteral("Refused"));
    QCOMPARE(item(QStringLiteral("cloudDetail"))->property("text").toString(),
             QStringLiteral("%1 refused our credentials (HTTP 401): check the token").arg(url.toDisplayString()));
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Dashboard::outsideTextIsPlainAndFetchesNothing()
{
    // What a kiosk would fetch, were the text read as markup.
    QTcpServer trap;
    QVERIFY(trap.listen(QHostAddress::LocalHost));
    const QString image = QStringLiteral("<img src=http://127.0.0.1:%1/x>").arg(trap.serverPort());
    const QString name = image + QStringLiteral("<font color=red>Projector</font>");
    const QString message = QStringLiteral("<font color=red>all fine</font>") + image;
    const QString code = QStringLiteral(R"JS(const BaseDriver = require('./base-driver');
class Marked extends BaseDriver {
  connect() {
    const self = this;
    // After connect() has settled, which reports 'connected' without a message.
    return this.openTransport().then(function () {
      setTimeout(function () { self.setStatus('connected', %1); }, 100);
    });
  }
}
module.exports = Marked;
)JS").arg(QString::fromUtf8(QJsonDocument(QJsonArray{message}).toJson(QJsonDocument::Compact)).mid(1).chopped(1));

    UiTest::refusedRequests().clear();
    startController(QStringLiteral("2468"));
    loadUi();
    syncDriver(QStringLiteral("marked_up"), QStringLiteral("sync-markup"), code);
    provision({QJsonObject{{QStringLiteral("device_id"), QStringLiteral("m-1")}, {QStringLiteral("name"), name},
                           {QStringLiteral("type"), QStringLiteral("marked_up")}}});

    // Shown literally, as plain text.
    QQuickItem *nameText = nullptr;
    QQuickItem *messageText = nullptr;
    auto findShown = [&] {
        nameText = messageText = nullptr;
        QList<QQuickItem *> texts;
        collectTexts(item(QStringLiteral("deviceList")), &texts);
        for (QQuickItem *t : std::as_const(texts)) {
            const QString shown = t->property("text").toString();
            if (shown.startsWith(name))
                nameText = t;
            else if (shown == message)
                messageText = t;
        }
        return nameText && messageText;
    };
    QVERIFY(QTest::qWaitFor(findShown, 8000));
    QCOMPARE(nameText->property("text").toString(), name + QStringLiteral("  ·  m-1"));
    QCOMPARE(nameText->property("textFormat").toInt(), int(Qt::PlainText));
    QCOMPARE(messageText->property("textFormat").toInt(), int(Qt::PlainText));
    // Drawn: nothing was asked of the network.
    QVERIFY(!m_window->grabWindow().isNull());
    QVERIFY2(UiTest::refusedRequests().isEmpty(), qPrintable(UiTest::refusedRequests().join(u'\n')));
    QVERIFY(!trap.hasPendingConnections());

    // Every Text of every tab is plain text, whatever it shows.
    for (int tab = 0; tab < 4; ++tab) {
        click(QStringLiteral("tab_%1").arg(tab));
        QTRY_COMPARE(item(QStringLiteral("tabs"))->property("currentIndex").toInt(), tab);
        QVERIFY(QQuickTest::qWaitForPolish(m_window));
        QList<QQuickItem *> texts;
        collectTexts(m_window->contentItem(), &texts);
        QVERIFY(texts.size() > 10);
        for (QQuickItem *t : std::as_const(texts)) {
            QVERIFY2(t->property("textFormat").toInt() == int(Qt::PlainText),
                     qPrintable(t->property("text").toString()));
        }
    }

    // Were that text rich after all, the engine refuses the fetch itself.
    click(QStringLiteral("tab_0"));
    QTRY_COMPARE(item(QStringLiteral("tabs"))->property("currentIndex").toInt(), 0);
    QVERIFY(QTest::qWaitFor(findShown, 3000));
    messageText->setProperty("textFormat", int(Qt::RichText));
    QVERIFY(QTest::qWaitFor([&] { return !UiTest::refusedRequests().isEmpty(); }, 3000));
    QVERIFY2(UiTest::refusedRequests().constFirst().contains(QStringLiteral("http://127.0.0.1:%1/x").arg(trap.serverPort())),
             qPrintable(UiTest::refusedRequests().constFirst()));
    QTest::qWait(100);   // the refused reply has been delivered
    QVERIFY(!trap.hasPendingConnections());
}

QTEST_MAIN(tst_Dashboard)
#include "tst_dashboard.moc"
