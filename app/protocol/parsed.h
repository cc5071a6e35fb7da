// The result of checking one message's `data` against PROTOCOL.md: the typed
// value and, when a rule is broken, a one-line reason naming the rule. The
// value is filled as far as the check got, so that an answer can echo what
// was readable (driver_sync_error's identifiers, device_command_result's ids).
#pragma once

#include <QString>

template<typename T>
struct Parsed
{
    T value;
    QString error;

    bool ok() const { return error.isEmpty(); }
};
