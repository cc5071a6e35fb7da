// A real control-cloud process for the end-to-end tests: started on SQLite or
// PostgreSQL (NUC_TEST_DB=postgres with CONTROL_CLOUD_TEST_PG_URL, which
// scripts/test.sh sets), driven through its command line.
#pragma once

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUrl>

#include <memory>

namespace CloudProcess {

// For initTestCase: SQLite, or PostgreSQL at CONTROL_CLOUD_TEST_PG_URL when
// NUC_TEST_DB=postgres. False when the test is to stop (PostgreSQL asked
// for but not given: skipped, or failed under CI).
inline bool chooseDatabase(bool *postgres, QString *database)
{
    *postgres = qEnvironmentVariable("NUC_TEST_DB") == u"postgres";
    if (!*postgres)
        return true;
    *database = qEnvironmentVariable("CONTROL_CLOUD_TEST_PG_URL");
    if (!database->isEmpty())
        return true;
    if (qEnvironmentVariable("CI") == u"true")
        QTest::qFail("CONTROL_CLOUD_TEST_PG_URL is not set: scripts/test.sh starts PostgreSQL for this test", __FILE__, __LINE__);
    else
        QTest::qSkip("no PostgreSQL: run through scripts/test.sh, which starts one", __FILE__, __LINE__);
    return false;
}

// A QPSQL connection named `name` to `url` (not opened).
inline QSqlDatabase postgres(const QString &url, const QString &name)
{
    const QUrl u(url);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
    db.setHostName(u.host());
    db.setPort(u.port(5432));
    db.setUserName(u.userName());
    db.setPassword(u.password());
    db.setDatabaseName(u.path().mid(1));
    return db;
}

// Drops every table control-cloud makes: a clean schema for the next test.
inline QString resetPostgres(const QString &url)
{
    QString error;
    {
        QSqlDatabase db = postgres(url, QStringLiteral("reset"));
        if (!db.open())
            return db.lastError().text();
        QSqlQuery q(db);
        for (const char *table : {"driver_deployments", "deployment_events", "device_status", "controllers", "controller_credentials",
                                  "controller_reports", "controller_groups", "group_members", "rollouts", "rollout_sites",
                                  "schema_migrations"}) {
            if (!q.exec(QStringLiteral("DROP TABLE IF EXISTS %1 CASCADE").arg(QLatin1String(table))))
                error = q.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("reset"));
    return error;
}

// The process helpers find control-cloud next to control-nuc; a program
// built without CONTROL_NUC_BINARY (bench_fleet, which is given the cloud's
// path itself) uses only the database helpers above.
#ifdef CONTROL_NUC_BINARY
inline QString binary()
{
    return QStringLiteral(CONTROL_NUC_BINARY).section(QLatin1Char('/'), 0, -2) + QStringLiteral("/cloudserver/control-cloud");
}

// `serve` on 127.0.0.1:port with the token e2e-token; `database` a SQLite
// file or a postgres:// URL (its password goes through the environment).
// Null when it did not start listening.
inline std::unique_ptr<QProcess> start(const QString &database, quint16 port, const QString &adminSocket,
                                       const QStringList &extra = {})
{
    auto cloud = std::make_unique<QProcess>();
    cloud->setProcessChannelMode(QProcess::MergedChannels);
    QUrl location(database);
    const bool pg = location.scheme().startsWith(u"postgres");
    if (pg) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("CONTROL_CLOUD_DB_PASSWORD"), location.password());
        cloud->setProcessEnvironment(env);
        location.setPassword(QString());
    }
    cloud->start(binary(), QStringList{QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port),
                                       QStringLiteral("--token"), QStringLiteral("e2e-token"), QStringLiteral("--db"),
                                       pg ? location.toString() : database, QStringLiteral("--admin-socket"), adminSocket}
                                + extra);
    if (!cloud->waitForStarted(5000) || !QTest::qWaitFor([&] { return QFile::exists(adminSocket); }, 15000))
        return nullptr;
    return cloud;
}

// Runs a CLI command against `adminSocket` while the event loop runs (so
// in-process peers keep answering); exit code (-1: did not end in time),
// stdout + stderr into `out`.
inline int cli(const QString &adminSocket, const QStringList &args, QString *out = nullptr, int timeoutMs = 40000)
{
    QProcess p;
    p.start(binary(), args + QStringList{QStringLiteral("--admin-socket"), adminSocket});
    if (!p.waitForStarted(5000) || !QTest::qWaitFor([&] { return p.state() == QProcess::NotRunning; }, timeoutMs)) {
        p.kill();
        p.waitForFinished(2000);
        return -1;
    }
    if (out)
        *out = QString::fromUtf8(p.readAllStandardOutput()) + QString::fromUtf8(p.readAllStandardError());
    return p.exitCode();
}

inline QJsonObject cliJson(const QString &adminSocket, const QStringList &args)
{
    QString out;
    if (cli(adminSocket, args + QStringList{QStringLiteral("--json")}, &out) != 0)
        return {};
    return QJsonDocument::fromJson(out.toUtf8()).object();
}

#endif // CONTROL_NUC_BINARY

} // namespace CloudProcess
