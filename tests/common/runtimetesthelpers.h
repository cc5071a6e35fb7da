// Helpers for tests that run driver instances.
#pragma once

#include "runtime/driverinstance.h"

#include <QEventLoop>
#include <QTimer>

#include <functional>
#include <optional>

namespace RuntimeTest {

// Runs one asynchronous driver call and waits for its answer (or timeoutMs).
inline CallResult wait(const std::function<void(DriverHandle::Callback)> &start, int timeoutMs = 5000)
{
    std::optional<CallResult> result;
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    timeout.start(timeoutMs);
    start([&result, &loop](const CallResult &r) {
        result = r;
        loop.quit();
    });
    if (!result)
        loop.exec();
    return result.value_or(CallResult::failure(QStringLiteral("test: no answer within %1 ms").arg(timeoutMs)));
}

inline DriverSpec spec(const QString &code, const QString &protocol, const QJsonObject &config,
                       const QJsonArray &mappings = {}, const QString &deviceId = QStringLiteral("dev-1"))
{
    DriverSpec s;
    s.driverType = QStringLiteral("test_driver");
    s.version = QStringLiteral("1.0.0");
    s.code = code;
    s.protocol = protocol;
    s.commandMappings = mappings;
    s.deviceId = deviceId;
    s.name = QStringLiteral("Device ") + deviceId;
    s.config = config;
    s.config.insert(QStringLiteral("deviceId"), deviceId);
    s.config.insert(QStringLiteral("name"), s.name);
    return s;
}

} // namespace RuntimeTest
