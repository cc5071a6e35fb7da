#include "hosts/driverhostserver.h"

#include "hosts/anonymousengines.h"
#include "hosts/hostchannel.h"
#include "core/logcategories.h"
#include "runtime/driverinstance.h"
#include "hosts/validationworkers.h"
#include "runtime/drivertransformer.h"
#include "runtime/watchdog.h"

#include <QCoreApplication>
#include <QFile>
#include <QTimer>

#include <QJsonArray>

#include <algorithm>
#include <ctime>

namespace {

// Resident memory of this process, from /proc/self/statm (pages).
qint64 residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields.at(1).toLongLong() * 4096 : 0;
}

double cpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

} // namespace

DriverHostServer::DriverHostServer(HostChannel *channel, QObject *parent)
    : QObject(parent), m_channel(channel), m_watchdog(std::make_unique<Watchdog>())
{
    qRegisterMetaType<CallResult>();
    // Before the first engine: its heap and stack then come from anonymous
    // pages instead of memfds (anonymousengines.h; about a tenth of a
    // host's CPU in a reload). CONTROL_NUC_HOST_MEMFD=1 keeps Qt's memfds,
    // for comparison.
    if (qEnvironmentVariable("CONTROL_NUC_HOST_MEMFD") != u"1") {
        const QString problem = AnonymousEngines::refuseMemfd();
        if (!problem.isEmpty())
            qCInfo(lcRuntime).noquote() << "driver host: engines keep Qt's memfd-backed memory:" << problem;
    }
    connect(m_channel, &HostChannel::frameReceived, this, &DriverHostServer::onFrame);
    send(QStringLiteral("ready"), {{QStringLiteral("pid"), QCoreApplication::applicationPid()}});
}

DriverHostServer::~DriverHostServer()
{
    m_validators.reset();
    // Instances are children; their destructors bound their own teardown.
    qDeleteAll(m_instances);
    m_instances.clear();
}

void DriverHostServer::send(const QString &event, QJsonObject fields)
{
    fields.insert(QStringLiteral("ev"), event);
    m_channel->send(fields);
}

void DriverHostServer::onFrame(const QJsonObject &frame)
{
    const QString op = frame.value(QStringLiteral("op")).toString();
    const int inst = frame.value(QStringLiteral("inst")).toInt();
    const int call = frame.value(QStringLiteral("call")).toInt();
    if (op == u"configure") {
        m_settings = HostMessages::toSettings(frame.value(QStringLiteral("runtime")).toObject());
        m_validationBudgetMs = frame.value(QStringLiteral("validationBudgetMs")).toInt(m_validationBudgetMs);
    } else if (op == u"start") {
        startInstance(inst, frame);
    } else if (op == u"load" || op == u"connect" || op == u"disconnect" || op == u"command") {
        callInstance(inst, call, op, frame);
    } else if (op == u"stop") {
        if (DriverInstance *instance = m_instances.value(inst))
            instance->stop();
        else
            send(QStringLiteral("stopped"), {{QStringLiteral("inst"), inst}});
    } else if (op == u"warm") {
        // The validator host, ahead of the first sync: engines, acorn, and
        // acorn and the passes compiled by a sample's transforms.
        validators();
        if (!transformer()->warmUp())
            qCWarning(lcRuntime) << "driver host: the transformer's warm-up sample did not transform";
    } else if (op == u"validate") {
        validate(call, frame);
    } else if (op == u"transform") {
        transform(call, frame);
    } else if (op == u"ping") {
        pong(call);
    } else if (op == u"quit") {
        shutdown();
    } else {
        qCWarning(lcRuntime).noquote() << "driver host: unknown frame" << op;
    }
}

void DriverHostServer::startInstance(int inst, const QJsonObject &frame)
{
    if (m_shuttingDown || m_instances.contains(inst))
        return;
    const DriverSpec spec = HostMessages::toSpec(frame.value(QStringLiteral("spec")).toObject());
    auto *instance = new DriverInstance(spec, m_settings, m_watchdog.get(), this);
    m_instances.insert(inst, instance);
    m_figures[inst].deviceId = spec.deviceId;
    connect(instance, &DriverInstance::statusReported, this, [this, inst](const QString &status, const QString &message) {
        send(QStringLiteral("status"), {{QStringLiteral("inst"), inst}, {QStringLiteral("status"), status},
                                        {QStringLiteral("message"), message}});
    });
    connect(instance, &DriverInstance::stateChanged, this, [this, inst](const QJsonObject &state) {
        send(QStringLiteral("state"), {{QStringLiteral("inst"), inst}, {QStringLiteral("state"), state}});
    });
    connect(instance, &DriverInstance::faulted, this, [this, inst](const QString &message) {
        send(QStringLiteral("faulted"), {{QStringLiteral("inst"), inst}, {QStringLiteral("message"), message}});
    });
    connect(instance, &DriverInstance::transportDropped, this, [this, inst](const QString &reason) {
        send(QStringLiteral("dropped"), {{QStringLiteral("inst"), inst}, {QStringLiteral("reason"), reason}});
    });
    connect(instance, &DriverInstance::stopped, this, [this, inst, instance] {
        m_instances.remove(inst);
        m_figures.remove(inst);
        instance->deleteLater();
        send(QStringLiteral("stopped"), {{QStringLiteral("inst"), inst}});
        maybeFinish();
    });
}

void DriverHostServer::callInstance(int inst, int call, const QString &op, const QJsonObject &frame)
{
    auto answer = [this, inst, call](const CallResult &result) {
        record(inst, result);
        send(QStringLiteral("result"), {{QStringLiteral("inst"), inst}, {QStringLiteral("call"), call},
                                        {QStringLiteral("result"), HostMessages::fromResult(result)}});
    };
    DriverInstance *instance = m_instances.value(inst);
    if (!instance) {
        answer(CallResult::failure(QStringLiteral("driver instance is stopped")));
        return;
    }
    if (op == u"load")
        instance->load(answer);
    else if (op == u"connect")
        instance->connectDevice(answer);
    else if (op == u"disconnect")
        instance->disconnectDevice(answer);
    else
        instance->sendCommand(frame.value(QStringLiteral("command")).toString(),
                              frame.value(QStringLiteral("params")).toObject(), answer);
}

void DriverHostServer::validate(int call, const QJsonObject &frame)
{
    DriverValidationRequest request;
    request.code = frame.value(QStringLiteral("code")).toString();
    request.driverType = frame.value(QStringLiteral("driverType")).toString();
    request.protocolType = frame.value(QStringLiteral("protocolType")).toString();
    request.fileName = frame.value(QStringLiteral("fileName")).toString();
    const ScriptError error = validators()->validate(request);
    send(QStringLiteral("validated"), {{QStringLiteral("call"), call},
                                       {QStringLiteral("error"), HostMessages::fromError(error)}});
}

void DriverHostServer::transform(int call, const QJsonObject &frame)
{
    const TransformMode mode = frame.value(QStringLiteral("full")).toBool() ? TransformMode::Full : TransformMode::Skip;
    const TransformResult result = transformer()->transform(frame.value(QStringLiteral("source")).toString(), mode);
    send(QStringLiteral("transformed"), {{QStringLiteral("call"), call},
                                         {QStringLiteral("result"), HostMessages::fromTransform(result)}});
}

DriverTransformer *DriverHostServer::transformer()
{
    if (!m_transformer)
        m_transformer = std::make_unique<DriverTransformer>(m_watchdog.get(), m_validationBudgetMs);
    return m_transformer.get();
}

ValidationWorkers *DriverHostServer::validators()
{
    if (!m_validators)
        m_validators = std::make_unique<ValidationWorkers>(m_watchdog.get(), m_validationBudgetMs);
    return m_validators.get();
}

void DriverHostServer::record(int inst, const CallResult &result)
{
    auto it = m_figures.find(inst);
    if (it == m_figures.end())
        return;
    ++it->calls;
    if (!result.ok)
        ++it->errors;
    if (result.timedOut)
        ++it->timeouts;
    it->recentMs.append(result.durationMs);
    if (it->recentMs.size() > 1000)
        it->recentMs.removeFirst();
}

void DriverHostServer::pong(int call)
{
    QJsonArray devices;
    for (auto it = m_figures.cbegin(); it != m_figures.cend(); ++it) {
        QList<double> sorted = it->recentMs;
        std::sort(sorted.begin(), sorted.end());
        auto percentile = [&sorted](double p) {
            return sorted.isEmpty() ? 0.0 : sorted.at(qMin(sorted.size() - 1, qsizetype(p * sorted.size())));
        };
        devices.append(QJsonObject{{QStringLiteral("device_id"), it->deviceId},
                                   {QStringLiteral("calls"), it->calls},
                                   {QStringLiteral("errors"), it->errors},
                                   {QStringLiteral("timeouts"), it->timeouts},
                                   {QStringLiteral("call_ms_p50"), percentile(0.5)},
                                   {QStringLiteral("call_ms_p99"), percentile(0.99)}});
    }
    send(QStringLiteral("pong"), {{QStringLiteral("call"), call},
                                  {QStringLiteral("rss"), double(residentBytes())},
                                  {QStringLiteral("cpuMs"), cpuMs()},
                                  {QStringLiteral("instances"), int(m_instances.size())},
                                  {QStringLiteral("devices"), devices}});
}

void DriverHostServer::shutdown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    for (DriverInstance *instance : std::as_const(m_instances))
        instance->stop();
    maybeFinish();
}

void DriverHostServer::maybeFinish()
{
    if (m_shuttingDown && m_instances.isEmpty())
        emit finished();
}
