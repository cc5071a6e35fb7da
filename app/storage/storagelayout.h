// The controller's folders under its root (the seed's layout):
//   <root>/var/drivers/{driver_type}.js, <root>/var/database.sqlite,
//   <root>/logs/driver-sync.log
#pragma once

#include <QString>

class StorageLayout
{
public:
    explicit StorageLayout(const QString &root);

    QString root() const { return m_root; }
    QString varDir() const;
    QString driversDir() const;
    QString logsDir() const;
    QString databasePath() const;
    QString syncLogPath() const;
    QString driverFilePath(const QString &driverType) const;

    // Creates the folders with owner-only permissions (0700) and tightens
    // existing files to 0600. Checks that the root is writable. Returns an
    // empty string on success, else one line saying what is wrong.
    QString prepare() const;

    // Removes temporary files a crash left in the drivers folder.
    int removeStaleTemporaryFiles() const;

    static constexpr const char *temporarySuffix = ".tmp";

private:
    QString m_root;
};
