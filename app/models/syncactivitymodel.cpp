#include "models/syncactivitymodel.h"

#include "sync/driversyncservice.h"

SyncActivityModel::SyncActivityModel(DriverSyncService *sync, QObject *parent)
    : QAbstractListModel(parent)
{
    connect(sync, &DriverSyncService::syncStarted, this,
            [this](const QString &syncId, const QString &type, const QString &version) {
                const int row = ensureRow(syncId);
                m_entries[row].driverType = type;
                m_entries[row].version = version;
                changed(row);
            });
    connect(sync, &DriverSyncService::syncProgress, this, [this](const QString &syncId, const QString &step) {
        const int row = ensureRow(syncId);
        m_entries[row].step = step;
        changed(row);
    });
    connect(sync, &DriverSyncService::syncFinished, this, [this](const QString &type, const QJsonObject &data) {
        const QString syncId = data.value(QStringLiteral("sync_id")).toString();
        const int row = ensureRow(syncId.isEmpty() ? QStringLiteral("(no sync_id)") : syncId);
        Entry &e = m_entries[row];
        if (e.driverType.isEmpty())
            e.driverType = data.value(QStringLiteral("driver_type")).toString();
        if (e.version.isEmpty())
            e.version = data.value(QStringLiteral("version")).toString();
        e.outcome = type == u"driver_sync_complete" ? QStringLiteral("completed") : QStringLiteral("failed");
        e.errorMessage = data.value(QStringLiteral("error_message")).toString();
        e.finishedAt = QDateTime::currentDateTimeUtc();
        changed(row);
    });
}

int SyncActivityModel::rowOf(const QString &syncId) const
{
    for (int i = 0; i < m_entries.size(); ++i) {
        if (m_entries.at(i).syncId == syncId)
            return i;
    }
    return -1;
}

int SyncActivityModel::ensureRow(const QString &syncId)
{
    const int existing = rowOf(syncId);
    // A redelivered sync_id that already finished is shown as a new row.
    if (existing >= 0 && m_entries.at(existing).outcome == u"in_progress")
        return existing;
    beginInsertRows({}, 0, 0);
    Entry e;
    e.syncId = syncId;
    e.startedAt = QDateTime::currentDateTimeUtc();
    m_entries.prepend(e);
    endInsertRows();
    if (m_entries.size() > maxRows) {
        beginRemoveRows({}, int(m_entries.size()) - 1, int(m_entries.size()) - 1);
        m_entries.removeLast();
        endRemoveRows();
    }
    emit countChanged();
    return 0;
}

void SyncActivityModel::changed(int row)
{
    emit dataChanged(index(row), index(row));
}

int SyncActivityModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

QVariant SyncActivityModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size())
        return {};
    const Entry &e = m_entries.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case SyncIdRole: return e.syncId;
    case DriverTypeRole: return e.driverType;
    case VersionRole: return e.version;
    case StepRole: return e.step;
    case OutcomeRole: return e.outcome;
    case ErrorMessageRole: return e.errorMessage;
    case StartedAtRole: return e.startedAt;
    case FinishedAtRole: return e.finishedAt;
    default: return {};
    }
}

QHash<int, QByteArray> SyncActivityModel::roleNames() const
{
    return {{SyncIdRole, "syncId"},       {DriverTypeRole, "driverType"},     {VersionRole, "version"},
            {StepRole, "step"},           {OutcomeRole, "outcome"},           {ErrorMessageRole, "errorMessage"},
            {StartedAtRole, "startedAt"}, {FinishedAtRole, "finishedAt"}};
}
