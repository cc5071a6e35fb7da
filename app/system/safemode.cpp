#include "system/safemode.h"

#include "core/logcategories.h"
#include "storage/durablefile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

SafeMode::SafeMode(const QString &stateFile, int crashLimit, int windowSeconds)
    : m_file(stateFile), m_limit(crashLimit), m_window(windowSeconds)
{
}

QString SafeMode::begin(const QDateTime &now)
{
    QJsonObject state;
    QFile f(m_file);
    if (f.open(QIODevice::ReadOnly))
        state = QJsonDocument::fromJson(f.readAll()).object();
    f.close();

    for (const QJsonValue &v : state.value(QStringLiteral("crashes")).toArray()) {
        const QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
        if (t.isValid())
            m_crashes.append(t);
    }
    if (state.value(QStringLiteral("running")).toBool()) {
        // The previous run never said goodbye: it crashed, was killed, or
        // the watchdog restarted it.
        const QDateTime at = QDateTime::fromString(state.value(QStringLiteral("started_at")).toString(), Qt::ISODateWithMs);
        m_crashes.append(at.isValid() ? at : now);
        qCWarning(lcConfig) << "the previous run did not stop cleanly";
    }
    // Only crashes within the window count.
    const QDateTime oldest = now.addSecs(-m_window);
    m_crashes.removeIf([&](const QDateTime &t) { return t < oldest; });
    // Once on, safe mode stays on until a technician clears it.
    m_active = state.value(QStringLiteral("safe_mode")).toBool() || m_crashes.size() >= m_limit;
    if (m_active)
        qCWarning(lcConfig) << "SAFE MODE:" << m_crashes.size() << "crashes in" << m_window
                            << "s; driver instances stay stopped until a technician re-enables them";
    return save(true);
}

QString SafeMode::save(bool running) const
{
    QJsonArray crashes;
    for (const QDateTime &t : m_crashes)
        crashes.append(t.toString(Qt::ISODateWithMs));
    const QJsonObject state{{QStringLiteral("running"), running},
                            {QStringLiteral("started_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
                            {QStringLiteral("crashes"), crashes},
                            {QStringLiteral("safe_mode"), m_active}};
    return DurableFile::replace(m_file, QJsonDocument(state).toJson());
}

void SafeMode::endCleanly()
{
    const QString error = save(false);
    if (!error.isEmpty())
        qCWarning(lcConfig) << "cannot record the clean shutdown:" << error;
}

void SafeMode::clear()
{
    m_crashes.clear();
    m_active = false;
    const QString error = save(true);
    if (!error.isEmpty())
        qCWarning(lcConfig) << "cannot record leaving safe mode:" << error;
}
