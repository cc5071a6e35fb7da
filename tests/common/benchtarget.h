// Which controller a benchmark measures: control-nuc, or the Node reference
// of the seed's design (tests/reference/node-controller, docs/performance.md
// "The Node reference (seed design), side by side"). A benchmark adds the
// options, lets select() handle them, and starts its controller with
// start() instead of QProcess::start:
//   --target control-nuc|node   what this run measures (default control-nuc)
//   --reference-node            both, in this run: the benchmark runs itself
//                               once per target, prints each run's output
//                               and then their figures next to each other
//   --rounds N                  with --reference-node: N runs of each,
//                               alternating (the machine's load shifts)
//   --reference-node-args ARGS  extra arguments for the Node reference
//                               (e.g. "--synchronous OFF")
#pragma once

#include "procinfo.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QStringList>

#include <algorithm>
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

inline void addOptions(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("target"), QStringLiteral("control-nuc or node (the Node reference)."), QStringLiteral("name"), QStringLiteral("control-nuc")});
    parser.addOption({QStringLiteral("reference-node"), QStringLiteral("Measure control-nuc and the Node reference side by side.")});
    parser.addOption({QStringLiteral("rounds"), QStringLiteral("With --reference-node: runs of each, alternating (default 1)."), QStringLiteral("n"), QStringLiteral("1")});
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
    static const QRegularExpression kind(QStringLiteral("median|CPU per|per device|memory with"));
    if (!m.hasMatch() || !line.contains(kind))
        return {};
    return {line.left(m.capturedStart()).trimmed(), line.mid(m.capturedStart()).remove(QRegularExpression(QStringLiteral("^:\\s*"))).trimmed()};
}

// The figure lines of one run's output: what → its figures, in order (a
// label printed twice, e.g. the disk floor before and after, twice).
inline QList<QPair<QString, QString>> figures(const QString &output)
{
    QList<QPair<QString, QString>> found;
    for (const QString &line : output.split(QLatin1Char('\n'))) {
        if (const auto f = figure(line); !f.first.isEmpty())
            found.append(f);
    }
    return found;
}

// This program's arguments without the options in `dropped` (and their
// values when given as the next argument).
inline QStringList argumentsWithout(const QCommandLineParser &parser, const QStringList &dropped)
{
    QStringList arguments;
    const QStringList given = QCoreApplication::arguments().mid(1);
    for (int i = 0; i < given.size(); ++i) {
        const QString &argument = given.at(i);
        const QString name = argument.section(QLatin1Char('='), 0, 0).remove(QRegularExpression(QStringLiteral("^-+")));
        if (!argument.startsWith(QLatin1Char('-')) || !dropped.contains(name)) {
            arguments << argument;
            continue;
        }
        if (!argument.contains(QLatin1Char('=')) && i + 1 < given.size() && !parser.value(name).isEmpty()
            && given.at(i + 1) == parser.value(name))
            ++i;
    }
    return arguments;
}

// --reference-node: runs this benchmark once per target and round
// (control-nuc, Node, control-nuc, Node, … so both see the same shifts in
// the shared machine's load; options in `nucOnly` only for control-nuc) and
// prints the figures side by side; returns the exit code, or -1 when this
// run is a single target. Refuses --target node with an option of
// `nucOnly` (exit 2).
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
    const int rounds = std::max(1, parser.value(QStringLiteral("rounds")).toInt());
    const QStringList common{QStringLiteral("reference-node"), QStringLiteral("target"), QStringLiteral("rounds")};
    QList<QList<QPair<QString, QString>>> found[2];   // per target, per round
    int rc = 0;
    for (int round = 1; round <= rounds; ++round) {
        for (int node = 0; node < 2; ++node) {
            QStringList arguments = argumentsWithout(parser, node ? common + nucOnly : common);
            arguments << QStringLiteral("--target") << QLatin1String(node ? "node" : "control-nuc");
            std::printf("=== %s, round %d of %d (load average %s) ===\n", node ? "Node reference (seed design)" : "control-nuc",
                        round, rounds, qPrintable(ProcInfo::loadAverage()));
            std::fflush(stdout);
            QProcess run;
            run.setProcessChannelMode(QProcess::ForwardedErrorChannel);
            run.start(QCoreApplication::applicationFilePath(), arguments);
            run.waitForFinished(-1);
            const QString text = QString::fromUtf8(run.readAllStandardOutput());
            std::fputs(qPrintable(text), stdout);
            found[node].append(figures(text));
            if (run.exitStatus() != QProcess::NormalExit || run.exitCode() != 0)
                rc = run.exitCode() ? run.exitCode() : 1;
        }
    }
    std::printf("=== side by side (same run, %d round%s, alternating) ===\n", rounds, rounds > 1 ? "s" : "");
    for (qsizetype i = 0; i < found[0].value(0).size(); ++i) {
        const QString what = found[0][0].at(i).first;
        // The same occurrence of this label in each run.
        const qsizetype occurrence = std::count_if(found[0][0].cbegin(), found[0][0].cbegin() + i,
                                                   [&](const auto &f) { return f.first == what; });
        std::printf("  %s\n", qPrintable(what));
        for (int round = 0; round < rounds; ++round) {
            for (int node = 0; node < 2; ++node) {
                QString value = QStringLiteral("—");
                qsizetype seen = 0;
                for (const auto &f : std::as_const(found[node][round])) {
                    if (f.first == what && seen++ == occurrence)
                        value = f.second;
                }
                std::printf("    %-18s %s\n", qPrintable(QStringLiteral("%1 #%2:").arg(QLatin1String(node ? "Node reference" : "control-nuc")).arg(round + 1)),
                            qPrintable(value));
            }
        }
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
    QStringList arguments{QStringLiteral(NODE_REFERENCE_DIR "/main.js"), QStringLiteral("--exit-with-stdin")};
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
