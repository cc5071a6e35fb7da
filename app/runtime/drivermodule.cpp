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

} // namespace

// importModule finds the compiled unit, so the engine instantiates it
// without parsing the source.
QJSValue DriverModule::hostScript(QJSEngine *engine, const QString &name)
{
    const QJSValue module = engine->importModule(QStringLiteral(":/nuc/NucHostJs/%1.mjs").arg(name));
    return module.isError() ? module : module.property(QStringLiteral("default"));
}

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
        {QStringLiteral("./base-driver"), QStringLiteral("base-driver")},
        {QStringLiteral("events"), QStringLiteral("events")},
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

QString DriverModule::installRequire(QJSEngine *engine)
{
    if (engine->globalObject().property(QStringLiteral("__nucRequire")).isCallable())
        return {};
    // Each built-in module is a compiled function (exports, require,
    // module), run on its first require().
    QJSValue factories = engine->newObject();
    for (const auto &[name, script] : builtinModules()) {
        const QJSValue factory = hostScript(engine, script);
        if (!factory.isCallable())
            return QStringLiteral("cannot load the built-in module %1: %2").arg(name, factory.toString());
        factories.setProperty(name, factory);
    }
    // `buffer` (Debian's node-buffer, bundled in app/CMakeLists.txt) stays a
    // source compiled on its first require(): it is large (its first use
    // costs ~9 ms, most engines never use it), and as a module it would run
    // strict, where QJSEngine 6.4 drops stores in tail position. The eval
    // used is taken here, before the prelude hides it from drivers.
    const QJSValue lazySource = hostScript(engine, QStringLiteral("lazy-module"));
    factories.setProperty(QStringLiteral("buffer"),
                          lazySource.call({engine->globalObject().property(QStringLiteral("eval")), wrapperHead,
                                           readResource(QStringLiteral(":/nuc/js/buffer.js")), wrapperTail}));
    const QJSValue makeRequire = hostScript(engine, QStringLiteral("require"));
    const QJSValue require = makeRequire.isCallable() ? makeRequire.call({factories}) : makeRequire;
    if (!require.isCallable())
        return QStringLiteral("cannot install require(): %1").arg(require.toString());
    engine->globalObject().setProperty(QStringLiteral("__nucRequire"), require);
    return {};
}

QString DriverModule::installPrelude(QJSEngine *engine, QJSValue *hooks)
{
    // What drivers commonly use and QJSEngine 6.4 lacks, and the helpers of
    // down-levelled code (resources/js/prelude.js).
    const QJSValue install = hostScript(engine, QStringLiteral("prelude"));
    const QJSValue prelude = install.isCallable() ? install.call({engine->globalObject()}) : install;
    if (prelude.isError())
        return QStringLiteral("cannot install the prelude: %1").arg(prelude.toString());
    if (hooks)
        *hooks = prelude;
    return {};
}

QString DriverModule::installHost(QJSEngine *engine, QObject *bridge, const QJsonObject &driverInfo,
                                  QJSValue *entryPoints)
{
    QJSValue preludeHooks;
    QString error = installRequire(engine);
    if (error.isEmpty())
        error = installPrelude(engine, &preludeHooks);
    if (!error.isEmpty())
        return error;
    QJSEngine::setObjectOwnership(bridge, QJSEngine::CppOwnership);
    QJSValue global = engine->globalObject();
    global.setProperty(QStringLiteral("__nucDriverInfo"), engine->toScriptValue(driverInfo.toVariantMap()));
    // The bridge and the prelude's hooks are handed to host.js as
    // arguments, never published on the global object (DRIVER_API.md
    // "Containment").
    const QJSValue install = hostScript(engine, QStringLiteral("host"));
    const QJSValue result = install.isCallable() ? install.call({global, engine->newQObject(bridge), preludeHooks}) : install;
    if (result.isError() || !result.isObject())
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
