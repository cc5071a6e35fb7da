// The controller's side of the host launcher: `control-nuc-driverhost
// --launcher`, started once, forks driver hosts on request so that a host
// costs a fork instead of an exec of a Qt program (a cold start of 100 hosts
// spent two thirds of its CPU in exec and ld.so). Hosts it forks are
// reparented to this process (a child subreaper), so they stay the
// controller's children; DriverHostProcess watches them with a PidWatch.
//
// Never a wait without a bound: no answer for `answerTimeoutMs` while
// requests wait, a request waiting `maxWaitMs`, a launcher that died or
// cannot start, each make the
// caller start its host the old way (QProcess, exec), and the launcher is
// restarted with backoff. CONTROL_NUC_HOST_LAUNCHER=0 turns it off.
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTimer>

#include <functional>

class PidWatch;
class QSocketNotifier;

class HostLauncher : public QObject
{
    Q_OBJECT

public:
    // `pid` > 0, or 0 with `error` (the caller then starts the host itself).
    using Done = std::function<void(qint64 pid, const QString &error)>;

    explicit HostLauncher(const QString &program, QObject *parent = nullptr);
    // Closes the link (the launcher exits) and ends it; hosts it forked are
    // not its children and are not touched.
    ~HostLauncher() override;

    // False when CONTROL_NUC_HOST_LAUNCHER is "0".
    static bool wanted();

    // Starts the launcher (and makes this process a child subreaper).
    void start();
    bool isRunning() const { return m_process.state() != QProcess::NotRunning && m_fd >= 0; }
    qint64 pid() const { return isRunning() ? m_pid : 0; }

    // Asks for a host run with `arguments`, its link `hostFd` (not taken:
    // the caller closes its copy), in this process's current environment.
    // 0 when the launcher cannot take it now (the caller starts the host
    // itself); else a request id, and `done` is called exactly once, from
    // the event loop, unless cancel(id) came first.
    quint32 spawn(const QStringList &arguments, int hostFd, Done done);
    // The caller is gone: a host forked for it is killed and reaped.
    void cancel(quint32 request);

    // Generous for a busy machine: hosts get their frames without waiting
    // for the answer (unless a cgroup is to be set first), and a launcher
    // given up on mid-batch costs an exec'd host each (and a zombie).
    int answerTimeoutMs = 3000;
    int maxWaitMs = 10000;
    int restartMinMs = 1000;
    int restartMaxMs = 60000;

private:
    struct Pending
    {
        Done done;
        QElapsedTimer since;
        QString failure;   // the launcher failed: told to the caller from the event loop
    };

    bool sendMessage(const QByteArray &message, int fd);
    void readAnswers();
    // The launcher is of no use (died, hung, link broken): fail what waits,
    // end it, and start another after the backoff.
    void failed(const QString &reason);
    void checkTimeouts();
    void deliverFailures();

    QProcess m_process;
    int m_fd = -1;
    qint64 m_pid = 0;
    QSocketNotifier *m_reader = nullptr;
    QByteArray m_sentEnvironment;
    QHash<quint32, Pending> m_pending;
    quint32 m_nextRequest = 1;
    QTimer m_timeoutTimer;
    QElapsedTimer m_lastAnswer;
    QTimer m_restartTimer;
    int m_failures = 0;        // in a row, for the restart's backoff
    bool m_answered = false;   // since the last (re)start: resets the backoff
};
