#include "runtime/enginesnapshot.h"

#include <QJSEngine>

namespace {

const QString unchangedSource = QStringLiteral(R"JS((function (global, extra) {
    var names = Object.getOwnPropertyNames, symbols = Object.getOwnPropertySymbols,
        describe = Object.getOwnPropertyDescriptor, protoOf = Object.getPrototypeOf,
        extensible = Object.isExtensible;
    var objects = [global], seen = [global];
    function add(o) {
        if (o === null || (typeof o !== 'object' && typeof o !== 'function'))
            return;
        for (var i = 0; i < seen.length; ++i)
            if (seen[i] === o)
                return;
        seen[seen.length] = o;
        objects[objects.length] = o;
    }
    // The objects every driver reaches and the validator's checks use.
    var shared = ['Object', 'Function', 'Array', 'String', 'Promise', 'Reflect', 'JSON', 'Symbol'];
    for (var i = 0; i < shared.length; ++i) {
        var d = describe(global, shared[i]);
        if (d && 'value' in d) {
            add(d.value);
            var p = d.value ? describe(d.value, 'prototype') : undefined;
            if (p && 'value' in p)
                add(p.value);
        }
    }
    for (var j = 0; j < extra.length; ++j) {
        add(extra[j]);
        if (extra[j])
            add(extra[j].prototype);
    }
    function take(o) {
        var keys = names(o), more = symbols(o), state = [protoOf(o), extensible(o)];
        for (var k = 0; k < more.length; ++k)
            keys[keys.length] = more[k];
        for (var m = 0; m < keys.length; ++m) {
            if (o === global && keys[m] === '__nucDriverInfo')
                continue;   // set anew for each validation
            var e = describe(o, keys[m]);
            var at = state.length;
            state[at] = keys[m];
            state[at + 1] = e.value;
            state[at + 2] = e.get;
            state[at + 3] = e.set;
            state[at + 4] = (e.writable ? 1 : 0) + (e.enumerable ? 2 : 0) + (e.configurable ? 4 : 0);
        }
        return state;
    }
    var before = [];
    for (var n = 0; n < objects.length; ++n)
        before[n] = take(objects[n]);
    return function () {
        for (var a = 0; a < objects.length; ++a) {
            var now = take(objects[a]), was = before[a];
            if (now.length !== was.length)
                return false;
            for (var b = 0; b < now.length; ++b)
                if (now[b] !== was[b] && !(now[b] !== now[b] && was[b] !== was[b]))
                    return false;
        }
        return true;
    };
}))JS");

} // namespace

QJSValue EngineSnapshot::take(QJSEngine *engine, const QList<QJSValue> &extra)
{
    QJSValue objects = engine->newArray(quint32(extra.size()));
    for (int i = 0; i < extra.size(); ++i)
        objects.setProperty(quint32(i), extra.at(i));
    return engine->evaluate(unchangedSource).call({engine->globalObject(), objects});
}
