#include "hosts/hostchild.h"

#include <QProcess>

#include <csignal>
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

void HostChild::prepare(QProcess &process, int childFd)
{
    // Runs in the child between fork and exec: async-signal-safe calls only.
    process.setChildProcessModifier([childFd] {
        if (childFd == 3)
            ::fcntl(3, F_SETFD, 0);
        else
            ::dup2(childFd, 3);   // the copy has no FD_CLOEXEC: it survives exec
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        // Its own process group: a Ctrl-C in the controller's terminal is
        // for the controller, which then stops its hosts in order.
        ::setpgid(0, 0);
    });
}
