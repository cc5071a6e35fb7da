// Example: a display on a serial line with a binary protocol:
// frame = 0xAA, command, value, checksum (sum of the three, low byte);
// the display answers with the same frame, command | 0x80.
const BaseDriver = require('./base-driver');

const COMMANDS = { power: 0x11, brightness: 0x12 };

function frame(command, value) {
    return new Uint8Array([0xAA, command, value, (0xAA + command + value) & 0xFF]);
}

class SerialDisplay extends BaseDriver {
    constructor(config) {
        super(config);
        this.pending = null;
        this.received = [];
    }

    connect() {
        const self = this;
        return this.openTransport().then(function (transport) {
            transport.on('data', function (bytes) { self.onBytes(bytes); });
        });
    }

    onBytes(bytes) {
        for (let i = 0; i < bytes.length; ++i)
            this.received.push(bytes[i]);
        while (this.received.length >= 4) {
            const start = this.received.indexOf(0xAA);
            if (start < 0) {
                this.received = [];
                return;
            }
            this.received.splice(0, start);
            if (this.received.length < 4)
                return;
            const reply = this.received.splice(0, 4);
            const ok = ((reply[0] + reply[1] + reply[2]) & 0xFF) === reply[3];
            const pending = this.pending;
            this.pending = null;
            if (pending)
                pending(ok ? null : new Error('bad checksum'), reply);
        }
    }

    exchange(command, value) {
        const self = this;
        return new Promise(function (resolve, reject) {
            const timer = setTimeout(function () {
                self.pending = null;
                reject(new Error('display did not answer'));
            }, 1000);
            self.pending = function (error, reply) {
                clearTimeout(timer);
                if (error)
                    reject(error);
                else if (reply[1] !== (command | 0x80))
                    reject(new Error('unexpected reply command ' + reply[1]));
                else
                    resolve(reply[2]);
            };
            self.transport.write(frame(command, value)).catch(reject);
        });
    }

    sendCommand(command, params) {
        const code = COMMANDS[command];
        if (code === undefined)
            return super.sendCommand(command, params);
        const value = Number((params || {}).value) & 0xFF;
        const self = this;
        return this.exchange(code, value).then(function (confirmed) {
            const state = {};
            state[command] = confirmed;
            self.setState(state);
            return { command: command, value: confirmed };
        });
    }
}

module.exports = SerialDisplay;
