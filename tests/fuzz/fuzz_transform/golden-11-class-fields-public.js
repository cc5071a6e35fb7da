// public instance fields: order, this in initialisers, define semantics, arrows
class Base { constructor() { this.order = ['base ctor']; } }
class C extends Base {
  a = 1;
  b = this.a + 1;
  handler = () => this.a;
  uninitialised;
  constructor() { super(); this.order.push('sub ctor', 'b=' + this.b); }
}
class D { x = 'd'; ['plain']() { return this.x; } }
async function main() {
  const c = new C();
  console.log(c.a, c.b, c.handler.call(null), c.uninitialised, 'uninitialised' in c);
  console.log(c.order.join(' | '));
  console.log(new D().plain(), JSON.stringify(Object.keys(new D())));
}
