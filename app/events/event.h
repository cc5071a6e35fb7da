// One entry of the event log: what happened on the controller, when, and to
// which device (if any). Stored language-neutral (kinds and raw values);
// EventText words it in the chosen language.
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

struct Event
{
    // device_status, driver_sync, reload, technician, cloud, safe_mode, quarantine
    QString kind;
    QDateTime at;          // UTC
    QString deviceId;      // empty: not about one device
    QString subject;       // a driver type, a cloud URL, a technician's action
    QString from;          // the value before (a device's old status)
    QString to;            // the value after: a status, "completed", "connected", "entered", "on"
    QString message;       // a device's message, an error text, a reason
    QJsonObject detail;    // counts of a reload, the HTTP status of a refusal
    qint64 id = 0;         // set once stored
};

// Which events to read: newest first.
struct EventQuery
{
    QString deviceId;      // empty: all
    QDateTime since;       // invalid: from the oldest kept
    int limit = 300;       // 0: no limit
};
