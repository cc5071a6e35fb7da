// object spread: order, overrides, null/undefined, strings, getters evaluated
const base = { a: 1, b: 2 };
const withGetter = { get g() { return 'got'; } };
async function main() {
  console.log(JSON.stringify({ ...base, b: 3, c: 4 }));
  console.log(JSON.stringify({ z: 0, ...base, ...null, ...undefined }));
  console.log(JSON.stringify({ ...'hi' }));
  console.log(JSON.stringify({ ...withGetter }));
  const nested = { x: { ...base, inner: { ...base, a: 9 } } };
  console.log(JSON.stringify(nested));
  const arr = [1, 2];
  console.log(JSON.stringify({ ...arr, len: arr.length }));
}
