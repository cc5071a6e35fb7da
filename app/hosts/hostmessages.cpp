#include "hosts/hostmessages.h"

#include <QJsonArray>

namespace HostMessages {

QJsonObject fromSpec(const DriverSpec &spec)
{
    return {{QStringLiteral("driverType"), spec.driverType},
            {QStringLiteral("version"), spec.version},
            {QStringLiteral("code"), spec.code},
            {QStringLiteral("protocol"), spec.protocol},
            {QStringLiteral("commandMappings"), spec.commandMappings},
            {QStringLiteral("config"), spec.config},
            {QStringLiteral("deviceId"), spec.deviceId},
            {QStringLiteral("name"), spec.name}};
}

DriverSpec toSpec(const QJsonObject &o)
{
    DriverSpec spec;
    spec.driverType = o.value(QStringLiteral("driverType")).toString();
    spec.version = o.value(QStringLiteral("version")).toString();
    spec.code = o.value(QStringLiteral("code")).toString();
    spec.protocol = o.value(QStringLiteral("protocol")).toString();
    spec.commandMappings = o.value(QStringLiteral("commandMappings")).toArray();
    spec.config = o.value(QStringLiteral("config")).toObject();
    spec.deviceId = o.value(QStringLiteral("deviceId")).toString();
    spec.name = o.value(QStringLiteral("name")).toString();
    return spec;
}

QJsonObject fromSettings(const RuntimeSettings &s)
{
    return {{QStringLiteral("budgetMs"), s.budgetMs},
            {QStringLiteral("connectTimeoutMs"), s.connectTimeoutMs},
            {QStringLiteral("commandTimeoutMs"), s.commandTimeoutMs},
            {QStringLiteral("disconnectTimeoutMs"), s.disconnectTimeoutMs},
            {QStringLiteral("teardownTimeoutMs"), s.teardownTimeoutMs},
            {QStringLiteral("maxPendingTimers"), s.maxPendingTimers},
            {QStringLiteral("logLinesPerSecond"), s.logLinesPerSecond}};
}

RuntimeSettings toSettings(const QJsonObject &o)
{
    RuntimeSettings s;
    s.budgetMs = o.value(QStringLiteral("budgetMs")).toInt(s.budgetMs);
    s.connectTimeoutMs = o.value(QStringLiteral("connectTimeoutMs")).toInt(s.connectTimeoutMs);
    s.commandTimeoutMs = o.value(QStringLiteral("commandTimeoutMs")).toInt(s.commandTimeoutMs);
    s.disconnectTimeoutMs = o.value(QStringLiteral("disconnectTimeoutMs")).toInt(s.disconnectTimeoutMs);
    s.teardownTimeoutMs = o.value(QStringLiteral("teardownTimeoutMs")).toInt(s.teardownTimeoutMs);
    s.maxPendingTimers = o.value(QStringLiteral("maxPendingTimers")).toInt(s.maxPendingTimers);
    s.logLinesPerSecond = o.value(QStringLiteral("logLinesPerSecond")).toInt(s.logLinesPerSecond);
    return s;
}

QJsonObject fromResult(const CallResult &r)
{
    QJsonObject o{{QStringLiteral("ok"), r.ok}, {QStringLiteral("durationMs"), r.durationMs}};
    // A value of undefined travels as an absent key.
    if (!r.value.isUndefined())
        o.insert(QStringLiteral("value"), r.value);
    if (!r.error.isEmpty())
        o.insert(QStringLiteral("error"), r.error);
    if (!r.stack.isEmpty())
        o.insert(QStringLiteral("stack"), r.stack);
    if (r.timedOut)
        o.insert(QStringLiteral("timedOut"), true);
    if (r.missedDeadline)
        o.insert(QStringLiteral("missedDeadline"), true);
    if (r.thrown)
        o.insert(QStringLiteral("thrown"), true);
    return o;
}

CallResult toResult(const QJsonObject &o)
{
    CallResult r;
    r.ok = o.value(QStringLiteral("ok")).toBool();
    r.value = o.value(QStringLiteral("value"));
    r.error = o.value(QStringLiteral("error")).toString();
    r.stack = o.value(QStringLiteral("stack")).toString();
    r.timedOut = o.value(QStringLiteral("timedOut")).toBool();
    r.missedDeadline = o.value(QStringLiteral("missedDeadline")).toBool();
    r.thrown = o.value(QStringLiteral("thrown")).toBool();
    r.durationMs = o.value(QStringLiteral("durationMs")).toDouble();
    return r;
}

QJsonObject fromError(const ScriptError &e)
{
    if (e.isNull())
        return {};
    return {{QStringLiteral("rule"), e.rule},
            {QStringLiteral("message"), e.message},
            {QStringLiteral("stack"), e.stack},
            {QStringLiteral("line"), e.line},
            {QStringLiteral("column"), e.column}};
}

ScriptError toError(const QJsonObject &o)
{
    ScriptError e;
    e.rule = o.value(QStringLiteral("rule")).toString();
    e.message = o.value(QStringLiteral("message")).toString();
    e.stack = o.value(QStringLiteral("stack")).toString();
    e.line = o.value(QStringLiteral("line")).toInt();
    e.column = o.value(QStringLiteral("column")).toInt();
    return e;
}

QJsonObject fromTransform(const TransformResult &r)
{
    return {{QStringLiteral("ok"), r.ok},
            {QStringLiteral("code"), r.code},
            {QStringLiteral("error"), fromError(r.error)}};
}

TransformResult toTransform(const QJsonObject &o)
{
    TransformResult r;
    r.ok = o.value(QStringLiteral("ok")).toBool();
    r.code = o.value(QStringLiteral("code")).toString();
    r.error = toError(o.value(QStringLiteral("error")).toObject());
    return r;
}

} // namespace HostMessages
