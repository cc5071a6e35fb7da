// require('./base-driver'): the class every driver extends, as
// DRIVER_API.md describes it, in plain Node (the seed note names the file
// but does not give it). It is copied next to the driver files, where the
// drivers' `require('./base-driver')` finds it. TCP only: the benchmarks'
// simulated projector speaks TCP; udp and serial reject.
'use strict';

const EventEmitter = require('events');
const net = require('net');

// What the device manager hands a driver besides its config (protocol,
// command_mappings, where status reports go), under a key that a driver's
// own `{...config}` copies along but that is not one of its settings.
const CONTEXT = Symbol('driver context');

function lineEnding(text) {
  for (const end of ['\r\n', '\r', '\n']) if (text.endsWith(end)) return end;
  return null;
}

class TcpTransport extends EventEmitter {
  constructor(socket) {
    super();
    this.socket = socket;
    this.encoding = null;
    this.waiting = null;          // the request awaiting its terminator
    this.queue = Promise.resolve(); // requests go one after another
    socket.on('data', (chunk) => this.receive(chunk));
    socket.on('close', () => {
      if (this.waiting) this.waiting.fail(new Error('connection closed'));
      this.emit('close');
    });
    socket.on('error', (error) => this.emit('error', error));
  }

  isOpen() {
    return !this.socket.destroyed;
  }

  setEncoding(encoding) {
    this.encoding = encoding;
  }

  receive(chunk) {
    const data = this.encoding ? chunk.toString(this.encoding) : chunk;
    if (this.waiting) this.waiting.add(chunk.toString(this.encoding || 'latin1'));
    this.emit('data', data);
  }

  write(data) {
    const bytes = typeof data === 'string' ? Buffer.from(data, this.encoding || 'latin1') : Buffer.from(data);
    return new Promise((resolve, reject) => this.socket.write(bytes, (error) => (error ? reject(error) : resolve())));
  }

  // Writes `data`, resolves with what came back up to and including `until`.
  request(data, { until, timeout = 5000 } = {}) {
    const run = () => new Promise((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => this.waiting.fail(new Error(`request timed out after ${timeout} ms`)), timeout);
      const finish = (error, reply) => {
        clearTimeout(timer);
        this.waiting = null;
        if (error) reject(error); else resolve(reply);
      };
      this.waiting = {
        add: (more) => {
          text += more;
          if (until instanceof RegExp) {
            const m = until.exec(text);
            if (m) finish(null, text.slice(0, m.index + m[0].length));
          } else if (text.includes(until)) {
            finish(null, text.slice(0, text.indexOf(until) + until.length));
          }
        },
        fail: (error) => finish(error),
      };
      this.write(data).catch((error) => finish(error));
    });
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  close() {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
      this.socket.destroy();
    });
  }
}

function openTcp(config) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: config.host, port: Number(config.port) });
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      resolve(new TcpTransport(socket));
    });
    socket.once('error', reject);
  });
}

class BaseDriver extends EventEmitter {
  constructor(config) {
    super();
    const context = (config && config[CONTEXT]) || {};
    this.config = { ...(config || {}) };
    delete this.config[CONTEXT];
    this.name = this.config.name;
    this.deviceId = this.config.deviceId;
    this.protocol = context.protocol || 'tcp';
    this.commandMappings = context.commandMappings || [];
    this.reportStatus = context.reportStatus || (() => {});
    this.transport = null;
    this.state = {};
  }

  openTransport() {
    if (this.transport && this.transport.isOpen()) return Promise.resolve(this.transport);
    if (this.protocol !== 'tcp') return Promise.reject(new Error(`the Node reference has no ${this.protocol} transport`));
    return openTcp(this.config).then((transport) => {
      this.transport = transport;
      return transport;
    });
  }

  closeTransport() {
    const transport = this.transport;
    this.transport = null;
    return transport ? transport.close() : Promise.resolve();
  }

  connect() {
    return this.openTransport().then(() => undefined);
  }

  disconnect() {
    return this.closeTransport();
  }

  sendCommand(command, params = {}) {
    const mapping = this.commandMappings.find((m) => m && m.command === command);
    if (!mapping) return Promise.reject(new Error(`unknown command: ${command}`));
    if (!this.transport || !this.transport.isOpen()) return Promise.reject(new Error(`not connected: cannot send ${command}`));
    const payload = String(mapping.payload ?? '').replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, key) => String(params[key] ?? whole));
    const data = mapping.encoding === 'hex' ? Buffer.from(payload.replace(/[\s:]/g, ''), 'hex') : payload;
    const until = mapping.until ?? (typeof data === 'string' ? lineEnding(data) : null) ?? mapping.expect ?? null;
    if (until === null) return this.transport.write(data).then(() => null);
    return this.transport.request(data, { until, timeout: mapping.timeout }).then((reply) => {
      if (mapping.expect !== undefined && !reply.includes(String(mapping.expect)))
        throw new Error(`unexpected reply to ${command}: ${JSON.stringify(reply)}`);
      return reply;
    });
  }

  setState(state) {
    if (state === null || typeof state !== 'object') throw new TypeError('setState expects an object');
    Object.assign(this.state, state);
  }

  setStatus(status, message) {
    this.reportStatus(String(status), message ?? null);
  }
}

BaseDriver.CONTEXT = CONTEXT;
module.exports = BaseDriver;
