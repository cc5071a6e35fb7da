// Plain values shared by the driver runtime's classes.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QMetaType>
#include <QString>

// What a driver instance is made from.
struct DriverSpec
{
    QString driverType;
    QString version;
    // The code the engine runs: the down-levelled (runnable) form when the
    // transformer produced one, else the source as the cloud sent it.
    QString code;
    QString protocol;             // tcp, udp, serial
    QJsonArray commandMappings;
    QJsonObject config;           // {...driver defaults, ...device config, name, deviceId}
    QString deviceId;
    QString name;
};

// Budgets and deadlines of calls into a driver.
struct RuntimeSettings
{
    int budgetMs = 2000;              // synchronous JavaScript, any call
    int connectTimeoutMs = 10000;     // connect() Promise
    int commandTimeoutMs = 5000;      // sendCommand() Promise
    // disconnect() Promise. The one knob of a disconnect: Device also tears
    // the instance down after this, should its thread be stuck in JavaScript.
    int disconnectTimeoutMs = 1000;
    int teardownTimeoutMs = 2000;     // stopping an instance, transports included
    int maxPendingTimers = 10000;     // per device; beyond, setTimeout/setInterval throw
    int logLinesPerSecond = 100;      // per device; beyond, lines are dropped and counted
};

// The outcome of one call into a driver.
struct CallResult
{
    bool ok = false;
    QJsonValue value;        // the resolved value (JSON-compatible part)
    QString error;           // "Error: message", for people
    QString stack;           // the JS stack of a thrown/rejected Error
    bool timedOut = false;   // a deadline passed (budget or Promise timeout)
    // Failed because this call's own Promise deadline passed (not the
    // watchdog, not the host): the device may just be slow or unreachable.
    bool missedDeadline = false;
    // Failed because the method threw synchronously rather than returning
    // a rejected Promise: a fault of the driver, not of the connection.
    bool thrown = false;
    double durationMs = 0;

    static CallResult failure(const QString &error, bool timedOut = false)
    {
        CallResult r;
        r.error = error;
        r.timedOut = timedOut;
        return r;
    }
};
Q_DECLARE_METATYPE(CallResult)
