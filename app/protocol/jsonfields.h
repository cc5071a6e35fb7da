// Small readers shared by the message parsers of this folder (not part of
// the protocol's interface): how a JSON value is named in an error, and the
// "string, or null when absent or not a string" rule of echoed identifiers.
#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace JsonFields {

// "a string", "an array", … or "missing": for "must be X, got Y".
QString typeName(const QJsonValue &value);

// Absent or null: an optional field that was not given.
inline bool isAbsent(const QJsonValue &value)
{
    return value.isUndefined() || value.isNull();
}

// The field when it is a string, else null.
QJsonValue stringOrNull(const QJsonObject &object, const QString &key);

// An optional field of one JSON type: absent or null leaves `out` as it is,
// another type returns "field 'key' must be <type>, got <other>".
QString readOptional(const QJsonObject &object, const QString &key, QJsonValue::Type type, QJsonValue *out);

// A string with at least one character.
bool isNonEmptyString(const QJsonValue &value);

// A report sequence number (PROTOCOL.md "Reports that survive outages"):
// a JSON number that is a whole number from `min` to 2^53 (beyond, doubles
// lose integers). False leaves `out` as it is.
bool readSequence(const QJsonValue &value, qint64 min, qint64 *out);

// data.driver_type, which must be a valid driver type (ProtocolRules):
// empty error and the type, or the error every message uses.
QString readDriverType(const QJsonObject &data, QString *driverType);

} // namespace JsonFields
