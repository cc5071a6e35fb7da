// The driver_sync pipeline (PROTOCOL.md): check → save to a temporary file →
// validate → make durable and activate → record → answer. Lives on its own
// worker thread with its own database connection; syncs run one at a time in
// arrival order. Each step is reported through progress().
#pragma once

#include "protocol/driversyncrequest.h"
#include "protocol/messages.h"
#include "runtime/drivermodule.h"
#include "storage/database.h"
#include "storage/driverrepository.h"
#include "storage/reportoutbox.h"
#include "storage/storagelayout.h"
#include "sync/signaturecheck.h"
#include "sync/syncauditlog.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QThreadPool>

#include <functional>
#include <future>

#include <memory>
#include <optional>

class DriverValidator;
struct DriverValidationRequest;

class DriverSyncPipeline : public QObject
{
    Q_OBJECT

public:
    DriverSyncPipeline(const StorageLayout &layout, qint64 maxDriverCodeBytes,
                       std::unique_ptr<DriverValidator> validator,
                       QObject *parent = nullptr);
    ~DriverSyncPipeline() override;

    // Call on the pipeline's thread before process(): opens the database
    // connection, removes temporary files a crash left behind and makes every
    // active driver's file match the database. Returns an error line or empty.
    QString open();

    // Call before open(): the trusted keys and whether signatures are required.
    void setSignatureCheck(const SignatureCheck &check) { m_signatures = check; }

    // Handles the `data` of one driver_sync message. Runs on the pipeline's
    // thread; answers through finished().
    void process(const QJsonObject &data);
    // Handles the `data` of one driver_rollback (PROTOCOL.md "Versions and
    // rollback"): the kept version goes through the same steps as a sync
    // and is answered the same way, through finished().
    void rollBack(const QJsonObject &data);
    // After a sync whose devices failed to connect: restores the version
    // active before it (the newest kept one) and answers the sync with
    // driver_sync_error through rolledBack(). `failedSync` is the
    // driver_sync_complete data the sync had produced; `failing` the devices
    // ("id: status – message") of the `connectedBefore` that were connected
    // before the update and are not now.
    void restorePrevious(const QJsonObject &failedSync, const QStringList &failing, int connectedBefore);

    static QString connectionName() { return QStringLiteral("nuc-sync"); }

signals:
    // A sync passed the message checks and its work begins.
    void started(const QString &syncId, const QString &driverType, const QString &version);
    void progress(const QString &syncId, const QString &step);
    // messageType is driver_sync_complete or driver_sync_error; `unchanged`
    // when nothing was installed: the stored answer to a sync_id seen
    // before, or the active code sent again (devices are not reloaded).
    // `reportSeq` > 0: the answer is final (no device runs the driver, so
    // none is reloaded and none can roll it back) and was stored in the
    // report outbox with that seq, in the commit that installed the driver:
    // it is to be sent from there (ReportDelivery::sendStored).
    void finished(const QString &messageType, const QJsonObject &data, bool unchanged, qint64 reportSeq = 0,
                  const QString &reportTimestamp = {});
    // The answer of restorePrevious(); `restored` when the previous version
    // is active again (its devices are then to be reloaded).
    void rolledBack(const QString &messageType, const QJsonObject &data, bool restored);
    void driverActivated(const QString &driverType, const QString &version);

private:
    struct Failure
    {
        QString message;
        QString stack;
    };

    // The temporary file of step 1, written and fsynced on the io thread.
    struct TemporaryFile
    {
        std::future<QString> saved;   // the error, empty when written and fsynced
        std::shared_ptr<QString> path = std::make_shared<QString>();   // set once saved
    };

    // What install() puts in place and why.
    struct Install
    {
        DriverSyncRequest request;
        QString keyId;               // the key that verified it (audit log)
        QString automaticRollback;   // set: restorePrevious() with this reason
        bool fromCloud = false;      // a driver_sync: its answer may go to the report outbox at once
        bool validationBegun = false;   // the code as sent is with the validator already (process())
        std::shared_ptr<TemporaryFile> file;   // being saved already (process()); else install() saves it
    };

    // Starts step 1's temporary file on the io thread.
    std::shared_ptr<TemporaryFile> saveTemporary(const QString &type, const QString &code);
    // A temporary file no sync will use: removed once saved (on the io thread).
    void discardTemporary(const std::shared_ptr<TemporaryFile> &file);

    bool answeredBefore(const QJsonValue &syncId, const QElapsedTimer &timer);
    DriverValidationRequest validationRequest(const DriverSyncRequest &request, const QString &code) const;
    // The active code of that type and version sent again: answered as
    // completed without touching files, rows or devices.
    bool completeIfActive(const DriverSyncRequest &request, const QElapsedTimer &timer, const QString &keyId);
    // saving_file → validating → storing, then the answer.
    void install(const Install &job, const QElapsedTimer &timer);
    void automaticRollbackFailed(const Install &job, const Failure &failure, const QString &tempPath,
                                 const QElapsedTimer &timer);
    void fail(const DriverSyncRequest &request, const Failure &failure, const QString &tempPath,
              const QElapsedTimer &timer);
    void answer(const QString &messageType, const QJsonObject &data, const DriverSyncRequest &request,
                const QString &outcome, const QElapsedTimer &timer, const QString &error, const QString &keyId = {},
                bool unchanged = false, qint64 reportSeq = 0);
    // What storing a validated driver will write, read while it is validated.
    struct StorePlan
    {
        Failure refused;                     // set: the sync cannot be stored
        std::optional<DriverRecord> previous;
        DriverRecord record;
        Message answer;
        bool runnableKept = false;           // its runnable form is in the cache already
        bool finalAnswer = false;            // the answer goes to the report outbox in the commit
    };
    StorePlan planStore(const Install &job);
    // `rowsWritten`: writeRowsAhead() left them in an open transaction.
    Failure storeAndActivate(const Install &job, const StorePlan &plan, const QString &tempPath,
                             const QString &runnable, qint64 *reportSeq, bool rowsWritten);
    // The rows storing writes (archive, driver, runnable form, outcome,
    // answer), in the caller's transaction.
    QString writeRows(const Install &job, const StorePlan &plan, const QString &runnable, qint64 *reportSeq);
    // While the validator still judges: writeRows() in a transaction left
    // open for the verdict, if it and the temporary file (`fileSaved`) are
    // both there within storeAheadMs (else rolled back). True: open, to be
    // committed or rolled back.
    bool writeRowsAhead(const Install &job, const StorePlan &plan, const QString &runnable, qint64 *reportSeq,
                        const std::future<QString> &fileSaved);
    // The longest the write lock is held for a verdict still to come: other
    // writers (the main thread's report outbox) wait that long at most.
    static constexpr int storeAheadMs = 10;
    // In storeAndActivate's transaction: a cloud sync's final answer
    // (StorePlan::finalAnswer) into the report outbox.
    QString storeReport(const Install &job, const Message &answer, qint64 *reportSeq);
    void reconcileFiles();
    // The runnable form of `source`: from the cache, else transformed.
    // `cached`: it came from the cache.
    bool runnableFor(const QString &source, QString *runnable, ScriptError *error, bool *cached = nullptr);
    void ensureRunnables();
    std::future<QString> inBackground(std::function<QString()> work);

    StorageLayout m_layout;
    qint64 m_maxDriverCodeBytes;
    std::unique_ptr<DriverValidator> m_validator;
    Database m_db;
    SyncAuditLog m_audit;
    SignatureCheck m_signatures;
    OutboxReport m_storedReport;   // the last answer storeReport() put in the outbox
    QThreadPool m_ioPool;
};
