#include "ui/devicedetail.h"

#include "controller/controller.h"
#include "devices/devicemanager.h"
#include "hosts/driverhostpool.h"
#include "models/deviceevents.h"
#include "runtime/drivercommands.h"
#include "storage/driverrepository.h"
#include "ui/techniciansession.h"

#include <QElapsedTimer>
#include <QJsonDocument>

#include <memory>

namespace {

constexpr int KeptResults = 10;
constexpr int ShownEvents = 10;

} // namespace

DeviceDetail::DeviceDetail(Controller *controller, TechnicianSession *session, QObject *parent)
    : QObject(parent), m_controller(controller), m_session(session)
{
    connect(m_controller->deviceManager(), &DeviceManager::deviceChanged, this, [this](const QString &id) {
        if (id != m_deviceId)
            return;
        // A reload may have brought another driver version with other commands.
        const Device *d = device();
        if (d && d->declaredCommands() != m_declared)
            reload();
        else
            emit changed();
    });
    connect(m_controller->deviceManager(), &DeviceManager::deviceRetyped, this, [this](const QString &id) {
        if (id == m_deviceId)
            reload();
    });
    m_figuresTimer.setInterval(2000);
    connect(&m_figuresTimer, &QTimer::timeout, this, &DeviceDetail::refreshFigures);
}

void DeviceDetail::setEventSource(DeviceEventSource *source)
{
    if (m_events)
        m_events->disconnect(this);
    m_events = source;
    if (source) {
        connect(source, &DeviceEventSource::eventAdded, this, [this](const QString &id) {
            if (id == m_deviceId)
                emit changed();
        });
    }
    emit changed();
}

void DeviceDetail::setDeviceId(const QString &id)
{
    if (id == m_deviceId)
        return;
    m_deviceId = id;
    m_results.clear();
    reload();
    emit resultsChanged();
}

void DeviceDetail::reload()
{
    m_declared = {};
    m_driverVersion.clear();
    m_commands.clear();
    m_commandsProblem.clear();
    if (const Device *device = this->device()) {
        QString error;
        const std::optional<DriverRecord> driver =
            DriverRepository(m_controller->database()->connection()).find(device->record().type, &error);
        QJsonArray commands;
        if (driver) {
            m_driverVersion = driver->version;
            commands = DriverCommands::fromMappings(QJsonDocument::fromJson(driver->commandMappings.toUtf8()).array());
        }
        // A declared command of the same name as a mapping describes it better.
        const QJsonObject declared = device->declaredCommands();
        m_declared = declared;
        for (const QJsonValue &command : declared.value(QStringLiteral("commands")).toArray()) {
            for (qsizetype i = commands.size() - 1; i >= 0; --i) {
                if (commands.at(i)[QStringLiteral("name")] == command[QStringLiteral("name")])
                    commands.removeAt(i);
            }
            commands.append(command);
        }
        m_commands = commands.toVariantList();
        std::sort(m_commands.begin(), m_commands.end(), [](const QVariant &a, const QVariant &b) {
            return a.toMap().value(QStringLiteral("name")).toString() < b.toMap().value(QStringLiteral("name")).toString();
        });
        m_commandsProblem = declared.value(QStringLiteral("commandsProblem")).toString();
    }
    refreshFigures();
    if (device())
        m_figuresTimer.start();
    else
        m_figuresTimer.stop();
    emit changed();
}

void DeviceDetail::refreshFigures()
{
    QVariantMap figures;
    if (!m_deviceId.isEmpty()) {
        for (const DriverHostFigures &host : m_controller->driverHosts()->figures()) {
            for (const QJsonValue &d : host.deviceFigures) {
                if (d[QStringLiteral("device_id")].toString() != m_deviceId)
                    continue;
                figures = {{QStringLiteral("calls"), d[QStringLiteral("calls")].toInt()},
                           {QStringLiteral("errors"), d[QStringLiteral("errors")].toInt()},
                           {QStringLiteral("timeouts"), d[QStringLiteral("timeouts")].toInt()},
                           {QStringLiteral("p50"), d[QStringLiteral("call_ms_p50")].toDouble()},
                           {QStringLiteral("p99"), d[QStringLiteral("call_ms_p99")].toDouble()}};
            }
        }
    }
    if (figures == m_figures)
        return;
    m_figures = figures;
    emit figuresChanged();
}

bool DeviceDetail::exists() const { return device() != nullptr; }

const Device *DeviceDetail::device() const
{
    return m_controller->deviceManager()->device(m_deviceId);
}

QString DeviceDetail::name() const { return device() ? device()->record().name : QString(); }
QString DeviceDetail::room() const { return device() ? device()->record().room : QString(); }
QString DeviceDetail::driverType() const { return device() ? device()->record().type : QString(); }
QString DeviceDetail::status() const { return device() ? device()->status() : QString(); }
QString DeviceDetail::message() const { return device() ? device()->message() : QString(); }
QDateTime DeviceDetail::since() const { return device() ? device()->since() : QDateTime(); }
QVariantMap DeviceDetail::state() const { return device() ? device()->state().toVariantMap() : QVariantMap(); }
QDateTime DeviceDetail::stateAt() const { return device() ? device()->stateAt() : QDateTime(); }
bool DeviceDetail::stateCurrent() const { return device() && device()->isStateCurrent(); }
QString DeviceDetail::lastError() const { return device() ? device()->lastError() : QString(); }
QDateTime DeviceDetail::lastErrorAt() const { return device() ? device()->lastErrorAt() : QDateTime(); }

QVariantList DeviceDetail::events() const
{
    QVariantList list;
    if (!m_events)
        return list;
    for (const DeviceEvent &e : m_events->recent(m_deviceId, ShownEvents))
        list.append(QVariantMap{{QStringLiteral("at"), e.at}, {QStringLiteral("status"), e.status},
                                {QStringLiteral("message"), e.message}});
    return list;
}

QString DeviceDetail::paramsTemplate(const QString &command) const
{
    for (const QVariant &c : m_commands) {
        if (c.toMap().value(QStringLiteral("name")).toString() == command)
            return QString::fromUtf8(QJsonDocument(DriverCommands::paramsTemplate(QJsonObject::fromVariantMap(c.toMap())))
                                         .toJson(QJsonDocument::Compact));
    }
    return QStringLiteral("{}");
}

QString DeviceDetail::sendCommand(const QString &command, const QString &paramsJson)
{
    if (!m_session->unlocked())
        return tr("Unlock the technician session first.");
    if (command.trimmed().isEmpty())
        return tr("Enter a command name.");
    QJsonObject params;
    if (!paramsJson.trimmed().isEmpty()) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(paramsJson.toUtf8(), &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            return tr("The parameters are not a JSON object: %1").arg(error.error != QJsonParseError::NoError
                                                                           ? error.errorString() : tr("not an object"));
        params = doc.object();
    }
    const QString deviceId = m_deviceId;
    emit technicianAction(QStringLiteral("test command %1 %2")
                              .arg(command, QString::fromUtf8(QJsonDocument(params).toJson(QJsonDocument::Compact))),
                          deviceId);
    auto elapsed = std::make_shared<QElapsedTimer>();
    elapsed->start();
    ++m_running;
    emit resultsChanged();
    QPointer<DeviceDetail> guard(this);
    m_controller->deviceManager()->sendCommand(deviceId, command, params, [guard, deviceId, command, elapsed](const CallResult &r) {
        if (!guard)
            return;
        --guard->m_running;
        if (deviceId == guard->m_deviceId) {
            QString text = r.ok ? QString::fromUtf8(QJsonDocument(QJsonArray{r.value}).toJson(QJsonDocument::Compact))
                                      .mid(1).chopped(1)
                                : r.error;
            guard->m_results.prepend(QVariantMap{{QStringLiteral("command"), command},
                                                 {QStringLiteral("ok"), r.ok},
                                                 {QStringLiteral("text"), text},
                                                 {QStringLiteral("durationMs"), elapsed->nsecsElapsed() / 1e6},
                                                 {QStringLiteral("at"), QDateTime::currentDateTimeUtc()}});
            while (guard->m_results.size() > KeptResults)
                guard->m_results.removeLast();
        }
        emit guard->resultsChanged();
    });
    return {};
}
