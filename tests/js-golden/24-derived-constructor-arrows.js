// async arrows and logical assignment in derived-class constructors
class Base { constructor() { this.handlers = []; this.cache = {} } on(f) { this.handlers.push(f) } }
class Device extends Base {
  constructor(key) {
    super()
    const self = this
    this.on(async (d) => { await null; return self.handle(d) })
    this.on(async (d) => this.handle(d + '!'))
    this.cache[key] ??= this.make(key)
  }
  handle(d) { return 'handled ' + d }
  make(k) { return 'made ' + k }
}
async function main() {
  const d = new Device('k')
  console.log(await d.handlers[0]('a'), '|', await d.handlers[1]('b'), '|', d.cache.k)
}
