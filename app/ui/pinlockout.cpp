#include "ui/pinlockout.h"

#include "storage/durablefile.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

PinLockout::PinLockout(const QString &path)
    : m_path(path), m_lock(0)
{
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return;
    const QJsonObject state = QJsonDocument::fromJson(file.read(4096)).object();
    m_failures = std::clamp(state.value(QStringLiteral("failures")).toInt(), 0, 1000);
    // A damaged file cannot lock the keypad for longer than the longest lock.
    const qint64 remaining = std::clamp<qint64>(qint64(state.value(QStringLiteral("remaining_ms")).toDouble()), 0, maxLockMs);
    if (remaining > 0)
        m_lock = QDeadlineTimer(remaining);
}

QString PinLockout::recordFailure()
{
    ++m_failures;
    if (m_failures > freeFailures)
        m_lock = QDeadlineTimer(std::min(maxLockMs, 30000LL << std::min(m_failures - freeFailures - 1, 6)));
    return save();
}

QString PinLockout::recordSuccess()
{
    if (m_failures == 0 && !locked())
        return {};
    m_failures = 0;
    m_lock = QDeadlineTimer(0);
    return save();
}

QString PinLockout::save() const
{
    const qint64 remaining = remainingMs();
    // locked_until is for people reading the file; the lock runs on remaining_ms.
    const QJsonObject state{
        {QStringLiteral("failures"), m_failures},
        {QStringLiteral("remaining_ms"), double(remaining)},
        {QStringLiteral("locked_until"),
         remaining > 0 ? QDateTime::currentDateTimeUtc().addMSecs(remaining).toString(Qt::ISODateWithMs) : QString()}};
    return DurableFile::replace(m_path, QJsonDocument(state).toJson(QJsonDocument::Compact));
}
