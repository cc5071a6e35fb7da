// The driver host's side of the link (runs in control-nuc-driverhost, never
// in the controller): runs the driver instances of one driver type — each
// device keeping its own engine and thread, as DriverInstance does — and,
// in the validator host, validation and the transformer. Answers every
// frame it is sent; frames are listed in docs/architecture.md.
#pragma once

#include "hosts/hostmessages.h"

#include <QHash>
#include <QList>
#include <QJsonObject>
#include <QObject>

#include <memory>

class DriverInstance;
class HostChannel;
class DriverTransformer;
class ValidationWorkers;
class Watchdog;

class DriverHostServer : public QObject
{
    Q_OBJECT

public:
    explicit DriverHostServer(HostChannel *channel, QObject *parent = nullptr);
    ~DriverHostServer() override;

    // Stops every instance (bounded by their teardown budgets) and then
    // emits finished(); used when the controller asks or goes away.
    void shutdown();

signals:
    void finished();

private:
    void onFrame(const QJsonObject &frame);
    void startInstance(int inst, const QJsonObject &frame);
    void callInstance(int inst, int call, const QString &op, const QJsonObject &frame);
    void validate(int call, const QJsonObject &frame);
    void transform(int call, const QJsonObject &frame);
    void pong(int call);
    // Made on first use: only the validator host validates and transforms.
    ValidationWorkers *validators();
    DriverTransformer *transformer();
    void send(const QString &event, QJsonObject fields);
    void maybeFinish();

    // Calls into one instance, for driver_metrics (collected where they happen).
    struct CallFigures
    {
        QString deviceId;
        int calls = 0;
        int errors = 0;
        int timeouts = 0;
        QList<double> recentMs;   // the latest durations, for percentiles
    };
    void record(int inst, const CallResult &result);

    HostChannel *m_channel;
    QHash<int, CallFigures> m_figures;
    std::unique_ptr<Watchdog> m_watchdog;
    RuntimeSettings m_settings;
    int m_validationBudgetMs = 2000;
    QHash<int, DriverInstance *> m_instances;
    std::unique_ptr<ValidationWorkers> m_validators;
    std::unique_ptr<DriverTransformer> m_transformer;   // one kept engine
    bool m_shuttingDown = false;
};
