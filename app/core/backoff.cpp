#include "core/backoff.h"

#include <QRandomGenerator>
#include <QtGlobal>

#include <algorithm>

namespace Backoff {

int delayMs(int failures, int minMs, int maxMs)
{
    const int shift = std::min(failures, 20);
    const qint64 base = std::min<qint64>(qint64(minMs) << shift, maxMs);
    // Jitter: between 75% and 125% of the base, never above the cap.
    const double factor = 0.75 + QRandomGenerator::global()->generateDouble() * 0.5;
    return int(std::clamp<qint64>(qint64(base * factor), minMs / 2 > 0 ? minMs / 2 : 1, maxMs));
}

} // namespace Backoff
