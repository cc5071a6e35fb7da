// Turns modern driver source into code QJSEngine 6.4 runs correctly
// (resources/js/transform/ over acorn, compiled in as resources), in one
// long-lived engine under the watchdog (acorn is loaded once). Lines stay
// where the author put them.
#pragma once

#include "runtime/drivermodule.h"

#include <QString>

#include <memory>

class QJSEngine;
class Watchdog;

// Skip: the rewrite is skipped when TransformSkip proves from the text that
// it would change nothing (the result is then the source itself). Full:
// always through acorn, e.g. to get acorn's syntax error for a source that
// was skipped and then failed validation.
enum class TransformMode { Skip, Full };

struct TransformResult
{
    bool ok = false;
    QString code;          // the runnable form (== source when nothing needed changing)
    ScriptError error;     // rule "syntax" or "unsupported", with line and column
};

class DriverTransformer
{
public:
    DriverTransformer(Watchdog *watchdog, int budgetMs);
    ~DriverTransformer();

    TransformResult transform(const QString &source, TransformMode mode = TransformMode::Skip);
    // Loads acorn and the passes once, ahead of the first transform (and
    // again after a transform that had to be interrupted).
    void prepare();
    // prepare(), then transforms a built-in sample that needs every pass,
    // so that the engine has compiled acorn's and the passes' hot functions
    // (QV4 compiles a function after a few calls) before the first driver
    // that needs a rewrite. For an idle host (the validator's `warm`).
    // False when the sample did not come out transformed.
    bool warmUp();

    // Changes whenever the transform's output may change: part of the cache key.
    static QString version();

private:
    Watchdog *m_watchdog;
    int m_budgetMs;
    std::unique_ptr<QJSEngine> m_engine;
    std::unique_ptr<QJSEngine> m_retired;
};
