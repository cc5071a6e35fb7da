// control-nuc --run FILE: a script runs as `node FILE` runs it, in a driver
// host (never in the controller): transformed, with the prelude, print and
// console.* on stdout, until no timer or Promise is pending; exit 0, or 1
// with the uncaught error and where it was thrown.
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class tst_ScriptRun : public QObject
{
    Q_OBJECT

private slots:
    void runs_data();
    void runs();
    void hasADriverEnginesGlobals();
    void bufferAsNodeHasIt();

private:
    struct Result
    {
        int exitCode = -1;
        QString out;
        QString err;
    };
    Result run(const QByteArray &script, const QStringList &extra = {});
    QTemporaryDir m_dir;
};

tst_ScriptRun::Result tst_ScriptRun::run(const QByteArray &script, const QStringList &extra)
{
    static int serial = 0;
    const QString path = m_dir.filePath(QStringLiteral("s%1.js").arg(++serial));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(script) != script.size())
        qFatal("cannot write %s", qPrintable(path));
    f.close();
    QProcess p;
    p.start(QStringLiteral(CONTROL_NUC_BINARY), QStringList{QStringLiteral("--run"), path} + extra);
    Result r;
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError()).replace(path, QStringLiteral("FILE"));
    return r;
}

void tst_ScriptRun::runs_data()
{
    QTest::addColumn<QByteArray>("script");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("out");
    QTest::addColumn<QString>("err");   // a part of stderr, empty: nothing expected

    QTest::newRow("modern syntax, timers, promises") << QByteArray(
        "const sleep = (ms) => new Promise((r) => setTimeout(r, ms));\n"
        "async function main() {\n"
        "    const o = { a: 1, ...{ b: 2 } };\n"
        "    console.log('start', o);\n"
        "    await sleep(30);\n"
        "    print('after sleep');\n"
        "    Promise.resolve(3).then((v) => console.error('then', v));\n"
        "}\n"
        "main();\n")
        << 0 << QStringLiteral("start {\"a\":1,\"b\":2}\nafter sleep\nthen 3\n") << QString();
    // Each await's continuation is a reaction the loop counts (prelude.js
    // hands them to host.js's guard): a chain of them is not cut short.
    QTest::newRow("a chain of awaits settles") << QByteArray(
        "async function f() {\n    await 1; await Promise.reject(0).catch(() => 2); await 3; await 4; await 5; await 6;\n    return 'end';\n}\n"
        "f().then((v) => print(v));\n")
        << 0 << QStringLiteral("end\n") << QString();
    QTest::newRow("a module, as node runs it") << QByteArray(
        "module.exports.x = 1;\nprint(typeof require('events') + ' ' + (this === module.exports) + ' ' + exports.x);\n")
        << 0 << QStringLiteral("function true 1\n") << QString();
    QTest::newRow("an interval until cleared") << QByteArray(
        "let n = 0;\nconst t = setInterval(() => { print(++n); if (n === 3) clearInterval(t); }, 5);\n")
        << 0 << QStringLiteral("1\n2\n3\n") << QString();
    QTest::newRow("uncaught at top level") << QByteArray("print('a');\nfunction f() { null.foo; }\nf();\n")
        << 1 << QStringLiteral("a\n") << QStringLiteral("FILE:2: uncaught TypeError: Cannot read property 'foo' of null");
    QTest::newRow("anything thrown is uncaught") << QByteArray("\n\nthrow 'text';\n")
        << 1 << QString() << QStringLiteral("FILE:3: uncaught 'text'");
    QTest::newRow("thrown in a timer") << QByteArray("setTimeout(() => {\n    throw new RangeError('late');\n}, 5);\n")
        << 1 << QString() << QStringLiteral("FILE:2: uncaught RangeError: late");
    QTest::newRow("syntax error, with its column") << QByteArray("let a = 1;\nvar x = ;\n")
        << 1 << QString() << QStringLiteral("FILE:2:9: error: syntax error: Unexpected token");
    QTest::newRow("refused construct, with its column") << QByteArray("const n = 1;\n  const b = 10n;\n")
        << 1 << QString() << QStringLiteral("FILE:2:13: error: not supported: BigInt literals");
    QTest::newRow("eval is refused, with its column") << QByteArray("const a = 1;\n  const b = eval('a');\n")
        << 1 << QString() << QStringLiteral("FILE:2:13: error: not supported: eval");
    QTest::newRow("indirect eval is refused") << QByteArray("const run = (0, eval);\n")
        << 1 << QString() << QStringLiteral("FILE:1:17: error: not supported: eval");
    QTest::newRow("the Function constructor is refused") << QByteArray("\nconst f = new Function('return 1');\n")
        << 1 << QString() << QStringLiteral("FILE:2:11: error: not supported: the Function constructor");
    QTest::newRow("code from strings throws at run time") << QByteArray(
        "print((function () {}).constructor === Function && (() => 1) instanceof Function);\n"
        "try { (function () {}).constructor('return 1'); } catch (e) { print(e.name); }\n"
        "try { globalThis['ev' + 'al']('1'); } catch (e) { print(e.name); }\n"
        "const o = { eval: 1 }; print(o.eval);\n")
        << 0 << QStringLiteral("true\nEvalError\nEvalError\n1\n") << QString();
    QTest::newRow("a loop is stopped at the timeout") << QByteArray("while (true) {}\n")
        << 1 << QString() << QStringLiteral("FILE: error: still running after 500 ms (stopped)");
    QTest::newRow("timers that never end are stopped too") << QByteArray("setInterval(() => {}, 10);\n")
        << 1 << QString() << QStringLiteral("FILE: error: still running after 500 ms (stopped)");
}

void tst_ScriptRun::runs()
{
    QFETCH(QByteArray, script);
    QFETCH(int, exitCode);
    QFETCH(QString, out);
    QFETCH(QString, err);
    QElapsedTimer clock;
    clock.start();
    const Result r = run(script, {QStringLiteral("--timeout-ms"), QStringLiteral("500")});
    QCOMPARE(r.out, out);
    if (!err.isEmpty())
        QVERIFY2(r.err.contains(err), qPrintable(r.err));
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY(clock.elapsed() < 10000);
}

void tst_ScriptRun::hasADriverEnginesGlobals()
{
    // What a driver engine has (require), nothing a driver engine lacks (process).
    const Result r = run("print(typeof process === 'undefined' ? 'no process' : 'process');\n"
                         "print(typeof __nucRequire === 'function' && typeof require === 'function');\n");
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QStringLiteral("no process\ntrue\n"));
}

void tst_ScriptRun::bufferAsNodeHasIt()
{
    // tests/js-run/buffer.js: key cases of the buffer package's own tests;
    // buffer.expected.txt is what `node buffer.js` prints.
    QFile script(QStringLiteral(NUC_SOURCE_DIR "/tests/js-run/buffer.js"));
    QFile expected(QStringLiteral(NUC_SOURCE_DIR "/tests/js-run/buffer.expected.txt"));
    QVERIFY(script.open(QIODevice::ReadOnly) && expected.open(QIODevice::ReadOnly));
    const Result r = run(script.readAll(), {QStringLiteral("--timeout-ms"), QStringLiteral("20000")});
    QCOMPARE(r.out, QString::fromUtf8(expected.readAll()));
    QVERIFY(r.out.endsWith(QStringLiteral("all passed\n")));
    QCOMPARE(r.exitCode, 0);
}

QTEST_GUILESS_MAIN(tst_ScriptRun)
#include "tst_scriptrun.moc"
