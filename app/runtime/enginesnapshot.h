// A snapshot of what driver code could change in an engine's shared
// objects: the own properties (values, accessors, attributes), prototype
// and extensibility of the global object, of Object, Function, Array,
// String, Promise, Reflect, JSON and Symbol with their `prototype`s, and of
// the given extra objects and their `prototype`s. (All the global's
// objects cost 3 ms a check; these about a tenth.) SandboxValidator keeps a validation engine for the next
// driver only when it is unchanged, a second line of defence behind
// DeclarativeModule: it sees the shared objects, not what closures hold.
#pragma once

#include <QJSValue>
#include <QList>

class QJSEngine;

namespace EngineSnapshot {

// Takes the snapshot now; the returned function (call it with no
// arguments) answers true while everything is as it was. What it uses is
// taken at the snapshot, so a replaced intrinsic cannot fool it. The
// global `__nucDriverInfo` (set anew for each validation) is left out.
QJSValue take(QJSEngine *engine, const QList<QJSValue> &extra);

} // namespace EngineSnapshot
