#include "models/devicelistmodel.h"

#include "devices/devicemanager.h"

#include <algorithm>

DeviceListModel::DeviceListModel(DeviceManager *manager, QObject *parent)
    : QAbstractListModel(parent), m_manager(manager)
{
    for (const Device *device : m_manager->devices())
        m_ids.append(device->id());
    m_ids.sort();

    connect(m_manager, &DeviceManager::deviceAdded, this, [this](const QString &id) {
        if (m_ids.contains(id))
            return;
        const auto at = std::lower_bound(m_ids.begin(), m_ids.end(), id);
        const int row = int(at - m_ids.begin());
        beginInsertRows({}, row, row);
        m_ids.insert(row, id);
        endInsertRows();
        emit countChanged();
        emit statusCountsChanged();
    });
    connect(m_manager, &DeviceManager::deviceRemoved, this, [this](const QString &id) {
        const int row = int(m_ids.indexOf(id));
        if (row < 0)
            return;
        beginRemoveRows({}, row, row);
        m_ids.removeAt(row);
        endRemoveRows();
        emit countChanged();
        emit statusCountsChanged();
    });
    connect(m_manager, &DeviceManager::deviceChanged, this, [this](const QString &id) {
        const int row = int(m_ids.indexOf(id));
        if (row < 0)
            return;
        emit dataChanged(index(row), index(row));
        emit statusCountsChanged();
    });
}

int DeviceListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ids.size());
}

QVariant DeviceListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_ids.size())
        return {};
    const Device *device = m_manager->device(m_ids.at(index.row()));
    if (!device)
        return {};
    switch (role) {
    case DeviceIdRole: return device->id();
    case Qt::DisplayRole:
    case NameRole: return device->record().name;
    case TypeRole: return device->record().type;
    case StatusRole: return device->status();
    case MessageRole: return device->message();
    case StateRole: return device->state().toVariantMap();
    case LastChangeRole: return device->lastChange();
    case SinceRole: return device->since();
    case RoomRole: return device->record().room;
    case StateCurrentRole: return device->isStateCurrent();
    default: return {};
    }
}

QHash<int, QByteArray> DeviceListModel::roleNames() const
{
    return {{DeviceIdRole, "deviceId"}, {NameRole, "name"},       {TypeRole, "type"},
            {StatusRole, "status"},     {MessageRole, "message"}, {StateRole, "state"},
            {LastChangeRole, "lastChange"}, {SinceRole, "since"},     {RoomRole, "room"},
            {StateCurrentRole, "stateCurrent"}};
}

int DeviceListModel::countWithStatus(const QString &status) const
{
    int count = 0;
    for (const QString &id : m_ids) {
        if (const Device *device = m_manager->device(id); device && device->status() == status)
            ++count;
    }
    return count;
}
