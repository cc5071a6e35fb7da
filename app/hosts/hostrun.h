// The driver host's run modes, for people and tests rather than the
// controller (which talks to hosts over the fd-3 link, hostmain.cpp):
//   --run FILE [--timeout-ms N]   run FILE as `node FILE` would (ScriptRunner),
//                                 its output on stdout, exit 0 or 1
//   --run-batch                   run jobs read from stdin, one JSON object a
//                                 line, each in a fresh engine, and answer
//                                 each with one JSON line on stdout (the
//                                 conformance suite drives it)
// `control-nuc --run` hands its file to the first, so that driver
// JavaScript never runs in the controller's process.
#pragma once

#include <QStringList>

namespace HostRun {

// True when `args` (the program's arguments) ask for a run mode.
bool wanted(const QStringList &args);
// Runs it; the process's exit code.
int run(const QStringList &args);

} // namespace HostRun
