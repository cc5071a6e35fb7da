// CloudLink: redials with backoff, detects a dead peer by ping, stays quiet
// when the cloud is down.
#include "core/backoff.h"
#include "cloud/cloudlink.h"
#include "fakecloud.h"
#include "testpeers.h"

#include <QCryptographicHash>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

namespace {

// A server that completes the WebSocket handshake and then never answers
// anything, pings included: a peer that is there but dead.
class SilentWebSocketPeer : public QObject
{
public:
    SilentWebSocketPeer()
    {
        connect(&server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = server.nextPendingConnection()) {
                ++connections;
                auto *buffer = new QByteArray;
                connect(s, &QObject::destroyed, [buffer] { delete buffer; });
                connect(s, &QTcpSocket::readyRead, s, [s, buffer] {
                    buffer->append(s->readAll());
                    if (s->property("upgraded").toBool())
                        return;   // swallow frames, answer nothing
                    const qsizetype end = buffer->indexOf("\r\n\r\n");
                    if (end < 0)
                        return;
                    QByteArray key;
                    for (const QByteArray &line : buffer->left(end).split('\n')) {
                        if (line.toLower().startsWith("sec-websocket-key:"))
                            key = line.mid(18).trimmed();
                    }
                    const QByteArray accept = QCryptographicHash::hash(
                        QByteArray(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"), QCryptographicHash::Sha1).toBase64();
                    QByteArray response("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                        "Connection: Upgrade\r\nSec-WebSocket-Accept: ");
                    response.append(accept);
                    response.append("\r\n\r\n");
                    s->write(response);
                    s->setProperty("upgraded", true);
                });
            }
        });
    }
    QTcpServer server;
    int connections = 0;
};

QtMessageHandler previousHandler = nullptr;
int cloudWarnings = 0;
QStringList cloudWarningLines;

void countingHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtWarningMsg && context.category && qstrcmp(context.category, "nuc.cloud") == 0) {
        ++cloudWarnings;
        cloudWarningLines << message;
    }
    previousHandler(type, context, message);
}

CloudLinkSettings settingsFor(const QUrl &url)
{
    CloudLinkSettings s;
    s.url = url;
    s.controllerId = QStringLiteral("link-test");
    s.appVersion = QStringLiteral("0.0.0");
    s.reconnectMinMs = 20;
    s.reconnectMaxMs = 80;
    return s;
}

} // namespace

class tst_CloudLink : public QObject
{
    Q_OBJECT

private slots:
    void backoffDoublesWithJitterUpToTheCap();
    void noUrlStaysOffline();
    void redialsAfterTheServerGoesAway();
    void deadPeerIsDetectedByPing();
    void quietWhileTheCloudIsDown();
    void refusedCredentialsAreTheirOwnState_data();
    void refusedCredentialsAreTheirOwnState();
    void aRefusalEndsWithTheNextConnection();
    void checkCloudPassesEveryStep();
    void checkCloudReportsRefusedCredentials();
    void checkCloudStepsTimeOut();
    void checkCloudWithNothingListening();

private:
    // Runs `control-nuc --check-cloud` against `url` while this test's
    // servers keep answering; returns the exit status, fills stdout.
    static int checkCloud(const QUrl &url, QString *out);
};

void tst_CloudLink::backoffDoublesWithJitterUpToTheCap()
{
    for (int i = 0; i < 200; ++i) {
        const int first = Backoff::delayMs(0, 1000, 60000);
        QVERIFY(first >= 750 && first <= 1250);
        const int third = Backoff::delayMs(2, 1000, 60000);
        QVERIFY(third >= 3000 && third <= 5000);
        const int capped = Backoff::delayMs(30, 1000, 60000);
        QVERIFY(capped >= 45000 && capped <= 60000);
    }
    // Jitter: not every delay is the same.
    QSet<int> seen;
    for (int i = 0; i < 50; ++i)
        seen.insert(Backoff::delayMs(3, 1000, 60000));
    QVERIFY(seen.size() > 10);
}

void tst_CloudLink::noUrlStaysOffline()
{
    CloudLink link(settingsFor(QUrl()));
    link.start();
    // A wait on purpose: the link must stay offline for a while, not just
    // at the start (nothing would dial before the event loop runs).
    QTest::qWait(100);
    QCOMPARE(link.state(), CloudLink::State::Offline);
}

void tst_CloudLink::redialsAfterTheServerGoesAway()
{
    FakeCloud cloud;
    QVERIFY(cloud.listen());
    const quint16 port = cloud.port();
    CloudLink link(settingsFor(cloud.url()));
    QSignalSpy connected(&link, &CloudLink::connected);
    QSignalSpy disconnected(&link, &CloudLink::disconnected);
    link.start();
    QVERIFY(connected.wait(5000));

    cloud.close();
    QVERIFY(disconnected.wait(5000));
    // While the server is away the link keeps dialling and counting failures.
    QTRY_VERIFY_WITH_TIMEOUT(link.failedAttempts() >= 1, 5000);
    QVERIFY(link.nextAttemptAt().isValid());

    QVERIFY(cloud.listen(port));
    QVERIFY(connected.wait(5000));
    QCOMPARE(connected.size(), 2);
    QCOMPARE(link.failedAttempts(), 0);
    QVERIFY(link.sendText(QStringLiteral("{\"type\":\"x\",\"data\":{}}")));
    QVERIFY(cloud.waitForMessage(QStringLiteral("x")) >= 0);
}

void tst_CloudLink::deadPeerIsDetectedByPing()
{
    SilentWebSocketPeer peer;
    QVERIFY(peer.server.listen(QHostAddress::LocalHost));
    CloudLinkSettings s = settingsFor(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(peer.server.serverPort())));
    s.pingIntervalMs = 100;
    s.pongTimeoutMs = 200;
    CloudLink link(s);
    QSignalSpy connected(&link, &CloudLink::connected);
    QSignalSpy disconnected(&link, &CloudLink::disconnected);
    link.start();
    QVERIFY(connected.wait(5000));
    // No pong within 200 ms of a ping: dropped, then redialled.
    QVERIFY(disconnected.wait(3000));
    QVERIFY(QTest::qWaitFor([&] { return peer.connections >= 2; }, 3000));
}

void tst_CloudLink::quietWhileTheCloudIsDown()
{
    // A port with nothing listening.
    QTcpServer reserve;
    QVERIFY(reserve.listen(QHostAddress::LocalHost));
    const quint16 port = reserve.serverPort();
    reserve.close();

    CloudLinkSettings s = settingsFor(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)));
    s.reconnectMinMs = 10;
    s.reconnectMaxMs = 20;
    cloudWarnings = 0;
    previousHandler = qInstallMessageHandler(countingHandler);
    {
        CloudLink link(s);
        link.start();
        static_cast<void>(QTest::qWaitFor([&] { return link.failedAttempts() >= 20; }, 5000));
        QVERIFY(link.failedAttempts() >= 20);
    }
    qInstallMessageHandler(previousHandler);
    // The first three failures and one "going quiet" line; nothing per retry after.
    QCOMPARE(cloudWarnings, 4);
}

void tst_CloudLink::refusedCredentialsAreTheirOwnState_data()
{
    QTest::addColumn<QByteArray>("statusLine");
    QTest::addColumn<int>("status");
    QTest::newRow("401") << QByteArray("401 Unauthorized") << 401;
    QTest::newRow("403") << QByteArray("403 Forbidden") << 403;
}

void tst_CloudLink::refusedCredentialsAreTheirOwnState()
{
    QFETCH(QByteArray, statusLine);
    QFETCH(int, status);
    RefusingPeer peer(statusLine);
    QVERIFY(peer.server.listen(QHostAddress::LocalHost));
    CloudLinkSettings s = settingsFor(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(peer.server.serverPort())));
    s.reconnectMinMs = 10;
    s.reconnectMaxMs = 20;
    cloudWarnings = 0;
    cloudWarningLines.clear();
    previousHandler = qInstallMessageHandler(countingHandler);
    {
        CloudLink link(s);
        QSignalSpy connected(&link, &CloudLink::connected);
        link.start();
        QVERIFY(QTest::qWaitFor([&] { return link.state() == CloudLink::State::CredentialsRefused; }, 5000));
        QCOMPARE(link.refusedStatus(), status);
        // The backoff goes on: several more refused attempts, still that state.
        QVERIFY(QTest::qWaitFor([&] { return peer.upgrades >= 6; }, 5000));
        QVERIFY(QTest::qWaitFor([&] { return link.state() == CloudLink::State::CredentialsRefused; }, 5000));
        QCOMPARE(link.refusedStatus(), status);
        QVERIFY(link.failedAttempts() >= 5);
        QVERIFY(link.nextAttemptAt().isValid());
        QCOMPARE(connected.size(), 0);
    }
    qInstallMessageHandler(previousHandler);
    // One line for the refusal, none per retry.
    QCOMPARE(cloudWarnings, 1);
    QVERIFY2(cloudWarningLines.constFirst().startsWith(
                 QStringLiteral("the cloud refused our credentials (HTTP %1) at ws://127.0.0.1:").arg(status)),
             qPrintable(cloudWarningLines.constFirst()));
}

void tst_CloudLink::aRefusalEndsWithTheNextConnection()
{
    // A refusing peer, then (the token fixed on the cloud's side) a good one
    // on the same port: the refusal is over once connected.
    RefusingPeer peer("401 Unauthorized");
    QVERIFY(peer.server.listen(QHostAddress::LocalHost));
    const quint16 port = peer.server.serverPort();
    CloudLinkSettings s = settingsFor(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)));
    CloudLink link(s);
    QSignalSpy connected(&link, &CloudLink::connected);
    link.start();
    QVERIFY(QTest::qWaitFor([&] { return link.refusedStatus() == 401; }, 5000));
    peer.server.close();
    FakeCloud cloud;
    QVERIFY(cloud.listen(port));
    QVERIFY(connected.wait(5000));
    QCOMPARE(link.state(), CloudLink::State::Connected);
    QCOMPARE(link.refusedStatus(), 0);
}

int tst_CloudLink::checkCloud(const QUrl &url, QString *out)
{
    QProcess p;
    p.start(QStringLiteral(CONTROL_NUC_BINARY),
            {QStringLiteral("--check-cloud"), QStringLiteral("--cloud-url"), url.toString(), QStringLiteral("--token"),
             QStringLiteral("t0ken"), QStringLiteral("--controller-id"), QStringLiteral("check-test"),
             QStringLiteral("--check-timeout-ms"), QStringLiteral("1500")});
    if (!p.waitForStarted(5000) || !QTest::qWaitFor([&] { return p.state() == QProcess::NotRunning; }, 20000))
        return -1;
    *out = QString::fromUtf8(p.readAllStandardOutput());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

void tst_CloudLink::checkCloudPassesEveryStep()
{
    FakeCloud cloud;
    QVERIFY(cloud.listen());
    QString out;
    QCOMPARE(checkCloud(cloud.url(), &out), 0);
    const QStringList lines = out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 5);
    const char *steps[] = {"DNS", "TCP", "TLS", "upgrade", "hello"};
    for (int i = 0; i < 5; ++i)
        QVERIFY2(lines.at(i).startsWith(QLatin1String(steps[i])) && lines.at(i).contains(u" ok: "), qPrintable(out));
    // The hello it sent is the controller's, with the given id.
    const int hello = cloud.waitForMessage(QStringLiteral("hello"));
    QVERIFY(hello >= 0);
    QCOMPARE(cloud.messages().at(hello).value(QStringLiteral("data")).toObject().value(QStringLiteral("controller_id")),
             QStringLiteral("check-test"));
}

void tst_CloudLink::checkCloudReportsRefusedCredentials()
{
    RefusingPeer peer("401 Unauthorized");
    QVERIFY(peer.server.listen(QHostAddress::LocalHost));
    QString out;
    QCOMPARE(checkCloud(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(peer.server.serverPort())), &out), 3);
    QVERIFY2(out.contains(QStringLiteral("upgrade  FAILED: the cloud refused our credentials (HTTP 401)")), qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("TCP      ok: ")) && out.contains(QStringLiteral("hello    skipped")), qPrintable(out));
}

void tst_CloudLink::checkCloudStepsTimeOut()
{
    // Upgrades, then answers nothing (no pong): the hello step times out.
    SilentWebSocketPeer peer;
    QVERIFY(peer.server.listen(QHostAddress::LocalHost));
    QString out;
    QCOMPARE(checkCloud(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(peer.server.serverPort())), &out), 1);
    QVERIFY2(out.contains(QStringLiteral("upgrade  ok: ")) && out.contains(QStringLiteral("hello    FAILED: no answer within 1500 ms")),
             qPrintable(out));
}

void tst_CloudLink::checkCloudWithNothingListening()
{
    QTcpServer reserve;
    QVERIFY(reserve.listen(QHostAddress::LocalHost));
    const quint16 port = reserve.serverPort();
    reserve.close();
    QString out;
    QCOMPARE(checkCloud(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)), &out), 1);
    QVERIFY2(out.contains(QStringLiteral("TCP      FAILED: ")) && out.contains(QStringLiteral("upgrade  skipped")), qPrintable(out));
}

QTEST_GUILESS_MAIN(tst_CloudLink)
#include "tst_cloudlink.moc"
