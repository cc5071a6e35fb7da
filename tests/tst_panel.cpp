// The technician's panel beyond the lists (offscreen, through objectNames):
// the event log view, the system page, the header clock, idle dimming in
// kiosk mode, and a layout check that renders every view at 800×480,
// 1024×600, 1280×800 and 1920×1080 in English and German and fails on text
// that does not fit (UiTest::layoutProblems). Writes the screenshots named
// in docs/dashboard.md into the build folder (tests/).
#include "controller/controller.h"
#include "devices/devicemanager.h"
#include "events/eventlog.h"
#include "simulator/devicesimulator.h"
#include "ui/dashboard.h"
#include "ui/offlinenetwork.h"
#include "ui/translations.h"
#include "cloudsteps.h"
#include "fakecloud.h"
#include "uitesthelpers.h"

#include <QElapsedTimer>
#include <QGuiApplication>
#include <QJsonArray>
#include <QNetworkInterface>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest/quicktest.h>

#include <functional>
#include <memory>

Q_IMPORT_QML_PLUGIN(ControlNucPlugin)

using UiTest::findItem;
using UiTest::findVisibleText;

namespace {


const char *projectorCode = R"JS(const BaseDriver = require('./base-driver');
class Projector extends BaseDriver {
  connect() {
    const self = this;
    return this.openTransport().then(function () { self.setState({ power: 'on', input: 'HDMI 1' }); });
  }
}
module.exports = Projector;
)JS";

} // namespace

class tst_Panel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void eventLogShowsAndFiltersByDevice();
    void eventTimesAndClockFollowTheLanguage();
    void systemPageShowsTheBox();
    void idleDimsBlanksAndWakes();
    void everyViewFitsAtEverySize_data();
    void everyViewFitsAtEverySize();

private:
    void startController(const std::function<void(Config &)> &adjust = {});
    void loadUi(bool kiosk = false);
    void click(const QString &objectName);
    void clickAt(QQuickItem *target);
    QQuickItem *item(const QString &objectName) const { return findItem(m_window->contentItem(), objectName); }
    void syncDriver(const QString &type, const QString &code);
    void provisionRoom();
    void resize(QSize size);
    void showTab(int index);
    void checkFits(const QString &view);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakeCloud> m_cloud;
    std::unique_ptr<DeviceSimulator> m_sim;
    std::unique_ptr<Controller> m_controller;
    std::unique_ptr<Dashboard> m_dashboard;
    OfflineNetworkFactory m_offlineNetwork;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    QStringList m_problems;
};

void tst_Panel::initTestCase()
{
    UiTest::collectMessages();
    static QTranslator english;
    QVERIFY(!Translations::load(english, QStringLiteral("en")).isEmpty());
    QCoreApplication::installTranslator(&english);
}

void tst_Panel::init()
{
    UiTest::qmlWarnings().clear();
    m_problems.clear();
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    m_dir = std::make_unique<QTemporaryDir>();
    m_cloud = std::make_unique<FakeCloud>();
    QVERIFY(m_cloud->listen());
    m_sim = std::make_unique<DeviceSimulator>();
    QCOMPARE(m_sim->start(0, DeviceSimulator::Off), QString());
}

void tst_Panel::cleanup()
{
    m_engine.reset();
    m_window = nullptr;
    m_dashboard.reset();
    m_controller.reset();
    m_sim.reset();
    m_cloud.reset();
    m_dir.reset();
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
}

void tst_Panel::startController(const std::function<void(Config &)> &adjust)
{
    Config c;
    c.root = m_dir->path() + QStringLiteral("/root");
    c.cloudUrl = m_cloud->url();
    c.controllerId = QStringLiteral("nuc-panel-01");
    c.controllerName = QStringLiteral("Conference centre, hall B");
    c.reconnectMinMs = 50;
    c.reconnectMaxMs = 200;
    c.reloadDeadlineMs = 700;
    c.connectTimeoutMs = 1500;
    c.deviceRetryMinMs = 200;
    c.deviceRetryMaxMs = 400;
    if (adjust)
        adjust(c);
    m_controller = std::make_unique<Controller>(c);
    QCOMPARE(m_controller->start(), QString());
    QVERIFY(m_cloud->waitForMessage(QStringLiteral("hello")) >= 0);
    m_dashboard = std::make_unique<Dashboard>(m_controller.get(), QStringLiteral("2468"));
}

void tst_Panel::loadUi(bool kiosk)
{
    m_engine = std::make_unique<QQmlApplicationEngine>();
    m_window = UiTest::loadDashboard(*m_engine, m_dashboard.get(), kiosk, &m_offlineNetwork);
    QVERIFY(m_window);
    if (!kiosk) {
        m_window->resize(1280, 800);
        m_window->show();
    }
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
}

void tst_Panel::clickAt(QQuickItem *target)
{
    QVERIFY(QQuickTest::qWaitForPolish(m_window));
    const QPointF centre = target->mapToScene(QPointF(target->width() / 2, target->height() / 2));
    QTest::mouseClick(m_window, Qt::LeftButton, {}, centre.toPoint());
}

void tst_Panel::click(const QString &objectName)
{
    QQuickItem *target = nullptr;
    QVERIFY2(QTest::qWaitFor([&] {
        target = item(objectName);
        return target && target->isVisible() && target->isEnabled() && target->width() > 0;
    }, 3000), qPrintable(objectName));
    clickAt(target);
}

void tst_Panel::syncDriver(const QString &type, const QString &code)
{
    QVERIFY(CloudSteps::syncDriver(*m_cloud, type, QStringLiteral("sync-") + type, code, m_sim->tcpPort()));
}

// A hall's worth: projectors that connect, and a DSP whose driver is missing.
void tst_Panel::provisionRoom()
{
    syncDriver(QStringLiteral("hall_projector"), QLatin1String(projectorCode));
    syncDriver(QStringLiteral("broken_driver"), QStringLiteral("class {"));
    QJsonArray devices;
    for (int i = 1; i <= 8; ++i) {
        devices.append(QJsonObject{{QStringLiteral("device_id"), QStringLiteral("proj-%1").arg(i)},
                                   {QStringLiteral("name"), QStringLiteral("Projector %1, balcony left side").arg(i)},
                                   {QStringLiteral("room"), QStringLiteral("Hall B")},
                                   {QStringLiteral("type"), QStringLiteral("hall_projector")}});
    }
    devices.append(QJsonObject{{QStringLiteral("device_id"), QStringLiteral("dsp-1")},
                               {QStringLiteral("name"), QStringLiteral("Conference DSP")},
                               {QStringLiteral("type"), QStringLiteral("conference_dsp")}});
    m_cloud->send(QStringLiteral("device_sync"), QJsonObject{{QStringLiteral("devices"), devices}});
    QVERIFY(QTest::qWaitFor([&] { return m_dashboard->connectedCount() == 8 && m_dashboard->errorCount() == 1; }, 10000));
}

void tst_Panel::resize(QSize size)
{
    m_window->resize(size);
    QVERIFY(QTest::qWaitFor([&] { return m_window->size() == size; }, 2000));
    QVERIFY(QQuickTest::qWaitForPolish(m_window));
}

void tst_Panel::showTab(int index)
{
    click(QStringLiteral("tab_%1").arg(index));
    QTRY_COMPARE(item(QStringLiteral("tabs"))->property("currentIndex").toInt(), index);
    QVERIFY(QQuickTest::qWaitForPolish(m_window));
}

void tst_Panel::checkFits(const QString &view)
{
    QVERIFY(QQuickTest::qWaitForPolish(m_window));
    const QStringList problems = UiTest::layoutProblems(m_window);
    for (const QString &p : problems)
        m_problems << QStringLiteral("%1x%2 %3: %4").arg(m_window->width()).arg(m_window->height()).arg(view, p);
}

void tst_Panel::eventLogShowsAndFiltersByDevice()
{
    startController();
    provisionRoom();
    loadUi();
    showTab(2);
    QQuickItem *list = item(QStringLiteral("eventList"));
    QVERIFY(list && list->isVisible());
    QTRY_VERIFY(list->property("count").toInt() >= 10);
    // Newest first; the DSP's error and the cloud are among them.
    QAbstractItemModel *model = qvariant_cast<QAbstractItemModel *>(list->property("model"));
    QVERIFY(model);
    QStringList texts;
    for (int row = 0; row < model->rowCount(); ++row)
        texts << model->data(model->index(row, 0), Qt::DisplayRole).toString();
    const QString all = texts.join(u'\n');
    QVERIFY2(texts.contains(QStringLiteral("proj-3: connecting → connected")), qPrintable(all));
    QVERIFY2(texts.contains(QStringLiteral("Cloud connected: %1").arg(m_cloud->url().toDisplayString())), qPrintable(all));
    QVERIFY2(texts.contains(QStringLiteral("Driver hall_projector 1.2.0 synced")), qPrintable(all));

    // A new event shows at the top at once.
    m_controller->eventLog()->recordTechnicianAction(QStringLiteral("Reconnect"), QStringLiteral("proj-2"));
    QTRY_COMPARE(model->data(model->index(0, 0), Qt::DisplayRole).toString(), QStringLiteral("Technician: Reconnect (proj-2)"));

    // Tap the top row: only proj-2's events, and a chip that clears it.
    QVERIFY(QQuickTest::qWaitForPolish(m_window));
    const QPointF top = list->mapToScene(QPointF(list->width() / 3, 20));
    QTest::mouseClick(m_window, Qt::LeftButton, {}, top.toPoint());
    QTRY_COMPARE(m_window->findChild<QObject *>(QStringLiteral("eventModel"))->property("deviceFilter").toString(), QStringLiteral("proj-2"));
    QTRY_VERIFY(!m_window->findChild<QObject *>(QStringLiteral("eventModel"))->property("loading").toBool());
    QVERIFY(model->rowCount() >= 2);
    for (int row = 0; row < model->rowCount(); ++row)
        QCOMPARE(model->data(model->index(row, 0), Qt::UserRole + 2).toString(), QStringLiteral("proj-2"));
    QVERIFY(findVisibleText(item(QStringLiteral("eventsPage")), QStringLiteral("eventsDeviceFilter")).contains(u"proj-2"));
    click(QStringLiteral("eventsDeviceFilter"));
    QTRY_COMPARE(m_window->findChild<QObject *>(QStringLiteral("eventModel"))->property("deviceFilter").toString(), QString());
    QTRY_VERIFY(model->rowCount() >= 10);
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Panel::eventTimesAndClockFollowTheLanguage()
{
    // As main() does for --lang de.
    QTranslator german;
    QVERIFY(!Translations::load(german, QStringLiteral("de")).isEmpty());
    QCoreApplication::installTranslator(&german);
    QLocale::setDefault(QLocale(QStringLiteral("de")));
    startController();
    loadUi();
    m_controller->eventLog()->recordTechnicianAction(QStringLiteral("Alle neu laden"), QString());
    showTab(2);
    QQuickItem *list = item(QStringLiteral("eventList"));
    QTRY_VERIFY(list->property("count").toInt() >= 1);
    QAbstractItemModel *model = qvariant_cast<QAbstractItemModel *>(list->property("model"));
    const QDateTime at = model->data(model->index(0, 0), Qt::UserRole + 5).toDateTime();
    QCOMPARE(model->data(model->index(0, 0), Qt::UserRole + 6).toString(),
             QLocale(QStringLiteral("de")).toString(at.toLocalTime(), QLocale::ShortFormat));
    QCOMPARE(model->data(model->index(0, 0), Qt::DisplayRole).toString(), QStringLiteral("Techniker: Alle neu laden"));
    // The clock: German format, and it follows the time.
    QTRY_COMPARE(item(QStringLiteral("clockDate"))->property("text").toString(),
                 QLocale(QStringLiteral("de")).toString(QDate::currentDate(), QLocale::ShortFormat));
    QTRY_COMPARE(item(QStringLiteral("clockTime"))->property("text").toString(),
                 QLocale(QStringLiteral("de")).toString(QTime::currentTime(), QLocale::ShortFormat));
    QCoreApplication::removeTranslator(&german);
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Panel::systemPageShowsTheBox()
{
    startController();
    syncDriver(QStringLiteral("hall_projector"), QLatin1String(projectorCode));
    m_cloud->send(QStringLiteral("device_sync"),
                  QJsonObject{{QStringLiteral("devices"),
                               QJsonArray{QJsonObject{{QStringLiteral("device_id"), QStringLiteral("proj-1")},
                                                      {QStringLiteral("type"), QStringLiteral("hall_projector")}}}}});
    QVERIFY(QTest::qWaitFor([&] { return m_dashboard->connectedCount() == 1; }, 5000));
    loadUi();
    QObject *info = m_window->findChild<QObject *>(QStringLiteral("systemInfo"));
    QVERIFY(info);
    QVERIFY(!info->property("active").toBool());   // not shown: not refreshed
    const int before = info->property("refreshCount").toInt();
    showTab(3);
    QVERIFY(info->property("active").toBool());
    QTRY_VERIFY(info->property("refreshCount").toInt() > before);
    QCOMPARE(findVisibleText(item(QStringLiteral("systemPage")), QStringLiteral("systemControllerId")), QStringLiteral("nuc-panel-01"));
    QCOMPARE(findVisibleText(item(QStringLiteral("systemPage")), QStringLiteral("systemVersion")), QStringLiteral(NUC_APP_VERSION));
    QVERIFY(findVisibleText(item(QStringLiteral("systemPage")), QStringLiteral("systemCloud"))
                .endsWith(m_cloud->url().toDisplayString()));
    QVERIFY2(findVisibleText(item(QStringLiteral("systemPage")), QStringLiteral("systemDisk"))
                 .contains(m_controller->layout().root()), "free disk under the root");
    QVERIFY(info->property("diskFreeBytes").toLongLong() > 0);
    QVERIFY(info->property("systemUptimeS").toLongLong() >= info->property("appUptimeS").toLongLong());
    // Every interface but loopback, with its MAC.
    int interfaces = 0;
    for (const QNetworkInterface &i : QNetworkInterface::allInterfaces())
        interfaces += i.type() == QNetworkInterface::Loopback ? 0 : 1;
    QCOMPARE(info->property("interfaces").toList().size(), interfaces);
    if (interfaces > 0)
        QVERIFY(!findVisibleText(item(QStringLiteral("systemPage")), QStringLiteral("systemInterface_0")).isEmpty());
    // The driver host and its memory.
    QTRY_VERIFY(findVisibleText(item(QStringLiteral("systemPage")), QStringLiteral("systemHost_hall_projector")).contains(u"memory"));

    // Refreshed while shown, and only then.
    info->setProperty("intervalMs", 100);
    const int shown = info->property("refreshCount").toInt();
    QTRY_VERIFY(info->property("refreshCount").toInt() >= shown + 2);
    showTab(0);
    QVERIFY(!info->property("active").toBool());
    const int hidden = info->property("refreshCount").toInt();
    QTest::qWait(300);   // on purpose: three intervals pass without a refresh
    QVERIFY(info->property("refreshCount").toInt() <= hidden + 1);   // one may have been under way

    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Panel::idleDimsBlanksAndWakes()
{
    startController([](Config &c) {
        c.idleDimMs = 300;
        c.idleBlankMs = 900;
    });
    QElapsedTimer sinceStart;
    sinceStart.start();
    loadUi(true);
    QObject *idle = m_window->findChild<QObject *>(QStringLiteral("idleMonitor"));
    QVERIFY(idle);
    // It starts awake. Checked when the window came up within the dim time:
    // a loaded machine once took longer, and the screen had rightly dimmed.
    const QString first = idle->property("state").toString();
    if (sinceStart.elapsed() < 300)
        QCOMPARE(first, QStringLiteral("awake"));
    // A key press wakes it and restarts the times, whenever the window came up.
    QTest::keyClick(m_window, Qt::Key_Shift);
    QCOMPARE(idle->property("state").toString(), QStringLiteral("awake"));
    QTRY_COMPARE_WITH_TIMEOUT(idle->property("state").toString(), QStringLiteral("dim"), 2000);
    QVERIFY(item(QStringLiteral("idleShade"))->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(idle->property("state").toString(), QStringLiteral("blank"), 2000);
    QCOMPARE(item(QStringLiteral("idleShade"))->property("opacity").toReal(), 1.0);

    // The waking touch lands on "Reload all" but only wakes the screen.
    QQuickItem *reloadAll = item(QStringLiteral("reloadAllButton"));
    QQuickItem *pin = item(QStringLiteral("pinTitle"));
    clickAt(reloadAll);
    QCOMPARE(idle->property("state").toString(), QStringLiteral("awake"));
    QVERIFY(!item(QStringLiteral("idleShade"))->isVisible());
    QVERIFY(!pin || !pin->isVisible());
    QCoreApplication::processEvents();
    QVERIFY(!item(QStringLiteral("pinTitle")) || !item(QStringLiteral("pinTitle"))->isVisible());
    // Awake, the same touch does what it says.
    clickAt(reloadAll);
    QTRY_VERIFY(item(QStringLiteral("pinTitle")) && item(QStringLiteral("pinTitle"))->isVisible());
    click(QStringLiteral("cancelButton"));

    // Dimmed again, a device going to error wakes the screen.
    QTRY_COMPARE_WITH_TIMEOUT(idle->property("state").toString(), QStringLiteral("dim"), 2000);
    m_cloud->send(QStringLiteral("device_sync"),
                  QJsonObject{{QStringLiteral("devices"),
                               QJsonArray{QJsonObject{{QStringLiteral("device_id"), QStringLiteral("dsp-1")},
                                                      {QStringLiteral("type"), QStringLiteral("missing_driver")}}}}});
    QTRY_COMPARE_WITH_TIMEOUT(m_dashboard->errorCount(), 1, 5000);
    QTRY_COMPARE(idle->property("state").toString(), QStringLiteral("awake"));
    QVERIFY(item(QStringLiteral("errorBanner"))->isVisible());
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

void tst_Panel::everyViewFitsAtEverySize_data()
{
    QTest::addColumn<QString>("language");
    QTest::newRow("en") << QStringLiteral("en");
    QTest::newRow("de") << QStringLiteral("de");
}

void tst_Panel::everyViewFitsAtEverySize()
{
    QFETCH(QString, language);
    QTranslator translator;
    QVERIFY(!Translations::load(translator, language).isEmpty());
    QCoreApplication::installTranslator(&translator);
    QLocale::setDefault(QLocale(language));
    auto restore = qScopeGuard([&] { QCoreApplication::removeTranslator(&translator); });
    startController();
    provisionRoom();
    loadUi();
    QQuickItem *tabs = item(QStringLiteral("tabs"));
    const int tabCount = tabs->property("count").toInt();
    QVERIFY(tabCount >= 4);
    for (const QSize size : {QSize(800, 480), QSize(1024, 600), QSize(1280, 800), QSize(1920, 1080)}) {
        resize(size);
        // Every tab, whatever pages it has (new ones are covered by this loop).
        for (int tab = 0; tab < tabCount; ++tab) {
            showTab(tab);
            checkFits(QStringLiteral("tab %1 (%2)").arg(tab).arg(item(QStringLiteral("tab_%1").arg(tab))->property("text").toString()));
            const bool screenshot = (size == QSize(800, 480) || (size == QSize(1280, 800) && language == u"en"));
            if ((tab == 2 || tab == 3) && screenshot) {
                const QString file = QStringLiteral("panel-%1-%2-%3x%4.png")
                                         .arg(tab == 2 ? QStringLiteral("events") : QStringLiteral("system"), language)
                                         .arg(size.width()).arg(size.height());
                QVERIFY(m_window->grabWindow().save(file));
            }
        }
        // Views inside the tabs: the driver syncs, a driver's detail.
        showTab(2);
        click(QStringLiteral("eventsSyncs"));
        checkFits(QStringLiteral("driver syncs"));
        click(QStringLiteral("eventsAll"));
        showTab(1);
        QQuickItem *drivers = item(QStringLiteral("driverList"));
        QTRY_VERIFY(drivers->property("count").toInt() >= 1);
        QVERIFY(QQuickTest::qWaitForPolish(m_window));
        QTest::mouseClick(m_window, Qt::LeftButton, {}, drivers->mapToScene(QPointF(drivers->width() / 2, 30)).toPoint());
        QTRY_VERIFY(item(QStringLiteral("driverDetail"))->isVisible());
        checkFits(QStringLiteral("driver detail"));
        click(QStringLiteral("backButton"));
        // The PIN dialog after a wrong PIN (the tallest it gets).
        click(QStringLiteral("reloadAllButton"));
        for (const char *key : {"key_1", "key_1", "key_1", "key_1", "key_OK"})
            click(QLatin1String(key));
        QTRY_VERIFY(item(QStringLiteral("pinProblem"))->isVisible());
        checkFits(QStringLiteral("PIN dialog, wrong PIN"));
        if (size == QSize(800, 480))
            QVERIFY(m_window->grabWindow().save(QStringLiteral("panel-pin-%1-800x480.png").arg(language)));
        click(QStringLiteral("cancelButton"));
        QTRY_VERIFY(!item(QStringLiteral("pinTitle")) || !item(QStringLiteral("pinTitle"))->isVisible());
        // A result bar floats over the page: the page does not move.
        showTab(0);
        const QPointF listAt = item(QStringLiteral("deviceList"))->mapToScene(QPointF(0, 0));
        emit m_dashboard->actionFinished(false, QStringLiteral("All drivers reloaded: 8 of 9 devices connected, 1 in error"),
                                         {QStringLiteral("dsp-1: error – no driver")});
        QTRY_VERIFY(item(QStringLiteral("actionBar"))->isVisible());
        QVERIFY(QQuickTest::qWaitForPolish(m_window));
        QCOMPARE(item(QStringLiteral("deviceList"))->mapToScene(QPointF(0, 0)), listAt);
        checkFits(QStringLiteral("result bar"));
        clickAt(item(QStringLiteral("actionBar")));   // tap to close
        QTRY_VERIFY(!item(QStringLiteral("actionBar"))->isVisible());
    }
    for (const QString &p : std::as_const(m_problems))
        qWarning().noquote() << "does not fit:" << p;
    QVERIFY2(m_problems.isEmpty(), qPrintable(QStringLiteral("%1 problems (above)").arg(m_problems.size())));
    QVERIFY2(UiTest::qmlWarnings().isEmpty(), qPrintable(UiTest::qmlWarnings().join(u'\n')));
}

QTEST_MAIN(tst_Panel)
#include "tst_panel.moc"
