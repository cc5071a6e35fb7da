// #private is private: a foreign object throws a TypeError, `#x in o` tests
// the brand, and reflection sees no trace of the names.
class Meter {
  #reading = 0;
  static #made = 0;
  #scale(v) { return v * 10; }
  get #shown() { return this.#scale(this.#reading); }
  constructor(v) { this.#reading = v; Meter.#made++; }
  static has(o) { return #reading in o; }
  static read(o) { return o.#shown; }
  static made() { return Meter.#made; }
}
async function main() {
  const m = new Meter(4);
  let error = 'none';
  try { Meter.read({}); } catch (e) { error = e.constructor.name; }
  console.log(Meter.read(m), Meter.has(m), Meter.has({}), error, Meter.made());
  console.log(JSON.stringify(Object.getOwnPropertyNames(m)), Reflect.ownKeys(m).length,
              Object.getOwnPropertySymbols(Meter.prototype).length);
}
