// The launcher's side of `control-nuc-driverhost --launcher` (the
// controller's side is HostLauncher). It runs in main() before any Qt object
// exists: one thread, the libraries loaded and relocated once, so that a
// driver host costs a fork instead of an exec (docs/performance.md, "A
// launcher that forks hosts").
//
// The link (fd 3) is a SOCK_SEQPACKET socketpair; one message each way:
//   'E' then NUL-terminated "NAME=value" strings: the environment for the
//       hosts forked from now on (the controller sends it when it changed);
//   'S', a 32-bit request id, then NUL-terminated arguments (argv[1...]),
//       with the host's end of its own link as SCM_RIGHTS;
//   answer: LaunchAnswer (request id, the host's pid or 0, errno).
// Each host is forked twice over (launcher → intermediate → host) and the
// intermediate exits at once, so the host is reparented to the controller,
// which made itself a child subreaper before starting the launcher: hosts
// stay the controller's children, reaped and watched by it.
#pragma once

#include <cstdint>

struct LaunchAnswer
{
    uint32_t request = 0;
    int32_t pid = 0;     // the host's, or 0 when it could not be forked
    int32_t error = 0;   // errno when pid is 0
};

namespace HostLaunchLoop {

// Serves requests on `fd` until the controller closes the link (returns the
// launcher's exit code, 0). In a forked host it returns -1 instead, with
// *argc/*argv replaced by that host's arguments (kept for the process's
// life) and the host set up as an exec'd one would be: reparented to the
// controller, PR_SET_PDEATHSIG, own process group, default signals, the
// request's environment, its link as fd 3 and no other inherited fd.
int serve(int fd, int *argc, char ***argv);

} // namespace HostLaunchLoop
