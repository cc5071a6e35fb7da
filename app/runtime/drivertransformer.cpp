#include "drivertransformer.h"

#include "logcategories.h"
#include "watchdog.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJSEngine>

namespace {

QString resource(const QString &path)
{
    return DriverModule::resource(path);
}

} // namespace

DriverTransformer::DriverTransformer(Watchdog *watchdog, int budgetMs)
    : m_watchdog(watchdog), m_budgetMs(budgetMs)
{
}

DriverTransformer::~DriverTransformer() = default;

QString DriverTransformer::version()
{
    // The transformer's own source and acorn's: any change re-transforms.
    static const QString v = QString::fromLatin1(
        QCryptographicHash::hash((resource(QStringLiteral(":/nuc/js/transform.js"))
                                  + resource(QStringLiteral(":/nuc/js/acorn.js")))
                                     .toUtf8(),
                                 QCryptographicHash::Sha256)
            .toHex()
            .left(16));
    return v;
}

void DriverTransformer::prepare()
{
    m_retired.reset();
    if (m_spare)
        return;
    auto engine = std::make_unique<QJSEngine>();
    QJSValue r = engine->evaluate(resource(QStringLiteral(":/nuc/js/acorn.js")), QStringLiteral("nuc:acorn.js"));
    if (r.isError()) {
        qCCritical(lcRuntime) << "cannot load acorn:" << r.toString();
        return;
    }
    r = engine->evaluate(resource(QStringLiteral(":/nuc/js/transform.js")), QStringLiteral("nuc:transform.js"));
    if (r.isError()) {
        qCCritical(lcRuntime) << "cannot load the transformer:" << r.toString();
        return;
    }
    m_spare = std::move(engine);
}

TransformResult DriverTransformer::transform(const QString &source)
{
    TransformResult result;
    prepare();
    if (!m_spare) {
        result.error = {QStringLiteral("internal"), QStringLiteral("the JavaScript transformer could not be loaded"), {}, 0};
        return result;
    }
    m_retired = std::move(m_spare);   // destroyed on the next prepare()
    QJSEngine *engine = m_retired.get();
    QJSValue out;
    {
        WatchdogScope scope(m_watchdog, engine, m_budgetMs);
        out = engine->globalObject()
                  .property(QStringLiteral("NucTransform"))
                  .property(QStringLiteral("transform"))
                  .call({source});
        if (scope.finish()) {
            result.error = {QStringLiteral("watchdog"),
                            QStringLiteral("transforming the driver ran past the %1 ms budget").arg(m_budgetMs), {}, 0};
            return result;
        }
    }
    if (out.isError()) {
        result.error = {QStringLiteral("internal"), QStringLiteral("the transformer failed: %1").arg(out.toString()),
                        out.property(QStringLiteral("stack")).toString(), 0};
        return result;
    }
    if (out.property(QStringLiteral("ok")).toBool()) {
        result.ok = true;
        result.code = out.property(QStringLiteral("code")).toString();
        return result;
    }
    result.error.rule = out.property(QStringLiteral("kind")).toString();   // syntax | unsupported
    result.error.message = out.property(QStringLiteral("message")).toString();
    result.error.line = out.property(QStringLiteral("line")).toInt();
    result.error.column = out.property(QStringLiteral("column")).toInt();
    return result;
}
