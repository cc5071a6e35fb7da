// Placeholder BaseDriver used to validate drivers at sync time until the
// driver runtime (transports, EventEmitter, state) replaces it. It carries the
// three methods every driver must end up with, so that inherited defaults
// count as DRIVER_API.md says.
class BaseDriver {
    constructor(config) {
        this.config = config || {};
        this.name = this.config.name;
        this.deviceId = this.config.deviceId;
    }
    connect() { return Promise.resolve(); }
    disconnect() { return Promise.resolve(); }
    sendCommand(command) { return Promise.reject(new Error('unknown command: ' + command)); }
}
module.exports = BaseDriver;
