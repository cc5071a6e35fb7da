// control-nuc-driverhost: the process that driver JavaScript runs in. The
// controller starts it (DriverHostProcess) with its end of a socketpair as
// fd 3; it serves frames until the controller says "quit" or goes away
// (the link closes, or PR_SET_PDEATHSIG kills it), and never outlives it.
// Run as `--launcher`, it forks hosts instead (hosts/hostlaunchloop.h): a
// forked host continues below with its own arguments.
#include "hosts/driverhostserver.h"
#include "hosts/hostchannel.h"
#include "hosts/hostlaunchloop.h"
#include "hosts/hostrun.h"
#include "core/logcategories.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QStringList>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    // Before any Qt object: a forked host must start from a process with
    // one thread and no Qt state (the libraries are loaded, which is the point).
    if (argc == 2 && std::strcmp(argv[1], "--launcher") == 0) {
        const int launcherExit = HostLaunchLoop::serve(3, &argc, &argv);
        if (launcherExit >= 0)
            return launcherExit;
    }
    // Set by the controller's fork too; again here in case of another parent.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    // A device host runs its engines interpreted: each engine's JIT makes and
    // unmaps executable pages, and with one thread per device every mprotect
    // and munmap shoots down the TLBs of all the others (perf of a 100-device
    // reload: a third of the host's time in the kernel, IPIs first). Driver
    // code is short glue between I/O events, so the interpreter costs less
    // CPU per reload and per command (docs/performance.md, "The JIT in device
    // hosts"). CONTROL_NUC_HOST_JIT=1 keeps the JIT. Read by every
    // QJSEngine when it is made, so it is set before the first one.
    if (args.contains(QStringLiteral("--interpreter")) && qEnvironmentVariable("CONTROL_NUC_HOST_JIT") != u"1")
        qputenv("QV4_FORCE_INTERPRETER", "1");
    if (HostRun::wanted(args)) {
        QLoggingCategory::setFilterRules(QStringLiteral("qt.qml.compiler=false"));
        return HostRun::run(args);
    }
    const int nameAt = args.indexOf(QStringLiteral("--name"));
    const QString name = nameAt > 0 && nameAt + 1 < args.size() ? args.at(nameAt + 1) : QStringLiteral("host");
    const int fdAt = args.indexOf(QStringLiteral("--fd"));
    const int fd = fdAt > 0 && fdAt + 1 < args.size() ? args.at(fdAt + 1).toInt() : 3;
    app.setApplicationName(QStringLiteral("control-nuc-driverhost"));
    // Its lines go to the controller's stderr (and so its journal), marked.
    qSetMessagePattern(QStringLiteral("[driver host %1 %2] %{if-category}%{category}: %{endif}%{message}")
                           .arg(name).arg(QCoreApplication::applicationPid()));
    QLoggingCategory::setFilterRules(QStringLiteral("qt.qml.compiler=false"));
    if (getppid() == 1) {
        std::fprintf(stderr, "control-nuc-driverhost: the controller is gone\n");
        return 3;
    }

    HostChannel channel;
    if (!channel.open(fd)) {
        std::fprintf(stderr, "control-nuc-driverhost: fd %d is not the controller's link "
                             "(this program is started by control-nuc)\n", fd);
        return 2;
    }
    DriverHostServer server(&channel);
    QObject::connect(&server, &DriverHostServer::finished, &app, [] { QCoreApplication::exit(0); });
    QObject::connect(&channel, &HostChannel::closed, &app, [&server](const QString &reason) {
        qCInfo(lcRuntime).noquote() << "the controller's link closed (" << reason << "); stopping";
        server.shutdown();
        // Teardown is bounded per instance; this bounds the whole host.
        QTimer::singleShot(3000, [] { _exit(0); });
    });
    return app.exec();
}
