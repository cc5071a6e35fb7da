// Kiosk screen saver: dims the screen after `dimAfterMs` without input and
// blanks it after `blankAfterMs` (burn-in). The touch that wakes it is
// swallowed, press to release, so it never acts on what is under the finger.
// wake() is for what must be seen (a device going to error). Watches the
// window's input through an event filter; the QML shows `state`.
#pragma once

#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QQuickWindow>
#include <QtQml/qqmlregistration.h>

class Dashboard;

class IdleMonitor : public QObject
{
    Q_OBJECT
    QML_ELEMENT

    Q_PROPERTY(QQuickWindow *window READ window WRITE setWindow NOTIFY windowChanged)
    // Reads the times from the configuration (idle-dim-minutes, idle-blank-minutes).
    Q_PROPERTY(Dashboard *dashboard READ dashboard WRITE setDashboard NOTIFY dashboardChanged)
    Q_PROPERTY(bool enabled READ enabled WRITE setEnabled NOTIFY enabledChanged)
    Q_PROPERTY(int dimAfterMs READ dimAfterMs WRITE setDimAfterMs NOTIFY timesChanged)
    Q_PROPERTY(int blankAfterMs READ blankAfterMs WRITE setBlankAfterMs NOTIFY timesChanged)
    // awake, dim, blank
    Q_PROPERTY(QString state READ state NOTIFY stateChanged)

public:
    explicit IdleMonitor(QObject *parent = nullptr);

    QQuickWindow *window() const { return m_window; }
    void setWindow(QQuickWindow *window);
    Dashboard *dashboard() const { return m_dashboard; }
    void setDashboard(Dashboard *dashboard);
    bool enabled() const { return m_enabled; }
    void setEnabled(bool enabled);
    int dimAfterMs() const { return m_dimAfterMs; }
    void setDimAfterMs(int ms);
    int blankAfterMs() const { return m_blankAfterMs; }
    void setBlankAfterMs(int ms);
    QString state() const { return m_state; }

    Q_INVOKABLE void wake();

signals:
    void windowChanged();
    void dashboardChanged();
    void enabledChanged();
    void timesChanged();
    void stateChanged();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void restartTimers();
    void setState(const QString &state);

    QPointer<QQuickWindow> m_window;
    QPointer<Dashboard> m_dashboard;
    bool m_enabled = false;
    int m_dimAfterMs = 5 * 60 * 1000;
    int m_blankAfterMs = 30 * 60 * 1000;
    QString m_state = QStringLiteral("awake");
    bool m_swallowing = false;   // the waking touch, until it is lifted
    QTimer m_dim;
    QTimer m_blank;
};
