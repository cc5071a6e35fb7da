// What the tests' cloud does often: sync a driver for a device on a local
// simulator port and wait for the controller's answer.
#pragma once

#include "fakecloud.h"

#include <QJsonObject>
#include <QTest>

namespace CloudSteps {

// Sends driver_sync (tcp, 127.0.0.1:`port`, version 1.2.0); true when the
// controller answered it (complete or error) within 10 s.
inline bool syncDriver(FakeCloud &cloud, const QString &type, const QString &syncId, const QString &code, quint16 port)
{
    const int from = int(cloud.messages().size());
    cloud.send(QStringLiteral("driver_sync"),
               QJsonObject{{QStringLiteral("sync_id"), syncId},
                           {QStringLiteral("driver_id"), QString(QStringLiteral("drv-") + type)},
                           {QStringLiteral("driver_type"), type},
                           {QStringLiteral("version"), QStringLiteral("1.2.0")},
                           {QStringLiteral("driver_code"), code},
                           {QStringLiteral("protocol_type"), QStringLiteral("tcp")},
                           {QStringLiteral("connection_config"),
                            QJsonObject{{QStringLiteral("host"), QStringLiteral("127.0.0.1")}, {QStringLiteral("port"), int(port)}}}});
    return QTest::qWaitFor([&] {
        return !cloud.messagesOfType(QStringLiteral("driver_sync_complete"), from).isEmpty()
            || !cloud.messagesOfType(QStringLiteral("driver_sync_error"), from).isEmpty();
    }, 10000);
}

} // namespace CloudSteps
