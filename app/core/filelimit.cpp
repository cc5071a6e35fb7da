#include "core/filelimit.h"

#include <cerrno>
#include <cstring>
#include <sys/resource.h>

namespace FileLimit {

QString raiseToHard()
{
    rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return QStringLiteral("cannot read the open-file limit: %1").arg(QString::fromLocal8Bit(strerror(errno)));
    const auto text = [](rlim_t value) {
        return value == RLIM_INFINITY ? QStringLiteral("unlimited") : QString::number(qulonglong(value));
    };
    const rlim_t before = limit.rlim_cur;
    if (before == limit.rlim_max)
        return QStringLiteral("open-file limit %1 (the hard limit)").arg(text(before));
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
        return QStringLiteral("open-file limit %1, cannot raise it to the hard limit %2: %3")
            .arg(text(before), text(limit.rlim_max), QString::fromLocal8Bit(strerror(errno)));
    return QStringLiteral("open-file limit raised from %1 to %2 (the hard limit)").arg(text(before), text(limit.rlim_cur));
}

long long soft()
{
    rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return -1;
    return static_cast<long long>(limit.rlim_cur);
}

} // namespace FileLimit
