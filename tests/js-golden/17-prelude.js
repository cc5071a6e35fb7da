// runtime gaps filled by the prelude
async function main() {
  console.log(typeof globalThis, Object.hasOwn({ a: 1 }, 'a'), Object.hasOwn({}, 'a'));
  console.log(JSON.stringify(Object.fromEntries([['a', 1], ['b', 2]])));
  console.log(JSON.stringify([1, [2, [3, [4]]]].flat()), JSON.stringify([1, [2, [3, [4]]]].flat(Infinity)));
  console.log(JSON.stringify([1, 2].flatMap((x) => [x, x * 10])), [1, 2, 3].at(-1), 'abc'.at(0));
  console.log('a-b-c'.replaceAll('-', '+'), '[' + '  x  '.trimStart() + ']', '[' + '  x  '.trimEnd() + ']');
  const log = [];
  await Promise.resolve(1).finally(() => log.push('finally'));
  const settled = await Promise.allSettled([Promise.resolve(1), Promise.reject(new Error('no'))]);
  log.push(settled.map((s) => s.status).join('/'));
  log.push(await Promise.any([Promise.reject(new Error('a')), Promise.resolve('b')]));
  console.log(log.join(' '));
}
