// code written without semicolons: rewrites must not join lines
class Link {
  constructor() { this.n = 0; this.retries = 0 }
  async open() {
    const t = await Promise.resolve('t')
    await this.step(t)
    this.n = 1
    this.retries ||= 3
    this.extra ??= 'x'
    return t
  }
  async step(x) { this.last = x }
}
async function main() {
  const l = new Link()
  const t = await l.open()
  console.log(t, l.n, l.retries, l.extra, l.last)
}
