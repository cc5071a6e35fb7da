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

    // Annex B accessors lookups, which QJSEngine 6.4 lacks.
    function lookup(which) {
        return function (key) {
            for (var o = Object(this); o !== null; o = Object.getPrototypeOf(o)) {
                var own = Object.getOwnPropertyDescriptor(o, key);
                if (own)
                    return own[which];
            }
            return undefined;
        };
    }
    define(Object.prototype, '__lookupGetter__', lookup('get'));
    define(Object.prototype, '__lookupSetter__', lookup('set'));

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
    // Adopting a thenable whose `then` throws crashes QJSEngine 6.4
    // (QJSENGINE.md item 6): every value a promise is resolved with passes
    // through adopt() first, which turns a foreign thenable into a native
    // promise settled by calling its `then` in a job, under a try, as the
    // specification's NewPromiseResolveThenableJob does. Native promises
    // and plain values pass through untouched. The original `then` and
    // `resolve` are kept here, so a monkey-patched Promise.prototype.then
    // is not called by `await` (the specification's await does not call it).
    var NativePromise = Promise;
    var nativeThen = Promise.prototype.then;
    var nativeResolve = Promise.resolve;
    var settledJob = nativeResolve.call(NativePromise);
    // What the host wraps each reaction of await and adoption in (host.js:
    // counted, under the watchdog, as every then() callback is); these
    // reactions use the native then, which host.js does not see.
    var reaction = function (callback) { return callback; };
    function adopt(value) {
        if (value === null || (typeof value !== 'object' && typeof value !== 'function'))
            return value;
        var then;
        try {
            then = value.then;
        } catch (e) {
            return NativePromise.reject(e);
        }
        if (typeof then !== 'function' || ((then === nativeThen || then === safeThen) && value instanceof NativePromise))
            return value;
        return new NativePromise(function (resolve, reject) {
            nativeThen.call(settledJob, reaction(function () {
                var settled = false;
                try {
                    then.call(value, function (v) {
                        if (!settled) {
                            settled = true;
                            resolve(adopt(v));
                        }
                    }, function (r) {
                        if (!settled) {
                            settled = true;
                            reject(r);
                        }
                    });
                } catch (e) {
                    if (!settled) {
                        settled = true;
                        reject(e);
                    }
                }
            }));
        });
    }
    function shielded(callback) {
        return typeof callback !== 'function' ? callback : function (value) { return adopt(callback(value)); };
    }
    function safeThen(onFulfilled, onRejected) {
        return nativeThen.call(this, shielded(onFulfilled), shielded(onRejected));
    }
    Object.defineProperty(safeThen, 'name', { value: 'then', configurable: true });
    Object.defineProperty(Promise.prototype, 'then', { value: safeThen, writable: true, configurable: true, enumerable: false });
    Object.defineProperty(Promise, 'resolve', {
        value: function resolve(value) { return nativeResolve.call(this, adopt(value)); },
        writable: true, configurable: true, enumerable: false
    });
    // `new Promise(function (resolve) { resolve(thenable); })` adopts too:
    // the global Promise becomes a constructor that hands the executor a
    // shielded resolve, sharing the native prototype (instanceof, subclassing
    // through new.target and the statics, which construct through `this`,
    // all still work).
    function ShieldedPromise(executor) {
        if (!new.target)
            throw new TypeError("Promise constructor cannot be invoked without 'new'");
        var guarded = typeof executor !== 'function' ? executor : function (resolve, reject) {
            return executor(function (value) { resolve(adopt(value)); }, reject);
        };
        return Reflect.construct(NativePromise, [guarded], new.target);
    }
    Object.defineProperty(ShieldedPromise, 'name', { value: 'Promise', configurable: true });
    ShieldedPromise.prototype = NativePromise.prototype;
    Object.defineProperty(NativePromise.prototype, 'constructor', { value: ShieldedPromise, writable: true, configurable: true, enumerable: false });
    Reflect.ownKeys(NativePromise).forEach(function (key) {
        if (key !== 'prototype' && key !== 'length' && key !== 'name')
            Object.defineProperty(ShieldedPromise, key, Object.getOwnPropertyDescriptor(NativePromise, key));
    });
    Object.defineProperty(global, 'Promise', { value: ShieldedPromise, writable: true, configurable: true, enumerable: false });
    // await: the specification's PromiseResolve(%Promise%, v), then its
    // internal PerformPromiseThen.
    function awaited(value, onFulfilled, onRejected) {
        var promise = value instanceof NativePromise && value.constructor === ShieldedPromise ? value : adopt(value);
        if (!(promise instanceof NativePromise))
            promise = nativeResolve.call(NativePromise, promise);
        nativeThen.call(promise, reaction(onFulfilled), reaction(onRejected));
    }
    // async functions: a generator driven by Promises. The generator gets
    // the parameters (transform/function-bodies.js), so a throwing default
    // or destructuring rejects, and sloppy `arguments` stays mapped.
    define(global, '__nucAsync', function (self, args, generatorFunction) {
        return new NativePromise(function (resolve, reject) {
            var it;
            function step(method, input) {
                var result;
                try {
                    if (!it)
                        it = generatorFunction.apply(self, args);
                    result = it[method](input);
                } catch (e) {
                    reject(e);
                    return;
                }
                if (result.done) {
                    resolve(adopt(result.value));
                    return;
                }
                awaited(result.value, function (value) { step('next', value); },
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
    // #private names (transform/private-names.js): one per name and class
    // evaluation. `objects` maps each object that has the name to its value
    // (a field) or to true (the brand of a method or accessor, whose
    // functions are kept here). Wrong objects get the TypeError the
    // language throws.
    // A method written under a Symbol key is named "[#m]"; the language says "#m".
    function named(fn, name) {
        if (fn)
            Object.defineProperty(fn, 'name', { value: name, configurable: true });
        return fn;
    }
    function PrivateName(name, kind) {
        this.name = name;
        this.kind = kind;
        this.objects = new WeakMap();
        this.key = Symbol(name);
    }
    PrivateName.prototype = {
        check: function (o) {
            if (!this.objects.has(o))
                throw new TypeError('Cannot access private member ' + this.name + ' from an object whose class did not declare it');
        },
        init: function (o, value) {
            if (this.objects.has(o))
                throw new TypeError('Cannot initialize ' + this.name + ' twice on the same object');
            this.objects.set(o, value);
        },
        brand: function (o) {
            this.init(o, true);
        },
        take: function (holder) {
            var own = Object.getOwnPropertyDescriptor(holder, this.key);
            this.method = named(own.value, this.name);
            this.getter = named(own.get, 'get ' + this.name);
            this.setter = named(own.set, 'set ' + this.name);
            delete holder[this.key];
        },
        get: function (o) {
            this.check(o);
            if (this.kind === 'field')
                return this.objects.get(o);
            if (this.kind === 'method')
                return this.method;
            if (!this.getter)
                throw new TypeError(this.name + ' was defined without a getter');
            return this.getter.call(o);
        },
        set: function (o, value) {
            this.check(o);
            if (this.kind === 'field')
                this.objects.set(o, value);
            else if (this.kind === 'method')
                throw new TypeError('Private method ' + this.name + ' is not writable');
            else if (!this.setter)
                throw new TypeError(this.name + ' was defined without a setter');
            else
                this.setter.call(o, value);
            return value;
        },
        call: function (o) {
            return this.get(o).apply(o, Array.prototype.slice.call(arguments, 1));
        },
        inc: function (o, delta, prefix) {
            var old = +this.get(o);
            this.set(o, old + delta);
            return prefix ? old + delta : old;
        },
        has: function (o) {
            if (o === null || (typeof o !== 'object' && typeof o !== 'function'))
                throw new TypeError('Cannot use \'in\' operator to search for \'' + this.name + '\' in ' + o);
            return this.objects.has(o);
        }
    };
    define(global, '__nucPrivate', function (name, kind) { return new PrivateName(name, kind); });
    // A class field's anonymous function (transform/class-fields.js).
    define(global, '__nucName', named);
    // Defect 2: an arrow made in a derived-class constructor becomes a bound function.
    define(global, '__nucBind', function (fn, self) { return fn.bind(self); });
    define(global, '__nucClass', function (cls, init) {
        init(cls);
        return cls;
    });
    // Object spread: the own enumerable properties of `source`, Symbol keys
    // included, defined on `target` (no setter runs), read in the order of
    // Reflect.ownKeys; `literal`: copy the descriptors (a literal's getter).
    // `skip`: keys to leave out (object rest).
    function copyOwn(target, source, literal, skip) {
        if (source === null || source === undefined)
            return target;
        var from = Object(source);
        var keys = Reflect.ownKeys(from);
        for (var i = 0; i < keys.length; i++) {
            var key = keys[i];
            if (skip && skip.indexOf(typeof key === 'symbol' ? key : String(key)) >= 0)
                continue;
            var own = Reflect.getOwnPropertyDescriptor(from, key);
            if (literal)
                Object.defineProperty(target, key, own);
            else if (own && own.enumerable)
                Object.defineProperty(target, key, { value: from[key], writable: true, enumerable: true, configurable: true });
        }
        return target;
    }
    define(global, '__nucSpread', copyOwn);
    // Object rest: the source is held while the pattern destructures it.
    var held = [];
    define(global, '__nucPush', function (value) {
        held.push(value);
        return value;
    });
    define(global, '__nucPopRest', function (keys) {
        return copyOwn({}, held.pop(), false, keys);
    });

    // For the host (drivermodule.cpp hands it to host.js): the wrapper of
    // the reactions above, set once.
    var guarded = false;
    return {
        guardReactions: function (wrap) {
            if (guarded)
                throw new TypeError('reactions are guarded already');
            guarded = true;
            reaction = wrap;
        }
    };
})
