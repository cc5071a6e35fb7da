#include "ui/eventlogmodel.h"

#include "controller/controller.h"
#include "events/eventlog.h"
#include "events/eventtext.h"
#include "ui/dashboard.h"

#include <QLocale>

EventLogModel::EventLogModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

void EventLogModel::setDashboard(Dashboard *dashboard)
{
    if (dashboard == m_dashboard)
        return;
    if (m_log)
        disconnect(m_log, nullptr, this, nullptr);
    m_dashboard = dashboard;
    m_log = dashboard ? dashboard->controller()->eventLog() : nullptr;
    if (m_log)
        connect(m_log, &EventLog::recorded, this, &EventLogModel::onRecorded);
    emit dashboardChanged();
    reload();
}

void EventLogModel::setDeviceFilter(const QString &deviceId)
{
    if (deviceId == m_deviceFilter)
        return;
    m_deviceFilter = deviceId;
    emit deviceFilterChanged();
    reload();
}

void EventLogModel::setLimit(int limit)
{
    if (limit == m_limit || limit < 1)
        return;
    m_limit = limit;
    emit limitChanged();
    reload();
}

bool EventLogModel::matches(const Event &event) const
{
    return m_deviceFilter.isEmpty() || event.deviceId == m_deviceFilter;
}

void EventLogModel::reload()
{
    if (!m_log)
        return;
    const int generation = ++m_generation;
    m_arrivedWhileLoading.clear();
    emit loadingChanged();
    EventQuery query;
    query.deviceId = m_deviceFilter;
    query.limit = m_limit;
    // Everything recorded before this call is in the answer; what comes
    // while it is read is kept aside and put on top.
    m_log->read(query, this, [this, generation](const QList<Event> &events) {
        if (generation != m_generation)
            return;   // a newer filter asked since
        beginResetModel();
        m_events = events;
        for (const Event &e : std::as_const(m_arrivedWhileLoading))
            m_events.prepend(e);
        m_arrivedWhileLoading.clear();
        while (m_events.size() > m_limit)
            m_events.removeLast();
        endResetModel();
        m_loaded = generation;
        emit countChanged();
        emit loadingChanged();
    });
}

void EventLogModel::onRecorded(const Event &event)
{
    if (!matches(event))
        return;
    if (loading()) {
        m_arrivedWhileLoading << event;
        return;
    }
    beginInsertRows({}, 0, 0);
    m_events.prepend(event);
    endInsertRows();
    if (m_events.size() > m_limit) {
        beginRemoveRows({}, int(m_events.size()) - 1, int(m_events.size()) - 1);
        m_events.removeLast();
        endRemoveRows();
    }
    emit countChanged();
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_events.size())
        return {};
    const Event &e = m_events.at(index.row());
    switch (role) {
    case KindRole: return e.kind;
    case DeviceIdRole: return e.deviceId;
    case Qt::DisplayRole:
    case TextRole: return EventText::describe(e);
    case ToneRole: return EventText::tone(e);
    case AtRole: return e.at;
    // The default locale is the chosen language's (main.cpp).
    case TimeTextRole: return QLocale().toString(e.at.toLocalTime(), QLocale::ShortFormat);
    default: return {};
    }
}

QHash<int, QByteArray> EventLogModel::roleNames() const
{
    return {{KindRole, "kind"}, {DeviceIdRole, "deviceId"}, {TextRole, "text"},
            {ToneRole, "tone"}, {AtRole, "at"},             {TimeTextRole, "timeText"}};
}
