#include "runtime/enginesnapshot.h"

#include <QJSEngine>
#include <QJSValue>

#include <private/qjsvalue_p.h>
#include <private/qv4arraydata_p.h>
#include <private/qv4engine_p.h>
#include <private/qv4internalclass_p.h>
#include <private/qv4object_p.h>
#include <private/qv4persistent_p.h>
#include <private/qv4scopedvalue_p.h>

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
    std::vector<ReturnedValue> elementValues;
    std::vector<uint> elementAttributes;     // empty when the elements have none of their own
    bool sparse = false;
};

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
    // A script-unreachable array holding every object, shape, slot value and
    // element array taken (the GC marks them through it).
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

    std::vector<QV4::Heap::Object *> objects;
    std::unordered_set<QV4::Heap::Object *> seen;
    auto add = [&](const QV4::Value &v) {
        QV4::Heap::Object *o = v.isObject() ? static_cast<QV4::Heap::Object *>(v.heapObject()) : nullptr;
        if (o && seen.insert(o).second)
            objects.push_back(o);
    };
    auto addWithPrototype = [&](const QV4::Value &v) {
        add(v);
        if (!v.isObject())
            return;
        // `prototype` as an own data property only: no getter runs here.
        QV4::ScopedObject o(scope, v);
        QV4::ScopedString name(scope, v4->id_prototype());
        QV4::PropertyAttributes attrs;
        QV4::ScopedProperty p(scope);
        attrs = o->getOwnProperty(name->toPropertyKey(), p);
        if (!attrs.isEmpty() && attrs.isData())
            add(p->value);
    };

    QV4::Heap::Object *global = v4->globalObject->d();
    add(QV4::Value::fromHeapObject(global));
    int driverInfoSlot = -1;
    {
        const QV4::Heap::InternalClass *shape = global->internalClass;
        QV4::ScopedString info(scope, v4->newIdentifier(QStringLiteral("__nucDriverInfo")));
        const QV4::InternalClassEntry entry = global->internalClass->find(info->toPropertyKey());
        if (entry.isValid())
            driverInfoSlot = int(entry.index);
        for (uint i = 0; i < shape->size; ++i) {
            if (int(i) == driverInfoSlot)
                continue;
            addWithPrototype(*global->propertyData(i));
        }
    }
    for (const QJSValue &e : extra)
        addWithPrototype(QV4::Value::fromReturnedValue(QJSValuePrivate::asReturnedValue(&e)));

    auto data = std::make_unique<Data>();
    data->taken.reserve(objects.size());
    for (QV4::Heap::Object *o : objects) {
        Taken t;
        t.object = o;
        t.shape = o->internalClass;
        keepHeap(o);
        keepHeap(t.shape);
        t.slotValues.reserve(t.shape->size);
        for (uint i = 0; i < t.shape->size; ++i) {
            const QV4::Value *v = o->propertyData(i);
            t.slotValues.push_back(v->asReturnedValue());
            keep(*v);
        }
        if (o == global)
            t.skipSlot = driverInfoSlot;
        if (QV4::Heap::ArrayData *a = o->arrayData) {
            t.elements = a;
            keepHeap(a);
            t.sparse = a->type != QV4::Heap::ArrayData::Simple;
            t.elementsOffset = a->offset;
            for (uint i = 0; i < a->values.size; ++i) {
                t.elementValues.push_back(a->values.values[i].asReturnedValue());
                keep(a->values.values[i]);
            }
            if (a->attrs) {
                for (uint i = 0; i < a->values.alloc; ++i)
                    t.elementAttributes.push_back(a->attrs[i].all());
            }
        }
        data->taken.push_back(std::move(t));
    }
    data->pin.set(v4, pin->asReturnedValue());
    return std::unique_ptr<EngineSnapshot>(new EngineSnapshot(std::move(data)));
}

bool EngineSnapshot::unchanged() const
{
    for (const Taken &t : d->taken) {
        const QV4::Heap::Object *o = t.object;
        const QV4::Heap::InternalClass *shape = o->internalClass;
        if (!sameShape(shape, t.shape))
            return false;
        for (uint i = 0; i < shape->size; ++i) {
            if (int(i) != t.skipSlot && o->propertyData(i)->asReturnedValue() != t.slotValues[i])
                return false;
        }
        const QV4::Heap::ArrayData *a = o->arrayData;
        if (a != t.elements)
            return false;
        if (!a)
            continue;
        // Elements change in place: compare them all. A sparse array (a
        // shared object made sparse by a driver) is not compared: changed.
        if (t.sparse || a->type != QV4::Heap::ArrayData::Simple || a->offset != t.elementsOffset
            || a->values.size != t.elementValues.size() || bool(a->attrs) != !t.elementAttributes.empty())
            return false;
        for (uint i = 0; i < a->values.size; ++i) {
            if (a->values.values[i].asReturnedValue() != t.elementValues[i])
                return false;
        }
        if (a->attrs) {
            if (a->values.alloc != t.elementAttributes.size())
                return false;
            for (uint i = 0; i < a->values.alloc; ++i) {
                if (a->attrs[i].all() != t.elementAttributes[i])
                    return false;
            }
        }
    }
    return true;
}
