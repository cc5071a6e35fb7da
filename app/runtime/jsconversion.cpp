#include "runtime/jsconversion.h"

#include <QDateTime>
#include <QJSValueIterator>
#include <QJsonArray>
#include <QJsonObject>

#include <cmath>

namespace JsConversion {

namespace {

bool convert(const QJSValue &value, int depth, int maxDepth, QJsonValue *out, QString *error)
{
    if (value.isUndefined() || value.isCallable()) {
        *out = QJsonValue(QJsonValue::Undefined);
        return true;
    }
    if (value.isNull()) {
        *out = QJsonValue(QJsonValue::Null);
        return true;
    }
    if (value.isBool()) {
        *out = value.toBool();
        return true;
    }
    if (value.isNumber()) {
        const double n = value.toNumber();
        *out = std::isfinite(n) ? QJsonValue(n) : QJsonValue(QJsonValue::Null);
        return true;
    }
    if (value.isString()) {
        *out = value.toString();
        return true;
    }
    if (value.isDate()) {
        *out = value.toDateTime().toUTC().toString(Qt::ISODateWithMs);
        return true;
    }
    if (depth >= maxDepth) {
        *error = QStringLiteral("value is nested deeper than %1 levels (or refers to itself)").arg(maxDepth);
        return false;
    }
    if (value.isArray()) {
        QJsonArray array;
        const quint32 length = value.property(QStringLiteral("length")).toUInt();
        for (quint32 i = 0; i < length; ++i) {
            QJsonValue item;
            if (!convert(value.property(i), depth + 1, maxDepth, &item, error))
                return false;
            array.append(item.isUndefined() ? QJsonValue(QJsonValue::Null) : item);
        }
        *out = array;
        return true;
    }
    if (value.isQObject() || value.isVariant() || value.isQMetaObject()) {
        *out = QJsonValue::fromVariant(value.toVariant());
        return true;
    }
    if (value.isObject()) {
        QJsonObject object;
        QJSValueIterator it(value);
        while (it.hasNext()) {
            it.next();
            QJsonValue member;
            if (!convert(it.value(), depth + 1, maxDepth, &member, error))
                return false;
            if (!member.isUndefined())
                object.insert(it.name(), member);
        }
        *out = object;
        return true;
    }
    *out = value.toString();
    return true;
}

} // namespace

QJsonValue toJson(const QJSValue &value, QString *error, int maxDepth)
{
    QJsonValue out;
    if (!convert(value, 0, maxDepth, &out, error))
        return QJsonValue(QJsonValue::Undefined);
    return out;
}

} // namespace JsConversion
