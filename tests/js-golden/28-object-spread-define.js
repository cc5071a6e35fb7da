// Object spread copies Symbol keys and defines properties (a setter on
// Object.prototype does not run); a getter is read when its spread is reached.
async function main() {
  const tag = Symbol('tag');
  let setterRan = false;
  Object.defineProperty(Object.prototype, 'mode', { set() { setterRan = true; }, configurable: true });
  const merged = { id: 1, ...{ [tag]: 'yes', mode: 'fast' }, done: true };
  delete Object.prototype.mode;
  console.log(merged[tag], merged.mode, setterRan, JSON.stringify(Object.keys(merged)));
  const log = [];
  const src = { get a() { log.push('get a'); return 1; } };
  const copy = { ...src, b: (log.push('b'), 2), get c() { return 3; } };
  console.log(log.join(','), typeof Object.getOwnPropertyDescriptor(copy, 'c').get, copy.a);
  const { id, ...others } = merged;
  console.log(id, others[tag], JSON.stringify(others));
}
