// The local admin channel of a running control-cloud: a Unix socket in a
// folder only its owner can enter (0700; the socket itself 0600 by
// QLocalServer::UserAccessOption). One JSON request per connection, one JSON
// answer. The command-line subcommands talk to it.
#pragma once

#include <QLocalServer>
#include <QObject>

class CloudServer;

class AdminServer : public QObject
{
    Q_OBJECT

public:
    AdminServer(CloudServer *cloud, QObject *parent = nullptr);
    QString listen(const QString &givenPath);

    static QString defaultSocketPath();

private:
    void handle(QLocalSocket *socket, const QByteArray &line);

    CloudServer *m_cloud;
    QLocalServer m_server;
};
