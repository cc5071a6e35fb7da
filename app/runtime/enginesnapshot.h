// A snapshot of what driver code could change in an engine's shared
// objects: for the global object, every object a global names (the
// intrinsics and the host's globals) with its `prototype`, and the given
// extra objects with theirs, each object's shape (its QV4 internal class:
// keys, attributes, prototype, extensibility) and the values in its slots
// (data values, getters and setters, indexed elements). SandboxValidator
// keeps a validation engine for the next driver only when it is unchanged,
// a second line of defence behind DeclarativeModule: it sees the shared
// objects, not what closures hold.
//
// It reads QV4's heap directly (Qt 6.4's private QtQml headers): no script
// runs, so nothing a driver left behind (a getter, a Proxy, a replaced
// Object.getOwnPropertyDescriptor) can take part in the check, and a check
// of the 123 objects of a validation engine takes about 30 µs (the script it
// replaced needed about 0.6 ms for the 21 objects it covered).
#pragma once

#include <QList>

#include <memory>

class QJSEngine;
class QJSValue;

class EngineSnapshot
{
public:
    // Takes the snapshot now. The global `__nucDriverInfo` (set anew for
    // each validation) is left out. Null when the engine's shared objects
    // cannot be read (never expected; the engine is then not kept).
    static std::unique_ptr<EngineSnapshot> take(QJSEngine *engine, const QList<QJSValue> &extra);
    ~EngineSnapshot();

    // True while everything taken is as it was. Runs no script; on the
    // engine's thread.
    bool unchanged() const;

    int objectCount() const;

private:
    struct Data;
    explicit EngineSnapshot(std::unique_ptr<Data> data);
    std::unique_ptr<Data> d;
};
