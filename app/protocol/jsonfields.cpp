#include "protocol/jsonfields.h"

#include "core/protocolrules.h"

namespace JsonFields {

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return QStringLiteral("a boolean");
    case QJsonValue::Double: return QStringLiteral("a number");
    case QJsonValue::String: return QStringLiteral("a string");
    case QJsonValue::Array: return QStringLiteral("an array");
    case QJsonValue::Object: return QStringLiteral("an object");
    case QJsonValue::Undefined: break;
    }
    return QStringLiteral("missing");
}

QJsonValue stringOrNull(const QJsonObject &object, const QString &key)
{
    const QJsonValue value = object.value(key);
    return value.isString() ? value : QJsonValue();
}

QString readOptional(const QJsonObject &object, const QString &key, QJsonValue::Type type, QJsonValue *out)
{
    const QJsonValue value = object.value(key);
    if (isAbsent(value))
        return {};
    if (value.type() != type)
        return QStringLiteral("field '%1' must be %2, got %3").arg(key, typeName(QJsonValue(type)), typeName(value));
    *out = value;
    return {};
}

bool isNonEmptyString(const QJsonValue &value)
{
    return value.isString() && !value.toString().isEmpty();
}

bool readSequence(const QJsonValue &value, qint64 min, qint64 *out)
{
    if (!value.isDouble())
        return false;
    const double d = value.toDouble();
    constexpr double largest = 9007199254740992.0;   // 2^53
    if (d < double(min) || d > largest || d != double(qint64(d)))
        return false;
    *out = qint64(d);
    return true;
}

QString readDriverType(const QJsonObject &data, QString *driverType)
{
    const QJsonValue type = data.value(QStringLiteral("driver_type"));
    if (!type.isString() || !ProtocolRules::isValidDriverType(type.toString()))
        return QStringLiteral("driver_type must be a valid driver type");
    *driverType = type.toString();
    return {};
}

} // namespace JsonFields
