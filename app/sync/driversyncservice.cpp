#include "sync/driversyncservice.h"

#include "cloud/protocolhandler.h"
#include "sync/driversyncpipeline.h"
#include "core/logcategories.h"
#include "protocol/driverrollbackrequest.h"
#include "protocol/driversyncrequest.h"
#include "protocol/messages.h"
#include "runtime/drivervalidator.h"

#include <QMetaObject>
#include <QPointer>
#include <QUuid>

DriverSyncService::DriverSyncService(const StorageLayout &layout, qint64 maxDriverCodeBytes,
                                     std::unique_ptr<DriverValidator> validator, ProtocolHandler *protocol,
                                     QObject *parent)
    : QObject(parent), m_protocol(protocol)
{
    m_thread.setObjectName(QStringLiteral("nuc-sync"));
    m_pipeline = new DriverSyncPipeline(layout, maxDriverCodeBytes, std::move(validator));
    m_pipeline->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_pipeline, &QObject::deleteLater);

    connect(m_pipeline, &DriverSyncPipeline::progress, this, &DriverSyncService::progress);
    connect(m_pipeline, &DriverSyncPipeline::finished, this, &DriverSyncService::onFinished);
    connect(m_pipeline, &DriverSyncPipeline::rolledBack, this,
            [this](const QString &messageType, const QJsonObject &data, bool restored) {
                if (!restored || !m_reloader)
                    return answer(messageType, data);
                // The devices go back to the restored version; then the sync is answered.
                QPointer<DriverSyncService> self(this);
                m_reloader(data.value(QStringLiteral("driver_type")).toString(), [self, messageType, data](const ReloadCheck &) {
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
    m_protocol->registerHandler(DriverRollbackRequest::type(), [this](const QJsonObject &data) { dispatchRollback(data); });
}

void DriverSyncService::setSignatureCheck(const SignatureCheck &check)
{
    m_pipeline->setSignatureCheck(check);
}

void DriverSyncService::dispatchRollback(const QJsonObject &data)
{
    m_rollbacks.insert(data.value(QStringLiteral("sync_id")).toString());
    QMetaObject::invokeMethod(m_pipeline, [pipeline = m_pipeline, data] { pipeline->rollBack(data); },
                              Qt::QueuedConnection);
}

QString DriverSyncService::rollBack(const QString &driverType, const QString &version)
{
    const QString syncId = QStringLiteral("local-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_local.insert(syncId);
    QJsonObject data{{QStringLiteral("sync_id"), syncId}, {QStringLiteral("driver_type"), driverType}};
    if (!version.isEmpty())
        data.insert(QStringLiteral("version"), version);
    dispatchRollback(data);
    return syncId;
}

void DriverSyncService::progress(const QString &syncId, const QString &step)
{
    if (!m_local.contains(syncId))
        m_protocol->send(Messages::driverSyncProgress(syncId, step));
    emit syncProgress(syncId, step);
}

void DriverSyncService::onFinished(const QString &messageType, const QJsonObject &data, bool unchanged,
                                   qint64 reportSeq, const QString &reportTimestamp)
{
    if (reportSeq > 0) {
        // Final already (no device ran the driver): the same steps on the
        // wire, without waiting. A device added in the meantime is reloaded,
        // after the answer (which nothing it does can change) has gone out.
        progress(data.value(QStringLiteral("sync_id")).toString(), QStringLiteral("reloading_devices"));
        answer(messageType, data, reportSeq, reportTimestamp);
        if (m_reloader)
            m_reloader(data.value(QStringLiteral("driver_type")).toString(), [](const ReloadCheck &) {});
        return;
    }
    if (unchanged || messageType != u"driver_sync_complete" || !m_reloader)
        return answer(messageType, data);
    // reloading_devices: the devices of this driver are recreated from the
    // new code; the sync completes when they reported back, each within its
    // deadline. Devices connected before that do not connect now roll a
    // driver_sync back to the previous version.
    const QString syncId = data.value(QStringLiteral("sync_id")).toString();
    progress(syncId, QStringLiteral("reloading_devices"));
    const bool mayRollBack = m_automaticRollback && !m_rollbacks.contains(syncId);
    QPointer<DriverSyncService> self(this);
    m_reloader(data.value(QStringLiteral("driver_type")).toString(),
               [self, messageType, data, mayRollBack](const ReloadCheck &check) {
                   if (!self)
                       return;
                   if (!mayRollBack || check.failing.isEmpty())
                       return self->answer(messageType, data);
                   QMetaObject::invokeMethod(self->m_pipeline, [pipeline = self->m_pipeline, data, check] {
                       pipeline->restorePrevious(data, check.failing, check.connectedBefore);
                   }, Qt::QueuedConnection);
               });
}

void DriverSyncService::answer(const QString &messageType, const QJsonObject &data, qint64 reportSeq,
                               const QString &reportTimestamp)
{
    const QString syncId = data.value(QStringLiteral("sync_id")).toString();
    m_rollbacks.remove(syncId);
    if (m_local.remove(syncId)) {
        // The cloud did not ask: it hears what is active now.
        if (messageType == u"driver_sync_complete")
            m_protocol->sendHello();
    } else if (reportSeq > 0) {
        m_protocol->reports()->sendStored(reportSeq, Message{messageType, data}, reportTimestamp);
    } else {
        m_protocol->send(Message{messageType, data});
    }
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
