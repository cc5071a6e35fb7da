// control-cloud's command-line client: the commands that talk to a running
// `control-cloud serve` over its admin socket, and keygen, which needs none.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

class QCommandLineParser;

namespace CloudCli {

bool isClientCommand(const QString &command);
// Runs `command` with its options; returns the exit status.
int run(const QString &command, const QStringList &args);

// Prints "control-cloud: <message>" on stderr and returns `status`.
int fail(const QString &message, int status = 2);
QString envOr(const char *name, const QString &fallback);
// Asks the running server; 0 with its answer when it said ok, else the exit
// status after printing why (no server, no answer, or its error).
int askOrFail(const QString &socketPath, const QJsonObject &request, int timeoutMs, QJsonObject *answer);

// The driver options of deploy, rollout start and publish (--file, --type,
// --version, --protocol, --mappings, --config, --driver-id, --sign), and the
// request fields they make; driverRequest returns 0 or the exit status after
// saying what is wrong.
void addDriverOptions(QCommandLineParser &p);
// Parses `args`; false when the command ends here (*status: 0 after
// --help, 2 after a usage error).
bool parseArgs(QCommandLineParser &p, const QStringList &args, int *status);
int driverRequest(const QCommandLineParser &p, QJsonObject *request);

// groups …, rollout …, publish (rolloutcommands.cpp).
int fleet(const QString &command, const QStringList &args);
// Each rollout's line and its sites' states (the deployments view).
void printRollouts(const QJsonArray &rollouts);
// --limit N into the request's "limit" (control-cloud checks the range and
// answers a bad value with its reason).
void addLimit(const QCommandLineParser &p, QJsonObject *request);

} // namespace CloudCli
