#include "cloudserver/clientcommands.h"

#include "cloudserver/adminclient.h"
#include "cloudserver/adminserver.h"
#include "cloudserver/signingkeys.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>

#include <algorithm>
#include <cstdio>

namespace CloudCli {

int fail(const QString &message, int status)
{
    std::fprintf(stderr, "control-cloud: %s\n", qPrintable(message));
    return status;
}

QString envOr(const char *name, const QString &fallback)
{
    const QString v = qEnvironmentVariable(name);
    return v.isEmpty() ? fallback : v;
}

int askOrFail(const QString &socketPath, const QJsonObject &request, int timeoutMs, QJsonObject *answer)
{
    QString error;
    *answer = AdminClient::ask(socketPath, request, timeoutMs, &error);
    if (!error.isEmpty())
        return fail(error, 1);
    if (!answer->value(QStringLiteral("ok")).toBool())
        return fail(answer->value(QStringLiteral("error")).toString(), 1);
    return 0;
}

bool parseArgs(QCommandLineParser &p, const QStringList &args, int *status)
{
    if (!p.parse(args)) {
        *status = fail(p.errorText());
        return false;
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(p.helpText()), stdout);
        *status = 0;
        return false;
    }
    return true;
}

void addDriverOptions(QCommandLineParser &p)
{
    p.addOption({QStringLiteral("file"), QStringLiteral("The driver's JavaScript file."), QStringLiteral("file")});
    p.addOption({QStringLiteral("type"), QStringLiteral("driver_type."), QStringLiteral("type")});
    p.addOption({QStringLiteral("version"), QStringLiteral("Driver version."), QStringLiteral("version")});
    p.addOption({QStringLiteral("protocol"), QStringLiteral("tcp, udp or serial (default tcp)."), QStringLiteral("protocol"), QStringLiteral("tcp")});
    p.addOption({QStringLiteral("mappings"), QStringLiteral("command_mappings: JSON or @file."), QStringLiteral("json")});
    p.addOption({QStringLiteral("config"), QStringLiteral("Default connection_config: JSON or @file."), QStringLiteral("json")});
    p.addOption({QStringLiteral("driver-id"), QStringLiteral("driver_id (default: derived from the type)."), QStringLiteral("id")});
    p.addOption({QStringLiteral("sign"), QStringLiteral("Sign with this private key (control-cloud keygen)."), QStringLiteral("keyfile")});
}

} // namespace CloudCli

namespace {
QJsonValue readJsonArg(const QString &value, QString *error);
} // namespace

int CloudCli::driverRequest(const QCommandLineParser &p, QJsonObject *request)
{
    for (const char *option : {"file", "type", "version"}) {
        if (p.value(QLatin1String(option)).isEmpty())
            return fail(QStringLiteral("--%1 is required").arg(QLatin1String(option)));
    }
    QFile f(p.value(QStringLiteral("file")));
    if (!f.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1").arg(f.fileName()));
    request->insert(QStringLiteral("driver_code"), QString::fromUtf8(f.readAll()));
    request->insert(QStringLiteral("driver_type"), p.value(QStringLiteral("type")));
    request->insert(QStringLiteral("version"), p.value(QStringLiteral("version")));
    request->insert(QStringLiteral("protocol_type"), p.value(QStringLiteral("protocol")));
    if (p.isSet(QStringLiteral("driver-id")))
        request->insert(QStringLiteral("driver_id"), p.value(QStringLiteral("driver-id")));
    QString error;
    if (p.isSet(QStringLiteral("mappings"))) {
        const QJsonValue v = readJsonArg(p.value(QStringLiteral("mappings")), &error);
        if (!error.isEmpty() || !v.isArray())
            return fail(QStringLiteral("--mappings: %1").arg(error.isEmpty() ? QStringLiteral("must be a JSON array") : error));
        request->insert(QStringLiteral("command_mappings"), v);
    }
    if (p.isSet(QStringLiteral("config"))) {
        const QJsonValue v = readJsonArg(p.value(QStringLiteral("config")), &error);
        if (!error.isEmpty() || !v.isObject())
            return fail(QStringLiteral("--config: %1").arg(error.isEmpty() ? QStringLiteral("must be a JSON object") : error));
        request->insert(QStringLiteral("connection_config"), v);
    }
    if (p.isSet(QStringLiteral("sign"))) {
        QJsonObject signature;
        error = SigningKeys::sign(p.value(QStringLiteral("sign")), p.value(QStringLiteral("type")), p.value(QStringLiteral("version")),
                                  p.value(QStringLiteral("protocol")), request->value(QStringLiteral("driver_code")).toString(), &signature);
        if (!error.isEmpty())
            return fail(QStringLiteral("--sign: %1").arg(error), 1);
        request->insert(QStringLiteral("signature"), signature);
    }
    return 0;
}

using CloudCli::envOr;
using CloudCli::fail;
using AdminClient::column;

namespace {

// keygen --out FILE --key-id ID: an Ed25519 key pair for deploy --sign.
int keygen(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Write an Ed25519 key pair for signing drivers: FILE (private, owner-only) and "
                                               "FILE.pub, whose line goes into each controller's trusted-keys file."));
    p.addHelpOption();
    p.addOption({QStringLiteral("out"), QStringLiteral("The private key file to create."), QStringLiteral("file")});
    p.addOption({QStringLiteral("key-id"), QStringLiteral("The key's id, as signatures name it (e.g. ops-2026)."), QStringLiteral("id")});
    if (!p.parse(args))
        return fail(p.errorText());
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(p.helpText()), stdout);
        return 0;
    }
    if (p.value(QStringLiteral("out")).isEmpty() || p.value(QStringLiteral("key-id")).isEmpty())
        return fail(QStringLiteral("--out and --key-id are required"));
    QString publicLine;
    const QString error = SigningKeys::generate(p.value(QStringLiteral("out")), p.value(QStringLiteral("key-id")), &publicLine);
    if (!error.isEmpty())
        return fail(error, 1);
    // The trusted-keys line on stdout (for scripts); where things went on stderr.
    std::printf("%s\n", qPrintable(publicLine));
    std::fprintf(stderr, "control-cloud: private key in %s (keep it secret), public key in %s.pub\n",
                 qPrintable(p.value(QStringLiteral("out"))), qPrintable(p.value(QStringLiteral("out"))));
    return 0;
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
    QJsonObject answer;
    if (const int status = CloudCli::askOrFail(socketPath, request, 10000, &answer))
        return status;
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
        CloudCli::addDriverOptions(p);
    } else if (command == u"rollback") {
        p.setApplicationDescription(QStringLiteral("Roll a driver back to a version the controller kept; waits for active or failed."));
        p.addOption({QStringLiteral("type"), QStringLiteral("driver_type."), QStringLiteral("type")});
        p.addOption({QStringLiteral("version"), QStringLiteral("The kept version (default: the one before the active one)."), QStringLiteral("version")});
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
    if (command == u"deployments") {
        p.setApplicationDescription(QStringLiteral("The newest deployments (each with its history) and the newest rollouts "
                                                   "(each with its sites)."));
        p.addOption({QStringLiteral("limit"), QStringLiteral("How many deployments to show (default 100, at most 100000)."),
                     QStringLiteral("n")});
    }
    if (command == u"deploy" || command == u"rollback") {
        p.addOption({QStringLiteral("no-wait"), QStringLiteral("Return once sent.")});
        p.addOption({QStringLiteral("timeout-ms"), QStringLiteral("How long to wait for the outcome (default 30000)."), QStringLiteral("ms"), QStringLiteral("30000")});
    }
    if (int status = 0; !CloudCli::parseArgs(p, args, &status))
        return status;
    const QString socketPath = AdminClient::socketPath(p.value(QStringLiteral("admin-socket")));
    if (command == u"controllers" && !p.positionalArguments().isEmpty())
        return credentials(p.positionalArguments(), socketPath, p.isSet(QStringLiteral("json")));
    QJsonObject request{{QStringLiteral("op"), command}, {QStringLiteral("controller_id"), p.value(QStringLiteral("controller"))}};
    CloudCli::addLimit(p, &request);
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
        if (!need("controller"))
            return fail(error);
        const int status = CloudCli::driverRequest(p, &request);
        if (status != 0)
            return status;
    } else if (command == u"rollback") {
        if (!need("controller") || !need("type"))
            return fail(error);
        request.insert(QStringLiteral("driver_type"), p.value(QStringLiteral("type")));
        if (p.isSet(QStringLiteral("version")))
            request.insert(QStringLiteral("version"), p.value(QStringLiteral("version")));
    }
    if (command == u"deploy" || command == u"rollback") {
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

    QJsonObject answer;
    if (const int status = CloudCli::askOrFail(socketPath, request, timeoutMs, &answer))
        return status;
    const bool json = p.isSet(QStringLiteral("json"));
    if (json) {
        std::printf("%s\n", QJsonDocument(answer).toJson(QJsonDocument::Indented).constData());
    }
    if (command == u"deploy" || command == u"rollback") {
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
        if (answer.value(QStringLiteral("more_deployments")).toBool())
            std::printf("(the newest %lld deployments; --limit N for more)\n",
                        qlonglong(answer.value(QStringLiteral("deployments")).toArray().size()));
        CloudCli::printRollouts(answer.value(QStringLiteral("rollouts")).toArray());
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

namespace CloudCli {

void addLimit(const QCommandLineParser &p, QJsonObject *request)
{
    // Only a command that defines --limit can have it on its command line.
    if (!p.optionNames().contains(QStringLiteral("limit")))
        return;
    bool ok = false;
    const int n = p.value(QStringLiteral("limit")).toInt(&ok);
    request->insert(QStringLiteral("limit"), ok ? QJsonValue(n) : QJsonValue(p.value(QStringLiteral("limit"))));
}

bool isClientCommand(const QString &command)
{
    static const QStringList clients = {QStringLiteral("deploy"), QStringLiteral("rollback"), QStringLiteral("keygen"),
                                        QStringLiteral("devices"), QStringLiteral("command"),
                                        QStringLiteral("deployments"), QStringLiteral("controllers"),
                                        QStringLiteral("groups"), QStringLiteral("rollout"), QStringLiteral("publish")};
    return clients.contains(command);
}

int run(const QString &command, const QStringList &args)
{
    if (command == u"keygen")
        return keygen(args);
    if (command == u"groups" || command == u"rollout" || command == u"publish")
        return fleet(command, args);
    return client(command, args);
}

} // namespace CloudCli
