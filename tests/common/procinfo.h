// What /proc says about processes, for tests and benchmarks of the driver
// hosts (children of control-nuc), and about the machine's load.
#pragma once

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QList>
#include <QString>
#include <QStringList>

#include <unistd.h>

namespace ProcInfo {

// The fields of /proc/PID/stat after the command name: state, ppid, ...
// (the name may hold spaces, so they start after the last ')').
inline QList<QByteArray> statFields(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return {};
    const QByteArray text = stat.readAll();
    return text.mid(text.lastIndexOf(')') + 2).split(' ');
}

// Running and not a zombie (ended, not yet reaped: it holds no memory).
inline bool isAlive(qint64 pid)
{
    const QList<QByteArray> fields = statFields(pid);
    return !fields.isEmpty() && fields.at(0) != "Z";
}

// Live children of `parent` (this kernel has no /proc/PID/task/*/children).
inline QList<qint64> childrenOf(qint64 parent)
{
    QList<qint64> children;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool numeric = false;
        const qint64 pid = entry.toLongLong(&numeric);
        if (!numeric)
            continue;
        const QList<QByteArray> fields = statFields(pid);
        if (fields.size() > 1 && fields.at(0) != "Z" && fields.at(1).toLongLong() == parent)
            children << pid;
    }
    return children;
}

// The command line as ps shows it: arguments joined by spaces. (A host the
// launcher forked writes its arguments as one such string, hostlaunchloop.cpp.)
inline QString commandLine(qint64 pid)
{
    QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (!cmdline.open(QIODevice::ReadOnly))
        return {};
    QByteArray text = cmdline.readAll();
    while (text.endsWith('\0'))
        text.chop(1);
    return QString::fromLocal8Bit(text.replace('\0', ' '));
}

// CPU time (user + system) a process has used so far, in seconds.
inline double cpuSeconds(qint64 pid)
{
    // From the state (field 3): utime and stime are fields 14 and 15.
    const QList<QByteArray> fields = statFields(pid);
    return (fields.value(11).toDouble() + fields.value(12).toDouble()) / double(::sysconf(_SC_CLK_TCK));
}

// The same for `pid` and its live children (driver hosts, or the Node
// reference's sqlite3 shell).
inline double treeCpuSeconds(qint64 pid)
{
    double total = cpuSeconds(pid);
    for (qint64 child : childrenOf(pid))
        total += cpuSeconds(child);
    return total;
}

// The load averages over 1, 5 and 15 minutes ("0.52 0.61 0.70"; "?" when
// /proc/loadavg cannot be read): benchmarks print them around their
// figures, as the machine may be busy with other work.
inline QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    return f.open(QIODevice::ReadOnly) ? QString::fromLatin1(f.readAll()).section(u' ', 0, 2) : QStringLiteral("?");
}

} // namespace ProcInfo
