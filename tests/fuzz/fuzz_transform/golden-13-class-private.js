// #private fields and methods, #x in obj
class Account {
  #balance = 0;
  static #created = 0;
  constructor(start) { this.#balance = start; Account.#created++; }
  #fee(x) { return x * 0.5; }
  withdraw(x) { this.#balance -= x + this.#fee(x); return this.#balance; }
  static created() { return Account.#created; }
  static isAccount(o) { return #balance in o; }
}
async function main() {
  const a = new Account(100);
  console.log(a.withdraw(10), Account.created(), Account.isAccount(a), Account.isAccount({}));
  console.log(JSON.stringify(Object.keys(a)));
}
