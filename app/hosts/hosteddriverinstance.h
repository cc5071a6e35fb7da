// A driver instance that runs in a driver host process: the controller's
// handle on it. Calls travel as frames; answers come back by call id. When
// the host dies, every call in flight is answered once with the cause and
// the instance reports faulted(cause) and stopped(). Made by DriverHostPool.
#pragma once

#include "runtime/driverhandle.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QJsonObject>
#include <QPointer>
#include <QTimer>

class DriverHostProcess;

class HostedDriverInstance : public DriverHandle
{
    Q_OBJECT

public:
    // `host` null: the instance cannot run (`refusal` says why); every call
    // is answered with it.
    HostedDriverInstance(const DriverSpec &spec, const RuntimeSettings &settings, DriverHostProcess *host,
                         int instanceId, const QString &refusal, QObject *parent = nullptr);
    ~HostedDriverInstance() override;

    void load(Callback done) override;
    void connectDevice(Callback done) override;
    void disconnectDevice(Callback done) override;
    void sendCommand(const QString &command, const QJsonObject &params, Callback done) override;
    void stop() override;
    bool isStopped() const override { return m_stopped; }


    // From DriverHostPool: a frame for this instance, or its host's end.
    void deliver(const QJsonObject &frame);
    void hostDied(const QString &reason);

private:
    void invoke(const QString &op, int timeoutMs, Callback done, QJsonObject fields = {});
    void answer(int call, const CallResult &result);
    // The reply timer fired: answers the calls past their deadline, rearms.
    void answerOverdue();
    void finishStop(const QString &reason);

    RuntimeSettings m_settings;
    QPointer<DriverHostProcess> m_host;
    int m_instanceId;
    QString m_refusal;
    QHash<int, Callback> m_callbacks;
    int m_nextCall = 1;
    // Calls waiting for the host's answer: until when, and what they were.
    struct Deadline
    {
        QDeadlineTimer deadline;
        QString op;
    };
    QHash<int, Deadline> m_deadlines;
    QTimer m_replyTimer;
    QTimer m_stopDeadline;
    bool m_stopping = false;
    bool m_stopped = false;
};
