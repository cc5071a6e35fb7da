#include "sync/driversyncservice.h"

#include "cloud/protocolhandler.h"
#include "sync/driversyncpipeline.h"
#include "core/logcategories.h"
#include "protocol/driversyncrequest.h"
#include "protocol/messages.h"
#include "runtime/drivervalidator.h"

#include <QMetaObject>
#include <QPointer>

DriverSyncService::DriverSyncService(const StorageLayout &layout, qint64 maxDriverCodeBytes,
                                     std::unique_ptr<DriverValidator> validator, ProtocolHandler *protocol,
                                     QObject *parent)
    : QObject(parent), m_protocol(protocol)
{
    m_thread.setObjectName(QStringLiteral("nuc-sync"));
    m_pipeline = new DriverSyncPipeline(layout, maxDriverCodeBytes, std::move(validator));
    m_pipeline->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_pipeline, &QObject::deleteLater);

    connect(m_pipeline, &DriverSyncPipeline::progress, this, [this](const QString &syncId, const QString &step) {
        m_protocol->send(Messages::driverSyncProgress(syncId, step));
        emit syncProgress(syncId, step);
    });
    connect(m_pipeline, &DriverSyncPipeline::finished, this,
            [this](const QString &messageType, const QJsonObject &data, bool repeated) {
                if (repeated || messageType != u"driver_sync_complete" || !m_reloader) {
                    answer(messageType, data);
                    return;
                }
                // reloading_devices: the devices of this driver are recreated
                // from the new code; the sync completes when they reported
                // back, each within its deadline.
                const QString syncId = data.value(QStringLiteral("sync_id")).toString();
                const QString step = QStringLiteral("reloading_devices");
                m_protocol->send(Messages::driverSyncProgress(syncId, step));
                emit syncProgress(syncId, step);
                QPointer<DriverSyncService> self(this);
                m_reloader(data.value(QStringLiteral("driver_type")).toString(), [self, messageType, data] {
                    if (self)
                        self->answer(messageType, data);
                });
            });
    connect(m_pipeline, &DriverSyncPipeline::driverActivated, this, &DriverSyncService::driverActivated);
    connect(m_pipeline, &DriverSyncPipeline::started, this, &DriverSyncService::syncStarted);

    m_protocol->registerHandler(DriverSyncRequest::type(), [this](const QJsonObject &data) {
        QMetaObject::invokeMethod(m_pipeline, [pipeline = m_pipeline, data] { pipeline->process(data); },
                                  Qt::QueuedConnection);
    });
}

void DriverSyncService::answer(const QString &messageType, const QJsonObject &data)
{
    m_protocol->send(Message{messageType, data});
    emit syncFinished(messageType, data);
}

DriverSyncService::~DriverSyncService()
{
    stop();
    if (!m_thread.isRunning() && m_pipeline) {
        // The thread never ran: delete the pipeline here.
        delete m_pipeline;
    }
    m_pipeline = nullptr;
}

QString DriverSyncService::start()
{
    m_thread.start();
    QString error;
    QMetaObject::invokeMethod(m_pipeline, [this, &error] {
        error = m_pipeline->open();
    }, Qt::BlockingQueuedConnection);
    if (!error.isEmpty())
        stop();
    return error;
}

void DriverSyncService::stop()
{
    if (!m_thread.isRunning())
        return;
    m_thread.quit();
    if (!m_thread.wait(10000))
        qCCritical(lcSync) << "the sync worker did not stop within 10 s";
    m_pipeline = nullptr;   // deleted by QThread::finished → deleteLater
}
