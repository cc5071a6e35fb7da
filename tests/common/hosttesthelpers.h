// Helpers for tests of driver host processes (tst_driverhosts,
// tst_hostlauncher): options with short timeouts, a typed spec, the drivers
// both use, and what /proc tells about a host's JIT.
#pragma once

#include "hosts/driverhostprocess.h"
#include "runtimetesthelpers.h"

#include <QFile>

namespace HostTest {

// Answers every command with it and its parameters; `pid` tells whether
// the host's internals are in reach.
inline const QString echoDriver = QStringLiteral(R"JS(const BaseDriver = require('./base-driver');
class Echo extends BaseDriver {
  connect() { this.setState({ power: 'on' }); return Promise.resolve(); }
  sendCommand(command, params) {
    if (command === 'pid') return Promise.resolve(String(typeof __nucHost));
    return Promise.resolve({ command: command, params: params });
  }
}
module.exports = Echo;
)JS");

// A QJSEngine 6.4 segfault (the prelude shields item 6 (a); an array nested
// 300,000 levels turned into a string still overflows the C++ stack): SIGSEGV.
inline const QString thenableDriver = QStringLiteral(R"JS(const BaseDriver = require('./base-driver');
class Thenable extends BaseDriver {
  connect() { return Promise.resolve(); }
  sendCommand() { return (function () { var a = []; for (var i = 0; i < 300000; i++) a = [a]; return Promise.resolve(String(a)); })(); }
}
module.exports = Thenable;
)JS");

// Calls one small function often enough for QJSEngine's JIT to compile it.
inline const QString hotDriver = QStringLiteral(R"JS(const BaseDriver = require('./base-driver');
function add(a, b) { return a + b; }
class Hot extends BaseDriver {
  connect() { return Promise.resolve(); }
  sendCommand() { let s = 0; for (let i = 0; i < 5000; ++i) s = add(s, i); return Promise.resolve(s); }
}
module.exports = Hot;
)JS");

// Mappings of code QJSEngine's JIT made (Qt 6.4 keeps it in memfds named
// "JITCode:QtQml"; an engine maps one page at its start whether it compiles
// or not). Only where memfds are allowed: CONTROL_NUC_HOST_MEMFD=1 in a
// device host.
inline int jitCodeMappings(qint64 pid)
{
    QFile maps(QStringLiteral("/proc/%1/maps").arg(pid));
    if (!maps.open(QIODevice::ReadOnly))
        return -1;
    return int(maps.readAll().count("JITCode"));
}

inline DriverHostOptions options()
{
    DriverHostOptions o;
    o.program = QStringLiteral(NUC_DRIVERHOST_BUILD_PATH);
    o.runtime.budgetMs = 1000;
    o.validationBudgetMs = 2000;
    o.pingIntervalMs = 200;
    o.answerTimeoutMs = 2000;
    o.stopTimeoutMs = 1000;
    return o;
}

// For a driver that ends its host on purpose (thenableDriver's stack
// overflow, a leak from a timer): its JavaScript runs until the crash or the
// memory limit ends it, which on a loaded machine took longer than the 1 s
// budget (the watchdog then stopped it first). The budget is not what such a
// test checks; 4 s stays below wait()'s 5 s, so a hang still reads as one.
inline DriverHostOptions crashOptions()
{
    DriverHostOptions o = options();
    o.runtime.budgetMs = 4000;
    return o;
}

inline DriverSpec typed(const QString &type, const QString &code, const QString &deviceId)
{
    DriverSpec s = RuntimeTest::spec(code, QStringLiteral("tcp"), {}, {}, deviceId);
    s.driverType = type;
    return s;
}

} // namespace HostTest
