#include "runtime/drivertransformer.h"

#include "core/logcategories.h"
#include "runtime/transformskip.h"
#include "runtime/watchdog.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJSEngine>

namespace {

QString resource(const QString &path)
{
    return DriverModule::resource(path);
}

// The transformer's scripts: acorn, then every file of
// resources/js/transform/ (app/CMakeLists.txt lists them) in name order.
// Those files only define; the order the passes run in is the ORDER of
// transform.js. The one list both loads them and keys version().
const QStringList &scripts()
{
    static const QStringList list = [] {
        QStringList files{QStringLiteral(":/nuc/js/acorn.js")};
        const QDir dir(QStringLiteral(":/nuc/js/transform"));
        for (const QString &name : dir.entryList({QStringLiteral("*.js")}, QDir::Files, QDir::Name))
            files << dir.filePath(name);
        return files;
    }();
    return list;
}

} // namespace

DriverTransformer::DriverTransformer(Watchdog *watchdog, int budgetMs)
    : m_watchdog(watchdog), m_budgetMs(budgetMs)
{
}

DriverTransformer::~DriverTransformer() = default;

QString DriverTransformer::version()
{
    // The sources of all the transformer's scripts: any change re-transforms.
    static const QString v = [] {
        QCryptographicHash hash(QCryptographicHash::Sha256);
        for (const QString &file : scripts())
            hash.addData(resource(file).toUtf8());
        return QString::fromLatin1(hash.result().toHex().left(16));
    }();
    return v;
}

void DriverTransformer::prepare()
{
    m_retired.reset();
    if (m_engine)
        return;
    auto engine = std::make_unique<QJSEngine>();
    for (const QString &file : scripts()) {
        const QString source = resource(file);
        const QJSValue r = engine->evaluate(source, QString(file).replace(QStringLiteral(":/nuc/js/"), QStringLiteral("nuc:")));
        if (source.isEmpty() || r.isError()) {
            qCCritical(lcRuntime) << "cannot load the transformer's" << file << r.toString();
            return;
        }
    }
    if (!engine->globalObject().property(QStringLiteral("NucTransform")).property(QStringLiteral("transform")).isCallable()) {
        qCCritical(lcRuntime) << "the transformer's scripts define no NucTransform.transform";
        return;
    }
    m_engine = std::move(engine);
}

bool DriverTransformer::warmUp()
{
    // Every kind of rewrite, a few times over (the JIT counts calls).
    static const QString sample = QStringLiteral(R"(const BaseDriver = require('./base-driver');
class WarmDriver extends BaseDriver {
  state = { power: 'off', input: null };
  #pending = 0;
  static protocol = 'tcp';
  static #count = 0;
  get pending() { return this.#pending; }
  #track(delta) { this.#pending += delta; WarmDriver.#count++; }
  async connect() { await this.openTransport?.(); this.state.input ??= 'hdmi1'; }
  async sendCommand(command, { retries = 1, ...opts } = {}) {
    this.#track(1);
    this.state.last ||= command;
    this.state.ok &&= true;
    try { return { ...this.state, ...opts, retries, at: `${command}:${retries}` }; } catch { return null; } finally { this.#track(-1); }
  }
  *frames(list) { for (const item of list) yield item; }
  async each(list) { for (const f of this.frames(list)) { const [a, b = 2, ...rest] = await f; this.emit?.('frame', a, b, ...rest); } }
  onData = async (data) => { const { type, value: v = 0, ...more } = data ?? {}; return type?.length ? [v, more] : null; };
}
module.exports = WarmDriver;
)");
    prepare();
    bool ok = m_engine != nullptr;
    for (int i = 0; ok && i < 3; ++i)
        ok = transform(sample, TransformMode::Full).ok;
    return ok;
}

TransformResult DriverTransformer::transform(const QString &source, TransformMode mode)
{
    TransformResult result;
    // Most drivers need no rewrite: acorn's parse (≈ 10 ms for 5 KB) is
    // skipped when the text proves that nothing would change.
    if (mode == TransformMode::Skip && TransformSkip::unchanged(source)) {
        result.ok = true;
        result.code = source;
        return result;
    }
    prepare();
    if (!m_engine) {
        result.error = {QStringLiteral("internal"), QStringLiteral("the JavaScript transformer could not be loaded"), {}, 0};
        return result;
    }
    // One engine for every transform: acorn and the passes are loaded once.
    // No driver code runs in it (the source is only parsed, as data) and a
    // transform keeps no state between calls (its passes are made per call),
    // so a kept engine gives the same output as a fresh one (tst_transform
    // runs the golden corpus both ways). An engine whose transform was
    // interrupted or failed inside is replaced.
    QJSEngine *engine = m_engine.get();
    QJSValue out;
    {
        WatchdogScope scope(m_watchdog, engine, m_budgetMs);
        out = engine->globalObject()
                  .property(QStringLiteral("NucTransform"))
                  .property(QStringLiteral("transform"))
                  .call({source});
        if (scope.finish()) {
            m_retired = std::move(m_engine);   // destroyed on the next prepare()
            result.error = {QStringLiteral("watchdog"),
                            QStringLiteral("transforming the driver ran past the %1 ms budget").arg(m_budgetMs), {}, 0};
            return result;
        }
    }
    if (out.isError()) {
        m_retired = std::move(m_engine);
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
