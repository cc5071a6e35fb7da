#include "storage/rootlock.h"

#include "storage/storagelayout.h"

#include <QDir>

RootLock::RootLock() = default;

RootLock::~RootLock() = default;   // QLockFile's destructor unlocks

QString RootLock::acquire(const StorageLayout &layout)
{
    // Only the lock's own folder is made here; StorageLayout::prepare() does
    // the rest (and the permissions) once the root is ours.
    if (!QDir().mkpath(layout.root()))
        return QStringLiteral("cannot create root folder %1").arg(layout.root());
    if (!QDir().mkpath(layout.varDir()))
        return QStringLiteral("cannot create folder %1 (is the root writable?)").arg(layout.varDir());
    const QString path = layout.varDir() + QLatin1Char('/') + fileName();
    m_lock = std::make_unique<QLockFile>(path);
    // Held for the whole run, so never stale by age. QLockFile still takes
    // over a lock whose pid is no longer running this program (kill -9, a
    // crash): it checks the pid and the process name written in the file.
    m_lock->setStaleLockTime(0);
    if (m_lock->tryLock(0))
        return {};
    switch (m_lock->error()) {
    case QLockFile::LockFailedError: {
        qint64 pid = 0;
        QString host;
        QString app;
        if (m_lock->getLockInfo(&pid, &host, &app))
            return QStringLiteral("the root %1 is in use by another control-nuc (pid %2 on %3); lock %4")
                .arg(layout.root()).arg(pid).arg(host, path);
        return QStringLiteral("the root %1 is in use by another control-nuc; lock %2").arg(layout.root(), path);
    }
    case QLockFile::PermissionError:
        return QStringLiteral("cannot create the lock %1: permission denied").arg(path);
    default:
        return QStringLiteral("cannot take the lock %1").arg(path);
    }
}
