#include "runtime/enginesnapshot.h"

#include <QJSEngine>
#include <QJSValue>

#include <private/qjsvalue_p.h>
#include <private/qv4arraydata_p.h>
#include <private/qv4context_p.h>
#include <private/qv4functionobject_p.h>
#include <private/qv4engine_p.h>
#include <private/qv4internalclass_p.h>
#include <private/qv4object_p.h>
#include <private/qv4persistent_p.h>
#include <private/qv4scopedvalue_p.h>
#include <private/qv4typedarray_p.h>

#include <unordered_set>
#include <vector>

namespace {

using QV4::ReturnedValue;

// What one object looked like. Every pointer in here is kept alive by the
// snapshot's pin (below), so that an address can never come back as
// something else: a replaced value or shape stays different from the one
// taken.
struct Taken
{
    QV4::Heap::Object *object = nullptr;
    QV4::Heap::InternalClass *shape = nullptr;
    std::vector<ReturnedValue> slotValues;         // data values; a getter and its setter take two
    int skipSlot = -1;                        // the global's __nucDriverInfo
    QV4::Heap::ArrayData *elements = nullptr;
    uint elementsOffset = 0;
    uint elementsSize = 0;
    std::vector<ReturnedValue> elementValues;   // every allocated cell (offset and wrap-around included)
    std::vector<uint> elementAttributes;     // empty when the elements have none of their own
};

// A function's scope that holds its own variables (a closure's): compared
// like an object's slots, so that a driver calling a host function cannot
// leave it holding something else.
struct TakenScope
{
    QV4::Heap::CallContext *context = nullptr;
    std::vector<ReturnedValue> locals;
};

// The raw values of cells 0..n-1 (`at(i)` gives cell i).
template <typename At>
std::vector<ReturnedValue> valuesOf(uint n, At at)
{
    std::vector<ReturnedValue> values;
    values.reserve(n);
    for (uint i = 0; i < n; ++i)
        values.push_back(at(i).asReturnedValue());
    return values;
}

// Whether cells 0..n-1 still hold `was` (cell `skip` left out).
template <typename At>
bool sameValues(uint n, At at, const std::vector<ReturnedValue> &was, int skip = -1)
{
    if (n != was.size())
        return false;
    for (uint i = 0; i < n; ++i) {
        if (int(i) != skip && at(i).asReturnedValue() != was[i])
            return false;
    }
    return true;
}

bool sameShape(const QV4::Heap::InternalClass *now, const QV4::Heap::InternalClass *was)
{
    if (now == was)
        return true;
    // A new internal class of the same shape: QV4 gives an object a new one
    // when it first serves as a prototype (the UsedAsProto flag). Keys and
    // attributes are copy-on-write storage: the same storage and size mean
    // the same entries.
    constexpr quint8 usedAsProto = QV4::Heap::InternalClass::UsedAsProto;
    return now->size == was->size && now->vtable == was->vtable && now->prototype == was->prototype
        && (now->flags & ~usedAsProto) == (was->flags & ~usedAsProto) && now->nameMap.d == was->nameMap.d
        && now->propertyData.d == was->propertyData.d;
}

} // namespace

struct EngineSnapshot::Data
{
    std::vector<Taken> taken;
    std::vector<TakenScope> scopes;
    // A script-unreachable array holding every object, shape, element
    // array, scope and value taken (the GC marks them through it).
    QV4::PersistentValue pin;
};

EngineSnapshot::EngineSnapshot(std::unique_ptr<Data> data) : d(std::move(data)) {}
EngineSnapshot::~EngineSnapshot() = default;

int EngineSnapshot::objectCount() const
{
    return int(d->taken.size());
}

std::unique_ptr<EngineSnapshot> EngineSnapshot::take(QJSEngine *engine, const QList<QJSValue> &extra)
{
    QV4::ExecutionEngine *v4 = engine->handle();
    QV4::Scope scope(v4);
    QV4::ScopedObject pin(scope, v4->newArrayObject());
    auto keep = [&](const QV4::Value &v) { pin->push_back(v); };
    auto keepHeap = [&](QV4::Heap::Base *b) {
        if (b)
            pin->push_back(QV4::Value::fromHeapObject(b));
    };

    // Everything reachable from the global object, the engine's intrinsics
    // (iterator and generator prototypes no global names included) and the
    // extra objects: through property slots, elements, prototypes and the
    // variables of functions' closures. Bounded: an engine holding more is
    // not snapshotted (and so never kept).
    constexpr std::size_t maxObjects = 20000;
    std::vector<QV4::Heap::Object *> objects;
    std::unordered_set<QV4::Heap::Object *> seen;
    std::vector<QV4::Heap::CallContext *> contexts;
    std::unordered_set<QV4::Heap::CallContext *> seenContexts;
    auto add = [&](const QV4::Value &v) {
        QV4::Heap::Object *o = v.isObject() ? static_cast<QV4::Heap::Object *>(v.heapObject()) : nullptr;
        if (o && seen.insert(o).second)
            objects.push_back(o);
    };

    QV4::Heap::Object *global = v4->globalObject->d();
    add(QV4::Value::fromHeapObject(global));
    int driverInfoSlot = -1;
    {
        QV4::ScopedString info(scope, v4->newIdentifier(QStringLiteral("__nucDriverInfo")));
        const QV4::InternalClassEntry entry = global->internalClass->find(info->toPropertyKey());
        if (entry.isValid())
            driverInfoSlot = int(entry.index);
    }
    for (int i = 0; i < QV4::ExecutionEngine::NJSObjects; ++i)
        add(v4->jsObjects[i]);
    for (int i = 0; i < QV4::NTypedArrayTypes; ++i) {
        add(v4->typedArrayCtors[i]);
        add(v4->typedArrayPrototype[i]);
    }
    for (const QJSValue &e : extra)
        add(QV4::Value::fromReturnedValue(QJSValuePrivate::asReturnedValue(&e)));

    for (std::size_t next = 0; next < objects.size(); ++next) {
        if (objects.size() > maxObjects)
            return nullptr;
        QV4::Heap::Object *o = objects[next];
        const QV4::Heap::InternalClass *shape = o->internalClass;
        if (shape->prototype)
            add(QV4::Value::fromHeapObject(shape->prototype));
        for (uint i = 0; i < shape->size; ++i) {
            if (!(o == global && int(i) == driverInfoSlot))
                add(*o->propertyData(i));
        }
        if (const QV4::Heap::ArrayData *a = o->arrayData; a && a->type == QV4::Heap::ArrayData::Simple) {
            for (uint i = 0; i < a->values.alloc; ++i)
                add(a->values.values[i]);
        }
        if (shape->vtable->isFunctionObject) {
            for (QV4::Heap::ExecutionContext *c = static_cast<QV4::Heap::FunctionObject *>(o)->scope; c; c = c->outer) {
                if (c->type != QV4::Heap::ExecutionContext::Type_CallContext
                    && c->type != QV4::Heap::ExecutionContext::Type_BlockContext)
                    continue;
                auto *call = static_cast<QV4::Heap::CallContext *>(c);
                if (!seenContexts.insert(call).second)
                    continue;
                contexts.push_back(call);
                for (uint i = 0; i < call->locals.size; ++i)
                    add(call->locals.values[i]);
            }
        }
    }

    auto data = std::make_unique<Data>();
    data->taken.reserve(objects.size());
    for (QV4::Heap::Object *o : objects) {
        Taken t;
        t.object = o;
        t.shape = o->internalClass;
        keepHeap(o);
        keepHeap(t.shape);
        t.slotValues = valuesOf(t.shape->size, [o](uint i) { return *o->propertyData(i); });
        if (o == global)
            t.skipSlot = driverInfoSlot;
        if (QV4::Heap::ArrayData *a = o->arrayData) {
            t.elements = a;
            keepHeap(a);
            t.elementsOffset = a->offset;
            t.elementsSize = a->values.size;
            // A sparse array keeps its elements elsewhere: not compared
            // (unchanged() says changed).
            if (a->type == QV4::Heap::ArrayData::Simple)
                t.elementValues = valuesOf(a->values.alloc, [a](uint i) { return a->values.values[i]; });
            if (a->attrs) {
                for (uint i = 0; i < a->values.alloc; ++i)
                    t.elementAttributes.push_back(a->attrs[i].all());
            }
        }
        data->taken.push_back(std::move(t));
    }
    data->scopes.reserve(contexts.size());
    for (QV4::Heap::CallContext *c : contexts) {
        keepHeap(c);
        data->scopes.push_back({c, valuesOf(c->locals.size, [c](uint i) { return c->locals.values[i]; })});
    }
    // The values taken are pinned too: a replaced one is never freed, so
    // its address cannot come back as a new value.
    for (const Taken &t : data->taken) {
        for (const ReturnedValue v : t.slotValues)
            keep(QV4::Value::fromReturnedValue(v));
        for (const ReturnedValue v : t.elementValues)
            keep(QV4::Value::fromReturnedValue(v));
    }
    for (const TakenScope &t : data->scopes) {
        for (const ReturnedValue v : t.locals)
            keep(QV4::Value::fromReturnedValue(v));
    }
    data->pin.set(v4, pin->asReturnedValue());
    return std::unique_ptr<EngineSnapshot>(new EngineSnapshot(std::move(data)));
}

bool EngineSnapshot::unchanged() const
{
    for (const Taken &t : d->taken) {
        const QV4::Heap::Object *o = t.object;
        const QV4::Heap::InternalClass *shape = o->internalClass;
        if (!sameShape(shape, t.shape)
            || !sameValues(shape->size, [o](uint i) { return *o->propertyData(i); }, t.slotValues, t.skipSlot))
            return false;
        const QV4::Heap::ArrayData *a = o->arrayData;
        if (a != t.elements)
            return false;
        if (!a)
            continue;
        // Elements change in place: compare every allocated cell. A sparse
        // array is not compared: changed (one taken sparse is still sparse,
        // or has new element storage).
        if (a->type != QV4::Heap::ArrayData::Simple || a->offset != t.elementsOffset || a->values.size != t.elementsSize
            || bool(a->attrs) != !t.elementAttributes.empty()
            || !sameValues(a->values.alloc, [a](uint i) { return a->values.values[i]; }, t.elementValues))
            return false;
        if (a->attrs) {
            if (a->values.alloc != t.elementAttributes.size())
                return false;
            for (uint i = 0; i < a->values.alloc; ++i) {
                if (a->attrs[i].all() != t.elementAttributes[i])
                    return false;
            }
        }
    }
    for (const TakenScope &t : d->scopes) {
        const QV4::Heap::CallContext *c = t.context;
        if (!sameValues(c->locals.size, [c](uint i) { return c->locals.values[i]; }, t.locals))
            return false;
    }
    return true;
}
