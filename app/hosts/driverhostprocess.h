// One driver host process, seen from the controller: starts
// control-nuc-driverhost with its end of a private socketpair (no path on
// disk, nothing another process can dial), watches it — a memory limit
// checked against its resident size, an answer within a bounded time — and
// ends it, on request within a bounded time (quit, SIGTERM, SIGKILL) and for
// good when the controller goes (PR_SET_PDEATHSIG, and the link closing).
#pragma once

#include "runtime/runtimetypes.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QSet>
#include <QTimer>

class HostChannel;
class HostCgroups;
class HostLauncher;
class PidWatch;

struct DriverHostOptions
{
    QString program;                    // control-nuc-driverhost
    QString name;                       // the driver type, or "validator"
    RuntimeSettings runtime;
    int validationBudgetMs = 2000;
    qint64 memoryBaseBytes = 128ll << 20;     // DRIVER_API.md: 128 MiB ...
    qint64 memoryPerDeviceBytes = 4ll << 20;  // ... plus 4 MiB per device
    int pingIntervalMs = 1000;
    int answerTimeoutMs = 5000;         // no frame for this long: "stopped answering"
    int stopTimeoutMs = 3000;           // quit → SIGTERM → SIGKILL, each step
    int memoryCheckMs = 200;
    // Device hosts run their engines without the JIT (hostmain.cpp says why);
    // the validator keeps it, for the transformer's parser.
    bool interpreter = true;
    // When set and active, each host also gets a cgroup v2 memory.max of
    // its limit (hosts/hostcgroups.h); the resident-size check stays.
    HostCgroups *cgroups = nullptr;
    // When set and running, the host is forked by the launcher instead of
    // exec'd (hosts/hostlauncher.h); else, or when it fails, QProcess.
    HostLauncher *launcher = nullptr;
};

class DriverHostProcess : public QObject
{
    Q_OBJECT

public:
    explicit DriverHostProcess(const DriverHostOptions &options, QObject *parent = nullptr);

    // The program to run: `configured` when set, else control-nuc-driverhost
    // beside the running executable (installed), else the one this build
    // made (tests, a build folder).
    static QString defaultProgram(const QString &configured = {});
    // Kills a host still running and reaps it (bounded).
    ~DriverHostProcess() override;

    // Starts the process; false with `error` when it cannot.
    bool start(QString *error);
    bool isRunning() const { return m_running; }
    // Running and neither stopping nor being killed: can take new instances.
    bool isAvailable() const { return m_running && !m_stopping && m_killReason.isEmpty(); }
    qint64 pid() const { return m_pid; }
    QString name() const { return m_options.name; }

    void send(const QJsonObject &frame);
    // Sends `frame` with a fresh "call" id and blocks until the host answers
    // it (an event carrying the same id), the host dies, or `timeoutMs`
    // passes — then the host is killed as hung. Other frames that arrive
    // meanwhile are emitted as usual. For the sync thread's validation.
    QJsonObject request(QJsonObject frame, int timeoutMs, QString *error);
    // request() in two halves, so that the caller works while the host
    // does: begin() sends and returns the call id (0 with `error` when the
    // host is not running); finish() blocks for that call's answer as
    // request() does. Several calls may be outstanding; the host answers
    // them in order. A call begun is to be finished or forgotten.
    int begin(QJsonObject frame, QString *error);
    QJsonObject finish(int call, int timeoutMs, QString *error);
    // Ends a begun call without waiting: its answer is dropped when it comes.
    void forget(int call);
    // Calls forgotten whose answers have not come yet.
    int forgottenCalls() const { return int(m_forgotten.size()); }
    // Waits at most `waitMs` for that call's answer without taking it (and
    // without killing a slow host: finish() does that). True when it came;
    // false when it did not in time or the host is gone.
    bool awaitAnswer(int call, int waitMs);

    // The memory limit follows the number of devices the host runs.
    void setDeviceCount(int devices);
    qint64 memoryLimitBytes() const;

    // Asks the host to stop its instances and exit; escalates on a deadline.
    // died() is not emitted for a stop that was asked for; stopped() is.
    void stop();

    // Figures for driver_metrics and the dashboard (from the last answers).
    qint64 residentBytes() const { return m_rssBytes; }
    double cpuPercent() const { return m_cpuPercent; }
    // Per device, as the host last reported them (PROTOCOL.md "Driver
    // metrics": device_id, calls, errors, timeouts, call_ms_p50/p99).
    QJsonArray deviceFigures() const { return m_deviceFigures; }

signals:
    void frameReceived(const QJsonObject &frame);
    // The host ended without being asked: `reason` completes "driver host …",
    // e.g. "crashed (SIGSEGV)", "exceeded its memory limit of 132 MiB".
    void died(const QString &reason);
    void stopped();

private:
    void onFrame(const QJsonObject &frame);
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void kill(const QString &reason);
    void checkHealth();
    // A new link to the host: this end opened on m_channel; the host's end
    // (close-on-exec) returned, or -1 with `error` set.
    int openLink(QString *error);
    // Runs the host with QProcess (exec) on `childFd`, its end of the link.
    bool startDirect(int childFd, QString *error);
    // The launcher's answer: a forked host to watch, or a reason to exec one.
    void launched(qint64 pid, const QString &error);
    // The host runs as `pid`: limits, timers, and the frames held till now.
    void begin(qint64 pid);
    void signalHost(int signal);
    QJsonObject configureFrame() const;
    bool waitForExit(int timeoutMs);

    DriverHostOptions m_options;
    QProcess m_process;
    HostChannel *m_channel;
    QPointer<HostLauncher> m_launcher;
    PidWatch *m_watch = nullptr;       // a host the launcher forked
    quint32 m_launchRequest = 0;
    QElapsedTimer m_launchClock;
    QList<QJsonObject> m_held;         // frames sent while launching
    bool m_holdFrames = false;         // ... and not yet written (a cgroup to place it in first)
    QTimer m_pingTimer;
    QTimer m_memoryTimer;
    QTimer m_stopTimer;
    QElapsedTimer m_lastFrame;
    QString m_killReason;
    qint64 m_pid = 0;
    int m_devices = 0;
    int m_nextCall = 1;
    int m_stopStep = 0;
    bool m_running = false;
    bool m_stopping = false;
    qint64 m_rssBytes = 0;
    double m_cpuPercent = 0;
    double m_lastCpuMs = -1;
    QJsonArray m_deviceFigures;
    QElapsedTimer m_cpuClock;
    // begin()/finish(): the calls not yet answered, and answers not yet finished.
    QSet<int> m_openCalls;
    QHash<int, QJsonObject> m_answers;
    QSet<int> m_forgotten;   // calls whose answers are dropped (forget())
};
