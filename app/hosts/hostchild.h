// What a process exec'd by the controller for its driver hosts gets between
// fork and exec, the same for a host exec'd directly (DriverHostProcess) and
// for the host launcher (HostLauncher): its end of the link as fd 3, death
// with the controller, and a process group of its own.
#pragma once

class QProcess;

namespace HostChild {

// Sets `process`'s child process modifier. `childFd` (close-on-exec in this
// process) becomes the child's fd 3 and survives the exec; the caller closes
// its copy once the process is started.
void prepare(QProcess &process, int childFd);

} // namespace HostChild
