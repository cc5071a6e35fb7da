// The driver runtime: BaseDriver in its own QJSEngine and thread, with TCP,
// UDP and serial transports against real local peers, timers, the require
// rules, the watchdog and Promise deadlines, and teardown.
#include "runtime/driverinstance.h"
#include "runtime/sandboxvalidator.h"
#include "runtime/tcptransport.h"
#include "runtime/udptransport.h"
#include "runtime/watchdog.h"
#include "runtimetesthelpers.h"
#include "testpeers.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSerialPort>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <memory>

using RuntimeTest::spec;
using RuntimeTest::wait;

namespace {

QJsonObject tcpConfig(quint16 port)
{
    return QJsonObject{{QStringLiteral("host"), QStringLiteral("127.0.0.1")}, {QStringLiteral("port"), int(port)}};
}

// A driver whose commands exercise the transport API directly.
const QString transportDriver = QStringLiteral(R"JS(const BaseDriver = require('./base-driver');
class TransportProbe extends BaseDriver {
  connect() {
    const self = this;
    return this.openTransport().then(function (t) {
      if (self.config.encoding) t.setEncoding(self.config.encoding);
    });
  }
  sendCommand(command, params) {
    const t = this.transport;
    if (command === 'request') return t.request(params.data, { until: params.until, timeout: params.timeout });
    if (command === 'request_re') return t.request(params.data, { until: new RegExp(params.pattern), timeout: 1000 });
    if (command === 'binary') {
      const bytes = new Uint8Array(256);
      for (let i = 0; i < 256; ++i) bytes[i] = i;
      return new Promise(function (resolve, reject) {
        let got = [];
        function onData(chunk) {
          for (let i = 0; i < chunk.length; ++i) got.push(chunk[i]);
          if (got.length >= 256) { t.off('data', onData); resolve(got.join(',')); }
        }
        t.on('data', onData);
        t.write(bytes).catch(reject);
      });
    }
    if (command === 'text') {
      return new Promise(function (resolve) {
        let text = '';
        function onData(chunk) { text += chunk; if (text.length >= params.expect) { t.off('data', onData); resolve(text); } }
        t.on('data', onData);
        t.write(params.data);
      });
    }
    return super.sendCommand(command, params);
  }
}
module.exports = TransportProbe;
)JS");

// A driver that, asked to, points its own config elsewhere and opens a
// transport from it: what a hostile driver tries (DRIVER_API.md "Transports
// reach only their own device").
const QString reachingDriver = QStringLiteral(R"JS(const BaseDriver = require('./base-driver');
class Reacher extends BaseDriver {
  connect() { return Promise.resolve(); }
  sendCommand(command, params) {
    if (command !== 'reach') return super.sendCommand(command, params);
    const self = this;
    if (params.protocol) this.protocol = params.protocol;
    Object.keys(params.config).forEach(function (k) { self.config[k] = params.config[k]; });
    this.transport = null;
    return this.openTransport().then(function (t) { t.close(); return 'opened'; });
  }
}
module.exports = Reacher;
)JS");

const QString refusedText = QStringLiteral("Error: transport refused: %1 is not this device's endpoint");

} // namespace

class tst_DriverRuntime : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void declaredCommands_data();
    void declaredCommands();
    void tcpRequestWithStringTerminator();
    void tcpRequestWithRegExpTerminator();
    void requestTimesOut();
    void requestReassemblesSplitReplies();
    void binaryDataRoundTrip();
    void utf8SplitAcrossPackets();
    void hexEncoding();
    void commandMappings_data();
    void commandMappings();
    void udpTransport();
    void serialTransportAndReopen();
    void timersFireAndAreClearedAtTeardown();
    void requireRules_data();
    void requireRules();
    void consoleIsTaggedWithTheDevice();
    void stateAndStatusReachTheHost();
    void errorsKeepTheirStack();
    void watchdogStopsTopLevelLoop();
    void watchdogStopsLoopingCommandWhileOthersAnswer();
    void watchdogStopsLoopInPromiseCallback();
    void connectThatNeverSettlesTimesOut();
    void teardownClosesSocketsThePeerSees();
    void exampleDriversRunAgainstPeers();
    void exampleDriversPassValidation_data();
    void exampleDriversPassValidation();
    void validationRules_data();
    void validationRules();
    void scriptErrorTexts_data();
    void scriptErrorTexts();
    void transportSettings_data();
    void transportSettings();
    void transportsReachOnlyTheDevicesEndpoint_data();
    void transportsReachOnlyTheDevicesEndpoint();
    void serialDeviceReachesOnlyItsPath();
    void consoleCannotForgeLogLines();

private:
    std::unique_ptr<DriverInstance> start(const DriverSpec &s, bool connect = true);

    std::unique_ptr<Watchdog> m_watchdog;
    RuntimeSettings m_settings;
    LineServer m_line;
};

void tst_DriverRuntime::init()
{
    m_watchdog = std::make_unique<Watchdog>();
    m_settings = RuntimeSettings();
    // The budget is under test only in the watchdog cases (their expected
    // errors name its 500 ms). Elsewhere it is a safety net that wall time
    // on a loaded machine must not trip: opening a pty inside a driver's
    // call once took longer than 500 ms at a load of 12-30. Below wait()'s
    // 5 s, so that a call that hangs still fails with the watchdog's error.
    const bool budgetUnderTest = QByteArray(QTest::currentTestFunction()).startsWith("watchdog");
    m_settings.budgetMs = budgetUnderTest ? 500 : 4000;
    m_settings.connectTimeoutMs = 2000;
    m_settings.commandTimeoutMs = 2000;
    m_settings.teardownTimeoutMs = 1000;
    if (!m_line.server.isListening())
        QVERIFY(m_line.listen());
}

void tst_DriverRuntime::cleanup()
{
    m_watchdog.reset();
}

std::unique_ptr<DriverInstance> tst_DriverRuntime::start(const DriverSpec &s, bool connect)
{
    auto instance = std::make_unique<DriverInstance>(s, m_settings, m_watchdog.get());
    const CallResult loaded = wait([&](auto done) { instance->load(done); });
    if (!loaded.ok) {
        qWarning() << "load failed:" << loaded.error;
        return nullptr;
    }
    if (connect) {
        const CallResult connected = wait([&](auto done) { instance->connectDevice(done); });
        if (!connected.ok) {
            qWarning() << "connect failed:" << connected.error;
            return nullptr;
        }
    }
    return instance;
}

void tst_DriverRuntime::tcpRequestWithStringTerminator()
{
    auto d = start(spec(transportDriver, QStringLiteral("tcp"), tcpConfig(m_line.port())));
    QVERIFY(d);
    const CallResult r = wait([&](auto done) {
        d->sendCommand(QStringLiteral("request"),
                       {{QStringLiteral("data"), QStringLiteral("ECHO hello world\r")}, {QStringLiteral("until"), QStringLiteral("\r")}},
                       done);
    });
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.value.toString(), QStringLiteral("hello world"));
    QVERIFY(r.durationMs > 0);
}

void tst_DriverRuntime::tcpRequestWithRegExpTerminator()
{
    auto d = start(spec(transportDriver, QStringLiteral("tcp"), tcpConfig(m_line.port())));
    QVERIFY(d);
    const CallResult r = wait([&](auto done) {
        d->sendCommand(QStringLiteral("request_re"),
                       {{QStringLiteral("data"), QStringLiteral("ECHO value=42;rest\n")}, {QStringLiteral("pattern"), QStringLiteral("=\\d+")}},
                       done);
    });
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.value.toString(), QStringLiteral("value"));
}

void tst_DriverRuntime::requestTimesOut()
{
    auto d = start(spec(transportDriver, QStringLiteral("tcp"), tcpConfig(m_line.port())));
    QVERIFY(d);
    QElapsedTimer timer;
    timer.start();
    const CallResult r = wait([&](auto done) {
        d->sendCommand(QStringLiteral("request"),
                       {{QStringLiteral("data"), QStringLiteral("SILENT\r")}, {QStringLiteral("until"), QStringLiteral("\r")},
                        {QStringLiteral("timeout"), 200}},
                       done);
    });
    QVERIFY(!r.ok);
    QVERIFY2(r.error.contains(u"request timed out after 200 ms"), qPrintable(r.error));
    QVERIFY(timer.elapsed() >= 190);
    QVERIFY(!r.timedOut);   // the driver's own timeout, not a host deadline
    QVERIFY(!d->isFaulted());
    // The transport still works afterwards.
    const CallResult next = wait([&](auto done) {
        d->sendCommand(QStringLiteral("request"), {{QStringLiteral("data"), QStringLiteral("PING\r")}, {QStringLiteral("until"), QStringLiteral("\r")}}, done);
    });
    QCOMPARE(next.value.toString(), QStringLiteral("PONG"));
}

void tst_DriverRuntime::requestReassemblesSplitReplies()
{
    auto d = start(spec(transportDriver, QStringLiteral("tcp"), tcpConfig(m_line.port())));
    QVERIFY(d);
    const CallResult r = wait([&](auto done) {
        d->sendCommand(QStringLiteral("request"), {{QStringLiteral("data"), QStringLiteral("SPLIT\r")}, {QStringLiteral("until"), QStringLiteral("\r")}}, done);
    });
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.value.toString(), QStringLiteral("ABCD"));
}

void tst_DriverRuntime::binaryDataRoundTrip()
{
    EchoServer echo;
    QVERIFY(echo.listen());
    auto d = start(spec(transportDriver, QStringLiteral("tcp"), tcpConfig(echo.port())));
    QVERIFY(d);
    const CallResult r = wait([&](auto done) { d->sendCommand(QStringLiteral("binary"), {}, done); });
    QVERIFY2(r.ok, qPrintable(r.error));
    QStringList expected;
    for (int i = 0; i < 256; ++i)
        expected << QString::number(i);
    QCOMPARE(r.value.toString(), expected.join(QLatin1Char(',')));
}

void tst_DriverRuntime::utf8SplitAcrossPackets()
{
    EchoServer echo;
    QVERIFY(echo.listen());
    QJsonObject config = tcpConfig(echo.port());
    config.insert(QStringLiteral("encoding"), QStringLiteral("utf8"));
    auto d = start(spec(transportDriver, QStringLiteral("tcp"), config));
    QVERIFY(d);
    const QString text = QStringLiteral("Grüße ✓ 日本");
    const CallResult r = wait([&](auto done) {
        d->sendCommand(QStringLiteral("text"), {{QStringLiteral("data"), text}, {QStringLiteral("expect"), text.size()}}, done);
    });
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.value.toString(), text);
}

void tst_DriverRuntime::hexEncoding()
{
    EchoServer echo;
    QVERIFY(echo.listen());
    QJsonObject config = tcpConfig(echo.port());
    config.insert(QStringLiteral("encoding"), QStringLiteral("hex"));
    auto d = start(spec(transportDriver, QStringLiteral("tcp"), config));
    QVERIFY(d);
    // Written as hex text, decoded to bytes on the wire, echoed, read back as hex.
    const CallResult r = wait([&](auto done) {
        d->sendCommand(QStringLiteral("text"), {{QStringLiteral("data"), QStringLiteral("aa0102ff")}, {QStringLiteral("expect"), 8}}, done);
    });
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.value.toString(), QStringLiteral("aa0102ff"));
}

void tst_DriverRuntime::commandMappings_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("expected");   // value, or part of the error

    QTest::newRow("ascii") << QStringLiteral("power_on") << QJsonObject() << true << QStringLiteral("OK");
    QTest::newRow("ascii query") << QStringLiteral("power_query") << QJsonObject() << true << QStringLiteral("PWR=");
    QTest::newRow("placeholder") << QStringLiteral("echo") << QJsonObject{{QStringLiteral("text"), QStringLiteral("abc 42")}} << true << QStringLiteral("abc 42");
    QTest::newRow("missing parameter") << QStringLiteral("echo") << QJsonObject() << false << QStringLiteral("missing parameter text");
    QTest::newRow("hex payload") << QStringLiteral("hex_ping") << QJsonObject() << true << QStringLiteral("PONG");
    QTest::newRow("expect met") << QStringLiteral("input") << QJsonObject{{QStringLiteral("n"), 3}} << true << QStringLiteral("OK");
    QTest::newRow("expect missed") << QStringLiteral("bad_expect") << QJsonObject() << false << QStringLiteral("unexpected reply to bad_expect");
    QTest::newRow("write only") << QStringLiteral("fire_and_forget") << QJsonObject() << true << QString();
    QTest::newRow("bad hex") << QStringLiteral("broken_hex") << QJsonObject() << false << QStringLiteral("not valid hex");
    QTest::newRow("unknown command") << QStringLiteral("self_destruct") << QJsonObject() << false << QStringLiteral("unknown command: self_destruct");
}

void tst_DriverRuntime::commandMappings()
{
    QFETCH(QString, command);
    QFETCH(QJsonObject, params);
    QFETCH(bool, ok);
    QFETCH(QString, expected);

    auto mapping = [](const char *cmd, const char *payload, const char *encoding, const char *expect = nullptr) {
        QJsonObject m{{QStringLiteral("command"), QLatin1String(cmd)}, {QStringLiteral("payload"), QLatin1String(payload)},
                      {QStringLiteral("encoding"), QLatin1String(encoding)}};
        if (expect)
            m.insert(QStringLiteral("expect"), QLatin1String(expect));
        return m;
    };
    QJsonObject hexPing = mapping("hex_ping", "50 49 4E 47 0D", "hex");
    hexPing.insert(QStringLiteral("until"), QStringLiteral("\r"));
    const QJsonArray mappings{
        mapping("power_on", "PWR ON\r", "ascii"),
        mapping("power_query", "PWR?\r", "ascii"),
        mapping("echo", "ECHO {text}\r", "ascii"),
        hexPing,
        mapping("input", "INPUT {n}\r", "ascii", "OK"),
        mapping("bad_expect", "PING\r", "ascii", "READY"),
        mapping("fire_and_forget", "NOREPLY", "ascii"),
        mapping("broken_hex", "ZZ", "hex"),
    };
    const QString code = QStringLiteral("const B = require('./base-driver');\nclass M extends B {}\nmodule.exports = M;\n");
    auto d = start(spec(code, QStringLiteral("tcp"), tcpConfig(m_line.port()), mappings));
    QVERIFY(d);
    const CallResult r = wait([&](auto done) { d->sendCommand(command, params, done); });
    QCOMPARE(r.ok, ok);
    if (ok)
        QVERIFY2(r.value.toString().startsWith(expected), qPrintable(r.value.toString()));
    else
        QVERIFY2(r.error.contains(expected), qPrintable(r.error));
    if (command == u"fire_and_forget") {
        QVERIFY(r.value.isNull());
        QVERIFY(QTest::qWaitFor([&] { return m_line.buffers.values().join().contains("NOREPLY"); }, 2000));
    }
}

void tst_DriverRuntime::udpTransport()
{
    UdpResponder peer;
    QVERIFY(peer.bind());
    QFile f(QStringLiteral(NUC_SOURCE_DIR "/resources/examples/udp-lighting.js"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QJsonObject config = tcpConfig(peer.port());
    auto d = start(spec(QString::fromUtf8(f.readAll()), QStringLiteral("udp"), config));
    QVERIFY(d);
    QCOMPARE(peer.received.value(0), QByteArray("PING\n"));
    QSignalSpy state(d.get(), &DriverInstance::stateChanged);
    const CallResult r = wait([&](auto done) {
        d->sendCommand(QStringLiteral("set_level"), {{QStringLiteral("zone"), 3}, {QStringLiteral("level"), 75}}, done);
    });
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.value.toObject().value(QStringLiteral("level")).toInt(), 75);
    QCOMPARE(peer.received.last(), QByteArray("LEVEL 3 75\n"));
    QVERIFY(state.size() >= 1);
    QCOMPARE(state.last().at(0).toJsonObject().value(QStringLiteral("zone3")).toInt(), 75);
}

void tst_DriverRuntime::serialTransportAndReopen()
{
    PtyPair pty;
    QVERIFY(pty.isValid());
    // The "display": answers each 4-byte frame with command | 0x80.
    pty.onBytes = [&pty](const QByteArray &) {
        while (pty.received.size() >= 4) {
            QByteArray frame = pty.received.left(4);
            pty.received.remove(0, 4);
            frame[1] = char(quint8(frame[1]) | 0x80);
            frame[3] = char((quint8(frame[0]) + quint8(frame[1]) + quint8(frame[2])) & 0xFF);
            pty.write(frame);
        }
    };
    QFile f(QStringLiteral(NUC_SOURCE_DIR "/resources/examples/serial-display.js"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject config{{QStringLiteral("path"), pty.slavePath}, {QStringLiteral("baudRate"), 19200},
                             {QStringLiteral("parity"), QStringLiteral("none")}, {QStringLiteral("stopBits"), 1}};
    auto d = start(spec(QString::fromUtf8(f.readAll()), QStringLiteral("serial"), config));
    QVERIFY(d);
    const CallResult r = wait([&](auto done) {
        d->sendCommand(QStringLiteral("brightness"), {{QStringLiteral("value"), 200}}, done);
    });
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.value.toObject().value(QStringLiteral("value")).toInt(), 200);

    // While the driver holds the port, nobody else can open it.
    QSerialPort other(pty.slavePath);
    QVERIFY(!other.open(QIODevice::ReadWrite));

    QSignalSpy stopped(d.get(), &DriverInstance::stopped);
    d->stop();
    QVERIFY(stopped.wait(2000));
    // Torn down: the port can be opened again at once.
    QSerialPort again(pty.slavePath);
    QVERIFY2(again.open(QIODevice::ReadWrite), qPrintable(again.errorString()));
}

void tst_DriverRuntime::timersFireAndAreClearedAtTeardown()
{
    const QString code = QStringLiteral(R"JS(const B = require('./base-driver');
class T extends B {
  connect() {
    const self = this;
    let ticks = 0;
    setTimeout(function (word) { self.setState({ once: word }); }, 20, 'fired');
    const cancelled = setTimeout(function () { self.setState({ cancelled: true }); }, 30);
    clearTimeout(cancelled);
    self.interval = setInterval(function () { ticks += 1; self.setState({ ticks: ticks }); }, 25);
    return Promise.resolve();
  }
}
module.exports = T;
)JS");
    auto d = start(spec(code, QStringLiteral("tcp"), tcpConfig(m_line.port())));
    QVERIFY(d);
    QJsonObject last;
    connect(d.get(), &DriverInstance::stateChanged, this, [&](const QJsonObject &s) { last = s; });
    QVERIFY(QTest::qWaitFor([&] { return last.value(QStringLiteral("ticks")).toInt() >= 3; }, 3000));
    QCOMPARE(last.value(QStringLiteral("once")).toString(), QStringLiteral("fired"));
    QVERIFY(!last.contains(QStringLiteral("cancelled")));

    QSignalSpy stopped(d.get(), &DriverInstance::stopped);
    QSignalSpy states(d.get(), &DriverInstance::stateChanged);
    d->stop();
    QVERIFY(stopped.wait(2000));
    const int after = int(states.size());
    QTest::qWait(150);   // several interval periods
    QCOMPARE(int(states.size()), after);
}

void tst_DriverRuntime::requireRules_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<bool>("loads");
    QTest::addColumn<QString>("error");

    QTest::newRow("base-driver and events") << QStringLiteral(
        "const B = require('./base-driver');\nconst EventEmitter = require('events');\n"
        "if (typeof EventEmitter !== 'function' || !(B.prototype instanceof EventEmitter)) throw new Error('bad');\n"
        "class X extends B {}\nmodule.exports = X;\n") << true << QString();
    QTest::newRow("fs") << QStringLiteral("const fs = require('fs');\nmodule.exports = class {};\n") << false << QStringLiteral("module not available: fs");
    QTest::newRow("child_process") << QStringLiteral("require('child_process');\n") << false << QStringLiteral("module not available: child_process");
    QTest::newRow("relative path") << QStringLiteral("require('../base-driver');\n") << false << QStringLiteral("module not available: ../base-driver");
    QTest::newRow("same instance twice") << QStringLiteral(
        "if (require('events') !== require('events')) throw new Error('not cached');\n"
        "const B = require('./base-driver'); class X extends B {} module.exports = X;\n") << true << QString();
}

void tst_DriverRuntime::declaredCommands_data()
{
    QTest::addColumn<QString>("declaration");
    QTest::addColumn<QString>("commands");   // the names, comma-separated
    QTest::addColumn<QString>("problem");
    QTest::newRow("none") << QString() << QString() << QString();
    QTest::newRow("assigned")
        << QStringLiteral("X.commands = { volume: { description: 'Set', params: { level: { type: 'integer', min: 0, max: 100 } } },"
                          " status: {} };")
        << QStringLiteral("status,volume") << QString();
    QTest::newRow("static getter")
        << QStringLiteral("Object.defineProperty(X, 'commands', { get() { return { ping: {} }; } });")
        << QStringLiteral("ping") << QString();
    QTest::newRow("getter throws")
        << QStringLiteral("Object.defineProperty(X, 'commands', { get() { throw new Error('no'); } });")
        << QString() << QStringLiteral("commands: reading it threw Error: no");
    QTest::newRow("not an object") << QStringLiteral("X.commands = ['power'];") << QString()
                                   << QStringLiteral("commands: must be an object of command name → description");
    QTest::newRow("bad type")
        << QStringLiteral("X.commands = { volume: { params: { level: { type: 'float' } } } };") << QString()
        << QStringLiteral("commands.volume.params.level.type: must be one of string, number, integer, boolean, object, array");
    QTest::newRow("unknown key") << QStringLiteral("X.commands = { volume: { args: {} } };") << QString()
                                 << QStringLiteral("commands.volume.args: unknown key (description and params are known)");
    QTest::newRow("default of the wrong type")
        << QStringLiteral("X.commands = { input: { params: { n: { type: 'integer', default: 'one' } } } };") << QString()
        << QStringLiteral("commands.input.params.n.default: must be of type integer");
    QTest::newRow("min above max")
        << QStringLiteral("X.commands = { v: { params: { n: { type: 'number', min: 5, max: 1 } } } };") << QString()
        << QStringLiteral("commands.v.params.n.min: greater than max");
}

void tst_DriverRuntime::declaredCommands()
{
    // Read by the host when the driver loads and handed back with the load's
    // answer; a malformed declaration is refused whole, the driver still loads.
    QFETCH(QString, declaration);
    QFETCH(QString, commands);
    QFETCH(QString, problem);
    const QString code = QStringLiteral("const B = require('./base-driver'); class X extends B {}\n") + declaration
        + QStringLiteral("\nmodule.exports = X;\n");
    DriverInstance d(spec(code, QStringLiteral("tcp"), tcpConfig(m_line.port())), m_settings, m_watchdog.get());
    const CallResult r = wait([&](auto done) { d.load(done); });
    QVERIFY2(r.ok, qPrintable(r.error));
    QStringList names;
    for (const QJsonValue &c : r.value[QStringLiteral("commands")].toArray())
        names << c[QStringLiteral("name")].toString();
    QCOMPARE(names.join(u','), commands);
    QCOMPARE(r.value[QStringLiteral("commandsProblem")].toString(), problem);
}

void tst_DriverRuntime::requireRules()
{
    QFETCH(QString, code);
    QFETCH(bool, loads);
    QFETCH(QString, error);
    DriverInstance d(spec(code, QStringLiteral("tcp"), tcpConfig(m_line.port())), m_settings, m_watchdog.get());
    const CallResult r = wait([&](auto done) { d.load(done); });
    QCOMPARE(r.ok, loads);
    if (!loads)
        QVERIFY2(r.error.contains(error), qPrintable(r.error));
}

namespace {
QStringList capturedLines;
QtMessageHandler previousHandler = nullptr;
void capture(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (context.category && QByteArray(context.category).startsWith("nuc.driver."))
        capturedLines << QStringLiteral("%1|%2|%3").arg(QLatin1String(context.category)).arg(int(type)).arg(message);
    previousHandler(type, context, message);
}
} // namespace

void tst_DriverRuntime::consoleIsTaggedWithTheDevice()
{
    const QString code = QStringLiteral(R"JS(const B = require('./base-driver');
class L extends B {
  connect() {
    console.log('hello', { a: 1 });
    console.warn('careful');
    console.error(new Error('bad thing'));
    return Promise.resolve();
  }
}
module.exports = L;
)JS");
    capturedLines.clear();
    previousHandler = qInstallMessageHandler(capture);
    auto d = start(spec(code, QStringLiteral("tcp"), tcpConfig(m_line.port()), {}, QStringLiteral("proj-7")));
    qInstallMessageHandler(previousHandler);
    QVERIFY(d);
    const QString all = capturedLines.join(QLatin1Char('\n'));
    QVERIFY2(all.contains(QStringLiteral("nuc.driver.test_driver|%1|[proj-7] hello {\"a\":1}").arg(int(QtInfoMsg))), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("|%1|[proj-7] careful").arg(int(QtWarningMsg))), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("|%1|[proj-7] Error: bad thing").arg(int(QtCriticalMsg))), qPrintable(all));
}

void tst_DriverRuntime::stateAndStatusReachTheHost()
{
    const QString code = QStringLiteral(R"JS(const B = require('./base-driver');
class S extends B {
  connect() {
    this.setState({ power: 'on' });
    this.setState({ input: 2 });
    this.setStatus('connected', 'warmed up');
    return Promise.resolve();
  }
}
module.exports = S;
)JS");
    auto instance = std::make_unique<DriverInstance>(spec(code, QStringLiteral("tcp"), tcpConfig(m_line.port())),
                                                     m_settings, m_watchdog.get());
    QSignalSpy state(instance.get(), &DriverInstance::stateChanged);
    QSignalSpy status(instance.get(), &DriverInstance::statusReported);
    QVERIFY(wait([&](auto done) { instance->load(done); }).ok);
    QVERIFY(wait([&](auto done) { instance->connectDevice(done); }).ok);
    QVERIFY(QTest::qWaitFor([&] { return state.size() == 2 && status.size() == 1; }, 2000));
    QCOMPARE(state.at(1).at(0).toJsonObject(),
             (QJsonObject{{QStringLiteral("power"), QStringLiteral("on")}, {QStringLiteral("input"), 2}}));
    QCOMPARE(status.at(0).at(0).toString(), QStringLiteral("connected"));
    QCOMPARE(status.at(0).at(1).toString(), QStringLiteral("warmed up"));
}

void tst_DriverRuntime::errorsKeepTheirStack()
{
    const QString code = QStringLiteral("const B = require('./base-driver');\n"
                                        "class E extends B {\n"
                                        "  sendCommand(c) {\n"
                                        "    if (c === 'throw') throw new Error('thrown on line 4');\n"
                                        "    return Promise.reject(new RangeError('rejected'));\n"
                                        "  }\n"
                                        "}\n"
                                        "module.exports = E;\n");
    auto d = start(spec(code, QStringLiteral("tcp"), tcpConfig(m_line.port())));
    QVERIFY(d);
    const CallResult thrown = wait([&](auto done) { d->sendCommand(QStringLiteral("throw"), {}, done); });
    QVERIFY(!thrown.ok);
    QCOMPARE(thrown.error, QStringLiteral("Error: thrown on line 4"));
    QVERIFY2(thrown.stack.contains(u"test_driver.js:4"), qPrintable(thrown.stack));
    const CallResult rejected = wait([&](auto done) { d->sendCommand(QStringLiteral("reject"), {}, done); });
    QCOMPARE(rejected.error, QStringLiteral("RangeError: rejected"));
    QVERIFY2(rejected.stack.contains(u"test_driver.js:5"), qPrintable(rejected.stack));
    QVERIFY(!d->isFaulted());   // a driver error is an answer, not a fault
}

void tst_DriverRuntime::watchdogStopsTopLevelLoop()
{
    DriverInstance d(spec(QStringLiteral("require('./base-driver');\nfor (;;) {}\n"), QStringLiteral("tcp"),
                          tcpConfig(m_line.port())),
                     m_settings, m_watchdog.get());
    // How long past the budget the loop runs is measured by bench_driverruntime.
    const CallResult r = wait([&](auto done) { d.load(done); });
    QVERIFY(!r.ok);
    QVERIFY(r.timedOut);
    QVERIFY2(r.error.contains(u"evaluating the driver module ran past the 500 ms budget"), qPrintable(r.error));
}

void tst_DriverRuntime::watchdogStopsLoopingCommandWhileOthersAnswer()
{
    const QString code = QStringLiteral(R"JS(const B = require('./base-driver');
class W extends B {
  sendCommand(c, p) {
    if (c === 'loop') { while (true) {} }
    return this.transport.request('PING\r', { until: '\r' });
  }
}
module.exports = W;
)JS");
    auto looping = start(spec(code, QStringLiteral("tcp"), tcpConfig(m_line.port()), {}, QStringLiteral("looper")));
    auto healthy = start(spec(code, QStringLiteral("tcp"), tcpConfig(m_line.port()), {}, QStringLiteral("healthy")));
    QVERIFY(looping && healthy);
    QSignalSpy faulted(looping.get(), &DriverInstance::faulted);

    std::optional<CallResult> loopResult;
    QElapsedTimer timer;
    timer.start();
    looping->sendCommand(QStringLiteral("loop"), {}, [&](const CallResult &r) { loopResult = r; });
    // While the first instance spins, the second answers command after command.
    int answered = 0;
    while (!loopResult && timer.elapsed() < 5000) {
        const CallResult r = wait([&](auto done) { healthy->sendCommand(QStringLiteral("ping"), {}, done); });
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.value.toString(), QStringLiteral("PONG"));
        if (!loopResult)
            ++answered;
    }
    QVERIFY(loopResult.has_value());
    QVERIFY2(answered >= 10, qPrintable(QString::number(answered)));
    QVERIFY(!loopResult->ok);
    QVERIFY(loopResult->timedOut);
    QVERIFY2(loopResult->error.contains(u"sendCommand('loop') ran past the 500 ms budget"), qPrintable(loopResult->error));
    QCOMPARE(faulted.size(), 1);
    QVERIFY(looping->isFaulted());
    // The stopped instance refuses further calls clearly; the other is untouched.
    const CallResult after = wait([&](auto done) { looping->sendCommand(QStringLiteral("ping"), {}, done); });
    QVERIFY(after.error.startsWith(u"driver instance stopped after an error: watchdog"));
    QVERIFY(!healthy->isFaulted());
}

void tst_DriverRuntime::watchdogStopsLoopInPromiseCallback()
{
    const QString code = QStringLiteral(R"JS(const B = require('./base-driver');
class P extends B {
  sendCommand() {
    return Promise.resolve().then(function () { for (;;) {} });
  }
}
module.exports = P;
)JS");
    auto d = start(spec(code, QStringLiteral("tcp"), tcpConfig(m_line.port())));
    QVERIFY(d);
    QSignalSpy faulted(d.get(), &DriverInstance::faulted);
    const CallResult r = wait([&](auto done) { d->sendCommand(QStringLiteral("x"), {}, done); }, 5000);
    QVERIFY(!r.ok);
    QVERIFY(r.timedOut);
    QVERIFY2(r.error.contains(u"ran past the 500 ms budget"), qPrintable(r.error));
    QCOMPARE(faulted.size(), 1);
}

void tst_DriverRuntime::connectThatNeverSettlesTimesOut()
{
    m_settings.connectTimeoutMs = 300;
    const QString code = QStringLiteral("const B = require('./base-driver');\n"
                                        "class N extends B { connect() { return new Promise(function () {}); } }\n"
                                        "module.exports = N;\n");
    auto d = start(spec(code, QStringLiteral("tcp"), tcpConfig(m_line.port())), false);
    QVERIFY(d);
    QElapsedTimer timer;
    timer.start();
    const CallResult r = wait([&](auto done) { d->connectDevice(done); });
    QVERIFY(!r.ok);
    QVERIFY(r.timedOut);
    QCOMPARE(r.error, QStringLiteral("connect() did not settle within 300 ms"));
    QVERIFY(timer.elapsed() >= 290);
    QVERIFY(d->isFaulted());
}

void tst_DriverRuntime::teardownClosesSocketsThePeerSees()
{
    const int before = m_line.disconnects;
    const int acceptedBefore = m_line.accepted;
    auto d = start(spec(transportDriver, QStringLiteral("tcp"), tcpConfig(m_line.port())));
    QVERIFY(d);
    QVERIFY(QTest::qWaitFor([&] { return m_line.accepted > acceptedBefore; }, 2000));
    QSignalSpy stopped(d.get(), &DriverInstance::stopped);
    // The orderly teardown, not the deadline's interrupt (which warns first);
    // its duration is a figure of bench_driverruntime.
    QTest::failOnWarning(QRegularExpression(QStringLiteral("did not stop in time")));
    d->stop();
    QVERIFY(stopped.wait(2000));
    QVERIFY(QTest::qWaitFor([&] { return m_line.disconnects > before; }, 2000));
    // Calls after stop are answered, not lost.
    const CallResult r = wait([&](auto done) { d->sendCommand(QStringLiteral("request"), {}, done); });
    QCOMPARE(r.error, QStringLiteral("driver instance is stopped"));
}

void tst_DriverRuntime::exampleDriversRunAgainstPeers()
{
    QFile f(QStringLiteral(NUC_SOURCE_DIR "/resources/examples/tcp-projector.js"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    auto d = start(spec(QString::fromUtf8(f.readAll()), QStringLiteral("tcp"), tcpConfig(m_line.port())));
    QVERIFY(d);
    QSignalSpy state(d.get(), &DriverInstance::stateChanged);
    const CallResult on = wait([&](auto done) { d->sendCommand(QStringLiteral("power_on"), {}, done); });
    QVERIFY2(on.ok, qPrintable(on.error));
    QCOMPARE(on.value.toObject().value(QStringLiteral("power")).toString(), QStringLiteral("on"));
    const CallResult status = wait([&](auto done) { d->sendCommand(QStringLiteral("status"), {}, done); });
    QCOMPARE(status.value.toObject().value(QStringLiteral("power")).toString(), QStringLiteral("on"));
    QVERIFY(m_line.power);
    QVERIFY(state.size() >= 2);
}

void tst_DriverRuntime::exampleDriversPassValidation_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("protocol");
    QTest::newRow("tcp") << QStringLiteral("tcp-projector.js") << QStringLiteral("tcp");
    QTest::newRow("udp") << QStringLiteral("udp-lighting.js") << QStringLiteral("udp");
    QTest::newRow("serial") << QStringLiteral("serial-display.js") << QStringLiteral("serial");
}

void tst_DriverRuntime::exampleDriversPassValidation()
{
    QFETCH(QString, file);
    QFETCH(QString, protocol);
    QFile f(QStringLiteral(NUC_SOURCE_DIR "/resources/examples/") + file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    SandboxValidator validator(m_watchdog.get(), 2000);
    const ScriptError e = validator.validate({QString::fromUtf8(f.readAll()), QStringLiteral("example"), protocol, file});
    QVERIFY2(e.isNull(), qPrintable(e.rule + QStringLiteral(": ") + e.message));
}

void tst_DriverRuntime::validationRules_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("rule");   // empty: accepted
    QTest::addColumn<int>("line");

    QTest::newRow("console and timers at top level are fine")
        << QStringLiteral("const B = require('./base-driver');\nconsole.log('loading');\nsetTimeout(function () {}, 10);\n"
                          "class X extends B {}\nmodule.exports = X;\n") << QString() << 0;
    QTest::newRow("inherited methods count")
        << QStringLiteral("const B = require('./base-driver');\nclass X extends B {}\nmodule.exports = X;\n") << QString() << 0;
    QTest::newRow("syntax error names its line")
        << QStringLiteral("const B = require('./base-driver');\n\n\nclass X extends B {\n  connect() { return ; ) }\n}\n")
        << QStringLiteral("syntax") << 5;
    QTest::newRow("throw names its line")
        << QStringLiteral("const B = require('./base-driver');\nnull.x;\n") << QStringLiteral("evaluation") << 2;
    QTest::newRow("not a class") << QStringLiteral("module.exports = 42;\n") << QStringLiteral("export") << 0;
    QTest::newRow("plain class") << QStringLiteral("module.exports = class { connect(){} disconnect(){} sendCommand(){} };\n")
                                 << QStringLiteral("base class") << 0;
    QTest::newRow("sendCommand replaced by a value")
        << QStringLiteral("const B = require('./base-driver');\nclass X extends B {}\nX.prototype.sendCommand = null;\nmodule.exports = X;\n")
        << QStringLiteral("methods") << 0;
    QTest::newRow("unknown module") << QStringLiteral("require('net');\n") << QStringLiteral("evaluation") << 1;
    QTest::newRow("infinite loop") << QStringLiteral("while (true) {}\n") << QStringLiteral("watchdog") << 0;
}

void tst_DriverRuntime::validationRules()
{
    QFETCH(QString, code);
    QFETCH(QString, rule);
    QFETCH(int, line);
    SandboxValidator validator(m_watchdog.get(), 300);
    const ScriptError e = validator.validate({code, QStringLiteral("t"), QStringLiteral("tcp"), QStringLiteral("t.js")});
    QCOMPARE(e.rule, rule);
    if (line > 0)
        QCOMPARE(e.line, line);
}

void tst_DriverRuntime::scriptErrorTexts_data()
{
    // What the cloud (driver_sync_error) and --check-driver show: pinned
    // here, since authors and the cloud's tooling read them.
    QTest::addColumn<QString>("rule");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("sentence");   // describe()
    QTest::addColumn<QString>("report");     // describe("d.js")

    QTest::newRow("transformer syntax") << QStringLiteral("syntax") << 4 << 7
        << QStringLiteral("syntax error at line 4:7: M") << QStringLiteral("d.js:4:7: error: syntax error: M");
    QTest::newRow("engine syntax") << QStringLiteral("syntax") << 5 << 0
        << QStringLiteral("syntax error at line 5: M") << QStringLiteral("d.js:5: error: syntax error: M");
    QTest::newRow("unsupported") << QStringLiteral("unsupported") << 3 << 11
        << QStringLiteral("not supported: M (line 3:11)") << QStringLiteral("d.js:3:11: error: not supported: M");
    QTest::newRow("evaluation with line") << QStringLiteral("evaluation") << 2 << 0
        << QStringLiteral("evaluating the module threw at line 2: M") << QStringLiteral("d.js:2: error: evaluation: M");
    QTest::newRow("evaluation without line") << QStringLiteral("evaluation") << 0 << 0
        << QStringLiteral("evaluating the module threw: M") << QStringLiteral("d.js: error: evaluation: M");
    QTest::newRow("watchdog") << QStringLiteral("watchdog") << 0 << 0
        << QStringLiteral("watchdog: M") << QStringLiteral("d.js: error: watchdog: M");
    QTest::newRow("a rule of DRIVER_API.md") << QStringLiteral("base class") << 0 << 0
        << QStringLiteral("base class: M") << QStringLiteral("d.js: error: base class: M");
}

void tst_DriverRuntime::scriptErrorTexts()
{
    QFETCH(QString, rule);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, sentence);
    QFETCH(QString, report);
    ScriptError e;
    e.rule = rule;
    e.message = QStringLiteral("M");
    e.line = line;
    e.column = column;
    QCOMPARE(e.describe(), sentence);
    QCOMPARE(e.describe(QStringLiteral("d.js")), report);
}

void tst_DriverRuntime::transportSettings_data()
{
    QTest::addColumn<QString>("protocol");
    QTest::addColumn<QVariantMap>("config");
    QTest::addColumn<QString>("error");      // empty: made
    QTest::addColumn<QString>("settings");   // tcp/udp: what was read

    const QVariantMap peer{{QStringLiteral("host"), QStringLiteral("10.0.0.5")}, {QStringLiteral("port"), 4352}};
    auto with = [peer](const char *key, const QVariant &value) {
        QVariantMap c = peer;
        c.insert(QLatin1String(key), value);
        return c;
    };
    QTest::newRow("tcp defaults") << QStringLiteral("tcp") << peer << QString() << QStringLiteral("10.0.0.5:4352 5000");
    QTest::newRow("tcp connectTimeout") << QStringLiteral("tcp") << with("connectTimeout", 250) << QString()
                                        << QStringLiteral("10.0.0.5:4352 250");
    QTest::newRow("tcp connectTimeout 0 keeps the default") << QStringLiteral("tcp") << with("connectTimeout", 0)
                                                            << QString() << QStringLiteral("10.0.0.5:4352 5000");
    QTest::newRow("tcp port as text") << QStringLiteral("tcp") << with("port", QStringLiteral("23")) << QString()
                                      << QStringLiteral("10.0.0.5:23 5000");
    QTest::newRow("tcp without host") << QStringLiteral("tcp") << QVariantMap{{QStringLiteral("port"), 23}}
                                      << QStringLiteral("tcp transport needs config.host") << QString();
    QTest::newRow("tcp port 0") << QStringLiteral("tcp") << with("port", 0)
                                << QStringLiteral("tcp transport needs config.port from 1 to 65535") << QString();
    QTest::newRow("udp port too large") << QStringLiteral("udp") << with("port", 65536)
                                        << QStringLiteral("udp transport needs config.port from 1 to 65535") << QString();
    QTest::newRow("udp port not a number") << QStringLiteral("udp") << with("port", QStringLiteral("x"))
                                           << QStringLiteral("udp transport needs config.port from 1 to 65535") << QString();
    QTest::newRow("udp defaults") << QStringLiteral("udp") << peer << QString() << QStringLiteral("10.0.0.5:4352 0");
    QTest::newRow("udp localPort") << QStringLiteral("udp") << with("localPort", 6454) << QString()
                                   << QStringLiteral("10.0.0.5:4352 6454");
    QTest::newRow("udp localPort clamped") << QStringLiteral("udp") << with("localPort", 70000) << QString()
                                           << QStringLiteral("10.0.0.5:4352 65535");
    QTest::newRow("serial without path") << QStringLiteral("serial") << QVariantMap{{QStringLiteral("baudRate"), 9600}}
                                         << QStringLiteral("serial transport needs config.path (or config.port)") << QString();
    QTest::newRow("serial") << QStringLiteral("serial") << QVariantMap{{QStringLiteral("path"), QStringLiteral("/dev/null")}}
                            << QString() << QString();
    QTest::newRow("unknown protocol") << QStringLiteral("http") << peer
                                      << QStringLiteral("unknown protocol 'http' (tcp, udp or serial)") << QString();
}

void tst_DriverRuntime::transportSettings()
{
    QFETCH(QString, protocol);
    QFETCH(QVariantMap, config);
    QFETCH(QString, error);
    QFETCH(QString, settings);

    QObject owner;
    QString refused;
    const DeviceEndpoint own{QStringLiteral("10.0.0.5"), QStringLiteral("/dev/null")};
    const NativeTransport *made = NativeTransport::create(protocol, config, own, nullptr, &owner, &refused);
    QCOMPARE(refused, error);
    QCOMPARE(made != nullptr, error.isEmpty());
    if (made)
        QCOMPARE(made->parent(), &owner);

    QString read;
    if (protocol == u"tcp") {
        TcpSettings s;
        if (TcpSettings::fromConfig(config, &s).isEmpty())
            read = QStringLiteral("%1:%2 %3").arg(s.endpoint.host).arg(s.endpoint.port).arg(s.connectTimeoutMs);
    } else if (protocol == u"udp") {
        UdpSettings s;
        if (UdpSettings::fromConfig(config, &s).isEmpty())
            read = QStringLiteral("%1:%2 %3").arg(s.endpoint.host).arg(s.endpoint.port).arg(s.localPort);
    }
    QCOMPARE(read, settings);
}

void tst_DriverRuntime::transportsReachOnlyTheDevicesEndpoint_data()
{
    QTest::addColumn<QString>("protocol");   // what the driver sets this.protocol to; empty: its own (tcp)
    QTest::addColumn<QJsonObject>("change"); // what it writes into this.config
    QTest::addColumn<QString>("refusedAs");  // empty: opened

    // "port" is filled in by the test: 0 = the device's own line server,
    // 1 = a second server on the device's host, 2 = the server on 127.0.0.2.
    QTest::newRow("own host, own port") << QString() << QJsonObject{{QStringLiteral("port"), 0}} << QString();
    QTest::newRow("own host, another port") << QString() << QJsonObject{{QStringLiteral("port"), 1}} << QString();
    QTest::newRow("another loopback address")
        << QString() << QJsonObject{{QStringLiteral("host"), QStringLiteral("127.0.0.2")}, {QStringLiteral("port"), 2}}
        << QStringLiteral("127.0.0.2");
    QTest::newRow("localhost is not 127.0.0.1")
        << QString() << QJsonObject{{QStringLiteral("host"), QStringLiteral("localhost")}, {QStringLiteral("port"), 0}}
        << QStringLiteral("localhost");
    QTest::newRow("udp, own host") << QStringLiteral("udp") << QJsonObject{{QStringLiteral("port"), 1}} << QString();
    QTest::newRow("udp, another address")
        << QStringLiteral("udp") << QJsonObject{{QStringLiteral("host"), QStringLiteral("127.0.0.2")}, {QStringLiteral("port"), 2}}
        << QStringLiteral("127.0.0.2");
    // A tcp device has no serial endpoint: a path is refused without being
    // looked at, so an existing and a missing one read the same.
    QTest::newRow("serial path that exists")
        << QStringLiteral("serial") << QJsonObject{{QStringLiteral("path"), QStringLiteral("/dev/ptmx")}}
        << QStringLiteral("/dev/ptmx");
    QTest::newRow("serial path that does not exist")
        << QStringLiteral("serial") << QJsonObject{{QStringLiteral("path"), QStringLiteral("/nonexistent/ttyX")}}
        << QStringLiteral("/nonexistent/ttyX");
}

void tst_DriverRuntime::transportsReachOnlyTheDevicesEndpoint()
{
    QFETCH(QString, protocol);
    QFETCH(QJsonObject, change);
    QFETCH(QString, refusedAs);

    // Real listeners on the device's host and on a second loopback address.
    QTcpServer sameHost;
    QVERIFY(sameHost.listen(QHostAddress::LocalHost));
    QTcpServer otherHost;
    QVERIFY2(otherHost.listen(QHostAddress(QStringLiteral("127.0.0.2"))), qPrintable(otherHost.errorString()));
    const quint16 ports[] = {m_line.port(), sameHost.serverPort(), otherHost.serverPort()};
    change.insert(QStringLiteral("port"), int(ports[change.value(QStringLiteral("port")).toInt()]));

    auto d = start(spec(reachingDriver, QStringLiteral("tcp"), tcpConfig(m_line.port())));
    QVERIFY(d);
    const int acceptedBefore = m_line.accepted;
    const CallResult r = wait([&](auto done) {
        d->sendCommand(QStringLiteral("reach"), {{QStringLiteral("protocol"), protocol}, {QStringLiteral("config"), change}}, done);
    });
    if (refusedAs.isEmpty()) {
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.value.toString(), QStringLiteral("opened"));
        if (protocol.isEmpty() && change.value(QStringLiteral("port")).toInt() == sameHost.serverPort())
            QTRY_VERIFY(sameHost.hasPendingConnections());   // it reached the second port
        return;
    }
    QVERIFY(!r.ok);
    QCOMPARE(r.error, refusedText.arg(refusedAs));
    // Refused before any socket was made: nothing reached either listener.
    QTest::qWait(50);
    QVERIFY(!otherHost.hasPendingConnections());
    QVERIFY(!sameHost.hasPendingConnections());
    QCOMPARE(m_line.accepted, acceptedBefore);
}

void tst_DriverRuntime::serialDeviceReachesOnlyItsPath()
{
    PtyPair pty;
    QVERIFY(pty.isValid());
    QTcpServer sameMachine;
    QVERIFY(sameMachine.listen(QHostAddress::LocalHost));
    const QJsonObject config{{QStringLiteral("path"), pty.slavePath}, {QStringLiteral("baudRate"), 9600}};
    auto d = start(spec(reachingDriver, QStringLiteral("serial"), config));
    QVERIFY(d);
    auto reach = [&](const QString &protocol, const QJsonObject &change) {
        return wait([&](auto done) {
            d->sendCommand(QStringLiteral("reach"), {{QStringLiteral("protocol"), protocol}, {QStringLiteral("config"), change}}, done);
        });
    };

    const CallResult own = reach(QString(), {});
    QVERIFY2(own.ok, qPrintable(own.error));
    const CallResult ptmx = reach(QString(), {{QStringLiteral("path"), QStringLiteral("/dev/ptmx")}});
    QCOMPARE(ptmx.error, refusedText.arg(QStringLiteral("/dev/ptmx")));
    const CallResult missing = reach(QString(), {{QStringLiteral("path"), QStringLiteral("/nonexistent/ttyX")}});
    QCOMPARE(missing.error, refusedText.arg(QStringLiteral("/nonexistent/ttyX")));
    // A serial device has no host: its driver cannot open a network transport.
    const CallResult tcp = reach(QStringLiteral("tcp"), {{QStringLiteral("host"), QStringLiteral("127.0.0.1")},
                                                         {QStringLiteral("port"), int(sameMachine.serverPort())}});
    QCOMPARE(tcp.error, refusedText.arg(QStringLiteral("127.0.0.1")));
    QTest::qWait(50);
    QVERIFY(!sameMachine.hasPendingConnections());
}

void tst_DriverRuntime::consoleCannotForgeLogLines()
{
    const QString code = QStringLiteral(R"JS(const B = require('./base-driver');
class F extends B {
  connect() {
    console.log('x\n2026-01-01T00:00:00 nuc.cloud: FORGED\r\u001b[2Kbell\u0007');
    setTimeout(function () { throw new Error('thrown\nnuc.cloud: FORGED TOO'); }, 0);
    return new Promise(function (resolve) { setTimeout(resolve, 50); });
  }
}
module.exports = F;
)JS");
    capturedLines.clear();
    previousHandler = qInstallMessageHandler(capture);
    DriverInstance d(spec(code, QStringLiteral("tcp"), tcpConfig(m_line.port()), {}, QStringLiteral("dev-9")), m_settings,
                     m_watchdog.get());
    const CallResult loaded = wait([&](auto done) { d.load(done); });
    const CallResult connected = wait([&](auto done) { d.connectDevice(done); });
    qInstallMessageHandler(previousHandler);
    QVERIFY2(loaded.ok, qPrintable(loaded.error));
    QVERIFY2(connected.ok, qPrintable(connected.error));

    const QString logged = QStringLiteral("nuc.driver.test_driver|%1|[dev-9] x\\n2026-01-01T00:00:00 nuc.cloud: FORGED"
                                          "\\r\\x1b[2Kbell\\x07").arg(int(QtInfoMsg));
    QVERIFY2(capturedLines.contains(logged), qPrintable(capturedLines.join(u'\n')));
    const QString uncaught = QStringLiteral("[dev-9] uncaught exception in a setTimeout callback: Error: thrown\\nnuc.cloud: FORGED TOO");
    QVERIFY2(capturedLines.filter(uncaught).size() == 1, qPrintable(capturedLines.join(u'\n')));
    // Every captured line is one line, whatever the driver put in it.
    for (const QString &line : std::as_const(capturedLines)) {
        QVERIFY2(!line.contains(u'\n') && !line.contains(u'\r') && !line.contains(QChar(0x1b)), qPrintable(line));
    }
}

QTEST_GUILESS_MAIN(tst_DriverRuntime)
#include "tst_driverruntime.moc"
