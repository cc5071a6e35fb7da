// Records the expected output of golden programs with Node.
// Usage: node record.js file.js [file.js ...]
'use strict';
const fs = require('fs');
const vm = require('vm');

async function record(file) {
  const lines = [];
  const context = vm.createContext({
    console: { log: (...args) => lines.push(args.map(String).join(' ')) },
    setTimeout, clearTimeout, setInterval, clearInterval, Promise,
  });
  vm.runInContext(fs.readFileSync(file, 'utf8'), context, { filename: file });
  try {
    await vm.runInContext('main()', context);
  } catch (e) {
    lines.push('UNCAUGHT ' + e);
  }
  fs.writeFileSync(file.replace(/\.js$/, '.expected.txt'), lines.join('\n') + '\n');
  console.log('recorded', file, lines.length, 'lines');
}

(async () => {
  for (const file of process.argv.slice(2))
    await record(file);
})();
