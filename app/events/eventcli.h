// `control-nuc --events [--device ID] [--since …]`: the event log for a
// headless box. Reads the database directly and read-only, beside a
// running controller (no root lock, no drivers, no migration).
#pragma once

#include "events/event.h"

#include <QString>

#include <cstdio>

namespace EventCli {

// Prints one line per event, oldest first; returns the exit status.
int run(const QString &databasePath, const EventQuery &query, std::FILE *out, std::FILE *err);
// "2026-03-01T08:00:00.000Z  device_status  proj-1: connected → error – …"
QString line(const Event &event);

} // namespace EventCli
