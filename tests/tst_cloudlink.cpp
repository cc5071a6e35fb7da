// CloudLink: redials with backoff, detects a dead peer by ping, stays quiet
// when the cloud is down.
#include "core/backoff.h"
#include "cloud/cloudlink.h"
#include "fakecloud.h"

#include <QCryptographicHash>
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

void countingHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtWarningMsg && context.category && qstrcmp(context.category, "nuc.cloud") == 0)
        ++cloudWarnings;
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

QTEST_GUILESS_MAIN(tst_CloudLink)
#include "tst_cloudlink.moc"
