// The driver_sync pipeline (PROTOCOL.md): check → save to a temporary file →
// validate → make durable and activate → record → answer. Lives on its own
// worker thread with its own database connection; syncs run one at a time in
// arrival order. Each step is reported through progress().
#pragma once

#include "protocol/driversyncrequest.h"
#include "protocol/messages.h"
#include "runtime/drivermodule.h"
#include "storage/database.h"
#include "storage/storagelayout.h"
#include "sync/syncauditlog.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QThreadPool>

#include <functional>
#include <future>

#include <memory>

class DriverValidator;

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

    // Handles the `data` of one driver_sync message. Runs on the pipeline's
    // thread; answers through finished().
    void process(const QJsonObject &data);

    static QString connectionName() { return QStringLiteral("nuc-sync"); }

signals:
    // A sync passed the message checks and its work begins.
    void started(const QString &syncId, const QString &driverType, const QString &version);
    void progress(const QString &syncId, const QString &step);
    // messageType is driver_sync_complete or driver_sync_error; `repeated`
    // when it is the stored answer to a sync_id seen before.
    void finished(const QString &messageType, const QJsonObject &data, bool repeated);
    void driverActivated(const QString &driverType, const QString &version);

private:
    struct Failure
    {
        QString message;
        QString stack;
    };

    void fail(const DriverSyncRequest &request, const Failure &failure, const QString &tempPath,
              const QElapsedTimer &timer);
    void answer(const QString &messageType, const QJsonObject &data, const DriverSyncRequest &request,
                const QString &outcome, const QElapsedTimer &timer, const QString &error);
    Failure storeAndActivate(const DriverSyncRequest &request, const QString &tempPath, const QString &runnable,
                             Message *complete);
    void reconcileFiles();
    // The runnable form of `source`: from the cache, else transformed.
    bool runnableFor(const QString &source, QString *runnable, ScriptError *error);
    void ensureRunnables();
    std::future<QString> inBackground(std::function<QString()> work);

    StorageLayout m_layout;
    qint64 m_maxDriverCodeBytes;
    std::unique_ptr<DriverValidator> m_validator;
    Database m_db;
    SyncAuditLog m_audit;
    QThreadPool m_ioPool;
};
