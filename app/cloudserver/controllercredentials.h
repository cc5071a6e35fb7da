// Who may connect as which controller. A controller id with a credential of
// its own (`control-cloud controllers add ID`) must present that token; the
// database keeps only its SHA-256. Other ids fall back to the shared
// --token, as before per-controller credentials existed.
// The hashes are read once (load()) and kept in memory, changed only through
// add() and remove(), i.e. through the running server's admin socket: the
// check of each new connection never waits for the database (a reconnect
// storm of 2000 sites made 2000 queries on the event loop, each a round trip
// on PostgreSQL).
#pragma once

#include <QByteArray>
#include <QHash>
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

    // Reads every credential's hash; an error line when it cannot (then the
    // server must not serve: an enrolled id would look unenrolled).
    QString load();

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
    QHash<QString, QByteArray> m_hashes;   // controller id → hex SHA-256 (load, add, remove)
    bool m_loaded = false;
};
