// Makes the QJSEngines of a driver host keep their memory in anonymous
// pages. Qt 6.4's allocator (WTF::OSAllocator, Linux) backs every engine's
// garbage-collected heap and JavaScript stack with a memfd of its own
// ("JSGCHeap:QtQml", "JSVMStack:QtQml") mapped MAP_PRIVATE, only so that the
// mappings carry a name in /proc/PID/maps. Each page an engine writes then
// costs a zeroed shmem page in that memfd plus a private copy of it: twice
// the page faults' work, and twice the memory while the engine lives (the
// shmem half is not in RSS or PSS, but is in the host's cgroup). When
// memfd_create fails, Qt falls back to plain anonymous mappings, which is
// what refuseMemfd() arranges: a seccomp filter on this process that
// answers memfd_create with ENOSYS (docs/performance.md, "Reload of 100
// devices (issue 18, session 5)").
#pragma once

#include <QString>

namespace AnonymousEngines {

// Installs the filter on every thread of this process (for good: a filter
// cannot be removed). Returns an empty string, or why it could not be
// installed (the engines then work as before).
QString refuseMemfd();

} // namespace AnonymousEngines
