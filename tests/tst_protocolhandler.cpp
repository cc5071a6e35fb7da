// ProtocolHandler without a socket: dispatch, hello first, the offline outbox.
#include "cloud/protocolhandler.h"

#include <QJsonDocument>
#include <QTest>

namespace {

QString typeOf(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object().value(QStringLiteral("type")).toString();
}

} // namespace

class tst_ProtocolHandler : public QObject
{
    Q_OBJECT

private slots:
    void dispatchesByType();
    void missingDataIsAnEmptyObject();
    void helloFirstThenKeptMessages();
    void failedSendIsKept();
    void outboxIsBounded();
    void envelopeHasUtcTimestamp();
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

void tst_ProtocolHandler::helloFirstThenKeptMessages()
{
    ProtocolHandler handler(1024);
    QStringList sent;
    handler.setSender([&](const QString &t) { sent << t; return true; });
    handler.setHelloProvider([] {
        Messages::Hello hello;
        hello.controllerId = QStringLiteral("c");
        return Messages::hello(hello);
    });
    handler.send(QStringLiteral("driver_sync_complete"), {{QStringLiteral("n"), 1}});
    handler.send(QStringLiteral("status_update"), {{QStringLiteral("n"), 2}});
    QCOMPARE(sent.size(), 0);
    QCOMPARE(handler.pendingCount(), 2);

    handler.setOnline(true);
    QCOMPARE(sent.size(), 3);
    QCOMPARE(typeOf(sent.at(0)), QStringLiteral("hello"));
    QVERIFY(sent.at(0).contains(u"\"controller_id\":\"c\""));
    QCOMPARE(typeOf(sent.at(1)), QStringLiteral("driver_sync_complete"));
    QCOMPARE(typeOf(sent.at(2)), QStringLiteral("status_update"));
    QCOMPARE(handler.pendingCount(), 0);

    // Every reconnect says hello again.
    handler.setOnline(false);
    handler.setOnline(true);
    QCOMPARE(typeOf(sent.last()), QStringLiteral("hello"));
}

void tst_ProtocolHandler::failedSendIsKept()
{
    ProtocolHandler handler(1024);
    bool wire = true;
    QStringList sent;
    handler.setSender([&](const QString &t) { if (!wire) return false; sent << t; return true; });
    handler.setOnline(true);
    wire = false;   // the socket dropped before the link noticed
    handler.send(QStringLiteral("driver_sync_error"), {});
    QCOMPARE(handler.pendingCount(), 1);
    wire = true;
    handler.setOnline(false);
    handler.setOnline(true);
    QCOMPARE(typeOf(sent.last()), QStringLiteral("driver_sync_error"));
}

void tst_ProtocolHandler::outboxIsBounded()
{
    ProtocolHandler handler(1024);
    for (int i = 0; i < ProtocolHandler::outboxLimit + 10; ++i)
        handler.send(QStringLiteral("status_update"), {{QStringLiteral("i"), i}});
    QCOMPARE(handler.pendingCount(), ProtocolHandler::outboxLimit);
    QStringList sent;
    handler.setSender([&](const QString &t) { sent << t; return true; });
    handler.setOnline(true);
    QVERIFY(sent.at(1).contains(u"\"i\":10"));   // the oldest ten were dropped
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
