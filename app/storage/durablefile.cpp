#include "storage/durablefile.h"

#include "storage/storagelayout.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace {

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

} // namespace

QString DurableFile::writeTemporary(const QString &dir, const QString &stem, const QByteArray &bytes,
                                    QString *tempPath, Sync sync)
{
    QByteArray pattern = QFile::encodeName(dir + QStringLiteral("/.") + stem + QStringLiteral(".XXXXXX"))
        + StorageLayout::temporarySuffix;
    const int suffixLength = int(std::strlen(StorageLayout::temporarySuffix));
    const int fd = ::mkostemps(pattern.data(), suffixLength, O_CLOEXEC);   // creates with mode 0600
    if (fd < 0)
        return QStringLiteral("cannot create a temporary file in %1: %2").arg(dir, errnoText());
    const QString path = QFile::decodeName(pattern);

    const char *data = bytes.constData();
    qsizetype left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, data, size_t(left));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const QString error = QStringLiteral("cannot write %1: %2").arg(path, errnoText());
            ::close(fd);
            ::unlink(pattern.constData());
            return error;
        }
        data += n;
        left -= n;
    }
    if (sync == Sync::Now && ::fsync(fd) != 0) {
        const QString error = QStringLiteral("cannot fsync %1: %2").arg(path, errnoText());
        ::close(fd);
        ::unlink(pattern.constData());
        return error;
    }
    if (::close(fd) != 0) {
        const QString error = QStringLiteral("cannot close %1: %2").arg(path, errnoText());
        ::unlink(pattern.constData());
        return error;
    }
    *tempPath = path;
    return {};
}

QString DurableFile::syncDirectory(const QString &dir)
{
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return QStringLiteral("cannot open folder %1: %2").arg(dir, errnoText());
    const bool ok = ::fsync(fd) == 0;
    const QString error = ok ? QString() : QStringLiteral("cannot fsync folder %1: %2").arg(dir, errnoText());
    ::close(fd);
    return error;
}

QString DurableFile::syncFile(const QString &path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return QStringLiteral("cannot open %1: %2").arg(path, errnoText());
    const bool ok = ::fsync(fd) == 0;
    const QString error = ok ? QString() : QStringLiteral("cannot fsync %1: %2").arg(path, errnoText());
    ::close(fd);
    return error;
}

QString DurableFile::commit(const QString &tempPath, const QString &finalPath, Sync sync)
{
    if (::rename(QFile::encodeName(tempPath).constData(), QFile::encodeName(finalPath).constData()) != 0)
        return QStringLiteral("cannot rename %1 to %2: %3").arg(tempPath, finalPath, errnoText());
    return sync == Sync::Now ? syncDirectory(QFileInfo(finalPath).absolutePath()) : QString();
}

QString DurableFile::replace(const QString &finalPath, const QByteArray &bytes)
{
    const QFileInfo info(finalPath);
    QString temp;
    QString error = writeTemporary(info.absolutePath(), info.fileName(), bytes, &temp);
    if (!error.isEmpty())
        return error;
    error = commit(temp, finalPath);
    if (!error.isEmpty())
        ::unlink(QFile::encodeName(temp).constData());
    return error;
}

QString DurableFile::remove(const QString &path)
{
    if (::unlink(QFile::encodeName(path).constData()) != 0 && errno != ENOENT)
        return QStringLiteral("cannot remove %1: %2").arg(path, errnoText());
    return syncDirectory(QFileInfo(path).absolutePath());
}

QString DurableFile::growWithZeros(const QString &path, qint64 bytes)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return QStringLiteral("cannot open %1: %2").arg(path, errnoText());
    QString error;
    struct stat st {};
    struct statvfs fs {};
    if (::fstat(fd, &st) != 0) {
        error = QStringLiteral("cannot read the size of %1: %2").arg(path, errnoText());
    } else if (const qint64 growth = bytes - qint64(st.st_size); growth > 0) {
        const qint64 free = ::fstatvfs(fd, &fs) == 0 ? qint64(fs.f_bavail) * qint64(fs.f_frsize) : -1;
        if (free >= 0 && free < 4 * growth)
            error = QStringLiteral("only %1 MB free beside %2: left to the data").arg(free / 1000000).arg(path);
        const QByteArray zeros(1 << 20, '\0');
        for (qint64 at = st.st_size; at < bytes && error.isEmpty();) {
            const ssize_t n = ::pwrite(fd, zeros.constData(), size_t(std::min<qint64>(zeros.size(), bytes - at)), at);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                error = QStringLiteral("cannot write %1: %2").arg(path, errnoText());
            else
                at += n;
        }
        if (error.isEmpty() && ::fdatasync(fd) != 0)
            error = QStringLiteral("cannot fdatasync %1: %2").arg(path, errnoText());
    }
    ::close(fd);
    return error;
}
