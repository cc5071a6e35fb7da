// The open-file limit of this process. A server of many connections (one
// descriptor each) needs more than the usual soft limit of 1024; the hard
// limit (systemd's LimitNOFILE=, ulimit -Hn) is what it may take.
#pragma once

#include <QString>

namespace FileLimit {

// Raises the soft RLIMIT_NOFILE to the hard limit. Returns a line for the
// log saying what the limit was and is (or why it could not be raised).
QString raiseToHard();

// The current soft limit; -1 when unknown or unlimited.
long long soft();

} // namespace FileLimit
