// Configuration: command line over environment over INI file over defaults,
// and every bad value refused with one line and exit status 2.
#include "core/config.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <utility>

class tst_Config : public QObject
{
    Q_OBJECT

private slots:
    void defaults();
    void precedence();
    void iniFile();
    void refusals_data();
    void refusals();
    void binaryExitsWithStatus2_data();
    void binaryExitsWithStatus2();
    void helpAndVersion();
    void secretsFromPrivateFiles();
    void readableSecretFileIsRefused_data();
    void readableSecretFileIsRefused();
    void secretsFromSystemdCredentials();
    void secretOnTheCommandLineWarns();

private:
    QString writeIni(const QByteArray &content);
    QString writeSecret(const QByteArray &content, QFile::Permissions permissions);
    QTemporaryDir m_dir;
};

QString tst_Config::writeIni(const QByteArray &content)
{
    static int serial = 0;
    const QString path = m_dir.filePath(QStringLiteral("c%1.ini").arg(++serial));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(content);
    return path;
}

void tst_Config::defaults()
{
    const ConfigResult r = ConfigLoader::load({QStringLiteral("control-nuc")}, QProcessEnvironment());
    QVERIFY2(r.config.has_value(), qPrintable(r.error));
    QCOMPARE(r.config->root, QStringLiteral("/opt/control-system"));
    QVERIFY(r.config->cloudUrl.isEmpty());
    QVERIFY(r.config->token.isEmpty());
    QVERIFY(!r.config->controllerId.isEmpty());   // the host name
    QCOMPARE(r.config->controllerName, r.config->controllerId);
    QCOMPARE(r.config->headless, false);
    QCOMPARE(r.config->logLevel, QStringLiteral("info"));
    QCOMPARE(r.config->maxFrameBytes, qint64(8 * 1024 * 1024));
    QCOMPARE(r.config->validationBudgetMs, 2000);
}

void tst_Config::precedence()
{
    const QString ini = writeIni("cloud-url = ws://ini.example:1/a\ntoken = from-ini\ncontroller-id = ini-id\n"
                                 "root = /tmp/ini-root\nheadless = true\n");
    QProcessEnvironment env;
    env.insert(QStringLiteral("CONTROL_NUC_TOKEN"), QStringLiteral("from-env"));
    env.insert(QStringLiteral("CONTROL_NUC_CONTROLLER_ID"), QStringLiteral("env-id"));
    const ConfigResult r = ConfigLoader::load({QStringLiteral("control-nuc"), QStringLiteral("--config"), ini,
                                               QStringLiteral("--controller-id"), QStringLiteral("cli-id")},
                                              env);
    QVERIFY2(r.config.has_value(), qPrintable(r.error));
    QCOMPARE(r.config->cloudUrl, QUrl(QStringLiteral("ws://ini.example:1/a")));   // only in the file
    QCOMPARE(r.config->token, QStringLiteral("from-env"));                         // env beats file
    QCOMPARE(r.config->controllerId, QStringLiteral("cli-id"));                    // command line beats both
    QCOMPARE(r.config->root, QStringLiteral("/tmp/ini-root"));
    QCOMPARE(r.config->headless, true);
}

void tst_Config::iniFile()
{
    const QString ini = writeIni("[controller]\nname = Lobby rack\nlog-level = debug\nping-interval-ms = 5000\n");
    const ConfigResult r = ConfigLoader::load({QStringLiteral("control-nuc"), QStringLiteral("--config"), ini},
                                              QProcessEnvironment());
    QVERIFY2(r.config.has_value(), qPrintable(r.error));
    QCOMPARE(r.config->controllerName, QStringLiteral("Lobby rack"));
    QCOMPARE(r.config->logLevel, QStringLiteral("debug"));
    QCOMPARE(r.config->pingIntervalMs, 5000);
}

void tst_Config::refusals_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");

    QTest::newRow("unknown option") << QStringList{QStringLiteral("--frobnicate")} << QStringLiteral("Unknown option 'frobnicate'");
    QTest::newRow("http url") << QStringList{QStringLiteral("--cloud-url"), QStringLiteral("http://cloud/x")} << QStringLiteral("not a ws:// or wss:// URL");
    QTest::newRow("url without host") << QStringList{QStringLiteral("--cloud-url"), QStringLiteral("ws://")} << QStringLiteral("not a ws:// or wss:// URL");
    QTest::newRow("garbage url") << QStringList{QStringLiteral("--cloud-url"), QStringLiteral("::not a url")} << QStringLiteral("not a ws:// or wss:// URL");
    QTest::newRow("bad log level") << QStringList{QStringLiteral("--log-level"), QStringLiteral("loud")} << QStringLiteral("expected debug, info, warning or error");
    QTest::newRow("bad number") << QStringList{QStringLiteral("--ping-interval-ms"), QStringLiteral("soon")} << QStringLiteral("expected a whole number");
    QTest::newRow("missing config file") << QStringList{QStringLiteral("--config"), QStringLiteral("/nonexistent/x.ini")} << QStringLiteral("does not exist");
    QTest::newRow("positional argument") << QStringList{QStringLiteral("extra")} << QStringLiteral("unexpected argument 'extra'");
    // A line end is refused, not trimmed away (and the pattern is anchored at the very end).
    QTest::newRow("pin with a final line end") << QStringList{QStringLiteral("--technician-pin"), QStringLiteral("2468\n")} << QStringLiteral("the technician PIN must be 4 to 12 digits");
    QTest::newRow("pin with a final carriage return") << QStringList{QStringLiteral("--technician-pin"), QStringLiteral("2468\r")} << QStringLiteral("the technician PIN must be 4 to 12 digits");
    QTest::newRow("lang with a final line end") << QStringList{QStringLiteral("--lang"), QStringLiteral("de\n")} << QStringLiteral("'de\\n' is not a language code");
    QTest::newRow("lang with a final carriage return") << QStringList{QStringLiteral("--lang"), QStringLiteral("ok\r")} << QStringLiteral("'ok\\r' is not a language code");
    QTest::newRow("run timeout not a number") << QStringList{QStringLiteral("--run"), QStringLiteral("x.js"), QStringLiteral("--timeout-ms"), QStringLiteral("soon")} << QStringLiteral("--timeout-ms must be a positive number of milliseconds, got 'soon'");
    QTest::newRow("check timeout zero") << QStringList{QStringLiteral("--check-cloud"), QStringLiteral("--check-timeout-ms"), QStringLiteral("0")} << QStringLiteral("--check-timeout-ms must be a positive number of milliseconds, got '0'");
    QTest::newRow("backoff inverted") << QStringList{QStringLiteral("--reconnect-min-ms"), QStringLiteral("5000"), QStringLiteral("--reconnect-max-ms"), QStringLiteral("100")} << QStringLiteral("below reconnect-min-ms");
}

void tst_Config::refusals()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const ConfigResult r = ConfigLoader::load(QStringList{QStringLiteral("control-nuc")} + args, QProcessEnvironment());
    QVERIFY(!r.config.has_value());
    QVERIFY2(r.error.contains(expected), qPrintable(r.error));
    QVERIFY(!r.error.contains(QLatin1Char('\n')));
}

void tst_Config::binaryExitsWithStatus2_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");

    // A root below a regular file cannot be created, even by root.
    QFile blocker(m_dir.filePath(QStringLiteral("not-a-folder")));
    if (blocker.open(QIODevice::WriteOnly))
        blocker.close();
    const QString badIni = writeIni("colud-url = ws://typo\n");

    QTest::newRow("unknown option") << QStringList{QStringLiteral("--bogus")} << QStringLiteral("Unknown option");
    QTest::newRow("malformed url") << QStringList{QStringLiteral("--cloud-url"), QStringLiteral("ftp://x")} << QStringLiteral("cloud-url");
    QTest::newRow("unwritable root") << QStringList{QStringLiteral("--root"), blocker.fileName() + QStringLiteral("/root")} << QStringLiteral("cannot create root folder");
    QTest::newRow("unknown ini key") << QStringList{QStringLiteral("--config"), badIni} << QStringLiteral("unknown key 'colud-url'");
}

void tst_Config::binaryExitsWithStatus2()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    QProcess p;
    p.start(QStringLiteral(CONTROL_NUC_BINARY), args + QStringList{QStringLiteral("--headless")});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 2);
    const QString err = QString::fromLocal8Bit(p.readAllStandardError()).trimmed();
    QVERIFY2(err.startsWith(u"control-nuc: ") && err.contains(expected), qPrintable(err));
    QCOMPARE(err.count(QLatin1Char('\n')), 0);   // one clear line
}

void tst_Config::helpAndVersion()
{
    QProcess p;
    p.start(QStringLiteral(CONTROL_NUC_BINARY), {QStringLiteral("--help")});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    const QString help = QString::fromLocal8Bit(p.readAllStandardOutput());
    for (const char *option : {"--root", "--cloud-url", "--token", "--controller-id", "--headless", "--log-level", "--config"})
        QVERIFY2(help.contains(QLatin1String(option)), option);

    p.start(QStringLiteral(CONTROL_NUC_BINARY), {QStringLiteral("--version")});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    QCOMPARE(QString::fromLocal8Bit(p.readAllStandardOutput()).trimmed(),
             QStringLiteral("control-nuc ") + QStringLiteral(NUC_APP_VERSION));
}

QString tst_Config::writeSecret(const QByteArray &content, QFile::Permissions permissions)
{
    const QString path = writeIni(content);   // any file will do: only its content and mode count
    QFile::setPermissions(path, permissions);
    return path;
}

void tst_Config::secretsFromPrivateFiles()
{
    const QFile::Permissions owner = QFile::ReadOwner | QFile::WriteOwner;
    const ConfigResult r = ConfigLoader::load({QStringLiteral("control-nuc"),
                                               QStringLiteral("--token-file"), writeSecret("  file-token \n", owner),
                                               QStringLiteral("--technician-pin-file"), writeSecret("2468\n", owner)},
                                              QProcessEnvironment());
    QVERIFY2(r.config.has_value(), qPrintable(r.error));
    QCOMPARE(r.config->token, QStringLiteral("file-token"));   // trimmed
    QCOMPARE(r.config->technicianPin, QStringLiteral("2468"));
    QVERIFY(r.warnings.isEmpty());
}

void tst_Config::readableSecretFileIsRefused_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<int>("permissions");
    QTest::newRow("token readable by others") << QStringLiteral("--token-file") << int(QFile::ReadOwner | QFile::ReadOther);
    QTest::newRow("token readable by the group") << QStringLiteral("--token-file") << int(QFile::ReadOwner | QFile::ReadGroup);
    QTest::newRow("pin readable by others") << QStringLiteral("--technician-pin-file") << int(QFile::ReadOwner | QFile::ReadOther);
}

void tst_Config::readableSecretFileIsRefused()
{
    QFETCH(QString, option);
    QFETCH(int, permissions);
    const QString path = writeSecret("2468\n", QFile::Permissions(permissions));
    const ConfigResult r = ConfigLoader::load({QStringLiteral("control-nuc"), option, path}, QProcessEnvironment());
    QVERIFY(!r.config.has_value());
    QVERIFY2(r.error.contains(u"may be read by its group or others") && r.error.contains(QStringLiteral("chmod 600 ") + path),
             qPrintable(r.error));
}

void tst_Config::secretsFromSystemdCredentials()
{
    // systemd's credentials folder is private to the service; its files' modes are systemd's business.
    QTemporaryDir credentials;
    for (const auto &[name, content] : {std::pair{"token", QByteArray("cred-token\n")}, std::pair{"technician-pin", QByteArray("13579\n")}}) {
        QFile f(credentials.filePath(QLatin1String(name)));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }
    QProcessEnvironment env;
    env.insert(QStringLiteral("CREDENTIALS_DIRECTORY"), credentials.path());
    env.insert(QStringLiteral("CONTROL_NUC_TOKEN"), QStringLiteral("from-env"));
    ConfigResult r = ConfigLoader::load({QStringLiteral("control-nuc")}, env);
    QVERIFY2(r.config.has_value(), qPrintable(r.error));
    QCOMPARE(r.config->token, QStringLiteral("cred-token"));   // the credential beats the environment
    QCOMPARE(r.config->technicianPin, QStringLiteral("13579"));
    // A bad credential is refused like a bad option.
    QFile pin(credentials.filePath(QStringLiteral("technician-pin")));
    QVERIFY(pin.open(QIODevice::WriteOnly | QIODevice::Truncate));
    pin.write("12");
    pin.close();
    r = ConfigLoader::load({QStringLiteral("control-nuc")}, env);
    QVERIFY(!r.config.has_value());
    QVERIFY2(r.error.contains(u"systemd credential technician-pin: the technician PIN must be 4 to 12 digits"), qPrintable(r.error));
}

void tst_Config::secretOnTheCommandLineWarns()
{
    const ConfigResult r = ConfigLoader::load({QStringLiteral("control-nuc"), QStringLiteral("--token"), QStringLiteral("t"),
                                               QStringLiteral("--technician-pin"), QStringLiteral("2468")},
                                              QProcessEnvironment());
    QVERIFY2(r.config.has_value(), qPrintable(r.error));
    QCOMPARE(r.warnings.size(), 2);
    QVERIFY2(r.warnings.at(0).contains(u"--token on the command line is visible") && r.warnings.at(0).contains(u"--token-file"),
             qPrintable(r.warnings.at(0)));
    QVERIFY2(r.warnings.at(1).contains(u"--technician-pin on the command line"), qPrintable(r.warnings.at(1)));
    // The same from the environment (not in ps) says nothing.
    QProcessEnvironment env;
    env.insert(QStringLiteral("CONTROL_NUC_TOKEN"), QStringLiteral("t"));
    QVERIFY(ConfigLoader::load({QStringLiteral("control-nuc")}, env).warnings.isEmpty());
}

QTEST_GUILESS_MAIN(tst_Config)
#include "tst_config.moc"
