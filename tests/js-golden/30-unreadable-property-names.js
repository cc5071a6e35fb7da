// Property and method names QJSEngine 6.4 cannot read as identifiers
// (escapes, ℘, ZWNJ) are written as strings.
class Names {
  \u{6F}(v) { return 'o' + v; }
  get ℘() { return 'weierstrass'; }
  ZW_‌_NJ = 'zwnj';
}
async function main() {
  const n = new Names();
  console.log(n.o(1), n.℘, n.ZW_‌_NJ, ({ \u0061: 'a' }).a, JSON.stringify(Object.keys(n)));
}
