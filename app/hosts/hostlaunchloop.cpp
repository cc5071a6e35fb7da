#include "hosts/hostlaunchloop.h"

// Plain C and the C++ library only: nothing here may make a thread or a Qt
// object, as each host is a fork of this process.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace {

// A message is small (arguments, or an environment); the controller sends
// nothing bigger than this.
constexpr size_t maxMessage = 256 * 1024;
// How long a forked host waits to be reparented to the controller.
constexpr int reparentWaitMs = 1000;
// Requests forked from one intermediate at most.
constexpr size_t maxBatch = 128;
// In a forked host: the read end of its batch's "all forked" pipe.
int g_go = -1;

// Where the kernel shows /proc/PID/cmdline (ps): the launcher's own argument
// and environment strings, contiguous on its stack. A host writes its
// arguments there, so that it reads as an exec'd one would.
char *g_titleStart = nullptr;
char *g_titleEnd = nullptr;

void rememberTitleArea(int argc, char **argv)
{
    char *end = argv[0];
    for (int i = 0; i < argc; ++i) {
        if (argv[i] != end)
            return;   // not the layout exec makes: leave the title alone
        end += std::strlen(argv[i]) + 1;
    }
    for (char **env = environ; env && *env; ++env) {
        if (*env != end)
            break;
        end += std::strlen(*env) + 1;
    }
    g_titleStart = argv[0];
    g_titleEnd = end;
}

// After the environment was replaced (nothing points into the old strings):
// the arguments, joined by spaces, over the whole area. The kernel reads
// past the arguments' original end into the environment's only when their
// last byte is not a NUL (its setproctitle support), hence one string.
void writeTitle(const std::vector<std::string> &args)
{
    if (!g_titleStart)
        return;
    std::string title;
    for (const std::string &arg : args)
        title += (title.empty() ? "" : " ") + arg;
    const size_t room = size_t(g_titleEnd - g_titleStart);
    if (title.size() >= room)
        title.resize(room - 1);
    std::memset(g_titleStart, 0, room);
    std::memcpy(g_titleStart, title.data(), title.size());
}

void answer(int fd, uint32_t request, int32_t pid, int32_t error)
{
    const LaunchAnswer a{request, pid, error};
    while (::send(fd, &a, sizeof a, MSG_NOSIGNAL) < 0 && errno == EINTR) {
    }
}

void sleepMicros(long us)
{
    timespec t{0, us * 1000};
    nanosleep(&t, nullptr);
}

// In the forked host: become what the controller would have exec'd.
// `go` reads end of file when the intermediate has forked the whole batch
// and exited (a host sleeps meanwhile instead of taking the CPU from it).
bool becomeHost(int go, int hostFd, pid_t controller, const std::vector<std::string> &env)
{
    char byte;
    while (go >= 0 && ::read(go, &byte, 1) < 0 && errno == EINTR) {
    }
    // Reparented when the intermediate exits (its files are closed just
    // before, hence the short wait).
    for (int waited = 0; ::getppid() != controller && waited < reparentWaitMs * 10; ++waited)
        sleepMicros(100);
    // Only now: the signal also comes when a subreaper one was reparented
    // to ends, and the launcher's intermediate is not what to follow.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != controller) {
        std::fprintf(stderr, "control-nuc-driverhost: not reparented to the controller (pid %d); exiting\n",
                     int(controller));
        return false;
    }
    // Its own process group: a Ctrl-C in the controller's terminal is for
    // the controller, which then stops its hosts in order.
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s = 1; s < NSIG; ++s)
        std::signal(s, SIG_DFL);   // fails harmlessly for SIGKILL, SIGSTOP and unused numbers
    ::clearenv();
    for (const std::string &entry : env) {
        const size_t eq = entry.find('=');
        if (eq != std::string::npos && eq > 0)
            ::setenv(entry.substr(0, eq).c_str(), entry.c_str() + eq + 1, 1);
    }
    // The link to the controller as fd 3 (replacing the launcher's link),
    // and no other descriptor of the launcher's.
    if (hostFd != 3 && ::dup2(hostFd, 3) < 0)
        return false;
    ::close_range(4, ~0U, 0);
    return true;
}

// Reads a NUL-terminated string list from [p, end).
std::vector<std::string> strings(const char *p, const char *end)
{
    std::vector<std::string> list;
    while (p < end) {
        const size_t n = strnlen(p, size_t(end - p));
        list.emplace_back(p, n);
        p += n + 1;
    }
    return list;
}

} // namespace

namespace {

struct Request
{
    uint32_t id = 0;
    int fd = -1;
    std::vector<std::string> args;
    std::vector<std::string> env;
};

// Reads what the controller sent: blocks for the first message, then takes
// what else is already there (a cold start asks for a hundred hosts at
// once), up to maxBatch spawn requests. False when the link is closed.
bool readBatch(int fd, std::vector<Request> *batch, std::vector<std::string> *env)
{
    static std::vector<char> buffer(maxMessage);
    for (int flags = 0; batch->size() < maxBatch; flags = MSG_DONTWAIT) {
        iovec iov{buffer.data(), buffer.size()};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | flags);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        if (n <= 0) {
            if (n < 0)
                std::fprintf(stderr, "control-nuc-driverhost --launcher: reading the controller's link: %s\n",
                             std::strerror(errno));
            return false;   // the controller closed the link (or went)
        }
        int hostFd = -1;
        for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int)))
                std::memcpy(&hostFd, CMSG_DATA(c), sizeof(int));
        }
        const char *p = buffer.data();
        if (p[0] == 'E' && !(msg.msg_flags & MSG_TRUNC)) {
            *env = strings(p + 1, p + n);
        } else if (p[0] == 'S' && n >= 5) {
            Request r;
            std::memcpy(&r.id, p + 1, sizeof r.id);
            if (hostFd < 0 || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
                if (hostFd >= 0)
                    ::close(hostFd);
                answer(fd, r.id, 0, hostFd < 0 ? EBADF : EMSGSIZE);
                continue;
            }
            r.fd = hostFd;
            r.args = strings(p + 5, p + n);
            r.env = *env;
            batch->push_back(std::move(r));
        } else if (hostFd >= 0) {
            ::close(hostFd);
        }
    }
    return true;
}

struct Forked
{
    int32_t index = 0, pid = 0, error = 0;
};

// Forks the batch's hosts from one intermediate, which exits when it has
// forked them all. In a host: the index of its request; in the launcher -1,
// once every request is answered.
int spawnBatch(int fd, const std::vector<Request> &batch)
{
    int pidPipe[2];
    if (::pipe2(pidPipe, O_CLOEXEC) != 0) {
        const int error = errno;
        for (const Request &r : batch) {
            ::close(r.fd);
            answer(fd, r.id, 0, error);
        }
        return -1;
    }
    const pid_t intermediate = ::fork();
    if (intermediate == 0) {
        ::close(pidPipe[0]);
        int go[2] = {-1, -1};
        if (::pipe2(go, O_CLOEXEC) != 0)
            go[0] = go[1] = -1;   // the hosts then only poll getppid()
        for (size_t i = 0; i < batch.size(); ++i) {
            const pid_t host = ::fork();
            if (host == 0) {
                ::close(pidPipe[1]);
                if (go[1] >= 0)
                    ::close(go[1]);
                g_go = go[0];
                return int(i);
            }
            const Forked f{int32_t(i), int32_t(host > 0 ? host : 0), host > 0 ? 0 : errno};
            (void)!::write(pidPipe[1], &f, sizeof f);
        }
        ::_exit(0);
    }
    ::close(pidPipe[1]);
    std::vector<Forked> forked(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
        ::close(batch[i].fd);
        forked[i] = {int32_t(i), 0, intermediate < 0 ? errno : ECHILD};
    }
    if (intermediate > 0) {
        Forked f;
        ssize_t got;
        while ((got = ::read(pidPipe[0], &f, sizeof f)) == ssize_t(sizeof f) || (got < 0 && errno == EINTR)) {
            if (got > 0 && f.index >= 0 && size_t(f.index) < forked.size())
                forked[size_t(f.index)] = f;
        }
        // Reaped before answering: by then every host is the controller's.
        while (::waitpid(intermediate, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
    ::close(pidPipe[0]);
    for (size_t i = 0; i < batch.size(); ++i)
        answer(fd, batch[i].id, forked[i].pid, forked[i].error);
    return -1;
}

} // namespace

int HostLaunchLoop::serve(int fd, int *argc, char ***argv)
{
    rememberTitleArea(*argc, *argv);
    const pid_t controller = ::getppid();
    std::vector<std::string> env;
    for (;;) {
        std::vector<Request> batch;
        if (!readBatch(fd, &batch, &env)) {
            for (const Request &r : batch)
                ::close(r.fd);   // the controller is gone or stopping: no more hosts
            return 0;
        }
        const int host = batch.empty() ? -1 : spawnBatch(fd, batch);
        if (host < 0)
            continue;
        const Request &r = batch[size_t(host)];
        if (!becomeHost(g_go, r.fd, controller, r.env))
            ::_exit(3);
        // Storage for the rest of the process: QCoreApplication keeps argv.
        static std::vector<std::string> kept;
        static std::vector<char *> pointers;
        kept = r.args;
        kept.insert(kept.begin(), (*argv)[0]);
        for (std::string &arg : kept)
            pointers.push_back(arg.data());
        pointers.push_back(nullptr);
        writeTitle(kept);
        program_invocation_name = kept.front().data();
        *argc = int(kept.size());
        *argv = pointers.data();
        return -1;
    }
}
