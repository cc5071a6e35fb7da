// The cloud link (PROTOCOL.md "Transport"): dials the cloud URL with the
// token and the controller headers, one JSON message per text frame,
// redials with exponential backoff and jitter (1 s doubling to 60 s),
// keeps the connection alive with pings.
'use strict';

const path = require('path');

// Debian installs node-ws under /usr/share/nodejs, which its own nodejs
// searches and a Node from elsewhere (this machine's Node 20) does not.
function requireDebian(name) {
  try {
    return require(name);
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
    return require(path.join('/usr/share/nodejs', name));
  }
}
const WebSocket = requireDebian('ws');

const PING_MS = 30000;

class CloudLink {
  constructor({ url, token, controllerId, version, onOpen, onMessage }) {
    Object.assign(this, { url, token, controllerId, version, onOpen, onMessage });
    this.ws = null;
    this.backoffMs = 1000;
  }

  start() {
    const headers = { 'X-Controller-Id': this.controllerId, 'X-Controller-Version': this.version };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const ws = new WebSocket(this.url, { headers });
    this.ws = ws;
    let alive = true;
    let pinger = null;
    ws.on('open', () => {
      this.backoffMs = 1000;
      pinger = setInterval(() => {
        if (!alive) return ws.terminate();
        alive = false;
        ws.ping();
      }, PING_MS);
      this.onOpen();
    });
    ws.on('pong', () => { alive = true; });
    ws.on('message', (raw, isBinary) => this.receive(raw, isBinary));
    ws.on('error', (error) => console.error(`cloud link: ${error.message}`));
    ws.on('close', () => {
      clearInterval(pinger);
      if (this.ws !== ws || this.stopped) return;
      const delay = this.backoffMs * (0.8 + Math.random() * 0.4);
      this.backoffMs = Math.min(this.backoffMs * 2, 60000);
      setTimeout(() => this.start(), delay);
    });
  }

  stop() {
    this.stopped = true;
    if (this.ws) this.ws.close();
  }

  receive(raw, isBinary) {
    let message;
    try {
      if (isBinary) throw new Error('binary frame');
      message = JSON.parse(raw.toString('utf8'));
      if (!message || typeof message !== 'object' || Array.isArray(message)) throw new Error('not an object');
      if (typeof message.type !== 'string') throw new Error('no type');
      if (message.data !== undefined && (typeof message.data !== 'object' || message.data === null || Array.isArray(message.data)))
        throw new Error('data is not an object');
    } catch (error) {
      const type = message && typeof message.type === 'string' ? message.type : null;
      this.send('protocol_error', { reason: error.message, received_type: type });
      return;
    }
    this.onMessage(message);
  }

  send(type, data) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify({ type, timestamp: new Date().toISOString(), data }));
    return true;
  }
}

module.exports = { CloudLink };
