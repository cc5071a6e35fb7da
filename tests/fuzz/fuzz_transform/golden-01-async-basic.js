// async functions, methods and arrows; await of values and promises
async function add(a, b) { return (await a) + (await Promise.resolve(b)); }
const obj = { base: 10, async plus(x) { return this.base + await x; } };
const twice = async (x) => (await x) * 2;
async function main() {
  console.log(await add(1, 2));
  console.log(await obj.plus(Promise.resolve(5)));
  console.log(await twice(21));
  console.log(typeof add(0, 0).then);
  const order = [];
  const p = (async () => { order.push('in'); await null; order.push('after'); })();
  order.push('sync');
  await p;
  console.log(order.join(','));
}
