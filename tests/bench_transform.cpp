// Benchmark of the JavaScript transformer: time and peak memory to
// down-level a 5 KB and a 50 KB modern driver in a throw-away engine, and
// the memory left once the engine is gone; and what the skip check
// (TransformSkip) costs on a 5 KB driver that needs no rewrite; and the
// first transform in an engine that only loaded acorn or was warmed up.
//   bench_transform [--runs N]
#include "runtime/drivertransformer.h"
#include "runtime/transformskip.h"
#include "runtime/transformskiptext.h"
#include "runtime/watchdog.h"
#include "testdrivers.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <malloc.h>
#include <vector>

namespace {

double statusMb(const char *field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(qstrlen(field)).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return 0;
}

void resetPeak()
{
    // Linux: writing 5 to clear_refs resets VmHWM to the current RSS.
    QFile f(QStringLiteral("/proc/self/clear_refs"));
    if (f.open(QIODevice::WriteOnly))
        f.write("5");
}

// A modern driver of about `bytes` bytes: async methods, fields, spread/rest.
QString modernDriver(int bytes, int salt)
{
    QString code = QStringLiteral(
        "const BaseDriver = require('./base-driver');\n"
        "// build %1\n"
        "class Generated extends BaseDriver {\n"
        "  state = { power: 'off' };\n"
        "  #pending = 0;\n"
        "  static defaults = { timeout: 1000 };\n").arg(salt);
    int i = 0;
    const QString tail = QStringLiteral("}\nmodule.exports = Generated;\n");
    while (code.size() + tail.size() < bytes) {
        code += QStringLiteral(
                    "  async command%1(params = {}) {\n"
                    "    const { retries = 1, ...rest } = { ...Generated.defaults, ...params };\n"
                    "    try { this.#pending++; const r = await this.transport.request('CMD %1\\r', { until: '\\r' });\n"
                    "      this.state = { ...this.state, last%1: r, retries }; return r; }\n"
                    "    catch { return null; } finally { this.#pending--; }\n"
                    "  }\n")
                    .arg(i++);
    }
    return code + tail;
}

// CPU time of this thread (the transform runs on it): less disturbed by
// other load on the machine than the wall clock.
double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("qt.qml.compiler=false"));
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("runs"), QStringLiteral("Transforms per size (default 20)."), QStringLiteral("n"), QStringLiteral("20")});
    parser.process(app);
    const int runs = parser.value(QStringLiteral("runs")).toInt();
    Watchdog watchdog;

    std::printf("transformer %s (acorn from Debian's node-acorn), throw-away engine per transform\n",
                qPrintable(DriverTransformer::version()));
    for (const int size : {5 * 1024, 50 * 1024}) {
        std::vector<double> cold;   // engine creation + acorn load + transform
        std::vector<double> warm;   // transform only (engine prepared while idle)
        std::vector<double> coldCpu;
        std::vector<double> warmCpu;
        double peakDelta = 0;
        malloc_trim(0);
        const double baseline = statusMb("VmRSS:");
        for (int r = 0; r < runs; ++r) {
            const QString source = modernDriver(size, r);
            malloc_trim(0);
            resetPeak();
            const double before = statusMb("VmRSS:");
            QElapsedTimer t;
            t.start();
            const double cpuStart = threadCpuMs();
            {
                DriverTransformer transformer(&watchdog, 10000);
                const TransformResult result = transformer.transform(source);
                if (!result.ok) {
                    std::fprintf(stderr, "transform failed: %s\n", qPrintable(result.error.message));
                    return 1;
                }
                cold.push_back(t.nsecsElapsed() / 1e6);
                coldCpu.push_back(threadCpuMs() - cpuStart);
                transformer.prepare();   // next engine, as the pipeline does when idle
                const QString next = modernDriver(size, r + 1000);
                QElapsedTimer w;
                w.start();
                const double warmStart = threadCpuMs();
                const TransformResult again = transformer.transform(next);
                warmCpu.push_back(threadCpuMs() - warmStart);
                warm.push_back(w.nsecsElapsed() / 1e6);
                if (!again.ok)
                    return 1;
            }
            peakDelta = std::max(peakDelta, statusMb("VmHWM:") - before);
        }
        malloc_trim(0);
        const double after = statusMb("VmRSS:");
        std::sort(cold.begin(), cold.end());
        std::sort(warm.begin(), warm.end());
        std::sort(coldCpu.begin(), coldCpu.end());
        std::sort(warmCpu.begin(), warmCpu.end());
        std::printf("%2d KB driver (%d runs): transform alone median %.1f ms (max %.1f); with a fresh engine and acorn "
                    "median %.1f ms (max %.1f)\n",
                    size / 1024, runs, warm[warm.size() / 2], warm.back(), cold[cold.size() / 2], cold.back());
        std::printf("        CPU time: transform alone median %.1f ms (max %.1f); with a fresh engine and acorn median %.1f ms\n",
                    warmCpu[warmCpu.size() / 2], warmCpu.back(), coldCpu[coldCpu.size() / 2]);
        std::printf("        peak memory above the start of a run: %.1f MB; left after the engines are gone: %+.1f MB\n",
                    peakDelta, after - baseline);
    }
    // The first driver needing a rewrite in a validator host: acorn loaded
    // (prepare(), what `warm` did before) or also warmed up by the sample
    // (warmUp(), what `warm` does now). CPU time of the transform alone.
    for (const bool sample : {false, true}) {
        std::vector<double> first;
        for (int r = 0; r < runs; ++r) {
            DriverTransformer transformer(&watchdog, 10000);
            if (sample ? !transformer.warmUp() : (transformer.prepare(), false))
                return 1;
            const double start = threadCpuMs();
            if (!transformer.transform(modernDriver(5 * 1024, r + 2000)).ok)
                return 1;
            first.push_back(threadCpuMs() - start);
        }
        std::sort(first.begin(), first.end());
        std::printf("first 5 KB modern transform in a prepared engine, %s: CPU median %.1f ms (max %.1f)\n",
                    sample ? "after warmUp()" : "acorn loaded only", first[first.size() / 2], first.back());
    }
    std::vector<double> skip, text;
    for (int r = 0; r < 200; ++r) {
        const QString plain = TestDrivers::sized(5120) + QStringLiteral("// build %1\n").arg(r);
        QElapsedTimer t;
        t.start();
        if (!TransformSkip::unchanged(plain))
            return 1;
        skip.push_back(t.nsecsElapsed() / 1e3);
        const char *why = nullptr;
        t.start();
        if (TransformSkip::textTrigger(plain, &why))
            return 1;
        text.push_back(t.nsecsElapsed() / 1e3);
    }
    std::sort(skip.begin(), skip.end());
    std::sort(text.begin(), text.end());
    std::printf("skip check of the 5 KB benchmark driver (needs no rewrite): median %.1f us (max %.1f), of which the text rules %.1f us\n",
                skip[skip.size() / 2], skip.back(), text[text.size() / 2]);
    return 0;
}
