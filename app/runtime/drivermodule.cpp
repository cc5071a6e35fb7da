#include "runtime/drivermodule.h"

#include "runtime/watchdog.h"

#include <QFile>
#include <QHash>
#include <QJSEngine>
#include <QMutex>

namespace {

// The driver's first line shares the wrapper's line, so line numbers in
// errors and stacks are the author's.
const QString wrapperHead = QStringLiteral("(function (exports, require, module) {");
const QString wrapperTail = QStringLiteral("\n})");

QString readResource(const QString &path)
{
    static QMutex mutex;
    static QHash<QString, QString> cache;
    QMutexLocker lock(&mutex);
    auto it = cache.constFind(path);
    if (it != cache.constEnd())
        return *it;
    QFile f(path);
    QString text;
    if (f.open(QIODevice::ReadOnly))
        text = QString::fromUtf8(f.readAll());
    cache.insert(path, text);
    return text;
}

// require() for one engine: built-in modules only, each evaluated once per
// engine and cached on the function itself.
const QString requireFactory = QStringLiteral(R"JS(
(function (loadBuiltin) {
    var cache = Object.create(null);
    return function require(name) {
        name = String(name);
        if (Object.prototype.hasOwnProperty.call(cache, name))
            return cache[name];
        var value = loadBuiltin(name);
        if (value === undefined)
            throw new Error('module not available: ' + name);
        cache[name] = value;
        return value;
    };
})
)JS");

} // namespace

QString DriverModule::resource(const QString &path)
{
    return readResource(path);
}

QString DriverModule::moduleHead()
{
    return wrapperHead;
}

QString DriverModule::moduleTail()
{
    return wrapperTail;
}

QList<std::pair<QString, QString>> DriverModule::builtinModules()
{
    return {
        {QStringLiteral("./base-driver"), QStringLiteral(":/nuc/js/base-driver.js")},
        {QStringLiteral("events"), QStringLiteral(":/nuc/js/events.js")},
        // Built from Debian's node-buffer (app/CMakeLists.txt).
        {QStringLiteral("buffer"), QStringLiteral(":/nuc/js/buffer.js")},
    };
}

QString ScriptError::location() const
{
    return column > 0 ? QStringLiteral("%1:%2").arg(line).arg(column) : QString::number(line);
}

QString ScriptError::describe(const QString &file) const
{
    if (!file.isEmpty()) {
        const QString where = line > 0 ? QStringLiteral("%1:%2").arg(file, location()) : file;
        QString what;
        if (rule == u"syntax")
            what = QStringLiteral("syntax error: ") + message;
        else if (rule == u"unsupported")
            what = QStringLiteral("not supported: ") + message;
        else
            what = QStringLiteral("%1: %2").arg(rule, message);
        return QStringLiteral("%1: error: %2").arg(where, what);
    }
    if (rule == u"syntax")
        return QStringLiteral("syntax error at line %1: %2").arg(location(), message);
    if (rule == u"unsupported")
        return QStringLiteral("not supported: %1 (line %2)").arg(message, location());
    if (rule == u"evaluation") {
        return line > 0 ? QStringLiteral("evaluating the module threw at line %1: %2").arg(location(), message)
                        : QStringLiteral("evaluating the module threw: %1").arg(message);
    }
    return QStringLiteral("%1: %2").arg(rule, message);
}

ScriptError DriverModule::fromJsError(const QJSValue &error, const QString &rule, const QString &fileName)
{
    ScriptError e;
    e.rule = rule;
    e.message = error.toString();
    e.stack = error.property(QStringLiteral("stack")).toString();
    if (error.property(QStringLiteral("stack")).isUndefined())
        e.stack.clear();
    e.line = error.property(QStringLiteral("lineNumber")).toInt();
    // Thrown inside host code (require, BaseDriver): the line that matters
    // is the driver's own, the first stack frame in the driver's file.
    if (!fileName.isEmpty() && !e.stack.isEmpty()) {
        const QString marker = fileName + QLatin1Char(':');
        const QStringList frames = e.stack.split(QLatin1Char('\n'));
        for (const QString &frame : frames) {
            const qsizetype at = frame.lastIndexOf(marker);
            if (at < 0)
                continue;
            bool ok = false;
            const int line = frame.mid(at + marker.size()).toInt(&ok);
            if (ok) {
                e.line = line;
                break;
            }
        }
    }
    return e;
}

namespace {

// Evaluates module source and runs it with fresh module/exports objects.
ScriptError evaluateModule(QJSEngine *engine, Watchdog *watchdog, int budgetMs, const QString &code,
                           const QString &fileName, const QJSValue &require, QJSValue *exports)
{
    QJSValue module = engine->newObject();
    module.setProperty(QStringLiteral("exports"), engine->newObject());

    // A thrown value is turned into text under the same watchdog: an error
    // whose toString() loops is stopped like any other loop.
    WatchdogScope scope(watchdog, engine, budgetMs);
    QJSValue function = engine->evaluate(wrapperHead + code + wrapperTail, fileName, 1);
    if (function.isError()) {
        ScriptError e = DriverModule::fromJsError(function, QStringLiteral("syntax"));   // its own line
        if (scope.finish())
            return {QStringLiteral("watchdog"),
                    QStringLiteral("parsing the module ran past the %1 ms budget").arg(budgetMs), {}, 0};
        if (function.errorType() != QJSValue::SyntaxError)
            e.rule = QStringLiteral("evaluation");
        return e;
    }
    QJSValue result = function.call({module.property(QStringLiteral("exports")), require, module});
    ScriptError thrown;
    if (result.isError())
        thrown = DriverModule::fromJsError(result, QStringLiteral("evaluation"), fileName);
    const bool timedOut = scope.finish();
    if (result.isError()) {
        if (timedOut) {
            return {QStringLiteral("watchdog"),
                    QStringLiteral("evaluating the module ran past the %1 ms budget and was stopped").arg(budgetMs),
                    {}, 0};
        }
        return thrown;
    }
    *exports = module.property(QStringLiteral("exports"));
    return {};
}

} // namespace

void DriverModule::installRequire(QJSEngine *engine)
{
    if (engine->globalObject().property(QStringLiteral("__nucRequire")).isCallable())
        return;
    // The built-in modules' sources are handed in from C++ (Qt resources);
    // each is evaluated as a module on its first require().
    QJSValue sources = engine->newObject();
    for (const auto &[name, resource] : builtinModules())
        sources.setProperty(name, readResource(resource));
    QJSValue loaderFactory = engine->evaluate(QStringLiteral(R"JS(
(function (sources, head, tail) {
    // Taken before the prelude hides eval from drivers.
    var evaluate = eval;
    var requireRef = { fn: null };
    function loadBuiltin(name) {
        if (!Object.prototype.hasOwnProperty.call(sources, name))
            return undefined;
        var module = { exports: {} };
        var fn = evaluate(head + sources[name] + tail);
        fn(module.exports, requireRef.fn, module);
        return module.exports;
    }
    return { loadBuiltin: loadBuiltin, ref: requireRef };
})
)JS"), QStringLiteral("nuc:loader"));
    QJSValue factory = engine->evaluate(requireFactory, QStringLiteral("nuc:require"));
    QJSValue loader = loaderFactory.call({sources, wrapperHead, wrapperTail});
    QJSValue require = factory.call({loader.property(QStringLiteral("loadBuiltin"))});
    loader.property(QStringLiteral("ref")).setProperty(QStringLiteral("fn"), require);
    engine->globalObject().setProperty(QStringLiteral("__nucRequire"), require);
}

QString DriverModule::installHost(QJSEngine *engine, QObject *bridge, const QJsonObject &driverInfo,
                                  QJSValue *entryPoints)
{
    installRequire(engine);
    // What drivers commonly use and QJSEngine 6.4 lacks, and the helpers of
    // down-levelled code (resources/js/prelude.js).
    const QJSValue prelude = engine->evaluate(readResource(QStringLiteral(":/nuc/js/prelude.js")),
                                              QStringLiteral("nuc:prelude.js"));
    if (prelude.isError())
        return QStringLiteral("cannot install the prelude: %1").arg(prelude.toString());
    QJSEngine::setObjectOwnership(bridge, QJSEngine::CppOwnership);
    QJSValue global = engine->globalObject();
    global.setProperty(QStringLiteral("__nucDriverInfo"), engine->toScriptValue(driverInfo.toVariantMap()));
    // The bridge is handed to host.js as an argument, never published on
    // the global object (DRIVER_API.md "Containment").
    const QJSValue install = engine->evaluate(readResource(QStringLiteral(":/nuc/js/host.js")),
                                              QStringLiteral("nuc:host.js"));
    const QJSValue result = install.isError() ? install : install.call({global, engine->newQObject(bridge)});
    if (result.isError())
        return QStringLiteral("cannot install the driver host: %1").arg(result.toString());
    if (entryPoints)
        *entryPoints = result;
    return {};
}

QJSValue DriverModule::require(QJSEngine *engine, const QString &name)
{
    installRequire(engine);
    return engine->globalObject().property(QStringLiteral("__nucRequire")).call({name});
}

ScriptError DriverModule::load(QJSEngine *engine, Watchdog *watchdog, int budgetMs, const QString &code,
                               const QString &fileName, QJSValue *exports)
{
    installRequire(engine);
    const QJSValue require = engine->globalObject().property(QStringLiteral("__nucRequire"));
    return evaluateModule(engine, watchdog, budgetMs, code, fileName, require, exports);
}
