#include "hosts/hostcgroups.h"

#include "core/logcategories.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// cgroupfs takes one value per write(): unbuffered, so that it is one.
bool writeValue(const QString &path, const QByteArray &value, QString *error)
{
    QFile f(path);
    if (f.open(QIODevice::WriteOnly | QIODevice::Unbuffered) && f.write(value) == value.size())
        return true;
    *error = QStringLiteral("cannot write %1 to %2: %3").arg(QString::fromLatin1(value), path, f.errorString());
    return false;
}

} // namespace

QString HostCgroups::unifiedPath(const QByteArray &procSelfCgroup)
{
    for (const QByteArray &line : procSelfCgroup.split('\n')) {
        if (line.startsWith("0::"))
            return QString::fromUtf8(line.mid(3));
    }
    return {};
}

QString HostCgroups::cgroup2Mount(const QByteArray &mountinfo)
{
    // "36 25 0:31 / /sys/fs/cgroup rw,... shared:9 - cgroup2 cgroup2 rw,...":
    // the mount point is field 5; the type follows the " - " separator.
    for (const QByteArray &line : mountinfo.split('\n')) {
        const qsizetype dash = line.indexOf(" - ");
        if (dash < 0 || !line.mid(dash + 3).startsWith("cgroup2 "))
            continue;
        const QList<QByteArray> fields = line.left(dash).split(' ');
        if (fields.size() > 4)
            return QString::fromUtf8(fields.at(4));
    }
    return {};
}

QString HostCgroups::findDelegatedDir()
{
    const QString configured = qEnvironmentVariable("NUC_CGROUP_DIR");
    if (configured == u"off")
        return {};
    if (!configured.isEmpty())
        return configured;
    const QString path = unifiedPath(readAll(QStringLiteral("/proc/self/cgroup")));
    const QString mount = cgroup2Mount(readAll(QStringLiteral("/proc/self/mountinfo")));
    if (path.isEmpty() || mount.isEmpty())
        return {};   // cgroup v1, or v2 without the unified hierarchy mounted
    // Only a service's own cgroup: a controller started from a shell (a
    // test, a technician) must not rearrange the session's cgroups.
    if (!path.endsWith(QStringLiteral(".service")))
        return {};
    const QString dir = QDir::cleanPath(mount + QLatin1Char('/') + path);
    // Delegated (Delegate=yes): the directory belongs to the service's user,
    // and the memory controller is available in it.
    const QByteArray available = readAll(dir + QStringLiteral("/cgroup.controllers"));
    if (::access(QFile::encodeName(dir + QStringLiteral("/cgroup.subtree_control")).constData(), W_OK) != 0
        || !available.split(' ').contains("memory") && !available.split(' ').contains("memory\n"))
        return {};
    return dir;
}

HostCgroups::HostCgroups(const QString &dir) : m_dir(dir)
{
}

bool HostCgroups::setUp(QString *error)
{
    if (m_dir.isEmpty()) {
        *error = QStringLiteral("no delegated cgroup v2 directory");
        return false;
    }
    const QString leaf = m_dir + QStringLiteral("/controller");
    if (!QDir().mkpath(leaf)) {
        *error = QStringLiteral("cannot make %1").arg(leaf);
        return false;
    }
    // Every process of the directory (the controller, and whatever the unit
    // started beside it) moves to the leaf, one pid per write.
    for (const QByteArray &pid : readAll(m_dir + QStringLiteral("/cgroup.procs")).split('\n')) {
        if (!pid.trimmed().isEmpty() && !writeValue(leaf + QStringLiteral("/cgroup.procs"), pid.trimmed(), error))
            return false;
    }
    if (!writeValue(m_dir + QStringLiteral("/cgroup.subtree_control"), "+memory", error))
        return false;
    m_active = true;
    return true;
}

QString HostCgroups::hostDir(const QString &name) const
{
    static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9_.-]"));
    return m_dir + QStringLiteral("/host-") + QString(name).replace(unsafe, QStringLiteral("_"));
}

bool HostCgroups::place(const QString &name, qint64 pid, qint64 limitBytes, QString *error)
{
    if (!m_active) {
        *error = QStringLiteral("cgroup limits are not active");
        return false;
    }
    const QString dir = hostDir(name);
    if (!QDir().mkpath(dir)) {
        *error = QStringLiteral("cannot make %1").arg(dir);
        return false;
    }
    // No swap: a host over its limit is ended, not slowed down to disk speed.
    const QString swap = dir + QStringLiteral("/memory.swap.max");
    if (!setLimit(name, limitBytes, error) || (QFileInfo::exists(swap) && !writeValue(swap, "0", error)))
        return false;
    return writeValue(dir + QStringLiteral("/cgroup.procs"), QByteArray::number(pid), error);
}

bool HostCgroups::setLimit(const QString &name, qint64 limitBytes, QString *error)
{
    return m_active && writeValue(hostDir(name) + QStringLiteral("/memory.max"), QByteArray::number(limitBytes), error);
}

bool HostCgroups::oomKilled(const QString &name) const
{
    if (!m_active)
        return false;
    for (const QByteArray &line : readAll(hostDir(name) + QStringLiteral("/memory.events")).split('\n')) {
        if (line.startsWith("oom_kill "))
            return line.mid(9).trimmed().toLongLong() > 0;
    }
    return false;
}

void HostCgroups::release(const QString &name)
{
    // rmdir succeeds only on an empty cgroup: the host was reaped first.
    if (m_active && ::rmdir(QFile::encodeName(hostDir(name)).constData()) != 0 && errno != ENOENT)
        qCDebug(lcRuntime).noquote() << "cannot remove" << hostDir(name) << std::strerror(errno);
}
