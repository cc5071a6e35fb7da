// A list filter for QML: keeps the rows whose role `filterRoleName` equals
// `filterValue` (an empty value keeps every row).
#pragma once

#include <QSortFilterProxyModel>
#include <QtQml/qqmlregistration.h>

class FilterProxyModel : public QSortFilterProxyModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString filterRoleName READ filterRoleName WRITE setFilterRoleName NOTIFY filterChanged)
    Q_PROPERTY(QString filterValue READ filterValue WRITE setFilterValue NOTIFY filterChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    explicit FilterProxyModel(QObject *parent = nullptr);

    QString filterRoleName() const { return m_roleName; }
    void setFilterRoleName(const QString &name);
    QString filterValue() const { return m_value; }
    void setFilterValue(const QString &value);
    int count() const { return rowCount(); }

signals:
    void filterChanged();
    void countChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    void updateRole();

    QString m_roleName;
    QString m_value;
    int m_role = -1;
};
