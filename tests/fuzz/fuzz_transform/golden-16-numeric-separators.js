// numeric separators
async function main() {
  console.log(1_000_000 + 1, 0xff_ff, 0b1010_1010, 1_000.5);
}
