// The JavaScript transformer: modern driver source down-levelled for
// QJSEngine 6.4. Golden programs (outputs recorded from Node), the shared
// conformance sample, each defect workaround, each refusal with its
// line:column, line numbers kept, the runnable-form cache, a modern driver
// running a device end to end, and --check-driver.
#include "controller/controller.h"
#include "devices/devicemanager.h"
#include "simulator/devicesimulator.h"
#include "fakecloud.h"
#include "testdrivers.h"
#include "runtime/drivermodule.h"
#include "runtime/drivertransformer.h"
#include "runtime/transformskip.h"
#include "runtime/transformskiptext.h"
#include "runtime/watchdog.h"
#include "storage/driverrepository.h"

#include <QDir>
#include <QFile>
#include <QJSEngine>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

namespace {

QString readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

const QString goldenDir = QStringLiteral(NUC_SOURCE_DIR "/tests/js-golden");
const QString sharedDir = QStringLiteral(NUC_SOURCE_DIR "/../shared/js-compat");
const QString test262Dir = QStringLiteral(NUC_SOURCE_DIR "/../shared/test262");

// Runs code in a QJSEngine with the prelude, console.log and setTimeout;
// returns what it printed (until `done()` or a timeout).
class Runner : public QObject
{
    Q_OBJECT
public:
    Q_INVOKABLE void log(const QString &line) { lines << line; }
    Q_INVOKABLE void timer(int ms, QJSValue callback)
    {
        QTimer::singleShot(ms, this, [callback]() mutable { callback.call(); });
    }
    Q_INVOKABLE void done() { finished = true; }

    QString run(const QString &code, const QString &start)
    {
        QJSEngine engine;
        engine.globalObject().setProperty(QStringLiteral("__t"), engine.newQObject(this));
        QJSEngine::setObjectOwnership(this, QJSEngine::CppOwnership);
        const QString preludeError = DriverModule::installPrelude(&engine);
        if (!preludeError.isEmpty())
            return preludeError;
        engine.evaluate(QStringLiteral(
            "var console = { log: function () { __t.log(Array.prototype.map.call(arguments, String).join(' ')); } };"
            "var setTimeout = function (f, ms) { __t.timer(ms || 0, f); };"));
        const QJSValue r = engine.evaluate(code + QStringLiteral("\n") + start, QStringLiteral("program.js"));
        if (r.isError())
            return QStringLiteral("ERROR %1 at line %2").arg(r.toString()).arg(r.property(QStringLiteral("lineNumber")).toInt());
        static_cast<void>(QTest::qWaitFor([&] { return finished; }, 5000));
        return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
    }

    QStringList lines;
    bool finished = false;
};

const QString startMain = QStringLiteral(
    "Promise.resolve(main()).then(function () { __t.done(); }, function (e) { console.log('UNCAUGHT ' + e); __t.done(); });");

} // namespace

class tst_Transform : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void golden_data();
    void golden();
    void keptEngineGivesTheSameOutput();
    void childKeysMatchAcorn();
    void warmUpSampleTransforms();
    void sharedConformanceSample();
    void defectsNeedTheRewrite_data();
    void defectsNeedTheRewrite();
    void refusals_data();
    void refusals();
    void syntaxErrorReportsTheAuthorsLine();
    void linesStayWhereTheyWere();
    void thrownErrorsPointAtTheAuthorsLine();
    void plainCodeIsLeftAlone();
    void runnableFormIsCachedAndSourceKept();
    void modernDriverRunsADevice();
    void checkDriverCommand();
    void skipRunsTheTransformFor_data();
    void skipRunsTheTransformFor();
    void skipLeavesAlone_data();
    void skipLeavesAlone();
    void skipKeepsEarlyErrors_data();
    void skipKeepsEarlyErrors();
    void skipAgreesOnTest262();
    void textRulesAgreeWithTheirReference();

private:
    TransformResult transform(const QString &source);
    QString skipDisagreement(const QString &source, const TransformResult &skipped, const TransformResult &full);
    Watchdog m_watchdog;
    // Every source any test transforms goes through both modes; what did
    // not agree, checked after each test function.
    QStringList m_skipDisagreements;
};

void tst_Transform::initTestCase()
{
    QVERIFY2(QDir(goldenDir).exists(), qPrintable(goldenDir));
}

void tst_Transform::cleanup()
{
    const QStringList disagreements = std::exchange(m_skipDisagreements, {});
    QVERIFY2(disagreements.isEmpty(), qPrintable(disagreements.join(QStringLiteral("\n---\n"))));
}

// Empty when the skip (TransformMode::Skip) gives what the full transform
// gives, or a source the full transform refuses as a syntax error which
// QJSEngine rejects too: then validation fails and the callers ask for the
// transformer's refusal (DriverValidator::refusalOfUnchanged), same text.
QString tst_Transform::skipDisagreement(const QString &source, const TransformResult &skipped,
                                        const TransformResult &full)
{
    if (skipped.ok == full.ok && skipped.code == full.code && skipped.error.rule == full.error.rule
        && skipped.error.message == full.error.message && skipped.error.line == full.error.line
        && skipped.error.column == full.error.column)
        return {};
    if (skipped.ok && skipped.code == source && !full.ok && full.error.rule == u"syntax") {
        QJSEngine engine;
        QJSValue exports;
        const ScriptError loaded = DriverModule::load(&engine, &m_watchdog, 5000, source, QStringLiteral("skip.js"), &exports);
        if (loaded.rule == u"syntax")
            return {};
        return QStringLiteral("acorn refuses (%1) what QJSEngine loads:\n%2").arg(full.error.message, source);
    }
    return QStringLiteral("skipped %1, full transform %2:\n%3")
        .arg(skipped.ok ? QStringLiteral("unchanged") : skipped.error.message,
             full.ok ? QStringLiteral("rewrites it") : full.error.message, source);
}

TransformResult tst_Transform::transform(const QString &source)
{
    DriverTransformer transformer(&m_watchdog, 5000);
    const TransformResult full = transformer.transform(source, TransformMode::Full);
    const QString disagreement = skipDisagreement(source, transformer.transform(source, TransformMode::Skip), full);
    if (!disagreement.isEmpty())
        m_skipDisagreements << disagreement;
    return full;
}

void tst_Transform::golden_data()
{
    QTest::addColumn<QString>("file");
    const QStringList files = QDir(goldenDir).entryList({QStringLiteral("[0-9]*.js")}, QDir::Files, QDir::Name);
    QVERIFY(files.size() >= 20);
    for (const QString &f : files)
        QTest::newRow(qPrintable(f)) << f;
}

void tst_Transform::golden()
{
    QFETCH(QString, file);
    const TransformResult t = transform(readFile(goldenDir + QLatin1Char('/') + file));
    QVERIFY2(t.ok, qPrintable(t.error.message + QStringLiteral(" at line ") + QString::number(t.error.line)));
    Runner runner;
    const QString output = runner.run(t.code, startMain);
    QString expected = readFile(goldenDir + QLatin1Char('/') + QString(file).replace(QStringLiteral(".js"), QStringLiteral(".expected.txt")));
    QCOMPARE(output, expected);
}

void tst_Transform::keptEngineGivesTheSameOutput()
{
    // The validator host keeps one transformer engine for every sync: each
    // golden program, run through one kept engine forwards and backwards,
    // must come out exactly as from a fresh engine.
    QStringList files = QDir(goldenDir).entryList({QStringLiteral("[0-9]*.js")}, QDir::Files, QDir::Name);
    files << QStringList(files.crbegin(), files.crend());
    DriverTransformer kept(&m_watchdog, 5000);
    for (const QString &file : std::as_const(files)) {
        const QString source = readFile(goldenDir + QLatin1Char('/') + file);
        const TransformResult fresh = transform(source);
        const TransformResult reused = kept.transform(source);
        QVERIFY2(fresh.ok && reused.ok, qPrintable(file));
        QVERIFY2(reused.code == fresh.code, qPrintable(file));
    }
}

void tst_Transform::childKeysMatchAcorn()
{
    // NucAst walks each node type's child keys from a table instead of
    // Object.keys: the same nodes in the same order only while the table
    // lists, in acorn's order, every key that holds a node. Checked on every
    // node of the golden corpus, the test262 subset and a modern driver.
    QJSEngine engine;
    for (const QString &file : {QStringLiteral(":/nuc/js/acorn.js"), QStringLiteral(":/nuc/js/transform/ast.js")})
        QVERIFY2(!engine.evaluate(DriverModule::resource(file), file).isError(), qPrintable(file));
    const QJSValue check = engine.evaluate(QStringLiteral(R"((function (source) {
        var ast = acorn.parse(source, { ecmaVersion: 2022, sourceType: 'script',
                                        allowReturnOutsideFunction: true, allowHashBang: true });
        function isNode(v) { return v !== null && typeof v === 'object' && typeof v.type === 'string'; }
        function holdsNodes(v) { return Array.isArray(v) ? v.some(isNode) : isNode(v); }
        var result = { nodes: 0, listed: 0, problems: [] };
        (function visit(node) {
            result.nodes++;
            var table = NucAst.childKeys[node.type];
            var keys = Object.keys(node);
            if (table) {
                result.listed++;
                var actual = keys.filter(function (k) { return holdsNodes(node[k]); }).join();
                var listed = table.filter(function (k) { return holdsNodes(node[k]); }).join();
                if (actual !== listed)
                    result.problems.push(node.type + ': acorn [' + actual + '], table [' + listed + ']');
            }
            keys.forEach(function (k) {
                var v = node[k];
                if (Array.isArray(v))
                    v.forEach(function (c) { if (isNode(c)) visit(c); });
                else if (isNode(v))
                    visit(v);
            });
        })(ast);
        return result;
    }))"));
    QVERIFY(check.isCallable());
    QStringList sources{TestDrivers::modern(5120)};
    for (const QString &file : QDir(goldenDir).entryList({QStringLiteral("[0-9]*.js")}, QDir::Files))
        sources << readFile(goldenDir + QLatin1Char('/') + file);
    QFile manifest(test262Dir + QStringLiteral("/manifest.json"));
    if (manifest.open(QIODevice::ReadOnly)) {
        for (const QJsonValue &v : QJsonDocument::fromJson(manifest.readAll()).object().value(QStringLiteral("tests")).toArray())
            sources << readFile(test262Dir + QLatin1Char('/') + v.toObject().value(QStringLiteral("path")).toString());
    }
    int nodes = 0;
    int listed = 0;
    QSet<QString> problems;
    for (const QString &source : std::as_const(sources)) {
        const QJSValue r = check.call({source});
        if (r.isError())
            continue;   // acorn's syntax errors: nothing to walk
        nodes += r.property(QStringLiteral("nodes")).toInt();
        listed += r.property(QStringLiteral("listed")).toInt();
        for (const QVariant &p : r.property(QStringLiteral("problems")).toVariant().toList())
            problems.insert(p.toString());
    }
    QVERIFY2(problems.isEmpty(), qPrintable(QStringList(problems.begin(), problems.end()).join(QLatin1Char('\n'))));
    QVERIFY(nodes > 10000);
    QCOMPARE(listed, nodes);   // every type acorn made here is in the table
}

void tst_Transform::sharedConformanceSample()
{
    const QString source = readFile(sharedDir + QStringLiteral("/modern-driver.js"));
    if (source.isEmpty()) {
        if (qEnvironmentVariable("CI") == u"true")
            QFAIL("../shared/js-compat/modern-driver.js is missing");
        QSKIP("../shared/js-compat is not beside this checkout");
    }
    const TransformResult t = transform(source);
    QVERIFY2(t.ok, qPrintable(t.error.message));
    QCOMPARE(t.code.count(QLatin1Char('\n')), source.count(QLatin1Char('\n')));
    Runner runner;
    const QString output = runner.run(t.code, QStringLiteral(
        "runDriverTest({ delay: function (ms) { return new Promise(function (r) { setTimeout(r, ms); }); } })"
        ".then(function (o) { console.log(o); __t.done(); }, function (e) { console.log('UNCAUGHT ' + e); __t.done(); });"));
    QCOMPARE(output, readFile(sharedDir + QStringLiteral("/modern-driver.expected.txt")));
}

void tst_Transform::defectsNeedTheRewrite_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("defect 1: dropped tail stores") << QStringLiteral("18-defect1-tail-store.js");
    QTest::newRow("defect 2: this in arrows of derived constructors") << QStringLiteral("19-defect2-arrow-this.js");
}

void tst_Transform::defectsNeedTheRewrite()
{
    QFETCH(QString, file);
    const QString source = readFile(goldenDir + QLatin1Char('/') + file);
    const QString expected = readFile(goldenDir + QLatin1Char('/') + QString(file).replace(QStringLiteral(".js"), QStringLiteral(".expected.txt")));
    // As written, QJSEngine 6.4 gets it wrong ...
    Runner plain;
    QVERIFY(plain.run(source, startMain) != expected);
    // ... rewritten, it prints what Node prints.
    const TransformResult t = transform(source);
    QVERIFY(t.ok);
    QVERIFY(t.code != source);
    Runner fixed;
    QCOMPARE(fixed.run(t.code, startMain), expected);
}

void tst_Transform::refusals_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("construct");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");

    QTest::newRow("async generator") << QStringLiteral("const a = 1;\nasync function* gen() {}\n") << QStringLiteral("async generator functions") << 2 << 1;
    QTest::newRow("async generator method") << QStringLiteral("class X {\n  async *items() {}\n}\n") << QStringLiteral("async generator functions") << 2 << 3;
    QTest::newRow("for await") << QStringLiteral("async function f(xs) {\n  for await (const x of xs) {}\n}\n") << QStringLiteral("for await") << 2 << 3;
    QTest::newRow("BigInt") << QStringLiteral("const big =\n    10n;\n") << QStringLiteral("BigInt literals") << 2 << 5;
    QTest::newRow("import()") << QStringLiteral("\n\nconst m = import('x');\n") << QStringLiteral("import()") << 3 << 11;
    QTest::newRow("regex dotAll") << QStringLiteral("const r = /a.b/s;\n") << QStringLiteral("flag s") << 1 << 11;
    QTest::newRow("regex lookbehind") << QStringLiteral("const r = /(?<=x)y/;\n") << QStringLiteral("lookbehind") << 1 << 11;
    QTest::newRow("regex named groups") << QStringLiteral("\nconst r = /(?<year>\\d+)/;\n") << QStringLiteral("named groups") << 2 << 11;
    QTest::newRow("computed class field") << QStringLiteral("class X {\n  ['a' + 1] = 2;\n}\n") << QStringLiteral("computed name") << 2 << 3;
    QTest::newRow("rest in for-of") << QStringLiteral("for (const { a, ...r } of []) {}\n") << QStringLiteral("object rest") << 1 << 12;
    QTest::newRow("nested rest") << QStringLiteral("const { a: { b, ...c } } = {};\n") << QStringLiteral("object rest") << 1 << 12;
    QTest::newRow("escaped identifier") << QStringLiteral("const a = 1;\nconst b\\u0061 = 2;\n") << QStringLiteral("escape sequence") << 2 << 7;
    QTest::newRow("identifier QJSEngine cannot read") << QString::fromUtf8("let x = { \u2118: 1 }.\u2118;\n  var \u2118 = 1;\n") << QStringLiteral("cannot read") << 2 << 7;
    QTest::newRow("parameter TDZ") << QStringLiteral("async function f(a,\n  b = c, c) {}\n") << QStringLiteral("later parameter") << 2 << 3;
    QTest::newRow("named function expression's own name") << QStringLiteral("var f = function g() {\n  g = 1;\n};\n") << QStringLiteral("own name") << 2 << 3;
    QTest::newRow("spread of yield") << QStringLiteral("var o = {...yield};\n") << QStringLiteral("yield") << 1 << 10;
    QTest::newRow("private name in an optional chain") << QStringLiteral("class X {\n  #x;\n  m(h) { return h?.#x; }\n}\n") << QStringLiteral("optional chain") << 3 << 17;
    QTest::newRow("private logical assignment through a path")
        << QStringLiteral("class X {\n  #x;\n  m(h) { h.inner.#x ??= 1; }\n}\n") << QStringLiteral("#private field of anything but") << 3 << 10;
    QTest::newRow("async function's prototype") << QStringLiteral("var x = 1;\nvar p = Object.getPrototypeOf(async () => {});\n")
        << QStringLiteral("prototype of an async function") << 2 << 9;
    QTest::newRow("async function's constructor") << QStringLiteral("var C = (async function () {}).constructor;\n")
        << QStringLiteral("constructor of an async function") << 1 << 9;
    QTest::newRow("Proxy getOwnPropertyDescriptor trap, plain ES5")
        << QStringLiteral("var p = new Proxy({}, {\n  ownKeys: function () { return []; },\n  getOwnPropertyDescriptor: function () { return { value: 1, configurable: true }; }\n});\n")
        << QStringLiteral("getOwnPropertyDescriptor trap") << 1 << 23;
    // QJSEngine 6.4 drops the `/` (review of the validator's scanner): the
    // rest would run as code acorn saw as a comment.
    QTest::newRow("a slash after .function")
        << QStringLiteral("function f() {\n  a.function / /[`]/\n  // `]; } globalThis.hit = 1; function g() {\n}\n")
        << QStringLiteral("right after the word function") << 2 << 14;
    QTest::newRow("a slash after ?.function and a comment")
        << QStringLiteral("var x = a?.function /* c */ / 2;\n") << QStringLiteral("right after the word function") << 1 << 29;
    QTest::newRow("a slash after .function and a line comment")
        << QStringLiteral("var y = o.function // c\n/x/g;\n") << QStringLiteral("right after the word function") << 2 << 1;
}

void tst_Transform::refusals()
{
    QFETCH(QString, code);
    QFETCH(QString, construct);
    QFETCH(int, line);
    QFETCH(int, column);
    const TransformResult t = transform(code);
    QVERIFY(!t.ok);
    QCOMPARE(t.error.rule, QStringLiteral("unsupported"));
    QVERIFY2(t.error.message.contains(construct), qPrintable(t.error.message));
    QCOMPARE(t.error.line, line);
    QCOMPARE(t.error.column, column);
}

void tst_Transform::syntaxErrorReportsTheAuthorsLine()
{
    const QString code = QStringLiteral("const B = require('./base-driver');\n"
                                        "class X extends B {\n"
                                        "  state = { ...this.config };\n"
                                        "  async connect() {\n"
                                        "    await this.openTransport(;\n"
                                        "  }\n"
                                        "}\n");
    const TransformResult t = transform(code);
    QVERIFY(!t.ok);
    QCOMPARE(t.error.rule, QStringLiteral("syntax"));
    QCOMPARE(t.error.line, 5);
    QCOMPARE(t.error.column, 30);
}

void tst_Transform::linesStayWhereTheyWere()
{
    // Every line ends with a marker naming its line number.
    const QStringList lines = {
        QStringLiteral("class Driver extends Base { // L1"),
        QStringLiteral("  static count = 0; // L2"),
        QStringLiteral("  #secret = { // L3"),
        QStringLiteral("    a: 1, // L4"),
        QStringLiteral("  }; // L5"),
        QStringLiteral("  state = { ...DEFAULTS, // L6"),
        QStringLiteral("    ...extra }; // L7"),
        QStringLiteral("  async send(cmd, { retry = 1, ...opts } = {}) { // L8"),
        QStringLiteral("    try { await this.io(cmd); } catch { return null; } // L9"),
        QStringLiteral("    const { a, ...rest } = await this.read( // L10"),
        QStringLiteral("      cmd); // L11"),
        QStringLiteral("    this.last \x3f?= await cmd; // L12"),
        QStringLiteral("    return this.value = this.compute(); // L13"),
        QStringLiteral("  } // L14"),
        QStringLiteral("  static { Driver.count = 1_000; } // L15"),
        QStringLiteral("} // L16"),
    };
    const TransformResult t = transform(lines.join(QLatin1Char('\n')) + QLatin1Char('\n'));
    QVERIFY2(t.ok, qPrintable(t.error.message));
    const QStringList out = t.code.split(QLatin1Char('\n'));
    QCOMPARE(out.size(), lines.size() + 1);
    for (int i = 0; i < lines.size(); ++i)
        QVERIFY2(out.at(i).endsWith(QStringLiteral("// L%1").arg(i + 1)), qPrintable(out.at(i)));
}

void tst_Transform::thrownErrorsPointAtTheAuthorsLine()
{
    const QString code = QStringLiteral("class A {\n"
                                        "  x = 1;\n"
                                        "  async run({ a, ...r }) {\n"
                                        "    const o = { ...r };\n"
                                        "    await null;\n"
                                        "    null.boom;\n"
                                        "  }\n"
                                        "}\n"
                                        "async function main() {\n"
                                        "  try { await new A().run({ a: 1 }); } catch (e) { console.log(e.lineNumber, String(e.stack).indexOf('program.js:6') >= 0); }\n"
                                        "}\n");
    const TransformResult t = transform(code);
    QVERIFY(t.ok);
    Runner runner;
    QCOMPARE(runner.run(t.code, startMain), QStringLiteral("6 true\n"));
}

void tst_Transform::plainCodeIsLeftAlone()
{
    const QString code = readFile(QStringLiteral(NUC_SOURCE_DIR "/resources/examples/tcp-projector.js"));
    const TransformResult t = transform(code);
    QVERIFY(t.ok);
    QCOMPARE(t.code, code);
}

namespace {
const QString modernDriver = QStringLiteral(R"JS(const BaseDriver = require('./base-driver');
class ModernProjector extends BaseDriver {
  static defaults = { timeout: 1000 };
  state = { power: 'unknown' };
  #requests = 0;
  onLine = (line) => { this.lastLine = line; };

  async connect() {
    const t = await this.openTransport();
    t.setEncoding('latin1');
    const { timeout, ...rest } = { ...ModernProjector.defaults, ...this.config };
    this.timeout = timeout;
    try {
      const reply = await t.request('PWR?\r', { until: '\r', timeout });
      this.setState({ ...this.state, power: reply === 'PWR=ON' ? 'on' : 'off', keys: Object.keys(rest).length });
    } catch {
      this.setState({ power: 'unknown' });
    }
  }

  async sendCommand(command, { wait = true, ...params } = {}) {
    this.#requests++;
    if (command === 'count') return this.#requests;
    if (command === 'power_on') {
      const reply = await this.transport.request('PWR ON\r', { until: '\r', timeout: this.timeout });
      this.lastReply ||= reply;
      return { reply, wait, extra: Object.keys(params) };
    }
    return super.sendCommand(command, params);
  }
}
module.exports = ModernProjector;
)JS");
}

void tst_Transform::runnableFormIsCachedAndSourceKept()
{
    QTemporaryDir dir;
    FakeCloud cloud;
    QVERIFY(cloud.listen());
    Config c;
    c.root = dir.filePath(QStringLiteral("root"));
    c.cloudUrl = cloud.url();
    c.controllerId = QStringLiteral("modern");
    auto controller = std::make_unique<Controller>(c);
    QCOMPARE(controller->start(), QString());
    QVERIFY(cloud.waitForMessage(QStringLiteral("hello")) >= 0);
    const int from = int(cloud.messages().size());
    cloud.send(QStringLiteral("driver_sync"),
               QJsonObject{{QStringLiteral("sync_id"), QStringLiteral("m1")}, {QStringLiteral("driver_id"), QStringLiteral("d-m")},
                           {QStringLiteral("driver_type"), QStringLiteral("modern_projector")}, {QStringLiteral("version"), QStringLiteral("2.0.0")},
                           {QStringLiteral("driver_code"), modernDriver}, {QStringLiteral("protocol_type"), QStringLiteral("tcp")}});
    QVERIFY(cloud.waitForMessage(QStringLiteral("driver_sync_complete"), from, 10000) >= 0);

    // The file and the drivers table hold the code exactly as sent.
    QCOMPARE(readFile(controller->layout().driverFilePath(QStringLiteral("modern_projector"))), modernDriver);
    RunnableRepository cache(controller->database()->connection());
    const std::optional<QString> runnable = cache.find(modernDriver, DriverTransformer::version());
    QVERIFY(runnable.has_value());
    QVERIFY(runnable->contains(u"__nucAsync"));
    QCOMPARE(runnable->count(QLatin1Char('\n')), modernDriver.count(QLatin1Char('\n')));
    QSqlQuery q(controller->database()->connection());
    QVERIFY(q.exec(QStringLiteral("SELECT driver_code FROM drivers WHERE driver_type = 'modern_projector'")) && q.next());
    QCOMPARE(q.value(0).toString(), modernDriver);

    // A runnable form that is missing (e.g. a new transformer version) is
    // made again at start, once.
    QVERIFY(q.exec(QStringLiteral("DELETE FROM driver_runnable")));
    controller.reset();
    controller = std::make_unique<Controller>(c);
    QCOMPARE(controller->start(), QString());
    QVERIFY(RunnableRepository(controller->database()->connection()).find(modernDriver, DriverTransformer::version()).has_value());
}

void tst_Transform::modernDriverRunsADevice()
{
    QTemporaryDir dir;
    FakeCloud cloud;
    QVERIFY(cloud.listen());
    DeviceSimulator sim;
    QCOMPARE(sim.start(0, DeviceSimulator::Off), QString());
    Config c;
    c.root = dir.filePath(QStringLiteral("root"));
    c.cloudUrl = cloud.url();
    c.controllerId = QStringLiteral("modern");
    Controller controller(c);
    QCOMPARE(controller.start(), QString());
    QVERIFY(cloud.waitForMessage(QStringLiteral("hello")) >= 0);
    cloud.send(QStringLiteral("driver_sync"),
               QJsonObject{{QStringLiteral("sync_id"), QStringLiteral("m2")}, {QStringLiteral("driver_id"), QStringLiteral("d-m")},
                           {QStringLiteral("driver_type"), QStringLiteral("modern_projector")}, {QStringLiteral("version"), QStringLiteral("2.0.0")},
                           {QStringLiteral("driver_code"), modernDriver}, {QStringLiteral("protocol_type"), QStringLiteral("tcp")},
                           {QStringLiteral("connection_config"), QJsonObject{{QStringLiteral("host"), QStringLiteral("127.0.0.1")},
                                                                              {QStringLiteral("port"), int(sim.tcpPort())}}}});
    QVERIFY(cloud.waitForMessage(QStringLiteral("driver_sync_complete"), 0, 10000) >= 0);
    cloud.send(QStringLiteral("device_sync"),
               QJsonObject{{QStringLiteral("devices"), QJsonArray{QJsonObject{{QStringLiteral("device_id"), QStringLiteral("p1")},
                                                                              {QStringLiteral("type"), QStringLiteral("modern_projector")}}}}});
    QVERIFY(QTest::qWaitFor([&] {
        const Device *d = controller.deviceManager()->device(QStringLiteral("p1"));
        return d && d->status() == u"connected";
    }, 5000));
    const Device *device = controller.deviceManager()->device(QStringLiteral("p1"));
    QCOMPARE(device->state().value(QStringLiteral("power")).toString(), QStringLiteral("off"));
    QVERIFY(device->state().value(QStringLiteral("keys")).toInt() >= 2);   // rest of config: name, deviceId, host, port

    const int from = int(cloud.messages().size());
    cloud.send(QStringLiteral("device_command"),
               QJsonObject{{QStringLiteral("request_id"), QStringLiteral("r1")}, {QStringLiteral("device_id"), QStringLiteral("p1")},
                           {QStringLiteral("command"), QStringLiteral("power_on")},
                           {QStringLiteral("params"), QJsonObject{{QStringLiteral("wait"), false}, {QStringLiteral("x"), 1}}}});
    const int at = cloud.waitForMessage(QStringLiteral("device_command_result"), from, 5000);
    QVERIFY(at >= 0);
    const QJsonObject result = cloud.messages().at(at).value(QStringLiteral("data")).toObject();
    QVERIFY2(result.value(QStringLiteral("ok")).toBool(), qPrintable(result.value(QStringLiteral("error")).toString()));
    QCOMPARE(result.value(QStringLiteral("result")).toObject(),
             (QJsonObject{{QStringLiteral("reply"), QStringLiteral("OK")}, {QStringLiteral("wait"), false},
                          {QStringLiteral("extra"), QJsonArray{QStringLiteral("x")}}}));
    QVERIFY(sim.isPoweredOn());
}

void tst_Transform::checkDriverCommand()
{
    QTemporaryDir dir;
    QFile good(dir.filePath(QStringLiteral("good.js")));
    QVERIFY(good.open(QIODevice::WriteOnly));
    good.write(modernDriver.toUtf8());
    good.close();
    QFile bad(dir.filePath(QStringLiteral("bad.js")));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("const B = require('./base-driver');\nclass X extends B {}\nconst n = 12n;\nmodule.exports = X;\n");
    bad.close();

    QProcess p;
    p.start(QStringLiteral(CONTROL_NUC_BINARY), {QStringLiteral("--check-driver"), good.fileName()});
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(QString::fromUtf8(p.readAllStandardOutput()).contains(u": ok (down-levelled for QJSEngine 6.4, lines kept"));

    p.start(QStringLiteral(CONTROL_NUC_BINARY), {QStringLiteral("--check-driver"), bad.fileName(), QStringLiteral("--protocol"), QStringLiteral("udp")});
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 1);
    QCOMPARE(QString::fromUtf8(p.readAllStandardOutput()).trimmed(),
             bad.fileName() + QStringLiteral(":3:11: error: not supported: BigInt literals"));
}

void tst_Transform::skipRunsTheTransformFor_data()
{
    // Each row is something a pass rewrites or refuses; a skip would be wrong.
    QTest::addColumn<QString>("code");
    const auto row = [](const char *name, const char *code) { QTest::newRow(name) << QString::fromUtf8(code); };
    row("async function", "async function f() { await g(); }\n");
    row("for await", "async function f(xs) { for await (const x of xs) {} }\n");
    row("object spread", "const o = { ...a, b: 1 };\n");
    row("a default reading a later parameter", "function f(a = b, b) { return a; }\n");
    row("an arrow's default reading a later parameter", "const f = (a = b, b) => a;\n");
    row("a store to a function expression's name", "var f = function g() { g = 1; };\n");
    row("an update of a function expression's name", "var f = function g() { ++g; };\n");
    row("an identifier QJSEngine cannot read", "var \xe2\x84\x98 = 1;\n");
    row("an identifier with ZWNJ", "var a\xe2\x80\x8cb = 1;\n");
    row("object rest", "const { a, ...r } = o;\n");
    row("numeric separator", "const n = 1_000;\n");
    row("BigInt", "const n = 10n;\n");
    row("hex BigInt", "const n = 0xffn;\n");
    row("optional catch", "try { f(); } catch { g(); }\n");
    row("optional catch, comment before the brace", "try { f(); } catch /* ignored */ { g(); }\n");
    row("?\?=", "a ?\?= b;\n");
    row("||=", "a ||= b;\n");
    row("&&=", "a &&= b;\n");
    row("#private", "class A { #x = 1; m() { return this.#x; } }\n");
    row("#! line", "#!/usr/bin/env node\nconst a = 1;\n");
    row("import()", "const m = import('x');\n");
    row("regex flag s", "const r = /a.b/s;\n");
    row("regex flag d", "const r = /a/d;\n");
    row("regex lookbehind", "const r = /(?<=x)y/;\n");
    row("regex named group", "const r = /(?<y>\\d+)\\k<y>/;\n");
    row("field with semicolon", "class A { x = 1; }\n");
    row("field without semicolon", "class A { x = 1 }\n");
    row("field without value", "class A { x; }\n");
    row("field without value or semicolon", "class A {\n  x\n  m() {}\n}\n");
    row("field after a getter", "class A { get x() { return 1; } y = 2 }\n");
    row("static field", "class A { static x = 1; }\n");
    row("static block", "class A { static {} }\n");
    row("field named static", "class A { static = 1 }\n");
    row("field named get", "class A { get = 1 }\n");
    row("computed field", "class A { ['a'] = 1; }\n");
    row("field in a class expression", "const B = class { a = 1 };\n");
    row("field in a template substitution", "const s = `${ class { x = 1 } }`;\n");
    row("field after a regex holding } and /", "const r = /}[/]/g;\nclass A { y = 2 }\n");
    row("field behind a comment", "class A { x /* c */ = 1 }\n");
    row("field behind a line comment", "class A { constructor() {} x // c\n}\n");
    row("field after a heritage call", "class A extends mixin(B) { x = 1 }\n");
    row("tail store", "function f(a, b) { return a = b(); }\n");
    row("tail store through ?:", "function f() { return c ? a = 1 : b; }\n");
    row("tail store through comma", "function f() { return (a, b = 2); }\n");
    row("tail store after a template", "function f() { return `${a}` && (b = c()); }\n");
    row("tail store after a regex", "function f(s) { return /x/.test(s) || (t = 1); }\n");
    row("tail store on the next line", "function f() {\n  return a\n    || (b = 1);\n}\n");
    row("compound tail store", "function f() { return n += 1; }\n");
    row("arrow store", "const g = x => y = f();\n");
    row("arrow store in a call", "list.map(x => seen[x] = true);\n");
    row("bound arrow", "class A extends B { constructor(){ super(); this.f = () => this.x; } }\n");
    row("bound arrow in a call", "class A extends B { constructor() { super(); run(() => this.go()); } }\n");
    row("catch parameter declared again", "try { f(); } catch (e) { const e = 1; }\n");
    row("regex with a reversed range", "const r = /[z-a]/;\n");
    row("regex with a bad quantifier", "const r = /a{2,1}/;\n");
    row("regex with duplicate flags", "const r = /a/gg;\n");
    row("bound arrow in a constructor's default value",
        "class A extends B { constructor(f = () => this.x) { super(); this.f = f; } }\n");
    row("Proxy getOwnPropertyDescriptor trap", "var p = new Proxy(t, { getOwnPropertyDescriptor: function (t, k) { return d; } });\n");
    row("bound arrow, dotted heritage", "class A extends lib.B { constructor() { super(); this.f = d => this.on(d); } }\n");
    // A `/` after `var a` and a line break begins a regex (ASI); read as a
    // division, the regex's `}` hid the arrow from the scanner (review).
    row("bound arrow behind a regex after ASI",
        "class A extends B { constructor() { super(); var a\n/}m(){x/\nthis.f = () => this; } }\n");
    row("bound arrow behind a regex after extends",
        "class A extends B { constructor() { super(); class C extends /}/ {}\nthis.f = () => this; } }\n");
}

void tst_Transform::skipRunsTheTransformFor()
{
    QFETCH(QString, code);
    const char *reason = nullptr;
    QVERIFY(!TransformSkip::unchanged(code, &reason));
    QVERIFY(reason);
    // ... and the row is a real trigger: the transform rewrites or refuses it.
    const TransformResult t = transform(code);
    QVERIFY2(!t.ok || t.code != code, reason);
}

void tst_Transform::skipLeavesAlone_data()
{
    QTest::addColumn<QString>("code");
    QTest::newRow("the benchmark's 5 KB driver") << TestDrivers::sized(5120);
    const QString examples = QStringLiteral(NUC_SOURCE_DIR "/resources/examples/");
    for (const char *file : {"tcp-projector.js", "udp-lighting.js"})
        QTest::newRow(file) << readFile(examples + QLatin1String(file));
    const auto row = [](const char *name, const char *code) { QTest::newRow(name) << QString::fromUtf8(code); };
    row("methods only", "class A extends B {\n  constructor(c) { super(c); this.x = 1; }\n  get y() { return this.x; }\n"
                        "  static make() { return new A(); }\n  *items() {}\n  'quoted'() {}\n}\n");
    row("division and regexes", "const a = (b + c) / 2 / d;\nif (a) /x\\/y[/]/g.test(s);\nconst e = x[1] / y;\n");
    row("promise catch", "p.then(function (r) { return r; }).catch(function (e) {});\n");
    row("templates", "const t = `a ${b + `c ${d}`} e`;\n");
    row("arrows without stores", "const f = x => x + 1;\nconst g = (a, b) => { a.x = b; };\nh(x => x, y = 2);\n");
    row("comparisons after return", "function g() { return a === b || c <= d || e >= f || g !== h; }\n");
    row("stores before return", "function g() { a = 1; b += 2; return a; }\n");
    row("declarations in a catch block", "try { f(); } catch (e) { const m = e.message; let n = 1; log(m, n); }\n");
    row("simple regexes", "const r = /^(?:PWR|VOL)\\s+(\\d+)\\r?$/i;\nconst s = /[A-Z_]+\\.?/g;\n");
}

void tst_Transform::skipLeavesAlone()
{
    QFETCH(QString, code);
    QVERIFY(!code.isEmpty());
    const char *reason = nullptr;
    QVERIFY2(TransformSkip::unchanged(code, &reason), reason);
    const TransformResult t = transform(code);
    QVERIFY2(t.ok, qPrintable(t.error.message));
    QCOMPARE(t.code, code);
}

void tst_Transform::skipAgreesOnTest262()
{
    // The test262 subset (../shared/test262): every test, in each
    // strictness it runs in, must come out of the transform the same with
    // the skip on and off. Only the sources the skip leaves alone need the
    // full transform, so the whole subset runs here.
    QFile file(test262Dir + QStringLiteral("/manifest.json"));
    if (!file.open(QIODevice::ReadOnly)) {
        if (qEnvironmentVariable("CI") == u"true")
            QFAIL("../shared/test262/manifest.json is missing");
        QSKIP("../shared/test262 is not beside this checkout");
    }
    const QJsonArray tests = QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("tests")).toArray();
    QVERIFY(tests.size() > 900);
    DriverTransformer transformer(&m_watchdog, 5000);
    int sources = 0;
    int skipped = 0;
    int syntaxErrors = 0;   // skipped, and a syntax error for acorn and QJSEngine alike
    for (const QJsonValue &v : tests) {
        const QJsonObject test = v.toObject();
        const QString source = readFile(test262Dir + QLatin1Char('/') + test.value(QStringLiteral("path")).toString());
        QVERIFY(!source.isEmpty());
        const QJsonArray flags = test.value(QStringLiteral("flags")).toArray();
        QStringList variants;
        if (!flags.contains(QStringLiteral("onlyStrict")))
            variants << source;
        if (!flags.contains(QStringLiteral("noStrict")) && !flags.contains(QStringLiteral("raw")))
            variants << QStringLiteral("\"use strict\";\n") + source;
        for (const QString &variant : std::as_const(variants)) {
            ++sources;
            if (!TransformSkip::unchanged(variant))
                continue;   // the full transform runs either way
            ++skipped;
            const TransformResult full = transformer.transform(variant, TransformMode::Full);
            syntaxErrors += full.ok ? 0 : 1;
            const TransformResult fast = transformer.transform(variant, TransformMode::Skip);
            const QString disagreement = skipDisagreement(variant, fast, full);
            QVERIFY2(disagreement.isEmpty(),
                     qPrintable(test.value(QStringLiteral("path")).toString() + QLatin1Char('\n') + disagreement));
        }
    }
    // The harness files are plain ES5-style code: mostly skipped.
    const QDir harness(test262Dir + QStringLiteral("/harness"));
    for (const QString &name : harness.entryList({QStringLiteral("*.js")}, QDir::Files)) {
        const QString source = readFile(harness.filePath(name));
        ++sources;
        if (!TransformSkip::unchanged(source))
            continue;
        ++skipped;
        const QString disagreement = skipDisagreement(source, transformer.transform(source, TransformMode::Skip),
                                                      transformer.transform(source, TransformMode::Full));
        QVERIFY2(disagreement.isEmpty(), qPrintable(name + QLatin1Char('\n') + disagreement));
    }
    qInfo("test262 subset: %d tests, %d sources (harness included), %d skipped, all agree (%d of them syntax errors "
          "for both acorn and QJSEngine)",
          int(tests.size()), sources, skipped, syntaxErrors);
}

void tst_Transform::skipKeepsEarlyErrors_data()
{
    // Early errors acorn raises (and a few it lets through): each must come
    // out the same with the skip on and off (the transform() helper checks:
    // identical, or a syntax error QJSEngine raises too, where the
    // pipeline's fallback reports acorn's text).
    QTest::addColumn<QString>("code");
    const auto row = [](const char *name, const char *code) { QTest::newRow(name) << QString::fromUtf8(code); };
    row("let x = 2;", "let x = 1;\nlet x = 2;\n");
    row("function f(a, a) { 'use strict'; }", "function f(a, a) { 'use strict'; }\n");
    row("var eval = 1;", "'use strict';\nvar eval = 1;\n");
    row("for (;;) { break nowhere; }", "for (;;) { break nowhere; }\n");
    row("with (a) {}", "'use strict';\nwith (a) {}\n");
    row("var n = 010;", "'use strict';\nvar n = 010;\n");
    row("delete x;", "'use strict';\ndelete x;\n");
    row("class A { get x(a) { return 1; } }", "class A { get x(a) { return 1; } }\n");
    row("class A { set x() {} }", "class A { set x() {} }\n");
    row("const c;", "const c;\n");
    row("function g() { 'use strict'; var argumen", "function g() { 'use strict'; var arguments; }\n");
    row("new.target;", "new.target;\n");
    row("label: label: x;", "label: label: x;\n");
    row("if (1) function h() {}", "if (1) function h() {}\n");
    row("if (1) function h() {}", "'use strict';\nif (1) function h() {}\n");
    row("x = { a: 1, a: 2 };", "x = { a: 1, a: 2 };\n");
    row("x = '\\08';", "'use strict';\nx = '\\08';\n");
    row("try {} catch (e) { let e; }", "try {} catch (e) { let e; }\n");
    row("const { a, a: b } = c;", "const { a, a: b } = c;\n");
    row("let [q, q] = [];", "let [q, q] = [];\n");
    row("const r = /(/;", "const r = /(/;\n");
    row("const r = /a{2,1}/;", "const r = /a{2,1}/;\n");
    row("* 2; }", "function* gen() { yield\n* 2; }\n");
    row("var yield = 1;", "var yield = 1;\n");
    row("var yield = 1;", "'use strict';\nvar yield = 1;\n");
    row("let let = 1;", "let let = 1;\n");
    row("class B { constructor() { super.x; } }", "class B { constructor() { super.x; } }\n");
    row("function k() { super.x; }", "function k() { super.x; }\n");
    row("({ m() { super.x; } });", "({ m() { super.x; } });\n");
    row("return 5;", "return 5;\n");
}

void tst_Transform::skipKeepsEarlyErrors()
{
    QFETCH(QString, code);
    static_cast<void>(transform(code));   // cleanup() fails the row on a disagreement
}

QTEST_GUILESS_MAIN(tst_Transform)
void tst_Transform::textRulesAgreeWithTheirReference()
{
    // textTrigger() reads the text once, by the rules' first characters;
    // it must find a rule exactly where the rules one by one find one, and
    // name the same one.
    QStringList texts;
    const QStringList triggers{QStringLiteral("#"), QStringLiteral("async"), QStringLiteral("await"), QStringLiteral("..."),
                               QStringLiteral("?\?="), QStringLiteral("||="), QStringLiteral("&&="), QStringLiteral("import"),
                               QStringLiteral("(?<"), QStringLiteral("\\k<"), QStringLiteral("__proto__"), QStringLiteral("<!--"),
                               QStringLiteral("-->"), QStringLiteral("?."), QStringLiteral("eval"), QStringLiteral("Function"),
                               QStringLiteral("Proxy"), QStringLiteral("catch {"), QStringLiteral("catch")};
    const QString plain = TestDrivers::sized(2048);
    for (const QString &t : triggers) {
        texts << t << t + plain << plain + t << plain.left(700) + t + plain.mid(700);
        // Cut short anywhere: no rule (unless a shorter one is in it).
        for (qsizetype n = 1; n < t.size(); ++n)
            texts << t.left(n) << plain + t.left(n);
    }
    texts << QStringLiteral("catch (e) {}") << QStringLiteral("catch\n\t(e)") << QStringLiteral("catch(e) {} catch") << QStringLiteral("?.5")
          << QStringLiteral("a ? .5 : 1") << QStringLiteral("x = y ?? z") << QStringLiteral("a || b") << QStringLiteral("a && b")
          << QStringLiteral("--x") << QStringLiteral("<!- -") << QStringLiteral("\\u{1F600} \\u0023") << QString::fromUtf8("// \xf0\x9f\x98\x80 x") << QString()
          << plain;
    // Every source the other tests know: the golden corpus and the test262 subset.
    for (const QString &name : QDir(goldenDir).entryList({QStringLiteral("*.js")}, QDir::Files))
        texts << readFile(goldenDir + QLatin1Char('/') + name);
    QFile manifest(test262Dir + QStringLiteral("/manifest.json"));
    if (manifest.open(QIODevice::ReadOnly)) {
        const QJsonArray tests = QJsonDocument::fromJson(manifest.readAll()).object().value(QStringLiteral("tests")).toArray();
        for (const QJsonValue &v : tests)
            texts << readFile(test262Dir + QLatin1Char('/') + v.toObject().value(QStringLiteral("path")).toString());
    } else if (qEnvironmentVariable("CI") == u"true") {
        QFAIL("../shared/test262/manifest.json is missing");
    }
    int triggered = 0;
    for (const QString &text : std::as_const(texts)) {
        const char *reason = nullptr;
        const bool found = TransformSkip::textTrigger(text, &reason);
        const char *reference = TransformSkip::textTriggerReference(text);
        QVERIFY2(found == (reference != nullptr), qPrintable(text.left(200)));
        if (found) {
            QCOMPARE(QByteArray(reason), QByteArray(reference));
            ++triggered;
        }
    }
    QVERIFY(triggered > texts.size() / 3);
    QVERIFY(triggered < texts.size());
}

#include "tst_transform.moc"

void tst_Transform::warmUpSampleTransforms()
{
    // The validator host's warm-up runs every pass on its sample: were the
    // sample refused, the first driver's transform would still find the
    // passes cold.
    DriverTransformer transformer(&m_watchdog, 5000);
    QVERIFY(transformer.warmUp());
    const TransformResult after = transformer.transform(TestDrivers::modern(2048, 7));
    QVERIFY(after.ok);
}
