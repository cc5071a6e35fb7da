#include "cloudserver/adminclient.h"

#include "cloudserver/adminserver.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLocalSocket>

#include <algorithm>

namespace AdminClient {

QJsonObject ask(const QString &socketPath, const QJsonObject &request, int timeoutMs, QString *error)
{
    QLocalSocket socket;
    socket.connectToServer(socketPath);
    if (!socket.waitForConnected(3000)) {
        *error = QStringLiteral("cannot reach control-cloud at %1 (%2); is `control-cloud serve` running?")
                     .arg(socketPath, socket.errorString());
        return {};
    }
    socket.write(QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n');
    socket.flush();
    QByteArray answer;
    QElapsedTimer timer;
    timer.start();
    while (!answer.contains('\n') && timer.elapsed() < timeoutMs) {
        const bool more = socket.waitForReadyRead(int(std::max<qint64>(1, timeoutMs - timer.elapsed())));
        answer += socket.readAll();
        if (!more && socket.state() != QLocalSocket::ConnectedState)
            break;
    }
    answer += socket.readAll();
    if (!answer.contains('\n')) {
        *error = QStringLiteral("no answer from control-cloud within %1 ms").arg(timeoutMs);
        return {};
    }
    return QJsonDocument::fromJson(answer.left(answer.indexOf('\n'))).object();
}

QString column(const QString &text, int width)
{
    return text.leftJustified(width, QLatin1Char(' '), true);
}

QString socketPath(const QString &given)
{
    QString path = given;
    if (path.isEmpty())
        path = qEnvironmentVariable("CONTROL_CLOUD_ADMIN_SOCKET");
    if (path.isEmpty())
        path = AdminServer::defaultSocketPath();
    return QFileInfo(path).absoluteFilePath();
}

} // namespace AdminClient
