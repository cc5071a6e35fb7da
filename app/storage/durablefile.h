// Crash-safe file replacement: write a temporary file beside the target,
// fsync it, rename it over the target, fsync the folder.
#pragma once

#include <QByteArray>
#include <QString>

class DurableFile
{
public:
    enum class Sync { Now, Later };

    // Writes `bytes` to a new temporary file (mode 0600) in `dir` whose name
    // starts with `stem` and ends in StorageLayout::temporarySuffix, and
    // fsyncs it (Sync::Later: the caller calls syncFile() before commit()).
    // Returns the path in `*tempPath`; an error line otherwise.
    static QString writeTemporary(const QString &dir, const QString &stem, const QByteArray &bytes,
                                  QString *tempPath, Sync sync = Sync::Now);
    static QString syncFile(const QString &path);

    // Renames `tempPath` over `finalPath` and fsyncs the containing folder
    // (Sync::Later: the caller calls syncDirectory() itself).
    static QString commit(const QString &tempPath, const QString &finalPath, Sync sync = Sync::Now);

    // Both steps at once.
    static QString replace(const QString &finalPath, const QByteArray &bytes);

    // Removes `path` (and fsyncs the folder); returns an error line or empty.
    static QString remove(const QString &path);

    static QString syncDirectory(const QString &dir);

    // Appends zeros to the existing file `path` up to `bytes` and
    // fdatasyncs it (never creates, never shortens it); leaves it as it is
    // when its folder has less than four times the growth free. The caller
    // makes sure no one else appends meanwhile. Returns an error line or empty.
    static QString growWithZeros(const QString &path, qint64 bytes);
};
