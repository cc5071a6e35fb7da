// await inside try/catch/finally; rejections become throws
async function fails(msg) { await null; throw new Error(msg); }
async function main() {
  try {
    await fails('first');
  } catch (e) {
    console.log('caught', e.message);
  } finally {
    console.log('finally 1');
  }
  const r = await (async () => {
    try { return await fails('second'); }
    catch (e) { return 'recovered ' + e.message; }
    finally { console.log('finally 2'); }
  })();
  console.log(r);
  try { await Promise.reject(new Error('rejected')); } catch (e) { console.log('caught', e.message); }
  async function retFinally() { try { return 'try'; } finally { await null; console.log('cleanup'); } }
  console.log(await retFinally());
}
