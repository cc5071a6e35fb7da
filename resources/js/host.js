// Globals the driver host installs in every driver engine before the driver
// is loaded: console, timers, and the transports' JavaScript side.
// Evaluated to a function that C++ calls once with the host (HostBridge):
// the host stays in this closure and in BaseDriver's, never on the global
// object, so driver code cannot reach it to leave the watchdog, settle a
// call or open a transport outside the API. What the host calls back
// (invoke, construct, timerFired) is returned to C++, not published.
(function (global, host, prelude) {
    'use strict';
    const EventEmitter = global.__nucRequire('events');

    function describe(value) {
        if (typeof value === 'string')
            return value;
        if (value instanceof Error)
            return value.stack ? String(value) + '\n' + value.stack : String(value);
        if (value === undefined)
            return 'undefined';
        if (typeof value === 'function')
            return '[Function ' + (value.name || 'anonymous') + ']';
        try {
            const json = JSON.stringify(value);
            return json === undefined ? String(value) : json;
        } catch (e) {
            return String(value);
        }
    }
    function format(args) {
        return Array.prototype.map.call(args, describe).join(' ');
    }
    global.console = {
        debug: function () { host.log(0, format(arguments)); },
        log: function () { host.log(1, format(arguments)); },
        info: function () { host.log(1, format(arguments)); },
        warn: function () { host.log(2, format(arguments)); },
        error: function () { host.log(3, format(arguments)); },
    };

    // Buffer, as in Node, from require('buffer') (Debian's node-buffer): loaded
    // on first use, so that an engine that never touches it does not pay
    // for parsing it. Assigning the global replaces it, as in Node.
    function setBuffer(value) {
        Object.defineProperty(global, 'Buffer', { value: value, writable: true, configurable: true, enumerable: false });
    }
    Object.defineProperty(global, 'Buffer', {
        get: function () {
            const Buffer = global.__nucRequire('buffer').Buffer;
            setBuffer(Buffer);
            return Buffer;
        },
        set: setBuffer,
        configurable: true,
        enumerable: false,
    });

    // Promise reactions run from the engine thread's event loop, outside any
    // call the host makes; each one is wrapped so that it, too, runs under
    // the watchdog with a name ("a Promise callback").
    const nativeThen = Promise.prototype.then;
    function guarded(callback) {
        if (typeof callback !== 'function')
            return callback;
        return function (value) {
            host.enterReaction();
            try {
                return callback.call(this, value);
            } finally {
                host.leaveReaction();
            }
        };
    }
    Object.defineProperty(Promise.prototype, 'then', {
        value: function then(onFulfilled, onRejected) {
            return nativeThen.call(this, guarded(onFulfilled), guarded(onRejected));
        },
        writable: true,
        configurable: true,
    });
    // The continuations of await and of adopting a thenable (prelude.js)
    // do not go through then(): guarded the same way.
    prelude.guardReactions(guarded);

    // Timers: QTimers owned by the host, all stopped when the instance goes.
    const timers = Object.create(null);
    let nextTimer = 1;
    function addTimer(callback, ms, repeat, args) {
        if (typeof callback !== 'function')
            throw new TypeError('timer callback must be a function');
        const id = nextTimer++;
        const delay = Math.max(0, Math.floor(Number(ms) || 0));
        // Throws (RangeError) beyond the host's limit of pending timers.
        host.startTimer(id, repeat ? Math.max(1, delay) : delay, repeat);
        timers[id] = { callback: callback, args: args, repeat: repeat };
        return id;
    }
    function clearTimer(id) {
        if (id !== undefined && id !== null && timers[id]) {
            delete timers[id];
            host.stopTimer(Number(id));
        }
    }
    global.setTimeout = function (callback, ms) {
        return addTimer(callback, ms, false, Array.prototype.slice.call(arguments, 2));
    };
    global.setInterval = function (callback, ms) {
        return addTimer(callback, ms, true, Array.prototype.slice.call(arguments, 2));
    };
    global.clearTimeout = clearTimer;
    global.clearInterval = clearTimer;

    // Transports: the native object (C++) moves bytes; this side gives it
    // the EventEmitter, Promise and request() behaviour of DRIVER_API.md.
    const textEncodings = ['utf8', 'utf-8', 'latin1', 'binary', 'ascii', 'hex', 'base64'];

    function toNative(data) {
        if (typeof data === 'string' || data instanceof ArrayBuffer)
            return data;
        if (ArrayBuffer.isView(data))
            return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
        if (Array.isArray(data))
            return new Uint8Array(data).buffer;
        throw new TypeError('write expects a string, Uint8Array or ArrayBuffer');
    }

    function bytesToLatin1(bytes) {
        // QJSEngine 6.4 does not spread typed arrays through apply(): copy first.
        let text = '';
        for (let i = 0; i < bytes.length; i += 4096) {
            const part = Array.prototype.slice.call(bytes, i, Math.min(bytes.length, i + 4096));
            text += String.fromCharCode.apply(null, part);
        }
        return text;
    }

    function terminatorOf(until) {
        if (until instanceof RegExp)
            return new RegExp(until.source, until.flags.replace(/[gy]/g, ''));
        if (until === undefined || until === null)
            return /\r\n|\r|\n/;
        const text = String(until);
        if (!text.length)
            throw new TypeError('request: until must not be empty');
        return text;
    }

    function Transport(native, protocol) {
        EventEmitter.call(this);
        this.protocol = protocol;
        this._native = native;
        this._encoding = null;
        this._queue = [];
        this._active = null;
        const self = this;
        native.setListener(function (event, payload) {
            self._onNative(event, payload);
        });
    }
    Transport.prototype = Object.create(EventEmitter.prototype);
    Transport.prototype.constructor = Transport;

    Transport.prototype.isOpen = function () {
        return this._native.isOpen();
    };

    Transport.prototype.setEncoding = function (encoding) {
        if (encoding === null || encoding === undefined) {
            this._encoding = null;
        } else {
            const name = String(encoding).toLowerCase();
            if (textEncodings.indexOf(name) < 0)
                throw new TypeError('unknown encoding: ' + encoding);
            this._encoding = name;
        }
        this._native.setEncoding(this._encoding || '');
        return this;
    };

    Transport.prototype.write = function (data) {
        const self = this;
        return new Promise(function (resolve, reject) {
            const error = self._native.write(toNative(data));
            if (error)
                reject(new Error(error));
            else
                resolve();
        });
    };

    Transport.prototype.request = function (data, options) {
        const self = this;
        const opts = options || {};
        return new Promise(function (resolve, reject) {
            const request = {
                data: toNative(data),
                until: terminatorOf(opts.until),
                timeout: opts.timeout === undefined ? 2000 : Number(opts.timeout),
                resolve: resolve,
                reject: reject,
                buffer: '',
                timer: null,
            };
            self._queue.push(request);
            self._next();
        });
    };

    Transport.prototype._next = function () {
        if (this._active || this._queue.length === 0)
            return;
        const request = this._queue.shift();
        const self = this;
        this._active = request;
        request.timer = setTimeout(function () {
            const partial = request.buffer ? ' (received so far: ' + JSON.stringify(request.buffer) + ')' : '';
            self._finish(request, new Error('request timed out after ' + request.timeout + ' ms' + partial));
        }, request.timeout);
        const error = this._native.write(request.data);
        if (error)
            this._finish(request, new Error(error));
    };

    Transport.prototype._finish = function (request, error, reply) {
        if (this._active !== request)
            return;
        clearTimeout(request.timer);
        this._active = null;
        if (error)
            request.reject(error);
        else
            request.resolve(reply);
        this._next();
    };

    Transport.prototype._feed = function (text) {
        const request = this._active;
        request.buffer += text;
        let end = -1;
        if (request.until instanceof RegExp) {
            const match = request.until.exec(request.buffer);
            if (match)
                end = match.index;
        } else {
            end = request.buffer.indexOf(request.until);
        }
        if (end >= 0)
            this._finish(request, null, request.buffer.slice(0, end));
    };

    Transport.prototype._failAll = function (error) {
        const pending = this._queue.splice(0, this._queue.length);
        if (this._active)
            this._finish(this._active, error);
        pending.forEach(function (request) { request.reject(error); });
    };

    Transport.prototype._onNative = function (event, payload) {
        if (event === 'data') {
            const chunk = this._encoding ? payload : new Uint8Array(payload);
            if (this._active)
                this._feed(this._encoding ? chunk : bytesToLatin1(chunk));
            this.emit('data', chunk);
        } else if (event === 'close') {
            this._failAll(new Error('connection closed'));
            this.emit('close');
        } else if (event === 'error') {
            const error = new Error(payload);
            this._failAll(error);
            if (this.listenerCount('error') > 0)
                this.emit('error', error);
            else
                console.warn('transport error: ' + payload);
        }
    };

    Transport.prototype.close = function () {
        this._failAll(new Error('transport closed'));
        this._native.close();
        return Promise.resolve();
    };

    // The transports of this instance; BaseDriver.openTransport() uses it.
    const transports = {
        open: function (protocol, config) {
            return new Promise(function (resolve, reject) {
                const native = host.createTransport(String(protocol), config || {});
                if (typeof native === 'string') {
                    reject(new Error(native));
                    return;
                }
                const transport = new Transport(native, protocol);
                native.setOpenHandler(function (error) {
                    if (error)
                        reject(new Error(error));
                    else
                        resolve(transport);
                });
                native.open();
            });
        },
    };

    // BaseDriver gets the host and the transports once, before any driver.
    const BaseDriver = global.__nucRequire('./base-driver');
    BaseDriver.__attachHost(host, transports);

    // Entry points the host calls (returned to C++ only).
    function timerFired(id) {
        const timer = timers[id];
        if (!timer)
            return;
        if (!timer.repeat)
            delete timers[id];
        timer.callback.apply(undefined, timer.args);
    }

    function invoke(id, target, method, args) {
        let result;
        try {
            if (typeof target[method] !== 'function')
                throw new TypeError(method + ' is not a function on the driver');
            result = target[method].apply(target, args);
        } catch (e) {
            host.settle(id, false, e, true);   // thrown before any Promise: a driver fault
            return;
        }
        if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
            result.then(function (value) { host.settle(id, true, value, false); },
                        function (error) { host.settle(id, false, error, false); });
        } else {
            host.settle(id, true, result, false);
        }
    }

    function construct(Driver, config) {
        return new Driver(config);
    }

    return { invoke: invoke, construct: construct, timerFired: timerFired };
})
