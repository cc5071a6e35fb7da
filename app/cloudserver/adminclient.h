// The command-line side of control-cloud's admin socket (AdminServer):
// one JSON request, one JSON answer; shared by the subcommands.
#pragma once

#include <QJsonObject>
#include <QString>

namespace AdminClient {

// Sends one request over the admin socket and returns the answer.
QJsonObject ask(const QString &socketPath, const QJsonObject &request, int timeoutMs, QString *error);

// The admin socket a client uses: `given` (--admin-socket), else
// CONTROL_CLOUD_ADMIN_SOCKET, else AdminServer's default; absolute.
QString socketPath(const QString &given);

// `text` cut or padded to `width` characters: a column of a table.
QString column(const QString &text, int width);

} // namespace AdminClient
