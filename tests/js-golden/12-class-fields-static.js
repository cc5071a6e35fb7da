// static fields
class Registry {
  static items = [];
  static count = Registry.items.length;
  static label = 'reg:' + this.name;
  static add(x) { this.items.push(x); return this.items.length; }
}
const Anon = class { static kind = 'anon'; };
async function main() {
  console.log(Registry.count, Registry.label, Registry.add('a'), Registry.add('b'));
  console.log(Anon.kind);
}
