// Controller configuration: defaults < INI file < environment < systemd
// credentials < command line.
#pragma once

#include <QDateTime>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

struct Config
{
    QString root = QStringLiteral("/opt/control-system");
    QUrl cloudUrl;                 // empty: stay offline
    QString token;                 // bearer token for the cloud, may be empty
    QString cloudCaFile;           // wss://: an extra CA (PEM) to trust
    QString controllerId;          // default: host name
    QString controllerName;        // default: controller id
    bool headless = false;
    bool kiosk = false;            // full screen, no decorations, no cursor, no way to quit
    QString language;              // e.g. "de"; empty: the system locale
    QString technicianPin;         // empty: technician actions locked
    int technicianSessionS = 300;  // a right PIN unlocks the technician actions this long
    int metricsIntervalS = 60;     // driver_metrics to the cloud this often while connected
    QString checkDriverFile;       // --check-driver: validate this file and exit
    QString checkProtocol = QStringLiteral("tcp");
    QString runFile;               // --run: run this script as node would (in a driver host) and exit
    int runTimeoutMs = 10000;      // --timeout-ms: the whole run's limit
    bool checkCloud = false;       // --check-cloud: check the way to the cloud and exit
    int checkTimeoutMs = 10000;    // --check-timeout-ms: each step's limit
    QString logLevel = QStringLiteral("info");   // debug, info, warning, error
    bool showEvents = false;       // --events: print the event log and exit
    QString eventsDevice;          // --device: only this device's events
    QDateTime eventsSince;         // --since: only events from then on (invalid: all kept)

    qint64 maxFrameBytes = 8 * 1024 * 1024;      // protocol_error above this
    qint64 maxDriverCodeBytes = 1024 * 1024;     // driver_sync_error above this
    int validationBudgetMs = 2000;               // watchdog budget of driver validation
    int scriptBudgetMs = 2000;                   // watchdog budget of each call into a running driver
    int connectTimeoutMs = 10000;                // a driver's connect() must settle within this
    int commandTimeoutMs = 5000;                 // a driver's sendCommand() must settle within this
    int reloadDeadlineMs = 3000;                 // a device reload reports back within this
    int deviceRetryMinMs = 1000;                 // a failed device is restarted after this, doubling ...
    int deviceRetryMaxMs = 60000;                // ... up to this, with jitter (connection failures: forever)
    int deviceMaxRestarts = 5;                   // driver faults in a row before a device is parked in error
    int deviceParkCooldownS = 600;               // a parked device is retried by itself after this
    int safeModeCrashes = 3;                     // this many unclean ends ...
    int safeModeWindowS = 600;                   // ... within this window: start in safe mode
    int safeModeClearAfterS = 900;               // safe mode ends by itself after this long without a crash

    // Driver lifecycle (docs/drivers.md "Versions, rollback and signatures").
    bool automaticRollback = true;               // a sync whose devices fail to connect is rolled back
    QString trustedKeysFile;                     // `key_id base64` lines: Ed25519 keys that may sign drivers
    bool requireSignedDrivers = false;           // refuse drivers without a valid signature

    // Driver hosts (docs/driver-hosts.md).
    QString driverHostProgram;                   // empty: control-nuc-driverhost beside control-nuc
    int hostMemoryMb = 128;                      // memory of one driver host ...
    int hostMemoryPerDeviceMb = 4;               // ... plus this per device it runs
    int maxPendingTimers = 10000;                // per device
    int logLinesPerSecond = 100;                 // per device
    int quarantineFailures = 5;                  // host failures of one driver type ...
    int quarantineWindowS = 600;                 // ... within this window: quarantined

    int eventLogMaxRows = 20000;                 // the event log keeps this many events
    int idleDimMs = 5 * 60 * 1000;               // kiosk: dim after this long without a touch (0: never)
    int idleBlankMs = 30 * 60 * 1000;            // kiosk: blank after this long (0: never)

    int reconnectMinMs = 1000;                   // backoff doubles from here ...
    int reconnectMaxMs = 60000;                  // ... up to here, with jitter
    int pingIntervalMs = 20000;                  // keep-alive ping period
    int pongTimeoutMs = 10000;                   // no pong within this: peer is dead
};

// Outcome of reading the configuration. Exactly one of: a config to run with,
// an error line (exit status 2), or text to print with exit status 0
// (--help, --version).
struct ConfigResult
{
    std::optional<Config> config;
    QString error;
    QStringList warnings;   // worth a line on stderr, not a refusal (a secret given as an option)
    QString output;
};

class ConfigLoader
{
public:
    // `arguments` includes the program name as its first element.
    static ConfigResult load(const QStringList &arguments, const QProcessEnvironment &environment);

    // Applies `level` (debug, info, warning, error) to the nuc.* categories.
    static void applyLogLevel(const QString &level);
    static bool isValidLogLevel(const QString &level);
    // --since: "30m", "2h", "1d" before `now`, or an ISO-8601 time; invalid if neither.
    static QDateTime parseSince(const QString &text, const QDateTime &now);
};
