// async arrows with expression bodies, object-literal bodies, nested awaits
const f = async (x) => ({ value: await x, doubled: (await x) * 2 });
const g = async () => await (async () => 'inner')();
async function main() {
  console.log(JSON.stringify(await f(Promise.resolve(4))));
  console.log(await g());
  const results = await Promise.all([1, 2, 3].map(async (n) => n * (await Promise.resolve(n))));
  console.log(results.join(','));
}
