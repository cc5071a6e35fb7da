// app/protocol without a socket or a Controller: every parse rule of
// PROTOCOL.md is a row (the valid message and each kind of broken one), and
// every controller → cloud message is compared field by field.
#include "protocol/controllerreports.h"
#include "protocol/deliveryrequests.h"
#include "protocol/devicerequests.h"
#include "protocol/safetyrequests.h"
#include "protocol/driverrollbackrequest.h"
#include "protocol/driversyncrequest.h"
#include "protocol/envelope.h"
#include "protocol/messages.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

namespace {

QJsonObject json(const char *text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(text), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        qFatal("bad JSON in a test row: %s", text);
    return doc.object();
}

// driver_code limit used by the driver_sync rows.
constexpr qint64 maxCode = 64;

// The error of the parser of `type` for `data` (empty: accepted). One
// dispatcher so that every rule of every message is a row of one table.
QString parseError(const QString &type, const QJsonObject &data)
{
    if (type == u"driver_sync")
        return DriverSyncRequest::parse(data, maxCode).error;
    if (type == u"device_sync")
        return DeviceSyncRequest::parse(data).error;
    if (type == u"device_remove")
        return DeviceRemoveRequest::parse(data).error;
    if (type == u"device_command")
        return DeviceCommandRequest::parse(data).error;
    if (type == u"driver_reload")
        return DriverReloadRequest::parse(data).error;
    if (type == u"safe_mode_clear")
        return SafeModeClearRequest::parse(data).error;
    if (type == u"driver_quarantine_clear")
        return DriverQuarantineClearRequest::parse(data).error;
    if (type == u"driver_rollback")
        return DriverRollbackRequest::parse(data).error;
    if (type == u"welcome")
        return WelcomeRequest::parse(data).error;
    if (type == u"ack")
        return AckRequest::parse(data).error;
    if (type == u"hello")
        return HelloReport::parse(data).error;
    if (type == u"driver_sync_progress")
        return SyncProgressReport::parse(data).error;
    if (type == u"driver_sync_complete")
        return SyncCompleteReport::parse(data).error;
    if (type == u"driver_sync_error")
        return SyncErrorReport::parse(data).error;
    if (type == u"status_update")
        return StatusUpdateReport::parse(data).error;
    if (type == u"device_command_result")
        return CommandResultReport::parse(data).error;
    if (type == u"protocol_error")
        return ProtocolErrorReport::parse(data).error;
    if (type == u"driver_metrics")
        return DriverMetricsReport::parse(data).error;
    qFatal("no parser for a row's type");
    return {};
}

QJsonObject validSync()
{
    return json(R"({"sync_id":"s1","driver_id":"d1","driver_type":"projector","version":"1.0.0",
                    "driver_code":"module.exports = 1;","protocol_type":"tcp"})");
}

QJsonObject with(QJsonObject object, const char *key, const QJsonValue &value)
{
    if (value.isUndefined())
        object.remove(QLatin1String(key));
    else
        object.insert(QLatin1String(key), value);
    return object;
}

} // namespace

class tst_ProtocolMessages : public QObject
{
    Q_OBJECT

private slots:
    void cloudRequests_data();
    void cloudRequests();
    void controllerReports_data();
    void controllerReports();
    void envelope_data();
    void envelope();

    void driverSyncValues();
    void driverSyncKeepsIdentifiersOnFailure();
    void deviceSyncValues();
    void deviceCommandEchoesIdentifiers();

    void helloShape();
    void helloInSafeMode();
    void driverSyncShapes();
    void driverReloadResultShape();
    void statusUpdateShape();
    void deviceCommandResultShape();
    void protocolErrorShape();
    void envelopeHasUtcTimestamp();
    void reportEnvelopeCarriesSeq();
    void whatIsAReport_data();
    void whatIsAReport();
    void driverMetricsShape();
    void controllerMessagesPassTheCloudsParsers();
};

void tst_ProtocolMessages::cloudRequests_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QJsonObject>("data");
    QTest::addColumn<QString>("error");

    const QString sync = QStringLiteral("driver_sync");
    QTest::newRow("driver_sync valid") << sync << validSync() << QString();
    QTest::newRow("driver_sync null mappings and config")
        << sync << with(with(validSync(), "command_mappings", QJsonValue()), "connection_config", QJsonValue()) << QString();
    for (const char *key : {"sync_id", "driver_id", "driver_type", "version", "driver_code", "protocol_type"}) {
        QTest::addRow("driver_sync %s missing", key)
            << sync << with(validSync(), key, QJsonValue(QJsonValue::Undefined))
            << QStringLiteral("required field '%1' is missing").arg(QLatin1String(key));
        QTest::addRow("driver_sync %s null", key)
            << sync << with(validSync(), key, QJsonValue())
            << QStringLiteral("required field '%1' is missing").arg(QLatin1String(key));
        QTest::addRow("driver_sync %s a number", key)
            << sync << with(validSync(), key, 7)
            << QStringLiteral("field '%1' must be a string, got a number").arg(QLatin1String(key));
    }
    QTest::newRow("driver_sync version empty")
        << sync << with(validSync(), "version", QString()) << QStringLiteral("field 'version' must not be empty");
    QTest::newRow("driver_sync driver_code empty")
        << sync << with(validSync(), "driver_code", QString()) << QStringLiteral("driver_code is empty");
    QTest::newRow("driver_sync driver_code blank")
        << sync << with(validSync(), "driver_code", QStringLiteral(" \n ")) << QStringLiteral("driver_code is empty");
    QTest::newRow("driver_sync driver_code too big")
        << sync << with(validSync(), "driver_code", QString(65, QLatin1Char('x')))
        << QStringLiteral("driver_code of 65 bytes exceeds the limit of 64 bytes");
    for (const char *type : {"../etc", "a/b", "Projector", "-lead", "..", "a b"}) {
        QTest::addRow("driver_sync driver_type %s", type)
            << sync << with(validSync(), "driver_type", QLatin1String(type))
            << QStringLiteral("driver_type '%1' does not match ^[a-z0-9][a-z0-9_-]{0,63}$").arg(QLatin1String(type));
    }
    // PCRE's $ alone matches before a final "\n": the check is anchored at the very end.
    for (const char *type : {"evil\n", "ok\r", "a\nb"}) {
        QTest::addRow("driver_sync driver_type %s", QByteArray(type).toPercentEncoding().constData())
            << sync << with(validSync(), "driver_type", QLatin1String(type))
            << QStringLiteral("driver_type '%1' does not match ^[a-z0-9][a-z0-9_-]{0,63}$").arg(QLatin1String(type));
    }
    QTest::newRow("driver_sync driver_type 65 characters")
        << sync << with(validSync(), "driver_type", QString(65, QLatin1Char('a')))
        << QStringLiteral("driver_type '%1' does not match ^[a-z0-9][a-z0-9_-]{0,63}$").arg(QString(65, QLatin1Char('a')));
    QTest::newRow("driver_sync protocol_type http")
        << sync << with(validSync(), "protocol_type", QStringLiteral("http"))
        << QStringLiteral("protocol_type 'http' is not one of tcp, udp, serial");
    QTest::newRow("driver_sync command_mappings object")
        << sync << with(validSync(), "command_mappings", QJsonObject())
        << QStringLiteral("field 'command_mappings' must be an array, got an object");
    QTest::newRow("driver_sync connection_config array")
        << sync << with(validSync(), "connection_config", QJsonArray())
        << QStringLiteral("field 'connection_config' must be an object, got an array");

    const QString devices = QStringLiteral("device_sync");
    QTest::newRow("device_sync valid")
        << devices << json(R"({"replace":true,"devices":[{"device_id":"p1","type":"projector","name":"P",
                                 "connection_config":{"host":"h"}},{"device_id":"p2","type":"projector"}]})")
        << QString();
    QTest::newRow("device_sync empty list") << devices << json(R"({"devices":[]})") << QString();
    QTest::newRow("device_sync no devices") << devices << json(R"({})") << QStringLiteral("'devices' must be an array");
    QTest::newRow("device_sync devices object")
        << devices << json(R"({"devices":{}})") << QStringLiteral("'devices' must be an array");
    QTest::newRow("device_sync replace string")
        << devices << json(R"({"replace":"yes","devices":[]})") << QStringLiteral("'replace' must be true or false");
    QTest::newRow("device_sync entry not object")
        << devices << json(R"({"devices":[3]})") << QStringLiteral("devices[0] is not an object");
    QTest::newRow("device_sync device_id missing")
        << devices << json(R"({"devices":[{"type":"projector"}]})")
        << QStringLiteral("devices[0]: device_id must be a non-empty string");
    QTest::newRow("device_sync device_id blank")
        << devices << json(R"({"devices":[{"device_id":"  ","type":"projector"}]})")
        << QStringLiteral("devices[0]: device_id must be a non-empty string");
    QTest::newRow("device_sync device_id number")
        << devices << json(R"({"devices":[{"device_id":5,"type":"projector"}]})")
        << QStringLiteral("devices[0]: device_id must be a non-empty string");
    QTest::newRow("device_sync listed twice")
        << devices << json(R"({"devices":[{"device_id":"a","type":"x"},{"device_id":"a","type":"x"}]})")
        << QStringLiteral("devices[1]: device_id a is listed twice");
    QTest::newRow("device_sync bad type")
        << devices << json(R"({"devices":[{"device_id":"a","type":"../x"}]})")
        << QStringLiteral("devices[0]: type '../x' is not a valid driver_type");
    QTest::newRow("device_sync type with a final line end")
        << devices << QJsonObject{{QStringLiteral("devices"), QJsonArray{QJsonObject{{QStringLiteral("device_id"), QStringLiteral("a")},
                                                                                    {QStringLiteral("type"), QStringLiteral("evil\n")}}}}}
        << QStringLiteral("devices[0]: type 'evil\n' is not a valid driver_type");
    QTest::newRow("device_sync type missing")
        << devices << json(R"({"devices":[{"device_id":"a"}]})")
        << QStringLiteral("devices[0]: type '' is not a valid driver_type");
    QTest::newRow("device_sync name number")
        << devices << json(R"({"devices":[{"device_id":"a","type":"x","name":1}]})")
        << QStringLiteral("devices[0]: name must be a string");
    QTest::newRow("device_sync room")
        << devices << json(R"({"devices":[{"device_id":"a","type":"x","room":"Lobby"}]})") << QString();
    QTest::newRow("device_sync room null")
        << devices << json(R"({"devices":[{"device_id":"a","type":"x","room":null}]})") << QString();
    QTest::newRow("device_sync room number")
        << devices << json(R"({"devices":[{"device_id":"a","type":"x","room":3}]})")
        << QStringLiteral("devices[0]: room must be a string");
    QTest::newRow("device_sync room object")
        << devices << json(R"({"devices":[{"device_id":"a","type":"x","room":{}}]})")
        << QStringLiteral("devices[0]: room must be a string");
    QTest::newRow("device_sync config array")
        << devices << json(R"({"devices":[{"device_id":"a","type":"x","connection_config":[]}]})")
        << QStringLiteral("devices[0]: connection_config must be an object");

    const QString remove = QStringLiteral("device_remove");
    QTest::newRow("device_remove valid") << remove << json(R"({"device_id":"a"})") << QString();
    QTest::newRow("device_remove missing") << remove << json(R"({})")
                                           << QStringLiteral("device_id must be a non-empty string");
    QTest::newRow("device_remove empty") << remove << json(R"({"device_id":""})")
                                         << QStringLiteral("device_id must be a non-empty string");
    QTest::newRow("device_remove number") << remove << json(R"({"device_id":1})")
                                          << QStringLiteral("device_id must be a non-empty string");

    const QString command = QStringLiteral("device_command");
    QTest::newRow("device_command valid")
        << command << json(R"({"request_id":"r","device_id":"a","command":"power_on","params":{"x":1}})") << QString();
    QTest::newRow("device_command no params")
        << command << json(R"({"request_id":"r","device_id":"a","command":"power_on"})") << QString();
    QTest::newRow("device_command request_id missing")
        << command << json(R"({"device_id":"a","command":"c"})") << QStringLiteral("request_id must be a non-empty string");
    QTest::newRow("device_command request_id empty")
        << command << json(R"({"request_id":"","device_id":"a","command":"c"})")
        << QStringLiteral("request_id must be a non-empty string");
    QTest::newRow("device_command device_id number")
        << command << json(R"({"request_id":"r","device_id":2,"command":"c"})")
        << QStringLiteral("device_id must be a non-empty string");
    QTest::newRow("device_command command missing")
        << command << json(R"({"request_id":"r","device_id":"a"})") << QStringLiteral("command must be a non-empty string");
    QTest::newRow("device_command params array")
        << command << json(R"({"request_id":"r","device_id":"a","command":"c","params":[]})")
        << QStringLiteral("params must be an object");

    const QString reload = QStringLiteral("driver_reload");
    QTest::newRow("driver_reload valid") << reload << json(R"({"driver_type":"projector"})") << QString();
    QTest::newRow("driver_reload missing") << reload << json(R"({})")
                                           << QStringLiteral("driver_type must be a valid driver type");
    QTest::newRow("driver_reload final line end") << reload << QJsonObject{{QStringLiteral("driver_type"), QStringLiteral("evil\n")}}
                                                  << QStringLiteral("driver_type must be a valid driver type");
    QTest::newRow("driver_reload final carriage return") << reload << QJsonObject{{QStringLiteral("driver_type"), QStringLiteral("ok\r")}}
                                                         << QStringLiteral("driver_type must be a valid driver type");
    QTest::newRow("driver_reload path") << reload << json(R"({"driver_type":"../x"})")
                                        << QStringLiteral("driver_type must be a valid driver type");

    const QString clear = QStringLiteral("safe_mode_clear");
    QTest::newRow("safe_mode_clear empty") << clear << json(R"({})") << QString();
    QTest::newRow("safe_mode_clear extra fields") << clear << json(R"({"why":"technician asked"})") << QString();
    const QString lift = QStringLiteral("driver_quarantine_clear");
    QTest::newRow("driver_quarantine_clear valid") << lift << json(R"({"driver_type":"projector"})") << QString();
    QTest::newRow("driver_quarantine_clear missing") << lift << json(R"({})")
                                                     << QStringLiteral("driver_type must be a valid driver type");
    QTest::newRow("driver_quarantine_clear number") << lift << json(R"({"driver_type":7})")
                                                    << QStringLiteral("driver_type must be a valid driver type");
    QTest::newRow("driver_quarantine_clear path") << lift << json(R"({"driver_type":"../x"})")
                                                  << QStringLiteral("driver_type must be a valid driver type");
    const QString rollback = QStringLiteral("driver_rollback");
    QTest::newRow("driver_rollback with version") << rollback << json(R"({"sync_id":"s1","driver_type":"projector","version":"1.0.0"})")
                                                  << QString();
    QTest::newRow("driver_rollback without version") << rollback << json(R"({"sync_id":"s1","driver_type":"projector"})") << QString();
    QTest::newRow("driver_rollback null version") << rollback << json(R"({"sync_id":"s1","driver_type":"projector","version":null})")
                                                  << QString();
    QTest::newRow("driver_rollback no sync_id") << rollback << json(R"({"driver_type":"projector"})")
                                                << QStringLiteral("sync_id must be a non-empty string");
    QTest::newRow("driver_rollback path type") << rollback << json(R"({"sync_id":"s1","driver_type":"../x"})")
                                               << QStringLiteral("driver_type must be a valid driver type");
    QTest::newRow("driver_rollback numeric version") << rollback << json(R"({"sync_id":"s1","driver_type":"projector","version":1})")
                                                     << QStringLiteral("field 'version' must be a string, got a number");

    // PROTOCOL.md "Reports that survive outages".
    const QString welcome = QStringLiteral("welcome");
    QTest::newRow("welcome acks") << welcome << json(R"({"acks":true,"last_seq":12})") << QString();
    QTest::newRow("welcome acks from nothing") << welcome << json(R"({"acks":true,"last_seq":0})") << QString();
    QTest::newRow("welcome without acks") << welcome << json(R"({"acks":false})") << QString();
    QTest::newRow("welcome empty") << welcome << json(R"({})") << QString();
    QTest::newRow("welcome acks string") << welcome << json(R"({"acks":"yes","last_seq":1})")
                                         << QStringLiteral("acks must be a boolean, got a string");
    QTest::newRow("welcome acks without last_seq") << welcome << json(R"({"acks":true})")
                                                   << QStringLiteral("last_seq must be a whole number of at least 0, got missing");
    QTest::newRow("welcome last_seq negative") << welcome << json(R"({"acks":true,"last_seq":-1})")
                                               << QStringLiteral("last_seq must be a whole number of at least 0, got a number");
    QTest::newRow("welcome last_seq fraction") << welcome << json(R"({"acks":true,"last_seq":1.5})")
                                               << QStringLiteral("last_seq must be a whole number of at least 0, got a number");
    QTest::newRow("welcome last_seq beyond 2^53") << welcome << json(R"({"acks":true,"last_seq":1e300})")
                                                  << QStringLiteral("last_seq must be a whole number of at least 0, got a number");
    QTest::newRow("welcome last_seq null") << welcome << json(R"({"acks":true,"last_seq":null})")
                                           << QStringLiteral("last_seq must be a whole number of at least 0, got null");
    QTest::newRow("welcome no acks, bad last_seq") << welcome << json(R"({"acks":false,"last_seq":"x"})")
                                                   << QStringLiteral("last_seq must be a whole number of at least 0, got a string");
    const QString ack = QStringLiteral("ack");
    QTest::newRow("ack valid") << ack << json(R"({"seq":3})") << QString();
    QTest::newRow("ack zero") << ack << json(R"({"seq":0})") << QString();
    QTest::newRow("ack missing") << ack << json(R"({})") << QStringLiteral("seq must be a whole number of at least 0, got missing");
    QTest::newRow("ack string") << ack << json(R"({"seq":"3"})") << QStringLiteral("seq must be a whole number of at least 0, got a string");
    QTest::newRow("ack fraction") << ack << json(R"({"seq":2.5})") << QStringLiteral("seq must be a whole number of at least 0, got a number");
    QTest::newRow("ack negative") << ack << json(R"({"seq":-4})") << QStringLiteral("seq must be a whole number of at least 0, got a number");
}

void tst_ProtocolMessages::cloudRequests()
{
    QFETCH(QString, type);
    QFETCH(QJsonObject, data);
    QFETCH(QString, error);
    QCOMPARE(parseError(type, data), error);
}

void tst_ProtocolMessages::controllerReports_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QJsonObject>("data");
    QTest::addColumn<QString>("error");

    const QString hello = QStringLiteral("hello");
    QTest::newRow("hello valid")
        << hello << json(R"({"controller_id":"c","name":"n","app_version":"1","drivers":[],"devices":[]})") << QString();
    QTest::newRow("hello minimal") << hello << json(R"({"controller_id":"c"})") << QString();
    QTest::newRow("hello no controller_id")
        << hello << json(R"({"name":"n"})") << QStringLiteral("field 'controller_id' must be a non-empty string, got missing");
    QTest::newRow("hello empty controller_id")
        << hello << json(R"({"controller_id":""})") << QStringLiteral("field 'controller_id' must be a non-empty string, got a string");
    QTest::newRow("hello name number")
        << hello << json(R"({"controller_id":"c","name":1})") << QStringLiteral("field 'name' must be a string, got a number");
    QTest::newRow("hello drivers object")
        << hello << json(R"({"controller_id":"c","drivers":{}})") << QStringLiteral("field 'drivers' must be an array, got an object");
    QTest::newRow("hello devices null") << hello << json(R"({"controller_id":"c","devices":null})") << QString();

    const QString metrics = QStringLiteral("driver_metrics");
    QTest::newRow("metrics valid")
        << metrics << json(R"({"interval_s":60,"drivers":[{"driver_type":"x","host_rss_bytes":123,"host_cpu_percent":1.5,
                              "restarts":0,"devices":[{"device_id":"d","calls":10,"errors":0,"timeouts":0,
                              "call_ms_p50":0.4,"call_ms_p99":2.1}]}]})") << QString();
    QTest::newRow("metrics no drivers") << metrics << json(R"({"interval_s":60,"drivers":[]})") << QString();
    QTest::newRow("metrics interval 0")
        << metrics << json(R"({"interval_s":0,"drivers":[]})") << QStringLiteral("field 'interval_s' must be at least 1");
    QTest::newRow("metrics drivers missing")
        << metrics << json(R"({"interval_s":60})") << QStringLiteral("field 'drivers' must be an array, got missing");
    QTest::newRow("metrics negative calls")
        << metrics << json(R"({"interval_s":60,"drivers":[{"driver_type":"x","host_rss_bytes":1,"host_cpu_percent":0,
                              "restarts":0,"devices":[{"device_id":"d","calls":-1,"errors":0,"timeouts":0,
                              "call_ms_p50":0,"call_ms_p99":0}]}]})")
        << QStringLiteral("field 'drivers[0].devices[0].calls' must be a whole number ≥ 0, got a number");
    QTest::newRow("metrics driver not an object")
        << metrics << json(R"({"interval_s":60,"drivers":[1]})") << QStringLiteral("'drivers[0]' must be an object, got a number");
    QTest::newRow("metrics no driver_type")
        << metrics << json(R"({"interval_s":60,"drivers":[{"host_rss_bytes":1}]})")
        << QStringLiteral("field 'drivers[0].driver_type' must be a non-empty string");

    const QString progress = QStringLiteral("driver_sync_progress");
    QTest::newRow("progress valid") << progress << json(R"({"sync_id":"s","status":"in_progress","step":"storing"})") << QString();
    QTest::newRow("progress no sync_id")
        << progress << json(R"({"step":"storing"})") << QStringLiteral("field 'sync_id' must be a non-empty string, got missing");
    QTest::newRow("progress step number")
        << progress << json(R"({"sync_id":"s","step":1})") << QStringLiteral("field 'step' must be a non-empty string, got a number");

    const QString complete = QStringLiteral("driver_sync_complete");
    QTest::newRow("complete valid")
        << complete << json(R"({"sync_id":"s","driver_id":"d","driver_type":"t","version":"1","status":"completed",
                                "file_path":"/x.js"})") << QString();
    QTest::newRow("complete no file_path")
        << complete << json(R"({"sync_id":"s","driver_id":"d","driver_type":"t","version":"1"})")
        << QStringLiteral("field 'file_path' must be a non-empty string, got missing");
    QTest::newRow("complete driver_type null")
        << complete << json(R"({"sync_id":"s","driver_id":"d","driver_type":null,"version":"1","file_path":"/x"})")
        << QStringLiteral("field 'driver_type' must be a non-empty string, got null");

    const QString failed = QStringLiteral("driver_sync_error");
    QTest::newRow("error valid")
        << failed << json(R"({"sync_id":"s","driver_id":"d","driver_type":"t","error_message":"m","error_stack":"st"})")
        << QString();
    QTest::newRow("error null identifiers")
        << failed << json(R"({"sync_id":null,"driver_id":null,"driver_type":null,"error_message":"m"})") << QString();
    QTest::newRow("error sync_id number")
        << failed << json(R"({"sync_id":1,"error_message":"m"})") << QStringLiteral("field 'sync_id' must be a string, got a number");
    QTest::newRow("error no message")
        << failed << json(R"({"sync_id":"s"})") << QStringLiteral("field 'error_message' must be a non-empty string, got missing");
    QTest::newRow("error stack object")
        << failed << json(R"({"sync_id":"s","error_message":"m","error_stack":{}})")
        << QStringLiteral("field 'error_stack' must be a string, got an object");

    const QString status = QStringLiteral("status_update");
    QTest::newRow("status valid")
        << status << json(R"({"device_id":"a","status":"connected","message":null,"timestamp":"t"})") << QString();
    QTest::newRow("status with message")
        << status << json(R"({"device_id":"a","status":"error","message":"m","timestamp":"t"})") << QString();
    QTest::newRow("status unknown")
        << status << json(R"({"device_id":"a","status":"sleeping","timestamp":"t"})")
        << QStringLiteral("status 'sleeping' is not one of connecting, connected, disconnected, error");
    QTest::newRow("status no device_id")
        << status << json(R"({"status":"connected","timestamp":"t"})")
        << QStringLiteral("field 'device_id' must be a non-empty string, got missing");
    QTest::newRow("status no timestamp")
        << status << json(R"({"device_id":"a","status":"connected"})")
        << QStringLiteral("field 'timestamp' must be a non-empty string, got missing");
    QTest::newRow("status message number")
        << status << json(R"({"device_id":"a","status":"connected","message":3,"timestamp":"t"})")
        << QStringLiteral("field 'message' must be a string, got a number");
    // Text columns cannot hold U+0000 (PostgreSQL refuses it): a report with
    // one would fail its batch on every retry.
    QTest::newRow("status NUL in device_id")
        << status << json(R"({"device_id":"a\u0000b","status":"connected","timestamp":"t"})")
        << QStringLiteral("field 'device_id' must not contain U+0000");
    QTest::newRow("status NUL in message")
        << status << json(R"({"device_id":"a","status":"error","message":"\u0000","timestamp":"t"})")
        << QStringLiteral("field 'message' must not contain U+0000");
    QTest::newRow("status NUL in timestamp")
        << status << json(R"({"device_id":"a","status":"error","timestamp":"t\u0000"})")
        << QStringLiteral("field 'timestamp' must not contain U+0000");

    const QString result = QStringLiteral("device_command_result");
    QTest::newRow("result ok")
        << result << json(R"({"request_id":"r","device_id":"a","ok":true,"result":{},"error":null,"duration_ms":3})") << QString();
    QTest::newRow("result failed, null ids")
        << result << json(R"({"request_id":null,"device_id":null,"ok":false,"result":null,"error":"e","duration_ms":0.5})")
        << QString();
    QTest::newRow("result ok string")
        << result << json(R"({"request_id":"r","ok":"yes","duration_ms":1})") << QStringLiteral("field 'ok' must be a boolean, got a string");
    QTest::newRow("result no duration")
        << result << json(R"({"request_id":"r","ok":true})") << QStringLiteral("field 'duration_ms' must be a number, got missing");
    QTest::newRow("result request_id number")
        << result << json(R"({"request_id":1,"ok":true,"duration_ms":1})")
        << QStringLiteral("field 'request_id' must be a string, got a number");
    QTest::newRow("result error number")
        << result << json(R"({"request_id":"r","ok":false,"error":1,"duration_ms":1})")
        << QStringLiteral("field 'error' must be a string, got a number");

    const QString protocolError = QStringLiteral("protocol_error");
    QTest::newRow("protocol_error valid")
        << protocolError << json(R"({"reason":"r","received_type":"driver_sync"})") << QString();
    QTest::newRow("protocol_error null type") << protocolError << json(R"({"reason":"r","received_type":null})") << QString();
    QTest::newRow("protocol_error no reason")
        << protocolError << json(R"({"received_type":null})") << QStringLiteral("field 'reason' must be a non-empty string, got missing");
    QTest::newRow("protocol_error type number")
        << protocolError << json(R"({"reason":"r","received_type":4})")
        << QStringLiteral("field 'received_type' must be a string, got a number");
}

void tst_ProtocolMessages::controllerReports()
{
    QFETCH(QString, type);
    QFETCH(QJsonObject, data);
    QFETCH(QString, error);
    QCOMPARE(parseError(type, data), error);
}

void tst_ProtocolMessages::envelope_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("type");   // the readable type, also on failure

    QTest::newRow("valid") << QStringLiteral(R"({"type":"x","data":{"a":1}})") << QString() << QStringLiteral("x");
    QTest::newRow("no data") << QStringLiteral(R"({"type":"x"})") << QString() << QStringLiteral("x");
    // The limit is in UTF-8 bytes: é takes two. 31 + 30·2 = 91 bytes pass.
    const QString big = QStringLiteral(R"({"type":"x","data":{"pad":"%1%2"}})")
                            .arg(QString(40, QChar(0xe9)), QString(33, QLatin1Char('p')));
    QTest::newRow("within the limit") << QStringLiteral(R"({"type":"x","data":{"pad":"%1"}})").arg(QString(30, QChar(0xe9)))
                                      << QString() << QStringLiteral("x");
    QTest::newRow("too big") << big << QStringLiteral("frame of %1 bytes exceeds the limit of 100 bytes").arg(big.toUtf8().size())
                             << QString();
    QTest::newRow("not JSON") << QStringLiteral("{nope") << QStringLiteral("not valid JSON: ") << QString();
    QTest::newRow("array") << QStringLiteral("[1]") << QStringLiteral("message is not a JSON object") << QString();
    QTest::newRow("no type") << QStringLiteral(R"({"data":{}})") << QStringLiteral("message has no string 'type'") << QString();
    QTest::newRow("empty type") << QStringLiteral(R"({"type":""})") << QStringLiteral("message has no string 'type'") << QString();
    QTest::newRow("type number") << QStringLiteral(R"({"type":3})") << QStringLiteral("message has no string 'type'") << QString();
    QTest::newRow("data array") << QStringLiteral(R"({"type":"x","data":[]})")
                                << QStringLiteral("'data' of a x message is not an object") << QStringLiteral("x");
    QTest::newRow("seq") << QStringLiteral(R"({"type":"x","seq":4,"data":{}})") << QString() << QStringLiteral("x");
    QTest::newRow("seq zero") << QStringLiteral(R"({"type":"x","seq":0})")
                              << QStringLiteral("'seq' of a x message must be a whole number of at least 1, got a number")
                              << QStringLiteral("x");
    QTest::newRow("seq string") << QStringLiteral(R"({"type":"x","seq":"4"})")
                                << QStringLiteral("'seq' of a x message must be a whole number of at least 1, got a string")
                                << QStringLiteral("x");
    QTest::newRow("seq fraction") << QStringLiteral(R"({"type":"x","seq":4.5})")
                                  << QStringLiteral("'seq' of a x message must be a whole number of at least 1, got a number")
                                  << QStringLiteral("x");
}

void tst_ProtocolMessages::envelope()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    QFETCH(QString, type);
    const Parsed<Envelope> parsed = Envelope::parse(text, 100);
    // JSON errors carry Qt's wording and an offset after the fixed prefix.
    if (error.startsWith(u"not valid JSON"))
        QVERIFY2(parsed.error.startsWith(error), qPrintable(parsed.error));
    else
        QCOMPARE(parsed.error, error);
    QCOMPARE(parsed.value.type, type);
    if (parsed.ok() && text.contains(u"\"a\""))
        QCOMPARE(parsed.value.data, json(R"({"a":1})"));
}

void tst_ProtocolMessages::driverSyncValues()
{
    QJsonObject data = validSync();
    data.insert(QStringLiteral("command_mappings"), QJsonArray{QStringLiteral("m")});
    data.insert(QStringLiteral("connection_config"), json(R"({"host":"h","port":23})"));
    const Parsed<DriverSyncRequest> parsed = DriverSyncRequest::parse(data, maxCode);
    QVERIFY(parsed.ok());
    QCOMPARE(parsed.value.syncIdText(), QStringLiteral("s1"));
    QCOMPARE(parsed.value.driverId, QJsonValue(QStringLiteral("d1")));
    QCOMPARE(parsed.value.driverTypeText(), QStringLiteral("projector"));
    QCOMPARE(parsed.value.version, QStringLiteral("1.0.0"));
    QCOMPARE(parsed.value.driverCode, QStringLiteral("module.exports = 1;"));
    QCOMPARE(parsed.value.protocolType, QStringLiteral("tcp"));
    QCOMPARE(parsed.value.commandMappings, QJsonArray{QStringLiteral("m")});
    QCOMPARE(parsed.value.connectionConfig, json(R"({"host":"h","port":23})"));
}

void tst_ProtocolMessages::driverSyncKeepsIdentifiersOnFailure()
{
    // driver_sync_error echoes what could be read; a non-string is null.
    const Parsed<DriverSyncRequest> parsed =
        DriverSyncRequest::parse(json(R"({"sync_id":"s9","driver_id":4,"driver_type":"../x"})"), maxCode);
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.value.syncId, QJsonValue(QStringLiteral("s9")));
    QCOMPARE(parsed.value.driverId, QJsonValue());
    QCOMPARE(parsed.value.driverType, QJsonValue(QStringLiteral("../x")));
}

void tst_ProtocolMessages::deviceSyncValues()
{
    const Parsed<DeviceSyncRequest> parsed = DeviceSyncRequest::parse(json(
        R"({"replace":true,"devices":[{"device_id":"p1","type":"projector","name":"Lobby","connection_config":{"host":"h"},
                                       "room":" Room 2.14 "},
                                      {"device_id":"p2","type":"relay","name":null}]})"));
    QVERIFY(parsed.ok());
    QCOMPARE(parsed.value.replace, true);
    QCOMPARE(parsed.value.devices.size(), 2);
    QCOMPARE(parsed.value.devices.at(0).id, QStringLiteral("p1"));
    QCOMPARE(parsed.value.devices.at(0).type, QStringLiteral("projector"));
    QCOMPARE(parsed.value.devices.at(0).name, QStringLiteral("Lobby"));
    QCOMPARE(parsed.value.devices.at(0).connectionConfig, json(R"({"host":"h"})"));
    QCOMPARE(parsed.value.devices.at(0).room, QStringLiteral("Room 2.14"));   // trimmed
    QCOMPARE(parsed.value.devices.at(1).room, QString());                     // none given
    // No name: the device is named by its id.
    QCOMPARE(parsed.value.devices.at(1).name, QStringLiteral("p2"));
    QCOMPARE(parsed.value.devices.at(1).connectionConfig, QJsonObject());
    QCOMPARE(DeviceSyncRequest::parse(json(R"({"devices":[]})")).value.replace, false);
}

void tst_ProtocolMessages::deviceCommandEchoesIdentifiers()
{
    const Parsed<DeviceCommandRequest> good =
        DeviceCommandRequest::parse(json(R"({"request_id":"r1","device_id":"a","command":"on","params":{"x":1}})"));
    QVERIFY(good.ok());
    QCOMPARE(good.value.requestId, QJsonValue(QStringLiteral("r1")));
    QCOMPARE(good.value.deviceId, QJsonValue(QStringLiteral("a")));
    QCOMPARE(good.value.command, QStringLiteral("on"));
    QCOMPARE(good.value.params, json(R"({"x":1})"));

    // A refused command is still answered with what could be read.
    const Parsed<DeviceCommandRequest> bad = DeviceCommandRequest::parse(json(R"({"request_id":"r2","device_id":7})"));
    QVERIFY(!bad.ok());
    QCOMPARE(bad.value.requestId, QJsonValue(QStringLiteral("r2")));
    QCOMPARE(bad.value.deviceId, QJsonValue());
}

void tst_ProtocolMessages::helloShape()
{
    Messages::Hello hello;
    hello.controllerId = QStringLiteral("nuc-1");
    hello.name = QStringLiteral("Lobby rack");
    hello.appVersion = QStringLiteral("0.1.0");
    hello.drivers = {{QStringLiteral("d1"), QStringLiteral("projector"), QStringLiteral("1.0.0"), QStringLiteral("s1"),
                      QStringLiteral("active"), QStringLiteral("ab12"), {QStringLiteral("0.9.0"), QStringLiteral("0.8.0")}}};
    hello.devices = {{QStringLiteral("a"), QStringLiteral("projector"), QStringLiteral("connected"), QString(),
                      QDateTime(QDate(2026, 3, 1), QTime(8, 5, 9, 120), Qt::UTC), QStringLiteral("Lobby")},
                     {QStringLiteral("b"), QStringLiteral("relay"), QStringLiteral("error"), QStringLiteral("driver not installed: relay"),
                      QDateTime(), QString()}};
    const Message m = Messages::hello(hello);
    QCOMPARE(m.type, QStringLiteral("hello"));
    QCOMPARE(m.data, json(R"({"controller_id":"nuc-1","name":"Lobby rack","app_version":"0.1.0",
        "safe_mode":{"active":false,"reason":null,"quarantined":[]},
        "drivers":[{"driver_id":"d1","driver_type":"projector","version":"1.0.0","sync_id":"s1","status":"active",
                    "sha256":"ab12","previous_versions":["0.9.0","0.8.0"]}],
        "devices":[{"device_id":"a","type":"projector","status":"connected","since":"2026-03-01T08:05:09.120Z","room":"Lobby"},
                   {"device_id":"b","type":"relay","status":"error","message":"driver not installed: relay"}]})"));
}

void tst_ProtocolMessages::helloInSafeMode()
{
    Messages::Hello hello;
    hello.controllerId = QStringLiteral("c");
    hello.safeMode.active = true;
    hello.safeMode.reason = QStringLiteral("the controller crashed 3 times within 10 minutes");
    hello.safeMode.quarantined = {QStringLiteral("flaky")};
    hello.safeMode.recentCrashes = 3;
    hello.safeMode.lastChangedDriver = json(R"({"driver_type":"x","version":"2","synced_at":"t"})");
    QCOMPARE(Messages::hello(hello).data.value(QStringLiteral("safe_mode")).toObject(),
             json(R"({"active":true,"reason":"the controller crashed 3 times within 10 minutes",
                      "quarantined":["flaky"],"recent_crashes":3,"last_changed_driver":{"driver_type":"x","version":"2","synced_at":"t"}})"));
}

void tst_ProtocolMessages::driverReloadResultShape()
{
    const Message m = Messages::driverReloadResult({QStringLiteral("projector"), 3, 2, 1, 0, 0,
                                                    {QStringLiteral("p3: error – refused")}});
    QCOMPARE(m.type, QStringLiteral("driver_reload_result"));
    QCOMPARE(m.data, json(R"({"driver_type":"projector","ok":false,"total":3,"connected":2,"error":1,
                             "connecting":0,"disconnected":0,"failing":["p3: error – refused"]})"));
}

void tst_ProtocolMessages::driverSyncShapes()
{
    const Message progress = Messages::driverSyncProgress(QStringLiteral("s1"), QStringLiteral("validating"));
    QCOMPARE(progress.type, QStringLiteral("driver_sync_progress"));
    QCOMPARE(progress.data, json(R"({"sync_id":"s1","status":"in_progress","step":"validating"})"));

    const Message complete = Messages::driverSyncComplete(QStringLiteral("s1"), QStringLiteral("d1"), QStringLiteral("x"),
                                                          QStringLiteral("1.0.0"), QStringLiteral("/r/x.js"));
    QCOMPARE(complete.type, QStringLiteral("driver_sync_complete"));
    QCOMPARE(complete.data, json(R"({"sync_id":"s1","driver_id":"d1","driver_type":"x","version":"1.0.0",
                                     "status":"completed","file_path":"/r/x.js"})"));

    // Fields the request lacked are null; no stack: one is made from the message.
    const Message error = Messages::driverSyncError(QStringLiteral("s2"), QJsonValue(), QJsonValue(),
                                                    QStringLiteral("Invalid driver_sync: x"), QString());
    QCOMPARE(error.type, QStringLiteral("driver_sync_error"));
    QCOMPARE(error.data, json(R"({"sync_id":"s2","driver_id":null,"driver_type":null,
        "error_message":"Invalid driver_sync: x","error_stack":"DriverSyncError: Invalid driver_sync: x"})"));
    QCOMPARE(Messages::driverSyncError(QStringLiteral("s"), QStringLiteral("d"), QStringLiteral("t"), QStringLiteral("m"),
                                       QStringLiteral("m\n    at f.js:3"))
                 .data.value(QStringLiteral("error_stack")),
             QJsonValue(QStringLiteral("m\n    at f.js:3")));
}

void tst_ProtocolMessages::statusUpdateShape()
{
    const QDateTime at(QDate(2025, 10, 14), QTime(10, 0, 0, 5), Qt::UTC);
    const Message m = Messages::statusUpdate(QStringLiteral("a"), QStringLiteral("connected"), QString(), at);
    QCOMPARE(m.type, QStringLiteral("status_update"));
    QCOMPARE(m.data, json(R"({"device_id":"a","status":"connected","message":null,"timestamp":"2025-10-14T10:00:00.005Z"})"));
    QCOMPARE(Messages::statusUpdate(QStringLiteral("a"), QStringLiteral("error"), QStringLiteral("m"), at)
                 .data.value(QStringLiteral("message")),
             QJsonValue(QStringLiteral("m")));
}

void tst_ProtocolMessages::deviceCommandResultShape()
{
    const Message ok = Messages::deviceCommandResult(QStringLiteral("r"), QStringLiteral("a"),
                                                     {true, json(R"({"power":"on"})"), QString(), 3.0004});
    QCOMPARE(ok.type, QStringLiteral("device_command_result"));
    QCOMPARE(ok.data, json(R"({"request_id":"r","device_id":"a","ok":true,"result":{"power":"on"},"error":null,"duration_ms":3})"));

    // Not ok: no result, the error; identifiers that were no strings are null.
    const Message failed = Messages::deviceCommandResult(QJsonValue(7), QJsonValue(),
                                                         {false, QJsonValue(1), QStringLiteral("unknown device: z"), 1.2346});
    QCOMPARE(failed.data, json(R"({"request_id":null,"device_id":null,"ok":false,"result":null,
                                   "error":"unknown device: z","duration_ms":1.235})"));
}

void tst_ProtocolMessages::protocolErrorShape()
{
    const Message m = Messages::protocolError(QStringLiteral("bad"), QStringLiteral("driver_sync"));
    QCOMPARE(m.type, QStringLiteral("protocol_error"));
    QCOMPARE(m.data, json(R"({"reason":"bad","received_type":"driver_sync"})"));
    QCOMPARE(Messages::protocolError(QStringLiteral("bad"), QJsonValue(3)).data,
             json(R"({"reason":"bad","received_type":null})"));
}

void tst_ProtocolMessages::envelopeHasUtcTimestamp()
{
    const QJsonObject e = Messages::envelope(Messages::protocolError(QStringLiteral("r"), QJsonValue()));
    QCOMPARE(e.keys(), (QStringList{QStringLiteral("data"), QStringLiteral("timestamp"), QStringLiteral("type")}));
    QCOMPARE(e.value(QStringLiteral("type")).toString(), QStringLiteral("protocol_error"));
    const QString timestamp = e.value(QStringLiteral("timestamp")).toString();
    QVERIFY2(timestamp.endsWith(u'Z'), qPrintable(timestamp));
    const QDateTime parsed = QDateTime::fromString(timestamp, Qt::ISODateWithMs);
    QVERIFY(parsed.isValid());
    QVERIFY(qAbs(parsed.msecsTo(QDateTime::currentDateTimeUtc())) < 60000);
}

void tst_ProtocolMessages::reportEnvelopeCarriesSeq()
{
    const Message m = Messages::statusUpdate(QStringLiteral("d"), QStringLiteral("connected"), {}, {});
    const QJsonObject e = Messages::envelope(m, QStringLiteral("2026-01-01T00:00:00.000Z"), 42);
    QCOMPARE(e.value(QStringLiteral("seq")).toInteger(), 42);
    QCOMPARE(e.value(QStringLiteral("timestamp")).toString(), QStringLiteral("2026-01-01T00:00:00.000Z"));
    QCOMPARE(e.value(QStringLiteral("type")).toString(), QStringLiteral("status_update"));
    QCOMPARE(e.value(QStringLiteral("data")).toObject(), m.data);
    // control-cloud reads it back from the frame.
    const Parsed<Envelope> parsed = Envelope::parse(QString::fromUtf8(QJsonDocument(e).toJson()), 0);
    QVERIFY(parsed.ok());
    QCOMPARE(parsed.value.seq, 42);
    QCOMPARE(Envelope::parse(QStringLiteral(R"({"type":"hello"})"), 0).value.seq, 0);
}

void tst_ProtocolMessages::whatIsAReport_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<bool>("report");
    QTest::addColumn<QString>("key");   // superseding key for data {"device_id":"d"}
    QTest::newRow("driver_sync_complete") << QStringLiteral("driver_sync_complete") << true << QString();
    QTest::newRow("driver_sync_error") << QStringLiteral("driver_sync_error") << true << QString();
    QTest::newRow("status_update") << QStringLiteral("status_update") << true << QStringLiteral("d");
    QTest::newRow("device_command_result") << QStringLiteral("device_command_result") << true << QString();
    QTest::newRow("driver_reload_result") << QStringLiteral("driver_reload_result") << true << QString();
    QTest::newRow("driver_sync_progress") << QStringLiteral("driver_sync_progress") << false << QString();
    QTest::newRow("hello") << QStringLiteral("hello") << false << QString();
    QTest::newRow("protocol_error") << QStringLiteral("protocol_error") << false << QString();
}

void tst_ProtocolMessages::whatIsAReport()
{
    QFETCH(QString, type);
    QFETCH(bool, report);
    QFETCH(QString, key);
    QCOMPARE(Reports::isReport(type), report);
    QCOMPARE(Reports::supersedingKey(type, QJsonObject{{QStringLiteral("device_id"), QStringLiteral("d")}}), key);
}

void tst_ProtocolMessages::driverMetricsShape()
{
    const Message m = Messages::driverMetrics(
        60, {{QStringLiteral("projector"), 123456, 1.26, 1, {{QStringLiteral("p1"), 10, 1, 0, 0.41234, 2.1}}}});
    QCOMPARE(m.type, QStringLiteral("driver_metrics"));
    QCOMPARE(QJsonDocument(m.data).toJson(QJsonDocument::Compact),
             QByteArray(R"({"drivers":[{"devices":[{"call_ms_p50":0.412,"call_ms_p99":2.1,"calls":10,"device_id":"p1",)"
                        R"("errors":1,"timeouts":0}],"driver_type":"projector","host_cpu_percent":1.3,"host_rss_bytes":123456,)"
                        R"("restarts":1}],"interval_s":60})"));
    const Parsed<DriverMetricsReport> report = DriverMetricsReport::parse(m.data);
    QVERIFY2(report.ok(), qPrintable(report.error));
    QCOMPARE(report.value.intervalS, 60);
    QCOMPARE(report.value.drivers.size(), 1);
    QCOMPARE(report.value.drivers.first().devices.first().deviceId, QStringLiteral("p1"));
    QCOMPARE(report.value.drivers.first().devices.first().calls, 10);
}

void tst_ProtocolMessages::controllerMessagesPassTheCloudsParsers()
{
    // What the controller builds is what control-cloud accepts.
    Messages::Hello hello;
    hello.controllerId = QStringLiteral("c");
    const QList<Message> built{
        Messages::hello(hello),
        Messages::driverSyncProgress(QStringLiteral("s"), QStringLiteral("storing")),
        Messages::driverSyncComplete(QStringLiteral("s"), QStringLiteral("d"), QStringLiteral("t"), QStringLiteral("1"),
                                     QStringLiteral("/f")),
        Messages::driverSyncError(QJsonValue(), QJsonValue(), QJsonValue(), QStringLiteral("m"), QString()),
        Messages::statusUpdate(QStringLiteral("a"), QStringLiteral("connecting"), QString(), QDateTime::currentDateTimeUtc()),
        Messages::deviceCommandResult(QStringLiteral("r"), QStringLiteral("a"), {false, {}, QStringLiteral("e"), 1}),
        Messages::protocolError(QStringLiteral("r"), QJsonValue()),
        Messages::driverMetrics(60, {{QStringLiteral("x"), 123, 1.25, 2, {{QStringLiteral("d"), 10, 1, 0, 0.4, 2.1}}}}),
    };
    for (const Message &m : built) {
        const QString text = QString::fromUtf8(QJsonDocument(Messages::envelope(m)).toJson(QJsonDocument::Compact));
        const Parsed<Envelope> envelope = Envelope::parse(text, 0);
        QVERIFY2(envelope.ok(), qPrintable(envelope.error));
        QCOMPARE(envelope.value.type, m.type);
        QCOMPARE(parseError(envelope.value.type, envelope.value.data), QString());
    }
}

QTEST_GUILESS_MAIN(tst_ProtocolMessages)
#include "tst_protocolmessages.moc"
