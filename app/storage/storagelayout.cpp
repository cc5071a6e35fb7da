#include "storage/storagelayout.h"

#include "core/logcategories.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

StorageLayout::StorageLayout(const QString &root)
    : m_root(QDir::cleanPath(QFileInfo(root).absoluteFilePath()))
{
}

QString StorageLayout::varDir() const { return m_root + QStringLiteral("/var"); }
QString StorageLayout::driversDir() const { return varDir() + QStringLiteral("/drivers"); }
QString StorageLayout::logsDir() const { return m_root + QStringLiteral("/logs"); }
QString StorageLayout::databasePath() const { return varDir() + QStringLiteral("/database.sqlite"); }
QString StorageLayout::syncLogPath() const { return logsDir() + QStringLiteral("/driver-sync.log"); }

QString StorageLayout::driverFilePath(const QString &driverType) const
{
    return driversDir() + QLatin1Char('/') + driverType + QStringLiteral(".js");
}

namespace {

QString makePrivateDir(const QString &path)
{
    const QByteArray native = QFile::encodeName(path);
    if (::mkdir(native.constData(), 0700) != 0 && errno != EEXIST) {
        return QStringLiteral("cannot create folder %1 (is the root writable?): %2")
            .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
    }
    struct stat st {};
    if (::stat(native.constData(), &st) != 0 || !S_ISDIR(st.st_mode))
        return QStringLiteral("%1 exists but is not a folder").arg(path);
    if ((st.st_mode & 0777) != 0700 && ::chmod(native.constData(), 0700) != 0)
        return QStringLiteral("cannot restrict %1 to its owner: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
    if (::access(native.constData(), W_OK | X_OK) != 0)
        return QStringLiteral("folder %1 is not writable").arg(path);
    return {};
}

} // namespace

QString StorageLayout::prepare() const
{
    // The root itself may be shared (e.g. /opt/control-system holds binaries
    // too); create it when missing, but only our own folders are made private.
    // Only var/ and logs/ must be writable (an installed root is read-only
    // to the service: ProtectSystem=strict with ReadWritePaths).
    if (!QDir().mkpath(m_root))
        return QStringLiteral("cannot create root folder %1").arg(m_root);

    for (const QString &dir : {varDir(), driversDir(), logsDir()}) {
        const QString problem = makePrivateDir(dir);
        if (!problem.isEmpty())
            return problem;
    }
    for (const QString &dir : {varDir(), driversDir(), logsDir()}) {
        QDirIterator it(dir, QDir::Files | QDir::Hidden);
        while (it.hasNext()) {
            const QByteArray native = QFile::encodeName(it.next());
            struct stat st {};
            if (::stat(native.constData(), &st) == 0 && (st.st_mode & 0077) != 0)
                ::chmod(native.constData(), st.st_mode & 0700);
        }
    }
    return {};
}

int StorageLayout::removeStaleTemporaryFiles() const
{
    int removed = 0;
    QDirIterator it(driversDir(), {QStringLiteral("*") + QLatin1String(temporarySuffix)}, QDir::Files | QDir::Hidden);
    while (it.hasNext()) {
        const QString path = it.next();
        if (QFile::remove(path)) {
            ++removed;
            qCInfo(lcStorage) << "removed stale temporary file" << path;
        }
    }
    return removed;
}
