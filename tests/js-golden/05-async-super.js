// super calls and super properties inside async methods
class A { greet(x) { return 'A:' + x; } get tag() { return 'a'; } static async make() { return 'made'; } }
class B extends A {
  async greet(x) { await null; return 'B>' + super.greet(x) + '/' + super.tag; }
  async chain() { const s = await super.greet('y'); return s.length; }
  static async make() { return 'B ' + await super.make(); }
}
async function main() {
  const b = new B();
  console.log(await b.greet('x'));
  console.log(await b.chain());
  console.log(await B.make());
}
