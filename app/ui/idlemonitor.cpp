#include "ui/idlemonitor.h"

#include "controller/controller.h"
#include "ui/dashboard.h"

#include <QEvent>

IdleMonitor::IdleMonitor(QObject *parent)
    : QObject(parent)
{
    m_dim.setSingleShot(true);
    m_blank.setSingleShot(true);
    connect(&m_dim, &QTimer::timeout, this, [this] {
        if (m_state == u"awake")
            setState(QStringLiteral("dim"));
    });
    connect(&m_blank, &QTimer::timeout, this, [this] { setState(QStringLiteral("blank")); });
}

void IdleMonitor::setWindow(QQuickWindow *window)
{
    if (window == m_window)
        return;
    if (m_window)
        m_window->removeEventFilter(this);
    m_window = window;
    if (m_window)
        m_window->installEventFilter(this);
    emit windowChanged();
}

void IdleMonitor::setDashboard(Dashboard *dashboard)
{
    if (dashboard == m_dashboard)
        return;
    m_dashboard = dashboard;
    if (dashboard) {
        m_dimAfterMs = dashboard->controller()->config().idleDimMs;
        m_blankAfterMs = dashboard->controller()->config().idleBlankMs;
        emit timesChanged();
        restartTimers();
    }
    emit dashboardChanged();
}

void IdleMonitor::setEnabled(bool enabled)
{
    if (enabled == m_enabled)
        return;
    m_enabled = enabled;
    if (!enabled)
        setState(QStringLiteral("awake"));
    restartTimers();
    emit enabledChanged();
}

void IdleMonitor::setDimAfterMs(int ms)
{
    if (ms == m_dimAfterMs)
        return;
    m_dimAfterMs = ms;
    restartTimers();
    emit timesChanged();
}

void IdleMonitor::setBlankAfterMs(int ms)
{
    if (ms == m_blankAfterMs)
        return;
    m_blankAfterMs = ms;
    restartTimers();
    emit timesChanged();
}

void IdleMonitor::restartTimers()
{
    m_dim.stop();
    m_blank.stop();
    if (!m_enabled)
        return;
    // 0: never.
    if (m_dimAfterMs > 0)
        m_dim.start(m_dimAfterMs);
    if (m_blankAfterMs > 0)
        m_blank.start(m_blankAfterMs);
}

void IdleMonitor::setState(const QString &state)
{
    if (state == m_state)
        return;
    m_state = state;
    emit stateChanged();
}

void IdleMonitor::wake()
{
    setState(QStringLiteral("awake"));
    restartTimers();
}

bool IdleMonitor::eventFilter(QObject *watched, QEvent *event)
{
    switch (event->type()) {
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonDblClick:
    case QEvent::TouchBegin:
    case QEvent::KeyPress:
        if (m_enabled && m_state != u"awake") {
            // This touch only wakes the screen; the rest of it is swallowed too.
            m_swallowing = event->type() != QEvent::KeyPress;
            wake();
            return true;
        }
        restartTimers();
        break;
    case QEvent::MouseMove:
    case QEvent::TouchUpdate:
    case QEvent::Wheel:
        if (m_swallowing)
            return true;
        restartTimers();
        break;
    case QEvent::MouseButtonRelease:
    case QEvent::TouchEnd:
    case QEvent::TouchCancel:
        if (m_swallowing) {
            m_swallowing = false;
            return true;
        }
        restartTimers();
        break;
    default:
        break;
    }
    return QObject::eventFilter(watched, event);
}
