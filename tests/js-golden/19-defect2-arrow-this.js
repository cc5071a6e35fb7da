// QJSEngine 6.4 defect 2: `this` in an arrow made in a derived-class
// constructor throws when the arrow runs
class Emitter { constructor() { this.handlers = []; } on(f) { this.handlers.push(f); } fire(x) { return this.handlers.map((f) => f(x)); } }
class Device extends Emitter {
  constructor(name) {
    super();
    this.name = name;
    this.on((data) => this.name + ' got ' + data);
    this.on((data) => { return this.name.length + data.length; });
  }
}
function main() {   // not async: the test also runs it untransformed
  const d = new Device('proj');
  console.log(d.fire('abc').join(' | '));
}
