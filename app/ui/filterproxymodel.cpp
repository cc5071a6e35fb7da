#include "ui/filterproxymodel.h"

FilterProxyModel::FilterProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    connect(this, &QAbstractItemModel::rowsInserted, this, &FilterProxyModel::countChanged);
    connect(this, &QAbstractItemModel::rowsRemoved, this, &FilterProxyModel::countChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &FilterProxyModel::countChanged);
    connect(this, &QAbstractItemModel::layoutChanged, this, &FilterProxyModel::countChanged);
    connect(this, &QAbstractProxyModel::sourceModelChanged, this, [this] {
        updateRole();
        invalidate();
        emit countChanged();
    });
    setDynamicSortFilter(true);
    // Column 0, ascending: lessThan decides (the source's order without keys).
    sort(0);
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

void FilterProxyModel::setSearchText(const QString &text)
{
    if (text == m_search)
        return;
    m_search = text;
    invalidateFilter();
    emit filterChanged();
    emit countChanged();
}

void FilterProxyModel::setGroupByRoom(bool on)
{
    if (on == m_groupByRoom)
        return;
    m_groupByRoom = on;
    invalidate();
    emit orderChanged();
}

void FilterProxyModel::setSortByStatus(bool on)
{
    if (on == m_sortByStatus)
        return;
    m_sortByStatus = on;
    invalidate();
    emit orderChanged();
}

void FilterProxyModel::updateRole()
{
    m_role = sourceModel() ? role(m_roleName.toUtf8().constData()) : -1;
}

int FilterProxyModel::role(const char *name) const
{
    if (!sourceModel())
        return -1;
    return sourceModel()->roleNames().key(QByteArray(name), -1);
}

QVariant FilterProxyModel::valueAt(int row, const QString &roleName) const
{
    return data(index(row, 0), role(roleName.toUtf8().constData()));
}

bool FilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_value.isEmpty() && m_role >= 0 && sourceModel()->data(index, m_role).toString() != m_value)
        return false;
    const QString needle = m_search.trimmed();
    if (needle.isEmpty())
        return true;
    for (const char *name : {"name", "deviceId"}) {
        const int r = role(name);
        if (r >= 0 && sourceModel()->data(index, r).toString().contains(needle, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

namespace {

// Errors first: what needs the technician comes to the top.
int statusRank(const QString &status)
{
    if (status == u"error")
        return 0;
    if (status == u"disconnected")
        return 1;
    if (status == u"connecting")
        return 2;
    return status == u"connected" ? 3 : 4;
}

} // namespace

bool FilterProxyModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    auto value = [this](const QModelIndex &i, const char *name) { return sourceModel()->data(i, role(name)).toString(); };
    if (m_groupByRoom) {
        const QString a = value(left, "room");
        const QString b = value(right, "room");
        if (a.isEmpty() != b.isEmpty())
            return b.isEmpty();   // no room last
        if (const int c = a.localeAwareCompare(b); c != 0)
            return c < 0;
    }
    if (m_sortByStatus) {
        const int a = statusRank(value(left, "status"));
        const int b = statusRank(value(right, "status"));
        if (a != b)
            return a < b;
    }
    if (m_groupByRoom || m_sortByStatus) {
        if (const int c = value(left, "name").localeAwareCompare(value(right, "name")); c != 0)
            return c < 0;
    }
    return left.row() < right.row();
}
