#include "cloudserver/controllercredentials.h"

#include "cloudserver/clouddatabase.h"
#include "core/digestcompare.h"
#include "core/logtext.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

#include <array>

namespace {
constexpr int tokenBytes = 32;
constexpr qsizetype maxIdLength = 128;
}

ControllerCredentials::ControllerCredentials(CloudDatabase *database, const QString &sharedToken, Unenrolled unenrolled)
    : m_database(database), m_unenrolled(unenrolled)
{
    if (!sharedToken.isEmpty())
        m_shared = "Bearer " + sharedToken.toUtf8();
}

QString ControllerCredentials::load()
{
    QString error;
    QHash<QString, QByteArray> hashes = m_database->credentialHashes(&error);
    if (!error.isEmpty())
        return QStringLiteral("cannot read the controllers' credentials: %1").arg(error);
    m_hashes = std::move(hashes);
    m_loaded = true;
    return {};
}

QByteArray ControllerCredentials::hashOf(const QByteArray &token)
{
    return QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex();
}

bool ControllerCredentials::authorize(const QString &controllerId, const QByteArray &authorization) const
{
    if (!m_loaded)
        return false;   // load() failed or was not called: nobody gets in
    const QByteArray stored = controllerId.isEmpty() ? QByteArray() : m_hashes.value(controllerId);
    if (!stored.isEmpty()) {
        // Its own credential or nothing: the shared token does not open an enrolled id.
        static const QByteArray scheme = "Bearer ";
        const QByteArray presented = authorization.startsWith(scheme) ? authorization.mid(scheme.size()) : QByteArray();
        return !presented.isEmpty() && digestEquals(hashOf(presented), stored);
    }
    if (!m_shared.isEmpty())
        return digestEquals(authorization, m_shared);
    switch (m_unenrolled) {
    case Unenrolled::Allowed:
        return true;
    case Unenrolled::WhileNoneEnrolled:
        return m_hashes.isEmpty();
    case Unenrolled::Refused:
        break;
    }
    return false;
}

bool ControllerCredentials::mayClaim(const QString &headerId, const QString &helloId) const
{
    if (!headerId.isEmpty())
        return headerId == helloId;
    return m_loaded && !m_hashes.contains(helloId);
}

QString ControllerCredentials::add(const QString &controllerId, QString *token)
{
    if (controllerId.isEmpty() || controllerId.size() > maxIdLength || LogText::hasControl(controllerId)
        || controllerId.trimmed() != controllerId)
        return QStringLiteral("'%1' is not a controller id (1 to %2 characters, no control characters, "
                              "no leading or trailing spaces)").arg(LogText::escaped(controllerId)).arg(maxIdLength);
    std::array<quint32, tokenBytes / 4> random {};
    QRandomGenerator::system()->fillRange(random.data(), random.size());
    const QByteArray raw(reinterpret_cast<const char *>(random.data()), tokenBytes);
    const QByteArray hex = raw.toHex();
    const QByteArray hash = hashOf(hex);
    const QString error = m_database->addCredential(controllerId, hash);
    if (!error.isEmpty())
        return error;
    m_hashes.insert(controllerId, hash);
    *token = QString::fromLatin1(hex);
    return {};
}

QString ControllerCredentials::remove(const QString &controllerId)
{
    QString error;
    const bool removed = m_database->removeCredential(controllerId, &error);
    if (!error.isEmpty())
        return error;
    // Also when only the memory still had it (its row removed behind the
    // server's back): it must stop opening the id now, not at the next start.
    const bool known = m_hashes.remove(controllerId);
    if (known || removed)
        return {};
    return QStringLiteral("controller %1 has no credential").arg(LogText::escaped(controllerId));
}

QJsonArray ControllerCredentials::list() const
{
    return m_database->credentials();
}
