// `control-cloud metrics [ID] [--json]`: the latest driver_metrics of each
// controller (or of one) from the running control-cloud, as a table.
#pragma once

#include <QStringList>

// `args`: the arguments after "metrics" (program name first). Exit status.
int metricsCommand(const QStringList &args);
