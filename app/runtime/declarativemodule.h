// Decides from a driver module's text alone that running its top level
// does nothing but make new objects: it declares bindings initialised by
// literals, by `require('<name>')` or by functions and arrows (not called),
// declares classes whose members are all plain methods (no field, no
// accessor, no computed name, no static block, `extends` of a plain name),
// and ends with `module.exports = <name>`. Such a module cannot change
// anything another module would see in the same engine (it calls none of
// its own code, and none of the engine's but `require`, which only loads
// built-in modules). SandboxValidator keeps a validation engine for the
// next driver only after one of these passed (docs/driver-hosts.md).
//
// Anything the scanner does not fully understand is "not declarative":
// the safe answer, which costs a fresh engine and nothing else.
#pragma once

#include <QStringView>

namespace DeclarativeModule {

// True when evaluating `source` as a driver module only makes new objects;
// otherwise *reason (when given) names the first construct that is not.
bool recognized(QStringView source, const char **reason = nullptr);

} // namespace DeclarativeModule
