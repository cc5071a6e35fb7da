// The WebSocket to the cloud: dials, authenticates on the upgrade, keeps the
// connection alive with pings, and redials with backoff and jitter. It only
// moves frames; ProtocolHandler gives them meaning.
#pragma once

#include <QDateTime>
#include <QNetworkRequest>
#include <QObject>
#include <QSslConfiguration>
#include <QString>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

struct CloudLinkSettings
{
    QUrl url;                  // empty: stay offline
    QString token;
    QString controllerId;
    QString appVersion;
    int reconnectMinMs = 1000;
    int reconnectMaxMs = 60000;
    int pingIntervalMs = 20000;
    int pongTimeoutMs = 10000;
    int handshakeTimeoutMs = 15000;
    QString caFile;            // wss://: also trust this CA (PEM), e.g. a site's own
};

class CloudLink : public QObject
{
    Q_OBJECT

public:
    // CredentialsRefused: waiting to redial (with the same backoff) after the
    // cloud answered the upgrade with HTTP 401/403; it is told apart from a
    // network that does not answer because no retry will fix it by itself.
    enum class State { Offline, Connecting, Connected, WaitingToReconnect, CredentialsRefused };
    Q_ENUM(State)

    explicit CloudLink(const CloudLinkSettings &settings, QObject *parent = nullptr);
    ~CloudLink() override;

    void start();
    void stop();

    bool sendText(const QString &text);

    // The upgrade request (token, controller id and version headers) and the
    // TLS settings the link dials with; --check-cloud dials the same way.
    static QNetworkRequest upgradeRequest(const CloudLinkSettings &settings);
    static QSslConfiguration tlsConfiguration(const CloudLinkSettings &settings);

    State state() const { return m_state; }
    QDateTime nextAttemptAt() const { return m_nextAttemptAt; }
    int failedAttempts() const { return m_failedAttempts; }
    // The HTTP status (401/403) of the last refusal while it still holds: set
    // when the cloud refuses the upgrade, kept while redialling, cleared by a
    // connection or by any other kind of failure. 0: not refused.
    int refusedStatus() const { return m_refusedStatus; }
    QUrl url() const { return m_settings.url; }

signals:
    void connected();
    void disconnected();
    void textFrameReceived(const QString &text);
    void binaryFrameReceived(const QByteArray &bytes);
    void stateChanged(CloudLink::State state);

private:
    void dial();
    void onConnected();
    void onDisconnected();
    void scheduleReconnect();
    void sendPing();
    void setState(State state);

    CloudLinkSettings m_settings;
    QWebSocket m_socket;
    QTimer m_reconnectTimer;
    QTimer m_pingTimer;
    QTimer m_pongDeadline;
    QTimer m_handshakeDeadline;
    State m_state = State::Offline;
    QDateTime m_nextAttemptAt;
    int m_failedAttempts = 0;
    bool m_running = false;
    QString m_lastError;
    int m_attemptRefusal = 0;   // this attempt's refused HTTP status
    int m_refusedStatus = 0;
};
