#include "sync/syncauditlog.h"

#include "core/logcategories.h"
#include "core/logtext.h"

#include <QDateTime>
#include <QFileInfo>

#include <sys/stat.h>

SyncAuditLog::SyncAuditLog(const QString &path, qint64 maxBytes, int keep)
    : m_path(path), m_file(path), m_maxBytes(maxBytes), m_keep(keep)
{
}

void SyncAuditLog::rotate()
{
    m_file.close();
    QFile::remove(m_path + QStringLiteral(".%1").arg(m_keep));
    for (int i = m_keep - 1; i >= 1; --i)
        QFile::rename(m_path + QStringLiteral(".%1").arg(i), m_path + QStringLiteral(".%1").arg(i + 1));
    QFile::rename(m_path, m_path + QStringLiteral(".1"));
}

namespace {

// A field as one quoted token: its backslashes and quotes escaped here, every
// control character (not only \n and \r) by LogText, so a value from the
// cloud or a driver can neither end the line nor the field.
QString quoted(const QString &value)
{
    QString v = value;
    v.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    v.replace(QLatin1Char('"'), QStringLiteral("\\\""));
    return QLatin1Char('"') + LogText::escaped(v) + QLatin1Char('"');
}

} // namespace

QString SyncAuditLog::format(const SyncAuditEntry &e)
{
    QString line = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)
        + QStringLiteral(" sync_id=") + quoted(e.syncId)
        + QStringLiteral(" driver_type=") + quoted(e.driverType)
        + QStringLiteral(" version=") + quoted(e.version)
        + QStringLiteral(" outcome=") + e.outcome
        + QStringLiteral(" duration_ms=") + QString::number(e.durationMs, 'f', 3);
    if (!e.keyId.isEmpty())
        line += QStringLiteral(" key_id=") + quoted(e.keyId);
    if (!e.error.isEmpty())
        line += QStringLiteral(" error=") + quoted(e.error);
    return line + QLatin1Char('\n');
}

bool SyncAuditLog::append(const SyncAuditEntry &entry)
{
    if (m_file.isOpen() && m_file.size() >= m_maxBytes)
        rotate();
    else if (!m_file.isOpen() && QFileInfo(m_path).size() >= m_maxBytes)
        rotate();
    if (!m_file.isOpen()) {
        const bool existed = m_file.exists();
        if (!m_file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered)) {
            qCWarning(lcSync) << "cannot open the sync audit log" << m_path << m_file.errorString();
            return false;
        }
        if (!existed)
            ::chmod(QFile::encodeName(m_path).constData(), 0600);
    }
    const QByteArray bytes = format(entry).toUtf8();
    if (m_file.write(bytes) != bytes.size()) {
        qCWarning(lcSync) << "cannot write the sync audit log" << m_path << m_file.errorString();
        m_file.close();
        return false;
    }
    return true;
}
