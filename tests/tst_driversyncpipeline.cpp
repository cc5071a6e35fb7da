// DriverSyncPipeline on its own: driven through its public API (open,
// process, its signals) on the test's thread, with a temporary storage
// layout and either a fake DriverValidator (the seam of
// runtime/drivervalidator.h) or the real SandboxValidator. No Controller and
// no socket, so every refusal rule is a cheap row; tst_driversync keeps what
// needs the whole controller (the wire, reloads, restarts).
#include "core/config.h"
#include "core/ed25519.h"
#include "protocol/driversignature.h"
#include "runtime/drivertransformer.h"
#include "runtime/drivervalidator.h"
#include "runtime/sandboxvalidator.h"
#include "runtime/watchdog.h"
#include "storage/database.h"
#include "storage/devicerepository.h"
#include "storage/reportoutbox.h"
#include "storage/storagelayout.h"
#include "storage/syncoutcomerepository.h"
#include "sync/driversyncpipeline.h"
#include "sync/signaturecheck.h"
#include "testdrivers.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <cerrno>
#include <cstring>
#include <memory>

using Mutator = std::function<void(QJsonObject &)>;
Q_DECLARE_METATYPE(Mutator)
Q_DECLARE_METATYPE(ScriptError)

namespace {

// What the fake validator was asked and what it answers; shared with the
// test because the pipeline owns the validator.
struct ValidatorScript
{
    ScriptError verdict;                        // null: the driver is accepted
    QList<DriverValidationRequest> requests;
    int prepared = 0;
    // Set: the "transform" replaces the first with the second.
    QPair<QString, QString> rewrite;
    QString refuse;                             // set: code containing it is refused
    bool elsewhere = true;                      // validatesElsewhere()
    bool verdictReady = false;                  // verdictWithin()'s answer: the rows are written ahead
    int begun = 0;                              // begin() calls
    int abandoned = 0;                          // abandon() calls
    int verdictWithinAsked = 0;
    std::function<void()> onFullTransform;      // run when the transformer's own refusal is asked for

};

ScriptError verdictOf(const QString &rule, const QString &message)
{
    ScriptError e;
    e.rule = rule;
    e.message = message;
    return e;
}

class FakeValidator : public DriverValidator
{
public:
    explicit FakeValidator(std::shared_ptr<ValidatorScript> script) : m_script(std::move(script)) {}

    ScriptError validate(const DriverValidationRequest &request) override
    {
        m_script->requests.append(request);
        if (!m_script->refuse.isEmpty() && request.code.contains(m_script->refuse))
            return verdictOf(QStringLiteral("evaluation"), QStringLiteral("refused: holds ") + m_script->refuse);
        return m_script->verdict;
    }
    // The transformer is not what most rows test: the source is runnable as sent.
    TransformResult transform(const QString &source, TransformMode mode) override
    {
        if (mode == TransformMode::Full && m_script->onFullTransform)
            m_script->onFullTransform();
        TransformResult r;
        r.ok = true;
        r.code = source;
        if (!m_script->rewrite.first.isEmpty())
            r.code.replace(m_script->rewrite.first, m_script->rewrite.second);
        return r;
    }
    void prepare() override { ++m_script->prepared; }
    void begin(const DriverValidationRequest &request) override
    {
        ++m_script->begun;
        DriverValidator::begin(request);
    }
    void abandon() override
    {
        ++m_script->abandoned;
        DriverValidator::abandon();
    }
    bool validatesElsewhere() const override { return m_script->elsewhere; }
    bool verdictWithin(int) override
    {
        ++m_script->verdictWithinAsked;
        return m_script->verdictReady;
    }

private:
    std::shared_ptr<ValidatorScript> m_script;
};

ScriptError verdict(const QString &rule, const QString &message, int line = 0, const QString &stack = {})
{
    ScriptError e;
    e.rule = rule;
    e.message = message;
    e.line = line;
    e.stack = stack;
    return e;
}

} // namespace

class tst_DriverSyncPipeline : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void acceptedDriverIsStoredAndActivated();
    void refusals_data();
    void refusals();
    void validatorVerdictBecomesTheError_data();
    void validatorVerdictBecomesTheError();
    void validatorIsWarmedUpWhenIdle();
    void rewrittenCodeIsWhatIsJudged();
    void rowsWrittenAheadAreCommittedOnlyAfterAPass();
    void validationBegunAtOnceIsLetGoWhenAlreadyAnswered();
    void signatureRules_data();
    void signatureRules();
    void finalAnswerIsStoredWithTheInstall();
    void rollbackIsHeldToTodaysKeys();
    void aFileThatCannotBeSavedIsTheAnswer();

private:
    struct Outcome
    {
        QString type;          // driver_sync_complete or driver_sync_error, empty when none
        QJsonObject data;
        bool repeated = false;
        qint64 reportSeq = 0;  // > 0: stored in the report outbox with the install
        QStringList steps;     // progress() in order
        int started = 0;
    };

    void startPipeline(std::unique_ptr<DriverValidator> validator);
    // A driver_sync, or with `rollback` a driver_rollback.
    Outcome run(const QJsonObject &data, bool rollback = false);
    QString activeVersion(const QString &type);
    QJsonObject syncData(const QString &syncId, const QString &type, const QString &code) const;
    QStringList driverFiles() const;
    QString readFile(const QString &path) const;
    int driverRowCount();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<StorageLayout> m_layout;
    std::unique_ptr<Watchdog> m_watchdog;
    std::shared_ptr<ValidatorScript> m_script;
    std::unique_ptr<DriverSyncPipeline> m_pipeline;
    Database m_reader;   // the test's own connection, as another thread's would be
};

void tst_DriverSyncPipeline::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_layout = std::make_unique<StorageLayout>(m_dir->path() + QStringLiteral("/root"));
    QCOMPARE(m_layout->prepare(), QString());
    m_watchdog = std::make_unique<Watchdog>();
    m_script = std::make_shared<ValidatorScript>();
}

void tst_DriverSyncPipeline::cleanup()
{
    m_reader.close();
    m_pipeline.reset();
    m_watchdog.reset();
    m_layout.reset();
    m_dir.reset();
}

void tst_DriverSyncPipeline::startPipeline(std::unique_ptr<DriverValidator> validator)
{
    m_pipeline = std::make_unique<DriverSyncPipeline>(*m_layout, 64 * 1024, std::move(validator));
    QCOMPARE(m_pipeline->open(), QString());
    QCOMPARE(m_reader.open(m_layout->databasePath(), QStringLiteral("tst-reader")), QString());
}

tst_DriverSyncPipeline::Outcome tst_DriverSyncPipeline::run(const QJsonObject &data, bool rollback)
{
    Outcome outcome;
    const QMetaObject::Connection progress = connect(m_pipeline.get(), &DriverSyncPipeline::progress, this,
                                                     [&](const QString &, const QString &step) { outcome.steps << step; });
    const QMetaObject::Connection started = connect(m_pipeline.get(), &DriverSyncPipeline::started, this,
                                                    [&] { ++outcome.started; });
    const QMetaObject::Connection finished = connect(
        m_pipeline.get(), &DriverSyncPipeline::finished, this,
        [&](const QString &type, const QJsonObject &answer, bool repeated, qint64 reportSeq) {
            outcome.type = type;
            outcome.data = answer;
            outcome.repeated = repeated;
            outcome.reportSeq = reportSeq;
        });
    if (rollback)
        m_pipeline->rollBack(data);
    else
        m_pipeline->process(data);
    // process() answers before it returns today; waiting keeps the test
    // valid should the answer ever come from the event loop.
    static_cast<void>(QTest::qWaitFor([&] { return !outcome.type.isEmpty(); }, 10000));
    disconnect(progress);
    disconnect(started);
    disconnect(finished);
    return outcome;
}

QJsonObject tst_DriverSyncPipeline::syncData(const QString &syncId, const QString &type, const QString &code) const
{
    return QJsonObject{
        {QStringLiteral("sync_id"), syncId},
        {QStringLiteral("driver_id"), QString(QStringLiteral("drv-") + type)},
        {QStringLiteral("driver_type"), type},
        {QStringLiteral("version"), QStringLiteral("1.0.0")},
        {QStringLiteral("driver_code"), code},
        {QStringLiteral("command_mappings"),
         QJsonArray{QJsonObject{{QStringLiteral("command"), QStringLiteral("power_on")},
                                {QStringLiteral("payload"), QStringLiteral("PWR ON\r")},
                                {QStringLiteral("encoding"), QStringLiteral("ascii")}}}},
        {QStringLiteral("protocol_type"), QStringLiteral("tcp")},
        {QStringLiteral("connection_config"),
         QJsonObject{{QStringLiteral("host"), QStringLiteral("127.0.0.1")}, {QStringLiteral("port"), 2323}}},
    };
}

QStringList tst_DriverSyncPipeline::driverFiles() const
{
    return QDir(m_layout->driversDir()).entryList(QDir::Files | QDir::Hidden, QDir::Name);
}

QString tst_DriverSyncPipeline::readFile(const QString &path) const
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("<missing>");
    return QString::fromUtf8(f.readAll());
}

int tst_DriverSyncPipeline::driverRowCount()
{
    QSqlQuery q(m_reader.connection());
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM drivers")) || !q.next())
        return -1;
    return q.value(0).toInt();
}

void tst_DriverSyncPipeline::acceptedDriverIsStoredAndActivated()
{
    startPipeline(std::make_unique<FakeValidator>(m_script));
    QSignalSpy activated(m_pipeline.get(), &DriverSyncPipeline::driverActivated);
    const QString code = TestDrivers::valid(QStringLiteral("Accepted"), QStringLiteral("accepted by the fake"));

    const Outcome outcome = run(syncData(QStringLiteral("p-1"), QStringLiteral("accepted"), code));

    // The reloading_devices step and the wire belong to DriverSyncService.
    QCOMPARE(outcome.steps, (QStringList{QStringLiteral("saving_file"), QStringLiteral("validating"),
                                         QStringLiteral("storing")}));
    QCOMPARE(outcome.started, 1);
    QCOMPARE(outcome.type, QStringLiteral("driver_sync_complete"));
    QVERIFY(!outcome.repeated);
    const QString path = m_layout->driverFilePath(QStringLiteral("accepted"));
    QCOMPARE(outcome.data, (QJsonObject{{QStringLiteral("sync_id"), QStringLiteral("p-1")},
                                        {QStringLiteral("driver_id"), QStringLiteral("drv-accepted")},
                                        {QStringLiteral("driver_type"), QStringLiteral("accepted")},
                                        {QStringLiteral("version"), QStringLiteral("1.0.0")},
                                        {QStringLiteral("status"), QStringLiteral("completed")},
                                        {QStringLiteral("file_path"), path}}));
    QCOMPARE(activated.size(), 1);
    QCOMPARE(activated.at(0), (QVariantList{QStringLiteral("accepted"), QStringLiteral("1.0.0")}));

    // The validator saw the runnable form under the driver's own file name.
    QCOMPARE(m_script->requests.size(), 1);
    const DriverValidationRequest asked = m_script->requests.constFirst();
    QVERIFY(asked.code.contains(u"accepted by the fake"));
    QCOMPARE(asked.driverType, QStringLiteral("accepted"));
    QCOMPARE(asked.protocolType, QStringLiteral("tcp"));
    QCOMPARE(asked.fileName, path);

    QCOMPARE(readFile(path), code);
    QCOMPARE(driverFiles(), QStringList{QStringLiteral("accepted.js")});
    QCOMPARE(driverRowCount(), 1);
    QVERIFY(readFile(m_layout->syncLogPath()).contains(u"outcome=completed"));
}

void tst_DriverSyncPipeline::refusals_data()
{
    QTest::addColumn<Mutator>("mutate");
    QTest::addColumn<QString>("expected");        // in error_message
    QTest::addColumn<QStringList>("nullFields");  // echoed as null
    // false: a message check, decided before any validation (fake validator,
    // which must not be asked); true: a rule of the real SandboxValidator.
    QTest::addColumn<bool>("realValidator");

    auto set = [](const char *key, const QJsonValue &value) {
        return Mutator([key, value](QJsonObject &d) { d.insert(QLatin1String(key), value); });
    };
    auto remove = [](const char *key) { return Mutator([key](QJsonObject &d) { d.remove(QLatin1String(key)); }); };
    auto code = [](const QString &source) {
        return Mutator([source](QJsonObject &d) { d.insert(QStringLiteral("driver_code"), source); });
    };

    QTest::newRow("type ../evil") << set("driver_type", QStringLiteral("../evil")) << QStringLiteral("does not match") << QStringList() << false;
    QTest::newRow("type a/b") << set("driver_type", QStringLiteral("a/b")) << QStringLiteral("does not match") << QStringList() << false;
    QTest::newRow("type A B") << set("driver_type", QStringLiteral("A B")) << QStringLiteral("does not match") << QStringList() << false;
    QTest::newRow("type too long") << set("driver_type", QString(65, QLatin1Char('a'))) << QStringLiteral("does not match") << QStringList() << false;
    QTest::newRow("empty type") << set("driver_type", QString()) << QStringLiteral("'driver_type' must not be empty") << QStringList() << false;
    QTest::newRow("missing sync_id") << remove("sync_id") << QStringLiteral("'sync_id' is missing") << QStringList{QStringLiteral("sync_id")} << false;
    QTest::newRow("missing driver_id") << remove("driver_id") << QStringLiteral("'driver_id' is missing") << QStringList{QStringLiteral("driver_id")} << false;
    QTest::newRow("missing driver_type") << remove("driver_type") << QStringLiteral("'driver_type' is missing") << QStringList{QStringLiteral("driver_type")} << false;
    QTest::newRow("missing version") << remove("version") << QStringLiteral("'version' is missing") << QStringList() << false;
    QTest::newRow("missing driver_code") << remove("driver_code") << QStringLiteral("'driver_code' is missing") << QStringList() << false;
    QTest::newRow("missing protocol_type") << remove("protocol_type") << QStringLiteral("'protocol_type' is missing") << QStringList() << false;
    QTest::newRow("version is a number") << set("version", 2) << QStringLiteral("'version' must be a string, got a number") << QStringList() << false;
    QTest::newRow("driver_code is an object") << set("driver_code", QJsonObject()) << QStringLiteral("'driver_code' must be a string, got an object") << QStringList() << false;
    QTest::newRow("driver_type is a number") << set("driver_type", 7) << QStringLiteral("'driver_type' must be a string") << QStringList{QStringLiteral("driver_type")} << false;
    QTest::newRow("command_mappings not array") << set("command_mappings", QJsonObject()) << QStringLiteral("'command_mappings' must be an array") << QStringList() << false;
    QTest::newRow("connection_config not object") << set("connection_config", QJsonArray()) << QStringLiteral("'connection_config' must be an object") << QStringList() << false;
    QTest::newRow("unknown protocol") << set("protocol_type", QStringLiteral("http")) << QStringLiteral("protocol_type 'http' is not one of tcp, udp, serial") << QStringList() << false;
    QTest::newRow("oversized code") << code(TestDrivers::sized(70 * 1024)) << QStringLiteral("exceeds the limit of 65536 bytes") << QStringList() << false;
    QTest::newRow("empty code") << code(QStringLiteral("  \n")) << QStringLiteral("driver_code is empty") << QStringList() << false;
    QTest::newRow("syntax error") << code(QStringLiteral("const BaseDriver = require('./base-driver');\n\nclass X extends BaseDriver {\n  connect() { return 1 +; }\n}\nmodule.exports = X;\n"))
                                  << QStringLiteral("Driver validation failed: syntax error at line 4") << QStringList() << true;
    QTest::newRow("non-class export") << code(QStringLiteral("module.exports = { connect() {} };\n"))
                                      << QStringLiteral("module.exports must be a class extending BaseDriver, got object") << QStringList() << true;
    QTest::newRow("nothing exported") << code(QStringLiteral("const x = 1;\n"))
                                      << QStringLiteral("module.exports must be a class extending BaseDriver, got object") << QStringList() << true;
    QTest::newRow("class not extending BaseDriver") << code(QStringLiteral("class Lone { connect() {} disconnect() {} sendCommand() {} }\nmodule.exports = Lone;\n"))
                                                    << QStringLiteral("does not extend BaseDriver") << QStringList() << true;
    QTest::newRow("exports BaseDriver itself") << code(QStringLiteral("module.exports = require('./base-driver');\n"))
                                               << QStringLiteral("BaseDriver itself") << QStringList() << true;
    QTest::newRow("method not a function") << code(QStringLiteral("const B = require('./base-driver');\nclass X extends B {}\nX.prototype.connect = 5;\nmodule.exports = X;\n"))
                                           << QStringLiteral("methods: connect is not a function") << QStringList() << true;
    QTest::newRow("code throws") << code(QStringLiteral("const BaseDriver = require('./base-driver');\nthrow new Error('boom');\n"))
                                 << QStringLiteral("evaluating the module threw at line 2: Error: boom") << QStringList() << true;
    QTest::newRow("require of fs") << code(QStringLiteral("const fs = require('fs');\nmodule.exports = class {};\n"))
                                   << QStringLiteral("module not available: fs") << QStringList() << true;
}

void tst_DriverSyncPipeline::refusals()
{
    QFETCH(Mutator, mutate);
    QFETCH(QString, expected);
    QFETCH(QStringList, nullFields);
    QFETCH(bool, realValidator);

    if (realValidator) {
        const Config defaults;
        startPipeline(std::make_unique<SandboxValidator>(m_watchdog.get(), defaults.validationBudgetMs));
    } else {
        startPipeline(std::make_unique<FakeValidator>(m_script));
    }
    QJsonObject data = syncData(QStringLiteral("refusal-sync"), QStringLiteral("refused_driver"), TestDrivers::valid());
    mutate(data);
    const Outcome outcome = run(data);

    QCOMPARE(outcome.type, QStringLiteral("driver_sync_error"));
    QVERIFY(!outcome.repeated);
    const QJsonObject &error = outcome.data;
    const QString message = error.value(QStringLiteral("error_message")).toString();
    QVERIFY2(message.contains(expected), qPrintable(message));
    QVERIFY(error.value(QStringLiteral("error_stack")).isString());
    QVERIFY(!error.value(QStringLiteral("error_stack")).toString().isEmpty());
    for (const char *key : {"sync_id", "driver_id", "driver_type"}) {
        const QJsonValue v = error.value(QLatin1String(key));
        QVERIFY2(error.contains(QLatin1String(key)), key);
        if (nullFields.contains(QLatin1String(key)))
            QVERIFY2(v.isNull(), key);
        else if (data.value(QLatin1String(key)).isString())
            QCOMPARE(v, data.value(QLatin1String(key)));
        else
            QVERIFY2(v.isNull(), key);
    }
    // A malformed request is refused before any work: no step, no validation.
    if (!realValidator) {
        QCOMPARE(outcome.started, 0);
        QCOMPARE(outcome.steps, QStringList());
        QCOMPARE(m_script->requests.size(), 0);
    }
    // Nothing written: no file (not even a temporary one), no row.
    QCOMPARE(driverFiles(), QStringList());
    QCOMPARE(driverRowCount(), 0);
    QVERIFY(!QFile::exists(m_layout->root() + QStringLiteral("/var/evil.js")));
    QVERIFY(readFile(m_layout->syncLogPath()).contains(u"outcome=failed"));
}

void tst_DriverSyncPipeline::validatorVerdictBecomesTheError_data()
{
    QTest::addColumn<ScriptError>("given");
    QTest::addColumn<QString>("message");   // error_message, exactly
    QTest::addColumn<QString>("stack");     // error_stack, exactly ("<file>" is the driver's path)

    const QString failed = QStringLiteral("Driver validation failed: ");
    QTest::newRow("evaluation with a stack")
        << verdict(QStringLiteral("evaluation"), QStringLiteral("Error: boom"), 3, QStringLiteral("Error: boom\n    at <file>:3"))
        << failed + QStringLiteral("evaluating the module threw at line 3: Error: boom")
        << QStringLiteral("Error: boom\n    at <file>:3");
    QTest::newRow("evaluation, line only: the stack names the file")
        << verdict(QStringLiteral("evaluation"), QStringLiteral("Error: boom"), 7)
        << failed + QStringLiteral("evaluating the module threw at line 7: Error: boom")
        << QStringLiteral("Error: boom\n    at <file>:7");
    QTest::newRow("evaluation without a line")
        << verdict(QStringLiteral("evaluation"), QStringLiteral("Error: somewhere"))
        << failed + QStringLiteral("evaluating the module threw: Error: somewhere")
        << QStringLiteral("DriverSyncError: ") + failed + QStringLiteral("evaluating the module threw: Error: somewhere");
    QTest::newRow("syntax")
        << verdict(QStringLiteral("syntax"), QStringLiteral("Unexpected token"), 4)
        << failed + QStringLiteral("syntax error at line 4: Unexpected token")
        << QStringLiteral("Unexpected token\n    at <file>:4");
    QTest::newRow("watchdog")
        << verdict(QStringLiteral("watchdog"), QStringLiteral("evaluating the module ran past the 2000 ms budget"))
        << failed + QStringLiteral("watchdog: evaluating the module ran past the 2000 ms budget")
        << QStringLiteral("DriverSyncError: ") + failed + QStringLiteral("watchdog: evaluating the module ran past the 2000 ms budget");
    QTest::newRow("any other rule")
        << verdict(QStringLiteral("methods"), QStringLiteral("connect is not a function"))
        << failed + QStringLiteral("methods: connect is not a function")
        << QStringLiteral("DriverSyncError: ") + failed + QStringLiteral("methods: connect is not a function");
}

void tst_DriverSyncPipeline::validatorVerdictBecomesTheError()
{
    QFETCH(ScriptError, given);
    QFETCH(QString, message);
    QFETCH(QString, stack);

    startPipeline(std::make_unique<FakeValidator>(m_script));
    const QString path = m_layout->driverFilePath(QStringLiteral("judged"));
    given.stack.replace(QStringLiteral("<file>"), path);
    m_script->verdict = given;

    const Outcome outcome = run(syncData(QStringLiteral("v-1"), QStringLiteral("judged"), TestDrivers::valid()));

    QCOMPARE(outcome.type, QStringLiteral("driver_sync_error"));
    QCOMPARE(outcome.data, (QJsonObject{{QStringLiteral("sync_id"), QStringLiteral("v-1")},
                                        {QStringLiteral("driver_id"), QStringLiteral("drv-judged")},
                                        {QStringLiteral("driver_type"), QStringLiteral("judged")},
                                        {QStringLiteral("error_message"), message},
                                        {QStringLiteral("error_stack"), QString(stack).replace(QStringLiteral("<file>"), path)}}));
    QCOMPARE(outcome.steps, (QStringList{QStringLiteral("saving_file"), QStringLiteral("validating")}));
    QCOMPARE(m_script->requests.size(), 1);
    // The temporary file written before validation is gone, nothing is active.
    QCOMPARE(driverFiles(), QStringList());
    QCOMPARE(driverRowCount(), 0);
    QVERIFY(readFile(m_layout->syncLogPath()).contains(u"outcome=failed"));
}

void tst_DriverSyncPipeline::rewrittenCodeIsWhatIsJudged()
{
    // The code as sent is judged while its runnable form is decided; when
    // the transform rewrote it, that early verdict does not count: the
    // rewritten form is judged, and its verdict is the answer.
    m_script->rewrite = {QStringLiteral("MODERN"), QStringLiteral("CLASSIC")};
    m_script->refuse = QStringLiteral("MODERN");
    startPipeline(std::make_unique<FakeValidator>(m_script));
    const QString code = TestDrivers::valid(QStringLiteral("Rewritten"), QStringLiteral("MODERN"));
    const Outcome accepted = run(syncData(QStringLiteral("rw-1"), QStringLiteral("rewritten"), code));
    QCOMPARE(accepted.type, QStringLiteral("driver_sync_complete"));
    QCOMPARE(m_script->requests.size(), 2);
    QCOMPARE(m_script->requests.at(0).code, code);
    QVERIFY(m_script->requests.at(1).code.contains(u"CLASSIC"));
    QCOMPARE(readFile(m_layout->driverFilePath(QStringLiteral("rewritten"))), code);   // the file keeps what was sent

    // The source as sent passes, its rewritten form does not: refused.
    m_script->requests.clear();
    m_script->rewrite = {QStringLiteral("PLAIN"), QStringLiteral("BROKEN")};
    m_script->refuse = QStringLiteral("BROKEN");
    const QString plain = TestDrivers::valid(QStringLiteral("Plain"), QStringLiteral("PLAIN"));
    const Outcome refused = run(syncData(QStringLiteral("rw-2"), QStringLiteral("plain"), plain));
    QCOMPARE(refused.type, QStringLiteral("driver_sync_error"));
    const QString message = refused.data.value(QStringLiteral("error_message")).toString();
    QVERIFY2(message.contains(u"refused: holds BROKEN"), qPrintable(message));
    QCOMPARE(m_script->requests.size(), 2);
    QCOMPARE(m_script->requests.at(0).code, plain);
    QVERIFY(!QFile::exists(m_layout->driverFilePath(QStringLiteral("plain"))));
    QCOMPARE(driverRowCount(), 1);
}

void tst_DriverSyncPipeline::rowsWrittenAheadAreCommittedOnlyAfterAPass()
{
    // Storing's rows are written while the verdict is awaited (the
    // validator says it will come in time): committed after a pass, rolled
    // back after a refusal, written again after the verdict when it would
    // have come too late.
    m_script->verdictReady = true;
    m_script->refuse = QStringLiteral("REFUSED");
    startPipeline(std::make_unique<FakeValidator>(m_script));
    const Outcome passed = run(syncData(QStringLiteral("ahead-1"), QStringLiteral("ahead"), TestDrivers::valid()));
    QCOMPARE(passed.type, QStringLiteral("driver_sync_complete"));
    QCOMPARE(m_script->verdictWithinAsked, 1);
    QVERIFY(passed.reportSeq > 0);   // the answer went into the outbox in the same commit
    QCOMPARE(driverRowCount(), 1);

    // The rows are let go as soon as the verdict is a refusal: the write lock
    // is not held while the refusal is worded (the host asked again).
    bool writable = false;
    m_script->onFullTransform = [&] {
        QSqlQuery q(m_reader.connection());
        writable = q.exec(QStringLiteral("PRAGMA busy_timeout = 0"))
            && q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS lock_probe (x INTEGER)"))
            && q.exec(QStringLiteral("DROP TABLE lock_probe"));
        q.exec(QStringLiteral("PRAGMA busy_timeout = 5000"));
    };
    const QString bad = TestDrivers::valid(QStringLiteral("Bad"), QStringLiteral("REFUSED"));
    const Outcome refused = run(syncData(QStringLiteral("ahead-2"), QStringLiteral("refused"), bad));
    QVERIFY(writable);
    QCOMPARE(refused.type, QStringLiteral("driver_sync_error"));
    QCOMPARE(m_script->verdictWithinAsked, 2);   // its rows were written, then rolled back
    QCOMPARE(refused.reportSeq, 0);
    QCOMPARE(driverRowCount(), 1);
    QVERIFY(!QFile::exists(m_layout->driverFilePath(QStringLiteral("refused"))));

    // The verdict would come too late: the rows are let go and written after it.
    m_script->verdictReady = false;
    const Outcome late = run(syncData(QStringLiteral("ahead-3"), QStringLiteral("late"), TestDrivers::valid(QStringLiteral("Late"))));
    QCOMPARE(late.type, QStringLiteral("driver_sync_complete"));
    QCOMPARE(m_script->verdictWithinAsked, 3);
    QVERIFY(late.reportSeq > passed.reportSeq);
    QCOMPARE(driverRowCount(), 2);
    // Nothing of the refused sync was committed along with a later one.
    QSqlQuery q(m_reader.connection());
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM drivers WHERE driver_type = 'refused'")) && q.next());
    QCOMPARE(q.value(0).toInt(), 0);

    // A validator that judges in verdict() itself is never written ahead for.
    m_script->elsewhere = false;
    m_script->verdictReady = true;
    const Outcome inline_ = run(syncData(QStringLiteral("ahead-4"), QStringLiteral("inline"), TestDrivers::valid(QStringLiteral("Inline"))));
    QCOMPARE(inline_.type, QStringLiteral("driver_sync_complete"));
    QCOMPARE(m_script->verdictWithinAsked, 3);
}

void tst_DriverSyncPipeline::validationBegunAtOnceIsLetGoWhenAlreadyAnswered()
{
    // A validator that judges elsewhere gets the code as sent before the
    // pipeline checks it is not the active code again; if it is, that
    // verdict is let go. A sync_id seen before starts nothing.
    startPipeline(std::make_unique<FakeValidator>(m_script));
    const QString code = TestDrivers::valid(QStringLiteral("Early"));
    const QJsonObject first = syncData(QStringLiteral("early-1"), QStringLiteral("early"), code);
    QCOMPARE(run(first).type, QStringLiteral("driver_sync_complete"));
    QCOMPARE(m_script->begun, 1);
    QCOMPARE(m_script->abandoned, 0);
    QCOMPARE(m_script->requests.size(), 1);

    // The same sync_id again (a retry): its stored answer, nothing begun.
    QCOMPARE(run(first).type, QStringLiteral("driver_sync_complete"));
    QCOMPARE(m_script->begun, 1);
    QCOMPARE(m_script->abandoned, 0);
    QCOMPARE(driverFiles(), QStringList{QStringLiteral("early.js")});

    // The active code and version under a new sync_id: completed without
    // work, the verdict let go, its temporary file removed once written.
    QCOMPARE(run(syncData(QStringLiteral("early-2"), QStringLiteral("early"), code)).type,
             QStringLiteral("driver_sync_complete"));
    QCOMPARE(m_script->begun, 2);
    QCOMPARE(m_script->abandoned, 1);
    QCOMPARE(m_script->requests.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(driverFiles(), QStringList{QStringLiteral("early.js")}, 5000);

    // The next new driver is judged once, on its own code.
    m_script->refuse = QStringLiteral("REFUSED");
    const Outcome refused = run(syncData(QStringLiteral("early-3"), QStringLiteral("other"),
                                         TestDrivers::valid(QStringLiteral("Other"), QStringLiteral("REFUSED"))));
    QCOMPARE(refused.type, QStringLiteral("driver_sync_error"));
    QCOMPARE(m_script->begun, 3);
    QCOMPARE(m_script->abandoned, 1);
    QCOMPARE(m_script->requests.size(), 2);
    QVERIFY(m_script->requests.last().code.contains(u"REFUSED"));

    // Invalid syncs are never judged.
    QJsonObject invalid = syncData(QStringLiteral("early-4"), QStringLiteral("invalid"), code);
    invalid.remove(QStringLiteral("version"));
    QCOMPARE(run(invalid).type, QStringLiteral("driver_sync_error"));
    QCOMPARE(m_script->begun, 3);

    // A validator that judges in verdict(): begun by the install, as before.
    m_script->elsewhere = false;
    QCOMPARE(run(syncData(QStringLiteral("early-5"), QStringLiteral("third"), TestDrivers::valid(QStringLiteral("Third")))).type,
             QStringLiteral("driver_sync_complete"));
    QCOMPARE(m_script->begun, 4);
    QCOMPARE(m_script->abandoned, 1);
    QCOMPARE(m_script->requests.size(), 3);
}

void tst_DriverSyncPipeline::validatorIsWarmedUpWhenIdle()
{
    startPipeline(std::make_unique<FakeValidator>(m_script));
    QCOMPARE(m_script->prepared, 1);   // open() makes the first engine
    const Outcome outcome = run(syncData(QStringLiteral("w-1"), QStringLiteral("warm"), TestDrivers::valid()));
    QCOMPARE(outcome.type, QStringLiteral("driver_sync_complete"));
    // The next engine is made after the answer, from the event loop.
    QTRY_COMPARE(m_script->prepared, 2);
}

void tst_DriverSyncPipeline::signatureRules_data()
{
    QTest::addColumn<QString>("signer");        // old, new, stranger or none (unsigned)
    QTest::addColumn<QString>("alg");
    QTest::addColumn<bool>("tampered");         // the code changed after signing
    QTest::addColumn<QStringList>("trusted");   // key ids in the trusted-keys file
    QTest::addColumn<bool>("required");
    QTest::addColumn<QString>("error");         // empty: accepted
    QTest::addColumn<QString>("keyId");         // recorded in the audit log when accepted

    const QStringList oldOnly{QStringLiteral("ops-2025")};
    const QStringList both{QStringLiteral("ops-2025"), QStringLiteral("ops-2026")};
    const QString ed = QStringLiteral("ed25519");
    QTest::newRow("good") << "old" << ed << false << oldOnly << true << QString() << QStringLiteral("ops-2025");
    QTest::newRow("bad (code changed after signing)")
        << "old" << ed << true << oldOnly << false
        << QStringLiteral("Invalid signature: the signature by key 'ops-2025' does not match this driver") << QString();
    QTest::newRow("unknown key") << "stranger" << ed << false << oldOnly << false
                                 << QStringLiteral("Invalid signature: unknown key_id 'someone-else'") << QString();
    QTest::newRow("unknown alg") << "old" << QStringLiteral("rsa-pss") << false << oldOnly << false
                                 << QStringLiteral("Invalid signature: unknown alg 'rsa-pss' (only ed25519)") << QString();
    QTest::newRow("unsigned when required")
        << "none" << ed << false << oldOnly << true
        << QStringLiteral("Invalid signature: this controller requires signed drivers and the driver is unsigned") << QString();
    QTest::newRow("unsigned when not required") << "none" << ed << false << oldOnly << false << QString() << QString();
    QTest::newRow("rotation: old key still trusted") << "old" << ed << false << both << true << QString() << QStringLiteral("ops-2025");
    QTest::newRow("rotation: new key") << "new" << ed << false << both << true << QString() << QStringLiteral("ops-2026");
    QTest::newRow("rotation: new key before it is trusted")
        << "new" << ed << false << oldOnly << true << QStringLiteral("Invalid signature: unknown key_id 'ops-2026'") << QString();
}

void tst_DriverSyncPipeline::signatureRules()
{
    QFETCH(QString, signer);
    QFETCH(QString, alg);
    QFETCH(bool, tampered);
    QFETCH(QStringList, trusted);
    QFETCH(bool, required);
    QFETCH(QString, error);
    QFETCH(QString, keyId);

    QHash<QString, Ed25519::KeyPair> pairs;
    for (const QString &id : {QStringLiteral("ops-2025"), QStringLiteral("ops-2026"), QStringLiteral("someone-else")})
        QCOMPARE(Ed25519::generate(&pairs[id]), QString());
    // A trusted-keys file as an operator writes it, comments and all.
    const QString keysPath = m_dir->filePath(QStringLiteral("trusted-keys"));
    QFile keysFile(keysPath);
    QVERIFY(keysFile.open(QIODevice::WriteOnly));
    keysFile.write("# driver signing keys\n\n");
    for (const QString &id : trusted)
        keysFile.write(id.toUtf8() + ' ' + pairs.value(id).publicKey.toBase64() + '\n');
    keysFile.close();
    QHash<QString, QByteArray> keys;
    QCOMPARE(SignatureCheck::loadKeys(keysPath, &keys), QString());
    QCOMPARE(keys.size(), trusted.size());

    startPipeline(std::make_unique<FakeValidator>(m_script));
    m_pipeline->setSignatureCheck(SignatureCheck(keys, required));

    const QString code = TestDrivers::valid(QStringLiteral("Signed"));
    QJsonObject data = syncData(QStringLiteral("sig-1"), QStringLiteral("signed"), code);
    if (signer != u"none") {
        const QString id = signer == u"old" ? QStringLiteral("ops-2025")
            : signer == u"new"              ? QStringLiteral("ops-2026")
                                            : QStringLiteral("someone-else");
        QByteArray value;
        QCOMPARE(Ed25519::sign(pairs.value(id).privateKey,
                               DriverSignature::signedBytes(QStringLiteral("signed"), QStringLiteral("1.0.0"), QStringLiteral("tcp"), code),
                               &value),
                 QString());
        data.insert(QStringLiteral("signature"), DriverSignature{alg, id, QString::fromLatin1(value.toBase64())}.toJson());
    }
    if (tampered)
        data.insert(QStringLiteral("driver_code"), QString(code + QStringLiteral("// and a little more\n")));

    const Outcome outcome = run(data);
    if (error.isEmpty()) {
        QCOMPARE(outcome.type, QStringLiteral("driver_sync_complete"));
        QCOMPARE(driverRowCount(), 1);
        const QString log = readFile(m_layout->syncLogPath());
        QVERIFY2(keyId.isEmpty() ? !log.contains(u"key_id=") : log.contains(QStringLiteral("key_id=\"%1\"").arg(keyId)), qPrintable(log));
        return;
    }
    QCOMPARE(outcome.type, QStringLiteral("driver_sync_error"));
    QCOMPARE(outcome.data.value(QStringLiteral("error_message")).toString(), error);
    // Refused before anything was written: no step, no file, no row, not validated.
    QCOMPARE(outcome.steps, QStringList());
    QCOMPARE(outcome.started, 0);
    QCOMPARE(driverFiles(), QStringList());
    QCOMPARE(driverRowCount(), 0);
    QCOMPARE(m_script->requests.size(), 0);
    QCOMPARE(m_script->begun, 0);
}

QTEST_GUILESS_MAIN(tst_DriverSyncPipeline)
#include "tst_driversyncpipeline.moc"

void tst_DriverSyncPipeline::finalAnswerIsStoredWithTheInstall()
{
    // No device runs the driver: nothing is reloaded and nothing can roll
    // the sync back, so its answer goes into the report outbox in the commit
    // that installs it (and its outcome counts as reported).
    startPipeline(std::make_unique<FakeValidator>(m_script));
    const QString code = TestDrivers::valid(QStringLiteral("Stored"), QStringLiteral("stored with the install"));
    const Outcome alone = run(syncData(QStringLiteral("p-alone"), QStringLiteral("alone"), code));
    QCOMPARE(alone.type, QStringLiteral("driver_sync_complete"));
    QVERIFY(alone.reportSeq > 0);
    const QList<OutboxReport> held = ReportOutbox(m_reader.connection()).after(0, 10);
    QCOMPARE(held.size(), 1);
    QCOMPARE(held.at(0).seq, alone.reportSeq);
    QCOMPARE(held.at(0).type, QStringLiteral("driver_sync_complete"));
    QCOMPARE(held.at(0).data, alone.data);
    QVERIFY(SyncOutcomeRepository(m_reader.connection()).unreported().isEmpty());

    // A device runs it: the answer waits for the reload (DriverSyncService),
    // which may still turn it into a rollback; the main thread stores it then.
    DeviceRecord device;
    device.id = QStringLiteral("dev-1");
    device.name = QStringLiteral("Device");
    device.type = QStringLiteral("used");
    QCOMPARE(DeviceRepository(m_reader.connection()).upsert(device), QString());
    const Outcome used = run(syncData(QStringLiteral("p-used"), QStringLiteral("used"), code));
    QCOMPARE(used.type, QStringLiteral("driver_sync_complete"));
    QCOMPARE(used.reportSeq, 0);
    QCOMPARE(ReportOutbox(m_reader.connection()).after(0, 10).size(), 1);
    const QList<SyncOutcome> unreported = SyncOutcomeRepository(m_reader.connection()).unreported();
    QCOMPARE(unreported.size(), 1);
    QCOMPARE(unreported.at(0).syncId, QStringLiteral("p-used"));
}

QString tst_DriverSyncPipeline::activeVersion(const QString &type)
{
    QSqlQuery q(m_reader.connection());
    q.prepare(QStringLiteral("SELECT version FROM drivers WHERE driver_type = ?"));
    q.addBindValue(type);
    return q.exec() && q.next() ? q.value(0).toString() : QString();
}

void tst_DriverSyncPipeline::rollbackIsHeldToTodaysKeys()
{
    // PROTOCOL.md answers a driver_rollback "exactly like a driver_sync of
    // that archived version": a kept version is checked against the trusted
    // keys and the rule of today, with the signature it arrived with.
    QHash<QString, Ed25519::KeyPair> pairs;
    QHash<QString, QByteArray> both;
    for (const QString &id : {QStringLiteral("ops-2025"), QStringLiteral("ops-2026")}) {
        QCOMPARE(Ed25519::generate(&pairs[id]), QString());
        both.insert(id, pairs.value(id).publicKey);
    }
    const QString type = QStringLiteral("signed");
    const auto sync = [&](const QString &syncId, const QString &version, const QString &keyId) {
        const QString code = TestDrivers::valid(QStringLiteral("Signed") + QString(version).remove(QLatin1Char('.')));
        QJsonObject data = syncData(syncId, type, code);
        data.insert(QStringLiteral("version"), version);
        if (!keyId.isEmpty()) {
            QByteArray value;
            if (!Ed25519::sign(pairs.value(keyId).privateKey,
                               DriverSignature::signedBytes(type, version, QStringLiteral("tcp"), code), &value).isEmpty())
                return Outcome{};
            data.insert(QStringLiteral("signature"),
                        DriverSignature{QStringLiteral("ed25519"), keyId, QString::fromLatin1(value.toBase64())}.toJson());
        }
        return run(data);
    };
    const auto rollBack = [&](const QString &syncId, const QString &version) {
        return run(QJsonObject{{QStringLiteral("sync_id"), syncId}, {QStringLiteral("driver_type"), type},
                               {QStringLiteral("version"), version}},
                   true);
    };

    startPipeline(std::make_unique<FakeValidator>(m_script));
    m_pipeline->setSignatureCheck(SignatureCheck(both, true));
    QCOMPARE(sync(QStringLiteral("s-1"), QStringLiteral("1.0.0"), QStringLiteral("ops-2025")).type, QStringLiteral("driver_sync_complete"));
    QCOMPARE(sync(QStringLiteral("s-2"), QStringLiteral("1.1.0"), QStringLiteral("ops-2026")).type, QStringLiteral("driver_sync_complete"));
    const QString activeFile = readFile(m_layout->driverFilePath(type));

    // ops-2025 revoked: its version is not brought back, and nothing changes.
    m_pipeline->setSignatureCheck(SignatureCheck({{QStringLiteral("ops-2026"), pairs.value(QStringLiteral("ops-2026")).publicKey}}, true));
    const Outcome revoked = rollBack(QStringLiteral("r-1"), QStringLiteral("1.0.0"));
    QCOMPARE(revoked.type, QStringLiteral("driver_sync_error"));
    QCOMPARE(revoked.data.value(QStringLiteral("error_message")).toString(),
             QStringLiteral("Invalid signature: unknown key_id 'ops-2025' (rollback to 1.0.0 refused)"));
    QCOMPARE(revoked.steps, QStringList());
    QCOMPARE(activeVersion(type), QStringLiteral("1.1.0"));
    QCOMPARE(readFile(m_layout->driverFilePath(type)), activeFile);

    // Trusted again: it comes back, and the version it replaced keeps its signature.
    m_pipeline->setSignatureCheck(SignatureCheck(both, true));
    QCOMPARE(rollBack(QStringLiteral("r-2"), QStringLiteral("1.0.0")).type, QStringLiteral("driver_sync_complete"));
    QCOMPARE(activeVersion(type), QStringLiteral("1.0.0"));
    m_pipeline->setSignatureCheck(SignatureCheck({{QStringLiteral("ops-2026"), pairs.value(QStringLiteral("ops-2026")).publicKey}}, true));
    QCOMPARE(rollBack(QStringLiteral("r-3"), QStringLiteral("1.1.0")).type, QStringLiteral("driver_sync_complete"));
    QCOMPARE(activeVersion(type), QStringLiteral("1.1.0"));

    // Installed unsigned while signatures were optional; required now.
    m_pipeline->setSignatureCheck(SignatureCheck(both, false));
    QCOMPARE(sync(QStringLiteral("s-3"), QStringLiteral("2.0.0"), QString()).type, QStringLiteral("driver_sync_complete"));
    QCOMPARE(sync(QStringLiteral("s-4"), QStringLiteral("2.1.0"), QStringLiteral("ops-2026")).type, QStringLiteral("driver_sync_complete"));
    m_pipeline->setSignatureCheck(SignatureCheck(both, true));
    const Outcome unsignedBack = rollBack(QStringLiteral("r-4"), QStringLiteral("2.0.0"));
    QCOMPARE(unsignedBack.data.value(QStringLiteral("error_message")).toString(),
             QStringLiteral("Invalid signature: this controller requires signed drivers and the driver is unsigned "
                            "(rollback to 2.0.0 refused)"));
    QCOMPARE(activeVersion(type), QStringLiteral("2.1.0"));

    // A key rotation: the active version signed again by the new key keeps
    // that signature, so retiring the old key leaves it reachable.
    QCOMPARE(sync(QStringLiteral("s-5"), QStringLiteral("3.0.0"), QStringLiteral("ops-2025")).type, QStringLiteral("driver_sync_complete"));
    const Outcome resigned = sync(QStringLiteral("s-6"), QStringLiteral("3.0.0"), QStringLiteral("ops-2026"));
    QCOMPARE(resigned.type, QStringLiteral("driver_sync_complete"));
    QVERIFY(resigned.repeated);   // nothing else changed
    QCOMPARE(sync(QStringLiteral("s-7"), QStringLiteral("3.1.0"), QStringLiteral("ops-2026")).type, QStringLiteral("driver_sync_complete"));
    m_pipeline->setSignatureCheck(SignatureCheck({{QStringLiteral("ops-2026"), pairs.value(QStringLiteral("ops-2026")).publicKey}}, true));
    QCOMPARE(rollBack(QStringLiteral("r-5"), QStringLiteral("3.0.0")).type, QStringLiteral("driver_sync_complete"));
    QCOMPARE(activeVersion(type), QStringLiteral("3.0.0"));
}

void tst_DriverSyncPipeline::aFileThatCannotBeSavedIsTheAnswer()
{
    // The temporary file is written on the io thread while the code is
    // validated; a disk that refuses it is the answer, before any verdict on
    // the code (here even a driver the validator refuses), and nothing is stored.
    startPipeline(std::make_unique<FakeValidator>(m_script));
    const QString drivers = m_layout->driversDir();
    QVERIFY(QDir(drivers).removeRecursively());
    QFile blocker(drivers);   // a file where the folder was: every create fails (also as root)
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    m_script->verdict = verdict(QStringLiteral("export"), QStringLiteral("module.exports must be a class"));

    const Outcome outcome = run(syncData(QStringLiteral("disk-1"), QStringLiteral("ondisk"), TestDrivers::valid(QStringLiteral("OnDisk"))));
    QCOMPARE(outcome.type, QStringLiteral("driver_sync_error"));
    const QString message = outcome.data.value(QStringLiteral("error_message")).toString();
    QVERIFY2(message.startsWith(QStringLiteral("Cannot save the driver file: cannot create a temporary file in ")), qPrintable(message));
    QVERIFY2(message.endsWith(QString::fromLocal8Bit(std::strerror(ENOTDIR))), qPrintable(message));
    QCOMPARE(driverRowCount(), 0);
}
