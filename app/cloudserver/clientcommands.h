// control-cloud's command-line client: the commands that talk to a running
// `control-cloud serve` over its admin socket, and keygen, which needs none.
#pragma once

#include <QString>
#include <QStringList>

namespace CloudCli {

bool isClientCommand(const QString &command);
// Runs `command` with its options; returns the exit status.
int run(const QString &command, const QStringList &args);

// Prints "control-cloud: <message>" on stderr and returns `status`.
int fail(const QString &message, int status = 2);
QString envOr(const char *name, const QString &fallback);

} // namespace CloudCli
