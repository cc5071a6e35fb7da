// An async function's parameters are evaluated inside it: a throwing default
// or destructuring rejects; sloppy arguments track the parameters.
class Device {
  async send(cmd, { timeout }) { return cmd + timeout; }
}
async function mapped(p) { p = 'changed'; return arguments[0]; }
const arrow = async (a, b = a * 2) => a + b;
async function main() {
  const d = new Device();
  let rejected = 'no';
  const p = d.send('x');
  await p.catch((e) => { rejected = e.constructor.name; });
  console.log(rejected, await d.send('x', { timeout: 5 }), Device.prototype.send.length);
  console.log(await mapped('original'), await arrow(1), arrow.length);
  let calls = 0;
  const thrower = async (x = (() => { calls++; throw new Error('default'); })()) => x;
  const q = thrower();
  console.log(calls, q instanceof Promise, await q.catch((e) => e.message));
}
