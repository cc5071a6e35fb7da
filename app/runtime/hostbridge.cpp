#include "runtime/hostbridge.h"

#include "core/logcategories.h"
#include "core/logtext.h"

void HostBridge::log(int level, const QString &text)
{
    if (m_delegate)
        m_delegate->hostLog(level, text);
    else
        qCDebug(lcRuntime).noquote() << "driver (validation):" << LogText::escaped(text);
}

void HostBridge::startTimer(int id, int ms, bool repeat)
{
    if (m_delegate)
        m_delegate->hostStartTimer(id, ms, repeat);
}

void HostBridge::stopTimer(int id)
{
    if (m_delegate)
        m_delegate->hostStopTimer(id);
}

void HostBridge::setState(const QJSValue &state)
{
    if (m_delegate)
        m_delegate->hostSetState(state);
}

void HostBridge::setStatus(const QString &status, const QString &message)
{
    if (m_delegate)
        m_delegate->hostSetStatus(status, message);
}

QJSValue HostBridge::createTransport(const QString &protocol, const QJSValue &config)
{
    if (!m_delegate)
        return QJSValue(QStringLiteral("transports are not available while a driver is validated"));
    return m_delegate->hostCreateTransport(protocol, config);
}

void HostBridge::settle(int id, bool ok, const QJSValue &value, bool thrown)
{
    if (m_delegate)
        m_delegate->hostSettle(id, ok, value, thrown);
}
