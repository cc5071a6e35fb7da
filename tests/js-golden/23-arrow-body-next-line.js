// arrow bodies on the line after =>
class Base { constructor() { this.handlers = [] } on(f) { this.handlers.push(f) } }
class Device extends Base {
  constructor(name) {
    super()
    this.name = name
    this.on((c) =>
      this.name + ':' + c)
  }
}
const slow = async (x) =>
  (await x) + 1
const pick = ({ a, ...rest }) =>
  a + Object.keys(rest).length
async function main() {
  const d = new Device('dev')
  console.log(d.handlers[0]('data'))
  console.log(await slow(Promise.resolve(1)))
  console.log(pick({ a: 10, b: 1, c: 2 }))
}
