#include "core/configsettings.h"

#include "core/logtext.h"
#include "core/secretfile.h"

#include <QFileInfo>
#include <QRegularExpression>

namespace ConfigSettings {

QString envName(const QString &key)
{
    return QStringLiteral("CONTROL_NUC_") + QString(key).replace(QLatin1Char('-'), QLatin1Char('_')).toUpper();
}

std::function<QString(Config &, const QString &)> intSetting(int Config::*member, int min, int max)
{
    return [member, min, max](Config &c, const QString &v) -> QString {
        bool ok = false;
        const int n = v.trimmed().toInt(&ok);
        if (!ok || n < min || n > max)
            return QStringLiteral("expected a whole number from %1 to %2, got '%3'").arg(min).arg(max).arg(v);
        c.*member = n;
        return {};
    };
}

std::function<QString(Config &, const QString &)> bytesSetting(qint64 Config::*member, qint64 min, qint64 max)
{
    return [member, min, max](Config &c, const QString &v) -> QString {
        bool ok = false;
        const qint64 n = v.trimmed().toLongLong(&ok);
        if (!ok || n < min || n > max)
            return QStringLiteral("expected a byte count from %1 to %2, got '%3'").arg(min).arg(max).arg(v);
        c.*member = n;
        return {};
    };
}

// Given in minutes, kept in milliseconds (tests use shorter times).
std::function<QString(Config &, const QString &)> minutesSetting(int Config::*member, int max)
{
    return [member, max](Config &c, const QString &v) -> QString {
        bool ok = false;
        const int n = v.trimmed().toInt(&ok);
        if (!ok || n < 0 || n > max)
            return QStringLiteral("expected minutes from 0 (never) to %1, got '%2'").arg(max).arg(v);
        c.*member = n * 60 * 1000;
        return {};
    };
}

QString parseBool(const QString &v, bool *out)
{
    const QString s = v.trimmed().toLower();
    if (s == u"1" || s == u"true" || s == u"yes" || s == u"on") {
        *out = true;
        return {};
    }
    if (s == u"0" || s == u"false" || s == u"no" || s == u"off") {
        *out = false;
        return {};
    }
    return QStringLiteral("expected true or false, got '%1'").arg(v);
}

QString applyToken(Config &c, const QString &v)
{
    if (v.contains(QLatin1Char('\n')) || v.contains(QLatin1Char('\r')))
        return QStringLiteral("the token must be a single line");
    c.token = v.trimmed();
    return {};
}

QString applyPin(Config &c, const QString &v)
{
    const QString pin = v.trimmed();
    static const QRegularExpression digits(QRegularExpression::anchoredPattern(QStringLiteral("[0-9]{4,12}")));
    if (LogText::hasControl(v) || (!pin.isEmpty() && !digits.match(pin).hasMatch()))
        return QStringLiteral("the technician PIN must be 4 to 12 digits");
    c.technicianPin = pin;
    return {};
}

// A *-file setting: the named private file's content goes through `apply`.
std::function<QString(Config &, const QString &)> fromSecretFile(QString (*apply)(Config &, const QString &))
{
    return [apply](Config &c, const QString &path) -> QString {
        if (path.trimmed().isEmpty())
            return QStringLiteral("the file name must not be empty");
        QString secret;
        const QString error = SecretFile::read(path.trimmed(), &secret);
        return error.isEmpty() ? apply(c, secret) : error;
    };
}

const std::vector<Credential> &credentials()
{
    static const std::vector<Credential> all = {{"token", applyToken}, {"technician-pin", applyPin}};
    return all;
}

std::vector<Setting> settings()
{
    return {
        {QStringLiteral("root"), QStringLiteral("dir"),
         QStringLiteral("Root folder holding var/ and logs/ (default /opt/control-system)."),
         [](Config &c, const QString &v) -> QString {
             if (v.trimmed().isEmpty())
                 return QStringLiteral("the root folder must not be empty");
             c.root = QFileInfo(v).absoluteFilePath();
             return {};
         }},
        {QStringLiteral("cloud-url"), QStringLiteral("url"),
         QStringLiteral("WebSocket URL of the cloud (ws:// or wss://); none: stay offline."),
         [](Config &c, const QString &v) -> QString {
             if (v.trimmed().isEmpty()) {
                 c.cloudUrl = QUrl();
                 return {};
             }
             const QUrl url(v.trimmed(), QUrl::StrictMode);
             if (!url.isValid() || (url.scheme() != u"ws" && url.scheme() != u"wss") || url.host().isEmpty())
                 return QStringLiteral("'%1' is not a ws:// or wss:// URL with a host").arg(v);
             c.cloudUrl = url;
             return {};
         }},
        {QStringLiteral("token"), QStringLiteral("token"),
         QStringLiteral("Bearer token sent to the cloud (visible in ps: prefer --token-file or a systemd credential)."),
         applyToken},
        {QStringLiteral("token-file"), QStringLiteral("file"),
         QStringLiteral("File (owner-only) whose content, trimmed, is the bearer token."),
         fromSecretFile(applyToken)},
        {QStringLiteral("cloud-ca"), QStringLiteral("file"),
         QStringLiteral("PEM file of a CA to trust for wss:// (besides the system's)."),
         [](Config &c, const QString &v) -> QString {
             if (!v.trimmed().isEmpty() && !QFileInfo(v.trimmed()).isReadable())
                 return QStringLiteral("'%1' is not a readable file").arg(v);
             c.cloudCaFile = v.trimmed();
             return {};
         }},
        {QStringLiteral("controller-id"), QStringLiteral("id"),
         QStringLiteral("Controller id reported to the cloud (default: host name)."),
         [](Config &c, const QString &v) -> QString {
             if (v.trimmed().isEmpty())
                 return QStringLiteral("the controller id must not be empty");
             c.controllerId = v.trimmed();
             return {};
         }},
        {QStringLiteral("name"), QStringLiteral("name"),
         QStringLiteral("Human-readable controller name (default: the controller id)."),
         [](Config &c, const QString &v) -> QString {
             c.controllerName = v.trimmed();
             return {};
         }},
        {QStringLiteral("lang"), QStringLiteral("language"),
         QStringLiteral("Dashboard language, e.g. en or de (default: the system locale)."),
         [](Config &c, const QString &v) -> QString {
             const QString lang = v.trimmed();
             static const QRegularExpression pattern(
                 QRegularExpression::anchoredPattern(QStringLiteral("[a-z]{2,3}([_-][A-Za-z]{2,4})?")));
             // A control character is refused, not trimmed away with the spaces.
             if (LogText::hasControl(v) || (!lang.isEmpty() && !pattern.match(lang).hasMatch()))
                 return QStringLiteral("'%1' is not a language code like en or de").arg(LogText::escaped(v));
             c.language = lang;
             return {};
         }},
        {QStringLiteral("technician-pin"), QStringLiteral("pin"),
         QStringLiteral("PIN that unlocks the technician actions on the dashboard (none: locked; "
                        "visible in ps: prefer --technician-pin-file)."),
         applyPin},
        {QStringLiteral("technician-pin-file"), QStringLiteral("file"),
         QStringLiteral("File (owner-only) whose content, trimmed, is the technician PIN."),
         fromSecretFile(applyPin)},
        {QStringLiteral("technician-session-s"), QStringLiteral("s"),
         QStringLiteral("How long a right PIN unlocks the technician actions (default 300)."),
         intSetting(&Config::technicianSessionS, 10, 86400)},
        {QStringLiteral("metrics-interval"), QStringLiteral("s"),
         QStringLiteral("Seconds between driver_metrics reports to the cloud while connected (default 60)."),
         intSetting(&Config::metricsIntervalS, 1, 86400)},
        {QStringLiteral("log-level"), QStringLiteral("level"),
         QStringLiteral("debug, info, warning or error (default info)."),
         [](Config &c, const QString &v) -> QString {
             const QString level = v.trimmed().toLower();
             if (!ConfigLoader::isValidLogLevel(level))
                 return QStringLiteral("expected debug, info, warning or error, got '%1'").arg(v);
             c.logLevel = level;
             return {};
         }},
        {QStringLiteral("max-frame-bytes"), QStringLiteral("bytes"),
         QStringLiteral("Largest accepted WebSocket message (default 8388608)."),
         bytesSetting(&Config::maxFrameBytes, 1024, qint64(1) << 31)},
        {QStringLiteral("max-driver-bytes"), QStringLiteral("bytes"),
         QStringLiteral("Largest accepted driver_code (default 1048576)."),
         bytesSetting(&Config::maxDriverCodeBytes, 1, qint64(1) << 31)},
        {QStringLiteral("validation-budget-ms"), QStringLiteral("ms"),
         QStringLiteral("Watchdog budget for evaluating a driver at sync time (default 2000)."),
         intSetting(&Config::validationBudgetMs, 10, 600000)},
        {QStringLiteral("script-budget-ms"), QStringLiteral("ms"),
         QStringLiteral("Watchdog budget of each call into a running driver (default 2000)."),
         intSetting(&Config::scriptBudgetMs, 10, 600000)},
        {QStringLiteral("connect-timeout-ms"), QStringLiteral("ms"),
         QStringLiteral("A driver's connect() must settle within this (default 10000)."),
         intSetting(&Config::connectTimeoutMs, 10, 600000)},
        {QStringLiteral("command-timeout-ms"), QStringLiteral("ms"),
         QStringLiteral("A driver's sendCommand() must settle within this (default 5000)."),
         intSetting(&Config::commandTimeoutMs, 10, 600000)},
        {QStringLiteral("reload-deadline-ms"), QStringLiteral("ms"),
         QStringLiteral("A device reload reports back within this (default 3000)."),
         intSetting(&Config::reloadDeadlineMs, 10, 600000)},
        {QStringLiteral("device-retry-min-ms"), QStringLiteral("ms"),
         QStringLiteral("First restart delay of a failed device (default 1000)."),
         intSetting(&Config::deviceRetryMinMs, 10, 3600000)},
        {QStringLiteral("device-retry-max-ms"), QStringLiteral("ms"),
         QStringLiteral("Longest restart delay of a failed device (default 60000)."),
         intSetting(&Config::deviceRetryMaxMs, 10, 3600000)},
        {QStringLiteral("device-max-restarts"), QStringLiteral("n"),
         QStringLiteral("Driver faults in a row before a device is parked in error (default 5)."),
         intSetting(&Config::deviceMaxRestarts, 0, 1000)},
        {QStringLiteral("device-park-cooldown-s"), QStringLiteral("s"),
         QStringLiteral("A parked device is retried by itself after this many seconds (default 600)."),
         intSetting(&Config::deviceParkCooldownS, 1, 604800)},
        {QStringLiteral("safe-mode-crashes"), QStringLiteral("n"),
         QStringLiteral("Crashes within the window that start the app in safe mode (default 3)."),
         intSetting(&Config::safeModeCrashes, 1, 1000)},
        {QStringLiteral("safe-mode-window-s"), QStringLiteral("s"),
         QStringLiteral("The safe-mode crash window in seconds (default 600)."),
         intSetting(&Config::safeModeWindowS, 1, 604800)},
        {QStringLiteral("safe-mode-clear-after-s"), QStringLiteral("s"),
         QStringLiteral("Safe mode ends by itself after this long without a crash (default 900)."),
         intSetting(&Config::safeModeClearAfterS, 1, 604800)},
        {QStringLiteral("automatic-rollback"), QStringLiteral("bool"),
         QStringLiteral("Roll a driver_sync back when devices connected before fail to connect on it (default true)."),
         [](Config &c, const QString &v) { return parseBool(v, &c.automaticRollback); }},
        {QStringLiteral("trusted-keys"), QStringLiteral("file"),
         QStringLiteral("Ed25519 public keys that may sign drivers, one `key_id base64` per line."),
         [](Config &c, const QString &v) -> QString {
             if (!v.trimmed().isEmpty() && !QFileInfo(v.trimmed()).isReadable())
                 return QStringLiteral("'%1' is not a readable file").arg(v);
             c.trustedKeysFile = v.trimmed().isEmpty() ? QString() : QFileInfo(v.trimmed()).absoluteFilePath();
             return {};
         }},
        {QStringLiteral("require-signed-drivers"), QString(),
         QStringLiteral("Refuse drivers without a valid signature by a trusted key (INI/environment: true or false)."),
         [](Config &c, const QString &v) { return parseBool(v, &c.requireSignedDrivers); }},
        {QStringLiteral("driver-host"), QStringLiteral("file"),
         QStringLiteral("The driver host program (default: control-nuc-driverhost beside control-nuc)."),
         [](Config &c, const QString &v) -> QString {
             const QFileInfo program(v.trimmed());
             if (!v.trimmed().isEmpty() && !(program.isFile() && program.isExecutable()))
                 return QStringLiteral("'%1' is not an executable file").arg(v);
             c.driverHostProgram = v.trimmed();
             return {};
         }},
        {QStringLiteral("host-memory-mb"), QStringLiteral("MiB"),
         QStringLiteral("Memory limit of one driver host, before its devices (default 128)."),
         intSetting(&Config::hostMemoryMb, 16, 65536)},
        {QStringLiteral("host-memory-per-device-mb"), QStringLiteral("MiB"),
         QStringLiteral("Memory a driver host may use per device it runs (default 4)."),
         intSetting(&Config::hostMemoryPerDeviceMb, 0, 4096)},
        {QStringLiteral("max-pending-timers"), QStringLiteral("n"),
         QStringLiteral("Pending timers per device; beyond, setTimeout throws (default 10000)."),
         intSetting(&Config::maxPendingTimers, 1, 10000000)},
        {QStringLiteral("log-lines-per-second"), QStringLiteral("n"),
         QStringLiteral("Log lines per device per second; the rest are dropped and counted (default 100)."),
         intSetting(&Config::logLinesPerSecond, 1, 1000000)},
        {QStringLiteral("quarantine-failures"), QStringLiteral("n"),
         QStringLiteral("Driver host failures of one type within the window that quarantine it (default 5)."),
         intSetting(&Config::quarantineFailures, 1, 1000)},
        {QStringLiteral("quarantine-window-s"), QStringLiteral("s"),
         QStringLiteral("The quarantine window in seconds (default 600)."),
         intSetting(&Config::quarantineWindowS, 1, 604800)},
        {QStringLiteral("event-log-max-rows"), QStringLiteral("n"),
         QStringLiteral("Events the event log keeps; the oldest go in batches of a tenth (default 20000)."),
         intSetting(&Config::eventLogMaxRows, 100, 100000000)},
        {QStringLiteral("idle-dim-minutes"), QStringLiteral("min"),
         QStringLiteral("Kiosk: dim the screen after this long without a touch; 0: never (default 5)."),
         minutesSetting(&Config::idleDimMs, 24 * 60)},
        {QStringLiteral("idle-blank-minutes"), QStringLiteral("min"),
         QStringLiteral("Kiosk: blank the screen after this long without a touch; 0: never (default 30)."),
         minutesSetting(&Config::idleBlankMs, 24 * 60)},
        {QStringLiteral("reconnect-min-ms"), QStringLiteral("ms"),
         QStringLiteral("First reconnect delay (default 1000)."),
         intSetting(&Config::reconnectMinMs, 10, 3600000)},
        {QStringLiteral("reconnect-max-ms"), QStringLiteral("ms"),
         QStringLiteral("Longest reconnect delay (default 60000)."),
         intSetting(&Config::reconnectMaxMs, 10, 3600000)},
        {QStringLiteral("ping-interval-ms"), QStringLiteral("ms"),
         QStringLiteral("Keep-alive ping period (default 20000)."),
         intSetting(&Config::pingIntervalMs, 50, 3600000)},
        {QStringLiteral("pong-timeout-ms"), QStringLiteral("ms"),
         QStringLiteral("A peer that does not answer a ping within this is dropped (default 10000)."),
         intSetting(&Config::pongTimeoutMs, 50, 3600000)},
    };
}

} // namespace ConfigSettings
