// The event log for the dashboard, newest first: the last `limit` events
// (of one device with `deviceFilter`), read from the database without
// blocking and followed live. Made in QML, one per view.
#pragma once

#include "events/event.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

class Dashboard;
class EventLog;

class EventLogModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT

    Q_PROPERTY(Dashboard *dashboard READ dashboard WRITE setDashboard NOTIFY dashboardChanged)
    Q_PROPERTY(QString deviceFilter READ deviceFilter WRITE setDeviceFilter NOTIFY deviceFilterChanged)
    Q_PROPERTY(int limit READ limit WRITE setLimit NOTIFY limitChanged)
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    // Reading from the database (after a filter change).
    Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)

public:
    enum Roles {
        KindRole = Qt::UserRole + 1,
        DeviceIdRole,
        TextRole,      // in the installed language
        ToneRole,      // a status for the colour and symbol (EventText::tone)
        AtRole,
        TimeTextRole,  // date and time in the chosen language's format
    };

    explicit EventLogModel(QObject *parent = nullptr);

    Dashboard *dashboard() const { return m_dashboard; }
    void setDashboard(Dashboard *dashboard);
    QString deviceFilter() const { return m_deviceFilter; }
    void setDeviceFilter(const QString &deviceId);
    int limit() const { return m_limit; }
    void setLimit(int limit);
    bool loading() const { return m_generation != m_loaded; }

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

signals:
    void dashboardChanged();
    void deviceFilterChanged();
    void limitChanged();
    void countChanged();
    void loadingChanged();

private:
    void reload();
    void onRecorded(const Event &event);
    bool matches(const Event &event) const;

    QPointer<Dashboard> m_dashboard;
    EventLog *m_log = nullptr;
    QString m_deviceFilter;
    int m_limit = 300;
    QList<Event> m_events;
    QList<Event> m_arrivedWhileLoading;   // newer than the read in flight
    int m_generation = 0;
    int m_loaded = 0;
};
