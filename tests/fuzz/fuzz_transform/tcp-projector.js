// Example: a projector with a TCP line protocol ("PWR ON\r" → "OK\r").
// Works with the device simulator (device-simulator --tcp-port 4352).
// command_mappings (from the cloud) may add more commands, e.g.
//   {"command": "input", "payload": "INPUT {n}\r", "encoding": "ascii", "expect": "OK"}
const BaseDriver = require('./base-driver');

class TcpProjector extends BaseDriver {
    constructor(config) {
        super(config);
        this.pollMs = Number(this.config.pollMs || 0);
        this.poller = null;
    }

    connect() {
        const self = this;
        return this.openTransport().then(function (transport) {
            transport.setEncoding('latin1');
            transport.on('close', function () {
                self.setStatus('disconnected', 'projector closed the connection');
            });
            return self.refresh();
        }).then(function () {
            if (self.pollMs > 0)
                self.poller = setInterval(function () { self.refresh().catch(function () {}); }, self.pollMs);
        });
    }

    disconnect() {
        if (this.poller !== null)
            clearInterval(this.poller);
        this.poller = null;
        return this.closeTransport();
    }

    refresh() {
        const self = this;
        return this.transport.request('PWR?\r', { until: '\r', timeout: 2000 }).then(function (reply) {
            const power = reply === 'PWR=ON' ? 'on' : reply === 'PWR=OFF' ? 'off' : 'unknown';
            self.setState({ power: power });
            return power;
        });
    }

    sendCommand(command, params) {
        const self = this;
        if (command === 'power_on' || command === 'power_off') {
            const wanted = command === 'power_on' ? 'ON' : 'OFF';
            return this.transport.request('PWR ' + wanted + '\r', { until: '\r', timeout: 2000 })
                .then(function (reply) {
                    if (reply !== 'OK')
                        throw new Error('projector refused ' + command + ': ' + reply);
                    self.setState({ power: wanted.toLowerCase() });
                    return { power: wanted.toLowerCase() };
                });
        }
        if (command === 'status')
            return this.refresh().then(function (power) { return { power: power }; });
        return super.sendCommand(command, params);
    }
}

module.exports = TcpProjector;
