// An event in words, in the installed translation (English without one, as
// `control-nuc --events` prints it), and the status whose colour and symbol
// the dashboard gives it.
#pragma once

#include "events/event.h"

#include <QCoreApplication>
#include <QString>

class EventText
{
    Q_DECLARE_TR_FUNCTIONS(EventText)

public:
    static QString describe(const Event &event);
    // A status the dashboard's Theme knows: connected, error, connecting,
    // disconnected, completed, failed, refused, warning; empty: neutral.
    static QString tone(const Event &event);
    // "connected", "error", … in the installed language.
    static QString statusWord(const QString &status);

private:
    static QString deviceStatus(const Event &event);
    static QString reload(const Event &event);
    static QString cloud(const Event &event);
};
