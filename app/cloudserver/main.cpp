// control-cloud: the local cloud (serve) and its command-line client
// (deploy, devices, command, deployments, controllers).
#include "cloudserver/adminclient.h"
#include "cloudserver/adminserver.h"
#include "cloudserver/metricscommand.h"
#include "cloudserver/clouddatabase.h"
#include "cloudserver/cloudserver.h"
#include "core/secretfile.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSocketNotifier>
#include <QSslCertificate>
#include <QSslKey>
#include <QUrl>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

using AdminClient::ask;
using AdminClient::column;

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

int fail(const QString &message, int status = 2)
{
    std::fprintf(stderr, "control-cloud: %s\n", qPrintable(message));
    return status;
}

QString envOr(const char *name, const QString &fallback)
{
    const QString v = qEnvironmentVariable(name);
    return v.isEmpty() ? fallback : v;
}

const char *usage =
    "usage: control-cloud <command> [options]   (control-cloud <command> --help for its options)\n"
    "  serve        run the cloud: WebSocket server for controllers and the admin socket\n"
    "  deploy       deploy a driver file to a controller and wait for the outcome\n"
    "  devices      provision devices on a controller from a JSON file and wait until it accepts them\n"
    "  command      send a device command and print the result\n"
    "  deployments  list deployments (--json for JSON)\n"
    "  controllers  list controllers with their drivers and devices (--json for JSON);\n"
    "               controllers add ID | list | remove ID: per-controller credentials\n"
    "  metrics      the latest driver_metrics of each controller, or of one (metrics [ID], --json)\n";

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

QJsonValue readJsonArg(const QString &value, QString *error)
{
    QByteArray bytes = value.toUtf8();
    if (value.startsWith(QLatin1Char('@'))) {
        QFile f(value.mid(1));
        if (!f.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1").arg(value.mid(1));
            return {};
        }
        bytes = f.readAll();
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("not valid JSON: %1").arg(parseError.errorString());
        return {};
    }
    return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
}

// controllers add ID | list | remove ID: per-controller credentials.
int credentials(const QStringList &words, const QString &socketPath, bool json)
{
    const QString verb = words.constFirst();
    const bool needsId = verb == u"add" || verb == u"remove";
    if ((!needsId && verb != u"list") || words.size() != (needsId ? 2 : 1))
        return fail(QStringLiteral("usage: control-cloud controllers [add ID | list | remove ID]"));
    QJsonObject request{{QStringLiteral("op"), QString(QStringLiteral("credential_") + verb)}};
    if (needsId)
        request.insert(QStringLiteral("controller_id"), words.at(1));
    QString error;
    const QJsonObject answer = ask(socketPath, request, 10000, &error);
    if (!error.isEmpty())
        return fail(error, 1);
    if (!answer.value(QStringLiteral("ok")).toBool())
        return fail(answer.value(QStringLiteral("error")).toString(), 1);
    if (json) {
        std::printf("%s\n", QJsonDocument(answer).toJson(QJsonDocument::Indented).constData());
    } else if (verb == u"add") {
        // The token alone on stdout (for scripts); the advice on stderr.
        std::printf("%s\n", qPrintable(answer.value(QStringLiteral("token")).toString()));
        std::fprintf(stderr, "control-cloud: the token of controller %s, shown only this once: put it in the "
                             "controller's token file (--token-file or the systemd credential 'token').\n",
                     qPrintable(words.at(1)));
    } else if (verb == u"remove") {
        std::printf("credential of controller %s removed\n", qPrintable(words.at(1)));
    } else {
        std::printf("%s %s\n", qPrintable(column(QStringLiteral("CONTROLLER"), 40)), "CREDENTIAL CREATED");
        for (const QJsonValue &v : answer.value(QStringLiteral("credentials")).toArray())
            std::printf("%s %s\n", qPrintable(column(v[QStringLiteral("controller_id")].toString(), 40)),
                        qPrintable(v[QStringLiteral("created_at")].toString()));
    }
    return 0;
}

int client(const QString &command, const QStringList &args)
{
    QCommandLineParser p;
    p.addHelpOption();
    p.addOption({QStringLiteral("admin-socket"), QStringLiteral("Admin socket of the running control-cloud."), QStringLiteral("path")});
    p.addOption({QStringLiteral("controller"), QStringLiteral("Target controller id."), QStringLiteral("id")});
    p.addOption({QStringLiteral("json"), QStringLiteral("Print JSON.")});
    if (command == u"deploy") {
        p.setApplicationDescription(QStringLiteral("Deploy a driver file to a controller; waits for active or failed."));
        p.addOption({QStringLiteral("file"), QStringLiteral("The driver's JavaScript file."), QStringLiteral("file")});
        p.addOption({QStringLiteral("type"), QStringLiteral("driver_type."), QStringLiteral("type")});
        p.addOption({QStringLiteral("version"), QStringLiteral("Driver version."), QStringLiteral("version")});
        p.addOption({QStringLiteral("protocol"), QStringLiteral("tcp, udp or serial (default tcp)."), QStringLiteral("protocol"), QStringLiteral("tcp")});
        p.addOption({QStringLiteral("mappings"), QStringLiteral("command_mappings: JSON or @file."), QStringLiteral("json")});
        p.addOption({QStringLiteral("config"), QStringLiteral("Default connection_config: JSON or @file."), QStringLiteral("json")});
        p.addOption({QStringLiteral("driver-id"), QStringLiteral("driver_id (default: derived from the type)."), QStringLiteral("id")});
        p.addOption({QStringLiteral("no-wait"), QStringLiteral("Return once sent.")});
        p.addOption({QStringLiteral("timeout-ms"), QStringLiteral("How long to wait for the outcome (default 30000)."), QStringLiteral("ms"), QStringLiteral("30000")});
    } else if (command == u"devices") {
        p.setApplicationDescription(QStringLiteral("Provision devices (device_sync) from a JSON file: an array or {\"devices\": [...]}. "
                                                   "Waits for the controller: exits 1 with its reason when it refuses the list."));
        p.addOption({QStringLiteral("file"), QStringLiteral("JSON file with the devices."), QStringLiteral("file")});
        p.addOption({QStringLiteral("replace"), QStringLiteral("Remove the devices not listed.")});
    } else if (command == u"command") {
        p.setApplicationDescription(QStringLiteral("Send a device command and print the result."));
        p.addOption({QStringLiteral("device"), QStringLiteral("Device id."), QStringLiteral("id")});
        p.addOption({QStringLiteral("command"), QStringLiteral("Command name."), QStringLiteral("name")});
        p.addOption({QStringLiteral("params"), QStringLiteral("Parameters: JSON object or @file."), QStringLiteral("json"), QStringLiteral("{}")});
    }
    if (!p.parse(args))
        return fail(p.errorText());
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(p.helpText()), stdout);
        return 0;
    }
    const QString socketPath = AdminClient::socketPath(p.value(QStringLiteral("admin-socket")));
    if (command == u"controllers" && !p.positionalArguments().isEmpty())
        return credentials(p.positionalArguments(), socketPath, p.isSet(QStringLiteral("json")));
    QJsonObject request{{QStringLiteral("op"), command}, {QStringLiteral("controller_id"), p.value(QStringLiteral("controller"))}};
    int timeoutMs = 10000;
    QString error;
    auto need = [&](const char *option) {
        if (p.value(QLatin1String(option)).isEmpty()) {
            error = QStringLiteral("--%1 is required").arg(QLatin1String(option));
            return false;
        }
        return true;
    };
    if (command == u"deploy") {
        if (!need("controller") || !need("file") || !need("type") || !need("version"))
            return fail(error);
        QFile f(p.value(QStringLiteral("file")));
        if (!f.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("cannot read %1").arg(f.fileName()));
        request.insert(QStringLiteral("driver_code"), QString::fromUtf8(f.readAll()));
        request.insert(QStringLiteral("driver_type"), p.value(QStringLiteral("type")));
        request.insert(QStringLiteral("version"), p.value(QStringLiteral("version")));
        request.insert(QStringLiteral("protocol_type"), p.value(QStringLiteral("protocol")));
        if (p.isSet(QStringLiteral("driver-id")))
            request.insert(QStringLiteral("driver_id"), p.value(QStringLiteral("driver-id")));
        if (p.isSet(QStringLiteral("mappings"))) {
            const QJsonValue v = readJsonArg(p.value(QStringLiteral("mappings")), &error);
            if (!error.isEmpty() || !v.isArray())
                return fail(QStringLiteral("--mappings: %1").arg(error.isEmpty() ? QStringLiteral("must be a JSON array") : error));
            request.insert(QStringLiteral("command_mappings"), v);
        }
        if (p.isSet(QStringLiteral("config"))) {
            const QJsonValue v = readJsonArg(p.value(QStringLiteral("config")), &error);
            if (!error.isEmpty() || !v.isObject())
                return fail(QStringLiteral("--config: %1").arg(error.isEmpty() ? QStringLiteral("must be a JSON object") : error));
            request.insert(QStringLiteral("connection_config"), v);
        }
        request.insert(QStringLiteral("wait"), !p.isSet(QStringLiteral("no-wait")));
        timeoutMs = p.value(QStringLiteral("timeout-ms")).toInt();
        request.insert(QStringLiteral("timeout_ms"), timeoutMs);
        timeoutMs += 5000;
    } else if (command == u"devices") {
        if (!need("controller") || !need("file"))
            return fail(error);
        const QJsonValue v = readJsonArg(QLatin1Char('@') + p.value(QStringLiteral("file")), &error);
        if (!error.isEmpty())
            return fail(QStringLiteral("--file: %1").arg(error));
        request.insert(QStringLiteral("devices"), v.isArray() ? v : v.toObject().value(QStringLiteral("devices")));
        request.insert(QStringLiteral("replace"), p.isSet(QStringLiteral("replace")));
        timeoutMs = 20000;   // the cloud waits up to its command timeout for the controller
    } else if (command == u"command") {
        if (!need("controller") || !need("device") || !need("command"))
            return fail(error);
        const QJsonValue v = readJsonArg(p.value(QStringLiteral("params")), &error);
        if (!error.isEmpty() || !v.isObject())
            return fail(QStringLiteral("--params: %1").arg(error.isEmpty() ? QStringLiteral("must be a JSON object") : error));
        request.insert(QStringLiteral("device_id"), p.value(QStringLiteral("device")));
        request.insert(QStringLiteral("command"), p.value(QStringLiteral("command")));
        request.insert(QStringLiteral("params"), v);
        timeoutMs = 20000;
    }

    const QJsonObject answer = ask(socketPath, request, timeoutMs, &error);
    if (!error.isEmpty())
        return fail(error, 1);
    if (!answer.value(QStringLiteral("ok")).toBool())
        return fail(answer.value(QStringLiteral("error")).toString(), 1);
    const bool json = p.isSet(QStringLiteral("json"));
    if (json) {
        std::printf("%s\n", QJsonDocument(answer).toJson(QJsonDocument::Indented).constData());
    }
    if (command == u"deploy") {
        const QJsonObject d = answer.value(QStringLiteral("deployment")).toObject();
        if (d.isEmpty()) {
            if (!json)
                std::printf("deployment %s sent\n", qPrintable(answer.value(QStringLiteral("sync_id")).toString()));
            return 0;
        }
        const QString status = d.value(QStringLiteral("deployment_status")).toString();
        if (!json) {
            if (status == u"active")
                std::printf("deployment %s: active, %s\n", qPrintable(d.value(QStringLiteral("sync_id")).toString()),
                            qPrintable(d.value(QStringLiteral("file_path")).toString()));
            else
                std::printf("deployment %s: %s: %s\n", qPrintable(d.value(QStringLiteral("sync_id")).toString()),
                            qPrintable(status), qPrintable(d.value(QStringLiteral("error_message")).toString()));
        }
        return status == u"active" ? 0 : 1;
    }
    if (command == u"command") {
        const QJsonObject r = answer.value(QStringLiteral("result")).toObject();
        if (!json) {
            if (r.value(QStringLiteral("ok")).toBool())
                std::printf("ok (%g ms): %s\n", r.value(QStringLiteral("duration_ms")).toDouble(),
                            QJsonDocument(QJsonArray{r.value(QStringLiteral("result"))}).toJson(QJsonDocument::Compact).mid(1).chopped(1).constData());
            else
                std::printf("failed: %s\n", qPrintable(r.value(QStringLiteral("error")).toString()));
        }
        return r.value(QStringLiteral("ok")).toBool() ? 0 : 1;
    }
    if (json)
        return 0;
    if (command == u"devices") {
        std::printf("%d devices accepted by %s\n", answer.value(QStringLiteral("devices")).toInt(),
                    qPrintable(p.value(QStringLiteral("controller"))));
    } else if (command == u"deployments") {
        std::printf("%s %s %s %s %s %s\n", qPrintable(column(QStringLiteral("SYNC_ID"), 36)), qPrintable(column(QStringLiteral("CONTROLLER"), 16)),
                    qPrintable(column(QStringLiteral("DRIVER"), 22)), qPrintable(column(QStringLiteral("VERSION"), 10)),
                    qPrintable(column(QStringLiteral("STATUS"), 11)), "FILE / ERROR");
        for (const QJsonValue &v : answer.value(QStringLiteral("deployments")).toArray()) {
            const QJsonObject d = v.toObject();
            const QString detail = d.value(QStringLiteral("deployment_status")).toString() == u"failed"
                ? d.value(QStringLiteral("error_message")).toString() : d.value(QStringLiteral("file_path")).toString();
            std::printf("%s %s %s %s %s %s\n", qPrintable(column(d.value(QStringLiteral("sync_id")).toString(), 36)),
                        qPrintable(column(d.value(QStringLiteral("controller_id")).toString(), 16)),
                        qPrintable(column(d.value(QStringLiteral("driver_type")).toString(), 22)),
                        qPrintable(column(d.value(QStringLiteral("version")).toString(), 10)),
                        qPrintable(column(d.value(QStringLiteral("deployment_status")).toString(), 11)), qPrintable(detail));
        }
    } else if (command == u"controllers") {
        std::printf("%s %s %s %s %s\n", qPrintable(column(QStringLiteral("CONTROLLER"), 20)), qPrintable(column(QStringLiteral("STATE"), 13)),
                    qPrintable(column(QStringLiteral("VERSION"), 8)), qPrintable(column(QStringLiteral("DRIVERS"), 8)), "DEVICES");
        for (const QJsonValue &v : answer.value(QStringLiteral("controllers")).toArray()) {
            const QJsonObject c = v.toObject();
            QStringList devices;
            for (const QJsonValue &d : c.value(QStringLiteral("devices")).toArray())
                devices << d[QStringLiteral("device_id")].toString() + QLatin1Char('=') + d[QStringLiteral("status")].toString();
            std::printf("%s %s %s %s %s\n", qPrintable(column(c.value(QStringLiteral("controller_id")).toString(), 20)),
                        c.value(QStringLiteral("connected")).toBool() ? "connected    " : "disconnected ",
                        qPrintable(column(c.value(QStringLiteral("app_version")).toString(), 8)),
                        qPrintable(column(QString::number(c.value(QStringLiteral("drivers")).toArray().size()), 8)),
                        qPrintable(devices.join(QStringLiteral(", "))));
        }
    }
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("control-cloud"));
    QStringList args = QCoreApplication::arguments();
    if (args.size() < 2 || args.at(1) == u"--help" || args.at(1) == u"-h") {
        std::fputs(usage, args.size() < 2 ? stderr : stdout);
        return args.size() < 2 ? 2 : 0;
    }
    const QString command = args.takeAt(1);
    if (command == u"serve" || command == u"metrics")
        return command == u"serve" ? serve(args) : metricsCommand(args);
    static const QStringList clients = {QStringLiteral("deploy"), QStringLiteral("devices"), QStringLiteral("command"),
                                        QStringLiteral("deployments"), QStringLiteral("controllers")};
    if (clients.contains(command))
        return client(command, args);
    std::fputs(usage, stderr);
    return fail(QStringLiteral("unknown command '%1'").arg(command));
}
