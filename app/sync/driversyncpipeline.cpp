#include "sync/driversyncpipeline.h"

#include "cloud/reportdelivery.h"
#include "core/logcategories.h"
#include "core/logtext.h"
#include "protocol/messages.h"
#include "core/protocolrules.h"
#include "runtime/drivertransformer.h"
#include "runtime/drivervalidator.h"
#include "storage/devicerepository.h"
#include "storage/driverarchive.h"
#include "storage/driverrepository.h"
#include "storage/durablefile.h"
#include "storage/syncoutcomerepository.h"

#include <QFile>
#include <QJsonDocument>
#include <QSqlError>
#include <QTimer>

#include <chrono>
#include <future>

namespace {

QString toJsonText(const QJsonArray &a)
{
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

QString toJsonText(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace

std::future<QString> DriverSyncPipeline::inBackground(std::function<QString()> work)
{
    auto promise = std::make_shared<std::promise<QString>>();
    std::future<QString> future = promise->get_future();
    m_ioPool.start([promise, work = std::move(work)] { promise->set_value(work()); });
    return future;
}

DriverSyncPipeline::DriverSyncPipeline(const StorageLayout &layout, qint64 maxDriverCodeBytes,
                                       std::unique_ptr<DriverValidator> validator,
                                       QObject *parent)
    : QObject(parent)
    , m_layout(layout)
    , m_maxDriverCodeBytes(maxDriverCodeBytes)
    , m_validator(std::move(validator))
    , m_audit(layout.syncLogPath())
{
    // fsyncs that overlap validation and the database commit; the threads
    // are kept so that a sync does not pay for starting one.
    m_ioPool.setMaxThreadCount(1);
    m_ioPool.setExpiryTimeout(-1);
    m_ioPool.setObjectName(QStringLiteral("nuc-sync-io"));
}

DriverSyncPipeline::~DriverSyncPipeline() = default;

QString DriverSyncPipeline::open()
{
    const QString error = m_db.open(m_layout.databasePath(), connectionName());
    if (!error.isEmpty())
        return error;
    m_layout.removeStaleTemporaryFiles();
    reconcileFiles();
    ensureRunnables();
    m_validator->prepare();
    return {};
}

bool DriverSyncPipeline::runnableFor(const QString &source, QString *runnable, ScriptError *error, bool *cached)
{
    RunnableRepository cache(m_db.connection());
    const std::optional<QString> kept = cache.find(source, DriverTransformer::version());
    if (cached)
        *cached = kept.has_value();
    if (kept) {
        *runnable = *kept;
        return true;
    }
    const TransformResult result = m_validator->transform(source, TransformMode::Skip);
    if (!result.ok) {
        *error = result.error;
        return false;
    }
    *runnable = result.code;
    return true;
}

void DriverSyncPipeline::ensureRunnables()
{
    // Drivers installed before this transformer version: transformed once
    // now, so that devices start from the runnable form.
    DriverRepository drivers(m_db.connection());
    RunnableRepository cache(m_db.connection());
    const QList<DriverRecord> all = drivers.all();
    QStringList keep;
    for (const DriverRecord &r : all) {
        keep << RunnableRepository::sourceKey(r.driverCode);
        // Kept versions keep their form too: a rollback needs no transform.
        for (const ArchivedDriver &a : DriverArchive(m_db.connection()).versions(r.driverType))
            keep << a.sha256;
    }
    const int pruned = cache.prune(keep, DriverTransformer::version());
    if (pruned > 0)
        qCInfo(lcSync) << "removed" << pruned << "runnable forms no active driver uses";
    for (const DriverRecord &r : all) {
        QString runnable;
        ScriptError error;
        bool cached = false;
        const bool ok = runnableFor(r.driverCode, &runnable, &error, &cached);
        if (cached)
            continue;
        if (!ok) {
            qCWarning(lcSync).noquote() << "driver" << r.driverType << "cannot be transformed:" << LogText::escaped(error.message)
                                        << "(line" << error.line << "); it runs as it was sent";
            continue;
        }
        const QString problem = cache.store(r.driverCode, DriverTransformer::version(), runnable);
        if (!problem.isEmpty())
            qCWarning(lcSync) << "cannot store the runnable form of" << r.driverType << ":" << problem;
        else
            qCInfo(lcSync) << "driver" << r.driverType << "transformed for transformer" << DriverTransformer::version();
    }
}

void DriverSyncPipeline::reconcileFiles()
{
    // The database is the record of what is active: a crash between the
    // rename and the commit, or a file removed by hand, is mended here.
    DriverRepository drivers(m_db.connection());
    QString error;
    const QList<DriverRecord> records = drivers.all(&error);
    if (!error.isEmpty()) {
        qCWarning(lcSync) << "cannot list drivers to check their files:" << error;
        return;
    }
    for (const DriverRecord &r : records) {
        if (!ProtocolRules::isValidDriverType(r.driverType))
            continue;
        const QString path = m_layout.driverFilePath(r.driverType);
        QFile f(path);
        const QByteArray expected = r.driverCode.toUtf8();
        if (f.open(QIODevice::ReadOnly) && f.readAll() == expected)
            continue;
        f.close();
        const QString problem = DurableFile::replace(path, expected);
        if (problem.isEmpty())
            qCWarning(lcSync) << "restored" << path << "from the database (version" << r.version << ")";
        else
            qCWarning(lcSync) << "cannot restore" << path << ":" << problem;
    }
}

bool DriverSyncPipeline::answeredBefore(const QJsonValue &syncId, const QElapsedTimer &timer)
{
    // A sync_id seen before gets the same answer, without doing the work again.
    if (!syncId.isString())
        return false;
    SyncOutcomeRepository outcomes(m_db.connection());
    QString error;
    const std::optional<SyncOutcome> previous = outcomes.find(syncId.toString(), &error);
    if (!error.isEmpty())
        qCWarning(lcSync) << "cannot look up earlier outcomes:" << error;
    if (!previous)
        return false;
    qCInfo(lcSync).noquote() << "sync" << LogText::escaped(syncId.toString()) << "was already handled ("
                             << previous->outcome << "); answering the same outcome again";
    m_audit.append({syncId.toString(), previous->driverType, previous->version,
                    QStringLiteral("duplicate-") + previous->outcome, timer.nsecsElapsed() / 1e6, {}, {}});
    emit finished(previous->messageType, previous->data, true);
    return true;
}

void DriverSyncPipeline::process(const QJsonObject &data)
{
    QElapsedTimer timer;
    timer.start();

    const Parsed<DriverSyncRequest> parsed = DriverSyncRequest::parse(data, m_maxDriverCodeBytes);
    const DriverSyncRequest &request = parsed.value;
    // A sync_id seen before (a cloud's retry) is answered from its stored
    // outcome before anything starts: its validation may have been slow.
    if (answeredBefore(request.syncId, timer))
        return;
    // The signature before anything else: a refused driver writes nothing
    // and is not judged. (A pure check: taken before the lookup below
    // without changing what it decides.)
    const SignatureVerdict signature = parsed.ok() ? m_signatures.check(request) : SignatureVerdict{};
    // Most syncs are new: the validator host judges the code as sent while
    // this thread checks it is not the active code again; if it is, the
    // verdict is let go. Not while a verdict let go is still being worked
    // out there (the host judges one at a time): this one would wait
    // behind it anyway.
    Install job{request, signature.keyId, {}, true, false, {}};
    if (signature.accepted) {
        if (m_validator->validatesElsewhere() && !m_validator->busyWithAbandoned()) {
            m_validator->begin(validationRequest(request, request.driverCode));
            job.validationBegun = true;
        }
        // Step 1's file too, so that its fsync is done when the verdict comes.
        job.file = saveTemporary(request.driverTypeText(), request.driverCode);
    }
    const auto answered = [&] {
        if (job.validationBegun)
            m_validator->abandon();
        if (job.file)
            discardTemporary(job.file);
    };
    if (!parsed.ok()) {
        fail(request, {QStringLiteral("Invalid driver_sync: ") + parsed.error, {}}, {}, timer);
        return;
    }
    if (!signature.accepted) {
        fail(request, {signature.error, {}}, {}, timer);
        return;
    }
    if (completeIfActive(request, timer, signature.keyId))
        return answered();
    install(job, timer);
}

std::shared_ptr<DriverSyncPipeline::TemporaryFile> DriverSyncPipeline::saveTemporary(const QString &type, const QString &code)
{
    auto file = std::make_shared<TemporaryFile>();
    file->saved = inBackground([dir = m_layout.driversDir(), stem = QString(type + QStringLiteral(".js")),
                                bytes = code.toUtf8(), path = file->path] {
        return DurableFile::writeTemporary(dir, stem, bytes, path.get(), DurableFile::Sync::Now);
    });
    return file;
}

void DriverSyncPipeline::discardTemporary(const std::shared_ptr<TemporaryFile> &file)
{
    // The io thread runs its tasks in order: this one after the save.
    inBackground([path = file->path] {
        if (!path->isEmpty())
            QFile::remove(*path);
        return QString();
    });
}

DriverValidationRequest DriverSyncPipeline::validationRequest(const DriverSyncRequest &request, const QString &code) const
{
    const QString type = request.driverTypeText();
    return {code, type, request.protocolType, m_layout.driverFilePath(type)};
}

void DriverSyncPipeline::install(const Install &job, const QElapsedTimer &timer)
{
    const DriverSyncRequest &request = job.request;
    const bool automatic = !job.automaticRollback.isEmpty();
    const QString syncId = request.syncIdText();
    const QString type = request.driverTypeText();
    // An automatic rollback belongs to a sync that already reported its
    // steps: it reports only its outcome.
    const auto step = [&](const char *name) {
        if (!automatic)
            emit progress(syncId, QLatin1String(name));
    };
    // Rows written ahead of the verdict (writeRowsAhead) are rolled back on
    // every way out but the commit.
    bool rowsWritten = false;
    qint64 reportSeq = 0;
    const auto dropRows = [&] {
        if (!rowsWritten)
            return;
        m_db.connection().rollback();
        rowsWritten = false;
        reportSeq = 0;
    };
    const auto fail = [&](const Failure &failure, const QString &tempPath) {
        dropRows();
        if (automatic)
            automaticRollbackFailed(job, failure, tempPath, timer);
        else
            this->fail(request, failure, tempPath, timer);
    };

    if (!automatic)
        emit started(syncId, type, request.version);

    // 1. saving_file: a temporary file beside the target, written and
    //    fsynced on the io thread while the code is transformed and validated.
    step("saving_file");
    const std::shared_ptr<TemporaryFile> file = job.file ? job.file : saveTemporary(type, request.driverCode);
    std::future<QString> &fileSaved = file->saved;
    // Waited for on every way out; a disk that refused the file is the
    // answer before any verdict on the code.
    QString tempPath;
    auto saveError = [&, waited = false, error = QString()]() mutable {
        if (!waited) {
            error = fileSaved.get();
            tempPath = *file->path;
            waited = true;
        }
        return error.isEmpty() ? QString() : QStringLiteral("Cannot save the driver file: ") + error;
    };

    // 2. validating: down-levelled for QJSEngine 6.4 (transformer, cached by
    //    content), then checked in a throw-away engine under the watchdog.
    step("validating");
    QString runnable;
    ScriptError transformError;
    const auto refused = [&](const ScriptError &refusal) {
        if (const QString diskError = saveError(); !diskError.isEmpty())
            return fail({diskError, {}}, tempPath);
        const QString message = refusal.describe();
        const QString stack = refusal.line > 0
            ? QStringLiteral("%1\n    at %2:%3").arg(message, m_layout.driverFilePath(type), refusal.location())
            : QString();
        fail({QStringLiteral("Driver validation failed: ") + message, stack}, tempPath);
    };
    // Most drivers need no rewrite: the code as sent goes to the validator
    // at once, and while it is judged there, its runnable form is decided
    // and what storing it will write is read here. When the runnable form
    // differs, that early verdict is dropped and the runnable form judged.
    const DriverValidationRequest asSent = validationRequest(request, request.driverCode);
    if (!job.validationBegun)
        m_validator->begin(asSent);
    bool cached = false;
    const bool transformed = runnableFor(request.driverCode, &runnable, &transformError, &cached);
    const double transformedMs = timer.nsecsElapsed() / 1e6;
    StorePlan plan = transformed ? planStore(job) : StorePlan{};
    plan.runnableKept = cached;
    // The code as sent is what is judged: storing's rows are written while
    // the verdict is still to come, and committed only after a pass.
    if (transformed && runnable == request.driverCode && plan.refused.message.isEmpty() && m_validator->validatesElsewhere())
        rowsWritten = writeRowsAhead(job, plan, runnable, &reportSeq, fileSaved);
    ScriptError verdict = m_validator->verdict();
    if (!verdict.isNull())
        dropRows();   // before the refusal is worded (it may ask the host again)
    if (!transformed) {
        refused(transformError);
        return;
    }
    if (runnable != request.driverCode) {
        DriverValidationRequest rewritten = asSent;
        rewritten.code = runnable;
        verdict = m_validator->validate(rewritten);
    }
    // A skipped transform never parsed the source: when it fails, the
    // transformer's refusal (if any) is the answer, worded as before.
    if (!verdict.isNull()) {
        const ScriptError refusal = m_validator->refusalOfUnchanged(request.driverCode, runnable);
        if (!refusal.isNull()) {
            refused(refusal);
            return;
        }
    }
    if (const QString diskError = saveError(); !diskError.isEmpty()) {
        fail({diskError, {}}, tempPath);
        return;
    }
    if (!verdict.isNull()) {
        QString stack = verdict.stack;
        if (stack.isEmpty() && verdict.line > 0)
            stack = QStringLiteral("%1\n    at %2:%3").arg(verdict.message, m_layout.driverFilePath(type), verdict.location());
        fail({QStringLiteral("Driver validation failed: ") + verdict.describe(), stack}, tempPath);
        return;
    }
    if (!plan.refused.message.isEmpty()) {
        fail(plan.refused, tempPath);
        return;
    }

    const double validatedMs = timer.nsecsElapsed() / 1e6;

    // 3. storing: rename into place, then the database row and the outcome.
    step("storing");
    const Failure stored = storeAndActivate(job, plan, tempPath, runnable, &reportSeq, std::exchange(rowsWritten, false));
    if (!stored.message.isEmpty()) {
        fail(stored, tempPath);
        return;
    }

    qCInfo(lcSync).noquote() << "driver" << type << LogText::escaped(request.version) << "active (sync" << LogText::escaped(syncId) << ")";
    qCDebug(lcSync) << "sync timing (ms): transformed" << transformedMs << "validated" << validatedMs << "stored"
                    << timer.nsecsElapsed() / 1e6;
    if (automatic) {
        m_audit.append({syncId, type, request.version, QStringLiteral("rolled-back"), timer.nsecsElapsed() / 1e6,
                        job.automaticRollback, {}});
        emit rolledBack(plan.answer.type, plan.answer.data, true);
    } else {
        this->answer(plan.answer.type, plan.answer.data, request, QStringLiteral("completed"), timer, {}, job.keyId, false,
                     reportSeq);
    }
    emit driverActivated(type, request.version);
}

DriverSyncPipeline::StorePlan DriverSyncPipeline::planStore(const Install &job)
{
    const DriverSyncRequest &request = job.request;
    const QString type = request.driverTypeText();
    DriverRepository drivers(m_db.connection());
    StorePlan plan;
    QString error;
    plan.previous = drivers.find(type, &error);
    if (!error.isEmpty()) {
        plan.refused = {QStringLiteral("Cannot read the current driver: ") + error, {}};
        return plan;
    }
    // INSERT OR REPLACE would silently delete another driver that has this
    // driver_id under a different driver_type: refuse instead.
    const std::optional<DriverRecord> sameId = drivers.findById(request.driverId.toString(), &error);
    if (!error.isEmpty()) {
        plan.refused = {QStringLiteral("Cannot read the current driver: ") + error, {}};
        return plan;
    }
    if (sameId && sameId->driverType != type) {
        plan.refused = {QStringLiteral("Invalid driver_sync: driver_id '%1' already belongs to driver_type '%2'")
                            .arg(request.driverId.toString(), sameId->driverType),
                        {}};
        return plan;
    }

    // An automatic rollback answers the sync that caused it with the reason.
    plan.answer = job.automaticRollback.isEmpty()
        ? Messages::driverSyncComplete(request.syncId, request.driverId, request.driverType, request.version,
                                       m_layout.driverFilePath(type))
        : Messages::driverSyncError(request.syncId, request.driverId, request.driverType, job.automaticRollback, {});

    DriverRecord &record = plan.record;
    record.id = request.driverId.toString();
    record.driverType = type;
    record.version = request.version;
    record.protocolType = request.protocolType;
    record.driverCode = request.driverCode;
    record.commandMappings = toJsonText(request.commandMappings);
    record.connectionConfig = toJsonText(request.connectionConfig);
    record.syncId = request.syncIdText();
    // Kept with the version, so that a rollback to it is checked again.
    if (request.signature.isObject())
        record.signature = toJsonText(request.signature.toObject());

    // A driver no device runs: the answer cannot change after the commit
    // (no reload to wait for, nothing connected before that could fail and
    // roll it back), so it is kept in the same commit (one fsync fewer on
    // the path of the sync), instead of by the main thread after it. A
    // device that a device_sync adds between this check and the commit is
    // still reloaded; it was not connected before, so it could not have
    // rolled the sync back either.
    if (job.fromCloud && job.automaticRollback.isEmpty()) {
        plan.finalAnswer = !DeviceRepository(m_db.connection()).anyOfType(type, &error);
        if (!error.isEmpty())
            plan.refused = {QStringLiteral("Cannot read the driver's devices: ") + error, {}};
    }
    return plan;
}

QString DriverSyncPipeline::writeRows(const Install &job, const StorePlan &plan, const QString &runnable, qint64 *reportSeq)
{
    const DriverSyncRequest &request = job.request;
    const DriverRecord &record = plan.record;
    QSqlDatabase db = m_db.connection();
    const bool automatic = !job.automaticRollback.isEmpty();
    QString error;
    // The outgoing version joins the archive in the same transaction.
    if (plan.previous)
        error = DriverArchive(db).archive(*plan.previous, record.version);
    if (error.isEmpty())
        error = DriverRepository(db).upsertActive(record);
    if (error.isEmpty() && !plan.runnableKept)
        error = RunnableRepository(db).store(record.driverCode, DriverTransformer::version(), runnable);
    if (error.isEmpty()) {
        SyncOutcomeRepository outcomes(db);
        error = outcomes.store({record.syncId, automatic ? QStringLiteral("failed") : QStringLiteral("completed"),
                                plan.answer.type, plan.answer.data, request.driverTypeText(), request.version});
    }
    if (error.isEmpty() && plan.finalAnswer)
        error = storeReport(job, plan.answer, reportSeq);
    return error;
}

bool DriverSyncPipeline::writeRowsAhead(const Install &job, const StorePlan &plan, const QString &runnable,
                                        qint64 *reportSeq, const std::future<QString> &fileSaved)
{
    QSqlDatabase db = m_db.connection();
    if (!db.transaction())
        return false;   // the store after the verdict tries again and says why
    // Written while the host still judges (about 0.3 ms of statements off
    // the sync's path). Held for a verdict that takes longer (a driver that
    // runs to its budget), or for the temporary file's fsync (waited for
    // after the verdict), the write lock would keep every other writer
    // waiting: past storeAheadMs it is let go, and the rows are written
    // again after the verdict.
    QElapsedTimer held;
    held.start();
    if (writeRows(job, plan, runnable, reportSeq).isEmpty() && m_validator->verdictWithin(storeAheadMs)
        && fileSaved.wait_for(std::chrono::milliseconds(std::max<qint64>(0, storeAheadMs - held.elapsed())))
               == std::future_status::ready)
        return true;
    db.rollback();
    *reportSeq = 0;
    return false;
}

DriverSyncPipeline::Failure DriverSyncPipeline::storeAndActivate(const Install &job, const StorePlan &plan,
                                                                 const QString &tempPath, const QString &runnable,
                                                                 qint64 *reportSeq, bool rowsWritten)
{
    const DriverSyncRequest &request = job.request;
    const QString type = request.driverTypeText();
    const QString finalPath = m_layout.driverFilePath(type);
    const std::optional<DriverRecord> &previous = plan.previous;
    QSqlDatabase db = m_db.connection();

    QString error = DurableFile::commit(tempPath, finalPath, DurableFile::Sync::Later);
    if (!error.isEmpty()) {
        if (rowsWritten) {
            db.rollback();
            *reportSeq = 0;
        }
        return {QStringLiteral("Cannot activate the driver file: ") + error, {}};
    }
    // The folder's fsync (making the rename durable) overlaps the database
    // commit; both finish before the sync is answered. Should a crash come
    // between them, open() rewrites the file from the database.
    std::future<QString> folderSynced = inBackground([dir = m_layout.driversDir()] {
        return DurableFile::syncDirectory(dir);
    });
    if (rowsWritten || db.transaction()) {
        if (!rowsWritten)
            error = writeRows(job, plan, runnable, reportSeq);
        if (error.isEmpty() && !db.commit())
            error = db.lastError().text();
        if (!error.isEmpty()) {
            db.rollback();
            *reportSeq = 0;
        }
    } else {
        error = db.lastError().text();
    }
    const QString folderError = folderSynced.get();
    if (error.isEmpty() && !folderError.isEmpty())
        qCWarning(lcSync) << "driver stored, but" << folderError << "(the file is rewritten from the database at start)";
    if (error.isEmpty())
        return {};

    // The database still holds the previous version: put its file back.
    const QString restore = previous ? DurableFile::replace(finalPath, previous->driverCode.toUtf8())
                                     : DurableFile::remove(finalPath);
    if (!restore.isEmpty())
        qCCritical(lcSync) << "cannot restore" << finalPath << "after a failed store:" << restore;
    return {QStringLiteral("Cannot store the driver in the database: ") + error, {}};
}

QString DriverSyncPipeline::storeReport(const Install &job, const Message &answer, qint64 *reportSeq)
{
    OutboxReport report = ReportDelivery::reportOf(answer);
    QString error = ReportOutbox::storeIn(m_db.connection(), report);
    if (error.isEmpty())
        error = SyncOutcomeRepository(m_db.connection()).markReported(job.request.syncIdText());
    if (error.isEmpty()) {
        *reportSeq = report.seq;
        m_storedReport = report;
    }
    return error;
}

void DriverSyncPipeline::fail(const DriverSyncRequest &request, const Failure &failure, const QString &tempPath,
                              const QElapsedTimer &timer)
{
    if (!tempPath.isEmpty() && QFile::exists(tempPath))
        QFile::remove(tempPath);
    qCWarning(lcSync).noquote() << "sync" << LogText::escaped(request.syncIdText()) << "of"
                                << LogText::escaped(request.driverTypeText()) << "failed:" << LogText::escaped(failure.message);
    const Message error = Messages::driverSyncError(request.syncId, request.driverId, request.driverType,
                                                    failure.message, failure.stack);
    if (request.syncId.isString()) {
        SyncOutcomeRepository outcomes(m_db.connection());
        const QString problem = outcomes.store({request.syncIdText(), QStringLiteral("failed"), error.type, error.data,
                                                request.driverTypeText(), request.version});
        if (!problem.isEmpty())
            qCWarning(lcSync) << "cannot record the outcome of sync" << request.syncIdText() << ":" << problem;
    }
    answer(error.type, error.data, request, QStringLiteral("failed"), timer, failure.message);
}

void DriverSyncPipeline::answer(const QString &messageType, const QJsonObject &data, const DriverSyncRequest &request,
                                const QString &outcome, const QElapsedTimer &timer, const QString &error,
                                const QString &keyId, bool unchanged, qint64 reportSeq)
{
    // The stored answer goes out as stored (its timestamp with it), without
    // the main thread reading it back.
    emit finished(messageType, data, unchanged, reportSeq,
                  reportSeq > 0 && m_storedReport.seq == reportSeq ? m_storedReport.timestamp : QString());
    m_audit.append({request.syncIdText(), request.driverTypeText(), request.version, outcome,
                    timer.nsecsElapsed() / 1e6, error, keyId});
    // The next validation gets a fresh engine made while the pipeline is idle.
    QTimer::singleShot(0, this, [this] {
        m_validator->prepare();
        });
}
