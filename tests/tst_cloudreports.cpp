// control-cloud's report path under load (docs/cloud.md "Frames in
// slices"): frames are handled in slices of bounded time, a controller that
// something waits on is handled at once and in its own order, a command's
// result reaches the operator while the database thread is still busy with
// what came before it, and an ack never covers a report not committed.
// SQLite, or PostgreSQL with NUC_TEST_DB=postgres (CONTROL_CLOUD_TEST_PG_URL).
#include "cloudprocess.h"

#include "cloudserver/clouddatabase.h"
#include "cloudserver/cloudserver.h"
#include "cloudserver/controllercredentials.h"
#include "cloudserver/controllerinbox.h"
#include "protocol/messages.h"
#include "storeblocker.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

namespace {

// Stand-ins for sockets: the inbox only uses them as keys.
QWebSocket *fakeSocket(int n)
{
    return reinterpret_cast<QWebSocket *>(quintptr(0x1000 * n));
}

// A controller on a raw QWebSocket: says hello, sends numbered reports,
// answers device_command when told to, records the cloud's acks.
class RawController : public QObject
{
public:
    RawController(const QString &id, quint16 port, const QByteArray &token = "test-token")
    {
        connect(&socket, &QWebSocket::disconnected, this, [this] { closed = true; });
        connect(&socket, &QWebSocket::connected, this, [this, id] {
            socket.sendTextMessage(QString::fromUtf8(QJsonDocument(QJsonObject{
                {QStringLiteral("type"), QStringLiteral("hello")},
                {QStringLiteral("timestamp"), Messages::timestampNow()},
                {QStringLiteral("data"), QJsonObject{{QStringLiteral("controller_id"), id}, {QStringLiteral("drivers"), QJsonArray()}}}}).toJson(QJsonDocument::Compact)));
        });
        connect(&socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
            const QJsonObject envelope = QJsonDocument::fromJson(text.toUtf8()).object();
            const QString type = envelope[QStringLiteral("type")].toString();
            const QJsonObject data = envelope[QStringLiteral("data")].toObject();
            if (type == u"welcome") {
                welcomed = true;
                welcomeLastSeq = data[QStringLiteral("last_seq")].toInteger();
            }
            else if (type == u"ack")
                acks << data[QStringLiteral("seq")].toInteger();
            else if (type == u"device_command")
                commands << data;
        });
        QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)));
        request.setRawHeader("Authorization", "Bearer " + token);
        request.setRawHeader("X-Controller-Id", id.toUtf8());
        socket.open(request);
    }
    qint64 send(const Message &message)
    {
        socket.sendTextMessage(QString::fromUtf8(
            QJsonDocument(Messages::envelope(message, Messages::timestampNow(), ++seq)).toJson(QJsonDocument::Compact)));
        return seq;
    }
    // `seq` as given: a resent report.
    void sendAs(qint64 asSeq, const Message &message)
    {
        socket.sendTextMessage(QString::fromUtf8(
            QJsonDocument(Messages::envelope(message, Messages::timestampNow(), asSeq)).toJson(QJsonDocument::Compact)));
    }
    qint64 sendStatus(int device)
    {
        return send(Messages::statusUpdate(QStringLiteral("dev-%1").arg(device), QStringLiteral("connected"), {}, QDateTime::currentDateTimeUtc()));
    }
    qint64 answer(const QJsonObject &command)
    {
        Messages::CommandOutcome outcome;
        outcome.ok = true;
        outcome.result = QJsonObject{{QStringLiteral("answered"), true}};
        return send(Messages::deviceCommandResult(command[QStringLiteral("request_id")], command[QStringLiteral("device_id")], outcome));
    }

    QWebSocket socket;
    bool welcomed = false;
    qint64 welcomeLastSeq = -1;
    bool closed = false;
    qint64 seq = 0;
    QList<qint64> acks;
    QList<QJsonObject> commands;
};

} // namespace

class tst_CloudReports : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { CloudProcess::chooseDatabase(&m_postgres, &m_database); }
    void init();
    void cleanup();
    void awaitedSocketIsHandledAtOnceInItsOrder();
    void framesAreHandledInSlicesAcrossTurns();
    void commandResultIsAnsweredWhileTheDatabaseIsBusy();
    void ackNeverCoversAReportNotCommitted();
    void statusValuesAreStoredOnceAsSent();
    void ackIsRecordedAtMostOnceASecond();
    void credentialsAreReadOnceAtStart();

private:
    void block(CloudStore *store) { m_blocker.block(*store); }
    void release() { m_blocker.release(); }
    // Reports of site-1 stored (committed) up to and including `seq`.
    qint64 committedUpTo(qint64 seq);

    bool m_postgres = false;
    QString m_database;   // the PostgreSQL URL
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<CloudDatabase> m_db;
    std::unique_ptr<CloudServer> m_cloud;
    StoreBlocker m_blocker;
};

void tst_CloudReports::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<CloudDatabase>();
    if (m_postgres) {
        QCOMPARE(CloudProcess::resetPostgres(m_database), QString());
        m_db->setPassword(QUrl(m_database).password());
        QCOMPARE(m_db->open(m_database), QString());
    } else {
        QCOMPARE(m_db->open(m_dir->filePath(QStringLiteral("cloud.sqlite"))), QString());
    }
    CloudServerSettings settings;
    settings.token = QStringLiteral("test-token");
    m_cloud = std::make_unique<CloudServer>(m_db.get(), settings);
    QCOMPARE(m_cloud->listen(QHostAddress::LocalHost, 0), QString());
}

void tst_CloudReports::cleanup()
{
    release();
    m_cloud.reset();
    m_db.reset();
    m_dir.reset();
}

qint64 tst_CloudReports::committedUpTo(qint64 seq)
{
    // The main connection: sees what the database thread committed.
    QSqlQuery q(m_db->connection());
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM controller_reports WHERE controller_id = 'site-1' AND seq <= ?"));
    q.addBindValue(seq);
    return q.exec() && q.next() ? q.value(0).toLongLong() : -1;
}

void tst_CloudReports::awaitedSocketIsHandledAtOnceInItsOrder()
{
    QStringList handled;
    ControllerInbox inbox([&](QWebSocket *socket, const QString &frame) {
        handled << QStringLiteral("%1:%2").arg(socket == fakeSocket(1) ? 1 : 2).arg(frame);
    });
    inbox.add(fakeSocket(1), QStringLiteral("a"), false);
    inbox.add(fakeSocket(2), QStringLiteral("x"), false);
    inbox.add(fakeSocket(2), QStringLiteral("y"), false);
    QVERIFY(handled.isEmpty());   // queued, not handled in the turn that read them
    QCOMPARE(inbox.queued(), 3);
    // Socket 2 is awaited: its queued frames first, then this one, now;
    // socket 1 stays queued although its frame came before.
    inbox.add(fakeSocket(2), QStringLiteral("z"), true);
    QCOMPARE(handled, (QStringList{QStringLiteral("2:x"), QStringLiteral("2:y"), QStringLiteral("2:z")}));
    QCOMPARE(inbox.queued(), 1);
    QTRY_COMPARE(handled.size(), 4);
    QCOMPARE(handled.last(), QStringLiteral("1:a"));
    QCOMPARE(inbox.queued(), 0);
}

void tst_CloudReports::framesAreHandledInSlicesAcrossTurns()
{
    // A slice of 0 ms: one socket per turn, so three sockets take three
    // turns, and the loop polls (admin socket, results) between them.
    QStringList handled;
    ControllerInbox inbox([&](QWebSocket *, const QString &frame) { handled << frame; }, 0);
    inbox.add(fakeSocket(1), QStringLiteral("1a"), false);
    inbox.add(fakeSocket(2), QStringLiteral("2a"), false);
    inbox.add(fakeSocket(1), QStringLiteral("1b"), false);
    inbox.add(fakeSocket(3), QStringLiteral("3a"), false);
    QCoreApplication::sendPostedEvents(&inbox, QEvent::MetaCall);
    QCOMPARE(handled, (QStringList{QStringLiteral("1a"), QStringLiteral("1b")}));
    QCoreApplication::sendPostedEvents(&inbox, QEvent::MetaCall);
    QCOMPARE(handled.size(), 3);
    QCoreApplication::sendPostedEvents(&inbox, QEvent::MetaCall);
    QCOMPARE(handled, (QStringList{QStringLiteral("1a"), QStringLiteral("1b"), QStringLiteral("2a"), QStringLiteral("3a")}));
    // A socket that goes is flushed before: nothing it said is lost.
    inbox.add(fakeSocket(2), QStringLiteral("2b"), false);
    inbox.flush(fakeSocket(2));
    QCOMPARE(handled.last(), QStringLiteral("2b"));
    QCOMPARE(inbox.queued(), 0);
}

void tst_CloudReports::commandResultIsAnsweredWhileTheDatabaseIsBusy()
{
    RawController site(QStringLiteral("site-1"), m_cloud->port());
    QTRY_VERIFY(site.welcomed);
    // The database thread is busy (a burst's batch): status updates queue
    // up behind it, and so does the command result's record.
    block(m_cloud->store());
    for (int i = 0; i < 50; ++i)
        site.sendStatus(i);
    std::optional<QJsonObject> answer;
    m_cloud->command(QJsonObject{{QStringLiteral("controller_id"), QStringLiteral("site-1")},
                                 {QStringLiteral("device_id"), QStringLiteral("dev-0")},
                                 {QStringLiteral("command"), QStringLiteral("ping")}},
                     [&](const QJsonObject &a) { answer = a; });
    QTRY_COMPARE(site.commands.size(), 1);
    const qint64 resultSeq = site.answer(site.commands.first());
    // Answered with the controller's result although nothing is committed.
    QTRY_VERIFY(answer.has_value());
    QVERIFY2(answer->value(QStringLiteral("ok")).toBool(), QJsonDocument(*answer).toJson().constData());
    QCOMPARE(answer->value(QStringLiteral("result")).toObject().value(QStringLiteral("result")).toObject()
                 .value(QStringLiteral("answered")).toBool(), true);
    QCOMPARE(committedUpTo(resultSeq), 0);
    QTest::qWait(100);
    QVERIFY2(site.acks.isEmpty(), "acknowledged before the commit");
    // Once the thread goes on, everything is stored and acknowledged.
    release();
    QTRY_VERIFY(!site.acks.isEmpty() && site.acks.last() == resultSeq);
    QCOMPARE(committedUpTo(resultSeq), resultSeq);
}

void tst_CloudReports::ackNeverCoversAReportNotCommitted()
{
    RawController site(QStringLiteral("site-1"), m_cloud->port());
    QTRY_VERIFY(site.welcomed);
    // Every ack as it arrives: all the reports it covers must be committed.
    QList<std::pair<qint64, qint64>> checked;   // ack, committed up to it
    connect(&site.socket, &QWebSocket::textMessageReceived, this, [&](const QString &text) {
        const QJsonObject envelope = QJsonDocument::fromJson(text.toUtf8()).object();
        if (envelope[QStringLiteral("type")].toString() == u"ack") {
            const qint64 ack = envelope[QStringLiteral("data")][QStringLiteral("seq")].toInteger();
            checked << std::pair{ack, committedUpTo(ack)};
        }
    });
    // Status updates (queued behind) and a command result (urgent: stored
    // ahead of them) while the thread is held, in rounds, so that commits
    // land in between sends.
    qint64 last = 0;
    for (int round = 0; round < 5; ++round) {
        block(m_cloud->store());
        for (int i = 0; i < 200; ++i)
            site.sendStatus(i % 7);
        m_cloud->command(QJsonObject{{QStringLiteral("controller_id"), QStringLiteral("site-1")},
                                     {QStringLiteral("device_id"), QStringLiteral("dev-0")},
                                     {QStringLiteral("command"), QStringLiteral("ping")}},
                         [](const QJsonObject &) {});
        QTRY_COMPARE(site.commands.size(), round + 1);
        last = site.answer(site.commands.last());
        QTest::qWait(20);
        release();
        QTest::qWait(20);
    }
    QTRY_VERIFY(!checked.isEmpty() && checked.last().first == last);
    for (const auto &[ack, committed] : checked)
        QVERIFY2(committed == ack, qPrintable(QStringLiteral("ack %1 with %2 reports committed").arg(ack).arg(committed)));
    // And recorded for the next welcome (in bulk with other controllers' acks).
    QString error;
    QTRY_COMPARE(m_db->ackedReportSeq(QStringLiteral("site-1"), &error), last);
    QCOMPARE(error, QString());
}

void tst_CloudReports::statusValuesAreStoredOnceAsSent()
{
    // Values that need quoting in an SQL or a PostgreSQL array literal
    // (statusingest.cpp binds a batch as arrays there), stored as sent; a
    // resent seq, in the same batch or a later one, is not applied again.
    RawController site(QStringLiteral("site-1"), m_cloud->port());
    QTRY_VERIFY(site.welcomed);
    const QDateTime at = QDateTime::currentDateTimeUtc();
    const QString odd = QStringLiteral("a\"b\\c,{d} 'e' NULL \u00fc\U0001F600");
    block(m_cloud->store());   // one batch
    site.send(Messages::statusUpdate(odd, QStringLiteral("error"), odd, at));
    site.send(Messages::statusUpdate(QStringLiteral("NULL"), QStringLiteral("connected"), QString(), at));
    const qint64 second = site.send(Messages::statusUpdate(QStringLiteral("dev-2"), QStringLiteral("connecting"), QString(), at));
    site.sendAs(second, Messages::statusUpdate(QStringLiteral("dev-2"), QStringLiteral("error"), QStringLiteral("resent"), at));
    const qint64 latest = site.send(Messages::statusUpdate(QStringLiteral("{}"), QStringLiteral("connecting"), QStringLiteral("first"), at));
    QTest::qWait(50);
    release();
    QTRY_VERIFY(!site.acks.isEmpty() && site.acks.last() == latest);
    site.sendAs(second, Messages::statusUpdate(QStringLiteral("dev-2"), QStringLiteral("disconnected"), QStringLiteral("resent later"), at));
    const qint64 last = site.send(Messages::statusUpdate(QStringLiteral("{}"), QStringLiteral("disconnected"), QStringLiteral("\\"), at));
    QTRY_VERIFY(site.acks.last() == last);

    QHash<QString, QStringList> rows;
    QSqlQuery q(m_db->connection());
    QVERIFY(q.exec(QStringLiteral("SELECT device_id, status, message, reported_at FROM device_status WHERE controller_id = 'site-1'")));
    while (q.next())
        rows.insert(q.value(0).toString(), {q.value(1).toString(), q.value(2).isNull() ? QStringLiteral("(null)") : q.value(2).toString(),
                                            q.value(3).toString()});
    const QString stamp = at.toString(Qt::ISODateWithMs);
    QCOMPARE(rows.size(), 4);
    QCOMPARE(rows.value(odd), (QStringList{QStringLiteral("error"), odd, stamp}));
    QCOMPARE(rows.value(QStringLiteral("NULL")), (QStringList{QStringLiteral("connected"), QStringLiteral("(null)"), stamp}));
    QCOMPARE(rows.value(QStringLiteral("dev-2")), (QStringList{QStringLiteral("connecting"), QStringLiteral("(null)"), stamp}));
    QCOMPARE(rows.value(QStringLiteral("{}")), (QStringList{QStringLiteral("disconnected"), QStringLiteral("\\"), stamp}));
    // Each seq once, its data as first received.
    QVERIFY(q.exec(QStringLiteral("SELECT seq, data FROM controller_reports WHERE controller_id = 'site-1' ORDER BY seq")));
    QList<qint64> seqs;
    QStringList devices;
    while (q.next()) {
        seqs << q.value(0).toLongLong();
        devices << QJsonDocument::fromJson(q.value(1).toString().toUtf8()).object().value(QStringLiteral("device_id")).toString();
    }
    QCOMPARE(seqs, (QList<qint64>{1, 2, 3, 4, 5}));
    QCOMPARE(devices, (QStringList{odd, QStringLiteral("NULL"), QStringLiteral("dev-2"), QStringLiteral("{}"), QStringLiteral("{}")}));
}

void tst_CloudReports::ackIsRecordedAtMostOnceASecond()
{
    // The first ack of a controller is recorded for the next welcome at
    // once; later ones within a second wait, and the latest is recorded then.
    RawController site(QStringLiteral("site-1"), m_cloud->port());
    QTRY_VERIFY(site.welcomed);
    QString error;
    const qint64 first = site.sendStatus(0);
    QTRY_COMPARE(m_db->ackedReportSeq(QStringLiteral("site-1"), &error), first);
    QElapsedTimer sinceFirst;
    sinceFirst.start();
    site.sendStatus(1);
    QTRY_VERIFY(site.acks.last() == first + 1);
    const qint64 last = site.sendStatus(2);
    QTRY_VERIFY(site.acks.last() == last);
    if (sinceFirst.elapsed() < 500) {   // (a machine that slow tells nothing here)
        QTest::qWait(100);
        QCOMPARE(m_db->ackedReportSeq(QStringLiteral("site-1"), &error), first);
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_db->ackedReportSeq(QStringLiteral("site-1"), &error), last, 3000);
    QCOMPARE(error, QString());

    // A new connection within the second: the last ack's record, still
    // waiting, is written before its welcome is read.
    const qint64 newer = site.sendStatus(3);
    QTRY_VERIFY(site.acks.last() == newer);
    QElapsedTimer sinceHello;
    sinceHello.start();
    RawController again(QStringLiteral("site-1"), m_cloud->port());
    QTRY_VERIFY(again.welcomed);
    QCOMPARE(again.welcomeLastSeq, newer);

    // One still waiting when the cloud stops is written before it is gone.
    again.seq = again.welcomeLastSeq;   // as a controller numbers on
    const qint64 latest = again.sendStatus(4);
    QTRY_VERIFY(!again.acks.isEmpty() && again.acks.last() == latest);
    if (sinceHello.elapsed() < 800)   // (a machine that slow tells nothing here)
        QCOMPARE(m_db->ackedReportSeq(QStringLiteral("site-1"), &error), newer);
    m_cloud.reset();
    QCOMPARE(m_db->ackedReportSeq(QStringLiteral("site-1"), &error), latest);
}

void tst_CloudReports::credentialsAreReadOnceAtStart()
{
    // A new connection's check reads the credentials kept in memory, never
    // the database (ControllerCredentials): one written behind the running
    // server's back is not seen (credentials change through its admin
    // socket), and is what the next start reads.
    QCOMPARE(m_db->addCredential(QStringLiteral("site-9"), ControllerCredentials::hashOf("secret-9")), QString());
    {
        RawController shared(QStringLiteral("site-9"), m_cloud->port());
        QTRY_VERIFY(shared.welcomed);   // not enrolled as far as this server knows
    }
    m_cloud.reset();
    CloudServerSettings settings;
    settings.token = QStringLiteral("test-token");
    m_cloud = std::make_unique<CloudServer>(m_db.get(), settings);
    QCOMPARE(m_cloud->listen(QHostAddress::LocalHost, 0), QString());
    RawController shared(QStringLiteral("site-9"), m_cloud->port());
    QTRY_VERIFY(shared.closed);   // 401: the shared token does not open an enrolled id
    QVERIFY(!shared.welcomed);
    RawController own(QStringLiteral("site-9"), m_cloud->port(), "secret-9");
    QTRY_VERIFY(own.welcomed);

    // Removed: it stops opening the id at once, also when its row was
    // already gone from the database (removed behind the server's back).
    ControllerCredentials credentials(m_db.get(), QString(), ControllerCredentials::Unenrolled::Refused);
    QCOMPARE(credentials.load(), QString());
    QVERIFY(credentials.authorize(QStringLiteral("site-9"), "Bearer secret-9"));
    QString removeError;
    QVERIFY(m_db->removeCredential(QStringLiteral("site-9"), &removeError));   // behind its back
    QCOMPARE(removeError, QString());
    QCOMPARE(credentials.remove(QStringLiteral("site-9")), QString());
    QVERIFY(!credentials.authorize(QStringLiteral("site-9"), "Bearer secret-9"));
    QVERIFY(credentials.remove(QStringLiteral("site-9")).contains(u"has no credential"));
}

QTEST_MAIN(tst_CloudReports)
#include "tst_cloudreports.moc"
