#include "hosts/driverhostprocess.h"

#include "hosts/hostcgroups.h"
#include "hosts/hostchannel.h"
#include "hosts/hostchild.h"
#include "hosts/hostlauncher.h"
#include "hosts/hostmessages.h"
#include "hosts/pidwatch.h"
#include "core/logcategories.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

#include <csignal>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

namespace {

QString signalName(int signal)
{
    if (const char *abbrev = sigabbrev_np(signal))
        return QStringLiteral("SIG") + QString::fromLatin1(abbrev);
    return QStringLiteral("signal %1").arg(signal);
}

QString mib(qint64 bytes)
{
    return QStringLiteral("%1 MiB").arg(bytes >> 20);
}

} // namespace

QString DriverHostProcess::defaultProgram(const QString &configured)
{
    if (!configured.isEmpty())
        return configured;
    const QString beside = QCoreApplication::applicationDirPath() + QStringLiteral("/control-nuc-driverhost");
    return QFileInfo(beside).isExecutable() ? beside : QStringLiteral(NUC_DRIVERHOST_BUILD_PATH);
}

DriverHostProcess::DriverHostProcess(const DriverHostOptions &options, QObject *parent)
    : QObject(parent), m_options(options), m_channel(new HostChannel(this)), m_launcher(options.launcher)
{
    m_process.setProgram(options.program);
    QStringList arguments{QStringLiteral("--name"), options.name, QStringLiteral("--fd"), QStringLiteral("3")};
    if (options.interpreter)
        arguments << QStringLiteral("--interpreter");
    m_process.setArguments(arguments);
    // Its log lines join the controller's (and so the journal).
    m_process.setProcessChannelMode(QProcess::ForwardedChannels);
    m_process.setInputChannelMode(QProcess::ForwardedInputChannel);
    connect(&m_process, &QProcess::finished, this, &DriverHostProcess::onFinished);
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart || !m_running)
            return;
        m_running = false;
        m_pingTimer.stop();
        m_memoryTimer.stop();
        m_channel->close();
        m_killReason = QStringLiteral("could not be started (%1)").arg(m_process.errorString());
        qCWarning(lcRuntime).noquote() << "driver host" << m_options.name << m_killReason;
        emit died(m_killReason);
    });
    connect(m_channel, &HostChannel::frameReceived, this, &DriverHostProcess::onFrame);
    connect(m_channel, &HostChannel::closed, this, [this](const QString &reason) {
        // A host that closes its link is of no use: end it (its exit tells why).
        if (m_running && !m_stopping && m_killReason.isEmpty()) {
            qCWarning(lcRuntime).noquote() << "driver host" << m_options.name << "closed its link:" << reason;
            m_stopStep = 1;
            m_stopTimer.start(m_options.stopTimeoutMs);
        }
    });

    m_pingTimer.setInterval(options.pingIntervalMs);
    connect(&m_pingTimer, &QTimer::timeout, this, [this] {
        send({{QStringLiteral("op"), QStringLiteral("ping")}, {QStringLiteral("call"), 0}});
        checkHealth();
    });
    m_memoryTimer.setInterval(options.memoryCheckMs);
    connect(&m_memoryTimer, &QTimer::timeout, this, &DriverHostProcess::checkHealth);
    m_stopTimer.setSingleShot(true);
    connect(&m_stopTimer, &QTimer::timeout, this, [this] {
        if (!m_running)
            return;
        if (m_launchRequest) {
            // Still being forked: no pid to signal yet. Asked again once it
            // has one (or launched() ends it for good).
            m_stopTimer.start(m_options.stopTimeoutMs);
            return;
        }
        if (m_stopStep <= 1) {
            m_stopStep = 2;
            signalHost(SIGTERM);
            m_stopTimer.start(m_options.stopTimeoutMs);
        } else {
            signalHost(SIGKILL);
        }
    });
}

DriverHostProcess::~DriverHostProcess()
{
    if (!m_running)
        return;
    if (m_launchRequest) {
        if (m_launcher)
            m_launcher->cancel(m_launchRequest);   // it ends a host forked late
    } else if (m_watch) {
        m_watch->disconnect(this);
        m_watch->signal(SIGKILL);
        m_watch->waitForExit(m_options.stopTimeoutMs);
    } else {
        m_process.disconnect(this);
        ::kill(pid_t(m_pid), SIGKILL);
        m_process.waitForFinished(m_options.stopTimeoutMs);
    }
}

bool DriverHostProcess::start(QString *error)
{
    const int childFd = openLink(error);
    if (childFd < 0)
        return false;
    m_killReason.clear();
    m_stopping = false;
    m_stopStep = 0;
    m_held.clear();
    if (m_launcher) {
        // Answered from the event loop, never from within spawn().
        m_launchRequest = m_launcher->spawn(m_process.arguments(), childFd,
                                            [this](qint64 pid, const QString &why) { launched(pid, why); });
        if (m_launchRequest) {
            ::close(childFd);
            m_running = true;
            m_launchClock.start();
            m_pid = 0;
            // Frames go out at once (the host reads them as soon as it runs)
            // and are kept in m_held, for an exec'd host should the launcher
            // fail. With a cgroup they only wait there until the pid is
            // known: the host runs no driver code before it has its cgroup.
            m_holdFrames = m_options.cgroups && m_options.cgroups->isActive();
            send(configureFrame());
            return true;
        }
    }
    if (!startDirect(childFd, error))
        return false;
    m_running = true;
    send(configureFrame());
    return true;
}

int DriverHostProcess::openLink(QString *error)
{
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        *error = QStringLiteral("socketpair: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        return -1;
    }
    if (!m_channel->open(fds[0])) {
        ::close(fds[0]);
        ::close(fds[1]);
        *error = QStringLiteral("cannot open the link to the driver host");
        return -1;
    }
    return fds[1];
}

QJsonObject DriverHostProcess::configureFrame() const
{
    return {{QStringLiteral("op"), QStringLiteral("configure")},
            {QStringLiteral("runtime"), HostMessages::fromSettings(m_options.runtime)},
            {QStringLiteral("validationBudgetMs"), m_options.validationBudgetMs}};
}

bool DriverHostProcess::startDirect(int childFd, QString *error)
{
    HostChild::prepare(m_process, childFd);
    // Not waiting for the exec: frames wait in the socket until the host
    // reads them, and a program that cannot be run is reported by
    // errorOccurred (a cold start with a hundred hosts does not queue up
    // behind a hundred execs).
    m_process.start();
    ::close(childFd);
    if (m_process.state() == QProcess::NotRunning || m_process.processId() <= 0) {
        m_channel->close();
        *error = QStringLiteral("cannot start %1: %2").arg(m_options.program, m_process.errorString());
        return false;
    }
    begin(m_process.processId());
    return true;
}

void DriverHostProcess::launched(qint64 pid, const QString &error)
{
    m_launchRequest = 0;
    QString why = error;
    if (pid > 0) {
        auto *watch = new PidWatch(this);
        if (watch->watch(pid, &why)) {
            m_watch = watch;
            connect(watch, &PidWatch::exited, this, [this](int code, bool crashed) {
                m_watch->deleteLater();
                m_watch = nullptr;
                onFinished(code, crashed ? QProcess::CrashExit : QProcess::NormalExit);
            });
            begin(pid);
            if (!m_killReason.isEmpty())
                signalHost(SIGKILL);   // killed while it was being forked
            return;
        }
        delete watch;
        ::kill(pid_t(pid), SIGKILL);   // not ours to watch: it must not run unwatched
    }
    if (m_stopping || !m_killReason.isEmpty()) {
        // Stopped or killed while it was being forked: not started another way.
        m_running = false;
        m_channel->close();
        m_stopTimer.stop();
        if (m_killReason.isEmpty())
            emit stopped();
        else
            emit died(m_killReason);
        return;
    }
    // Exec'd instead, on a new link (the old one went to the launcher), and
    // given every frame sent so far.
    qCWarning(lcRuntime).noquote() << "driver host" << m_options.name << "not forked:" << why << "- starting it directly";
    m_channel->close();
    const QList<QJsonObject> replay = std::exchange(m_held, {});
    QString startError;
    const int childFd = openLink(&startError);
    if (childFd >= 0 && startDirect(childFd, &startError)) {
        for (const QJsonObject &frame : replay)
            m_channel->send(frame);
        if (!m_killReason.isEmpty())
            signalHost(SIGKILL);   // killed while it was being forked
        return;
    }
    if (!m_running)
        return;   // errorOccurred said it already
    m_running = false;
    m_killReason = QStringLiteral("could not be started (%1)").arg(startError);
    qCWarning(lcRuntime).noquote() << "driver host" << m_options.name << m_killReason;
    emit died(m_killReason);
}

void DriverHostProcess::begin(qint64 pid)
{
    m_pid = pid;
    // Placed before this returns to the event loop: the host runs no driver
    // code before it has read a `start` frame.
    if (m_options.cgroups && m_options.cgroups->isActive()) {
        QString cgroupError;
        if (!m_options.cgroups->place(m_options.name, m_pid, memoryLimitBytes(), &cgroupError))
            qCWarning(lcRuntime).noquote() << "driver host" << m_options.name << "has no cgroup memory limit:" << cgroupError;
    }
    m_lastFrame.start();
    m_cpuClock.start();
    m_lastCpuMs = -1;
    const QList<QJsonObject> held = std::exchange(m_held, {});
    if (m_holdFrames) {
        for (const QJsonObject &frame : held)
            m_channel->send(frame);
    }
    m_pingTimer.start();
    m_memoryTimer.start();
    qCInfo(lcRuntime).noquote() << QStringLiteral("driver host %1 (pid %2) starting%3")
                                       .arg(m_options.name).arg(m_pid)
                                       .arg(m_watch ? QStringLiteral(", forked by the launcher in %1 ms")
                                                          .arg(m_launchClock.nsecsElapsed() / 1e6, 0, 'f', 1)
                                                    : QString());
}

void DriverHostProcess::signalHost(int signal)
{
    if (m_watch)
        m_watch->signal(signal);
    else if (m_pid > 0 && m_process.state() != QProcess::NotRunning)
        ::kill(pid_t(m_pid), signal);
}

bool DriverHostProcess::waitForExit(int timeoutMs)
{
    if (m_watch)
        return m_watch->waitForExit(timeoutMs);
    return m_process.state() == QProcess::NotRunning || m_process.waitForFinished(timeoutMs);
}

void DriverHostProcess::send(const QJsonObject &frame)
{
    if (!m_running)
        return;
    if (m_launchRequest)
        m_held.append(frame);
    if (!m_launchRequest || !m_holdFrames)
        m_channel->send(frame);
}

QJsonObject DriverHostProcess::request(QJsonObject frame, int timeoutMs, QString *error)
{
    const int call = begin(std::move(frame), error);
    return call ? finish(call, timeoutMs, error) : QJsonObject();
}

int DriverHostProcess::begin(QJsonObject frame, QString *error)
{
    if (!m_running) {
        *error = QStringLiteral("driver host is not running");
        return 0;
    }
    const int call = m_nextCall++;
    frame.insert(QStringLiteral("call"), call);
    m_openCalls.insert(call);
    send(frame);
    return call;
}

bool DriverHostProcess::awaitAnswer(int call, int waitMs)
{
    QElapsedTimer waited;
    waited.start();
    while (m_running && !m_answers.contains(call)) {
        const int left = waitMs - int(waited.elapsed());
        if (left <= 0 || !m_channel->waitForFrame(left))
            break;
    }
    return m_answers.contains(call);
}

QJsonObject DriverHostProcess::finish(int call, int timeoutMs, QString *error)
{
    QElapsedTimer waited;
    waited.start();
    while (m_running && !m_answers.contains(call)) {
        const int left = timeoutMs - int(waited.elapsed());
        if (left <= 0 || !m_channel->waitForFrame(left)) {
            if (!m_answers.contains(call) && m_running && m_killReason.isEmpty() && waited.elapsed() >= timeoutMs)
                kill(QStringLiteral("stopped answering (no answer in %1 ms)").arg(timeoutMs));
            break;
        }
    }
    m_openCalls.remove(call);
    const QJsonObject answer = m_answers.take(call);
    if (answer.isEmpty()) {
        // Reap now so that the reason is known to the caller.
        if (m_running)
            waitForExit(m_options.stopTimeoutMs);
        *error = QStringLiteral("driver host ") + (m_killReason.isEmpty() ? QStringLiteral("ended") : m_killReason);
    }
    return answer;
}

void DriverHostProcess::forget(int call)
{
    m_openCalls.remove(call);
    if (!m_answers.remove(call))
        m_forgotten.insert(call);
}

void DriverHostProcess::onFrame(const QJsonObject &frame)
{
    m_lastFrame.start();
    const QString event = frame.value(QStringLiteral("ev")).toString();
    if (event == u"pong") {
        const double cpuMs = frame.value(QStringLiteral("cpuMs")).toDouble();
        const qint64 elapsed = m_cpuClock.restart();
        if (m_lastCpuMs >= 0 && elapsed > 0)
            m_cpuPercent = 100.0 * (cpuMs - m_lastCpuMs) / double(elapsed);
        m_lastCpuMs = cpuMs;
        m_deviceFigures = frame.value(QStringLiteral("devices")).toArray();
        if (frame.value(QStringLiteral("call")).toInt() == 0)
            return;
    }
    // The answer to a begun call (a device's frames carry `inst`).
    const int call = frame.value(QStringLiteral("call")).toInt();
    if (call && !event.isEmpty() && !frame.contains(QStringLiteral("inst"))) {
        if (m_forgotten.remove(call))
            return;
        if (m_openCalls.contains(call)) {
            m_answers.insert(call, frame);
            return;
        }
    }
    emit frameReceived(frame);
}

void DriverHostProcess::setDeviceCount(int devices)
{
    m_devices = devices;
    QString cgroupError;
    if (m_running && m_options.cgroups && m_options.cgroups->isActive()
        && !m_options.cgroups->setLimit(m_options.name, memoryLimitBytes(), &cgroupError))
        qCWarning(lcRuntime).noquote() << "driver host" << m_options.name << cgroupError;
}

qint64 DriverHostProcess::memoryLimitBytes() const
{
    return m_options.memoryBaseBytes + qint64(m_devices) * m_options.memoryPerDeviceBytes;
}

void DriverHostProcess::checkHealth()
{
    if (!m_running || !m_killReason.isEmpty())
        return;
    QFile statm(QStringLiteral("/proc/%1/statm").arg(m_pid));
    if (statm.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> fields = statm.readAll().split(' ');
        if (fields.size() > 1)
            m_rssBytes = fields.at(1).toLongLong() * sysconf(_SC_PAGESIZE);
    }
    if (m_rssBytes > memoryLimitBytes()) {
        kill(QStringLiteral("exceeded its memory limit of %1").arg(mib(memoryLimitBytes())));
        return;
    }
    if (m_lastFrame.elapsed() > m_options.answerTimeoutMs && !m_stopping) {
        // This process's own event loop may have been the busy one (a cold
        // start): read what already arrived before calling the host hung.
        m_channel->waitForFrame(0);
        if (m_lastFrame.elapsed() > m_options.answerTimeoutMs && m_running && m_killReason.isEmpty())
            kill(QStringLiteral("stopped answering (nothing for %1 ms)").arg(m_lastFrame.elapsed()));
    }
}

void DriverHostProcess::kill(const QString &reason)
{
    if (!m_running || !m_killReason.isEmpty())
        return;
    m_killReason = reason;
    qCWarning(lcRuntime).noquote() << QStringLiteral("driver host %1 (pid %2) %3; killing it").arg(m_options.name).arg(m_pid).arg(reason);
    signalHost(SIGKILL);
}

void DriverHostProcess::stop()
{
    if (!m_running) {
        emit stopped();
        return;
    }
    if (m_stopping)
        return;
    m_stopping = true;
    m_stopStep = 1;
    send({{QStringLiteral("op"), QStringLiteral("quit")}});
    m_stopTimer.start(m_options.stopTimeoutMs);
}

void DriverHostProcess::onFinished(int exitCode, QProcess::ExitStatus status)
{
    m_running = false;
    m_pingTimer.stop();
    m_memoryTimer.stop();
    m_stopTimer.stop();
    m_channel->close();
    // The kernel's memory.max ends a host with SIGKILL: name the limit.
    const bool oomKilled = m_options.cgroups && m_options.cgroups->oomKilled(m_options.name);
    if (m_options.cgroups)
        m_options.cgroups->release(m_options.name);
    if (m_stopping && m_killReason.isEmpty()) {
        qCInfo(lcRuntime).noquote() << QStringLiteral("driver host %1 (pid %2) stopped").arg(m_options.name).arg(m_pid);
        emit stopped();
        return;
    }
    QString reason = m_killReason;
    if (reason.isEmpty()) {
        if (oomKilled)
            reason = QStringLiteral("exceeded its memory limit of %1").arg(mib(memoryLimitBytes()));
        else if (status == QProcess::CrashExit)
            reason = QStringLiteral("crashed (%1)").arg(signalName(exitCode));
        else
            reason = QStringLiteral("exited unexpectedly (status %1)").arg(exitCode);
        m_killReason = reason;
    }
    qCWarning(lcRuntime).noquote() << QStringLiteral("driver host %1 (pid %2) %3").arg(m_options.name).arg(m_pid).arg(reason);
    emit died(reason);
}
