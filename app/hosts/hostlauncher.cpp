#include "hosts/hostlauncher.h"

#include "hosts/hostchild.h"
#include "hosts/hostlaunchloop.h"
#include "hosts/pidwatch.h"
#include "core/backoff.h"
#include "core/logcategories.h"

#include <QSocketNotifier>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

extern char **environ;

namespace {

// The environment as the launcher's 'E' message wants it.
QByteArray currentEnvironment()
{
    QByteArray blob;
    for (char **env = environ; env && *env; ++env)
        blob.append(*env, qsizetype(std::strlen(*env) + 1));
    return blob;
}

} // namespace

HostLauncher::HostLauncher(const QString &program, QObject *parent)
    : QObject(parent)
{
    m_process.setProgram(program);
    m_process.setArguments({QStringLiteral("--launcher")});
    // Its hosts' log lines join the controller's (and so the journal).
    m_process.setProcessChannelMode(QProcess::ForwardedChannels);
    m_process.setInputChannelMode(QProcess::ForwardedInputChannel);
    connect(&m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        if (m_fd >= 0)
            failed(status == QProcess::CrashExit ? QStringLiteral("was killed (signal %1)").arg(code)
                                                 : QStringLiteral("exited (status %1)").arg(code));
    });
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart && m_fd >= 0)
            failed(QStringLiteral("could not be started (%1)").arg(m_process.errorString()));
    });
    m_timeoutTimer.setInterval(100);
    connect(&m_timeoutTimer, &QTimer::timeout, this, &HostLauncher::checkTimeouts);
    m_restartTimer.setSingleShot(true);
    connect(&m_restartTimer, &QTimer::timeout, this, &HostLauncher::start);
}

HostLauncher::~HostLauncher()
{
    m_process.disconnect(this);
    if (m_fd >= 0) {
        delete m_reader;
        ::close(m_fd);   // the launcher reads the end of its link and exits
        m_fd = -1;
    }
    if (m_process.state() != QProcess::NotRunning && !m_process.waitForFinished(1000)) {
        m_process.kill();
        m_process.waitForFinished(1000);
    }
    const QHash<quint32, Pending> pending = std::exchange(m_pending, {});
    for (const Pending &p : pending)
        p.done(0, p.failure.isEmpty() ? QStringLiteral("the host launcher was stopped") : p.failure);
}

bool HostLauncher::wanted()
{
    return qEnvironmentVariable("CONTROL_NUC_HOST_LAUNCHER") != u"0";
}

void HostLauncher::start()
{
    if (m_fd >= 0)
        return;
    m_pid = 0;
    // Hosts the launcher forks are orphaned on purpose (its intermediate
    // exits): as a subreaper this process adopts them, not init.
    static const bool subreaper = ::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
    if (!subreaper) {
        qCWarning(lcRuntime).noquote() << "no host launcher: cannot become a child subreaper:" << qt_error_string(errno)
                                       << "(driver hosts are exec'd)";
        return;
    }
    if (m_process.state() != QProcess::NotRunning) {
        // The previous one (killed by failed()) is not reaped yet: again
        // shortly, without blocking the controller's event loop.
        m_restartTimer.start(restartMinMs);
        return;
    }
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
        qCWarning(lcRuntime).noquote() << "no host launcher: socketpair:" << qt_error_string(errno);
        return;
    }
    const int childFd = fds[1];
    HostChild::prepare(m_process, childFd);
    // Room for a forked host's arguments where ps reads them (the launcher's
    // own argument and environment strings, hostlaunchloop.cpp).
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("CONTROL_NUC_LAUNCHER_TITLE_ROOM"), QString(512, u'.'));
    m_process.setProcessEnvironment(env);
    m_fd = fds[0];   // set first: a failure to start is reported through failed()
    ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
    m_process.start();
    ::close(childFd);
    if (m_fd < 0)
        return;   // failed() ran
    if (m_process.state() == QProcess::NotRunning) {
        failed(QStringLiteral("could not be started (%1)").arg(m_process.errorString()));
        return;
    }
    m_pid = m_process.processId();
    m_reader = new QSocketNotifier(qintptr(m_fd), QSocketNotifier::Read, this);
    connect(m_reader, &QSocketNotifier::activated, this, &HostLauncher::readAnswers);
    m_sentEnvironment.clear();
    m_answered = false;
    qCInfo(lcRuntime).noquote() << QStringLiteral("host launcher (pid %1) started: driver hosts are forked from it")
                                       .arg(m_pid);
}

quint32 HostLauncher::spawn(const QStringList &arguments, int hostFd, Done done)
{
    if (!isRunning())
        return 0;
    // Sent when it changed: a host gets the environment of the moment it is
    // asked for, as an exec'd one would.
    const QByteArray environment = currentEnvironment();
    if (environment != m_sentEnvironment) {
        if (!sendMessage('E' + environment, -1))
            return 0;
        m_sentEnvironment = environment;
    }
    const quint32 request = m_nextRequest++;
    QByteArray message(1, 'S');
    message.append(reinterpret_cast<const char *>(&request), sizeof request);
    for (const QString &argument : arguments)
        message.append(argument.toLocal8Bit()).append('\0');
    if (!sendMessage(message, hostFd))
        return 0;
    if (m_pending.isEmpty())
        m_lastAnswer.start();   // the clock for "not answering" runs while requests wait
    Pending &p = m_pending[request];
    p.done = std::move(done);
    p.since.start();
    if (!m_timeoutTimer.isActive())
        m_timeoutTimer.start();
    return request;
}

bool HostLauncher::sendMessage(const QByteArray &message, int fd)
{
    iovec iov{const_cast<char *>(message.constData()), size_t(message.size())};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fd >= 0) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    ssize_t sent;
    while ((sent = ::sendmsg(m_fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT)) < 0 && errno == EINTR) {
    }
    if (sent == ssize_t(message.size()))
        return true;
    const int error = errno;
    if (error == EAGAIN || error == EMSGSIZE || error == ENOBUFS) {
        // Busy (hundreds of requests at once) or too big: this one host is
        // exec'd; the launcher stays.
        qCWarning(lcRuntime).noquote() << "host launcher cannot take a request now:" << qt_error_string(error)
                                       << "(this driver host is exec'd)";
    } else {
        failed(QStringLiteral("cannot be written to (%1)").arg(qt_error_string(error)));
    }
    return false;
}

void HostLauncher::readAnswers()
{
    for (;;) {
        LaunchAnswer answer;
        const ssize_t n = ::recv(m_fd, &answer, sizeof answer, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n != ssize_t(sizeof answer)) {
            failed(n == 0 ? QStringLiteral("closed its link") : QStringLiteral("sent a broken answer"));
            return;
        }
        m_answered = true;
        m_lastAnswer.start();
        auto it = m_pending.find(answer.request);
        if (it != m_pending.end()) {
            const Done done = std::move(it->done);
            m_pending.erase(it);
            done(answer.pid, answer.pid > 0 ? QString()
                                            : QStringLiteral("the host launcher could not fork: %1").arg(qt_error_string(answer.error)));
        } else if (answer.pid > 0) {
            // Its caller is gone (cancel()): end the host it no longer wants.
            auto *stray = new PidWatch(this);
            QString error;
            if (!stray->watch(answer.pid, &error)) {
                qCWarning(lcRuntime).noquote() << "host launcher: an unwanted host" << error;
                delete stray;
                continue;
            }
            stray->signal(SIGKILL);
            connect(stray, &PidWatch::exited, stray, &QObject::deleteLater);
        }
        if (m_fd < 0)
            return;   // a callback ended the launcher
    }
}

void HostLauncher::cancel(quint32 request)
{
    // Its answer, when it comes, finds no request and ends the host.
    m_pending.remove(request);
}

void HostLauncher::checkTimeouts()
{
    if (m_pending.isEmpty()) {
        m_timeoutTimer.stop();
        return;
    }
    // Busy is not hung: during a cold start the launcher shares the CPU with
    // the hosts it just forked, so what counts is an answer now and then —
    // and no request waits longer than maxWaitMs in any case.
    if (m_lastAnswer.elapsed() > answerTimeoutMs) {
        failed(QStringLiteral("did not answer within %1 ms").arg(answerTimeoutMs));
        return;
    }
    for (const Pending &p : std::as_const(m_pending)) {
        if (p.failure.isEmpty() && p.since.elapsed() > maxWaitMs) {
            failed(QStringLiteral("left a request unanswered for %1 ms").arg(maxWaitMs));
            return;
        }
    }
}

void HostLauncher::failed(const QString &reason)
{
    if (m_fd < 0)
        return;
    delete m_reader;
    m_reader = nullptr;
    ::close(m_fd);
    m_fd = -1;
    m_sentEnvironment.clear();
    m_timeoutTimer.stop();
    if (m_process.state() != QProcess::NotRunning)
        m_process.kill();   // reaped by QProcess; finished() then finds m_fd closed
    if (m_answered)
        m_failures = 0;
    const int backoffMs = Backoff::delayMs(m_failures++, restartMinMs, restartMaxMs);
    qCWarning(lcRuntime).noquote() << QStringLiteral("host launcher (pid %1) %2; driver hosts are exec'd until it "
                                                     "is restarted in %3 ms")
                                          .arg(m_pid).arg(reason).arg(backoffMs);
    m_restartTimer.start(backoffMs);
    // From the event loop: a caller may be inside spawn() (a failed write).
    for (Pending &p : m_pending)
        p.failure = QStringLiteral("the host launcher %1").arg(reason);
    if (!m_pending.isEmpty())
        QTimer::singleShot(0, this, &HostLauncher::deliverFailures);
}

void HostLauncher::deliverFailures()
{
    // One at a time: a callback may cancel() others or spawn() anew.
    for (auto it = m_pending.begin(); it != m_pending.end(); it = m_pending.begin()) {
        while (it != m_pending.end() && it->failure.isEmpty())
            ++it;
        if (it == m_pending.end())
            return;
        const Done done = std::move(it->done);
        const QString failure = it->failure;
        m_pending.erase(it);
        done(0, failure);
    }
}
