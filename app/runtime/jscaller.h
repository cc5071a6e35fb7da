// Calls into a driver's JavaScript, as the host does it: under the watchdog,
// refused once the instance has failed.
#pragma once

#include <QJSValue>
#include <QString>

class QJSEngine;

class JsCaller
{
public:
    virtual ~JsCaller() = default;
    // `label` names the call in errors ("data event handler", ...).
    virtual QJSValue callJs(const QString &label, QJSValue function, const QJSValueList &args) = 0;
    virtual QJSEngine *jsEngine() const = 0;
    // A transport the driver opened dropped without the driver closing it
    // (peer closed, I/O error): the host's device supervision hears of it.
    virtual void transportLost(const QString &reason) = 0;
};
