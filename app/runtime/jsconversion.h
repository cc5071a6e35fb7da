// JavaScript values to JSON, bounded. QJSValue::toVariant() recurses without
// limit and crashes the engine's process on deeply nested values
// (QJSENGINE.md item 6 b): every value a driver hands to C++ (state, call
// results, transport config) goes through here instead. Functions and
// undefined members are left out, as JSON.stringify does.
#pragma once

#include <QJSValue>
#include <QJsonValue>
#include <QString>

namespace JsConversion {

// Deeper than any real device state; far below what crashes the engine.
constexpr int MaxDepth = 100;

// On failure returns undefined and sets `error`
// ("value is nested deeper than 100 levels (or refers to itself)").
QJsonValue toJson(const QJSValue &value, QString *error, int maxDepth = MaxDepth);

} // namespace JsConversion
