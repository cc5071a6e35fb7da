#include "core/secretfile.h"

#include <QFile>
#include <QFileInfo>

#include <sys/stat.h>

namespace {

// Secrets are a line or two; anything bigger is the wrong file.
constexpr qint64 maxSecretBytes = 64 * 1024;

QString readAll(const QString &path, QString *secret)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read the secret file %1: %2").arg(path, file.errorString());
    const QByteArray bytes = file.read(maxSecretBytes + 1);
    if (bytes.size() > maxSecretBytes)
        return QStringLiteral("the secret file %1 is larger than %2 bytes").arg(path).arg(maxSecretBytes);
    *secret = QString::fromUtf8(bytes).trimmed();
    if (secret->isEmpty())
        return QStringLiteral("the secret file %1 is empty").arg(path);
    return {};
}

} // namespace

QString SecretFile::read(const QString &path, QString *secret)
{
    struct stat st {};
    // stat, not lstat: a link to a private file is fine, its target's mode counts.
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return QStringLiteral("cannot read the secret file %1: it does not exist").arg(path);
    if (!S_ISREG(st.st_mode))
        return QStringLiteral("the secret file %1 is not a regular file").arg(path);
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        return QStringLiteral("the secret file %1 may be read by its group or others (mode %2); "
                              "make it owner-only: chmod 600 %1")
            .arg(path)
            .arg(st.st_mode & 07777, 4, 8, QLatin1Char('0'));
    return readAll(path, secret);
}

QString SecretFile::readCredential(const QString &credentialsDir, const QString &name, QString *secret, bool *found)
{
    *found = false;
    if (credentialsDir.isEmpty())
        return {};
    const QString path = credentialsDir + QLatin1Char('/') + name;
    if (!QFileInfo::exists(path))
        return {};
    *found = true;
    return readAll(path, secret);
}

QString SecretFile::commandLineWarning(const QString &option, const QString &instead)
{
    return QStringLiteral("--%1 on the command line is visible to every local user (ps, /proc); use %2 instead")
        .arg(option, instead);
}
