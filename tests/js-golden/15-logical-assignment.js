// ??= ||= &&= on variables, properties and computed properties
async function main() {
  let a = null, b = 0, c = 1;
  a ??= 'set'; b ||= 'or'; c &&= 'and';
  console.log(a, b, c);
  const o = { x: undefined, y: 'keep', n: { count: 0 } };
  o.x ??= 1; o.y ??= 2;
  console.log(o.x, o.y);
  const key = 'count';
  o.n[key] ||= 5;
  let calls = 0;
  const get = () => { calls++; return o; };
  get().z ??= 'once';
  console.log(o.n.count, o.z, calls);
  let d = 'v';
  d &&= await Promise.resolve('awaited');
  console.log(d);
  let keys = 0;
  const byKey = {};
  byKey[++keys] ??= ++keys;   // the key is evaluated once, before the right side
  console.log(keys, JSON.stringify(byKey));
}
