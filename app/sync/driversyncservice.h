// Runs the driver_sync pipeline on its own thread and connects it to the
// cloud protocol: `driver_sync` in, progress and outcome out. Lives on the
// main thread; never blocks it.
#pragma once

#include "storage/storagelayout.h"

#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QThread>

#include <functional>

class DriverSyncPipeline;
class ProtocolHandler;
class DriverValidator;
class SignatureCheck;

// How the devices of a driver fared on a new version: of the
// `connectedBefore` devices connected before it, those not connected after
// it within the reload deadline ("id: status – message").
struct ReloadCheck
{
    int connectedBefore = 0;
    QStringList failing;
};

class DriverSyncService : public QObject
{
    Q_OBJECT

public:
    // `validator` transforms and validates on the sync thread (in the
    // controller: a HostValidator, so that no driver code runs here).
    DriverSyncService(const StorageLayout &layout, qint64 maxDriverCodeBytes,
                      std::unique_ptr<DriverValidator> validator, ProtocolHandler *protocol, QObject *parent = nullptr);
    ~DriverSyncService() override;

    // Called after a driver is stored and before driver_sync_complete is
    // sent (step reloading_devices): recreate the devices that use it and
    // call `done` when they have reported back (bounded by the caller).
    using Reloader = std::function<void(const QString &driverType, std::function<void(const ReloadCheck &)> done)>;
    void setReloader(Reloader reloader) { m_reloader = std::move(reloader); }
    // On (the default): a driver_sync after which devices that were
    // connected fail to connect is rolled back to the previous version
    // (docs/drivers.md "Rollback").
    void setAutomaticRollback(bool on) { m_automaticRollback = on; }
    // Call before start().
    void setSignatureCheck(const SignatureCheck &check);

    // The technician's rollback (dashboard): the same path as a cloud
    // driver_rollback; its outcome comes as syncFinished() with the returned
    // sync id and is not sent to the cloud, which hears a fresh hello.
    QString rollBack(const QString &driverType, const QString &version);
    // Whether `syncId` is one rollBack() made (its stored outcome is never
    // sent to the cloud, also not after a restart).
    static bool isLocalSyncId(const QString &syncId) { return syncId.startsWith(u"local-"); }

    // Starts the worker thread and opens its storage. Returns an error line or empty.
    QString start();
    void stop();

signals:
    void syncStarted(const QString &syncId, const QString &driverType, const QString &version);
    void syncProgress(const QString &syncId, const QString &step);
    void syncFinished(const QString &messageType, const QJsonObject &data);
    void driverActivated(const QString &driverType, const QString &version);

private:
    // reportSeq > 0: the answer is in the report outbox already (with that
    // seq, and that timestamp when known).
    void answer(const QString &messageType, const QJsonObject &data, qint64 reportSeq = 0,
                const QString &reportTimestamp = {});
    void onFinished(const QString &messageType, const QJsonObject &data, bool unchanged, qint64 reportSeq,
                    const QString &reportTimestamp);
    void progress(const QString &syncId, const QString &step);
    void dispatchRollback(const QJsonObject &data);

    ProtocolHandler *m_protocol;
    Reloader m_reloader;
    bool m_automaticRollback = true;
    QSet<QString> m_rollbacks;   // sync ids of rollbacks: never rolled back automatically
    QSet<QString> m_local;       // sync ids the dashboard started: not sent to the cloud
    QThread m_thread;
    DriverSyncPipeline *m_pipeline = nullptr;   // lives on m_thread
};
