// object rest in parameters, with defaults, in functions, methods and arrows
function f({ a, ...r }) { return a + ':' + JSON.stringify(r); }
const g = ({ k, ...r } = { k: 'dk', z: 1 }) => k + JSON.stringify(r);
const o = { m(x, { y, ...r }) { return x + y + Object.keys(r).join(''); } };
async function h({ id, ...opts }) { await null; return id + JSON.stringify(opts); }
async function main() {
  console.log(f({ a: 1, b: 2, c: 3 }));
  console.log(g());
  console.log(g({ k: 'K', q: 2 }));
  console.log(o.m('x', { y: 'y', p: 1, q: 2 }));
  console.log(await h({ id: 7, fast: true }));
}
