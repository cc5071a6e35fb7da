// require('./base-driver'): the class every driver extends (DRIVER_API.md).
// Written for QJSEngine 6.4: no class fields, no arrow using `this` inside a
// constructor, no assignment in tail position (see docs/drivers.md).
'use strict';

const EventEmitter = require('events');

function driverInfo() {
    return typeof __nucDriverInfo !== 'undefined' ? __nucDriverInfo : { protocol: 'tcp', commandMappings: [] };
}

// The host and the transports, handed in once by the host (host.js)
// before any driver code runs; kept here, out of the drivers' reach.
let attachedHost = null;
let attachedTransports = null;

function hostBridge() {
    if (!attachedHost)
        throw new Error('the driver host is not available here');
    return attachedHost;
}

function lineEnding(text) {
    if (text.endsWith('\r\n'))
        return '\r\n';
    if (text.endsWith('\r'))
        return '\r';
    if (text.endsWith('\n'))
        return '\n';
    return null;
}

function hexToBytes(hex, command) {
    const clean = hex.replace(/[\s:]/g, '').replace(/^0x/i, '');
    if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean))
        throw new Error('command ' + command + ': payload is not valid hex: ' + hex);
    const bytes = new Uint8Array(clean.length / 2);
    for (let i = 0; i < bytes.length; ++i)
        bytes[i] = parseInt(clean.substr(i * 2, 2), 16);
    return bytes;
}

class BaseDriver extends EventEmitter {
    constructor(config) {
        super();
        const info = driverInfo();
        this.config = config || {};
        this.name = this.config.name;
        this.deviceId = this.config.deviceId;
        this.protocol = info.protocol;
        this.commandMappings = info.commandMappings || [];
        this.transport = null;
        this.state = {};
    }

    openTransport() {
        if (this.transport && this.transport.isOpen())
            return Promise.resolve(this.transport);
        const self = this;
        if (!attachedTransports)
            return Promise.reject(new Error('the driver host is not available here'));
        return attachedTransports.open(this.protocol, this.config).then(function (transport) {
            self.transport = transport;
            return transport;
        });
    }

    closeTransport() {
        const transport = this.transport;
        this.transport = null;
        if (!transport)
            return Promise.resolve();
        return transport.close();
    }

    connect() {
        return this.openTransport().then(function () { return undefined; });
    }

    disconnect() {
        return this.closeTransport();
    }

    sendCommand(command, params) {
        const mapping = this.commandMappings.find(function (m) { return m && m.command === command; });
        if (!mapping)
            return Promise.reject(new Error('unknown command: ' + command));
        if (!this.transport || !this.transport.isOpen())
            return Promise.reject(new Error('not connected: cannot send ' + command));
        const values = params || {};
        let payload = String(mapping.payload === undefined ? '' : mapping.payload);
        const missing = [];
        payload = payload.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, function (whole, key) {
            if (!Object.prototype.hasOwnProperty.call(values, key)) {
                missing.push(key);
                return whole;
            }
            return String(values[key]);
        });
        if (missing.length)
            return Promise.reject(new Error('command ' + command + ': missing parameter ' + missing.join(', ')));

        const encoding = mapping.encoding || 'ascii';
        let data;
        let until = mapping.until === undefined ? null : mapping.until;
        if (encoding === 'hex') {
            try {
                data = hexToBytes(payload, command);
            } catch (e) {
                return Promise.reject(e);
            }
        } else if (encoding === 'ascii' || encoding === 'utf8' || encoding === 'latin1') {
            data = payload;
            if (until === null)
                until = lineEnding(payload);
        } else {
            return Promise.reject(new Error('command ' + command + ': unknown encoding ' + encoding));
        }

        const expect = mapping.expect === undefined ? null : String(mapping.expect);
        if (until === null && expect === null) {
            return this.transport.write(data).then(function () { return null; });
        }
        const options = { until: until === null ? expect : until };
        if (mapping.timeout !== undefined)
            options.timeout = mapping.timeout;
        return this.transport.request(data, options).then(function (reply) {
            const text = until === null ? reply + expect : reply;
            if (expect !== null && text.indexOf(expect) < 0)
                throw new Error('unexpected reply to ' + command + ': ' + JSON.stringify(reply) + ' (expected ' + JSON.stringify(expect) + ')');
            return text;
        });
    }

    setState(state) {
        if (state === null || typeof state !== 'object')
            throw new TypeError('setState expects an object');
        Object.assign(this.state, state);
        hostBridge().setState(this.state);
    }

    setStatus(status, message) {
        hostBridge().setStatus(String(status), message === undefined || message === null ? '' : String(message));
    }
}

// Called once by the host (host.js) before any driver code runs, then gone.
Object.defineProperty(BaseDriver, '__attachHost', {
    configurable: true,
    value: function (host, transports) {
        delete BaseDriver.__attachHost;
        attachedHost = host;
        attachedTransports = transports;
    },
});

module.exports = BaseDriver;
