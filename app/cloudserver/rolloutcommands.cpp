// The fleet commands of control-cloud's CLI: groups, rollout, publish
// (docs/cloud.md "Groups and rollouts").
#include "cloudserver/adminclient.h"
#include "cloudserver/clientcommands.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>

#include <cstdio>
#include <unistd.h>

using AdminClient::column;
using CloudCli::fail;

namespace {

const char *groupsUsage = "usage: control-cloud groups create G | add G ID... | remove G ID... | list | show G";
const char *rolloutUsage = "usage: control-cloud rollout start --group G --file F --type T --version V [options]\n"
                           "       control-cloud rollout status [ID] [--follow] | pause ID | resume ID | abort ID";

// "running, batch 2: 10 sites: active 4, sent 1, waiting 5"
QString progressLine(const QJsonObject &r)
{
    QStringList counts;
    const QJsonObject c = r.value(QStringLiteral("counts")).toObject();
    for (auto it = c.begin(); it != c.end(); ++it)
        counts << QStringLiteral("%1 %2").arg(it.key()).arg(it.value().toInt());
    const int batch = r.value(QStringLiteral("batch")).toInt();
    QString line = QStringLiteral("rollout %1 (%2 %3 to %4): %5")
                       .arg(r.value(QStringLiteral("rollout_id")).toString(), r.value(QStringLiteral("driver_type")).toString(),
                            r.value(QStringLiteral("version")).toString(), r.value(QStringLiteral("target")).toString(),
                            r.value(QStringLiteral("state")).toString());
    if (batch >= 0)
        line += batch == 0 ? QStringLiteral(", canary") : QStringLiteral(", batch %1").arg(batch);
    line += QStringLiteral(": %1 sites: %2").arg(r.value(QStringLiteral("total")).toInt()).arg(counts.join(QStringLiteral(", ")));
    if (!r.value(QStringLiteral("reason")).toString().isEmpty())
        line += QStringLiteral(" (%1)").arg(r.value(QStringLiteral("reason")).toString());
    return line;
}

bool finished(const QJsonObject &r)
{
    const QString state = r.value(QStringLiteral("state")).toString();
    return state == u"completed" || state == u"aborted";
}

// Prints the progress line until the rollout ends (on a terminal: one line,
// rewritten; otherwise a line per change). 0: completed, 1: aborted.
int follow(const QString &socketPath, const QString &rolloutId)
{
    const bool tty = ::isatty(STDOUT_FILENO);
    QString last;
    for (;;) {
        QJsonObject answer;
        const QJsonObject request{{QStringLiteral("op"), QStringLiteral("rollout_status")}, {QStringLiteral("rollout_id"), rolloutId}};
        if (const int status = CloudCli::askOrFail(socketPath, request, 10000, &answer))
            return status;
        const QJsonObject r = answer.value(QStringLiteral("rollout")).toObject();
        const QString line = progressLine(r);
        if (line != last) {
            std::printf(tty ? "\r\033[K%s" : "%s\n", qPrintable(line));
            std::fflush(stdout);
            last = line;
        }
        if (finished(r)) {
            if (tty)
                std::printf("\n");
            return r.value(QStringLiteral("state")).toString() == u"completed" ? 0 : 1;
        }
        QThread::msleep(300);
    }
}

int groups(const QStringList &words, const QString &socketPath, bool json)
{
    const QString verb = words.value(0);
    const int minimum = verb == u"list" ? 1 : verb == u"add" || verb == u"remove" ? 3 : 2;
    if ((verb != u"create" && verb != u"add" && verb != u"remove" && verb != u"list" && verb != u"show") || words.size() < minimum
        || ((verb == u"list" || verb == u"create" || verb == u"show") && words.size() != minimum))
        return fail(QString::fromLatin1(groupsUsage));
    QJsonObject request{{QStringLiteral("op"), QString(QStringLiteral("group_") + verb)}, {QStringLiteral("group"), words.value(1)}};
    request.insert(QStringLiteral("controller_ids"), QJsonArray::fromStringList(words.mid(2)));
    QJsonObject answer;
    if (const int status = CloudCli::askOrFail(socketPath, request, 10000, &answer))
        return status;
    if (json) {
        std::printf("%s\n", QJsonDocument(answer).toJson(QJsonDocument::Indented).constData());
    } else if (verb == u"list") {
        std::printf("%s %s\n", qPrintable(column(QStringLiteral("GROUP"), 30)), "MEMBERS");
        for (const QJsonValue &g : answer.value(QStringLiteral("groups")).toArray())
            std::printf("%s %d\n", qPrintable(column(g[QStringLiteral("group")].toString(), 30)), g[QStringLiteral("members")].toInt());
    } else if (verb == u"create") {
        std::printf("group %s created\n", qPrintable(words.at(1)));
    } else {
        for (const QJsonValue &m : answer.value(QStringLiteral("members")).toArray())
            std::printf("%s %s\n", qPrintable(column(m[QStringLiteral("controller_id")].toString(), 40)),
                        m[QStringLiteral("connected")].toBool() ? "connected" : "disconnected");
    }
    return 0;
}

} // namespace

void CloudCli::printRollouts(const QJsonArray &rollouts)
{
    for (const QJsonValue &v : rollouts) {
        std::printf("\n%s\n", qPrintable(progressLine(v.toObject())));
        for (const QJsonValue &s : v[QStringLiteral("sites")].toArray()) {
            const int batch = s[QStringLiteral("batch")].toInt();
            std::printf("  %s %s %s %s\n", qPrintable(column(s[QStringLiteral("controller_id")].toString(), 24)),
                        qPrintable(column(batch < 0 ? QStringLiteral("-") : batch == 0 ? QStringLiteral("canary")
                                                                                       : QStringLiteral("batch %1").arg(batch), 9)),
                        qPrintable(column(s[QStringLiteral("state")].toString(), 16)),
                        qPrintable(s[QStringLiteral("error_message")].toString()));
        }
    }
}

int CloudCli::fleet(const QString &command, const QStringList &args)
{
    QCommandLineParser p;
    p.addHelpOption();
    p.addOption({QStringLiteral("admin-socket"), QStringLiteral("Admin socket of the running control-cloud."), QStringLiteral("path")});
    p.addOption({QStringLiteral("json"), QStringLiteral("Print JSON.")});
    const bool starts = command == u"publish" || (command == u"rollout" && args.value(1) == u"start");
    if (command == u"groups") {
        p.setApplicationDescription(QString::fromLatin1(groupsUsage));
    } else {
        p.setApplicationDescription(command == u"publish"
                                        ? QStringLiteral("Roll a new version of driver type T out to every site that runs T, or to --group G.")
                                        : QString::fromLatin1(rolloutUsage));
        p.addOption({QStringLiteral("follow"), QStringLiteral("Show a live progress line until the rollout ends (exit 1: aborted).")});
        p.addOption({QStringLiteral("limit"), QStringLiteral("status without an ID: how many of the newest rollouts (default 50)."),
                     QStringLiteral("n")});
    }
    if (starts) {
        CloudCli::addDriverOptions(p);
        p.addOption({QStringLiteral("group"), QStringLiteral("The group to roll out to."), QStringLiteral("name")});
        p.addOption({QStringLiteral("canary"), QStringLiteral("Sites in the first batch (default 1)."), QStringLiteral("n"), QStringLiteral("1")});
        p.addOption({QStringLiteral("batch-size"), QStringLiteral("Sites per batch after the canary."), QStringLiteral("n")});
        p.addOption({QStringLiteral("batch-percent"), QStringLiteral("Or a percentage of all sites per batch (default 10)."), QStringLiteral("pct")});
        p.addOption({QStringLiteral("max-failures"), QStringLiteral("Abort when more than this percentage fails (default 5)."), QStringLiteral("pct"), QStringLiteral("5")});
        p.addOption({QStringLiteral("site-timeout-ms"), QStringLiteral("A site without an outcome for this long while connected is timed_out (default 600000)."),
                     QStringLiteral("ms"), QStringLiteral("600000")});
    }
    if (int status = 0; !CloudCli::parseArgs(p, args, &status))
        return status;
    const QString socketPath = AdminClient::socketPath(p.value(QStringLiteral("admin-socket")));
    const bool json = p.isSet(QStringLiteral("json"));
    QStringList words = p.positionalArguments();
    if (command == u"groups")
        return groups(words, socketPath, json);
    const QString verb = command == u"publish" ? QStringLiteral("publish") : words.value(0);
    QJsonObject request;
    if (starts) {
        if (command == u"rollout" && p.value(QStringLiteral("group")).isEmpty())
            return fail(QStringLiteral("--group is required"));
        if (p.isSet(QStringLiteral("batch-size")) && p.isSet(QStringLiteral("batch-percent")))
            return fail(QStringLiteral("--batch-size or --batch-percent, not both"));
        const int status = CloudCli::driverRequest(p, &request);
        if (status != 0)
            return status;
        request.insert(QStringLiteral("op"), command == u"publish" ? QStringLiteral("publish") : QStringLiteral("rollout_start"));
        request.insert(QStringLiteral("group"), p.value(QStringLiteral("group")));
        request.insert(QStringLiteral("canary"), p.value(QStringLiteral("canary")).toInt());
        if (p.isSet(QStringLiteral("batch-size")))
            request.insert(QStringLiteral("batch_size"), p.value(QStringLiteral("batch-size")).toInt());
        if (p.isSet(QStringLiteral("batch-percent")))
            request.insert(QStringLiteral("batch_percent"), p.value(QStringLiteral("batch-percent")).toInt());
        request.insert(QStringLiteral("max_failure_percent"), p.value(QStringLiteral("max-failures")).toDouble());
        request.insert(QStringLiteral("site_timeout_ms"), p.value(QStringLiteral("site-timeout-ms")).toLongLong());
    } else if (verb == u"status" && words.size() <= 2) {
        request = {{QStringLiteral("op"), QStringLiteral("rollout_status")}, {QStringLiteral("rollout_id"), words.value(1)}};
        CloudCli::addLimit(p, &request);
    } else if ((verb == u"pause" || verb == u"resume" || verb == u"abort") && words.size() == 2) {
        request = {{QStringLiteral("op"), QString(QStringLiteral("rollout_") + verb)}, {QStringLiteral("rollout_id"), words.at(1)}};
    } else {
        return fail(QString::fromLatin1(rolloutUsage));
    }
    QJsonObject answer;
    if (const int status = CloudCli::askOrFail(socketPath, request, 30000, &answer))
        return status;
    const QString rolloutId = starts ? answer.value(QStringLiteral("rollout_id")).toString() : words.value(1);
    if (json && !p.isSet(QStringLiteral("follow")))
        std::printf("%s\n", QJsonDocument(answer).toJson(QJsonDocument::Indented).constData());
    else if (starts)
        std::printf("rollout %s started: %d sites\n", qPrintable(rolloutId), answer.value(QStringLiteral("sites")).toInt());
    if (p.isSet(QStringLiteral("follow")) && !rolloutId.isEmpty())
        return follow(socketPath, rolloutId);
    if (json || starts)
        return 0;
    if (answer.contains(QStringLiteral("rollouts"))) {
        for (const QJsonValue &v : answer.value(QStringLiteral("rollouts")).toArray())
            std::printf("%s\n", qPrintable(progressLine(v.toObject())));
    } else {
        printRollouts(QJsonArray{answer.value(QStringLiteral("rollout"))});
    }
    return 0;
}
