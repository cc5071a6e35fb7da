// The commands a driver declares (a static `commands` description on its
// class, docs/drivers.md "Declaring commands") and those its
// command_mappings give, in one normalised shape for the dashboard's test
// buttons:
//   [{"name": "input", "description": "…", "source": "driver" | "mapping",
//     "params": [{"name": "n", "type": "integer", "required": true,
//                 "description": "…", "enum": […], "min": 1, "max": 4, "default": 1}]}]
// (declared commands and parameters sorted by name, mappings in their
// order). The declaration is driver code's data: its shape is
// checked and a malformed one is refused as a whole, with the reason.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace DriverCommands {

constexpr int MaxCommands = 64;
constexpr int MaxParams = 16;
constexpr int MaxText = 200;   // descriptions, characters

// `declaration`: the class's `commands` as JSON (undefined or null: none).
// Malformed: an empty array, and `problem` says what is wrong
// ("commands.power.params.on.type: must be one of string, number, …").
QJsonArray parse(const QJsonValue &declaration, QString *problem);

// The entries of command_mappings as commands; their `{name}` placeholders
// in `payload` become required string parameters.
QJsonArray fromMappings(const QJsonArray &mappings);

// A parameters object to start from: each parameter's default, else a
// value of its type (first enum value, min, "", false, {} or []).
QJsonObject paramsTemplate(const QJsonObject &command);

} // namespace DriverCommands
