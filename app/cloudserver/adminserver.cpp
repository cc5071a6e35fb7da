#include "cloudserver/adminserver.h"

#include "cloudserver/cloudserver.h"
#include "core/epolleventdispatcher.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QPointer>


#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

AdminServer::AdminServer(CloudServer *cloud, QObject *parent)
    : QObject(parent), m_cloud(cloud)
{
    m_server.setSocketOptions(QLocalServer::UserAccessOption);
    connect(&m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket *socket = m_server.nextPendingConnection()) {
            // An operator waits on it (core/epolleventdispatcher.h).
            EpollEventDispatcher::prioritize(socket->socketDescriptor());
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
                if (!socket->canReadLine()) {
                    if (socket->bytesAvailable() > 64 * 1024 * 1024)
                        socket->abort();   // no line in 64 MiB: not a client of ours
                    return;
                }
                handle(socket, socket->readLine());
            });
        }
    });
}

QString AdminServer::defaultSocketPath()
{
    QString base = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (base.isEmpty())
        base = QStringLiteral("/tmp/control-cloud-%1").arg(::getuid());
    else
        base += QStringLiteral("/control-cloud");
    return base + QStringLiteral("/admin.sock");
}

QString AdminServer::listen(const QString &givenPath)
{
    const QString path = QFileInfo(givenPath).absoluteFilePath();   // a bare name would land elsewhere
    const QString dir = QFileInfo(path).absolutePath();
    // The folder protects the socket: it must be ours and private. One we
    // create is made 0700; an existing one is checked, never changed.
    const QByteArray nativeDir = QFile::encodeName(dir);
    if (::mkdir(nativeDir.constData(), 0700) != 0 && errno != EEXIST)
        return QStringLiteral("cannot create the admin socket folder %1").arg(dir);
    struct stat st {};
    if (::lstat(nativeDir.constData(), &st) != 0 || !S_ISDIR(st.st_mode))
        return QStringLiteral("admin socket folder %1 is not a folder").arg(dir);
    if (st.st_uid != ::geteuid() || (st.st_mode & 0077) != 0)
        return QStringLiteral("admin socket folder %1 must belong to this user and be private (0700)").arg(dir);
    QLocalServer::removeServer(path);
    if (!m_server.listen(path))
        return QStringLiteral("cannot open the admin socket %1: %2").arg(path, m_server.errorString());
    // Operators' connections are accepted ahead of the controllers' frames.
    EpollEventDispatcher::prioritize(m_server.socketDescriptor());
    return {};
}

void AdminServer::handle(QLocalSocket *socket, const QByteArray &line)
{
    QPointer<QLocalSocket> guard(socket);
    auto reply = [guard](const QJsonObject &answer) {
        if (!guard)
            return;
        guard->write(QJsonDocument(answer).toJson(QJsonDocument::Compact) + '\n');
        guard->flush();
        guard->disconnectFromServer();
    };
    QJsonParseError parseError;
    const QJsonObject request = QJsonDocument::fromJson(line, &parseError).object();
    if (parseError.error != QJsonParseError::NoError) {
        reply(QJsonObject{{QStringLiteral("ok"), false}, {QStringLiteral("error"), QStringLiteral("request is not JSON")}});
        return;
    }
    const QString op = request.value(QStringLiteral("op")).toString();
    if (m_cloud->rollouts()->handleAdmin(op, request, reply))
        return;   // groups, rollouts, publish (rolloutadmin.cpp)
    if (op == u"deploy" || op == u"rollback") {
        // Both wait for the outcome the same way: a deployment's.
        const bool wait = request.value(QStringLiteral("wait")).toBool(true);
        const int timeoutMs = request.value(QStringLiteral("timeout_ms")).toInt(30000);
        auto then = [this, reply, wait, timeoutMs](const QJsonObject &answer) {
            if (!wait || !answer.value(QStringLiteral("ok")).toBool()) {
                reply(answer);
                return;
            }
            m_cloud->waitForDeployment(answer.value(QStringLiteral("sync_id")).toString(), timeoutMs, reply);
        };
        if (op == u"deploy")
            m_cloud->deploy(request, then);
        else
            m_cloud->rollback(request, then);
    } else if (op == u"devices") {
        m_cloud->provision(request, reply);
    } else if (op == u"command") {
        m_cloud->command(request, reply);
    } else if (op == u"deployments") {
        m_cloud->deployments(request, reply);
    } else if (op == u"controllers") {
        m_cloud->controllers(reply);
    } else if (op == u"metrics") {
        reply(m_cloud->metrics()->json(request.value(QStringLiteral("controller_id")).toString()));
    } else if (op == u"credential_add" || op == u"credential_remove") {
        const QString id = request.value(QStringLiteral("controller_id")).toString();
        QString token;
        const bool adding = op == u"credential_add";
        const QString error = adding ? m_cloud->credentials()->add(id, &token) : m_cloud->credentials()->remove(id);
        if (!error.isEmpty()) {
            reply(QJsonObject{{QStringLiteral("ok"), false}, {QStringLiteral("error"), error}});
            return;
        }
        // A connection let in by the old rule for this id goes; the
        // controller comes back with whatever credential now applies.
        m_cloud->dropController(id, adding ? QStringLiteral("a credential was added for this controller")
                                           : QStringLiteral("this controller's credential was removed"));
        QJsonObject answer{{QStringLiteral("ok"), true}, {QStringLiteral("controller_id"), id}};
        if (adding)
            answer.insert(QStringLiteral("token"), token);
        reply(answer);
    } else if (op == u"credential_list") {
        reply(QJsonObject{{QStringLiteral("ok"), true}, {QStringLiteral("credentials"), m_cloud->credentials()->list()}});
    } else {
        reply(QJsonObject{{QStringLiteral("ok"), false}, {QStringLiteral("error"), QStringLiteral("unknown op '%1'").arg(op)}});
    }
}
