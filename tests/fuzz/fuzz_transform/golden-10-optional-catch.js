// catch without a binding
function parse(s) { try { return JSON.parse(s); } catch { return 'bad'; } }
async function main() {
  console.log(parse('{"a":1}').a, parse('{'));
  try { await Promise.reject(new Error('x')); } catch { console.log('ignored'); }
}
