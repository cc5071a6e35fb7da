// control-cloud's WebSocket server: controllers dial in with a bearer
// token, say hello, and report back; deployments, device provisioning and
// commands go out to them. The seed's three handlers keep
// driver_deployments up to date.
#pragma once

#include "cloudserver/clouddatabase.h"
#include "cloudserver/cloudstore.h"
#include "cloudserver/controllercredentials.h"
#include "cloudserver/slicedqueue.h"
#include "cloudserver/controllerinbox.h"
#include "cloudserver/drivermetricsstore.h"
#include "cloudserver/rollouts.h"
#include "cloudserver/upgradegate.h"
#include "protocol/controllerreports.h"

#include <QHash>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QElapsedTimer>
#include <QSet>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <functional>
#include <memory>
#include <set>
#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcCloudServer)

struct CloudServerSettings
{
    QString token;                                  // shared bearer token for ids without their own credential
    // Without a shared token: whether ids without their own credential get in.
    ControllerCredentials::Unenrolled unenrolled = ControllerCredentials::Unenrolled::WhileNoneEnrolled;
    std::optional<QSslConfiguration> tls;           // wss:// when set
    int commandTimeoutMs = 15000;
    CloudStore::Settings store;                     // the database thread's queue
    int listenBacklog = 1024;                       // pending connections the kernel keeps (SOMAXCONN caps it)
};

class CloudServer : public QObject
{
    Q_OBJECT

public:
    CloudServer(CloudDatabase *database, const CloudServerSettings &settings, QObject *parent = nullptr);
    ~CloudServer() override;

    // Starts the database thread, then listens.
    QString listen(const QHostAddress &address, quint16 port);
    // Where SQL work goes (cloudstore.h): the event loop never waits for it.
    CloudStore *store() { return m_store.get(); }
    quint16 port() const { return m_gate->serverPort(); }

    using Reply = std::function<void(const QJsonObject &reply)>;   // {"ok":bool, ...}

    // Admin operations (AdminServer calls these).
    void deploy(const QJsonObject &request, const Reply &reply);   // driverlifecycle.cpp
    // Sends driver_rollback {driver_type, version?}; the outcome is a deployment's.
    void rollback(const QJsonObject &request, const Reply &reply);
    void provision(const QJsonObject &request, const Reply &reply);
    void command(const QJsonObject &request, const Reply &reply);
    void waitForDeployment(const QString &syncId, int timeoutMs, const Reply &reply);
    // Read on the database thread (a query per controller on the event loop
    // was 2000 of them on a fleet), answered once read.
    void controllers(const Reply &reply);
    void deployments(const QJsonObject &request, const Reply &reply);
    ControllerCredentials *credentials() { return &m_credentials; }
    // The latest driver_metrics of each controller.
    const DriverMetricsStore *metrics() const { return &m_metrics; }
    // Closes the controller's connection, if any (its credential changed).
    void dropController(const QString &controllerId, const QString &why);
    RolloutManager *rollouts() { return m_rollouts; }
    bool isConnected(const QString &controllerId) const { return controllerSocket(controllerId) != nullptr; }
    // The version of `driverType` the controller last reported (hello, then completions); empty: none.
    QString driverVersion(const QString &controllerId, const QString &driverType) const;
    // Every known controller that reported running `driverType` (driverlifecycle.cpp).
    QStringList controllersRunning(const QString &driverType) const;

signals:
    void controllerConnected(const QString &controllerId);
    void controllerDisconnected(const QString &controllerId);
    // From the committed row (the job's result): listeners need not read it back.
    void deploymentChanged(const QString &syncId, const QString &status, const QString &errorMessage);

private:
    struct Controller
    {
        QPointer<QWebSocket> socket;
        QJsonObject hello;
        QString connectedAt;
        quint64 connection = 0;  // which hello of this controller the state below belongs to
        qint64 ackedSeq = 0;     // the last ack sent (or welcome's last_seq)
        qint64 ackPending = 0;   // the highest seq ackable; acked when its turn in m_ackQueue comes
        // Numbered reports received but not committed yet (the database
        // thread commits them out of order: urgent ones first); an ack
        // never passes the lowest of them. One that failed closes the
        // connection, so the controller resends it after its next hello.
        std::set<qint64> uncommitted;
        qint64 committedMax = 0;
        // The acks recorded for the next welcome (controllers.acked_seq): at
        // most one write of this controller's latest ack is queued at a time,
        // not one per ack (a burst sends an ack every event-loop turn).
        qint64 ackStored = 0;
        qint64 ackStoreStarted = -1;   // m_ackStoreClock when its last write was queued
        bool ackStoring = false;
    };
    // `now`: without waiting for the second or a write in flight (a new
    // connection's welcome reads it next).
    void storeAck(const QString &controllerId, bool now = false);
    // A message sent to a controller whose outcome an admin waits for, kept
    // per controller in send order: the controller handles frames in order,
    // so a protocol_error (which names only the type it refused) belongs to
    // the oldest unanswered message of that type.
    struct Awaiting
    {
        QString sentType;    // device_command, device_sync (answered by its fence) or driver_sync
        QString key;         // request_id of the command or fence; sync_id of a driver_sync
        Reply reply;         // empty once answered (a device_sync refused before its fence came back)
        QTimer *timer = nullptr;
        int devices = 0;     // device_sync: how many were listed
    };

    void onNewConnection();
    void onMessage(QWebSocket *socket, const QString &text);
    // Whether an admin or a deployment waits on the controller of `socket`:
    // its frames are handled as they come, not in the inbox's slices.
    bool awaitedFrom(QWebSocket *socket) const;
    // A controller something waits on is read ahead of the others
    // (EpollEventDispatcher::setPriority) until nothing is awaited from it.
    void updatePriority(const QString &controllerId);
    // Acknowledged delivery (reportingest.cpp): welcome after hello; each
    // numbered report stored once per (controller, seq), false when it is
    // not to be applied (stored before, or not stored); cumulative acks.
    void onHello(QWebSocket *socket, const QJsonObject &data);
    void sendWelcome(const QString &controllerId, qint64 lastSeq);
    // A message from a controller that said hello (reportingest.cpp):
    // stored (once per seq when numbered) and applied on the database
    // thread; what follows in memory runs after the commit.
    void onReport(const QString &controllerId, qint64 seq, const QString &type, const QJsonObject &data);
    void reportCommitted(const QString &controllerId, quint64 connection, qint64 seq, bool ok);
    void sendAck(const QString &controllerId);
    static constexpr int ackSliceMs = 3;
    static constexpr qint64 ackStoreIntervalMs = 1000;   // per controller (storeAck)
    void storeDeferredAcks();
    template<typename Report>
    static std::optional<Report> checked(const QString &controllerId, const QString &type, const QJsonObject &data);
    void send(QWebSocket *socket, const QString &type, const QJsonObject &data);
    QWebSocket *controllerSocket(const QString &controllerId) const;
    QString controllerIdOf(QWebSocket *socket) const;
    void driverActive(const QString &controllerId, const SyncCompleteReport &complete);
    void deploymentUpdated(const DeploymentRow &row);
    void answerWaiters(const DeploymentRow &row);
    // Records the deployment (database thread), then sends `type` with `data`.
    void startDeployment(const DeploymentRow &row, const QString &type, const QJsonObject &data, const Reply &reply);
    void markFailed(const QString &syncId, const QString &controllerId, const QString &why);
    // Waits (with the command timeout) for an answer keyed by `key`.
    void await(const QString &controllerId, const QString &sentType, const QString &key, const Reply &reply, int devices = 0);
    std::optional<Awaiting> takeAwaiting(const QString &controllerId, const QString &key);
    void onProtocolError(const QString &controllerId, const QString &receivedType, const QString &reason);
    void onCommandResult(const QString &controllerId, const QString &requestId, const QJsonObject &data);
    void failAwaiting(const QString &controllerId, const QString &why);

    CloudDatabase *m_database;
    CloudServerSettings m_settings;
    ControllerCredentials m_credentials;
    DriverMetricsStore m_metrics;
    QWebSocketServer *m_server;
    UpgradeGate *m_gate;
    QHash<QString, Controller> m_controllers;
    QHash<QWebSocket *, QString> m_socketIds;   // the controller each said-hello connection speaks for
    QHash<QWebSocket *, qintptr> m_descriptors; // each connection's socket descriptor, when known
    // Controllers with an ack to send, once each, sent ackSliceMs a turn: a
    // batch's commit makes up to one ack per controller (2000), which sent
    // in one go held the loop for tens of ms while the admin socket waited.
    // Waiting longer, an ack covers more.
    SlicedQueue<QString> m_acks{this, [this](const QString &controllerId) { sendAck(controllerId); }, ackSliceMs};
    QSet<QString> m_acksToStore;                // acks whose write waits for ackStoreIntervalMs
    QTimer m_ackStoreTimer;                     // single shot: storeDeferredAcks
    QElapsedTimer m_ackStoreClock;
    QHash<QString, QList<Awaiting>> m_awaiting;                    // controller_id → in send order
    QHash<QString, QList<std::pair<Reply, QTimer *>>> m_waiting;   // sync_id → waiting admins
    quint64 m_connections = 0;
    int m_statusBulk = -1;   // the store's bulk kind for status_update reports
    int m_ackBulk = -1;      // and for the acks recorded for the next welcome
    RolloutManager *m_rollouts = nullptr;
    ControllerInbox *m_inbox = nullptr;   // frames in slices of bounded time
    std::unique_ptr<CloudStore> m_store;   // first to go: its thread stops before the rest
};
