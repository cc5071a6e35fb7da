#include "controller/controller.h"

#include "cloud/cloudlink.h"
#include "cloud/protocolhandler.h"
#include "controller/devicemessages.h"
#include "controller/eventfeed.h"
#include "events/eventlog.h"
#include "devices/devicemanager.h"
#include "models/devicelistmodel.h"
#include "models/driverlistmodel.h"
#include "models/syncactivitymodel.h"
#include "core/logcategories.h"
#include "controller/drivermetricsreporter.h"
#include "hosts/driverhostpool.h"
#include "hosts/hostcgroups.h"
#include "hosts/hostvalidator.h"
#include "protocol/safetyrequests.h"
#include "system/safemode.h"
#include "storage/driverarchive.h"
#include "storage/driverrepository.h"
#include "storage/reportoutbox.h"
#include "storage/syncoutcomerepository.h"
#include "sync/signaturecheck.h"
#include "sync/driversyncservice.h"

#include <algorithm>

namespace {

DriverHostOptions hostOptions(const Config &config, const RuntimeSettings &runtime)
{
    DriverHostOptions o;
    o.program = DriverHostProcess::defaultProgram(config.driverHostProgram);
    o.runtime = runtime;
    o.validationBudgetMs = config.validationBudgetMs;
    o.memoryBaseBytes = qint64(config.hostMemoryMb) << 20;
    o.memoryPerDeviceBytes = qint64(config.hostMemoryPerDeviceMb) << 20;
    return o;
}

} // namespace

Controller::Controller(const Config &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_layout(config.root)
    , m_events(std::make_unique<EventLog>(config.eventLogMaxRows))
    , m_protocol(std::make_unique<ProtocolHandler>(config.maxFrameBytes))
{
    m_link = std::make_unique<CloudLink>(cloudLinkSettings(config));

    m_protocol->setSender([this](const QString &text) { return m_link->sendText(text); });
    m_protocol->setHelloProvider([this] { return hello(); });
    connect(m_link.get(), &CloudLink::connected, this, [this] { m_protocol->setOnline(true); });
    connect(m_link.get(), &CloudLink::disconnected, this, [this] { m_protocol->setOnline(false); });
    connect(m_link.get(), &CloudLink::textFrameReceived, m_protocol.get(), &ProtocolHandler::handleTextFrame);
    connect(m_link.get(), &CloudLink::binaryFrameReceived, m_protocol.get(), &ProtocolHandler::handleBinaryFrame);

    RuntimeSettings runtime;
    runtime.budgetMs = config.scriptBudgetMs;
    runtime.connectTimeoutMs = config.connectTimeoutMs;
    runtime.commandTimeoutMs = config.commandTimeoutMs;
    runtime.maxPendingTimers = config.maxPendingTimers;
    runtime.logLinesPerSecond = config.logLinesPerSecond;
    DriverHostOptions hosts = hostOptions(config, runtime);
    // Kernel-enforced memory limits per host where systemd delegated a
    // cgroup v2 subtree (Delegate=yes); else the resident-size check alone.
    m_cgroups = std::make_unique<HostCgroups>();
    if (!m_cgroups->dir().isEmpty()) {
        QString cgroupError;
        if (m_cgroups->setUp(&cgroupError)) {
            hosts.cgroups = m_cgroups.get();
            qCInfo(lcRuntime).noquote() << "driver hosts get cgroup v2 memory limits under" << m_cgroups->dir();
        } else {
            qCWarning(lcRuntime).noquote() << "driver hosts without cgroup memory limits:" << cgroupError;
        }
    }

    // Driver code runs only in driver hosts: the sync thread's validation in
    // the validator host (transform + rules: a few budgets, then it is
    // taken for hung), devices in one host per driver type.
    m_sync = std::make_unique<DriverSyncService>(
        m_layout, config.maxDriverCodeBytes,
        std::make_unique<HostValidator>(hosts, 4 * config.validationBudgetMs + 2000), m_protocol.get());
    m_hosts = std::make_unique<DriverHostPool>(hosts);
    m_hosts->setFailureRule(config.quarantineFailures, config.quarantineWindowS * 1000);
    connect(m_hosts.get(), &DriverHostPool::quarantineChanged, this, [this] {
        emit safeModeChanged();
        m_protocol->sendHello();
    });

    DeviceSettings devices;
    devices.reloadDeadlineMs = config.reloadDeadlineMs;
    devices.reconnectMinMs = config.deviceRetryMinMs;
    devices.reconnectMaxMs = std::max(config.deviceRetryMinMs, config.deviceRetryMaxMs);
    devices.maxRestarts = config.deviceMaxRestarts;
    devices.parkCooldownMs = config.deviceParkCooldownS * 1000;
    m_devices = std::make_unique<DeviceManager>(&m_db, runtime, devices, [this](const DriverSpec &spec, QObject *parent) {
        return m_hosts->create(spec, parent);
    });
    m_deviceMessages = std::make_unique<DeviceMessages>(m_devices.get(), m_protocol.get());
    // driver_sync, driver_reload and the technician's button share one path.
    m_sync->setReloader([this](const QString &type, std::function<void(const ReloadCheck &)> done) {
        // A new version of a quarantined driver gets its chance.
        m_hosts->clearQuarantine(type);
        // Only devices connected on the version before count against the new one.
        QStringList before;
        for (const Device *d : m_devices->devices()) {
            if (d->record().type == type && d->status() == u"connected")
                before << d->id();
        }
        before.sort();   // the failing devices are named in id order
        m_devices->reloadDriver(type, [this, before, done](const ReloadOutcome &) {
            ReloadCheck check;
            check.connectedBefore = int(before.size());
            for (const QString &id : before) {
                if (Device *d = m_devices->device(id))
                    check.failing += ReloadOutcome::of({d}).failing;
            }
            done(check);
        });
    });
    m_sync->setAutomaticRollback(config.automaticRollback);

    m_protocol->registerHandler(SafeModeClearRequest::type(), [this](const QJsonObject &) {
        qCWarning(lcConfig) << "safe_mode_clear from the cloud";
        enableDrivers();
        m_protocol->sendHello();
    });
    m_protocol->registerHandler(DriverQuarantineClearRequest::type(), [this](const QJsonObject &data) {
        const Parsed<DriverQuarantineClearRequest> request = DriverQuarantineClearRequest::parse(data);
        if (!request.ok()) {
            m_protocol->reject(DriverQuarantineClearRequest::type() + QStringLiteral(": ") + request.error,
                               DriverQuarantineClearRequest::type());
            return;
        }
        if (!clearQuarantine(request.value.driverType))
            qCInfo(lcConfig).noquote() << "driver_quarantine_clear:" << request.value.driverType << "was not quarantined";
    });

    m_metrics = std::make_unique<DriverMetricsReporter>(m_hosts.get(), m_protocol.get(), m_link.get(),
                                                        config.metricsIntervalS);

    m_safeModeExpiry.setSingleShot(true);
    connect(&m_safeModeExpiry, &QTimer::timeout, this, [this] {
        qCWarning(lcConfig) << "safe mode ends:" << m_config.safeModeClearAfterS << "s without a crash";
        enableDrivers();
        m_protocol->sendHello();
    });
}

CloudLinkSettings Controller::cloudLinkSettings(const Config &config)
{
    CloudLinkSettings link;
    link.url = config.cloudUrl;
    link.token = config.token;
    link.caFile = config.cloudCaFile;
    link.controllerId = config.controllerId;
    link.appVersion = QStringLiteral(NUC_APP_VERSION);
    link.reconnectMinMs = config.reconnectMinMs;
    link.reconnectMaxMs = config.reconnectMaxMs;
    link.pingIntervalMs = config.pingIntervalMs;
    link.pongTimeoutMs = config.pongTimeoutMs;
    return link;
}

Controller::~Controller()
{
    stop();
    // Reaching the destructor is a clean end; a crash never gets here.
    if (m_safeMode)
        m_safeMode->endCleanly();
    m_eventFeed.reset();
    m_syncModel.reset();
    m_deviceModel.reset();
    m_driverModel.reset();
    m_deviceMessages.reset();
    m_metrics.reset();
    m_devices.reset();   // before the database and the hosts it uses
    m_hosts.reset();     // stops what still runs (bounded)
}

QString Controller::start()
{
    // The trusted keys first: a broken key file stops the start before
    // anything is touched.
    QHash<QString, QByteArray> keys;
    QString error;
    if (!m_config.trustedKeysFile.isEmpty()) {
        error = SignatureCheck::loadKeys(m_config.trustedKeysFile, &keys);
        if (!error.isEmpty())
            return error;
    }
    m_sync->setSignatureCheck(SignatureCheck(keys, m_config.requireSignedDrivers));
    error = m_rootLock.acquire(m_layout);
    if (!error.isEmpty())
        return error;
    error = m_layout.prepare();
    if (!error.isEmpty())
        return error;
    m_safeMode = std::make_unique<SafeMode>(m_layout.varDir() + QStringLiteral("/run-state.json"), m_config.safeModeCrashes,
                                            m_config.safeModeWindowS);
    error = m_safeMode->begin();
    if (!error.isEmpty())
        qCWarning(lcConfig) << "cannot record the run state:" << error;
    error = m_db.open(m_layout.databasePath(), QStringLiteral("nuc-main"));
    if (!error.isEmpty())
        return error;
    // Commits then overwrite the WAL's blocks instead of growing it.
    if (const QString walError = m_db.reserveWal(m_db.workingWalBytes()); !walError.isEmpty())
        qCWarning(lcStorage).noquote() << "cannot reserve the WAL file's space:" << walError;
    if (m_config.requireSignedDrivers) {
        // Said once at start, not found out at the first rollback.
        const qint64 unsignedKept = DriverArchive(m_db.connection()).unsignedVersions();
        if (unsignedKept > 0)
            qCWarning(lcConfig).noquote()
                << QStringLiteral("%1 kept driver versions carry no signature (sent unsigned, or kept before signatures "
                                  "were stored): with require-signed-drivers they cannot be rolled back to; sync a "
                                  "signed version to keep one within reach").arg(unsignedKept);
    }
    error = m_events->open(m_layout.databasePath());
    if (!error.isEmpty())
        return error;
    error = m_checkpointer.start(m_layout.databasePath());
    if (!error.isEmpty())
        return error;
    error = startReports();
    if (!error.isEmpty())
        return error;
    error = m_sync->start();
    if (!error.isEmpty())
        return error;
    if (m_safeMode->active()) {
        m_devices->setDriversEnabled(false, QStringLiteral("safe mode: drivers stopped after %1 crashes")
                                                .arg(m_safeMode->recentCrashes()));
        m_safeModeExpiry.start(std::chrono::seconds(m_config.safeModeClearAfterS));
    }
    m_eventFeed = std::make_unique<EventFeed>(this, m_events.get());
    // Devices come back from the database before (and without) the cloud.
    error = m_devices->start();
    if (!error.isEmpty())
        return error;
    m_driverModel = std::make_unique<DriverListModel>(&m_db, m_devices.get());
    m_deviceModel = std::make_unique<DeviceListModel>(m_devices.get());
    m_syncModel = std::make_unique<SyncActivityModel>(m_sync.get());
    // One sync changes one driver: its row is updated, not the whole list.
    connect(m_sync.get(), &DriverSyncService::driverActivated, m_driverModel.get(), &DriverListModel::refreshDriver);
    connect(m_devices.get(), &DeviceManager::reloadFinished, m_driverModel.get(), &DriverListModel::refreshDeviceCount);
    qCInfo(lcConfig).noquote() << "controller" << m_config.controllerId << "running with root" << m_layout.root();
    m_link->start();
    return {};
}

QString Controller::startReports()
{
    m_outbox = std::make_unique<ReportOutbox>(m_db.connection());
    QString error = m_outbox->open();
    if (!error.isEmpty())
        return error;
    m_protocol->setReportOutbox(m_outbox.get());
    if (m_outbox->count() > 0)
        qCInfo(lcProtocol) << m_outbox->count() << "reports from an earlier run wait for the cloud";
    // A sync whose outcome was stored but never put in the outbox (the
    // controller stopped while its devices reloaded): its answer goes now.
    const QList<SyncOutcome> unreported = SyncOutcomeRepository(m_db.connection()).unreported(&error);
    for (const SyncOutcome &o : unreported) {
        // A rollback the technician started on the dashboard (DriverSyncService::rollBack):
        // the cloud never asked, it hears the result in hello.
        if (DriverSyncService::isLocalSyncId(o.syncId)) {
            SyncOutcomeRepository(m_db.connection()).markReported(o.syncId);
            continue;
        }
        qCInfo(lcSync) << "reporting the outcome of sync" << o.syncId << "(" << o.outcome << ") from an earlier run";
        m_protocol->send(Message{o.messageType, o.data});
    }
    m_protocol->reports()->flush();
    return error.isEmpty() ? QString() : QStringLiteral("cannot read unreported sync outcomes: %1").arg(error);
}

void Controller::stop()
{
    if (m_protocol)
        m_protocol->reports()->flush();
    if (m_link)
        m_link->stop();
    if (m_sync)
        m_sync->stop();
}

bool Controller::safeMode() const
{
    return m_safeMode && m_safeMode->active();
}

int Controller::recentCrashes() const
{
    return m_safeMode ? m_safeMode->recentCrashes() : 0;
}

QJsonObject Controller::lastChangedDriver() const
{
    if (!m_db.isOpen())
        return {};
    QJsonObject latest;
    QString latestAt;
    for (const DriverRecord &r : DriverRepository(m_db.connection()).allMetadata()) {
        if (r.syncedAt >= latestAt) {
            latestAt = r.syncedAt;
            latest = QJsonObject{{QStringLiteral("driver_type"), r.driverType},
                                 {QStringLiteral("version"), r.version},
                                 {QStringLiteral("synced_at"), r.syncedAt}};
        }
    }
    return latest;
}

void Controller::enableDrivers()
{
    const QStringList wasQuarantined = quarantined();
    m_hosts->clearAllQuarantines();
    for (const QString &type : wasQuarantined)
        m_devices->reloadDriver(type);
    if (!safeMode())
        return;
    qCWarning(lcConfig) << "safe mode ended; starting the drivers";
    m_safeModeExpiry.stop();
    m_safeMode->clear();
    m_devices->setDriversEnabled(true);
    emit safeModeChanged();   // the cloud sees the devices start (status_update) and the next hello
}

QString Controller::safeModeReason() const
{
    return m_safeMode ? m_safeMode->reason() : QString();
}

QStringList Controller::quarantined() const
{
    return m_hosts->quarantined();
}

bool Controller::clearQuarantine(const QString &driverType)
{
    if (!m_hosts->clearQuarantine(driverType))
        return false;
    m_devices->reloadDriver(driverType);
    return true;
}

void Controller::shutdownCleanly()
{
    stop();
    if (m_safeMode)
        m_safeMode->endCleanly();
}

Message Controller::hello() const
{
    Messages::Hello hello;
    hello.controllerId = m_config.controllerId;
    hello.name = m_config.controllerName;
    hello.appVersion = QStringLiteral(NUC_APP_VERSION);
    hello.safeMode.active = safeMode();
    hello.safeMode.reason = safeModeReason();
    hello.safeMode.quarantined = quarantined();
    if (safeMode()) {
        hello.safeMode.recentCrashes = recentCrashes();
        hello.safeMode.lastChangedDriver = lastChangedDriver();
    }
    if (m_db.isOpen()) {
        // Metadata, digests and kept versions: three queries, no driver's code.
        QString error;
        const QList<DriverRecord> records = DriverRepository(m_db.connection()).allMetadata(&error);
        const QHash<QString, QString> digests = DriverRepository(m_db.connection()).activeDigests(&error);
        const QHash<QString, QStringList> kept = DriverArchive(m_db.connection()).allVersionNames(&error);
        if (!error.isEmpty())
            qCWarning(lcStorage) << "cannot list drivers for hello:" << error;
        for (const DriverRecord &r : records) {
            hello.drivers.append({r.id, r.driverType, r.version, r.syncId, r.status, digests.value(r.driverType),
                                  kept.value(r.driverType)});
        }
    }
    QList<Device *> devices = m_devices->devices();
    std::sort(devices.begin(), devices.end(), [](const Device *a, const Device *b) { return a->id() < b->id(); });
    for (const Device *d : std::as_const(devices))
        hello.devices.append({d->id(), d->record().type, d->status(), d->message(), d->since(), d->record().room});
    return Messages::hello(hello);
}
