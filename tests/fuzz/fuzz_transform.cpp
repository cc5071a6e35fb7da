// libFuzzer target: one input = one driver source (UTF-8). Every input goes
// through TransformSkip::unchanged (the JsLexer scan, pure C++); inputs up to
// transformMaxBytes also through DriverTransformer::transform in Full mode
// (acorn and the passes in QJSEngine, under the watchdog), which is what a
// pushed driver meets. The size cap and the budget keep one run short: the
// engine costs milliseconds per KB, the scan microseconds.
#include "runtime/drivertransformer.h"
#include "runtime/transformskip.h"
#include "runtime/watchdog.h"

#include <QCoreApplication>
#include <QString>
#include <QtGlobal>

#include <cstddef>
#include <cstdint>

namespace {

constexpr size_t transformMaxBytes = 4096;
// Generous against a slow sanitised build, yet it stops a runaway pass.
constexpr int budgetMs = 2000;

qsizetype g_sink = 0;

void quiet(QtMsgType, const QMessageLogContext &, const QString &message)
{
    g_sink += message.size();
}

DriverTransformer &transformer()
{
    // Never destroyed: libFuzzer leaves through exit(), and tearing down an
    // engine there only adds noise.
    static auto *watchdog = new Watchdog;
    static auto *t = [] {
        auto *p = new DriverTransformer(watchdog, budgetMs);
        p->prepare();
        return p;
    }();
    return *t;
}

} // namespace

// No leak checking here: QJSEngine keeps what its objects own (strings,
// compiled units) reachable only from its garbage-collected heap, which lives
// in mmap'd chunks LeakSanitizer does not scan, so every input that makes a
// JS object "leaks" (every reported stack is inside libQt6Qml/Core).
// fuzz_protocol keeps leak checking.
extern "C" const char *__asan_default_options()
{
    return "detect_leaks=0";
}

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    // QJSEngine wants an application object (its thread and event loop).
    static QCoreApplication app(*argc, *argv);
    qInstallMessageHandler(quiet);
    transformer();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    const QString source = QString::fromUtf8(reinterpret_cast<const char *>(bytes), qsizetype(size));
    const char *reason = nullptr;
    g_sink += TransformSkip::unchanged(source, &reason) ? 1 : 0;
    if (size <= transformMaxBytes) {
        const TransformResult result = transformer().transform(source, TransformMode::Full);
        g_sink += result.code.size() + result.error.message.size();
    }
    return 0;
}
