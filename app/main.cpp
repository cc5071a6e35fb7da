// control-nuc: reads the configuration, builds the controller and, unless
// headless, the dashboard; runs the event loop until SIGINT/SIGTERM.
#include "cloud/cloudcheck.h"
#include "core/config.h"
#include "controller/controller.h"
#include "ui/dashboard.h"
#include "core/logcategories.h"
#include "events/eventcli.h"
#include "hosts/driverhostprocess.h"
#include "hosts/hostvalidator.h"
#include "storage/storagelayout.h"
#include "system/stallmonitor.h"
#include "system/systemdnotifier.h"
#include "ui/offlinenetwork.h"
#include "ui/translations.h"

#include <QCoreApplication>
#include <QCursor>
#include <QFile>
#include <QGuiApplication>
#include <QLocale>
#include <QProcess>
#include <QProcessEnvironment>
#include <QQmlApplicationEngine>
#include <QSocketNotifier>
#include <QTranslator>
#include <QtQml/qqmlextensionplugin.h>

#include <csignal>
#include <cstdio>
#include <memory>
#include <sys/socket.h>
#include <unistd.h>

Q_IMPORT_QML_PLUGIN(ControlNucPlugin)

namespace {

int signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const ssize_t n = ::write(signalPipe[1], &c, 1);
}

bool haveDisplay(const QProcessEnvironment &env)
{
    return !env.value(QStringLiteral("QT_QPA_PLATFORM")).isEmpty() || !env.value(QStringLiteral("DISPLAY")).isEmpty()
        || !env.value(QStringLiteral("WAYLAND_DISPLAY")).isEmpty();
}

// --check-driver FILE: what driver_sync would say about it, for authors. The
// driver is transformed and validated where the controller does it: in a
// validator host, never in this process.
int checkDriver(const Config &config)
{
    const QString &file = config.checkDriverFile;
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "%s: cannot read: %s\n", qPrintable(file), qPrintable(f.errorString()));
        return 1;
    }
    const QString source = QString::fromUtf8(f.readAll());
    DriverHostOptions options;
    options.program = DriverHostProcess::defaultProgram(config.driverHostProgram);
    options.validationBudgetMs = config.validationBudgetMs;
    HostValidator validator(options, 4 * config.validationBudgetMs + 2000);
    const TransformResult transformed = validator.transform(source, TransformMode::Skip);
    if (!transformed.ok) {
        std::printf("%s\n", qPrintable(transformed.error.describe(file)));
        return 1;
    }
    const ScriptError verdict = validator.validate({transformed.code, QStringLiteral("check"), config.checkProtocol, file});
    const ScriptError refusal = verdict.isNull() ? ScriptError{} : validator.refusalOfUnchanged(source, transformed.code);
    if (!refusal.isNull()) {
        std::printf("%s\n", qPrintable(refusal.describe(file)));
        return 1;
    }
    if (!verdict.isNull()) {
        std::printf("%s\n", qPrintable(verdict.describe(file)));
        return 1;
    }
    std::printf("%s: ok (%s, protocol %s)\n", qPrintable(file),
                transformed.code == source ? "runs as written" : "down-levelled for QJSEngine 6.4, lines kept",
                qPrintable(config.checkProtocol));
    return 0;
}

// --run FILE: runs a script as `node FILE` would, for driver authors. The
// script runs in a driver host (control-nuc-driverhost --run), never in
// this process; its output and exit code are the host's.
int runScript(const Config &config)
{
    QProcess host;
    host.setProcessChannelMode(QProcess::ForwardedChannels);
    host.setInputChannelMode(QProcess::ForwardedInputChannel);
    host.start(DriverHostProcess::defaultProgram(config.driverHostProgram),
               {QStringLiteral("--run"), config.runFile, QStringLiteral("--timeout-ms"),
                QString::number(config.runTimeoutMs), QStringLiteral("--interpreter")});   // as devices run
    if (!host.waitForStarted()) {
        std::fprintf(stderr, "control-nuc: cannot start the driver host: %s\n", qPrintable(host.errorString()));
        return 1;
    }
    // The host bounds the run itself; this only waits for it.
    host.waitForFinished(-1);
    if (host.exitStatus() != QProcess::NormalExit) {
        std::fprintf(stderr, "%s: error: the driver host running it crashed\n", qPrintable(config.runFile));
        return 1;
    }
    return host.exitCode();
}

} // namespace

int main(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    const QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    const ConfigResult result = ConfigLoader::load(arguments, environment);
    if (!result.output.isEmpty()) {
        std::fputs(result.output.toLocal8Bit().constData(), stdout);
        return 0;
    }
    if (!result.config) {
        std::fprintf(stderr, "control-nuc: %s\n", qPrintable(result.error));
        return 2;
    }
    for (const QString &warning : result.warnings)
        std::fprintf(stderr, "control-nuc: warning: %s\n", qPrintable(warning));
    Config config = *result.config;
    ConfigLoader::applyLogLevel(config.logLevel);
    if (!config.checkDriverFile.isEmpty()) {
        QCoreApplication app(argc, argv);
        return checkDriver(config);
    }
    if (!config.runFile.isEmpty()) {
        QCoreApplication app(argc, argv);
        return runScript(config);
    }
    if (config.checkCloud) {
        // Needs no root and takes no lock: it may run beside the service.
        QCoreApplication app(argc, argv);
        CloudCheck check(Controller::cloudLinkSettings(config), config.controllerName, config.checkTimeoutMs);
        const CloudCheck::Outcome outcome = check.run([](const QString &line) {
            std::printf("%s\n", qPrintable(line));
            std::fflush(stdout);
        });
        return CloudCheck::exitStatus(outcome);
    }
    if (config.showEvents) {
        // Read-only and without the root lock: it may run beside the service,
        // and it starts nothing.
        QCoreApplication app(argc, argv);
        QTranslator words;   // the events in --lang's words (plural forms from the English file)
        if (!Translations::load(words, config.language).isEmpty())
            QCoreApplication::installTranslator(&words);
        EventQuery query;
        query.deviceId = config.eventsDevice;
        query.since = config.eventsSince;
        query.limit = 0;
        return EventCli::run(StorageLayout(config.root).databasePath(), query, stdout, stderr);
    }
    if (!config.headless && !haveDisplay(environment)) {
        std::fprintf(stderr, "control-nuc: no display found (no DISPLAY, WAYLAND_DISPLAY or QT_QPA_PLATFORM); "
                             "running headless\n");
        config.headless = true;
    }

    std::unique_ptr<QCoreApplication> app;
    if (config.headless)
        app = std::make_unique<QCoreApplication>(argc, argv);
    else
        app = std::make_unique<QGuiApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("control-nuc"));
    QCoreApplication::setApplicationVersion(QStringLiteral(NUC_APP_VERSION));

    QTranslator translator;
    const QString language = Translations::load(translator, config.language);
    if (!language.isEmpty()) {
        QCoreApplication::installTranslator(&translator);
        // Dates and times in the chosen language too (Qt.locale() in QML).
        QLocale::setDefault(QLocale(language));
    }

    Controller controller(config);
    const QString error = controller.start();
    if (!error.isEmpty()) {
        std::fprintf(stderr, "control-nuc: %s\n", qPrintable(error));
        return 2;
    }

    // Declared before the engine: the engine uses it until it is destroyed.
    OfflineNetworkFactory offlineNetwork;
    std::unique_ptr<Dashboard> dashboard;
    std::unique_ptr<QQmlApplicationEngine> engine;
    if (!config.headless) {
        dashboard = std::make_unique<Dashboard>(&controller, config.technicianPin);
        engine = std::make_unique<QQmlApplicationEngine>();
        engine->setNetworkAccessManagerFactory(&offlineNetwork);   // docs/dashboard.md "No network"
        engine->setInitialProperties({{QStringLiteral("dashboard"), QVariant::fromValue(dashboard.get())},
                                      {QStringLiteral("kiosk"), config.kiosk}});
        engine->load(QUrl(QStringLiteral("qrc:/ControlNuc/Main.qml")));
        if (engine->rootObjects().isEmpty()) {
            std::fprintf(stderr, "control-nuc: the dashboard failed to load\n");
            return 1;
        }
        if (config.kiosk)
            QGuiApplication::setOverrideCursor(QCursor(Qt::BlankCursor));
    } else {
        qCInfo(lcConfig) << "running headless (no window)";
    }

    StallMonitor stalls;   // logs a frozen main thread with its length
    SystemdNotifier notifier;
    notifier.ready(controller.safeMode() ? QStringLiteral("running in SAFE MODE (drivers stopped)")
                                         : QStringLiteral("running"));
    QObject::connect(app.get(), &QCoreApplication::aboutToQuit, &notifier, &SystemdNotifier::stopping);

    // SIGINT/SIGTERM: leave the event loop so that everything shuts down in order.
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) == 0) {
        auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, app.get());
        QObject::connect(notifier, &QSocketNotifier::activated, app.get(), [] {
            qCInfo(lcConfig) << "stopping";
            QCoreApplication::quit();
        });
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
    }
    const int status = QCoreApplication::exec();
    engine.reset();
    dashboard.reset();
    controller.shutdownCleanly();
    return status;
}
