// Runs the driver_sync pipeline on its own thread and connects it to the
// cloud protocol: `driver_sync` in, progress and outcome out. Lives on the
// main thread; never blocks it.
#pragma once

#include "storage/storagelayout.h"

#include <QJsonObject>
#include <QObject>
#include <QThread>

#include <functional>

class DriverSyncPipeline;
class ProtocolHandler;
class DriverValidator;

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
    using Reloader = std::function<void(const QString &driverType, std::function<void()> done)>;
    void setReloader(Reloader reloader) { m_reloader = std::move(reloader); }

    // Starts the worker thread and opens its storage. Returns an error line or empty.
    QString start();
    void stop();

signals:
    void syncStarted(const QString &syncId, const QString &driverType, const QString &version);
    void syncProgress(const QString &syncId, const QString &step);
    void syncFinished(const QString &messageType, const QJsonObject &data);
    void driverActivated(const QString &driverType, const QString &version);

private:
    void answer(const QString &messageType, const QJsonObject &data);

    ProtocolHandler *m_protocol;
    Reloader m_reloader;
    QThread m_thread;
    DriverSyncPipeline *m_pipeline = nullptr;   // lives on m_thread
};
