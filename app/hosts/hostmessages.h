// The host protocol's values in one place: how the runtime's plain types
// (DriverSpec, RuntimeSettings, CallResult, ScriptError, TransformResult)
// travel between the controller and a driver host. docs/architecture.md
// ("Driver hosts") lists the frames.
#pragma once

#include "runtime/drivermodule.h"
#include "runtime/drivertransformer.h"
#include "runtime/runtimetypes.h"

#include <QJsonObject>

namespace HostMessages {

QJsonObject fromSpec(const DriverSpec &spec);
DriverSpec toSpec(const QJsonObject &o);

QJsonObject fromSettings(const RuntimeSettings &settings);
RuntimeSettings toSettings(const QJsonObject &o);

QJsonObject fromResult(const CallResult &result);
CallResult toResult(const QJsonObject &o);

// A null error travels as an empty object.
QJsonObject fromError(const ScriptError &error);
ScriptError toError(const QJsonObject &o);

QJsonObject fromTransform(const TransformResult &result);
TransformResult toTransform(const QJsonObject &o);

} // namespace HostMessages
