// Crash-safe file replacement: write a temporary file beside the target,
// fsync it, rename it over the target, fsync the folder.
#pragma once

#include <QByteArray>
#include <QString>

class DurableFile
{
public:
    // Writes `bytes` to a new temporary file (mode 0600) in `dir` whose name
    // starts with `stem` and ends in StorageLayout::temporarySuffix, and
    // fsyncs it. Returns the path in `*tempPath`; an error line otherwise.
    static QString writeTemporary(const QString &dir, const QString &stem, const QByteArray &bytes,
                                  QString *tempPath);

    // Renames `tempPath` over `finalPath` and fsyncs the containing folder.
    static QString commit(const QString &tempPath, const QString &finalPath);

    // Both steps at once.
    static QString replace(const QString &finalPath, const QByteArray &bytes);

    // Removes `path` (and fsyncs the folder); returns an error line or empty.
    static QString remove(const QString &path);

    static QString syncDirectory(const QString &dir);
};
