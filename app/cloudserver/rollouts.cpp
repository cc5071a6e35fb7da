#include "cloudserver/rollouts.h"

#include "cloudserver/cloudserver.h"

#include <QDateTime>
#include <QLoggingCategory>

#include <algorithm>
#include <cmath>
#include <memory>
#include <tuple>

Q_LOGGING_CATEGORY(lcRollouts, "cloud.rollouts", QtInfoMsg)

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

bool inFlight(const QString &state)
{
    return state == u"sending" || state == u"sent" || state == u"in_progress";
}

} // namespace

RolloutManager::RolloutManager(CloudDatabase *database, CloudServer *cloud, QObject *parent)
    : QObject(parent), m_database(database), m_cloud(cloud)
{
    connect(cloud, &CloudServer::deploymentChanged, this, &RolloutManager::onDeploymentChanged);
    connect(cloud, &CloudServer::controllerConnected, this, &RolloutManager::onConnected);
    connect(cloud, &CloudServer::controllerDisconnected, this, &RolloutManager::onDisconnected);
    m_sweep.setInterval(250);
    connect(&m_sweep, &QTimer::timeout, this, &RolloutManager::sweep);
    restore();
}

void RolloutManager::restore()
{
    QString error;
    const QList<RolloutRow> rows = m_database->unfinishedRollouts(&error);
    if (!error.isEmpty())
        qCWarning(lcRollouts).noquote() << "cannot read the unfinished rollouts:" << error;
    for (const RolloutRow &row : rows) {
        Rollout &r = m_active[row.rolloutId];
        r.row = row;
        for (const RolloutSiteRow &s : m_database->rolloutSites(row.rolloutId, &error))
            r.sites[s.controllerId].row = s;
        track(r);
        qCInfo(lcRollouts).noquote() << "resuming rollout" << row.rolloutId << "(" << row.state << ")";
    }
    if (m_active.isEmpty())
        return;
    // Nobody is connected yet: a batch now would find every site offline.
    m_holdUntil = nowMs() + reconnectGraceMs;
    QTimer::singleShot(reconnectGraceMs, this, [this] {
        m_holdUntil = 0;   // a coarse timer may fire a little early
        for (const QString &id : m_active.keys())
            advance(id);
    });
    // An outcome stored just before the stop, whose site row was not updated
    // yet (collected first: applying one may finish its rollout).
    QList<std::tuple<QString, QString, QString>> outcomes;
    for (const Rollout &r : std::as_const(m_active)) {
        for (const Site &s : r.sites) {
            for (const QString &syncId : {s.row.syncId, s.row.rollbackSyncId}) {
                const std::optional<DeploymentRow> d = syncId.isEmpty() ? std::nullopt : m_database->deployment(syncId);
                if (d && (d->status == u"active" || d->status == u"failed"))
                    outcomes.append({syncId, d->status, d->errorMessage});
            }
        }
    }
    for (const auto &[syncId, status, errorMessage] : outcomes)
        onDeploymentChanged(syncId, status, errorMessage);
}

void RolloutManager::track(Rollout &r)
{
    for (const Site &s : std::as_const(r.sites)) {
        if (!s.row.syncId.isEmpty())
            m_bySync.insert(s.row.syncId, {r.row.rolloutId, s.row.controllerId});
        if (!s.row.rollbackSyncId.isEmpty())
            m_bySync.insert(s.row.rollbackSyncId, {r.row.rolloutId, s.row.controllerId});
        QStringList &mine = m_byController[s.row.controllerId];
        if (!mine.contains(r.row.rolloutId))
            mine.append(r.row.rolloutId);
    }
    m_sweep.start();
}

// Written through on the database thread, in the order of the changes (urgent
// jobs run first come, first served): memory is the truth while a rollout
// is under way, the rows what a restart resumes from.
void RolloutManager::save(const RolloutRow &r)
{
    m_cloud->store()->post(
        CloudStore::Priority::Urgent, [r](CloudDatabase &db) { return db.updateRollout(r); },
        [id = r.rolloutId](const QString &error) {
            if (!error.isEmpty())
                qCWarning(lcRollouts).noquote() << "cannot store rollout" << id << ":" << error;
        });
}

void RolloutManager::save(Site &s, const QString &state, const QString &errorMessage)
{
    s.row.state = state;
    if (!errorMessage.isEmpty())
        s.row.errorMessage = errorMessage;
    m_cloud->store()->post(
        CloudStore::Priority::Urgent, [row = s.row](CloudDatabase &db) { return db.updateRolloutSite(row); },
        [id = s.row.rolloutId, controllerId = s.row.controllerId](const QString &error) {
            if (!error.isEmpty())
                qCWarning(lcRollouts).noquote() << "cannot store site" << controllerId << "of rollout" << id << ":" << error;
        });
}

void RolloutManager::startClock(Rollout &r, Site &s)
{
    s.remaining = -1;
    s.deadline = nowMs() + r.row.siteTimeoutMs;
}

RolloutManager::Site *RolloutManager::awaitingAnswer(const QString &rolloutId, const QString &controllerId, const QString &state)
{
    const auto r = m_active.find(rolloutId);
    if (r == m_active.end())
        return nullptr;
    const auto s = r->sites.find(controllerId);
    return s != r->sites.end() && s->row.state == state ? &*s : nullptr;
}

void RolloutManager::send(Rollout &r, Site &s)
{
    QJsonObject request = r.row.payload;
    request.insert(QStringLiteral("controller_id"), s.row.controllerId);
    s.row.previousVersion = m_cloud->driverVersion(s.row.controllerId, r.row.driverType);
    dispatch(r, s, QStringLiteral("sending"), &RolloutSiteRow::syncId, QStringLiteral("sent"), QStringLiteral("failed"),
             [this, request](const Reply &then) { m_cloud->deploy(request, then); });
}

void RolloutManager::rollBack(Rollout &r, Site &s)
{
    if (!m_cloud->isConnected(s.row.controllerId)) {
        s.deadline = 0;
        save(s, QStringLiteral("rollback_queued"));
        return;
    }
    QJsonObject request{{QStringLiteral("controller_id"), s.row.controllerId}, {QStringLiteral("driver_type"), r.row.driverType}};
    // Unknown: the controller's own "version before the active one".
    if (!s.row.previousVersion.isEmpty())
        request.insert(QStringLiteral("version"), s.row.previousVersion);
    dispatch(r, s, QStringLiteral("rollback_sending"), &RolloutSiteRow::rollbackSyncId, QStringLiteral("rolling_back"),
             QStringLiteral("rollback_failed"), [this, request](const Reply &then) { m_cloud->rollback(request, then); });
}

void RolloutManager::dispatch(Rollout &r, Site &s, const QString &pending, QString RolloutSiteRow::*syncIdOf,
                              const QString &sentState, const QString &failedState, const std::function<void(const Reply &)> &call)
{
    // `pending` is in memory only: deploy and rollback answer once the
    // deployment row is committed (on the database thread), and the message
    // goes out then; the site counts as under way meanwhile. Not stored:
    // after a restart the site is where it was before and is sent again.
    s.row.state = pending;
    s.deadline = 0;
    auto answeredInCall = std::make_shared<bool>(true);
    const QString rolloutId = r.row.rolloutId;
    const QString controllerId = s.row.controllerId;
    call([this, rolloutId, controllerId, pending, syncIdOf, sentState, failedState, answeredInCall](const QJsonObject &answer) {
        Site *site = awaitingAnswer(rolloutId, controllerId, pending);
        if (!site)
            return;
        if (!answer.value(QStringLiteral("ok")).toBool() && !m_cloud->isConnected(controllerId)) {
            // Gone while its row was committed: it gets it when it is back,
            // like a site that was offline when its batch came.
            save(*site, pending == u"sending" ? QStringLiteral("queued") : QStringLiteral("rollback_queued"));
        } else if (!answer.value(QStringLiteral("ok")).toBool()) {
            const QString why = answer.value(QStringLiteral("error")).toString();
            qCWarning(lcRollouts).noquote() << "rollout" << rolloutId << ": cannot send to" << controllerId << ":" << why;
            save(*site, failedState, why);
        } else {
            site->row.*syncIdOf = answer.value(QStringLiteral("sync_id")).toString();
            m_bySync.insert(site->row.*syncIdOf, {rolloutId, controllerId});
            startClock(m_active[rolloutId], *site);
            save(*site, sentState);
        }
        // An answer inside the call is a refusal: the caller's loop goes on.
        if (!*answeredInCall)
            advance(rolloutId);
    });
    *answeredInCall = false;
}

void RolloutManager::onDeploymentChanged(const QString &syncId, const QString &status, const QString &errorMessage)
{
    const auto key = m_bySync.constFind(syncId);
    if (key == m_bySync.constEnd() || !m_active.contains(key->first))
        return;
    const QString rolloutId = key->first;
    Rollout &r = m_active[rolloutId];
    Site &s = r.sites[key->second];
    const bool done = status == u"active" || status == u"failed";
    const QString error = status == u"failed" ? errorMessage : QString();
    if (syncId == s.row.syncId) {
        if (status == u"in_progress" && s.row.state == u"sent") {
            save(s, QStringLiteral("in_progress"));
        } else if (done && (inFlight(s.row.state) || (s.row.state == u"timed_out" && r.row.state == u"aborting"))) {
            s.deadline = 0;
            save(s, status, error);
            // Taken after the abort (or after its timeout): undone like the others.
            if (status == u"active" && r.row.state == u"aborting")
                rollBack(r, s);
        } else if (done) {
            qCInfo(lcRollouts).noquote() << "late outcome" << status << "of" << s.row.controllerId << "in rollout" << rolloutId
                                         << "ignored: the site is" << s.row.state;
        }
    } else if (syncId == s.row.rollbackSyncId && done && s.row.state == u"rolling_back") {
        s.deadline = 0;
        save(s, status == u"active" ? QStringLiteral("rolled_back") : QStringLiteral("rollback_failed"), error);
    }
    if (done)
        advance(rolloutId);
}

void RolloutManager::onConnected(const QString &controllerId)
{
    const QStringList ids = m_byController.value(controllerId);
    for (const QString &id : ids) {
        if (!m_active.contains(id))
            continue;
        Rollout &r = m_active[id];
        Site &s = r.sites[controllerId];
        // The timeout counts connected time only: it goes on with what was left.
        // (Not while deploy's answer is awaited: the clock starts with it.)
        if (((inFlight(s.row.state) && s.row.state != u"sending") || s.row.state == u"rolling_back") && s.deadline == 0)
            s.deadline = nowMs() + (s.remaining >= 0 ? s.remaining : r.row.siteTimeoutMs);
        if (s.row.state == u"queued" && r.row.state == u"running")
            send(r, s);
        else if (s.row.state == u"rollback_queued")
            rollBack(r, s);
        advance(id);
    }
}

void RolloutManager::onDisconnected(const QString &controllerId)
{
    const QStringList ids = m_byController.value(controllerId);
    for (const QString &id : ids) {
        if (!m_active.contains(id))
            continue;
        Site &s = m_active[id].sites[controllerId];
        if (s.deadline > 0) {
            s.remaining = std::max<qint64>(0, s.deadline - nowMs());
            s.deadline = 0;
        }
    }
}

void RolloutManager::sweep()
{
    const qint64 now = nowMs();
    QStringList touched;
    for (Rollout &r : m_active) {
        for (Site &s : r.sites) {
            if (s.deadline == 0 || now < s.deadline)
                continue;
            s.deadline = 0;
            const QString why = QStringLiteral("no outcome within %1 ms of connected time").arg(r.row.siteTimeoutMs);
            if (s.row.state == u"rolling_back")
                save(s, QStringLiteral("rollback_failed"), why);
            else if (inFlight(s.row.state))
                save(s, QStringLiteral("timed_out"), why);
            else
                continue;
            qCWarning(lcRollouts).noquote() << "rollout" << r.row.rolloutId << ": site" << s.row.controllerId << why;
            touched << r.row.rolloutId;
        }
    }
    touched.removeDuplicates();
    for (const QString &id : touched)
        advance(id);
}

void RolloutManager::advance(const QString &rolloutId)
{
    if (!m_active.contains(rolloutId))
        return;
    Rollout &r = m_active[rolloutId];
    for (;;) {
        QHash<QString, int> n;
        for (const Site &s : std::as_const(r.sites))
            ++n[s.row.state];
        const int inflight = n.value(QStringLiteral("sending")) + n.value(QStringLiteral("sent")) + n.value(QStringLiteral("in_progress"));
        if (r.row.state == u"aborting") {
            if (inflight == 0 && n.value(QStringLiteral("rolling_back")) == 0 && n.value(QStringLiteral("rollback_queued")) == 0
                && n.value(QStringLiteral("rollback_sending")) == 0)
                finish(r, QStringLiteral("aborted"));
            return;
        }
        // Abort as soon as the rate is past the threshold even if every site
        // still under way succeeds; at a batch's end that is the rate itself.
        const int failures = n.value(QStringLiteral("failed")) + n.value(QStringLiteral("timed_out"));
        const int decided = failures + n.value(QStringLiteral("active")) + inflight;
        if (failures > 0 && failures * 100.0 > r.row.maxFailurePercent * decided) {
            abort(r, QStringLiteral("failure rate %1 of %2 sites passed %3 %").arg(failures).arg(decided).arg(r.row.maxFailurePercent));
            continue;
        }
        if (r.row.state != u"running" || nowMs() < m_holdUntil)
            return;
        // Queued sites that are back (e.g. while it was paused) go first.
        bool sentQueued = false;
        for (Site &s : r.sites) {
            if (s.row.state == u"queued" && m_cloud->isConnected(s.row.controllerId)) {
                send(r, s);
                sentQueued = true;
            }
        }
        if (sentQueued)
            continue;
        if (inflight == 0 && n.value(QStringLiteral("waiting")) > 0) {
            dispatchBatch(r);
            continue;   // sends may have failed at once, or every site of the batch was offline
        }
        if (inflight == 0 && n.value(QStringLiteral("waiting")) == 0 && n.value(QStringLiteral("queued")) == 0)
            finish(r, QStringLiteral("completed"));
        return;
    }
}

void RolloutManager::dispatchBatch(Rollout &r)
{
    const int total = int(r.sites.size());
    int size = r.row.canary;
    if (r.row.batch >= 0)
        size = r.row.batchSize > 0 ? r.row.batchSize : int(std::ceil(r.row.batchPercent * total / 100.0));
    size = std::max(1, size);
    ++r.row.batch;
    save(r.row);
    // Connected sites first: an offline one holds no batch back, it is
    // queued and gets the version when it comes back.
    QList<Site *> chosen;
    for (bool connected : {true, false}) {
        for (Site &s : r.sites) {
            if (chosen.size() < size && s.row.state == u"waiting" && m_cloud->isConnected(s.row.controllerId) == connected)
                chosen << &s;
        }
    }
    qCInfo(lcRollouts).noquote() << "rollout" << r.row.rolloutId << (r.row.batch == 0 ? "canary:" : "batch") << chosen.size() << "sites";
    for (Site *s : chosen) {
        s->row.batch = r.row.batch;
        if (m_cloud->isConnected(s->row.controllerId))
            send(r, *s);
        else
            save(*s, QStringLiteral("queued"));
    }
}

void RolloutManager::abort(Rollout &r, const QString &reason)
{
    qCWarning(lcRollouts).noquote() << "aborting rollout" << r.row.rolloutId << ":" << reason;
    r.row.state = QStringLiteral("aborting");
    r.row.reason = reason;
    save(r.row);
    for (Site &s : r.sites) {
        if (s.row.state == u"waiting" || s.row.state == u"queued")
            save(s, QStringLiteral("skipped"));
        else if (s.row.state == u"active")
            rollBack(r, s);
    }
}

void RolloutManager::finish(Rollout &r, const QString &state)
{
    qCInfo(lcRollouts).noquote() << "rollout" << r.row.rolloutId << state;
    r.row.state = state;
    save(r.row);
    const QString id = r.row.rolloutId;
    for (const Site &s : std::as_const(r.sites)) {
        m_bySync.remove(s.row.syncId);
        m_bySync.remove(s.row.rollbackSyncId);
        m_byController[s.row.controllerId].removeAll(id);
        if (m_byController[s.row.controllerId].isEmpty())
            m_byController.remove(s.row.controllerId);
    }
    m_active.remove(id);   // `r` is gone from here on
    if (m_active.isEmpty())
        m_sweep.stop();
}
