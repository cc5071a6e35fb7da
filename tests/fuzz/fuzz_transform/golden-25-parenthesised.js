// parenthesised operands next to rewritten constructs
const base = { a: 1 }
const flag = true
class Holder { state = (null || { ok: true }); other = ({ ...base }) }
async function get() { return { a: 1, b: 2, c: 3 } }
async function main() {
  console.log(JSON.stringify({ ...base, ...(flag && { x: 1 }), ...(!flag && { y: 2 }) }))
  const h = new Holder()
  console.log(JSON.stringify(h.state), JSON.stringify(h.other))
  const { a, ...r } = (await get())
  console.log(a, JSON.stringify(r))
}
