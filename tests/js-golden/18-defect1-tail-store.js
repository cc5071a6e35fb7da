// QJSEngine 6.4 defect 1: a store in a returned expression whose value is a
// call is dropped in strict code (every class body is strict)
class K {
  g() { return 42; }
  m(o) { return o.x = this.g(); }
  n(o, flag) { return flag ? (o.y = this.g()) : 0; }
  arrow() { let v; const h = () => v = this.g(); h(); return v; }
}
function main() {   // not async: the test also runs it untransformed
  const k = new K();
  const o = {};
  console.log(k.m(o), o.x);
  console.log(k.n(o, true), o.y);
  console.log(k.arrow());
}
