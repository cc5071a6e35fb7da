#include "system/safemode.h"

#include "core/logcategories.h"
#include "storage/durablefile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

SafeMode::SafeMode(const QString &stateFile, int crashLimit, int windowSeconds, const QString &bootId)
    : m_file(stateFile), m_bootId(bootId.isEmpty() ? currentBootId() : bootId), m_limit(crashLimit), m_window(windowSeconds)
{
}

QString SafeMode::currentBootId()
{
    QFile f(QStringLiteral("/proc/sys/kernel/random/boot_id"));
    return f.open(QIODevice::ReadOnly) ? QString::fromLatin1(f.readAll().trimmed()) : QString();
}

QString SafeMode::reason() const
{
    if (!m_active)
        return {};
    return QStringLiteral("the controller crashed %1 times within %2 minutes").arg(m_limit).arg(m_window / 60);
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
    const QString previousBoot = state.value(QStringLiteral("boot_id")).toString();
    if (state.value(QStringLiteral("running")).toBool() && !previousBoot.isEmpty() && previousBoot != m_bootId) {
        // The machine went down under the previous run (power cut, reset,
        // reboot): not a crash of the controller.
        qCInfo(lcConfig) << "the previous run ended with the machine (power cut or reboot); not counted as a crash";
    } else if (state.value(QStringLiteral("running")).toBool()) {
        // The previous run never said goodbye in this boot: it crashed, was
        // killed, or the watchdog restarted it.
        const QDateTime at = QDateTime::fromString(state.value(QStringLiteral("started_at")).toString(), Qt::ISODateWithMs);
        m_crashes.append(at.isValid() ? at : now);
        qCWarning(lcConfig) << "the previous run did not stop cleanly";
    }
    // Only crashes within the window count.
    const QDateTime oldest = now.addSecs(-m_window);
    m_crashes.removeIf([&](const QDateTime &t) { return t < oldest; });
    // Once on, safe mode stays on until it is cleared (cloud, technician, or
    // the controller's 15 minutes without a crash).
    m_active = state.value(QStringLiteral("safe_mode")).toBool() || m_crashes.size() >= m_limit;
    if (m_active)
        qCWarning(lcConfig) << "SAFE MODE:" << m_crashes.size() << "crashes in" << m_window
                            << "s; driver instances stay stopped until the cloud or a technician re-enables them,"
                            << "or 15 minutes pass without a crash";
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
                            {QStringLiteral("safe_mode"), m_active},
                            {QStringLiteral("boot_id"), m_bootId}};
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
