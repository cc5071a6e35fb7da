// Example: a lighting controller answering UDP datagrams
// ("LEVEL 3 75\n" → "OK\n", "LEVEL? 3\n" → "LEVEL 3 75\n").
const BaseDriver = require('./base-driver');

class UdpLighting extends BaseDriver {
    connect() {
        const self = this;
        return this.openTransport().then(function (transport) {
            transport.setEncoding('utf8');
            return transport.request('PING\n', { until: '\n', timeout: 1000 });
        }).then(function (reply) {
            if (reply !== 'PONG')
                throw new Error('unexpected answer to PING: ' + reply);
            self.setState({ online: true });
        });
    }

    sendCommand(command, params) {
        const p = params || {};
        if (command === 'set_level') {
            const zone = Number(p.zone);
            const level = Number(p.level);
            if (!(zone >= 1 && zone <= 64) || !(level >= 0 && level <= 100))
                return Promise.reject(new Error('set_level needs zone 1-64 and level 0-100'));
            const self = this;
            return this.transport.request('LEVEL ' + zone + ' ' + level + '\n', { until: '\n', timeout: 1000 })
                .then(function (reply) {
                    if (reply !== 'OK')
                        throw new Error('set_level refused: ' + reply);
                    const state = {};
                    state['zone' + zone] = level;
                    self.setState(state);
                    return { zone: zone, level: level };
                });
        }
        return super.sendCommand(command, params);
    }
}

module.exports = UdpLighting;
