#include "core/config.h"
#include "core/configsettings.h"

#include "core/logcategories.h"
#include "core/secretfile.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QHostInfo>
#include <QRegularExpression>
#include <QSettings>

#include <algorithm>
#include <functional>
#include <vector>

using ConfigSettings::Credential;
using ConfigSettings::Setting;
using ConfigSettings::envName;
using ConfigSettings::parseBool;

bool ConfigLoader::isValidLogLevel(const QString &level)
{
    return level == u"debug" || level == u"info" || level == u"warning" || level == u"error";
}

QDateTime ConfigLoader::parseSince(const QString &text, const QDateTime &now)
{
    static const QRegularExpression span(QRegularExpression::anchoredPattern(QStringLiteral("([0-9]{1,6})([mhd])")));
    const QString t = text.trimmed();
    const QRegularExpressionMatch m = span.match(t);
    if (m.hasMatch()) {
        const qint64 n = m.captured(1).toLongLong();
        const qint64 unit = m.captured(2) == u"m" ? 60 : m.captured(2) == u"h" ? 3600 : 86400;
        return now.addSecs(-n * unit);
    }
    // An ISO-8601 time without an offset is the box's local time.
    const QDateTime at = QDateTime::fromString(t, Qt::ISODateWithMs);
    return at.isValid() ? at.toUTC() : QDateTime();
}

void ConfigLoader::applyLogLevel(const QString &level)
{
    QString rules;
    if (level == u"debug")
        rules = QStringLiteral("nuc.*.debug=true");
    else if (level == u"warning")
        rules = QStringLiteral("nuc.*.debug=false\nnuc.*.info=false");
    else if (level == u"error")
        rules = QStringLiteral("nuc.*.debug=false\nnuc.*.info=false\nnuc.*.warning=false");
    else
        rules = QStringLiteral("nuc.*.debug=false\nnuc.*.info=true");
    // QJSEngine is chatty about large scripts; drivers are not ours to lint.
    rules += QStringLiteral("\nqt.qml.compiler=false");
    QLoggingCategory::setFilterRules(rules);
}

ConfigResult ConfigLoader::load(const QStringList &arguments, const QProcessEnvironment &environment)
{
    ConfigResult result;
    const std::vector<Setting> all = ConfigSettings::settings();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "control-nuc: the on-site controller. Dials the cloud, receives drivers, runs devices."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption configOption(QStringLiteral("config"),
                                          QStringLiteral("INI file with settings (keys as the long options)."),
                                          QStringLiteral("file"));
    const QCommandLineOption headlessOption(QStringLiteral("headless"),
                                            QStringLiteral("Run without any window."));
    const QCommandLineOption kioskOption(QStringLiteral("kiosk"),
                                         QStringLiteral("Full screen, no decorations, hidden cursor, no way to quit."));
    const QCommandLineOption checkOption(QStringLiteral("check-driver"),
                                         QStringLiteral("Validate and transform a driver file, print its problems, exit 0 or 1."),
                                         QStringLiteral("file"));
    const QCommandLineOption protocolOption(QStringLiteral("protocol"),
                                            QStringLiteral("With --check-driver: tcp, udp or serial (default tcp)."),
                                            QStringLiteral("protocol"), QStringLiteral("tcp"));
    const QCommandLineOption runOption(
        QStringLiteral("run"),
        QStringLiteral("Run a script as `node FILE` would (transformed, with the prelude, console and timers, "
                       "in a driver host), until no timer or Promise is pending; exit 0, or 1 with the uncaught error."),
        QStringLiteral("file"));
    const QCommandLineOption runTimeoutOption(QStringLiteral("timeout-ms"),
                                              QStringLiteral("With --run: the whole run's time limit (default 10000)."),
                                              QStringLiteral("ms"), QStringLiteral("10000"));
    const QCommandLineOption checkCloudOption(
        QStringLiteral("check-cloud"),
        QStringLiteral("Check the way to the cloud step by step (DNS, TCP, TLS, upgrade, hello), print each step, "
                       "exit 0 when all pass, 1 on a failure, 3 when the cloud refuses our credentials."));
    const QCommandLineOption checkTimeoutOption(QStringLiteral("check-timeout-ms"),
                                                QStringLiteral("With --check-cloud: each step's time limit (default 10000)."),
                                                QStringLiteral("ms"), QStringLiteral("10000"));
    const QCommandLineOption eventsOption(QStringLiteral("events"),
                                          QStringLiteral("Print the event log (oldest first) and exit; reads the database "
                                                         "read-only, beside a running controller."));
    const QCommandLineOption deviceOption(QStringLiteral("device"), QStringLiteral("With --events: only this device's events."),
                                          QStringLiteral("id"));
    const QCommandLineOption sinceOption(QStringLiteral("since"),
                                         QStringLiteral("With --events: only events since an ISO-8601 time or for the last "
                                                        "30m, 2h, 1d."),
                                         QStringLiteral("when"));
    parser.addOption(eventsOption);
    parser.addOption(deviceOption);
    parser.addOption(sinceOption);
    parser.addOption(configOption);
    parser.addOption(checkCloudOption);
    parser.addOption(checkTimeoutOption);
    parser.addOption(headlessOption);
    parser.addOption(kioskOption);
    parser.addOption(checkOption);
    parser.addOption(protocolOption);
    parser.addOption(runOption);
    parser.addOption(runTimeoutOption);
    // A setting without a value name is a switch on the command line
    // (given: true) and true/false in the INI file and the environment.
    for (const Setting &s : all)
        parser.addOption(s.valueName.isEmpty() ? QCommandLineOption(s.key, s.description)
                                               : QCommandLineOption(s.key, s.description, s.valueName));

    if (!parser.parse(arguments)) {
        result.error = parser.errorText();
        return result;
    }
    if (parser.isSet(helpOption)) {
        result.output = parser.helpText();
        return result;
    }
    if (parser.isSet(versionOption)) {
        result.output = QStringLiteral("control-nuc ") + QStringLiteral(NUC_APP_VERSION) + QLatin1Char('\n');
        return result;
    }
    if (!parser.positionalArguments().isEmpty()) {
        result.error = QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst());
        return result;
    }

    Config config;

    auto applyOne = [&](const Setting &s, const QString &value, const QString &origin) -> bool {
        const QString problem = s.apply(config, value);
        if (problem.isEmpty())
            return true;
        result.error = QStringLiteral("%1 %2: %3").arg(origin, s.key, problem);
        return false;
    };

    // 1. INI file.
    QString configFile = parser.value(configOption);
    if (configFile.isEmpty())
        configFile = environment.value(QStringLiteral("CONTROL_NUC_CONFIG"));
    bool headlessFromFile = false;
    bool kioskFromFile = false;
    if (!configFile.isEmpty()) {
        const QFileInfo info(configFile);
        if (!info.isFile() || !info.isReadable()) {
            result.error = QStringLiteral("config file '%1' does not exist or is not readable").arg(configFile);
            return result;
        }
        QSettings ini(configFile, QSettings::IniFormat);
        if (ini.status() != QSettings::NoError) {
            result.error = QStringLiteral("config file '%1' is not a valid INI file").arg(configFile);
            return result;
        }
        const QStringList keys = ini.allKeys();
        for (const QString &key : keys) {
            const QString bare = key.startsWith(u"controller/") ? key.mid(11) : key;
            if (bare == u"headless" || bare == u"kiosk") {
                const QString problem = parseBool(ini.value(key).toString(),
                                                  bare == u"headless" ? &headlessFromFile : &kioskFromFile);
                if (!problem.isEmpty()) {
                    result.error = QStringLiteral("config file %1: %2").arg(bare, problem);
                    return result;
                }
                continue;
            }
            auto it = std::find_if(all.begin(), all.end(), [&](const Setting &s) { return s.key == bare; });
            if (it == all.end()) {
                result.error = QStringLiteral("config file '%1': unknown key '%2'").arg(configFile, key);
                return result;
            }
            if (!applyOne(*it, ini.value(key).toString(), QStringLiteral("config file")))
                return result;
        }
    }
    config.headless = headlessFromFile;
    config.kiosk = kioskFromFile;

    // 2. Environment.
    for (const Setting &s : all) {
        const QString name = envName(s.key);
        if (environment.contains(name) && !applyOne(s, environment.value(name), name))
            return result;
    }
    if (environment.contains(QStringLiteral("CONTROL_NUC_KIOSK"))) {
        const QString problem = parseBool(environment.value(QStringLiteral("CONTROL_NUC_KIOSK")), &config.kiosk);
        if (!problem.isEmpty()) {
            result.error = QStringLiteral("CONTROL_NUC_KIOSK: %1").arg(problem);
            return result;
        }
    }
    if (environment.contains(QStringLiteral("CONTROL_NUC_HEADLESS"))) {
        const QString problem = parseBool(environment.value(QStringLiteral("CONTROL_NUC_HEADLESS")), &config.headless);
        if (!problem.isEmpty()) {
            result.error = QStringLiteral("CONTROL_NUC_HEADLESS: %1").arg(problem);
            return result;
        }
    }

    // 3. systemd credentials ($CREDENTIALS_DIRECTORY, from LoadCredential=).
    for (const Credential &credential : ConfigSettings::credentials()) {
        const QString name = QLatin1String(credential.name);
        QString secret;
        bool found = false;
        QString problem = SecretFile::readCredential(environment.value(QStringLiteral("CREDENTIALS_DIRECTORY")), name,
                                                     &secret, &found);
        if (problem.isEmpty() && found)
            problem = credential.apply(config, secret);
        if (!problem.isEmpty()) {
            result.error = QStringLiteral("systemd credential %1: %2").arg(name, problem);
            return result;
        }
    }

    // 4. Command line wins.
    for (const Setting &s : all) {
        const QString value = s.valueName.isEmpty() ? QStringLiteral("true") : parser.value(s.key);
        if (parser.isSet(s.key) && !applyOne(s, value, QStringLiteral("option")))
            return result;
    }
    for (const Credential &credential : ConfigSettings::credentials()) {
        const QString key = QLatin1String(credential.name);
        if (parser.isSet(key) && !parser.value(key).trimmed().isEmpty())
            result.warnings << SecretFile::commandLineWarning(key, QStringLiteral("--%1-file or the systemd credential '%1'").arg(key));
    }
    if (parser.isSet(headlessOption))
        config.headless = true;
    if (parser.isSet(kioskOption))
        config.kiosk = true;
    if (parser.isSet(checkOption)) {
        config.checkDriverFile = parser.value(checkOption);
        config.checkProtocol = parser.value(protocolOption);
        if (config.checkProtocol != u"tcp" && config.checkProtocol != u"udp" && config.checkProtocol != u"serial") {
            result.error = QStringLiteral("--protocol must be tcp, udp or serial, got '%1'").arg(config.checkProtocol);
            return result;
        }
    }
    // A time limit option: a positive number of milliseconds, else an error.
    auto readMs = [&](const QCommandLineOption &option, int *ms) {
        bool ok = false;
        *ms = parser.value(option).toInt(&ok);
        if (ok && *ms >= 1)
            return true;
        result.error = QStringLiteral("--%1 must be a positive number of milliseconds, got '%2'")
                           .arg(option.names().constFirst(), parser.value(option));
        return false;
    };
    if (parser.isSet(runOption)) {
        config.runFile = parser.value(runOption);
        if (!readMs(runTimeoutOption, &config.runTimeoutMs))
            return result;
    }
    if (parser.isSet(checkCloudOption)) {
        config.checkCloud = true;
        if (!readMs(checkTimeoutOption, &config.checkTimeoutMs))
            return result;
    }
    if (parser.isSet(eventsOption)) {
        config.showEvents = true;
        config.eventsDevice = parser.value(deviceOption).trimmed();
        if (parser.isSet(sinceOption)) {
            config.eventsSince = ConfigLoader::parseSince(parser.value(sinceOption), QDateTime::currentDateTimeUtc());
            if (!config.eventsSince.isValid()) {
                result.error = QStringLiteral("--since must be an ISO-8601 time or a span like 30m, 2h, 1d, got '%1'")
                                   .arg(parser.value(sinceOption));
                return result;
            }
        }
    } else if (parser.isSet(deviceOption) || parser.isSet(sinceOption)) {
        result.error = QStringLiteral("--device and --since go with --events");
        return result;
    }
    if (config.kiosk && config.headless) {
        result.error = QStringLiteral("--kiosk and --headless exclude each other");
        return result;
    }

    if (config.reconnectMaxMs < config.reconnectMinMs) {
        result.error = QStringLiteral("reconnect-max-ms (%1) is below reconnect-min-ms (%2)")
                           .arg(config.reconnectMaxMs).arg(config.reconnectMinMs);
        return result;
    }
    if (config.controllerId.isEmpty())
        config.controllerId = QHostInfo::localHostName();
    if (config.controllerId.isEmpty())
        config.controllerId = QStringLiteral("control-nuc");
    if (config.controllerName.isEmpty())
        config.controllerName = config.controllerId;

    result.config = config;
    return result;
}
