// require('events'): a small EventEmitter with Node's core behaviour.
// Written for QJSEngine 6.4 (see docs/drivers.md): no class fields, and no
// assignment in tail position of a strict function.
'use strict';

function EventEmitter() {
    this._events = Object.create(null);
}

EventEmitter.prototype._listeners = function (name) {
    if (!this._events)
        this._events = Object.create(null);
    if (!this._events[name])
        this._events[name] = [];
    return this._events[name];
};

EventEmitter.prototype.on = function (name, listener) {
    if (typeof listener !== 'function')
        throw new TypeError('listener must be a function');
    this._listeners(name).push({ fn: listener, once: false });
    return this;
};
EventEmitter.prototype.addListener = EventEmitter.prototype.on;

EventEmitter.prototype.once = function (name, listener) {
    if (typeof listener !== 'function')
        throw new TypeError('listener must be a function');
    this._listeners(name).push({ fn: listener, once: true });
    return this;
};

EventEmitter.prototype.off = function (name, listener) {
    const list = this._listeners(name);
    for (let i = list.length - 1; i >= 0; --i) {
        if (list[i].fn === listener) {
            list.splice(i, 1);
            break;
        }
    }
    return this;
};
EventEmitter.prototype.removeListener = EventEmitter.prototype.off;

EventEmitter.prototype.removeAllListeners = function (name) {
    if (name === undefined)
        this._events = Object.create(null);
    else if (this._events)
        delete this._events[name];
    return this;
};

EventEmitter.prototype.listenerCount = function (name) {
    return this._events && this._events[name] ? this._events[name].length : 0;
};

EventEmitter.prototype.emit = function (name) {
    const list = this._events && this._events[name];
    if (!list || list.length === 0) {
        if (name === 'error') {
            const err = arguments[1];
            throw err instanceof Error ? err : new Error('unhandled error event: ' + err);
        }
        return false;
    }
    const args = Array.prototype.slice.call(arguments, 1);
    const snapshot = list.slice();
    for (let i = 0; i < snapshot.length; ++i) {
        if (snapshot[i].once) {
            const at = list.indexOf(snapshot[i]);
            if (at >= 0)
                list.splice(at, 1);
        }
        snapshot[i].fn.apply(this, args);
    }
    return true;
};

module.exports = EventEmitter;
module.exports.EventEmitter = EventEmitter;
