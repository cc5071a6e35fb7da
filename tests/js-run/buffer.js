// Key cases of the buffer package's own tests (feross/buffer test/*.js),
// each compared with what Node prints (tst_scriptrun runs this file under
// control-nuc --run and compares with buffer.expected.txt, made by node).
const { Buffer: Required } = require('buffer');
let failures = 0;
function check(name, actual, expected) {
    const ok = JSON.stringify(actual) === JSON.stringify(expected);
    if (!ok)
        failures++;
    console.log((ok ? 'ok ' : 'FAIL ') + name + (ok ? '' : ': ' + JSON.stringify(actual) + ' !== ' + JSON.stringify(expected)));
}
const hex = (b) => b.toString('hex');

check('require and global are one', Required === Buffer, true);
// from
check('from string', hex(Buffer.from('abc')), '616263');
check('from array', hex(Buffer.from([1, 2, 255, 256, -1])), '0102ff00ff');
check('from arraybuffer shares memory', (() => { const ab = new ArrayBuffer(2); const b = Buffer.from(ab); new Uint8Array(ab)[0] = 7; return b[0]; })(), 7);
check('from buffer copies', (() => { const a = Buffer.from('x'); const b = Buffer.from(a); a[0] = 0; return b.toString(); })(), 'x');
check('from hex', Buffer.from('48656c6c6f', 'hex').toString(), 'Hello');
check('from odd hex stops', hex(Buffer.from('abc', 'hex')), 'ab');
check('from base64', Buffer.from('SGVsbG8gV29ybGQ=', 'base64').toString(), 'Hello World');
check('from base64 without padding', Buffer.from('SGVsbG8', 'base64').toString(), 'Hello');
check('from base64 with whitespace', Buffer.from('SGVs\nbG8=', 'base64').toString(), 'Hello');
check('from url-safe base64', hex(Buffer.from('_-8', 'base64')), 'ffef');
check('from latin1', hex(Buffer.from('\u00e9', 'latin1')), 'e9');
check('isBuffer', [Buffer.isBuffer(Buffer.alloc(1)), Buffer.isBuffer(new Uint8Array(1))], [true, false]);
// alloc
check('alloc zeroed', hex(Buffer.alloc(3)), '000000');
check('alloc filled', hex(Buffer.alloc(4, 'ab')), '61626162');
check('alloc filled with a number', hex(Buffer.alloc(2, 0x101)), '0101');
check('allocUnsafe length', Buffer.allocUnsafe(5).length, 5);
// toString
check('utf8 round trip', Buffer.from('h\u00e9llo \u20ac \ud83d\ude00').toString('utf8'), 'h\u00e9llo \u20ac \ud83d\ude00');
check('utf8 byte length', Buffer.byteLength('\u20ac\ud83d\ude00'), 7);
check('invalid utf8 becomes U+FFFD', Buffer.from([0x61, 0xff, 0x62]).toString(), 'a\ufffdb');
check('lone surrogate encodes as U+FFFD', hex(Buffer.from('\ud800')), 'efbfbd');
check('hex', Buffer.from([0, 15, 16, 255]).toString('hex'), '000f10ff');
check('base64', Buffer.from('any carnal pleas').toString('base64'), 'YW55IGNhcm5hbCBwbGVhcw==');
check('base64 of 1 and 2 bytes', [Buffer.from('a').toString('base64'), Buffer.from('ab').toString('base64')], ['YQ==', 'YWI=']);
check('toString with range', Buffer.from('hello world').toString('utf8', 6, 11), 'world');
check('toJSON', Buffer.from([1, 2]).toJSON(), { type: 'Buffer', data: [1, 2] });
// read and write
const r = Buffer.from([0x01, 0x02, 0x03, 0x04, 0xff, 0xfe]);
check('readUInt16BE', [r.readUInt16BE(0), r.readUInt16BE(1), r.readUInt16BE(4)], [0x0102, 0x0203, 0xfffe]);
check('readUInt16LE', r.readUInt16LE(0), 0x0201);
check('readInt16BE negative', r.readInt16BE(4), -2);
check('readUInt32BE and LE', [r.readUInt32BE(0), r.readUInt32LE(0)], [0x01020304, 0x04030201]);
check('readInt8', r.readInt8(4), -1);
check('read out of range throws RangeError', (() => { try { r.readUInt16BE(5); return 'no'; } catch (e) { return e.name; } })(), 'RangeError');
const w = Buffer.alloc(8);
check('writeUInt32LE returns the next offset', w.writeUInt32LE(0xdeadbeef, 1), 5);
check('writeUInt32LE bytes', hex(w), '00efbeadde000000');
check('writeUInt32BE', (w.writeUInt32BE(0x01020304, 4), hex(w)), '00efbead01020304');
check('writeUInt16BE', (w.writeUInt16BE(0xabcd, 0), hex(w.slice(0, 2))), 'abcd');
check('writeInt32LE negative', (w.writeInt32LE(-2, 0), hex(w.slice(0, 4))), 'feffffff');
check('write out of range throws RangeError', (() => { try { w.writeUInt32LE(0x100000000, 0); return 'no'; } catch (e) { return e.name; } })(), 'RangeError');
check('float and double', (() => { const b = Buffer.alloc(12); b.writeFloatBE(1.5, 0); b.writeDoubleLE(-0.25, 4); return [b.readFloatBE(0), b.readDoubleLE(4), hex(b.slice(0, 4))]; })(), [1.5, -0.25, '3fc00000']);
check('write string', (() => { const b = Buffer.alloc(5); const n = b.write('hey', 1); return [n, hex(b)]; })(), [3, '0068657900']);
// concat
check('concat', Buffer.concat([Buffer.from('ab'), Buffer.from('cd'), Buffer.alloc(0)]).toString(), 'abcd');
check('concat with total length', hex(Buffer.concat([Buffer.from([1, 2]), Buffer.from([3])], 5)), '0102030000');
check('concat of Uint8Arrays', hex(Buffer.concat([new Uint8Array([9]), Buffer.from([8])])), '0908');
// slice and subarray share memory
const s = Buffer.from('hello world');
check('slice', s.slice(0, 5).toString(), 'hello');
check('slice negative', s.slice(-5).toString(), 'world');
check('subarray', s.subarray(6, 8).toString(), 'wo');
check('slice shares memory', (() => { const part = s.slice(0, 1); part[0] = 0x4a; return s.toString(); })(), 'Jello world');
check('slice is a Buffer', Buffer.isBuffer(s.subarray(1)), true);
// equals and compare
check('equals', [Buffer.from('abc').equals(Buffer.from('abc')), Buffer.from('abc').equals(Buffer.from('abd'))], [true, false]);
check('compare', [Buffer.compare(Buffer.from('a'), Buffer.from('b')), Buffer.compare(Buffer.from('b'), Buffer.from('a')),
                  Buffer.compare(Buffer.from('ab'), Buffer.from('ab'))], [-1, 1, 0]);
check('compare by length', Buffer.from('ab').compare(Buffer.from('abc')), -1);
check('sort with compare', [Buffer.from('c'), Buffer.from('a'), Buffer.from('b')].sort(Buffer.compare).map(String), ['a', 'b', 'c']);
// indexOf
const i = Buffer.from('this is a buffer');
check('indexOf string', i.indexOf('is'), 2);
check('indexOf from offset', i.indexOf('is', 3), 5);
check('indexOf number', i.indexOf(0x61), 8);
check('indexOf buffer', i.indexOf(Buffer.from('buf')), 10);
check('indexOf missing', i.indexOf('nope'), -1);
check('lastIndexOf', i.lastIndexOf('is'), 5);
check('includes', i.includes('a b'), true);
check('indexOf hex', Buffer.from('abcdef').indexOf('6364', 0, 'hex'), 2);
// misc
check('fill', hex(Buffer.alloc(4).fill(0xaa, 1, 3)), '00aaaa00');
check('copy', (() => { const t = Buffer.alloc(4); Buffer.from('xy').copy(t, 1); return hex(t); })(), '00787900');
check('swap16', hex(Buffer.from([1, 2, 3, 4]).swap16()), '02010403');
check('iteration', Array.from(Buffer.from([5, 6])), [5, 6]);
console.log(failures === 0 ? 'all passed' : failures + ' failed');
