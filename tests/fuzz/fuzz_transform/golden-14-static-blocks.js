// static initialisation blocks
class Config {
  static values = {};
  static {
    this.values.mode = 'auto';
    Config.values.ready = true;
  }
}
async function main() {
  console.log(JSON.stringify(Config.values));
}
