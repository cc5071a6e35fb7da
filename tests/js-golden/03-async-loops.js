// await in every loop kind, with break and continue
const tick = (v) => new Promise((r) => setTimeout(() => r(v), 1));
async function main() {
  const out = [];
  for (let i = 0; i < 3; i++) out.push(await tick(i));
  for (const v of ['a', 'b', 'c']) { if (v === 'b') continue; out.push(await tick(v)); }
  for (const k in { x: 1, y: 2 }) out.push(await tick(k));
  let n = 0;
  while (true) { n = await tick(n + 1); if (n >= 3) break; }
  out.push(n);
  do { n = await tick(n - 1); } while (n > 0);
  out.push(n);
  label: for (const a of [1, 2]) { for (const b of [1, 2]) { if (b === 2) continue label; out.push(await tick(a * 10 + b)); } }
  console.log(out.join(' '));
}
