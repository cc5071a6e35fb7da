#include "hosts/hostrun.h"

#include "runtime/drivertransformer.h"
#include "runtime/scriptrunner.h"
#include "runtime/watchdog.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <iostream>
#include <string>

namespace {

// The transform of a large file may take a while; the run's own deadline
// (--timeout-ms) bounds what the script does.
constexpr int transformBudgetMs = 10000;
constexpr int defaultTimeoutMs = 10000;

QString optionValue(const QStringList &args, const QString &name, const QString &fallback = {})
{
    const int at = int(args.indexOf(name));
    return at >= 0 && at + 1 < args.size() ? args.at(at + 1) : fallback;
}

bool readText(const QString &path, QString *text, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: cannot read: %2").arg(path, f.errorString());
        return false;
    }
    *text = QString::fromUtf8(f.readAll());
    return true;
}

int runFile(const QString &file, int timeoutMs)
{
    QString source;
    QString error;
    if (!readText(file, &source, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    Watchdog watchdog;
    DriverTransformer transformer(&watchdog, transformBudgetMs);
    ScriptRunner runner(&transformer, &watchdog, [](const QString &line) {
        std::fputs(line.toUtf8().append('\n').constData(), stdout);
        std::fflush(stdout);
    });
    RunOutcome outcome = runner.start(timeoutMs);
    if (outcome.ok())
        outcome = runner.evaluate(source, file, ScriptRunner::Mode::Module);
    if (outcome.ok())
        outcome = runner.drain();
    runner.finish();
    if (outcome.ok())
        return 0;
    if (outcome.file.isEmpty())
        outcome.file = file;
    std::fprintf(stderr, "%s\n", qPrintable(outcome.describe()));
    return 1;
}

// One job: {"id", "timeoutMs", "scripts": [{"name", "source"} or {"path"},
// optionally with "transform": false for trusted code (a test harness)]}.
// The scripts run in order as global scripts in one fresh engine; the first
// failure ends the job. The answer: {"id", "outcome", "name", "message",
// "line", "column", "script" (index of the failing one), "output": [lines]}.
QJsonObject runJob(ScriptRunner &runner, QStringList &output, const QJsonObject &job)
{
    output.clear();
    const int timeoutMs = job.value(QStringLiteral("timeoutMs")).toInt(defaultTimeoutMs);
    const QJsonArray scripts = job.value(QStringLiteral("scripts")).toArray();
    RunOutcome outcome = runner.start(timeoutMs);
    int failed = -1;
    for (int i = 0; outcome.ok() && i < scripts.size(); ++i) {
        const QJsonObject script = scripts.at(i).toObject();
        QString name = script.value(QStringLiteral("name")).toString();
        QString source = script.value(QStringLiteral("source")).toString();
        if (script.contains(QStringLiteral("path"))) {
            QString error;
            name = script.value(QStringLiteral("path")).toString();
            if (!readText(name, &source, &error)) {
                outcome.kind = RunOutcome::Internal;
                outcome.message = error;
            }
        }
        if (outcome.ok())
            outcome = runner.evaluate(source, name, ScriptRunner::Mode::Script,
                                      script.value(QStringLiteral("transform")).toBool(true));
        if (!outcome.ok())
            failed = i;
    }
    if (outcome.ok())
        outcome = runner.drain();
    runner.finish();
    return {{QStringLiteral("id"), job.value(QStringLiteral("id"))},
            {QStringLiteral("outcome"), RunOutcome::kindName(outcome.kind)},
            {QStringLiteral("name"), outcome.errorName},
            {QStringLiteral("message"), outcome.message},
            {QStringLiteral("line"), outcome.line},
            {QStringLiteral("column"), outcome.column},
            {QStringLiteral("script"), failed},
            {QStringLiteral("output"), QJsonArray::fromStringList(output)}};
}

int runBatch()
{
    Watchdog watchdog;
    DriverTransformer transformer(&watchdog, transformBudgetMs);
    QStringList output;
    ScriptRunner runner(&transformer, &watchdog, [&output](const QString &line) { output << line; });
    std::string line;
    while (std::getline(std::cin, line)) {
        if (line.empty())
            continue;
        const QJsonObject job = QJsonDocument::fromJson(QByteArray::fromStdString(line)).object();
        const QJsonObject answer = runJob(runner, output, job);
        std::fputs(QJsonDocument(answer).toJson(QJsonDocument::Compact).append('\n').constData(), stdout);
        std::fflush(stdout);
    }
    return 0;
}

} // namespace

bool HostRun::wanted(const QStringList &args)
{
    return args.contains(QStringLiteral("--run")) || args.contains(QStringLiteral("--run-batch"));
}

int HostRun::run(const QStringList &args)
{
    if (args.contains(QStringLiteral("--run-batch")))
        return runBatch();
    bool ok = false;
    const int timeoutMs = optionValue(args, QStringLiteral("--timeout-ms"), QString::number(defaultTimeoutMs)).toInt(&ok);
    const QString file = optionValue(args, QStringLiteral("--run"));
    if (file.isEmpty() || !ok || timeoutMs < 1) {
        std::fprintf(stderr, "usage: control-nuc-driverhost --run FILE [--timeout-ms N] | --run-batch\n");
        return 2;
    }
    return runFile(file, timeoutMs);
}
