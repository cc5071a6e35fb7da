// Driver sources shared by the tests and benchmarks.
#pragma once

#include <QString>

namespace TestDrivers {

inline QString valid(const QString &className = QStringLiteral("Projector"), const QString &marker = {})
{
    return QStringLiteral(
               "const BaseDriver = require('./base-driver');\n"
               "// %2\n"
               "class %1 extends BaseDriver {\n"
               "  constructor(config) { super(config); }\n"
               "  connect() { return Promise.resolve(); }\n"
               "}\n"
               "module.exports = %1;\n")
        .arg(className, marker);
}

// A realistic driver of about `bytes` bytes (padded with command tables).
inline QString sized(int bytes)
{
    QString code = QStringLiteral(
        "const BaseDriver = require('./base-driver');\n"
        "const COMMANDS = {\n");
    int i = 0;
    const QString tail = QStringLiteral(
        "};\n"
        "class SizedDriver extends BaseDriver {\n"
        "  constructor(config) { super(config); const self = this; self.pending = []; }\n"
        "  connect() { return Promise.resolve(); }\n"
        "  sendCommand(command, params) {\n"
        "    const entry = COMMANDS[command];\n"
        "    if (!entry) return super.sendCommand(command, params);\n"
        "    return Promise.resolve(entry.reply);\n"
        "  }\n"
        "}\n"
        "module.exports = SizedDriver;\n");
    while (code.size() + tail.size() < bytes) {
        code += QStringLiteral("  cmd_%1: { payload: 'CMD %1\\r', reply: 'OK %1', timeout: 2000 },\n").arg(i++, 4, 10,
                                                                                                     QLatin1Char('0'));
    }
    return code + tail;
}

// A modern driver of about `bytes` bytes that needs every kind of rewrite
// (class fields, #private, async/await, spread and rest, ??=, optional
// catch), padded with distinct async methods; `seed` makes the code new.
inline QString modern(int bytes, int seed = 0)
{
    QString code = QStringLiteral(
        "const BaseDriver = require('./base-driver');\n"
        "// build %1\n"
        "class ModernDriver extends BaseDriver {\n"
        "  state = { power: 'off' };\n"
        "  #pending = 0;\n"
        "  static protocol = 'tcp';\n"
        "  async connect() { await this.openTransport(); }\n").arg(seed);
    const QString tail = QStringLiteral(
        "  async sendCommand(command, { retries = 1, ...opts } = {}) {\n"
        "    this.#pending++;\n"
        "    this.state.last ?\?= command;\n"
        "    try { return { ...this.state, ...opts, retries }; } catch { return null; } finally { this.#pending--; }\n"
        "  }\n"
        "}\n"
        "module.exports = ModernDriver;\n");
    int i = 0;
    while (code.size() + tail.size() < bytes) {
        code += QStringLiteral("  async cmd_%1(p = {}) { const { a, ...rest } = p; this.state.c%1 ?\?= a; "
                               "return await this.send({ ...rest, code: 'CMD %1' }); }\n").arg(i++, 4, 10, QLatin1Char('0'));
    }
    return code + tail;
}

} // namespace TestDrivers
