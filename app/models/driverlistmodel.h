// The installed drivers, for the dashboard: one row per driver_type with its
// version, protocol, last sync, status and the number of devices using it.
#pragma once

#include "storage/driverrepository.h"

#include <QAbstractListModel>
#include <QList>

#include <memory>

class Database;
class DeviceManager;

class DriverListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Roles {
        DriverTypeRole = Qt::UserRole + 1,
        VersionRole,
        ProtocolRole,
        SyncedAtRole,      // QDateTime (UTC)
        StatusRole,
        DeviceCountRole,
        SyncIdRole,
    };
    Q_ENUM(Roles)

    DriverListModel(Database *database, DeviceManager *devices, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int rowOf(const QString &driverType) const;

public slots:
    // Re-reads the drivers table; rows are inserted, removed or changed as needed.
    void refresh();
    // Re-reads one driver's row (metadata only), inserting it when new.
    void refreshDriver(const QString &driverType);
    // Only the number of devices of that driver changed (a reload): no query.
    void refreshDeviceCount(const QString &driverType);

signals:
    void countChanged();

private:
    struct Row
    {
        DriverRecord driver;
        int deviceCount = 0;
        bool operator==(const Row &o) const
        {
            return driver.driverType == o.driver.driverType && driver.version == o.driver.version
                && driver.protocolType == o.driver.protocolType && driver.syncedAt == o.driver.syncedAt
                && driver.status == o.driver.status && driver.syncId == o.driver.syncId && deviceCount == o.deviceCount;
        }
    };

    // Where driverType's row is or would go; `present` says which.
    int place(const QString &driverType, bool *present) const;

    Database *m_database;
    DeviceManager *m_devices;
    // Sorted by driver type. Held by pointer: inserting the row of a new
    // driver moves the others' pointers, not their texts (the list grows
    // with the installed drivers; a sync adds one row).
    QList<std::shared_ptr<Row>> m_rows;
};
