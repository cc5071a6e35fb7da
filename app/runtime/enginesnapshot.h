// A snapshot of what driver code could change in an engine's shared state:
// every object reachable from the global object, from the engine's
// intrinsics (the iterator and generator prototypes no global names too)
// and from the given extra objects, through property slots, elements,
// prototypes and the variables functions close over (the host's module
// cache, say). For each object its shape (QV4's internal class: keys,
// attributes, prototype, extensibility) and the values in its slots (data
// values, getters and setters, every element cell); for each closure scope
// its variables. SandboxValidator keeps a validation engine for the next
// driver only when it is unchanged, a second line of defence behind
// DeclarativeModule.
//
// It reads QV4's heap directly (Qt 6.4's private QtQml headers): no script
// runs, so nothing a driver left behind (a getter, a Proxy, a replaced
// Object.getOwnPropertyDescriptor) can take part in the check, and it is
// cheap: see docs/driver-hosts.md for the figures.
#pragma once

#include <QList>

#include <memory>

class QJSEngine;
class QJSValue;

class EngineSnapshot
{
public:
    // Takes the snapshot now. The global `__nucDriverInfo` (set anew for
    // each validation) is left out. Null when more than 20,000 objects are
    // reachable (the engine is then not kept).
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
