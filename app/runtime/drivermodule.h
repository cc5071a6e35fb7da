// Evaluates driver source as a CommonJS module inside a QJSEngine, under the
// watchdog: `module`, `exports` and a `require` that knows only the host's
// built-in modules (compiled in as Qt resources). Shared by validation at
// sync time and by the driver runtime.
#pragma once

#include <QJSValue>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <utility>

class QJSEngine;
class QObject;
class Watchdog;

// A failure while transforming or evaluating a driver, with the rule it
// broke. Every text made from one comes from describe(), so that the cloud,
// the log and --check-driver word the same failure the same way.
struct ScriptError
{
    QString rule;       // "syntax", "unsupported", "evaluation", "watchdog", ...
    QString message;    // one line, for people
    QString stack;      // the JS stack when there is one
    int line = 0;       // line in the driver source, 0 if unknown
    int column = 0;     // column (from 1) on that line, 0 if unknown

    bool isNull() const { return rule.isEmpty(); }
    // "12:5", or "12" when the column is unknown.
    QString location() const;
    // Without `file`: one sentence for the cloud and the log, e.g.
    // "syntax error at line 4:7: Unexpected token". With `file`: the
    // compiler-style line --check-driver prints, "file:4:7: error: ...".
    QString describe(const QString &file = {}) const;
};

class DriverModule
{
public:
    // Evaluates `code` as a module; on success `*exports` is module.exports.
    static ScriptError load(QJSEngine *engine, Watchdog *watchdog, int budgetMs, const QString &code,
                            const QString &fileName, QJSValue *exports);

    // Installs the module system (require and the built-in modules,
    // compiled into the binary) into a fresh engine; load() does it when
    // needed. Cheap to call again. Returns an error line or empty.
    static QString installRequire(QJSEngine *engine);
    // Installs resources/js/prelude.js (what QJSEngine 6.4 lacks, the
    // helpers of down-levelled code). Returns an error line or empty;
    // `hooks`, if given, gets what the prelude offers the host (host.js).
    static QString installPrelude(QJSEngine *engine, QJSValue *hooks = nullptr);
    // Installs the host's globals (console, timers, transports; see
    // resources/js/host.js) around `bridge` (a HostBridge) and the driver's
    // info ({protocol, commandMappings}). Returns an error line or empty.
    // `entryPoints` receives what the host calls into: {invoke, construct,
    // timerFired}; none of it is reachable from driver code.
    static QString installHost(QJSEngine *engine, QObject *bridge, const QJsonObject &driverInfo,
                               QJSValue *entryPoints = nullptr);
    // require(name) as a driver would call it; an error value when unknown.
    static QJSValue require(QJSEngine *engine, const QString &name);

    // Turns a thrown JS value (an Error, or any object with a message) into
    // a ScriptError of the given rule: message, stack, line. With
    // `fileName`, the line is the first stack frame in that file.
    static ScriptError fromJsError(const QJSValue &error, const QString &rule, const QString &fileName = {});

    // One of the host's scripts, compiled ahead of time into the binary
    // (app/CMakeLists.txt, :/nuc/NucHostJs/<name>.mjs): its default export.
    static QJSValue hostScript(QJSEngine *engine, const QString &name);

    // The text of a compiled-in resource (:/nuc/js/...), read once.
    static QString resource(const QString &path);

    // The function a module's source is wrapped in, its first line on the
    // wrapper's line: (function (exports, require, module) {CODE\n}).
    static QString moduleHead();
    static QString moduleTail();

    // Names a driver may require(), with the host script (compiled into the
    // binary, :/nuc/NucHostJs/<script>.mjs) of each. `buffer` is not among
    // them: see installRequire().
    static QList<std::pair<QString, QString>> builtinModules();
};
