// Watches one child process this process did not start with QProcess (a
// driver host forked by the launcher and reparented to the controller): a
// pidfd, readable when the child ends, and waitid(P_PIDFD) to reap it and
// read how it ended. The pid cannot be reused before it is reaped here, so
// signals reach the right process.
#pragma once

#include <QObject>

class QSocketNotifier;

class PidWatch : public QObject
{
    Q_OBJECT

public:
    explicit PidWatch(QObject *parent = nullptr);
    // A child still running is killed and reaped (bounded by `killWaitMs`).
    ~PidWatch() override;

    // Starts watching `pid`; false with `error` when it is not a child of
    // this process or has no pidfd.
    bool watch(qint64 pid, QString *error);
    void signal(int signal);
    // Blocks until the child ended and is reaped (exited() emitted), at most
    // `timeoutMs`; true when it was.
    bool waitForExit(int timeoutMs);

    int killWaitMs = 3000;

signals:
    // How it ended, as QProcess tells it: `crashed` with the signal number
    // in `code`, else the exit status.
    void exited(int code, bool crashed);

private:
    bool reap();

    int m_pidfd = -1;
    qint64 m_pid = 0;
    QSocketNotifier *m_notifier = nullptr;
};
