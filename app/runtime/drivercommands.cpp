#include "runtime/drivercommands.h"

#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>


namespace {

const QStringList paramTypes = {QStringLiteral("string"), QStringLiteral("number"), QStringLiteral("integer"),
                                QStringLiteral("boolean"), QStringLiteral("object"), QStringLiteral("array")};

bool validName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z_][A-Za-z0-9_.-]{0,63}$"));
    return pattern.match(name).hasMatch();
}

// "commands.volume" + "params.level.type: …" → "commands.volume.params.level.type: …";
// a problem of the thing itself starts with ": ".
QString within(const QString &path, const QString &problem)
{
    return problem.startsWith(u':') ? QString(path + problem) : QString(path + u'.' + problem);
}

bool fitsType(const QJsonValue &v, const QString &type)
{
    if (type == u"string")
        return v.isString();
    if (type == u"number")
        return v.isDouble();
    if (type == u"integer")
        return v.isDouble() && v.toDouble() == double(qint64(v.toDouble()));
    if (type == u"boolean")
        return v.isBool();
    if (type == u"object")
        return v.isObject();
    return v.isArray();
}

// One parameter; empty on success, else the problem (without the path).
QString parseParam(const QString &name, const QJsonValue &value, QJsonObject *out)
{
    if (!value.isObject())
        return QStringLiteral(": must be an object");
    const QJsonObject p = value.toObject();
    static const QSet<QString> keys = {QStringLiteral("type"), QStringLiteral("required"), QStringLiteral("description"),
                                       QStringLiteral("enum"), QStringLiteral("min"), QStringLiteral("max"),
                                       QStringLiteral("default")};
    for (auto it = p.begin(); it != p.end(); ++it) {
        if (!keys.contains(it.key()))
            return QStringLiteral("%1: unknown key").arg(it.key());
    }
    const QString type = p.value(QStringLiteral("type")).toString(QStringLiteral("string"));
    if (!paramTypes.contains(type))
        return QStringLiteral("type: must be one of %1").arg(paramTypes.join(QStringLiteral(", ")));
    QJsonObject o{{QStringLiteral("name"), name}, {QStringLiteral("type"), type}};
    const QJsonValue required = p.value(QStringLiteral("required"));
    if (!required.isUndefined() && !required.isBool())
        return QStringLiteral("required: must be true or false");
    o.insert(QStringLiteral("required"), required.toBool(false));
    const QJsonValue description = p.value(QStringLiteral("description"));
    if (!description.isUndefined() && (!description.isString() || description.toString().size() > DriverCommands::MaxText))
        return QStringLiteral("description: must be a string of at most %1 characters").arg(DriverCommands::MaxText);
    if (description.isString())
        o.insert(QStringLiteral("description"), description);
    if (p.contains(QStringLiteral("enum"))) {
        const QJsonValue list = p.value(QStringLiteral("enum"));
        if (!list.isArray() || list.toArray().isEmpty() || list.toArray().size() > 64)
            return QStringLiteral("enum: must be a list of 1 to 64 values");
        for (const QJsonValue &v : list.toArray()) {
            if (!fitsType(v, type))
                return QStringLiteral("enum: every value must be of type %1").arg(type);
        }
        o.insert(QStringLiteral("enum"), list);
    }
    for (const char *bound : {"min", "max"}) {
        const QJsonValue v = p.value(QLatin1String(bound));
        if (v.isUndefined())
            continue;
        if (!v.isDouble() || (type != u"number" && type != u"integer"))
            return QStringLiteral("%1: only a number, and only for number and integer parameters").arg(QLatin1String(bound));
        o.insert(QLatin1String(bound), v);
    }
    if (o.contains(QStringLiteral("min")) && o.contains(QStringLiteral("max"))
        && o.value(QStringLiteral("min")).toDouble() > o.value(QStringLiteral("max")).toDouble())
        return QStringLiteral("min: greater than max");
    if (p.contains(QStringLiteral("default"))) {
        if (!fitsType(p.value(QStringLiteral("default")), type))
            return QStringLiteral("default: must be of type %1").arg(type);
        o.insert(QStringLiteral("default"), p.value(QStringLiteral("default")));
    }
    *out = o;
    return {};
}

QString parseCommand(const QString &name, const QJsonValue &value, QJsonObject *out)
{
    if (!value.isObject())
        return QStringLiteral(": must be an object");
    const QJsonObject c = value.toObject();
    for (auto it = c.begin(); it != c.end(); ++it) {
        if (it.key() != u"description" && it.key() != u"params")
            return QStringLiteral("%1: unknown key (description and params are known)").arg(it.key());
    }
    QJsonObject o{{QStringLiteral("name"), name}, {QStringLiteral("source"), QStringLiteral("driver")}};
    const QJsonValue description = c.value(QStringLiteral("description"));
    if (!description.isUndefined() && (!description.isString() || description.toString().size() > DriverCommands::MaxText))
        return QStringLiteral("description: must be a string of at most %1 characters").arg(DriverCommands::MaxText);
    if (description.isString())
        o.insert(QStringLiteral("description"), description);
    const QJsonValue params = c.value(QStringLiteral("params"));
    if (!params.isUndefined() && !params.isObject())
        return QStringLiteral("params: must be an object of parameter name → description");
    if (params.toObject().size() > DriverCommands::MaxParams)
        return QStringLiteral("params: at most %1 parameters").arg(DriverCommands::MaxParams);
    QJsonArray list;
    const QJsonObject byName = params.toObject();
    for (auto it = byName.begin(); it != byName.end(); ++it) {   // QJsonObject keys are sorted
        if (!validName(it.key()))
            return QStringLiteral("params: '%1' is not a valid parameter name").arg(it.key());
        QJsonObject param;
        const QString problem = parseParam(it.key(), it.value(), &param);
        if (!problem.isEmpty())
            return within(QStringLiteral("params.") + it.key(), problem);
        list.append(param);
    }
    o.insert(QStringLiteral("params"), list);
    *out = o;
    return {};
}

} // namespace

namespace DriverCommands {

QJsonArray parse(const QJsonValue &declaration, QString *problem)
{
    problem->clear();
    if (declaration.isUndefined() || declaration.isNull())
        return {};
    if (!declaration.isObject()) {
        *problem = QStringLiteral("commands: must be an object of command name → description");
        return {};
    }
    const QJsonObject byName = declaration.toObject();
    if (byName.size() > MaxCommands) {
        *problem = QStringLiteral("commands: at most %1 commands").arg(MaxCommands);
        return {};
    }
    QJsonArray list;
    for (auto it = byName.begin(); it != byName.end(); ++it) {
        if (!validName(it.key())) {
            *problem = QStringLiteral("commands: '%1' is not a valid command name").arg(it.key());
            return {};
        }
        QJsonObject command;
        const QString why = parseCommand(it.key(), it.value(), &command);
        if (!why.isEmpty()) {
            *problem = within(QStringLiteral("commands.") + it.key(), why);
            return {};
        }
        list.append(command);
    }
    return list;
}

QJsonArray fromMappings(const QJsonArray &mappings)
{
    static const QRegularExpression placeholder(QStringLiteral("\\{([A-Za-z_][A-Za-z0-9_]*)\\}"));
    QJsonArray list;
    QSet<QString> seen;
    for (const QJsonValue &entry : mappings) {
        const QString name = entry[QStringLiteral("command")].toString();
        if (name.isEmpty() || seen.contains(name))
            continue;
        seen.insert(name);
        QStringList names;
        auto matches = placeholder.globalMatch(entry[QStringLiteral("payload")].toString());
        while (matches.hasNext()) {
            const QString param = matches.next().captured(1);
            if (!names.contains(param))
                names << param;
        }
        QJsonArray params;
        for (const QString &param : std::as_const(names))
            params.append(QJsonObject{{QStringLiteral("name"), param}, {QStringLiteral("type"), QStringLiteral("string")},
                                      {QStringLiteral("required"), true}});
        list.append(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("source"), QStringLiteral("mapping")},
                                {QStringLiteral("params"), params}});
    }
    return list;
}

QJsonObject paramsTemplate(const QJsonObject &command)
{
    QJsonObject params;
    for (const QJsonValue &v : command.value(QStringLiteral("params")).toArray()) {
        const QJsonObject p = v.toObject();
        const QString type = p.value(QStringLiteral("type")).toString();
        QJsonValue value;
        if (p.contains(QStringLiteral("default")))
            value = p.value(QStringLiteral("default"));
        else if (p.contains(QStringLiteral("enum")))
            value = p.value(QStringLiteral("enum")).toArray().first();
        else if (type == u"number" || type == u"integer")
            value = p.value(QStringLiteral("min")).toDouble(0);
        else if (type == u"boolean")
            value = false;
        else if (type == u"object")
            value = QJsonObject();
        else if (type == u"array")
            value = QJsonArray();
        else
            value = QString();
        params.insert(p.value(QStringLiteral("name")).toString(), value);
    }
    return params;
}

} // namespace DriverCommands
