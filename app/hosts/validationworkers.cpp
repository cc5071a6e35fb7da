#include "hosts/validationworkers.h"

#include "runtime/sandboxvalidator.h"

#include <QMetaObject>

ValidationWorkers::ValidationWorkers(Watchdog *watchdog, int budgetMs, int count)
{
    for (int i = 0; i < count; ++i) {
        auto worker = std::make_unique<Worker>();
        worker->thread.setObjectName(QStringLiteral("nuc-validate-%1").arg(i));
        worker->context = new QObject;
        worker->context->moveToThread(&worker->thread);
        QObject::connect(&worker->thread, &QThread::finished, worker->context, &QObject::deleteLater);
        worker->thread.start();
        // The validator and its first engine are made on the worker's thread.
        Worker *w = worker.get();
        QMetaObject::invokeMethod(w->context, [w, watchdog, budgetMs] {
            w->validator = std::make_unique<SandboxValidator>(watchdog, budgetMs);
            w->validator->prepare();
        }, Qt::QueuedConnection);
        m_workers.push_back(std::move(worker));
    }
}

ValidationWorkers::~ValidationWorkers()
{
    for (auto &worker : m_workers) {
        Worker *w = worker.get();
        // Engines are destroyed on the thread that made them.
        QMetaObject::invokeMethod(w->context, [w] { w->validator.reset(); }, Qt::QueuedConnection);
        w->thread.quit();
        w->thread.wait();
    }
}

ScriptError ValidationWorkers::validate(const DriverValidationRequest &request)
{
    Worker *w = m_workers.at(m_next).get();
    m_next = (m_next + 1) % m_workers.size();
    ScriptError error;
    // Queued after whatever the worker is still doing (making its engine).
    QMetaObject::invokeMethod(w->context, [w, &request, &error] {
        error = w->validator->validate(request);
    }, Qt::BlockingQueuedConnection);
    QMetaObject::invokeMethod(w->context, [w] { w->validator->prepare(); }, Qt::QueuedConnection);
    return error;
}
