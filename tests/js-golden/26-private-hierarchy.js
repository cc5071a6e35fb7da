// the same #private name in a base class and a subclass stays two names
class A { #t = 1; a() { return this.#t } static has(o) { return #t in o } }
class B extends A { #t = 2; b() { return this.#t } }
async function main() {
  const b = new B()
  console.log(b.a(), b.b(), A.has(b), A.has({}))
}
