// object rest in an assignment statement
async function main() {
  let a, r;
  ({ a, ...r } = { a: 1, b: 2, c: 3 });
  console.log(a, JSON.stringify(r));
}
