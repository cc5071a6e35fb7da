// Reconnect backoff shared by the cloud link and the device supervisor:
// exponential from a minimum to a cap, with jitter so that many peers that
// failed together do not redial together.
#pragma once

namespace Backoff {

// The delay before retry after the n-th consecutive failure (0-based),
// jitter included: 75–125% of min·2^n, never above maxMs.
int delayMs(int failures, int minMs, int maxMs);

} // namespace Backoff
