// a driver-shaped class: fields, async methods, spread/rest together
class Base { constructor(config) { this.config = config; } }
class Driver extends Base {
  state = { power: 'off' };
  #pending = 0;
  static protocol = 'tcp';
  async sendCommand(command, { retries = 1, ...opts } = {}) {
    this.#pending++;
    try {
      await null;
      this.state = { ...this.state, last: command, ...opts };
      return { ok: true, retries, pending: this.#pending };
    } catch {
      return { ok: false };
    } finally {
      this.#pending--;
    }
  }
}
async function main() {
  const d = new Driver({ host: 'h' });
  console.log(JSON.stringify(await d.sendCommand('power_on', { retries: 3, level: 5 })));
  console.log(JSON.stringify(d.state), Driver.protocol, d.config.host);
}
