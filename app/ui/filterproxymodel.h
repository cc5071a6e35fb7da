// A list filter for QML: keeps the rows whose role `filterRoleName` equals
// `filterValue` (an empty value keeps every row) and, with `searchText`,
// whose name or id contains it (case-insensitive). Sorting, for the
// devices list: by room first (`groupByRoom`, rooms by name, no room
// last), then by status with errors first (`sortByStatus`), then by name;
// with neither, rows keep the source's order.
#pragma once

#include <QSortFilterProxyModel>
#include <QtQml/qqmlregistration.h>

class FilterProxyModel : public QSortFilterProxyModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString filterRoleName READ filterRoleName WRITE setFilterRoleName NOTIFY filterChanged)
    Q_PROPERTY(QString filterValue READ filterValue WRITE setFilterValue NOTIFY filterChanged)
    Q_PROPERTY(QString searchText READ searchText WRITE setSearchText NOTIFY filterChanged)
    Q_PROPERTY(bool groupByRoom READ groupByRoom WRITE setGroupByRoom NOTIFY orderChanged)
    Q_PROPERTY(bool sortByStatus READ sortByStatus WRITE setSortByStatus NOTIFY orderChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    explicit FilterProxyModel(QObject *parent = nullptr);

    QString filterRoleName() const { return m_roleName; }
    void setFilterRoleName(const QString &name);
    QString filterValue() const { return m_value; }
    void setFilterValue(const QString &value);
    QString searchText() const { return m_search; }
    void setSearchText(const QString &text);
    bool groupByRoom() const { return m_groupByRoom; }
    void setGroupByRoom(bool on);
    bool sortByStatus() const { return m_sortByStatus; }
    void setSortByStatus(bool on);
    int count() const { return rowCount(); }

    // The value of role `roleName` in row `row` of this (filtered, sorted) list.
    Q_INVOKABLE QVariant valueAt(int row, const QString &roleName) const;

signals:
    void filterChanged();
    void orderChanged();
    void countChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    void updateRole();
    int role(const char *name) const;

    QString m_roleName;
    QString m_value;
    QString m_search;
    bool m_groupByRoom = false;
    bool m_sortByStatus = false;
    int m_role = -1;
};
