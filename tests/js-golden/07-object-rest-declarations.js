// object rest in const/let/var declarations
const src = { a: 1, b: 2, c: 3, 'd-e': 4 };
async function main() {
  const { a, ...others } = src;
  console.log(a, JSON.stringify(others));
  let { b: renamed, 'd-e': de, ...more } = src;
  console.log(renamed, de, JSON.stringify(more));
  var { ...all } = src;
  console.log(JSON.stringify(all), all === src);
  const { x = 'default', ...rest2 } = { y: 1 };
  console.log(x, JSON.stringify(rest2));
  const { ...fromNull } = {};
  console.log(JSON.stringify(fromNull));
}
