#include "cloud/cloudlink.h"

#include "cloud/upgraderefusal.h"
#include "core/backoff.h"
#include "core/logcategories.h"
#include "core/logtext.h"

#include <QSslCertificate>

#include <algorithm>

namespace {
// Failures logged as warnings before the link goes quiet (debug only).
constexpr int loudFailures = 3;
}

CloudLink::CloudLink(const CloudLinkSettings &settings, QObject *parent)
    : QObject(parent), m_settings(settings)
{
    m_reconnectTimer.setSingleShot(true);
    m_pongDeadline.setSingleShot(true);
    m_handshakeDeadline.setSingleShot(true);
    m_pingTimer.setInterval(m_settings.pingIntervalMs);

    if (!m_settings.caFile.isEmpty())
        m_socket.setSslConfiguration(tlsConfiguration(m_settings));
    connect(&m_socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        // Never ignored: a cloud whose certificate does not verify is not the cloud.
        for (const QSslError &e : errors)
            m_lastError = QStringLiteral("TLS: %1").arg(e.errorString());
    });
    connect(&m_reconnectTimer, &QTimer::timeout, this, &CloudLink::dial);
    connect(&m_pingTimer, &QTimer::timeout, this, &CloudLink::sendPing);
    connect(&m_pongDeadline, &QTimer::timeout, this, [this] {
        qCWarning(lcCloud) << "cloud did not answer a ping within" << m_settings.pongTimeoutMs
                           << "ms; dropping the connection";
        m_lastError = QStringLiteral("keep-alive timed out");
        m_socket.abort();
    });
    connect(&m_handshakeDeadline, &QTimer::timeout, this, [this] {
        m_lastError = QStringLiteral("no answer to the WebSocket handshake within %1 ms")
                          .arg(m_settings.handshakeTimeoutMs);
        m_socket.abort();
        // abort() of a socket that never connected may not emit disconnected().
        if (m_state == State::Connecting)
            onDisconnected();
    });

    connect(&m_socket, &QWebSocket::connected, this, &CloudLink::onConnected);
    connect(&m_socket, &QWebSocket::disconnected, this, &CloudLink::onDisconnected);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &CloudLink::textFrameReceived);
    connect(&m_socket, &QWebSocket::binaryMessageReceived, this, &CloudLink::binaryFrameReceived);
    connect(&m_socket, &QWebSocket::pong, this, [this] { m_pongDeadline.stop(); });
    connect(&m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this](QAbstractSocket::SocketError) {
        m_lastError = m_socket.errorString();
        const int status = UpgradeRefusal::httpStatus(m_lastError);
        if (UpgradeRefusal::refusesCredentials(status))
            m_attemptRefusal = status;
    });
}

QNetworkRequest CloudLink::upgradeRequest(const CloudLinkSettings &settings)
{
    QNetworkRequest request(settings.url);
    if (!settings.token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + settings.token.toUtf8());
    request.setRawHeader("X-Controller-Id", settings.controllerId.toUtf8());
    request.setRawHeader("X-Controller-Version", settings.appVersion.toUtf8());
    return request;
}

QSslConfiguration CloudLink::tlsConfiguration(const CloudLinkSettings &settings)
{
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    if (settings.caFile.isEmpty())
        return tls;
    const QList<QSslCertificate> extra = QSslCertificate::fromPath(settings.caFile, QSsl::Pem);
    if (extra.isEmpty())
        qCWarning(lcCloud) << "no certificate found in" << settings.caFile;
    tls.addCaCertificates(extra);
    return tls;
}

CloudLink::~CloudLink()
{
    m_running = false;
    m_socket.disconnect(this);
    m_socket.abort();
}

void CloudLink::start()
{
    if (m_running)
        return;
    if (m_settings.url.isEmpty()) {
        qCInfo(lcCloud) << "no cloud URL configured; staying offline";
        setState(State::Offline);
        return;
    }
    m_running = true;
    dial();
}

void CloudLink::stop()
{
    m_running = false;
    m_reconnectTimer.stop();
    m_pingTimer.stop();
    m_pongDeadline.stop();
    m_handshakeDeadline.stop();
    m_socket.close();
    setState(State::Offline);
}

bool CloudLink::sendText(const QString &text)
{
    if (m_state != State::Connected)
        return false;
    m_socket.sendTextMessage(text);
    return true;
}

void CloudLink::dial()
{
    if (!m_running)
        return;
    const QNetworkRequest request = upgradeRequest(m_settings);
    setState(State::Connecting);
    m_lastError.clear();
    m_attemptRefusal = 0;
    m_handshakeDeadline.start(m_settings.handshakeTimeoutMs);
    m_socket.open(request);
}

void CloudLink::onConnected()
{
    m_handshakeDeadline.stop();
    if (m_failedAttempts > loudFailures)
        qCInfo(lcCloud) << "connected to" << m_settings.url.toDisplayString() << "after" << m_failedAttempts
                        << "failed attempts";
    else
        qCInfo(lcCloud) << "connected to" << m_settings.url.toDisplayString();
    m_failedAttempts = 0;
    m_refusedStatus = 0;
    m_pingTimer.start();
    setState(State::Connected);
    emit connected();
}

void CloudLink::onDisconnected()
{
    if (m_state == State::WaitingToReconnect || m_state == State::CredentialsRefused || m_state == State::Offline)
        return;   // already handled (an abort during the handshake reports twice)
    m_handshakeDeadline.stop();
    m_pingTimer.stop();
    m_pongDeadline.stop();
    const bool wasConnected = m_state == State::Connected;
    if (wasConnected) {
        qCWarning(lcCloud).noquote() << "connection to the cloud lost"
                                     << (m_lastError.isEmpty() ? QString() : QStringLiteral("(%1)").arg(LogText::escaped(m_lastError)));
        emit disconnected();
    }
    if (!m_running) {
        setState(State::Offline);
        return;
    }
    if (!wasConnected && m_attemptRefusal != 0) {
        ++m_failedAttempts;
        // Said once per refusal: the same answer on every retry is no news.
        if (m_attemptRefusal != m_refusedStatus)
            qCWarning(lcCloud).noquote() << QStringLiteral("%1 at %2; check the token; retrying with backoff")
                                                .arg(UpgradeRefusal::describe(m_attemptRefusal),
                                                     m_settings.url.toDisplayString());
        else
            qCDebug(lcCloud).noquote() << "still refused, attempt" << m_failedAttempts;
        m_refusedStatus = m_attemptRefusal;
    } else if (!wasConnected) {
        ++m_failedAttempts;
        m_refusedStatus = 0;
        if (m_failedAttempts <= loudFailures) {
            qCWarning(lcCloud).noquote() << "cannot reach the cloud at" << m_settings.url.toDisplayString()
                                         << (m_lastError.isEmpty() ? QString() : QStringLiteral("(%1)").arg(LogText::escaped(m_lastError)));
            if (m_failedAttempts == loudFailures)
                qCWarning(lcCloud) << "will keep retrying with backoff; further failures are logged at debug level";
        } else {
            qCDebug(lcCloud).noquote() << "cloud still unreachable, attempt" << m_failedAttempts << LogText::escaped(m_lastError);
        }
    }
    scheduleReconnect();
}

void CloudLink::scheduleReconnect()
{
    // A dropped connection is redialled after the first step; failures back off.
    const int delay = Backoff::delayMs(std::max(0, m_failedAttempts - 1), m_settings.reconnectMinMs,
                                     m_settings.reconnectMaxMs);
    m_nextAttemptAt = QDateTime::currentDateTimeUtc().addMSecs(delay);
    m_reconnectTimer.start(delay);
    setState(m_refusedStatus != 0 ? State::CredentialsRefused : State::WaitingToReconnect);
}

void CloudLink::sendPing()
{
    if (m_state != State::Connected || m_pongDeadline.isActive())
        return;
    m_pongDeadline.start(m_settings.pongTimeoutMs);
    m_socket.ping();
}

void CloudLink::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    emit stateChanged(state);
}
