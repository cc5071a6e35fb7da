#include "loadtest/simulatedcontroller.h"

#include "protocol/deliveryrequests.h"
#include "protocol/devicerequests.h"
#include "protocol/driverrollbackrequest.h"
#include "protocol/driversyncrequest.h"
#include "protocol/envelope.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QTimer>

namespace {
// A driver's code may be large; the loadtest only hashes it.
constexpr qint64 maxCodeBytes = 4 * 1024 * 1024;
}

SimulatedController::SimulatedController(const QString &id, const SimulatedControllerSettings &settings, QObject *parent)
    : QObject(parent), m_id(id), m_settings(settings), m_activeVersion(settings.driverVersion)
{
    connect(&m_socket, &QWebSocket::connected, this, [this] {
        Messages::Hello hello;
        hello.controllerId = m_id;
        hello.name = m_id;
        hello.appVersion = QStringLiteral("loadtest");
        if (!m_settings.driverType.isEmpty()) {
            hello.drivers.append({QUuid::createUuidV5(QUuid(), m_settings.driverType).toString(QUuid::WithoutBraces),
                                  m_settings.driverType, m_activeVersion, QString(), QStringLiteral("active"), QString(),
                                  m_previousVersions});
        }
        for (int i = 0; i < m_settings.devices; ++i)
            hello.devices.append({QStringLiteral("dev-%1").arg(i), m_settings.driverType, QStringLiteral("connected"), {}, {}, {}});
        sendFrame(Messages::envelope(Messages::hello(hello)));
    });
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &SimulatedController::onMessage);
    // Back after a second or so, as a controller's reconnect backoff would;
    // one timer, whichever of the two signals comes (or both).
    m_reconnect.setSingleShot(true);
    m_reconnect.setInterval(1000 + int(qHash(m_id) % 1000));
    connect(&m_reconnect, &QTimer::timeout, this, &SimulatedController::open);
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        m_welcomed = false;
        emit disconnected(m_socket.closeReason().isEmpty() ? m_socket.errorString() : m_socket.closeReason());
        m_reconnect.start();
    });
    connect(&m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this] {
        if (m_socket.state() == QAbstractSocket::UnconnectedState && !m_reconnect.isActive()) {
            emit disconnected(m_socket.errorString());
            m_reconnect.start();
        }
    });
}

SimulatedController::~SimulatedController()
{
    // The socket goes after the timer (members in reverse order) and says
    // `disconnected` as it goes: not to the handlers above any more.
    m_socket.disconnect(this);
    m_socket.abort();
}

void SimulatedController::open()
{
    QNetworkRequest request(m_settings.url);
    if (!m_settings.token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_settings.token);
    request.setRawHeader("X-Controller-Id", m_id.toUtf8());
    m_socket.open(request);
}

void SimulatedController::sendFrame(const QJsonObject &envelope)
{
    m_socket.sendTextMessage(QString::fromUtf8(QJsonDocument(envelope).toJson(QJsonDocument::Compact)));
}

void SimulatedController::sendReport(const Message &message)
{
    const QString frame = QString::fromUtf8(
        QJsonDocument(Messages::envelope(message, Messages::timestampNow(), ++m_seq)).toJson(QJsonDocument::Compact));
    m_outbox.insert(m_seq, frame);
    if (m_welcomed)
        m_socket.sendTextMessage(frame);
}

void SimulatedController::sendStatus(int device, const QString &status)
{
    sendReport(Messages::statusUpdate(QStringLiteral("dev-%1").arg(device), status, {}, QDateTime::currentDateTimeUtc()));
}

void SimulatedController::onMessage(const QString &text)
{
    const Parsed<Envelope> envelope = Envelope::parse(text, 0);
    if (!envelope.ok())
        return sendFrame(Messages::envelope(Messages::protocolError(envelope.error, QJsonValue())));
    const QString &type = envelope.value.type;
    const QJsonObject &data = envelope.value.data;
    if (type == WelcomeRequest::type()) {
        const Parsed<WelcomeRequest> welcome = WelcomeRequest::parse(data);
        m_acks = welcome.ok() && welcome.value.acks;
        m_welcomed = true;
        // What the cloud lacks, in seq order; what it has is forgotten.
        qint64 forgotten = 0;
        for (auto it = m_outbox.begin(); it != m_outbox.end();) {
            if (m_acks && it.key() <= welcome.value.lastSeq) {
                it = m_outbox.erase(it);
                ++forgotten;
            } else {
                m_socket.sendTextMessage(*it++);
            }
        }
        if (!m_acks)
            m_outbox.clear();   // a cloud without acks: sent is delivered
        if (forgotten)
            emit acked(forgotten);
        emit welcomed();
    } else if (type == AckRequest::type()) {
        const Parsed<AckRequest> ack = AckRequest::parse(data);
        if (!ack.ok())
            return;
        qint64 count = 0;
        while (!m_outbox.isEmpty() && m_outbox.firstKey() <= ack.value.seq) {
            m_outbox.erase(m_outbox.begin());
            ++count;
        }
        if (count)
            emit acked(count);
    } else if (type == DriverSyncRequest::type()) {
        onDriverSync(data);
    } else if (type == DriverRollbackRequest::type()) {
        onDriverRollback(data);
    } else if (type == DeviceCommandRequest::type()) {
        onDeviceCommand(data);
    }
    // device_sync and the rest: nothing a load test needs to answer.
}

void SimulatedController::onDriverSync(const QJsonObject &data)
{
    const Parsed<DriverSyncRequest> sync = DriverSyncRequest::parse(data, maxCodeBytes);
    const DriverSyncRequest &r = sync.value;
    if (!sync.ok()) {
        sendReport(Messages::driverSyncError(r.syncId, r.driverId, r.driverType, sync.error, {}));
        return emit syncAnswered(false);
    }
    sendFrame(Messages::envelope(Messages::driverSyncProgress(r.syncIdText(), QStringLiteral("validating"))));
    QTimer::singleShot(m_settings.syncMs, this, [this, r] {
        if (m_settings.failsSyncs) {
            sendReport(Messages::driverSyncError(r.syncId, r.driverId, r.driverType,
                                                 QStringLiteral("simulated failure (loadtest --fail-rate)"), {}));
            return emit syncAnswered(false);
        }
        if (r.version != m_activeVersion) {
            m_previousVersions.prepend(m_activeVersion);
            m_activeVersion = r.version;
        }
        const QString hash = QString::fromLatin1(QCryptographicHash::hash(r.driverCode.toUtf8(), QCryptographicHash::Sha256).toHex());
        sendReport(Messages::driverSyncComplete(r.syncId, r.driverId, r.driverType, r.version,
                                                QStringLiteral("drivers/%1/%2.js").arg(r.driverTypeText(), hash.left(16))));
        emit syncAnswered(true);
    });
}

void SimulatedController::onDriverRollback(const QJsonObject &data)
{
    const Parsed<DriverRollbackRequest> rollback = DriverRollbackRequest::parse(data);
    const DriverRollbackRequest &r = rollback.value;
    const QString target = r.version.isEmpty() ? m_previousVersions.value(0) : r.version;
    const QJsonValue driverId = QUuid::createUuidV5(QUuid(), r.driverTypeText()).toString(QUuid::WithoutBraces);
    if (!rollback.ok() || target.isEmpty() || !m_previousVersions.contains(target)) {
        sendReport(Messages::driverSyncError(r.syncId, driverId, r.driverType,
                                             rollback.ok() ? QStringLiteral("no kept version to roll back to") : rollback.error, {}));
        return emit syncAnswered(false);
    }
    m_previousVersions.removeAll(target);
    m_previousVersions.prepend(m_activeVersion);
    m_activeVersion = target;
    sendReport(Messages::driverSyncComplete(r.syncId, driverId, r.driverType, target,
                                            QStringLiteral("drivers/%1/%2.js").arg(r.driverTypeText(), target)));
    emit syncAnswered(true);
}

void SimulatedController::onDeviceCommand(const QJsonObject &data)
{
    const Parsed<DeviceCommandRequest> command = DeviceCommandRequest::parse(data);
    // As a controller: one device_command_result, also for a refused one
    // (control-cloud's device_sync fence relies on it).
    Messages::CommandOutcome outcome;
    outcome.ok = command.ok();
    if (outcome.ok)
        outcome.result = QJsonObject{{QStringLiteral("command"), command.value.command}, {QStringLiteral("simulated"), true}};
    else
        outcome.error = command.error;
    sendReport(Messages::deviceCommandResult(command.value.requestId, command.value.deviceId, outcome));
    emit commandAnswered();
}
