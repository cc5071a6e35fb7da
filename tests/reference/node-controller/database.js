// The SQLite wrapper the seed's handler uses (`db.run(sql, params)`), over
// Debian's sqlite3 command-line shell as a co-process: Debian's node-sqlite3
// addon is built for Debian's Node 18 (libnode108) and does not load in the
// Node 20 this machine runs, and Node 20 has no built-in SQLite. The shell
// runs the same SQLite library with its defaults (journal_mode=DELETE,
// synchronous=FULL), which are what node-sqlite3 gives too, since the seed
// sets no PRAGMA. Statements run one after another, in order, as on
// node-sqlite3's one connection.
'use strict';

const { spawn } = require('child_process');

const MARKER = /^\[\{"m":"@@(\d+)"\}\]$/;
const ERROR = /^(Parse error|Runtime error|Error)/;

// A value as an SQL literal (the shell has no bound parameters on stdin).
// Text with a NUL goes as a hex blob cast to text, since the shell reads
// its input as C strings.
function literal(value) {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  const text = String(value);
  if (text.includes('\0')) return `CAST(X'${Buffer.from(text, 'utf8').toString('hex')}' AS TEXT)`;
  return `'${text.replace(/'/g, "''")}'`;
}

// `?` placeholders filled in order (the seed's statements hold no `?` in
// their own literals).
function bind(sql, params = []) {
  let i = 0;
  const text = sql.replace(/\?/g, () => literal(params[i++]));
  if (i !== params.length) throw new Error(`SQL has ${i} placeholders for ${params.length} values`);
  return text;
}

class Database {
  // pragmas: e.g. { synchronous: 'OFF' }; empty keeps SQLite's defaults.
  constructor(file, pragmas = {}) {
    this.file = file;
    this.pragmas = pragmas;
    this.pending = new Map();   // marker number → { resolve, reject, lines }
    this.order = [];            // marker numbers in the order sent
    this.next = 1;
    this.partial = '';
  }

  open() {
    // stderr joined to stdout so an error line arrives before its marker.
    this.shell = spawn('/bin/sh', ['-c', 'exec sqlite3 -batch "$0" 2>&1', this.file], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.shell.stdout.setEncoding('utf8');
    this.shell.stdout.on('data', (chunk) => this.receive(chunk));
    this.shell.on('exit', (code) => {
      for (const id of this.order) this.pending.get(id).reject(new Error(`sqlite3 exited (${code})`));
      this.pending.clear();
      this.order = [];
    });
    let setup = '.mode json\n';
    for (const [name, value] of Object.entries(this.pragmas)) setup += `PRAGMA ${name}=${value};\n`;
    this.shell.stdin.write(setup);
  }

  close() {
    if (this.shell) this.shell.stdin.end();
  }

  receive(chunk) {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop();
    for (const line of lines) {
      const head = this.order[0];
      if (head === undefined) {
        if (line) console.error(`sqlite3: ${line}`);
        continue;
      }
      const waiting = this.pending.get(head);
      const marker = MARKER.exec(line);
      if (!marker) {
        waiting.lines.push(line);
        continue;
      }
      this.order.shift();
      this.pending.delete(head);
      const failure = waiting.lines.find((l) => ERROR.test(l));
      if (failure) {
        waiting.reject(new Error(failure));
      } else {
        const text = waiting.lines.join('\n').trim();
        waiting.resolve(text ? JSON.parse(text) : []);
      }
    }
  }

  // Runs `sql` with `params`; resolves with the rows it returned.
  query(sql, params) {
    return new Promise((resolve, reject) => {
      const text = bind(sql, params);
      const id = this.next++;
      this.pending.set(id, { resolve, reject, lines: [] });
      this.order.push(id);
      this.shell.stdin.write(`${text};\nSELECT '@@${id}' AS m;\n`);
    });
  }

  run(sql, params) {
    return this.query(sql, params).then(() => undefined);
  }

  all(sql, params) {
    return this.query(sql, params);
  }
}

module.exports = { Database, bind };
