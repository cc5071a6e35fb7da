// cgroup v2 memory limits for driver hosts (DRIVER_API.md "Containment"),
// when the controller runs in a cgroup v2 subtree delegated to it (systemd
// `Delegate=yes`): the kernel then enforces each host's limit with
// `memory.max` (and `memory.swap.max` 0) instead of waiting for the
// controller's resident-size check, which stays as the message source and
// as the only check where no delegated subtree is found.
//
// The layout it makes under the controller's cgroup directory:
//   <dir>/controller/         the controller itself (and what else ran in
//                             <dir>): cgroup v2 lets a cgroup with enabled
//                             controllers hold no processes of its own
//   <dir>/host-<name>/        one per running host, memory.max = its limit
// The directory is found from /proc/self/cgroup and the cgroup2 mount, or
// named by the environment variable NUC_CGROUP_DIR (tests lay out a
// temporary directory like cgroupfs; "off" disables the whole thing).
#pragma once

#include <QString>

class HostCgroups
{
public:
    // The delegated directory to use, or empty (then hosts are only
    // checked by their resident size): NUC_CGROUP_DIR when set, else the
    // controller's own cgroup v2 directory when it is a service's (…​.service),
    // writable (delegated) and offers the memory controller.
    static QString findDelegatedDir();
    // From /proc/self/cgroup's text: the unified (v2, "0::") path, or empty.
    static QString unifiedPath(const QByteArray &procSelfCgroup);
    // From /proc/self/mountinfo's text: where cgroup2 is mounted, or empty.
    static QString cgroup2Mount(const QByteArray &mountinfo);

    // Uses `dir` (empty: disabled). Call setUp() before placing hosts.
    explicit HostCgroups(const QString &dir = findDelegatedDir());

    // Moves the processes of the directory into its `controller` child and
    // enables the memory controller for the children. False (and disabled,
    // with `error`) when any step fails.
    bool setUp(QString *error);
    bool isActive() const { return m_active; }
    QString dir() const { return m_dir; }

    // Puts a started host (by pid) in host-<name> with memory.max =
    // `limitBytes`; false with `error` when the kernel refused.
    bool place(const QString &name, qint64 pid, qint64 limitBytes, QString *error);
    // The limit follows the number of devices the host runs.
    bool setLimit(const QString &name, qint64 limitBytes, QString *error);
    // Whether the kernel ended a process of host-<name> for its memory.max
    // (memory.events "oom_kill" above 0): read before release().
    bool oomKilled(const QString &name) const;
    // After the host ended: removes its (now empty) cgroup.
    void release(const QString &name);

private:
    QString hostDir(const QString &name) const;

    QString m_dir;
    bool m_active = false;
};
