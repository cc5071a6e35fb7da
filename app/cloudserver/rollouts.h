// Staged rollouts of one driver version to many controllers (docs/cloud.md
// "Groups and rollouts"): a canary, then batches, each only once the sites
// sent in the batch before have an outcome; an abort when the failure rate
// passes the threshold, rolling back the sites that took the version; a
// per-site timeout that counts only while the site is connected; offline
// sites queued until they reconnect. It reacts to CloudServer's deployment
// outcomes and connection events; every change is written through to the
// database by key (rollouts, rollout_sites), so a restarted control-cloud
// resumes where it stopped.
#pragma once

#include "cloudserver/clouddatabase.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QTimer>

#include <functional>

class CloudServer;

class RolloutManager : public QObject
{
    Q_OBJECT

public:
    RolloutManager(CloudDatabase *database, CloudServer *cloud, QObject *parent = nullptr);

    // The admin ops rollout_*, publish and group_* (rolloutadmin.cpp); false
    // when `op` is none of them.
    using Reply = std::function<void(const QJsonObject &answer)>;
    // Starting a rollout answers once it is recorded (on the database thread).
    bool handleAdmin(const QString &op, const QJsonObject &request, const Reply &reply);
    // The newest `limit` rollouts: with `sites`, each with its per-site
    // states (the deployments view), else their counts per state only.
    QJsonArray list(int limit, bool sites) const;
    // How many rollouts the deployments view shows with their sites.
    static constexpr int deploymentsViewRollouts = 10;

    // After a restart, how long the restored rollouts wait for their
    // controllers to come back before starting a new batch.
    static constexpr int reconnectGraceMs = 5000;

private:
    struct Site
    {
        RolloutSiteRow row;
        qint64 deadline = 0;     // ms since the epoch; 0: not counting (offline, or nothing awaited)
        qint64 remaining = -1;   // ms left when its controller went away; -1: the whole timeout
    };
    struct Rollout
    {
        RolloutRow row;
        QMap<QString, Site> sites;   // by controller id, so batches go in id order
    };

    // rolloutadmin.cpp
    void start(const QJsonObject &request, const QStringList &controllerIds, const QString &target, const Reply &reply);
    void startFromRequest(const QJsonObject &request, const Reply &reply);
    void publish(const QJsonObject &request, const Reply &reply);
    QJsonObject status(const QString &rolloutId) const;
    QJsonObject setPaused(const QString &rolloutId, bool paused);
    QJsonObject abortByOperator(const QString &rolloutId);
    // group_* (create, add, remove written on the store's thread).
    void group(const QString &op, const QJsonObject &request, const Reply &reply);
    // A group's answer: its members, each connected or not.
    QJsonObject membersAnswer(const QString &name, const QStringList &members) const;
    static QJsonObject rolloutJson(const RolloutRow &row, const QList<RolloutSiteRow> &sites);

    // rollouts.cpp: the state machine.
    void restore();
    void track(Rollout &r);
    void onDeploymentChanged(const QString &syncId, const QString &status, const QString &errorMessage);
    void onConnected(const QString &controllerId);
    void onDisconnected(const QString &controllerId);
    void advance(const QString &rolloutId);
    void dispatchBatch(Rollout &r);
    void send(Rollout &r, Site &s);
    // The site, when its rollout is still under way and the site still in
    // `state` (waiting for deploy's or rollback's answer).
    Site *awaitingAnswer(const QString &rolloutId, const QString &controllerId, const QString &state);
    void rollBack(Rollout &r, Site &s);
    // Puts the site in `pending` and runs `call` (deploy or rollback) with
    // the handler of its answer: the sync_id into `syncIdOf` and `sentState`,
    // or `failedState` with the error.
    void dispatch(Rollout &r, Site &s, const QString &pending, QString RolloutSiteRow::*syncIdOf, const QString &sentState,
                  const QString &failedState, const std::function<void(const Reply &)> &call);
    void abort(Rollout &r, const QString &reason);
    void finish(Rollout &r, const QString &state);
    void sweep();
    void startClock(Rollout &r, Site &s);
    void save(const RolloutRow &r);
    void save(Site &s, const QString &state, const QString &errorMessage = {});

    CloudDatabase *m_database;
    CloudServer *m_cloud;
    QHash<QString, Rollout> m_active;                          // running, paused or aborting
    QHash<QString, std::pair<QString, QString>> m_bySync;      // (rollback) sync_id → rollout, controller
    QHash<QString, QStringList> m_byController;                // controller → its active rollouts
    QTimer m_sweep;                                            // per-site timeouts
    qint64 m_holdUntil = 0;                                    // no new batch before (after a restart)
};
