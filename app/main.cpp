// control-nuc: reads the configuration, builds the controller, runs the loop.
#include "config.h"
#include "controller/controller.h"
#include "logcategories.h"

#include <QCoreApplication>
#include <QProcessEnvironment>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const ssize_t n = ::write(signalPipe[1], &c, 1);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("control-nuc"));
    QCoreApplication::setApplicationVersion(QStringLiteral(NUC_APP_VERSION));

    const ConfigResult result = ConfigLoader::load(QCoreApplication::arguments(),
                                                   QProcessEnvironment::systemEnvironment());
    if (!result.output.isEmpty()) {
        std::fputs(result.output.toLocal8Bit().constData(), stdout);
        return 0;
    }
    if (!result.config) {
        std::fprintf(stderr, "control-nuc: %s\n", qPrintable(result.error));
        return 2;
    }
    const Config &config = *result.config;
    ConfigLoader::applyLogLevel(config.logLevel);

    Controller controller(config);
    const QString error = controller.start();
    if (!error.isEmpty()) {
        std::fprintf(stderr, "control-nuc: %s\n", qPrintable(error));
        return 2;
    }
    if (!config.headless)
        qCInfo(lcConfig) << "the dashboard is not part of this build yet; running without a window";

    // SIGINT/SIGTERM: leave the event loop so that everything shuts down in order.
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) == 0) {
        auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, &app);
        QObject::connect(notifier, &QSocketNotifier::activated, &app, [] {
            qCInfo(lcConfig) << "stopping";
            QCoreApplication::quit();
        });
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
    }
    return app.exec();
}
