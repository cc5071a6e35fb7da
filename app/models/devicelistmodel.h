// Every device with its live status, for the dashboard: one row per device,
// updated from the DeviceManager as things change.
#pragma once

#include <QAbstractListModel>
#include <QHash>
#include <QStringList>

class DeviceManager;

class DeviceListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Roles {
        DeviceIdRole = Qt::UserRole + 1,
        NameRole,
        TypeRole,
        StatusRole,
        MessageRole,
        StateRole,        // QVariantMap from the driver's setState()
        LastChangeRole,   // QDateTime (UTC) of the last status change
        SinceRole,        // QDateTime (UTC): up since, or down since (Device::since)
        RoomRole,         // where it is; may be empty
        StateCurrentRole, // false: StateRole is the last known state from before it went down
    };
    Q_ENUM(Roles)

    explicit DeviceListModel(DeviceManager *manager, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int rowOf(const QString &deviceId) const { return m_ids.indexOf(deviceId); }
    // Devices per status ("connected" → 3, ...).
    Q_INVOKABLE int countWithStatus(const QString &status) const;

signals:
    void countChanged();
    void statusCountsChanged();

private:
    DeviceManager *m_manager;
    QStringList m_ids;   // rows, sorted by device id
};
