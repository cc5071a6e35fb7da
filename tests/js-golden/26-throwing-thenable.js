// A thenable whose `then` throws rejects (QJSEngine 6.4 alone crashes on it),
// and await does not call a monkey-patched Promise.prototype.then.
const bad = { then() { throw new Error('bad then'); } };
async function returnsBad() { return bad; }
async function main() {
  const seen = [];
  try { await bad; } catch (e) { seen.push('await: ' + e.message); }
  await Promise.resolve(bad).catch((e) => seen.push('resolve: ' + e.message));
  await returnsBad().catch((e) => seen.push('return: ' + e.message));
  await Promise.resolve(1).then(() => bad).catch((e) => seen.push('then: ' + e.message));
  await new Promise((r) => r(bad)).catch((e) => seen.push('executor: ' + e.message));
  console.log(seen.join(' | '));
  let calls = 0;
  const p = Promise.resolve(42);
  p.then = function (...args) { calls++; return Promise.prototype.then.apply(this, args); };
  console.log(await p, calls, new Promise(() => {}) instanceof Promise, Promise.name);
  class MyPromise extends Promise {}
  const mine = MyPromise.resolve(7);
  console.log(mine instanceof MyPromise, await mine);
}
