// Installed in every driver engine (and validation engines) before the
// driver: what drivers commonly use and QJSEngine 6.4 lacks, and the helpers
// that down-levelled driver code calls (see transform/). A function of the
// global object that the host calls once; compiled ahead of time as a
// module (app/CMakeLists.txt), so strict: ES2015 and no assignment in tail
// position on purpose (QJSEngine 6.4 defect 1).
(function (global) {
    function define(target, name, value) {
        if (!(name in target))
            Object.defineProperty(target, name, { value: value, writable: true, configurable: true, enumerable: false });
    }

    define(global, 'globalThis', global);

    define(Object, 'fromEntries', function fromEntries(entries) {
        var result = {};
        for (var entry of entries)
            result[entry[0]] = entry[1];
        return result;
    });
    define(Object, 'hasOwn', function hasOwn(object, key) {
        return Object.prototype.hasOwnProperty.call(Object(object), key);
    });

    function flatten(target, source, depth) {
        for (var i = 0; i < source.length; i++) {
            if (!(i in source))
                continue;
            var value = source[i];
            if (depth > 0 && Array.isArray(value))
                flatten(target, value, depth - 1);
            else
                target.push(value);
        }
        return target;
    }
    define(Array.prototype, 'flat', function flat(depth) {
        return flatten([], this, depth === undefined ? 1 : Number(depth));
    });
    define(Array.prototype, 'flatMap', function flatMap(callback, thisArg) {
        return flatten([], Array.prototype.map.call(this, callback, thisArg), 1);
    });
    function at(index) {
        var n = Math.trunc(Number(index)) || 0;
        if (n < 0)
            n += this.length;
        return n < 0 || n >= this.length ? undefined : this[n];
    }
    define(Array.prototype, 'at', at);
    define(String.prototype, 'at', function (index) {
        var s = String(this);
        return at.call(s, index);
    });
    ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
     'Float32Array', 'Float64Array'].forEach(function (name) {
        if (global[name])
            define(global[name].prototype, 'at', at);
    });

    define(String.prototype, 'replaceAll', function replaceAll(search, replacement) {
        var s = String(this);
        if (search instanceof RegExp) {
            if (search.flags.indexOf('g') < 0)
                throw new TypeError('replaceAll must be called with a global RegExp');
            return s.replace(search, replacement);
        }
        var needle = String(search);
        var parts = s.split(needle);
        if (typeof replacement === 'function') {
            var out = parts[0];
            var position = parts[0].length;
            for (var i = 1; i < parts.length; i++) {
                out += String(replacement(needle, position, s)) + parts[i];
                position += needle.length + parts[i].length;
            }
            return out;
        }
        return parts.join(String(replacement).replace(/\$\$/g, '$'));
    });
    define(String.prototype, 'trimStart', function trimStart() { return String(this).replace(/^\s+/, ''); });
    define(String.prototype, 'trimEnd', function trimEnd() { return String(this).replace(/\s+$/, ''); });

    define(Promise.prototype, 'finally', function (onFinally) {
        var C = this.constructor || Promise;
        if (typeof onFinally !== 'function')
            return this.then(onFinally, onFinally);
        return this.then(function (value) {
            return C.resolve(onFinally()).then(function () { return value; });
        }, function (reason) {
            return C.resolve(onFinally()).then(function () { throw reason; });
        });
    });
    define(Promise, 'allSettled', function allSettled(iterable) {
        return Promise.all(Array.from(iterable, function (p) {
            return Promise.resolve(p).then(function (value) { return { status: 'fulfilled', value: value }; },
                                           function (reason) { return { status: 'rejected', reason: reason }; });
        }));
    });
    define(Promise, 'any', function any(iterable) {
        var list = Array.from(iterable);
        return new Promise(function (resolve, reject) {
            var errors = new Array(list.length);
            var left = list.length;
            if (left === 0) {
                var none = new Error('All promises were rejected');
                none.name = 'AggregateError';
                none.errors = [];
                reject(none);
                return;
            }
            list.forEach(function (p, i) {
                Promise.resolve(p).then(resolve, function (reason) {
                    errors[i] = reason;
                    left -= 1;
                    if (left === 0) {
                        var error = new Error('All promises were rejected');
                        error.name = 'AggregateError';
                        error.errors = errors;
                        reject(error);
                    }
                });
            });
        });
    });

    // No code from strings (docs/drivers.md): the transformer refuses eval
    // and Function(...) at install; what it cannot see, e.g.
    // (function () {}).constructor('...'), throws here. Function stays the
    // same object for instanceof and .constructor checks (same prototype).
    function refuse(what) {
        return function () { throw new EvalError(what + ' is not available to drivers (code from strings)'); };
    }
    var NativeFunction = Function;
    var SafeFunction = refuse('Function(...)');
    Object.defineProperty(SafeFunction, 'name', { value: 'Function' });
    SafeFunction.prototype = NativeFunction.prototype;
    function replaceConstructor(prototype, replacement) {
        Object.defineProperty(prototype, 'constructor', { value: replacement, writable: true, configurable: true, enumerable: false });
    }
    replaceConstructor(NativeFunction.prototype, SafeFunction);
    var generatorPrototype = Object.getPrototypeOf(function* () {});
    var SafeGeneratorFunction = refuse('the GeneratorFunction constructor');
    SafeGeneratorFunction.prototype = generatorPrototype;
    replaceConstructor(generatorPrototype, SafeGeneratorFunction);
    Object.defineProperty(global, 'Function', { value: SafeFunction, writable: true, configurable: true, enumerable: false });
    Object.defineProperty(global, 'eval', { value: refuse('eval'), writable: true, configurable: true, enumerable: false });

    // Helpers of down-levelled code.
    // async functions: a generator driven by Promises.
    define(global, '__nucAsync', function (self, args, generatorFunction) {
        return new Promise(function (resolve, reject) {
            var it = generatorFunction.apply(self, args);
            function step(method, input) {
                var result;
                try {
                    result = it[method](input);
                } catch (e) {
                    reject(e);
                    return;
                }
                if (result.done) {
                    resolve(result.value);
                    return;
                }
                Promise.resolve(result.value).then(function (value) { step('next', value); },
                                                   function (error) { step('throw', error); });
            }
            step('next', undefined);
        });
    });
    // Defect 1: a value returned through a call keeps its store.
    define(global, '__nucKeep', function (value) { return value; });
    // Class fields: [[Define]] semantics; private names are not enumerable.
    define(global, '__nucDefine', function (target, name, value) {
        Object.defineProperty(target, name, { value: value, writable: true, configurable: true, enumerable: true });
    });
    define(global, '__nucDefineHidden', function (target, name, value) {
        Object.defineProperty(target, name, { value: value, writable: true, configurable: true, enumerable: false });
    });
    // Defect 2: an arrow made in a derived-class constructor becomes a bound function.
    define(global, '__nucBind', function (fn, self) { return fn.bind(self); });
    define(global, '__nucClass', function (cls, init) {
        init(cls);
        return cls;
    });
    // Object rest: the source is held while the pattern destructures it.
    var held = [];
    define(global, '__nucPush', function (value) {
        held.push(value);
        return value;
    });
    define(global, '__nucPopRest', function (keys) {
        var source = held.pop();
        var rest = {};
        if (source === null || source === undefined)
            return rest;
        var own = Object.keys(Object(source));
        for (var i = 0; i < own.length; i++) {
            if (keys.indexOf(own[i]) < 0)
                rest[own[i]] = source[own[i]];
        }
        var symbols = Object.getOwnPropertySymbols(Object(source));
        for (var j = 0; j < symbols.length; j++) {
            if (Object.prototype.propertyIsEnumerable.call(source, symbols[j]))
                rest[symbols[j]] = source[symbols[j]];
        }
        return rest;
    });
})
