#include "models/driverlistmodel.h"

#include "devices/devicemanager.h"
#include "core/logcategories.h"
#include "storage/database.h"

#include <QDateTime>

#include <algorithm>

DriverListModel::DriverListModel(Database *database, DeviceManager *devices, QObject *parent)
    : QAbstractListModel(parent), m_database(database), m_devices(devices)
{
    connect(m_devices, &DeviceManager::deviceAdded, this, &DriverListModel::refresh);
    connect(m_devices, &DeviceManager::deviceRemoved, this, &DriverListModel::refresh);
    connect(m_devices, &DeviceManager::deviceRetyped, this, &DriverListModel::refresh);
    refresh();
}

int DriverListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DriverListModel::place(const QString &driverType, bool *present) const
{
    const auto at = std::lower_bound(m_rows.cbegin(), m_rows.cend(), driverType,
                                     [](const std::shared_ptr<Row> &row, const QString &type) { return row->driver.driverType < type; });
    const int i = int(at - m_rows.cbegin());
    *present = i < m_rows.size() && m_rows.at(i)->driver.driverType == driverType;
    return i;
}

int DriverListModel::rowOf(const QString &driverType) const
{
    bool present = false;
    const int i = place(driverType, &present);
    return present ? i : -1;
}

QVariant DriverListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &row = *m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case DriverTypeRole: return row.driver.driverType;
    case VersionRole: return row.driver.version;
    case ProtocolRole: return row.driver.protocolType;
    case SyncedAtRole: {
        QDateTime t = QDateTime::fromString(row.driver.syncedAt, QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        t.setTimeSpec(Qt::UTC);
        return t;
    }
    case StatusRole: return row.driver.status;
    case DeviceCountRole: return row.deviceCount;
    case SyncIdRole: return row.driver.syncId;
    default: return {};
    }
}

QHash<int, QByteArray> DriverListModel::roleNames() const
{
    return {{DriverTypeRole, "driverType"}, {VersionRole, "version"},         {ProtocolRole, "protocol"},
            {SyncedAtRole, "syncedAt"},     {StatusRole, "status"},           {DeviceCountRole, "deviceCount"},
            {SyncIdRole, "syncId"}};
}

void DriverListModel::refreshDriver(const QString &driverType)
{
    if (!m_database->isOpen())
        return;
    QString error;
    const std::optional<DriverRecord> record = DriverRepository(m_database->connection()).findMetadata(driverType, &error);
    if (!error.isEmpty()) {
        qCWarning(lcStorage) << "cannot read driver" << driverType << "for the dashboard:" << error;
        return;
    }
    bool present = false;
    const int i = place(driverType, &present);
    if (!record) {
        if (present) {
            beginRemoveRows({}, i, i);
            m_rows.removeAt(i);
            endRemoveRows();
            emit countChanged();
        }
        return;
    }
    const Row row{*record, m_devices->deviceCount(driverType)};
    if (!present) {
        beginInsertRows({}, i, i);
        m_rows.insert(i, std::make_shared<Row>(row));
        endInsertRows();
        emit countChanged();
    } else if (!(*m_rows.at(i) == row)) {
        m_rows[i] = std::make_shared<Row>(row);
        emit dataChanged(index(i), index(i));
    }
}

void DriverListModel::refreshDeviceCount(const QString &driverType)
{
    bool present = false;
    const int i = place(driverType, &present);
    if (!present)
        return;   // its row comes with the driver's activation
    const int count = m_devices->deviceCount(driverType);
    if (m_rows.at(i)->deviceCount != count) {
        m_rows.at(i)->deviceCount = count;
        emit dataChanged(index(i), index(i), {DeviceCountRole});
    }
}

void DriverListModel::refresh()
{
    if (!m_database->isOpen())
        return;
    QString error;
    const QList<DriverRecord> records = DriverRepository(m_database->connection()).allMetadata(&error);
    if (!error.isEmpty()) {
        qCWarning(lcStorage) << "cannot list drivers for the dashboard:" << error;
        return;
    }
    const qsizetype before = m_rows.size();
    QList<std::shared_ptr<Row>> fresh;
    for (const DriverRecord &r : records)
        fresh.append(std::make_shared<Row>(Row{r, m_devices->deviceCount(r.driverType)}));

    // Merge by driver type (both lists are sorted): insert, remove, update.
    int i = 0;
    int j = 0;
    while (i < m_rows.size() || j < fresh.size()) {
        if (j >= fresh.size() || (i < m_rows.size() && m_rows.at(i)->driver.driverType < fresh.at(j)->driver.driverType)) {
            beginRemoveRows({}, i, i);
            m_rows.removeAt(i);
            endRemoveRows();
        } else if (i >= m_rows.size() || fresh.at(j)->driver.driverType < m_rows.at(i)->driver.driverType) {
            beginInsertRows({}, i, i);
            m_rows.insert(i, fresh.at(j));
            endInsertRows();
            ++i;
            ++j;
        } else {
            if (!(*m_rows.at(i) == *fresh.at(j))) {
                m_rows[i] = fresh.at(j);
                emit dataChanged(index(i), index(i));
            }
            ++i;
            ++j;
        }
    }
    if (m_rows.size() != before)
        emit countChanged();
}
