#include "ui/filterproxymodel.h"

FilterProxyModel::FilterProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    connect(this, &QAbstractItemModel::rowsInserted, this, &FilterProxyModel::countChanged);
    connect(this, &QAbstractItemModel::rowsRemoved, this, &FilterProxyModel::countChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &FilterProxyModel::countChanged);
    connect(this, &QAbstractProxyModel::sourceModelChanged, this, [this] {
        updateRole();
        invalidateFilter();
        emit countChanged();
    });
    setDynamicSortFilter(true);
}

void FilterProxyModel::setFilterRoleName(const QString &name)
{
    if (name == m_roleName)
        return;
    m_roleName = name;
    updateRole();
    invalidateFilter();
    emit filterChanged();
    emit countChanged();
}

void FilterProxyModel::setFilterValue(const QString &value)
{
    if (value == m_value)
        return;
    m_value = value;
    invalidateFilter();
    emit filterChanged();
    emit countChanged();
}

void FilterProxyModel::updateRole()
{
    m_role = -1;
    if (!sourceModel())
        return;
    const QHash<int, QByteArray> roles = sourceModel()->roleNames();
    for (auto it = roles.cbegin(); it != roles.cend(); ++it) {
        if (it.value() == m_roleName.toUtf8()) {
            m_role = it.key();
            return;
        }
    }
}

bool FilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_value.isEmpty() || m_role < 0)
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    return sourceModel()->data(index, m_role).toString() == m_value;
}
