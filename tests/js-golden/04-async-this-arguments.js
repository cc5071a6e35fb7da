// this and arguments inside async functions, methods and arrows
class Counter {
  constructor() { this.count = 0; }
  async incr(by) { await null; this.count += by; return arguments.length; }
  run() {
    const go = async (x) => { await null; this.count += x; return arguments[0]; };
    return go(5);
  }
}
async function sumArgs() { let s = 0; for (let i = 0; i < arguments.length; i++) s += await arguments[i]; return s; }
async function main() {
  const c = new Counter();
  console.log(await c.incr(2, 'extra'));
  console.log(await c.run('outer'));
  console.log(c.count);
  console.log(await sumArgs(1, Promise.resolve(2), 3));
}
