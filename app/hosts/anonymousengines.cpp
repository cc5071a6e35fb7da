#include "hosts/anonymousengines.h"

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

#if defined(__x86_64__)
constexpr quint32 nativeArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr quint32 nativeArch = AUDIT_ARCH_AARCH64;
#else
constexpr quint32 nativeArch = 0;   // unknown here: no filter
#endif

} // namespace

namespace AnonymousEngines {

QString refuseMemfd()
{
    if (nativeArch == 0)
        return QStringLiteral("no seccomp filter for this architecture");
    // A system call of another ABI (e.g. i386's int 0x80) has other numbers:
    // it is let through untouched rather than misread.
    sock_filter program[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nativeArch, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_memfd_create, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog fprog{};
    fprog.len = static_cast<unsigned short>(sizeof(program) / sizeof(program[0]));
    fprog.filter = program;
    // Required of an unprivileged process installing a filter. It only
    // keeps a later exec (Qt Network's proxy helper may run one) from gaining
    // privileges: a host has none to gain.
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return QStringLiteral("PR_SET_NO_NEW_PRIVS: ") + QString::fromLocal8Bit(std::strerror(errno));
    // TSYNC: threads Qt may already have started get the filter too.
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fprog) != 0)
        return QStringLiteral("seccomp: ") + QString::fromLocal8Bit(std::strerror(errno));
    return {};
}

} // namespace AnonymousEngines
