// ??= ||= &&= on #private fields: the store must reach the field it reads
class Counter {
  #count = null;
  #label;
  static #total = 0;
  touch() {
    this.#count ??= 0;
    this.#count ||= 1;
    this.#label &&= 'no';
    this.#label ??= 'yes';
    return [this.#count, this.#label];
  }
  static bump() {
    Counter.#total ||= 10;
    return Counter.#total;
  }
  fill(other) {
    other.#count &&= 'filled';
    return other.#count;
  }
}
async function main() {
  const c = new Counter();
  console.log(c.touch().join(' '));
  console.log(c.touch().join(' '));
  console.log(Counter.bump(), Counter.bump());
  console.log(new Counter().fill(c), new Counter().fill(new Counter()));
}
