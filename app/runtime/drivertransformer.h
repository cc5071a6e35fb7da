// Turns modern driver source into code QJSEngine 6.4 runs correctly
// (resources/js/transform/ over acorn, compiled in as resources), in a
// throw-away engine under the watchdog. Lines stay where the author put them.
#pragma once

#include "runtime/drivermodule.h"

#include <QString>

#include <memory>

class QJSEngine;
class Watchdog;

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

    TransformResult transform(const QString &source);
    // Loads acorn into the next throw-away engine ahead of time (idle work).
    void prepare();

    // Changes whenever the transform's output may change: part of the cache key.
    static QString version();

private:
    Watchdog *m_watchdog;
    int m_budgetMs;
    std::unique_ptr<QJSEngine> m_spare;
    std::unique_ptr<QJSEngine> m_retired;
};
