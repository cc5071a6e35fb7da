// Which controller a benchmark measures: control-nuc, or the Node reference
// of the seed's design (tests/reference/node-controller, docs/performance.md
// "The Node reference (seed design), side by side"). A benchmark adds the
// options, lets select() handle them, and starts its controller with
// start() instead of QProcess::start:
//   --target control-nuc|node   what this run measures (default control-nuc)
//   --reference-node            both, in this run: the benchmark runs itself
//                               once per target, prints each run's output
//                               and then their figures next to each other
//   --reference-node-args ARGS  extra arguments for the Node reference
//                               (e.g. "--synchronous OFF")
#pragma once

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QStringList>

#include <cstdio>

namespace BenchTarget {

struct Selection
{
    bool node = false;
    QStringList nodeArguments;   // --reference-node-args
};

inline Selection &selection()
{
    static Selection s;
    return s;
}

// True when this run measures the Node reference.
inline bool isNodeReference() { return selection().node; }

inline QString label() { return isNodeReference() ? QStringLiteral("Node reference (seed design)") : QStringLiteral("control-nuc"); }

inline void addOptions(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("target"), QStringLiteral("control-nuc or node (the Node reference)."), QStringLiteral("name"), QStringLiteral("control-nuc")});
    parser.addOption({QStringLiteral("reference-node"), QStringLiteral("Measure control-nuc and the Node reference side by side.")});
    parser.addOption({QStringLiteral("reference-node-args"), QStringLiteral("Extra arguments for the Node reference."), QStringLiteral("args")});
}

// Why the Node reference cannot run here ('' when it can): node on PATH and
// the ws module, from Debian's node-ws or the Node's own modules.
inline QString nodeReferenceProblem()
{
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (node.isEmpty())
        return QStringLiteral("node is not installed (Debian: nodejs)");
    QProcess probe;
    probe.start(node, {QStringLiteral("-e"), QStringLiteral("try { require('ws'); } catch (e) { require('/usr/share/nodejs/ws'); }")});
    if (!probe.waitForFinished(10000) || probe.exitCode() != 0)
        return QStringLiteral("node cannot load the ws module (Debian: node-ws)");
    if (QStandardPaths::findExecutable(QStringLiteral("sqlite3")).isEmpty())
        return QStringLiteral("the sqlite3 shell is not installed (Debian: sqlite3)");
    return {};
}

// Splits a figure line into what it measures and its figures ('' : none).
inline QPair<QString, QString> figure(const QString &line)
{
    static const QRegularExpression at(QStringLiteral(":?\\s+median |: "));
    const QRegularExpressionMatch m = at.match(line);
    if (!m.hasMatch() || !(line.contains(QLatin1String("median")) || line.contains(QLatin1String("CPU per"))))
        return {};
    return {line.left(m.capturedStart()).trimmed(), line.mid(m.capturedStart()).remove(QRegularExpression(QStringLiteral("^:\\s*"))).trimmed()};
}

// --reference-node: runs this benchmark once per target (options in
// `nucOnly` only for control-nuc) and prints the figures side by side;
// returns the exit code, or -1 when this run is a single target. Refuses
// --target node with an option of `nucOnly` (exit 2).
inline int select(const QCommandLineParser &parser, const QStringList &nucOnly)
{
    const QString target = parser.value(QStringLiteral("target"));
    selection().node = target == u"node";
    selection().nodeArguments = QProcess::splitCommand(parser.value(QStringLiteral("reference-node-args")));
    if (!selection().node && target != u"control-nuc") {
        std::fprintf(stderr, "unknown --target %s (control-nuc or node)\n", qPrintable(target));
        return 2;
    }
    if (!parser.isSet(QStringLiteral("reference-node"))) {
        for (const QString &option : nucOnly) {
            if (selection().node && parser.isSet(option)) {
                std::fprintf(stderr, "--%s measures control-nuc only; not with --target node\n", qPrintable(option));
                return 2;
            }
        }
        return -1;
    }
    if (const QString problem = nodeReferenceProblem(); !problem.isEmpty()) {
        std::fprintf(stderr, "cannot run the Node reference: %s\n", qPrintable(problem));
        return 2;
    }
    QList<QStringList> outputs;
    int rc = 0;
    for (const QString &which : {QStringLiteral("control-nuc"), QStringLiteral("node")}) {
        QStringList dropped{QStringLiteral("reference-node"), QStringLiteral("target")};
        if (which == u"node")
            dropped << nucOnly;
        QStringList arguments;
        const QStringList given = QCoreApplication::arguments().mid(1);
        for (int i = 0; i < given.size(); ++i) {
            const QString &argument = given.at(i);
            const QString name = argument.section(QLatin1Char('='), 0, 0).remove(QRegularExpression(QStringLiteral("^-+")));
            if (!argument.startsWith(QLatin1Char('-')) || !dropped.contains(name)) {
                arguments << argument;
                continue;
            }
            // A dropped option's value, when given as the next argument.
            if (!argument.contains(QLatin1Char('=')) && i + 1 < given.size() && !parser.value(name).isEmpty()
                && given.at(i + 1) == parser.value(name))
                ++i;
        }
        arguments << QStringLiteral("--target") << which;
        QFile load(QStringLiteral("/proc/loadavg"));
        load.open(QIODevice::ReadOnly);
        std::printf("=== %s (load average %s) ===\n", which == u"node" ? "Node reference (seed design)" : "control-nuc",
                    load.readAll().trimmed().constData());
        std::fflush(stdout);
        QProcess run;
        run.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        run.start(QCoreApplication::applicationFilePath(), arguments);
        run.waitForFinished(-1);
        const QString text = QString::fromUtf8(run.readAllStandardOutput());
        std::fputs(qPrintable(text), stdout);
        outputs.append(text.split(QLatin1Char('\n')));
        if (run.exitStatus() != QProcess::NormalExit || run.exitCode() != 0)
            rc = run.exitCode() ? run.exitCode() : 1;
    }
    std::printf("=== side by side (same run) ===\n");
    for (const QString &line : std::as_const(outputs.at(0))) {
        const auto [what, nuc] = figure(line);
        if (what.isEmpty())
            continue;
        QString node = QStringLiteral("—");
        for (const QString &other : std::as_const(outputs.at(1))) {
            if (figure(other).first == what)
                node = figure(other).second;
        }
        std::printf("  %s\n    control-nuc:    %s\n    Node reference: %s\n", qPrintable(what), qPrintable(nuc), qPrintable(node));
    }
    return rc;
}

// Starts the controller of this run in `process`: `binary` with
// `nucArguments`, or the Node reference given the same root, cloud URL,
// controller id and token.
inline void start(QProcess &process, const QString &binary, const QStringList &nucArguments)
{
    if (!isNodeReference()) {
        process.start(binary, nucArguments);
        return;
    }
    QStringList arguments{QStringLiteral(NODE_REFERENCE_DIR "/main.js")};
    for (const char *option : {"--root", "--cloud-url", "--controller-id", "--token"}) {
        const qsizetype at = nucArguments.indexOf(QLatin1String(option));
        if (at >= 0 && at + 1 < nucArguments.size())
            arguments << QLatin1String(option) << nucArguments.at(at + 1);
    }
    arguments << selection().nodeArguments;
    std::printf("measuring the Node reference (seed design): node %s\n", qPrintable(arguments.join(QLatin1Char(' '))));
    std::fflush(stdout);
    process.start(QStringLiteral("node"), arguments);
}

} // namespace BenchTarget
