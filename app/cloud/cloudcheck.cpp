#include "cloud/cloudcheck.h"

#include "cloud/upgraderefusal.h"
#include "protocol/messages.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHostInfo>
#include <QJsonDocument>
#include <QSslCipher>
#include <QSslSocket>
#include <QStringList>

#include <algorithm>
#include <iterator>
#include <optional>

namespace {

// Spins the event loop until `done` holds or `timeoutMs` pass.
bool waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer elapsed;
    elapsed.start();
    while (!done()) {
        const qint64 left = timeoutMs - elapsed.elapsed();
        if (left <= 0)
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, int(std::min<qint64>(left, 50)));
    }
    return true;
}

QString stepLine(const char *step, bool ok, const QString &detail)
{
    return QStringLiteral("%1 %2: %3").arg(QString::fromLatin1(step).leftJustified(8), ok ? QStringLiteral("ok") : QStringLiteral("FAILED"), detail);
}

} // namespace

CloudCheck::CloudCheck(const CloudLinkSettings &settings, const QString &controllerName, int stepTimeoutMs)
    : m_settings(settings), m_controllerName(controllerName), m_timeoutMs(stepTimeoutMs)
{
}

int CloudCheck::exitStatus(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Passed: return 0;
    case Outcome::Failed: return 1;
    case Outcome::CredentialsRefused: return 3;
    }
    return 1;
}

CloudCheck::Outcome CloudCheck::run(const Report &report)
{
    const QUrl &url = m_settings.url;
    const bool secure = url.scheme() == u"wss";
    static const char *const steps[] = {"DNS", "TCP", "TLS", "upgrade", "hello"};
    int next = 0;   // the step being run
    auto fail = [&](const QString &detail, Outcome outcome = Outcome::Failed) {
        report(stepLine(steps[next], false, detail));
        for (++next; next < int(std::size(steps)); ++next)
            report(QStringLiteral("%1 skipped").arg(QString::fromLatin1(steps[next]).leftJustified(8)));
        return outcome;
    };
    auto pass = [&](const QString &detail) { report(stepLine(steps[next++], true, detail)); };
    const QString timedOut = QStringLiteral("no answer within %1 ms").arg(m_timeoutMs);

    if (!url.isValid() || (url.scheme() != u"ws" && !secure) || url.host().isEmpty())
        return fail(QStringLiteral("no usable cloud URL (set cloud-url to ws://… or wss://…)"));
    const QString host = url.host();
    const quint16 port = quint16(url.port(secure ? 443 : 80));

    // DNS
    QElapsedTimer clock;
    clock.start();
    QHostAddress address(host);
    if (!address.isNull()) {
        pass(QStringLiteral("%1 is an address, nothing to look up").arg(host));
    } else {
        std::optional<QHostInfo> answer;
        QObject context;
        const int id = QHostInfo::lookupHost(host, &context, [&answer](const QHostInfo &info) { answer = info; });
        if (!waitUntil([&] { return answer.has_value(); }, m_timeoutMs)) {
            QHostInfo::abortHostLookup(id);
            return fail(QStringLiteral("%1: %2").arg(host, timedOut));
        }
        if (answer->error() != QHostInfo::NoError || answer->addresses().isEmpty())
            return fail(QStringLiteral("%1: %2").arg(host, answer->errorString()));
        QStringList names;
        for (const QHostAddress &a : answer->addresses())
            names << a.toString();
        address = answer->addresses().constFirst();
        pass(QStringLiteral("%1 is %2 (%3 ms)").arg(host, names.join(QStringLiteral(", "))).arg(clock.restart()));
    }

    // TCP, then TLS on the same socket
    const QSslConfiguration tls = CloudLink::tlsConfiguration(m_settings);
    QSslSocket socket;
    socket.connectToHost(address, port);
    if (!waitUntil([&] { return socket.state() == QAbstractSocket::ConnectedState
                                || socket.state() == QAbstractSocket::UnconnectedState; }, m_timeoutMs)) {
        socket.abort();
        return fail(QStringLiteral("%1 port %2: %3").arg(address.toString()).arg(port).arg(timedOut));
    }
    if (socket.state() != QAbstractSocket::ConnectedState)
        return fail(QStringLiteral("%1 port %2: %3").arg(address.toString()).arg(port).arg(socket.errorString()));
    pass(QStringLiteral("connected to %1 port %2 (%3 ms)").arg(address.toString()).arg(port).arg(clock.restart()));
    if (secure) {
        QStringList problems;
        QObject::connect(&socket, &QSslSocket::sslErrors, [&problems](const QList<QSslError> &errors) {
            for (const QSslError &e : errors)
                problems << e.errorString();
        });
        socket.setSslConfiguration(tls);
        socket.setPeerVerifyName(host);
        socket.startClientEncryption();
        if (!waitUntil([&] { return socket.isEncrypted() || socket.state() == QAbstractSocket::UnconnectedState; },
                       m_timeoutMs)) {
            socket.abort();
            return fail(timedOut);
        }
        if (!socket.isEncrypted())
            return fail(problems.isEmpty() ? socket.errorString() : problems.join(QStringLiteral("; ")));
        const QSslCertificate peer = socket.peerCertificate();
        pass(QStringLiteral("%1, certificate of %2 verified (%3 ms)")
                 .arg(socket.sessionCipher().protocolString(),
                      peer.subjectInfo(QSslCertificate::CommonName).join(QStringLiteral(", ")))
                 .arg(clock.restart()));
    } else {
        pass(QStringLiteral("not used (ws://)"));
    }
    socket.disconnectFromHost();

    // The upgrade, the way the link dials
    QWebSocket ws;
    if (secure)
        ws.setSslConfiguration(tls);
    bool closed = false;
    QObject::connect(&ws, &QWebSocket::disconnected, [&closed] { closed = true; });
    ws.open(CloudLink::upgradeRequest(m_settings));
    if (!waitUntil([&] { return ws.state() == QAbstractSocket::ConnectedState || closed; }, m_timeoutMs)) {
        ws.abort();
        return fail(timedOut);
    }
    if (ws.state() != QAbstractSocket::ConnectedState) {
        const int status = UpgradeRefusal::httpStatus(ws.errorString());
        if (UpgradeRefusal::refusesCredentials(status))
            return fail(UpgradeRefusal::describe(status), Outcome::CredentialsRefused);
        return fail(ws.errorString());
    }
    pass(QStringLiteral("%1 accepted our token (%2 ms)").arg(url.toDisplayString()).arg(clock.restart()));

    // hello, then a ping: the cloud handles frames in order, so its pong
    // says the hello was read and not refused (the cloud closes on a bad one).
    Messages::Hello hello;
    hello.controllerId = m_settings.controllerId;
    hello.name = m_controllerName;
    hello.appVersion = m_settings.appVersion;
    ws.sendTextMessage(QString::fromUtf8(
        QJsonDocument(Messages::envelope(Messages::hello(hello))).toJson(QJsonDocument::Compact)));
    bool ponged = false;
    QObject::connect(&ws, &QWebSocket::pong, [&ponged] { ponged = true; });
    ws.ping();
    if (!waitUntil([&] { return ponged || closed; }, m_timeoutMs)) {
        ws.abort();
        return fail(timedOut);
    }
    if (!ponged) {
        return fail(QStringLiteral("the cloud closed the connection (%1%2)")
                        .arg(int(ws.closeCode()))
                        .arg(ws.closeReason().isEmpty() ? QString() : QStringLiteral(": ") + ws.closeReason()));
    }
    pass(QStringLiteral("sent as %1, the cloud kept the connection (%2 ms)").arg(m_settings.controllerId).arg(clock.restart()));
    ws.close();
    waitUntil([&] { return closed; }, m_timeoutMs);
    return Outcome::Passed;
}
