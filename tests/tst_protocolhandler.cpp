// ProtocolHandler without a socket: dispatch, hello first, and the
// delivery of reports through the outbox (welcome, ack, resend).
#include "cloud/protocolhandler.h"
#include "storage/database.h"
#include "storage/reportoutbox.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QSqlQuery>
#include <QTest>

#include <memory>

namespace {

QJsonObject object(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

QString typeOf(const QString &text)
{
    return object(text).value(QStringLiteral("type")).toString();
}

} // namespace

class tst_ProtocolHandler : public QObject
{
    Q_OBJECT

private slots:
    void dispatchesByType();
    void missingDataIsAnEmptyObject();
    void init();
    void cleanup();
    void helloFirstThenHeldReports();
    void reportWhileOnlineIsStoredThenSent();
    void failedSendIsKept();
    void withoutWelcomeSentReportsAreForgotten();
    void welcomeResendsAboveLastSeqAndAckForgets();
    void welcomeSkipsWhatTheCloudHasWhenNotYetSent();
    void otherMessagesWaitOnlyForReports();
    void welcomeBeyondOurSeqNumbersOnFromIt();
    void retentionDropIsLoggedOnceWithCounts();
    void brokenWelcomeAndAckAreRefused_data();
    void brokenWelcomeAndAckAreRefused();
    void envelopeHasUtcTimestamp();
    void reportStoredElsewhereGoesOutInSeqOrder();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<ReportOutbox> m_outbox;
};

void tst_ProtocolHandler::dispatchesByType()
{
    ProtocolHandler handler(1024);
    QStringList sent;
    handler.setSender([&](const QString &t) { sent << t; return true; });
    handler.setOnline(true);
    sent.clear();
    QJsonObject got;
    handler.registerHandler(QStringLiteral("device_remove"), [&](const QJsonObject &d) { got = d; });
    handler.handleTextFrame(QStringLiteral("{\"type\":\"device_remove\",\"data\":{\"device_id\":\"d1\"}}"));
    QCOMPARE(got.value(QStringLiteral("device_id")).toString(), QStringLiteral("d1"));
    handler.handleTextFrame(QStringLiteral("{\"type\":\"something_new\",\"data\":{}}"));
    QCOMPARE(sent, QStringList());   // unknown: ignored, no protocol_error

    handler.handleTextFrame(QString(2000, QLatin1Char(' ')));
    QCOMPARE(sent.size(), 1);
    QCOMPARE(typeOf(sent.at(0)), QStringLiteral("protocol_error"));
    QVERIFY(sent.at(0).contains(u"exceeds the limit of 1024 bytes"));
}

void tst_ProtocolHandler::missingDataIsAnEmptyObject()
{
    ProtocolHandler handler(1024);
    bool called = false;
    handler.registerHandler(QStringLiteral("x"), [&](const QJsonObject &d) { called = d.isEmpty(); });
    handler.handleTextFrame(QStringLiteral("{\"type\":\"x\"}"));
    QVERIFY(called);
}

void tst_ProtocolHandler::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<Database>();
    QCOMPARE(m_db->open(m_dir->filePath(QStringLiteral("db.sqlite")), QStringLiteral("handler-test")), QString());
    m_outbox = std::make_unique<ReportOutbox>(m_db->connection());
    QCOMPARE(m_outbox->open(), QString());
}

void tst_ProtocolHandler::cleanup()
{
    m_outbox.reset();
    m_db.reset();
    m_dir.reset();
}

void tst_ProtocolHandler::helloFirstThenHeldReports()
{
    ProtocolHandler handler(1024);
    handler.setReportOutbox(m_outbox.get());
    QStringList sent;
    handler.setSender([&](const QString &t) { sent << t; return true; });
    handler.setHelloProvider([] {
        Messages::Hello hello;
        hello.controllerId = QStringLiteral("c");
        return Messages::hello(hello);
    });
    handler.send(QStringLiteral("driver_sync_complete"), {{QStringLiteral("n"), 1}});
    handler.send(QStringLiteral("status_update"), {{QStringLiteral("device_id"), QStringLiteral("d")}});
    handler.send(QStringLiteral("driver_sync_progress"), {{QStringLiteral("n"), 3}});   // not a report: gone
    QCOMPARE(handler.reports()->waiting(), 2);
    QTRY_COMPARE(handler.reports()->held(), 2);   // stored on the next event-loop turn
    QCOMPARE(sent.size(), 0);

    handler.setOnline(true);
    QCOMPARE(sent.size(), 3);
    QCOMPARE(typeOf(sent.at(0)), QStringLiteral("hello"));
    QVERIFY(sent.at(0).contains(u"\"controller_id\":\"c\""));
    QVERIFY(!object(sent.at(0)).contains(QStringLiteral("seq")));   // hello is not a report
    QCOMPARE(typeOf(sent.at(1)), QStringLiteral("driver_sync_complete"));
    QCOMPARE(object(sent.at(1)).value(QStringLiteral("seq")).toInteger(), 1);
    QCOMPARE(typeOf(sent.at(2)), QStringLiteral("status_update"));
    QCOMPARE(object(sent.at(2)).value(QStringLiteral("seq")).toInteger(), 2);

    // Every reconnect says hello again. This cloud never said welcome: it
    // is the base cloud, which got each report once.
    handler.setOnline(false);
    handler.setOnline(true);
    QCOMPARE(sent.size(), 4);
    QCOMPARE(typeOf(sent.at(3)), QStringLiteral("hello"));
    QTRY_COMPARE(handler.reports()->held(), 0);
}

void tst_ProtocolHandler::reportWhileOnlineIsStoredThenSent()
{
    ProtocolHandler handler(1024);
    handler.setReportOutbox(m_outbox.get());
    QStringList sent;
    handler.setSender([&](const QString &t) { sent << t; return true; });
    handler.setOnline(true);
    sent.clear();
    handler.send(QStringLiteral("device_command_result"), {{QStringLiteral("request_id"), QStringLiteral("r")}});
    QCOMPARE(sent.size(), 0);   // not before it is stored
    QTRY_COMPARE(sent.size(), 1);
    QCOMPARE(handler.reports()->held(), 1);
    QCOMPARE(m_outbox->after(0, 1).value(0).seq, object(sent.at(0)).value(QStringLiteral("seq")).toInteger());
    // A message that is not a report goes after the reports made before it.
    handler.send(QStringLiteral("driver_sync_complete"), {{QStringLiteral("sync_id"), QStringLiteral("s")}});
    handler.send(QStringLiteral("driver_sync_progress"), {{QStringLiteral("sync_id"), QStringLiteral("s2")}});
    QCOMPARE(sent.size(), 3);
    QCOMPARE(typeOf(sent.at(1)), QStringLiteral("driver_sync_complete"));
    QCOMPARE(typeOf(sent.at(2)), QStringLiteral("driver_sync_progress"));
}

void tst_ProtocolHandler::failedSendIsKept()
{
    ProtocolHandler handler(1024);
    handler.setReportOutbox(m_outbox.get());
    bool wire = true;
    QStringList sent;
    handler.setSender([&](const QString &t) { if (!wire) return false; sent << t; return true; });
    handler.setOnline(true);
    wire = false;   // the socket dropped before the link noticed
    handler.send(QStringLiteral("driver_sync_error"), {});
    QTRY_COMPARE(handler.reports()->held(), 1);
    wire = true;
    handler.setOnline(false);
    handler.setOnline(true);
    QCOMPARE(typeOf(sent.last()), QStringLiteral("driver_sync_error"));
}

void tst_ProtocolHandler::withoutWelcomeSentReportsAreForgotten()
{
    ProtocolHandler handler(1024);
    handler.setReportOutbox(m_outbox.get());
    handler.reports()->setWelcomeWaitMs(50);
    QStringList sent;
    handler.setSender([&](const QString &t) { sent << t; return true; });
    handler.send(QStringLiteral("driver_sync_complete"), {});
    QTRY_COMPARE(handler.reports()->held(), 1);
    handler.setOnline(true);
    QCOMPARE(sent.size(), 2);
    // The base cloud: no welcome within the wait, so nothing is kept for it.
    QTRY_COMPARE(handler.reports()->mode(), ReportDelivery::Mode::Unacknowledged);
    QTRY_COMPARE(handler.reports()->held(), 0);
    handler.send(QStringLiteral("status_update"), {{QStringLiteral("device_id"), QStringLiteral("d")}});
    QTRY_COMPARE(sent.size(), 3);
    QTRY_COMPARE(handler.reports()->held(), 0);
    QCOMPARE(object(sent.at(2)).value(QStringLiteral("seq")).toInteger(), 2);
}

void tst_ProtocolHandler::welcomeResendsAboveLastSeqAndAckForgets()
{
    ProtocolHandler handler(1024);
    handler.setReportOutbox(m_outbox.get());
    QStringList sent;
    handler.setSender([&](const QString &t) { sent << t; return true; });
    for (int i = 1; i <= 4; ++i)
        handler.send(QStringLiteral("device_command_result"), {{QStringLiteral("n"), i}});
    QTRY_COMPARE(handler.reports()->held(), 4);
    handler.setOnline(true);
    QCOMPARE(sent.size(), 5);   // hello and all four, at once
    handler.handleTextFrame(QStringLiteral(R"({"type":"welcome","data":{"acks":true,"last_seq":0}})"));
    QCOMPARE(sent.size(), 5);   // nothing twice: they are on their way
    handler.setOnline(false);   // before any ack

    sent.clear();
    handler.setOnline(true);
    // The cloud stored 1 and 2 (before the drop): only 3 and 4 again.
    handler.handleTextFrame(QStringLiteral(R"({"type":"welcome","data":{"acks":true,"last_seq":2}})"));
    QCOMPARE(handler.reports()->mode(), ReportDelivery::Mode::Acknowledged);
    QTRY_COMPARE(handler.reports()->held(), 2);
    QCOMPARE(sent.size(), 5);   // the resend after hello was before the welcome came: nothing twice
    handler.handleTextFrame(QStringLiteral(R"({"type":"ack","data":{"seq":3}})"));
    QTRY_COMPARE(handler.reports()->held(), 1);
    QCOMPARE(m_outbox->after(0, 5).value(0).seq, 4);
    // Kept until acknowledged, also across reconnects, and also when the
    // link drops before this cloud (which acknowledges) said welcome again.
    handler.setOnline(false);
    handler.setOnline(true);
    handler.setOnline(false);
    QTest::qWait(20);
    QCOMPARE(handler.reports()->held(), 1);
    sent.clear();
    handler.setOnline(true);
    QCOMPARE(sent.size(), 2);
    QCOMPARE(object(sent.at(1)).value(QStringLiteral("seq")).toInteger(), 4);
    handler.handleTextFrame(QStringLiteral(R"({"type":"welcome","data":{"acks":true,"last_seq":4}})"));
    QTRY_COMPARE(handler.reports()->held(), 0);
    // A welcome after the resend: a report made now waits for its ack.
    handler.send(QStringLiteral("driver_sync_error"), {});
    QTRY_COMPARE(sent.size(), 3);
    QCOMPARE(object(sent.at(2)).value(QStringLiteral("seq")).toInteger(), 5);
    QTest::qWait(20);
    QCOMPARE(handler.reports()->held(), 1);
}

void tst_ProtocolHandler::otherMessagesWaitOnlyForReports()
{
    ProtocolHandler handler(1024);
    handler.setReportOutbox(m_outbox.get());
    QStringList sent;
    handler.setSender([&](const QString &t) { sent << t; return true; });
    handler.setOnline(true);
    handler.handleTextFrame(QStringLiteral(R"({"type":"welcome","data":{"acks":true,"last_seq":0}})"));
    handler.send(QStringLiteral("driver_sync_complete"), {{QStringLiteral("sync_id"), QStringLiteral("a")}});
    QTRY_COMPARE(handler.reports()->held(), 1);
    handler.handleTextFrame(QStringLiteral(R"({"type":"ack","data":{"seq":1}})"));

    // A message that is no report does not force the forgetting of what
    // the cloud acknowledged (a transaction and an fsync of its own): that
    // waits for its timer, or for the next report's commit.
    handler.send(QStringLiteral("driver_sync_progress"), {{QStringLiteral("sync_id"), QStringLiteral("b")},
                                                          {QStringLiteral("step"), QStringLiteral("validating")}});
    QCOMPARE(sent.size(), 3);
    QCOMPARE(handler.reports()->held(), 1);
    // Nor does a sync's answer that the pipeline stored in its own commit.
    Database other;
    QCOMPARE(other.open(m_dir->filePath(QStringLiteral("db.sqlite")), QStringLiteral("handler-other")), QString());
    OutboxReport answer = ReportDelivery::reportOf({QStringLiteral("driver_sync_complete"), {{QStringLiteral("sync_id"), QStringLiteral("b")}}});
    QCOMPARE(ReportOutbox::storeIn(other.connection(), answer), QString());
    handler.reports()->sendStored(answer.seq, {QStringLiteral("driver_sync_complete"), answer.data}, answer.timestamp);
    QCOMPARE(sent.size(), 4);
    QCOMPARE(object(sent.at(3)).value(QStringLiteral("seq")).toInteger(), answer.seq);
    QCOMPARE(handler.reports()->held(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(handler.reports()->held(), 1, 5 * ReportDelivery::forgetDelayMs);
    handler.handleTextFrame(QStringLiteral(R"({"type":"ack","data":{"seq":2}})"));
    QTRY_COMPARE_WITH_TIMEOUT(handler.reports()->held(), 0, 5 * ReportDelivery::forgetDelayMs);

    // It still goes out after the reports made before it.
    handler.send(QStringLiteral("device_command_result"), {{QStringLiteral("n"), 2}});
    handler.send(QStringLiteral("driver_sync_progress"), {{QStringLiteral("sync_id"), QStringLiteral("c")},
                                                          {QStringLiteral("step"), QStringLiteral("storing")}});
    QCOMPARE(sent.size(), 6);
    QCOMPARE(object(sent.at(4)).value(QStringLiteral("type")).toString(), QStringLiteral("device_command_result"));
    QCOMPARE(object(sent.at(5)).value(QStringLiteral("type")).toString(), QStringLiteral("driver_sync_progress"));
}

void tst_ProtocolHandler::welcomeSkipsWhatTheCloudHasWhenNotYetSent()
{
    ProtocolHandler handler(1024);
    handler.setReportOutbox(m_outbox.get());
    bool wire = false;
    QStringList sent;
    handler.setSender([&](const QString &t) { if (!wire) return false; sent << t; return true; });
    for (int i = 1; i <= 3; ++i)
        handler.send(QStringLiteral("driver_sync_complete"), {{QStringLiteral("n"), i}});
    QTRY_COMPARE(handler.reports()->held(), 3);
    handler.setOnline(true);   // hello could not go out; nothing else went either
    wire = true;
    handler.handleTextFrame(QStringLiteral(R"({"type":"welcome","data":{"acks":true,"last_seq":2}})"));
    QCOMPARE(sent.size(), 1);
    QCOMPARE(object(sent.at(0)).value(QStringLiteral("seq")).toInteger(), 3);
    QTRY_COMPARE(handler.reports()->held(), 1);
}

void tst_ProtocolHandler::welcomeBeyondOurSeqNumbersOnFromIt()
{
    ProtocolHandler handler(1024);
    handler.setReportOutbox(m_outbox.get());
    QStringList sent;
    handler.setSender([&](const QString &t) { sent << t; return true; });
    handler.send(QStringLiteral("driver_sync_complete"), {});
    QTRY_COMPARE(handler.reports()->held(), 1);
    handler.setOnline(true);
    sent.clear();
    // The cloud knew this controller before its database was replaced.
    handler.handleTextFrame(QStringLiteral(R"({"type":"welcome","data":{"acks":true,"last_seq":700}})"));
    QCOMPARE(sent.size(), 1);
    QCOMPARE(object(sent.at(0)).value(QStringLiteral("seq")).toInteger(), 701);
    QCOMPARE(typeOf(sent.at(0)), QStringLiteral("driver_sync_complete"));
    handler.send(QStringLiteral("driver_sync_error"), {});
    QTRY_COMPARE(sent.size(), 2);
    QCOMPARE(object(sent.at(1)).value(QStringLiteral("seq")).toInteger(), 702);
}

void tst_ProtocolHandler::retentionDropIsLoggedOnceWithCounts()
{
    ReportOutbox small(m_db->connection(), OutboxRetention{5, qint64(7) * 24 * 3600 * 1000});
    QCOMPARE(small.open(), QString());
    ProtocolHandler handler(1024);
    handler.setReportOutbox(&small);
    QStringList sent;
    handler.setSender([&](const QString &t) { sent << t; return true; });
    QTest::ignoreMessage(QtWarningMsg, "report outbox over its retention: dropped 3 oldest reports (seq 1 to 3); "
                                       "further drops are summed up on the next connection");
    for (int i = 0; i < 8; ++i)
        handler.send(QStringLiteral("device_command_result"), {{QStringLiteral("n"), i}});
    handler.reports()->flush();
    QCOMPARE(small.count(), 5);
    // More drops in the same spell: no new line now.
    QTest::failOnWarning(QRegularExpression(QStringLiteral("report outbox over its retention")));
    for (int i = 0; i < 4; ++i)
        handler.send(QStringLiteral("device_command_result"), {{QStringLiteral("n"), i}});
    handler.reports()->flush();
    // The sum, once, when the link is back; then the five newest go out.
    QTest::ignoreMessage(QtWarningMsg, "7 reports were dropped while they could not be delivered (0 older than the "
                                       "retention age, 7 over the retention count), seq 1 to 7");
    handler.setOnline(true);
    QCOMPARE(sent.size(), 6);
    QCOMPARE(object(sent.at(1)).value(QStringLiteral("seq")).toInteger(), 8);
    QCOMPARE(object(sent.at(5)).value(QStringLiteral("seq")).toInteger(), 12);
}

void tst_ProtocolHandler::brokenWelcomeAndAckAreRefused_data()
{
    QTest::addColumn<QString>("frame");
    QTest::addColumn<QString>("reason");
    QTest::newRow("welcome last_seq string") << QStringLiteral(R"({"type":"welcome","data":{"acks":true,"last_seq":"7"}})")
                                             << QStringLiteral("welcome: last_seq must be a whole number of at least 0, got a string");
    QTest::newRow("ack negative") << QStringLiteral(R"({"type":"ack","data":{"seq":-1}})")
                                  << QStringLiteral("ack: seq must be a whole number of at least 0, got a number");
}

void tst_ProtocolHandler::brokenWelcomeAndAckAreRefused()
{
    QFETCH(QString, frame);
    QFETCH(QString, reason);
    ProtocolHandler handler(1024);
    handler.setReportOutbox(m_outbox.get());
    handler.reports()->setWelcomeWaitMs(60000);
    QStringList sent;
    handler.setSender([&](const QString &t) { sent << t; return true; });
    handler.setOnline(true);
    handler.handleTextFrame(frame);
    QCOMPARE(typeOf(sent.last()), QStringLiteral("protocol_error"));
    QCOMPARE(object(sent.last()).value(QStringLiteral("data")).toObject().value(QStringLiteral("reason")).toString(), reason);
    QCOMPARE(handler.reports()->mode(), ReportDelivery::Mode::AwaitingWelcome);   // changed nothing
}

void tst_ProtocolHandler::envelopeHasUtcTimestamp()
{
    const QJsonObject e = Messages::envelope(Message{QStringLiteral("hello"), {}});
    const QString ts = e.value(QStringLiteral("timestamp")).toString();
    QVERIFY2(ts.endsWith(QLatin1Char('Z')), qPrintable(ts));
    QVERIFY(QDateTime::fromString(ts, Qt::ISODateWithMs).isValid());
    QVERIFY(e.value(QStringLiteral("data")).isObject());
}

QTEST_GUILESS_MAIN(tst_ProtocolHandler)
#include "tst_protocolhandler.moc"

void tst_ProtocolHandler::reportStoredElsewhereGoesOutInSeqOrder()
{
    // A sync's answer stored by the pipeline's connection (seq 2) while the
    // main thread stores a status_update (seq 3) before it hears of it:
    // nothing goes out until it is announced, then both in seq order.
    ProtocolHandler handler(1024);
    handler.setReportOutbox(m_outbox.get());
    QStringList sent;
    handler.setSender([&](const QString &t) { sent << t; return true; });
    handler.setOnline(true);
    handler.send(QStringLiteral("device_command_result"), {{QStringLiteral("n"), 1}});
    QTRY_COMPARE(sent.size(), 2);   // hello, seq 1

    Database other;
    QCOMPARE(other.open(m_dir->filePath(QStringLiteral("db.sqlite")), QStringLiteral("handler-other")), QString());
    OutboxReport answer = ReportDelivery::reportOf({QStringLiteral("driver_sync_complete"), {{QStringLiteral("sync_id"), QStringLiteral("s")}}});
    QSqlDatabase db = other.connection();
    QVERIFY(db.transaction());
    QCOMPARE(ReportOutbox::storeIn(db, answer), QString());
    QVERIFY(db.commit());
    QCOMPARE(answer.seq, 2);

    handler.send(QStringLiteral("status_update"), {{QStringLiteral("device_id"), QStringLiteral("d")}});
    QTRY_COMPARE(handler.reports()->held(), 3);
    QCOMPARE(sent.size(), 2);   // seq 3 waits for seq 2
    handler.send(QStringLiteral("driver_sync_progress"), {{QStringLiteral("sync_id"), QStringLiteral("s")}});
    // (With its timestamp, as the sync service gives it: found by a write
    // first, it still goes out from the table, in turn.)
    handler.reports()->sendStored(answer.seq, {answer.type, answer.data}, answer.timestamp);
    QCOMPARE(sent.size(), 5);
    QCOMPARE(typeOf(sent.at(2)), QStringLiteral("driver_sync_progress"));
    QCOMPARE(typeOf(sent.at(3)), QStringLiteral("driver_sync_complete"));
    QCOMPARE(object(sent.at(3)).value(QStringLiteral("seq")).toInteger(), 2);
    QCOMPARE(typeOf(sent.at(4)), QStringLiteral("status_update"));
    QCOMPARE(object(sent.at(4)).value(QStringLiteral("seq")).toInteger(), 3);
    QCOMPARE(handler.reports()->held(), 3);

    // Announced before the main thread writes again: sent at once, as
    // given (the row is not read back: here it was changed meanwhile, which
    // the pipeline never does), with the stored timestamp.
    OutboxReport second = ReportDelivery::reportOf({QStringLiteral("driver_sync_error"), {{QStringLiteral("sync_id"), QStringLiteral("t")}}});
    QVERIFY(db.transaction());
    QCOMPARE(ReportOutbox::storeIn(db, second), QString());
    QVERIFY(db.commit());
    QSqlQuery change(db);
    QVERIFY(change.exec(QStringLiteral("UPDATE report_outbox SET data = '{\"sync_id\":\"from the table\"}' WHERE seq = 4")));
    handler.reports()->sendStored(second.seq, {second.type, second.data}, second.timestamp);
    QCOMPARE(sent.size(), 6);
    const QJsonObject direct = object(sent.at(5));
    QCOMPARE(direct.value(QStringLiteral("seq")).toInteger(), 4);
    QCOMPARE(direct.value(QStringLiteral("timestamp")).toString(), second.timestamp);
    QCOMPARE(direct.value(QStringLiteral("data")).toObject().value(QStringLiteral("sync_id")).toString(), QStringLiteral("t"));
    QCOMPARE(handler.reports()->held(), 4);

    // Without its timestamp, or behind a report still to be stored this
    // turn, it is read from the table, in seq order.
    OutboxReport third = ReportDelivery::reportOf({QStringLiteral("driver_sync_complete"), {{QStringLiteral("sync_id"), QStringLiteral("u")}}});
    QVERIFY(db.transaction());
    QCOMPARE(ReportOutbox::storeIn(db, third), QString());
    QVERIFY(db.commit());
    QVERIFY(change.exec(QStringLiteral("UPDATE report_outbox SET data = '{\"sync_id\":\"from the table\"}' WHERE seq = 5")));
    handler.send(QStringLiteral("status_update"), {{QStringLiteral("device_id"), QStringLiteral("e")}});   // waits for this turn
    handler.reports()->sendStored(third.seq, {third.type, third.data}, third.timestamp);
    QCOMPARE(sent.size(), 8);
    QCOMPARE(object(sent.at(6)).value(QStringLiteral("seq")).toInteger(), 5);
    QCOMPARE(object(sent.at(6)).value(QStringLiteral("data")).toObject().value(QStringLiteral("sync_id")).toString(),
             QStringLiteral("from the table"));
    QCOMPARE(typeOf(sent.at(7)), QStringLiteral("status_update"));
    QCOMPARE(object(sent.at(7)).value(QStringLiteral("seq")).toInteger(), 6);
}
