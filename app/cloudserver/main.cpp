// control-cloud: the local cloud (serve) and its command-line client
// (clientcommands.cpp: deploy, rollback, keygen, devices, command,
// deployments, controllers; rolloutcommands.cpp: groups, rollout, publish)
// and metricscommand.cpp (metrics).
#include "cloudserver/adminserver.h"
#include "cloudserver/clientcommands.h"
#include "cloudserver/metricscommand.h"
#include "cloudserver/clouddatabase.h"
#include "cloudserver/cloudserver.h"
#include "core/epolleventdispatcher.h"
#include "core/filelimit.h"
#include "core/secretfile.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QHostAddress>
#include <QSocketNotifier>
#include <QSslCertificate>
#include <QSslKey>
#include <QUrl>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

using CloudCli::envOr;
using CloudCli::fail;

namespace {

int signalPipe[2] = {-1, -1};
void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const ssize_t n = ::write(signalPipe[1], &c, 1);
}

void warn(const QString &message)
{
    std::fprintf(stderr, "control-cloud: warning: %s\n", qPrintable(message));
}

const char *usage =
    "usage: control-cloud <command> [options]   (control-cloud <command> --help for its options)\n"
    "  serve        run the cloud: WebSocket server for controllers and the admin socket\n"
    "  deploy       deploy a driver file to a controller and wait for the outcome (--sign KEYFILE signs it)\n"
    "  rollback     roll a controller's driver back to a kept version and wait for the outcome\n"
    "  keygen       write an Ed25519 key pair for signing drivers\n"
    "  devices      provision devices on a controller from a JSON file and wait until it accepts them\n"
    "  command      send a device command and print the result\n"
    "  deployments  list deployments (--json for JSON)\n"
    "  controllers  list controllers with their drivers and devices (--json for JSON);\n"
    "               controllers add ID | list | remove ID: per-controller credentials\n"
    "  metrics      the latest driver_metrics of each controller, or of one (metrics [ID], --json)\n"
    "  groups       create G | add G ID... | remove G ID... | list | show G: groups of controllers\n"
    "  rollout      start --group G …: a staged rollout (canary, batches, abort threshold, per-site timeout);\n"
    "               status [ID] [--follow] | pause ID | resume ID | abort ID\n"
    "  publish      roll a new driver version out to every site running its type (or --group G)\n";

int serve(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Run the cloud: controllers dial its WebSocket; the CLI uses its admin socket."));
    p.addHelpOption();
    p.addOption({QStringLiteral("listen"), QStringLiteral("Address:port for controllers (default 127.0.0.1:8080)."), QStringLiteral("addr"), QStringLiteral("127.0.0.1:8080")});
    p.addOption({QStringLiteral("token"), QStringLiteral("Shared bearer token for controllers without their own credential "
                                                         "(or CONTROL_CLOUD_TOKEN; visible in ps: prefer --token-file)."), QStringLiteral("token")});
    p.addOption({QStringLiteral("token-file"), QStringLiteral("File (owner-only) holding the shared token."), QStringLiteral("file")});
    p.addOption({QStringLiteral("db"), QStringLiteral("SQLite file or postgres://user@host:port/db (or CONTROL_CLOUD_DB; default control-cloud.sqlite)."), QStringLiteral("location")});
    p.addOption({QStringLiteral("db-password-file"), QStringLiteral("File (owner-only) holding the PostgreSQL password (or CONTROL_CLOUD_DB_PASSWORD)."), QStringLiteral("file")});
    p.addOption({QStringLiteral("admin-socket"), QStringLiteral("Admin socket path (or CONTROL_CLOUD_ADMIN_SOCKET)."), QStringLiteral("path")});
    p.addOption({QStringLiteral("cert"), QStringLiteral("PEM certificate: serve wss:// (needs --key)."), QStringLiteral("file")});
    p.addOption({QStringLiteral("no-auth"), QStringLiteral("Accept controllers that have no credential of their own without a token (only sensible on a closed bench network).")});
    p.addOption({QStringLiteral("key"), QStringLiteral("PEM private key for --cert."), QStringLiteral("file")});
    p.addOption({QStringLiteral("db-thread-nice"), QStringLiteral("Nice value of the database thread above the event loop's (default 5; 0: the same)."),
                 QStringLiteral("n"), QStringLiteral("5")});
    if (!p.parse(args))
        return fail(p.errorText());
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(p.helpText()), stdout);
        return 0;
    }
    const QString listen = p.value(QStringLiteral("listen"));
    const qsizetype colon = listen.lastIndexOf(QLatin1Char(':'));
    bool portOk = false;
    const int port = listen.mid(colon + 1).toInt(&portOk);
    const QHostAddress address(listen.left(colon));
    if (colon < 0 || !portOk || port < 0 || port > 65535 || address.isNull())
        return fail(QStringLiteral("--listen '%1' is not address:port").arg(listen));

    // Every file serve creates (SQLite database, WAL, SHM) is owner-only.
    ::umask(0077);
    // One descriptor per controller: the usual soft limit (1024) would
    // refuse the 1013th site.
    std::printf("control-cloud: %s\n", qPrintable(FileLimit::raiseToHard()));

    CloudServerSettings settings;
    settings.token = p.isSet(QStringLiteral("token")) ? p.value(QStringLiteral("token")) : qEnvironmentVariable("CONTROL_CLOUD_TOKEN");
    if (p.isSet(QStringLiteral("token")))
        warn(SecretFile::commandLineWarning(QStringLiteral("token"), QStringLiteral("--token-file or CONTROL_CLOUD_TOKEN")));
    if (p.isSet(QStringLiteral("token-file"))) {
        const QString error = SecretFile::read(p.value(QStringLiteral("token-file")), &settings.token);
        if (!error.isEmpty())
            return fail(error);
    }
    if (p.isSet(QStringLiteral("cert")) != p.isSet(QStringLiteral("key")))
        return fail(QStringLiteral("--cert and --key go together"));
    if (p.isSet(QStringLiteral("cert"))) {
        QFile certFile(p.value(QStringLiteral("cert")));
        QFile keyFile(p.value(QStringLiteral("key")));
        if (!certFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("cannot read the certificate or the key"));
        const QSslCertificate cert(&certFile, QSsl::Pem);
        const QSslKey key(&keyFile, QSsl::Rsa, QSsl::Pem);
        if (cert.isNull() || key.isNull())
            return fail(QStringLiteral("the certificate or the key is not valid PEM"));
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(cert);
        tls.setPrivateKey(key);
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        settings.tls = tls;
    }

    CloudDatabase database;
    const QString location = p.isSet(QStringLiteral("db")) ? p.value(QStringLiteral("db"))
                                                          : envOr("CONTROL_CLOUD_DB", QStringLiteral("control-cloud.sqlite"));
    if (p.isSet(QStringLiteral("db")) && !QUrl(location).password().isEmpty())
        warn(SecretFile::commandLineWarning(QStringLiteral("db"), QStringLiteral("a URL without the password and "
                                                                                  "--db-password-file or CONTROL_CLOUD_DB_PASSWORD")));
    QString password = qEnvironmentVariable("CONTROL_CLOUD_DB_PASSWORD");
    if (p.isSet(QStringLiteral("db-password-file"))) {
        const QString error = SecretFile::read(p.value(QStringLiteral("db-password-file")), &password);
        if (!error.isEmpty())
            return fail(error);
    }
    database.setPassword(password);
    QString error = database.open(location);
    if (!error.isEmpty())
        return fail(error, 1);
    // Without a shared token, who gets in without a credential of their own.
    using Unenrolled = ControllerCredentials::Unenrolled;
    settings.store.niceness = p.value(QStringLiteral("db-thread-nice")).toInt();
    if (p.isSet(QStringLiteral("no-auth")))
        settings.unenrolled = Unenrolled::Allowed;
    else if (address.isLoopback())
        settings.unenrolled = Unenrolled::WhileNoneEnrolled;
    else
        settings.unenrolled = Unenrolled::Refused;
    if (settings.token.isEmpty() && settings.unenrolled == Unenrolled::Refused && !database.hasCredentials())
        return fail(QStringLiteral("listening on %1 without a token would let anyone act as a controller: "
                                   "give --token-file (or CONTROL_CLOUD_TOKEN), add per-controller credentials "
                                   "(control-cloud controllers add ID), or --no-auth on purpose").arg(address.toString()));
    // Before anything can be seen from outside (port, admin socket): a
    // SIGTERM that follows at once still ends the run cleanly.
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) == 0) {
        auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, qApp);
        QObject::connect(notifier, &QSocketNotifier::activated, qApp, [] { QCoreApplication::quit(); });
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
    }
    CloudServer cloud(&database, settings);
    error = cloud.listen(address, quint16(port));
    if (!error.isEmpty())
        return fail(error, 1);
    AdminServer admin(&cloud);
    const QString socketPath = p.isSet(QStringLiteral("admin-socket")) ? p.value(QStringLiteral("admin-socket"))
                                                                      : envOr("CONTROL_CLOUD_ADMIN_SOCKET", AdminServer::defaultSocketPath());
    error = admin.listen(socketPath);
    if (!error.isEmpty())
        return fail(error, 1);
    std::printf("control-cloud: listening on %s://%s:%d, database %s, admin socket %s\n", settings.tls ? "wss" : "ws",
                qPrintable(address.toString()), cloud.port(), database.isPostgres() ? "PostgreSQL" : "SQLite",
                qPrintable(socketPath));
    std::fflush(stdout);

    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char *argv[])
{
    // epoll rather than Qt's poll() over every socket on every turn
    // (core/epolleventdispatcher.h); CONTROL_CLOUD_EPOLL=0 gives Qt's back.
    // Then Qt's own rather than GLib's: with thousands of sockets GLib's
    // removes a notifier by walking a list of all of them, which made every
    // write to a controller cost O(controllers).
    EpollEventDispatcher::installForMainThread();
    if (qEnvironmentVariableIsEmpty("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    EpollEventDispatcher::logCurrent();
    QCoreApplication::setApplicationName(QStringLiteral("control-cloud"));
    QStringList args = QCoreApplication::arguments();
    if (args.size() < 2 || args.at(1) == u"--help" || args.at(1) == u"-h") {
        std::fputs(usage, args.size() < 2 ? stderr : stdout);
        return args.size() < 2 ? 2 : 0;
    }
    const QString command = args.takeAt(1);
    if (command == u"serve")
        return serve(args);
    if (command == u"metrics")
        return metricsCommand(args);
    if (CloudCli::isClientCommand(command))
        return CloudCli::run(command, args);
    std::fputs(usage, stderr);
    return fail(QStringLiteral("unknown command '%1'").arg(command));
}
