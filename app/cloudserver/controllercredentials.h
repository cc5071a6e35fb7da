// Who may connect as which controller. A controller id with a credential of
// its own (`control-cloud controllers add ID`) must present that token; the
// database keeps only its SHA-256. Other ids fall back to the shared
// --token, as before per-controller credentials existed.
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QString>

class CloudDatabase;

class ControllerCredentials
{
public:
    // Without a shared token, whether an id without a credential of its own
    // gets in.
    enum class Unenrolled {
        Refused,              // never
        WhileNoneEnrolled,    // until the first credential is added (loopback, no token)
        Allowed,              // always (--no-auth)
    };

    ControllerCredentials(CloudDatabase *database, const QString &sharedToken, Unenrolled unenrolled);

    // The upgrade's X-Controller-Id (empty when absent) and raw Authorization.
    bool authorize(const QString &controllerId, const QByteArray &authorization) const;
    // May a connection upgraded for `headerId` say hello as `helloId`? Not as
    // another id than it was checked for, and not as an id with a credential
    // when it gave no id at all.
    bool mayClaim(const QString &headerId, const QString &helloId) const;

    // Creates a random token for `controllerId` into `*token`; an error line
    // when the id is invalid or already has one.
    QString add(const QString &controllerId, QString *token);
    QString remove(const QString &controllerId);
    QJsonArray list() const;

    static QByteArray hashOf(const QByteArray &token);   // hex SHA-256

private:
    CloudDatabase *m_database;
    QByteArray m_shared;   // "Bearer <token>", empty when none
    Unenrolled m_unenrolled;
};
