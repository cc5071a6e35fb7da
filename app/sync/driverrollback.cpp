// DriverSyncPipeline, continued: what PROTOCOL.md "Versions and rollback"
// adds to the sync: the active code re-sent, driver_rollback, and the
// automatic rollback after a bad update. Each goes through install(), the
// one path that writes driver files and rows.
#include "sync/driversyncpipeline.h"

#include "core/logcategories.h"
#include "core/logtext.h"
#include "protocol/driverrollbackrequest.h"
#include "protocol/messages.h"
#include "storage/driverarchive.h"
#include "storage/driverrepository.h"
#include "storage/syncoutcomerepository.h"

#include <QFile>
#include <QJsonDocument>

namespace {

// A kept version as the request that installs it again.
DriverSyncRequest requestFor(const DriverRecord &kept, const QJsonValue &syncId)
{
    DriverSyncRequest r;
    r.syncId = syncId;
    r.driverId = kept.id;
    r.driverType = kept.driverType;
    r.version = kept.version;
    r.driverCode = kept.driverCode;
    r.protocolType = kept.protocolType;
    r.commandMappings = QJsonDocument::fromJson(kept.commandMappings.toUtf8()).array();
    r.connectionConfig = QJsonDocument::fromJson(kept.connectionConfig.toUtf8()).object();
    // The signature it arrived with: a rollback is held to today's trusted
    // keys and rules, as a driver_sync of that version would be.
    if (!kept.signature.isEmpty())
        r.signature = QJsonDocument::fromJson(kept.signature.toUtf8()).object();
    return r;
}

} // namespace

bool DriverSyncPipeline::completeIfActive(const DriverSyncRequest &request, const QElapsedTimer &timer,
                                          const QString &keyId)
{
    QString error;
    const std::optional<DriverRecord> active = DriverRepository(m_db.connection()).find(request.driverTypeText(), &error);
    // Equal text is equal SHA-256 (PROTOCOL.md's rule), without hashing twice.
    if (!active || active->version != request.version || active->driverCode != request.driverCode)
        return false;
    qCInfo(lcSync).noquote() << "sync" << LogText::escaped(request.syncIdText()) << "sends the active"
                             << request.driverTypeText() << LogText::escaped(request.version) << "again: nothing to do";
    // Re-signed (a key rotation: the same version signed by the new key):
    // the version keeps the newest accepted signature, so that removing the
    // old key does not make it impossible to roll back to.
    const QString signature = request.signature.isObject()
        ? QString::fromUtf8(QJsonDocument(request.signature.toObject()).toJson(QJsonDocument::Compact))
        : QString();
    if (!signature.isEmpty() && signature != active->signature) {
        const QString problem = DriverRepository(m_db.connection()).storeSignature(request.driverTypeText(), signature);
        if (!problem.isEmpty())
            qCWarning(lcSync) << "cannot keep the new signature of" << request.driverTypeText() << ":" << problem;
    }
    const Message complete = Messages::driverSyncComplete(request.syncId, request.driverId, request.driverType,
                                                          request.version, m_layout.driverFilePath(request.driverTypeText()));
    const QString problem = SyncOutcomeRepository(m_db.connection())
                                .store({request.syncIdText(), QStringLiteral("completed"), complete.type, complete.data,
                                        request.driverTypeText(), request.version});
    if (!problem.isEmpty())
        qCWarning(lcSync) << "cannot record the outcome of sync" << request.syncIdText() << ":" << problem;
    answer(complete.type, complete.data, request, QStringLiteral("unchanged"), timer, {}, keyId, true);
    return true;
}

void DriverSyncPipeline::rollBack(const QJsonObject &data)
{
    QElapsedTimer timer;
    timer.start();
    const Parsed<DriverRollbackRequest> parsed = DriverRollbackRequest::parse(data);
    DriverSyncRequest echo;   // what a driver_sync_error echoes
    echo.syncId = parsed.value.syncId;
    echo.driverType = parsed.value.driverType;
    echo.version = parsed.value.version;
    if (answeredBefore(echo.syncId, timer))
        return;
    const auto refuse = [&](const QString &why) {
        fail(echo, {QStringLiteral("Rollback refused: ") + why, {}}, {}, timer);
    };
    if (!parsed.ok())
        return refuse(QStringLiteral("invalid driver_rollback: ") + parsed.error);

    const QString type = parsed.value.driverTypeText();
    QString error;
    const std::optional<DriverRecord> active = DriverRepository(m_db.connection()).find(type, &error);
    if (!error.isEmpty())
        return refuse(QStringLiteral("cannot read the current driver: ") + error);
    if (!active)
        return refuse(QStringLiteral("driver_type '%1' is not installed").arg(type));
    echo.driverId = active->id;
    const QList<ArchivedDriver> kept = DriverArchive(m_db.connection()).versions(type, true, &error);
    if (!error.isEmpty())
        return refuse(QStringLiteral("cannot read the kept versions: ") + error);
    if (!parsed.value.version.isEmpty() && parsed.value.version == active->version) {
        const DriverSyncRequest same = requestFor(*active, echo.syncId);
        completeIfActive(same, timer, {});
        return;
    }
    if (kept.isEmpty())
        return refuse(QStringLiteral("no earlier version of '%1' is kept").arg(type));
    const ArchivedDriver *target = &kept.constFirst();
    if (!parsed.value.version.isEmpty()) {
        target = nullptr;
        QStringList names;
        for (const ArchivedDriver &a : kept) {
            names << a.record.version;
            if (a.record.version == parsed.value.version)
                target = &a;
        }
        if (!target)
            return refuse(QStringLiteral("version '%1' of '%2' is not kept (kept: %3)")
                              .arg(parsed.value.version, type, names.join(QStringLiteral(", "))));
    }
    const DriverSyncRequest request = requestFor(target->record, echo.syncId);
    // A key revoked since, or signatures required since the version was
    // installed unsigned: refused now as its driver_sync would be, writing nothing.
    // The answer starts with "Invalid signature:" as a refused driver_sync's does.
    const SignatureVerdict signature = m_signatures.check(request);
    if (!signature.accepted)
        return fail(echo, {QStringLiteral("%1 (rollback to %2 refused)").arg(signature.error, request.version), {}}, {},
                    timer);
    qCInfo(lcSync).noquote() << "rollback" << LogText::escaped(echo.syncId.toString()) << ":" << type
                             << active->version << "→" << target->record.version;
    install({request, signature.keyId, {}}, timer);
}

void DriverSyncPipeline::restorePrevious(const QJsonObject &failedSync, const QStringList &failing, int connectedBefore)
{
    QElapsedTimer timer;
    timer.start();
    const QString type = failedSync.value(QStringLiteral("driver_type")).toString();
    const QList<ArchivedDriver> kept = DriverArchive(m_db.connection()).versions(type, true);
    DriverSyncRequest request;
    if (!kept.isEmpty())
        request = requestFor(kept.constFirst().record, failedSync.value(QStringLiteral("sync_id")));
    request.syncId = failedSync.value(QStringLiteral("sync_id"));
    request.driverType = type;
    // "rolled back to 1.0.0: 3 of 3 devices failed to connect on 1.1.0: …"
    const QString what = QStringLiteral("%1 of %2 devices failed to connect on %3: %4")
                             .arg(failing.size())
                             .arg(connectedBefore)
                             .arg(failedSync.value(QStringLiteral("version")).toString(), failing.join(QStringLiteral("; ")));
    const Install job{request, {}, QStringLiteral("rolled back to %1: %2").arg(request.version, what)};
    if (kept.isEmpty()) {
        automaticRollbackFailed(job, {QStringLiteral("no earlier version is kept"), {}}, {}, timer);
        return;
    }
    const SignatureVerdict signature = m_signatures.check(request);
    if (!signature.accepted) {
        automaticRollbackFailed(job, {signature.error, {}}, {}, timer);
        return;
    }
    qCWarning(lcSync).noquote() << "automatic rollback:" << type << job.automaticRollback;
    install({job.request, signature.keyId, job.automaticRollback}, timer);
}

void DriverSyncPipeline::automaticRollbackFailed(const Install &job, const Failure &failure, const QString &tempPath,
                                                 const QElapsedTimer &timer)
{
    if (!tempPath.isEmpty() && QFile::exists(tempPath))
        QFile::remove(tempPath);
    // The new version stays; the sync still fails, saying both things.
    const QString message = QStringLiteral("automatic rollback failed (%1); the new version stays active: %2")
                                .arg(failure.message, job.automaticRollback.section(QStringLiteral(": "), 1, -1));
    qCCritical(lcSync).noquote() << "sync" << LogText::escaped(job.request.syncIdText()) << ":" << message;
    const Message error = Messages::driverSyncError(job.request.syncId, job.request.driverId, job.request.driverType,
                                                    message, failure.stack);
    const QString problem = SyncOutcomeRepository(m_db.connection())
                                .store({job.request.syncIdText(), QStringLiteral("failed"), error.type, error.data,
                                        job.request.driverTypeText(), job.request.version});
    if (!problem.isEmpty())
        qCWarning(lcSync) << "cannot record the outcome of sync" << job.request.syncIdText() << ":" << problem;
    m_audit.append({job.request.syncIdText(), job.request.driverTypeText(), job.request.version,
                    QStringLiteral("failed"), timer.nsecsElapsed() / 1e6, message, {}});
    emit rolledBack(error.type, error.data, false);
}
