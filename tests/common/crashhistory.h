// A run state as three crashed runs in a row, minutes ago, leave it: the
// next Controller::start() is in safe mode (system/safemode.h).
#pragma once

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace CrashHistory {

inline bool writeThreeCrashes(const QString &varDir)
{
    QFile state(varDir + QStringLiteral("/run-state.json"));
    if (!QDir().mkpath(varDir) || !state.open(QIODevice::WriteOnly))
        return false;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    state.write(QJsonDocument(QJsonObject{{QStringLiteral("running"), true},
                                          {QStringLiteral("started_at"), now.addSecs(-5).toString(Qt::ISODateWithMs)},
                                          {QStringLiteral("crashes"), QJsonArray{now.addSecs(-120).toString(Qt::ISODateWithMs),
                                                                                 now.addSecs(-60).toString(Qt::ISODateWithMs)}}})
                    .toJson());
    return state.flush();
}

} // namespace CrashHistory
