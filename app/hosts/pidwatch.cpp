#include "hosts/pidwatch.h"

#include "core/logcategories.h"

#include <QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <poll.h>
// glibc 2.36's header lacks the C linkage block.
extern "C" {
#include <sys/pidfd.h>
}
#include <sys/wait.h>
#include <unistd.h>

PidWatch::PidWatch(QObject *parent)
    : QObject(parent)
{
}

PidWatch::~PidWatch()
{
    if (m_pidfd < 0)
        return;
    signal(SIGKILL);
    if (!waitForExit(killWaitMs))
        qCWarning(lcRuntime).noquote() << "process" << m_pid << "did not end within" << killWaitMs << "ms of SIGKILL";
    if (m_pidfd >= 0) {
        delete m_notifier;   // before its fd goes
        ::close(m_pidfd);
    }
}

bool PidWatch::watch(qint64 pid, QString *error)
{
    const int fd = ::pidfd_open(pid_t(pid), 0);
    if (fd < 0) {
        *error = QStringLiteral("pidfd_open(%1): %2").arg(pid).arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    // Ours to reap? (waitid answers ECHILD for another's child.)
    siginfo_t info{};
    if (::waitid(idtype_t(P_PIDFD), id_t(fd), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
        *error = QStringLiteral("process %1 is not a child of this one (%2)")
                     .arg(pid).arg(QString::fromLocal8Bit(std::strerror(errno)));
        ::close(fd);
        return false;
    }
    m_pidfd = fd;
    m_pid = pid;
    m_notifier = new QSocketNotifier(qintptr(fd), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, [this] { reap(); });
    return true;
}

void PidWatch::signal(int signal)
{
    if (m_pidfd >= 0)
        ::pidfd_send_signal(m_pidfd, signal, nullptr, 0);
}

bool PidWatch::waitForExit(int timeoutMs)
{
    if (m_pidfd < 0)
        return true;
    pollfd p{m_pidfd, POLLIN, 0};
    int ready;
    while ((ready = ::poll(&p, 1, timeoutMs)) < 0 && errno == EINTR) {
    }
    return ready > 0 && reap();
}

bool PidWatch::reap()
{
    siginfo_t info{};
    int rc;
    while ((rc = ::waitid(idtype_t(P_PIDFD), id_t(m_pidfd), &info, WEXITED | WNOHANG)) < 0 && errno == EINTR) {
    }
    if (rc == 0 && info.si_pid == 0)
        return false;   // not ended yet
    delete m_notifier;
    m_notifier = nullptr;
    ::close(m_pidfd);
    m_pidfd = -1;
    if (rc != 0) {
        // Reaped by someone else: how it ended is unknown.
        qCWarning(lcRuntime).noquote() << "process" << m_pid << "ended but could not be reaped:" << std::strerror(errno);
        emit exited(-1, false);
        return true;
    }
    const bool crashed = info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED;
    emit exited(info.si_status, crashed);
    return true;
}
