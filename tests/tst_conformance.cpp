// The conformance suite: the test262 subset in ../shared/test262 (its
// README says how a test runs), through the transformer, the prelude and
// QJSEngine, the way a driver runs. Each run is a job for
// `control-nuc-driverhost --run-batch` (a fresh engine per job); batches run
// in child processes, two at a time, so that a crash (SIGSEGV) or a hang
// costs one test, not the suite: a batch whose child died goes on in a new
// child after the test that killed it.
//
// Prints the outcomes per feature group, writes every test's outcome to
// conformance-results.json in the build folder, and fails (unless
// NUC_CONFORMANCE_REPORT_ONLY=1, which the CMake option
// NUC_CONFORMANCE_GATE=OFF sets) when an in-scope test that Node passes
// gives a wrong result, crashes, hangs, throws at run time or is accepted
// and then rejected by QJSEngine's parser, when a refusal is for a construct
// docs/drivers.md does not list as refused, or when under 85 % pass.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

namespace {

const char *const stub =
    "var $262 = { global: this, gc: function () {}, evalScript: function () { throw new Test262Error('no evalScript'); },\n"
    "  detachArrayBuffer: function () { throw new Test262Error('no detachArrayBuffer'); },\n"
    "  createRealm: function () { throw new Test262Error('no createRealm'); } };\n";

constexpr int jobTimeoutMs = 3000;   // the README's "about 2 s" for async tests, and some slack
constexpr int batchSize = 40;
constexpr int workers = 2;
constexpr double requiredPassRate = 0.85;

// The outcomes, in the order they are printed; the later, the worse.
enum Outcome { Pass, Refused, ParseError, WrongResult, RuntimeError, Crash, Hang, OutcomeCount };
const char *const outcomeNames[OutcomeCount] = {"pass", "refused", "engine parse error", "wrong result",
                                                "run-time error", "crash", "hang"};

struct Job
{
    int test = 0;   // index into the manifest's tests
    QJsonObject request;
};

struct Verdict
{
    Outcome outcome = Pass;
    QString message;
};

struct Test
{
    QJsonObject entry;
    QList<Verdict> runs;   // one per strictness run
    Verdict verdict() const
    {
        Verdict worst;
        for (const Verdict &v : runs) {
            if (v.outcome > worst.outcome)
                worst = v;
        }
        return worst;
    }
};

QString readText(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

// The verdict of one run from the host's answer (README "Verdict").
Verdict judge(const QJsonObject &entry, const QJsonObject &answer)
{
    const QJsonObject negative = entry.value(QStringLiteral("negative")).toObject();
    const bool isNegative = !negative.isEmpty();
    const QString expected = negative.value(QStringLiteral("type")).toString();
    const QString kind = answer.value(QStringLiteral("outcome")).toString();
    const QString name = answer.value(QStringLiteral("name")).toString();
    const QString message = answer.value(QStringLiteral("message")).toString();
    const int line = answer.value(QStringLiteral("line")).toInt();
    const int column = answer.value(QStringLiteral("column")).toInt();
    const QString where = QStringLiteral("%1:%2").arg(line).arg(column);
    if (kind == u"refused") {
        if (isNegative && negative.value(QStringLiteral("phase")).toString() == u"parse")
            return {};
        return {Refused, where + QStringLiteral(" ") + message};
    }
    if (kind == u"parse-error")
        return isNegative && name == expected ? Verdict{} : Verdict{ParseError, where + QStringLiteral(" ") + message};
    if (kind == u"timeout" || kind == u"hang")
        return {Hang, message};
    if (kind == u"crash")
        return {Crash, message};
    if (kind == u"thrown") {
        if (isNegative)
            return name == expected ? Verdict{} : Verdict{WrongResult, QStringLiteral("expected %1, got %2").arg(expected, message)};
        // A failed assertion is a Test262Error: the program computed something else.
        return {name == u"Test262Error" ? WrongResult : RuntimeError, QStringLiteral("line %1: %2").arg(line).arg(message)};
    }
    if (kind != u"completed")
        return {RuntimeError, kind + QStringLiteral(": ") + message};
    if (isNegative)
        return {WrongResult, QStringLiteral("expected %1, ran without error").arg(expected)};
    if (entry.value(QStringLiteral("flags")).toArray().contains(QStringLiteral("async"))) {
        const QStringList output = answer.value(QStringLiteral("output")).toVariant().toStringList();
        for (const QString &printed : output) {
            if (printed == u"Test262:AsyncTestComplete")
                return {};
            if (printed.startsWith(u"Test262:AsyncTestFailure:"))
                return {WrongResult, printed};
        }
        return {WrongResult, QStringLiteral("never settled (nothing printed)")};
    }
    return {};
}

// The runs of one test (README "Strictness"). Only the test's own source
// goes through the transformer; the harness and the stub are loaded as they are.
QList<QJsonObject> requestsFor(const QString &root, const QJsonObject &entry, int id)
{
    const QString path = entry.value(QStringLiteral("path")).toString();
    const QStringList flags = entry.value(QStringLiteral("flags")).toVariant().toStringList();
    const QString source = readText(root + QLatin1Char('/') + path);
    QJsonArray prefix;
    if (!flags.contains(QStringLiteral("raw"))) {
        for (const QJsonValue &include : entry.value(QStringLiteral("includes")).toArray())
            prefix.append(QJsonObject{{QStringLiteral("path"), QString(root + QStringLiteral("/harness/") + include.toString())},
                                      {QStringLiteral("transform"), false}});
        prefix.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("$262")}, {QStringLiteral("source"), QString::fromLatin1(stub)},
                                  {QStringLiteral("transform"), false}});
    }
    QList<QJsonObject> requests;
    auto add = [&](bool strict) {
        QJsonArray scripts = prefix;
        scripts.append(QJsonObject{{QStringLiteral("name"), path},
                                   {QStringLiteral("source"), strict ? QStringLiteral("\"use strict\";\n") + source : source}});
        requests.append({{QStringLiteral("id"), id * 2 + (strict ? 1 : 0)},
                         {QStringLiteral("timeoutMs"), jobTimeoutMs},
                         {QStringLiteral("scripts"), scripts}});
    };
    if (flags.contains(QStringLiteral("onlyStrict"))) {
        add(true);
    } else if (flags.contains(QStringLiteral("noStrict")) || flags.contains(QStringLiteral("raw"))) {
        add(false);
    } else {
        add(false);
        add(true);
    }
    return requests;
}

// Runs `jobs` in driver host children; `answer(job, reply)` for every job,
// reply {"outcome": "crash"|"hang"} when the child died on it or stopped answering.
void runBatch(const QString &host, QList<Job> jobs, const std::function<void(const Job &, const QJsonObject &)> &answer)
{
    while (!jobs.isEmpty()) {
        QProcess child;
        // --interpreter: the engine mode device hosts run driver code in.
        child.start(host, {QStringLiteral("--run-batch"), QStringLiteral("--interpreter")});
        if (!child.waitForStarted()) {
            for (const Job &job : jobs)
                answer(job, {{QStringLiteral("outcome"), QStringLiteral("internal")}, {QStringLiteral("message"), child.errorString()}});
            return;
        }
        for (const Job &job : jobs)
            child.write(QJsonDocument(job.request).toJson(QJsonDocument::Compact) + '\n');
        child.closeWriteChannel();
        int done = 0;
        QString failure;
        while (done < jobs.size()) {
            if (child.canReadLine()) {
                answer(jobs.at(done), QJsonDocument::fromJson(child.readLine()).object());
                ++done;
                continue;
            }
            if (child.state() == QProcess::NotRunning) {
                failure = QStringLiteral("crash");
                break;
            }
            // The host stops a job at its own deadline; this is for a host that cannot.
            if (!child.waitForReadyRead(jobTimeoutMs + 5000) && child.state() == QProcess::Running && !child.canReadLine()) {
                failure = QStringLiteral("hang");
                child.kill();
                child.waitForFinished();
                break;
            }
        }
        if (failure.isEmpty()) {
            child.waitForFinished();
            return;
        }
        const QString how = failure == u"crash"
            ? QStringLiteral("the driver host died (%1, exit code %2)")
                  .arg(child.exitStatus() == QProcess::CrashExit ? QStringLiteral("crashed") : QStringLiteral("exited"))
                  .arg(child.exitCode())
            : QStringLiteral("the driver host stopped answering");
        answer(jobs.at(done), {{QStringLiteral("outcome"), failure}, {QStringLiteral("message"), how}});
        jobs = jobs.mid(done + 1);
    }
}

// docs/drivers.md's list of refused constructs, in a form a refusal's
// message can be looked up in.
QString normalized(QString text)
{
    text = text.toLower().remove(QLatin1Char('`')).remove(QLatin1Char('\\'));
    for (const char *op : {"??=", "||=", "&&="})
        text.replace(QLatin1String(op), QLatin1String("op"));
    return text.simplified();
}

QString documentedRefusals(const QString &docsPath)
{
    const QString docs = readText(docsPath);
    const qsizetype from = docs.indexOf(QStringLiteral("### Refused"));
    const qsizetype to = from < 0 ? -1 : docs.indexOf(QStringLiteral("\n#"), from + 4);
    return from < 0 ? QString() : normalized(docs.mid(from, to < 0 ? -1 : to - from));
}

// "2:5 not supported: BigInt literals" → documented when the construct (the
// message up to ", which") is in the list.
bool isDocumented(const QString &refusal, const QString &documented)
{
    static const QRegularExpression construct(QStringLiteral("not supported: (.*)$"));
    const QRegularExpressionMatch m = construct.match(refusal);
    if (!m.hasMatch())
        return false;   // a syntax error of valid code is never acceptable
    const QString what = normalized(m.captured(1).section(QStringLiteral(", which"), 0, 0));
    return !what.isEmpty() && documented.contains(what);
}

} // namespace

class tst_Conformance : public QObject
{
    Q_OBJECT

private slots:
    void test262();
};

void tst_Conformance::test262()
{
    const QString root = QStringLiteral(NUC_TEST262_DIR);
    QFile manifestFile(root + QStringLiteral("/manifest.json"));
    QVERIFY2(manifestFile.open(QIODevice::ReadOnly),
             qPrintable(QStringLiteral("no test262 subset at %1 (set the CMake cache variable NUC_TEST262_DIR)").arg(root)));
    const QJsonArray entries = QJsonDocument::fromJson(manifestFile.readAll()).object().value(QStringLiteral("tests")).toArray();
    QVERIFY(!entries.isEmpty());

    QList<Test> tests;
    QList<Job> jobs;
    for (const QJsonValue &value : entries) {
        const QJsonObject entry = value.toObject();
        if (entry.value(QStringLiteral("flags")).toArray().contains(QStringLiteral("module")))
            continue;   // not part of this run (README)
        const int index = int(tests.size());
        tests.append({entry, {}});
        for (const QJsonObject &request : requestsFor(root, entry, index))
            jobs.append({index, request});
    }

    // Batches from a shared queue, `workers` children at a time.
    std::mutex mutex;
    std::atomic<int> next{0};
    const QString host = QStringLiteral(NUC_DRIVERHOST_BUILD_PATH);
    auto work = [&] {
        for (;;) {
            const int from = next.fetch_add(batchSize);
            if (from >= jobs.size())
                return;
            runBatch(host, jobs.mid(from, batchSize), [&](const Job &job, const QJsonObject &reply) {
                std::lock_guard<std::mutex> lock(mutex);
                tests[job.test].runs.append(judge(tests.at(job.test).entry, reply));
            });
        }
    };
    QElapsedTimer clock;
    clock.start();
    std::vector<std::thread> threads;
    for (int i = 0; i < workers; ++i)
        threads.emplace_back(work);
    for (std::thread &t : threads)
        t.join();

    // Counts per group, the in-scope tests Node passes (the ones that count).
    const QString documented = documentedRefusals(QStringLiteral(NUC_SOURCE_DIR "/docs/drivers.md"));
    QMap<QString, std::array<int, OutcomeCount>> groups;
    std::array<int, OutcomeCount> total{};
    int counted = 0;
    int outOfScopePass = 0;
    int outOfScope = 0;
    QStringList problems;
    QJsonArray results;
    for (const Test &test : tests) {
        const Verdict verdict = test.verdict();
        const QString path = test.entry.value(QStringLiteral("path")).toString();
        const bool counts = test.entry.value(QStringLiteral("scope")).toString() == u"in"
            && test.entry.value(QStringLiteral("node")).toString() == u"pass";
        results.append(QJsonObject{{QStringLiteral("path"), path},
                                   {QStringLiteral("group"), test.entry.value(QStringLiteral("group"))},
                                   {QStringLiteral("counts"), counts},
                                   {QStringLiteral("outcome"), QString::fromLatin1(outcomeNames[verdict.outcome])},
                                   {QStringLiteral("message"), verdict.message}});
        if (!counts) {
            ++outOfScope;
            outOfScopePass += verdict.outcome == Pass ? 1 : 0;
            continue;
        }
        ++counted;
        auto &row = groups[test.entry.value(QStringLiteral("group")).toString()];
        ++row[verdict.outcome];
        ++total[verdict.outcome];
        if (verdict.outcome == Refused && isDocumented(verdict.message, documented))
            continue;
        if (verdict.outcome != Pass)
            problems << QStringLiteral("%1: %2: %3").arg(path, QString::fromLatin1(outcomeNames[verdict.outcome]),
                                                        verdict.outcome == Refused ? verdict.message + QStringLiteral(" (not listed as refused in docs/drivers.md)")
                                                                                   : verdict.message);
    }

    QFile out(QStringLiteral(NUC_CONFORMANCE_RESULTS));
    QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
    out.write(QJsonDocument(results).toJson());
    out.close();

    auto row = [](const QString &name, const std::array<int, OutcomeCount> &counts) {
        QString line = QStringLiteral("%1").arg(name, -36);
        for (int o = 0; o < OutcomeCount; ++o)
            line += QStringLiteral(" %1").arg(counts[o], 6);
        return line;
    };
    QString header = QStringLiteral("%1").arg(QStringLiteral("group (in scope, Node passes)"), -36);
    for (const char *name : outcomeNames)
        header += QStringLiteral(" %1").arg(QString::fromLatin1(name).left(6), 6);
    std::printf("%s\n", qPrintable(header));
    for (auto it = groups.cbegin(); it != groups.cend(); ++it)
        std::printf("%s\n", qPrintable(row(it.key(), it.value())));
    std::printf("%s\n", qPrintable(row(QStringLiteral("total"), total)));
    const double passRate = counted ? double(total[Pass]) / counted : 0;
    std::printf("passed %d of %d (%.1f %%); out of scope or failing in Node: %d of %d pass; %lld ms; results in %s\n",
                total[Pass], counted, 100 * passRate, outOfScopePass, outOfScope, qint64(clock.elapsed()),
                NUC_CONFORMANCE_RESULTS);
    for (const QString &problem : std::as_const(problems))
        std::printf("  %s\n", qPrintable(problem));
    std::fflush(stdout);

    // Every job was answered: the suite itself worked, whatever the gate.
    for (const Test &test : std::as_const(tests))
        QVERIFY2(!test.runs.isEmpty(), qPrintable(test.entry.value(QStringLiteral("path")).toString()));
    if (qEnvironmentVariableIntValue("NUC_CONFORMANCE_REPORT_ONLY") == 1) {
        qInfo("NUC_CONFORMANCE_REPORT_ONLY=1: counts reported, not enforced");
        return;
    }
    QVERIFY2(problems.isEmpty(), qPrintable(QStringLiteral("%1 tests neither pass nor are refused as documented").arg(problems.size())));
    QVERIFY2(passRate >= requiredPassRate, qPrintable(QStringLiteral("%1 % pass, under 85 %").arg(100 * passRate)));
}

QTEST_GUILESS_MAIN(tst_Conformance)
#include "tst_conformance.moc"
