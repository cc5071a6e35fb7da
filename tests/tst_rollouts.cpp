// Fleet rollouts end to end: a real control-cloud, driven through its
// command line, with controllers that are FakeSites (in this process,
// speaking the protocol over QWebSocket, each told to succeed, fail or stay
// silent) and one real control-nuc. And the report path's cost: the same
// with no history and with 100,000 old deployment rows.
// SQLite, or PostgreSQL with NUC_TEST_DB=postgres (CONTROL_CLOUD_TEST_PG_URL).
#include "cloudprocess.h"

#include "cloudserver/clouddatabase.h"
#include "cloudserver/cloudserver.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTimer>
#include <QUuid>
#include <QWebSocket>

#include <memory>

namespace {

quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// A controller as far as rollouts care: hello with its drivers, answers to
// driver_sync and driver_rollback (or none), reports that could not go out
// sent after the next hello (as a controller does), reconnects by itself.
// With `hold` set it records a driver_sync but answers it only at release():
// the test, not a timer, decides when the outcome goes out.
class FakeSite : public QObject
{
public:
    enum class Answer { Succeed, Fail, Silent };

    FakeSite(const QString &id, quint16 port, Answer answer, QJsonArray drivers = {}, int delayMs = 50)
        : answer(answer), m_id(id), m_port(port), m_drivers(drivers), m_delayMs(delayMs)
    {
        // A refused dial (the cloud restarting) may end without `disconnected`.
        connect(&m_socket, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), this, [this] {
            if (m_online)
                QTimer::singleShot(200, this, [this] { dial(); });
        });
        connect(&m_socket, &QWebSocket::connected, this, [this] {
            emitFrame(QStringLiteral("hello"), QJsonObject{{QStringLiteral("controller_id"), m_id}, {QStringLiteral("drivers"), m_drivers}});
            for (const auto &[type, data] : std::exchange(m_unsent, {}))
                emitFrame(type, data);
        });
        connect(&m_socket, &QWebSocket::disconnected, this, [this] {
            if (m_online)
                QTimer::singleShot(200, this, [this] { dial(); });
        });
        connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) { onFrame(text); });
    }

    void goOnline(quint16 port = 0)
    {
        if (port)
            m_port = port;
        m_online = true;
        dial();
    }
    void goOffline()
    {
        m_online = false;
        m_socket.close();
    }
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    // Stops holding: the held driver_syncs are answered now, later ones as usual.
    void release()
    {
        hold = false;
        for (const QJsonObject &d : std::exchange(m_held, {}))
            respond(d);
    }
    // Frames waiting for the next connection.
    qsizetype unsent() const { return m_unsent.size(); }

    QString id() const { return m_id; }
    Answer answer;
    bool hold = false;
    QStringList syncs;           // sync_ids of the driver_syncs received
    qint64 firstSyncAt = 0;      // when the first one came
    qint64 answeredAt = 0;       // when the last outcome was sent
    QList<QJsonObject> rollbacks;

private:
    void dial()
    {
        if (!m_online || m_socket.state() != QAbstractSocket::UnconnectedState)
            return;
        QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_port)));
        request.setRawHeader("Authorization", "Bearer e2e-token");
        request.setRawHeader("X-Controller-Id", m_id.toUtf8());
        m_socket.open(request);
    }
    void emitFrame(const QString &type, const QJsonObject &data)
    {
        if (!isConnected()) {
            m_unsent.append({type, data});
            return;
        }
        const QJsonObject envelope{{QStringLiteral("type"), type},
                                   {QStringLiteral("timestamp"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
                                   {QStringLiteral("data"), data}};
        m_socket.sendTextMessage(QString::fromUtf8(QJsonDocument(envelope).toJson(QJsonDocument::Compact)));
    }
    void complete(const QJsonObject &d, const QString &version)
    {
        answeredAt = nowMs();
        emitFrame(QStringLiteral("driver_sync_complete"),
                  QJsonObject{{QStringLiteral("sync_id"), d[QStringLiteral("sync_id")]}, {QStringLiteral("driver_id"), QStringLiteral("drv")},
                              {QStringLiteral("driver_type"), d[QStringLiteral("driver_type")]}, {QStringLiteral("version"), version},
                              {QStringLiteral("file_path"), QStringLiteral("/fake/driver.js")}});
    }
    void onFrame(const QString &text)
    {
        const QJsonObject envelope = QJsonDocument::fromJson(text.toUtf8()).object();
        const QString type = envelope[QStringLiteral("type")].toString();
        const QJsonObject d = envelope[QStringLiteral("data")].toObject();
        if (type == u"driver_rollback") {
            rollbacks << d;
            complete(d, d[QStringLiteral("version")].toString(QStringLiteral("(previous)")));
        } else if (type == u"driver_sync") {
            syncs << d[QStringLiteral("sync_id")].toString();
            if (!firstSyncAt)
                firstSyncAt = nowMs();
            if (answer == Answer::Silent)
                return;
            emitFrame(QStringLiteral("driver_sync_progress"),
                      QJsonObject{{QStringLiteral("sync_id"), d[QStringLiteral("sync_id")]}, {QStringLiteral("step"), QStringLiteral("validating")}});
            if (hold)
                m_held << d;
            else
                QTimer::singleShot(m_delayMs, this, [this, d] { respond(d); });
        }
    }
    // The outcome of driver_sync `d`, as `answer` says.
    void respond(const QJsonObject &d)
    {
        if (answer == Answer::Succeed) {
            complete(d, d[QStringLiteral("version")].toString());
        } else {
            answeredAt = nowMs();
            emitFrame(QStringLiteral("driver_sync_error"),
                      QJsonObject{{QStringLiteral("sync_id"), d[QStringLiteral("sync_id")]}, {QStringLiteral("driver_id"), QJsonValue()},
                                  {QStringLiteral("driver_type"), d[QStringLiteral("driver_type")]},
                                  {QStringLiteral("error_message"), QStringLiteral("Driver validation failed: on purpose")}});
        }
    }

    QString m_id;
    quint16 m_port;
    QJsonArray m_drivers;
    int m_delayMs;
    bool m_online = false;
    QWebSocket m_socket;
    QList<std::pair<QString, QJsonObject>> m_unsent;
    QList<QJsonObject> m_held;   // driver_syncs not answered until release()
};

using Answer = FakeSite::Answer;

// hello's drivers: version 1.0.0 of `type`.
QJsonArray runs(const QString &type)
{
    return QJsonArray{QJsonObject{{QStringLiteral("driver_type"), type}, {QStringLiteral("version"), QStringLiteral("1.0.0")}}};
}

} // namespace

class tst_Rollouts : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void groupsCreateAddRemoveShow();
    void canaryThenBatchesWithARealController();
    void abortPastTheThresholdRollsBackTakenSites();
    void silenceTimesOutCountingConnectedTimeOnly();
    void offlineSiteGetsItWhenItReconnects();
    void pauseHoldsTheNextBatchUntilResume();
    void operatorAbortRollsBackWhatWasTaken();
    void restartMidRolloutResumes();
    void publishGoesToTheSitesRunningTheType();
    void reportPathCostDoesNotGrowWithHistory();
    void operatorViewsReadTheNewestRows();

private:
    FakeSite *site(const QString &id, Answer answer, QJsonArray drivers = {}, int delayMs = 50);
    int cli(const QStringList &args, QString *out = nullptr, int timeoutMs = 40000)
    {
        return CloudProcess::cli(m_admin, args, out, timeoutMs);
    }
    void group(const QString &name, const QStringList &ids);
    // Starts a rollout of the fake driver to `group`; its id.
    QString startRollout(const QString &group, const QStringList &options, const QString &version = QStringLiteral("2.0.0"));
    QJsonObject status(const QString &rolloutId);
    // Three sites (site-1…3, answering after `delayMs`) in group g and a
    // rollout to it, one site a batch, paused while the canary (site-1)
    // holds its answer, which it then sends; the rollout's id ("" on
    // failure), what pause printed in `out`.
    QString startPaused(const QJsonArray &drivers, int delayMs, QString *out);
    QString siteState(const QString &rolloutId, const QString &controllerId);
    // When the cloud stored deployment `syncId` as active (invalid: not active).
    QDateTime deployedAt(const QString &syncId);
    bool waitForState(const QString &rolloutId, const QString &state, int timeoutMs = 20000);
    bool waitForConnected(const QStringList &ids);
    // A second connection ("seed") to the cloud's database at `location`,
    // opened, for writing rows as an old history would have left them.
    QSqlDatabase seedConnection(const QString &location);

    QString m_database;
    bool m_postgres = false;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_cloud;
    std::vector<std::unique_ptr<FakeSite>> m_sites;
    quint16 m_port = 0;
    QString m_admin;
    QString m_driverFile;
};

void tst_Rollouts::initTestCase()
{
    QVERIFY2(QFile::exists(CloudProcess::binary()), qPrintable(CloudProcess::binary()));
    CloudProcess::chooseDatabase(&m_postgres, &m_database);
}

void tst_Rollouts::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    if (m_postgres)
        QCOMPARE(CloudProcess::resetPostgres(m_database), QString());
    else
        m_database = m_dir->filePath(QStringLiteral("cloud.sqlite"));
    m_port = freePort();
    m_admin = m_dir->filePath(QStringLiteral("admin/admin.sock"));
    m_driverFile = m_dir->filePath(QStringLiteral("lamp.js"));
    QFile f(m_driverFile);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("// the fake sites do not run it\n");
    f.close();
    if (QByteArray(QTest::currentTestFunction()) != "reportPathCostDoesNotGrowWithHistory"
        && QByteArray(QTest::currentTestFunction()) != "operatorViewsReadTheNewestRows") {
        m_cloud = CloudProcess::start(m_database, m_port, m_admin);
        QVERIFY2(m_cloud, "control-cloud did not start");
    }
}

void tst_Rollouts::cleanup()
{
    m_sites.clear();
    if (m_cloud) {
        m_cloud->terminate();
        QVERIFY(m_cloud->waitForFinished(10000));
        if (QTest::currentTestFailed())
            qInfo().noquote() << "control-cloud said:\n" << m_cloud->readAll();
    }
    m_cloud.reset();
    m_dir.reset();
}

FakeSite *tst_Rollouts::site(const QString &id, Answer answer, QJsonArray drivers, int delayMs)
{
    m_sites.push_back(std::make_unique<FakeSite>(id, m_port, answer, drivers, delayMs));
    m_sites.back()->goOnline();
    return m_sites.back().get();
}

bool tst_Rollouts::waitForConnected(const QStringList &ids)
{
    return QTest::qWaitFor([&] {
        const QJsonArray list = CloudProcess::cliJson(m_admin, {QStringLiteral("controllers")}).value(QStringLiteral("controllers")).toArray();
        int connected = 0;
        for (const QJsonValue &v : list)
            connected += ids.contains(v[QStringLiteral("controller_id")].toString()) && v[QStringLiteral("connected")].toBool();
        return connected == ids.size();
    }, 15000);
}

QSqlDatabase tst_Rollouts::seedConnection(const QString &location)
{
    QSqlDatabase d = m_postgres ? CloudProcess::postgres(m_database, QStringLiteral("seed"))
                                : QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("seed"));
    if (!m_postgres)
        d.setDatabaseName(location);
    d.open();
    return d;
}

void tst_Rollouts::group(const QString &name, const QStringList &ids)
{
    QString out;
    QVERIFY2(cli({QStringLiteral("groups"), QStringLiteral("create"), name}, &out) == 0, qPrintable(out));
    QVERIFY2(cli(QStringList{QStringLiteral("groups"), QStringLiteral("add"), name} + ids, &out) == 0, qPrintable(out));
}

QString tst_Rollouts::startRollout(const QString &group, const QStringList &options, const QString &version)
{
    QString out;
    const int status = cli(QStringList{QStringLiteral("rollout"), QStringLiteral("start"), QStringLiteral("--group"), group,
                                       QStringLiteral("--file"), m_driverFile, QStringLiteral("--type"), QStringLiteral("lamp"),
                                       QStringLiteral("--version"), version} + options, &out);
    if (status != 0 || !out.startsWith(u"rollout ")) {
        qWarning().noquote() << out;
        return {};
    }
    return out.section(QLatin1Char(' '), 1, 1);
}

QString tst_Rollouts::startPaused(const QJsonArray &drivers, int delayMs, QString *out)
{
    QStringList ids;
    for (int i = 1; i <= 3; ++i)
        ids << site(QStringLiteral("site-%1").arg(i), Answer::Succeed, drivers, delayMs)->id();
    // The canary cannot finish before the pause, however slow the machine.
    FakeSite *canary = m_sites.at(m_sites.size() - 3).get();
    canary->hold = true;
    if (!waitForConnected(ids))
        return {};
    group(QStringLiteral("g"), ids);
    const QString id = startRollout(QStringLiteral("g"), {QStringLiteral("--batch-size"), QStringLiteral("1")});
    if (id.isEmpty() || cli({QStringLiteral("rollout"), QStringLiteral("pause"), id}, out) != 0)
        return {};
    canary->release();
    return id;
}

QJsonObject tst_Rollouts::status(const QString &rolloutId)
{
    return CloudProcess::cliJson(m_admin, {QStringLiteral("rollout"), QStringLiteral("status"), rolloutId})
        .value(QStringLiteral("rollout")).toObject();
}

QString tst_Rollouts::siteState(const QString &rolloutId, const QString &controllerId)
{
    for (const QJsonValue &s : status(rolloutId).value(QStringLiteral("sites")).toArray()) {
        if (s[QStringLiteral("controller_id")].toString() == controllerId)
            return s[QStringLiteral("state")].toString();
    }
    return {};
}

QDateTime tst_Rollouts::deployedAt(const QString &syncId)
{
    const QJsonArray list = CloudProcess::cliJson(m_admin, {QStringLiteral("deployments")}).value(QStringLiteral("deployments")).toArray();
    for (const QJsonValue &d : list) {
        if (d[QStringLiteral("sync_id")].toString() == syncId)
            return QDateTime::fromString(d[QStringLiteral("deployed_at")].toString(), Qt::ISODateWithMs);
    }
    return {};
}

bool tst_Rollouts::waitForState(const QString &rolloutId, const QString &state, int timeoutMs)
{
    const bool reached = QTest::qWaitFor([&] { return status(rolloutId).value(QStringLiteral("state")).toString() == state; }, timeoutMs);
    if (!reached)
        qWarning().noquote() << QJsonDocument(status(rolloutId)).toJson();
    return reached;
}

void tst_Rollouts::groupsCreateAddRemoveShow()
{
    // Ids need not have connected yet; one that is connected shows so.
    QVERIFY(waitForConnected({site(QStringLiteral("on"), Answer::Succeed)->id()}));
    group(QStringLiteral("lobby"), {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
    QString out;
    QCOMPARE(cli({QStringLiteral("groups"), QStringLiteral("create"), QStringLiteral("lobby")}, &out), 1);
    QVERIFY2(out.contains(u"group lobby exists already"), qPrintable(out));
    // Adding a member again changes nothing; the answer is the group as written.
    const QJsonObject added = CloudProcess::cliJson(m_admin, {QStringLiteral("groups"), QStringLiteral("add"), QStringLiteral("lobby"),
                                                              QStringLiteral("a"), QStringLiteral("on")});
    QCOMPARE(added.value(QStringLiteral("members")).toArray(),
             QJsonArray({QJsonObject{{QStringLiteral("controller_id"), QStringLiteral("a")}, {QStringLiteral("connected"), false}},
                         QJsonObject{{QStringLiteral("controller_id"), QStringLiteral("b")}, {QStringLiteral("connected"), false}},
                         QJsonObject{{QStringLiteral("controller_id"), QStringLiteral("c")}, {QStringLiteral("connected"), false}},
                         QJsonObject{{QStringLiteral("controller_id"), QStringLiteral("on")}, {QStringLiteral("connected"), true}}}));
    QCOMPARE(cli({QStringLiteral("groups"), QStringLiteral("remove"), QStringLiteral("lobby"), QStringLiteral("b")}, &out), 0);
    QCOMPARE(cli({QStringLiteral("groups"), QStringLiteral("show"), QStringLiteral("lobby")}, &out), 0);
    QVERIFY2(out.contains(u"a ") && out.contains(u"c ") && !out.contains(u"b ") && out.contains(QRegularExpression(QStringLiteral("on +connected"))),
             qPrintable(out));
    // Removing an id that is not a member is refused, and removes nothing.
    QCOMPARE(cli({QStringLiteral("groups"), QStringLiteral("remove"), QStringLiteral("lobby"), QStringLiteral("a"), QStringLiteral("zz")}, &out), 1);
    QVERIFY2(out.contains(u"not in group lobby: zz"), qPrintable(out));
    QCOMPARE(cli({QStringLiteral("groups"), QStringLiteral("list")}, &out), 0);
    QVERIFY2(out.contains(QRegularExpression(QStringLiteral("lobby +3"))), qPrintable(out));
    // An unknown group, for each command that needs one.
    for (const char *verb : {"add", "remove", "show"}) {
        QStringList args{QStringLiteral("groups"), QLatin1String(verb), QStringLiteral("nosuch")};
        if (qstrcmp(verb, "show") != 0)
            args << QStringLiteral("a");
        QCOMPARE(cli(args, &out), 1);
        QVERIFY2(out.contains(u"no group nosuch"), qPrintable(QLatin1String(verb) + u": " + out));
    }
    // The answer came once the rows were committed: another connection sees them.
    {
        QSqlDatabase d = seedConnection(m_database);
        QVERIFY2(d.isOpen(), qPrintable(d.lastError().text()));
        QSqlQuery q(d);
        QVERIFY2(q.exec(QStringLiteral("SELECT controller_id FROM group_members WHERE group_name = 'lobby' ORDER BY controller_id")),
                 qPrintable(q.lastError().text()));
        QStringList members;
        while (q.next())
            members << q.value(0).toString();
        QCOMPARE(members, QStringList({QStringLiteral("a"), QStringLiteral("c"), QStringLiteral("on")}));
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM controller_groups WHERE group_name = 'nosuch'")) && q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        q.finish();
        d.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("seed"));
    // A rollout to an empty or unknown group is refused.
    QCOMPARE(cli({QStringLiteral("groups"), QStringLiteral("create"), QStringLiteral("empty")}), 0);
    QVERIFY(startRollout(QStringLiteral("empty"), {}).isEmpty());
    QVERIFY(startRollout(QStringLiteral("nosuch"), {}).isEmpty());
}

void tst_Rollouts::canaryThenBatchesWithARealController()
{
    // The canary is the real control-nuc ("a-nuc": connected sites go in id order).
    QProcess nuc;
    nuc.setProcessChannelMode(QProcess::ForwardedChannels);
    nuc.start(QStringLiteral(CONTROL_NUC_BINARY),
              {QStringLiteral("--headless"), QStringLiteral("--root"), m_dir->filePath(QStringLiteral("a-nuc")),
               QStringLiteral("--cloud-url"), QStringLiteral("ws://127.0.0.1:%1/").arg(m_port), QStringLiteral("--token"),
               QStringLiteral("e2e-token"), QStringLiteral("--controller-id"), QStringLiteral("a-nuc"),
               QStringLiteral("--log-level"), QStringLiteral("warning")});
    QVERIFY(nuc.waitForStarted(5000));
    auto stopNuc = qScopeGuard([&] { nuc.terminate(); nuc.waitForFinished(10000); });
    QStringList ids{QStringLiteral("a-nuc")};
    for (int i = 1; i <= 5; ++i)
        ids << site(QStringLiteral("site-%1").arg(i), Answer::Succeed, {}, 300)->id();
    QVERIFY(waitForConnected(ids));
    group(QStringLiteral("all"), ids);
    m_driverFile = QStringLiteral(NUC_SOURCE_DIR "/resources/examples/tcp-projector.js");
    QString out;
    QCOMPARE(cli({QStringLiteral("rollout"), QStringLiteral("start"), QStringLiteral("--group"), QStringLiteral("all"),
                  QStringLiteral("--file"), m_driverFile, QStringLiteral("--type"), QStringLiteral("lamp"), QStringLiteral("--version"),
                  QStringLiteral("2.0.0"), QStringLiteral("--canary"), QStringLiteral("1"), QStringLiteral("--batch-size"),
                  QStringLiteral("2"), QStringLiteral("--follow")}, &out, 60000), 0);
    QVERIFY2(out.contains(u": completed, batch 3: 6 sites: active 6"), qPrintable(out));
    const QString id = out.section(QLatin1Char(' '), 1, 1);
    const QJsonObject r = status(id);
    QCOMPARE(r.value(QStringLiteral("state")).toString(), QStringLiteral("completed"));
    QMap<QString, int> batchOf;
    for (const QJsonValue &s : r.value(QStringLiteral("sites")).toArray()) {
        QCOMPARE(s[QStringLiteral("state")].toString(), QStringLiteral("active"));
        batchOf[s[QStringLiteral("controller_id")].toString()] = s[QStringLiteral("batch")].toInt();
    }
    QCOMPARE(batchOf.value(QStringLiteral("a-nuc")), 0);
    QCOMPARE(batchOf.values(), (QList<int>{0, 1, 1, 2, 2, 3}));
    // The real controller stored the driver.
    QVERIFY(QFile::exists(m_dir->filePath(QStringLiteral("a-nuc/var/drivers/lamp.js"))));
    // Each batch began only after every outcome of the batch before.
    for (const auto &later : m_sites) {
        for (const auto &earlier : m_sites) {
            if (batchOf.value(earlier->id()) < batchOf.value(later->id()))
                QVERIFY2(later->firstSyncAt >= earlier->answeredAt, qPrintable(earlier->id() + u" / " + later->id()));
        }
    }
    // And batch 1 only after the canary's outcome: the cloud stamps it
    // (deployed_at) when it stores it, before the rollout goes on.
    QString canarySync;
    for (const QJsonValue &s : r.value(QStringLiteral("sites")).toArray()) {
        if (s[QStringLiteral("controller_id")].toString() == u"a-nuc")
            canarySync = s[QStringLiteral("sync_id")].toString();
    }
    QVERIFY(!canarySync.isEmpty());
    const QDateTime canaryDone = deployedAt(canarySync);
    QVERIFY2(canaryDone.isValid(), qPrintable(canarySync));
    for (const auto &later : m_sites) {
        QVERIFY2(later->firstSyncAt >= canaryDone.toMSecsSinceEpoch(),
                 qPrintable(QStringLiteral("%1 at %2, canary done at %3").arg(later->id()).arg(later->firstSyncAt).arg(canaryDone.toMSecsSinceEpoch())));
    }
    // The deployments view shows the rollout with its sites.
    QCOMPARE(cli({QStringLiteral("deployments")}, &out), 0);
    QVERIFY2(out.contains(u"rollout " + id) && out.contains(QRegularExpression(QStringLiteral("site-5 +batch 3 +active"))), qPrintable(out));
}

void tst_Rollouts::abortPastTheThresholdRollsBackTakenSites()
{
    const QJsonArray v1 = runs(QStringLiteral("lamp"));
    QStringList ids;
    for (int i = 1; i <= 6; ++i)
        ids << site(QStringLiteral("site-%1").arg(i), i == 3 ? Answer::Fail : Answer::Succeed, v1)->id();
    QVERIFY(waitForConnected(ids));
    group(QStringLiteral("g"), ids);
    // Default threshold (5 %): the canary and batch 1 (site-2, site-3); one failure of three aborts.
    const QString id = startRollout(QStringLiteral("g"), {QStringLiteral("--batch-size"), QStringLiteral("2")});
    QVERIFY(!id.isEmpty());
    QVERIFY(waitForState(id, QStringLiteral("aborted")));
    const QJsonObject r = status(id);
    QVERIFY2(r.value(QStringLiteral("reason")).toString().startsWith(u"failure rate 1 of 3 sites passed 5 %"),
             qPrintable(r.value(QStringLiteral("reason")).toString()));
    QCOMPARE(siteState(id, QStringLiteral("site-1")), QStringLiteral("rolled_back"));
    QCOMPARE(siteState(id, QStringLiteral("site-2")), QStringLiteral("rolled_back"));
    QCOMPARE(siteState(id, QStringLiteral("site-3")), QStringLiteral("failed"));
    for (int i = 4; i <= 6; ++i) {
        QCOMPARE(siteState(id, QStringLiteral("site-%1").arg(i)), QStringLiteral("skipped"));
        QVERIFY(m_sites.at(i - 1)->syncs.isEmpty());
    }
    // Rolled back to the version each site ran before; the failed one was not touched.
    for (int i : {0, 1}) {
        QCOMPARE(m_sites.at(i)->rollbacks.size(), 1);
        QCOMPARE(m_sites.at(i)->rollbacks.first().value(QStringLiteral("version")).toString(), QStringLiteral("1.0.0"));
        QCOMPARE(m_sites.at(i)->rollbacks.first().value(QStringLiteral("driver_type")).toString(), QStringLiteral("lamp"));
    }
    QVERIFY(m_sites.at(2)->rollbacks.isEmpty());
    QString out;
    QCOMPARE(cli({QStringLiteral("rollout"), QStringLiteral("status"), id, QStringLiteral("--follow")}, &out), 1);
    QVERIFY2(out.contains(u"aborted"), qPrintable(out));
    QCOMPARE(cli({QStringLiteral("rollout"), QStringLiteral("abort"), id}, &out), 1);   // over already
}

void tst_Rollouts::silenceTimesOutCountingConnectedTimeOnly()
{
    FakeSite *ok = site(QStringLiteral("site-1"), Answer::Succeed);
    FakeSite *silent = site(QStringLiteral("site-2"), Answer::Silent);
    QVERIFY(waitForConnected({ok->id(), silent->id()}));
    group(QStringLiteral("g"), {ok->id(), silent->id()});
    const QString id = startRollout(QStringLiteral("g"), {QStringLiteral("--batch-size"), QStringLiteral("1"), QStringLiteral("--max-failures"),
                                                         QStringLiteral("60"), QStringLiteral("--site-timeout-ms"), QStringLiteral("3000")});
    QVERIFY(!id.isEmpty());
    QVERIFY(QTest::qWaitFor([&] { return !silent->syncs.isEmpty(); }, 10000));
    const qint64 sentAt = nowMs();
    // Offline for longer than the timeout: the clock stops meanwhile.
    QTest::qWait(1000);
    silent->goOffline();
    QTest::qWait(3500);
    QCOMPARE(siteState(id, silent->id()), QStringLiteral("sent"));
    silent->goOnline();
    QVERIFY(waitForState(id, QStringLiteral("completed")));
    // About 2 s more of connected time after the reconnect.
    QVERIFY2(nowMs() - sentAt >= 6000, qPrintable(QString::number(nowMs() - sentAt)));
    QCOMPARE(siteState(id, silent->id()), QStringLiteral("timed_out"));
    QCOMPARE(siteState(id, ok->id()), QStringLiteral("active"));
    // 1 of 2 is below 60 %: completed, its failure counted.
    QCOMPARE(status(id).value(QStringLiteral("counts")).toObject().value(QStringLiteral("timed_out")).toInt(), 1);
}

void tst_Rollouts::offlineSiteGetsItWhenItReconnects()
{
    FakeSite *a = site(QStringLiteral("site-1"), Answer::Succeed);
    FakeSite *b = site(QStringLiteral("site-2"), Answer::Succeed);
    QVERIFY(waitForConnected({a->id(), b->id()}));
    // site-3 has never connected: it is queued, not refused.
    group(QStringLiteral("g"), {a->id(), b->id(), QStringLiteral("site-3")});
    const QString id = startRollout(QStringLiteral("g"), {QStringLiteral("--batch-size"), QStringLiteral("1")});
    QVERIFY(!id.isEmpty());
    QVERIFY(QTest::qWaitFor([&] { return siteState(id, QStringLiteral("site-3")) == u"queued"; }, 15000));
    QCOMPARE(siteState(id, a->id()), QStringLiteral("active"));
    QCOMPARE(siteState(id, b->id()), QStringLiteral("active"));
    QTest::qWait(500);
    QCOMPARE(status(id).value(QStringLiteral("state")).toString(), QStringLiteral("running"));
    FakeSite *c = site(QStringLiteral("site-3"), Answer::Succeed);
    QVERIFY(waitForState(id, QStringLiteral("completed")));
    QCOMPARE(c->syncs.size(), 1);
    QCOMPARE(siteState(id, c->id()), QStringLiteral("active"));
}

void tst_Rollouts::pauseHoldsTheNextBatchUntilResume()
{
    QString out;
    const QString id = startPaused({}, 1000, &out);
    QVERIFY(!id.isEmpty());
    QVERIFY2(out.contains(u": paused, canary"), qPrintable(out));
    // The canary still finishes; nothing more is sent while paused.
    QVERIFY(QTest::qWaitFor([&] { return siteState(id, QStringLiteral("site-1")) == u"active"; }, 10000));
    QTest::qWait(1500);
    QVERIFY(m_sites.at(1)->syncs.isEmpty() && m_sites.at(2)->syncs.isEmpty());
    QCOMPARE(status(id).value(QStringLiteral("state")).toString(), QStringLiteral("paused"));
    QCOMPARE(cli({QStringLiteral("rollout"), QStringLiteral("pause"), id}, &out), 1);
    QVERIFY2(cli({QStringLiteral("rollout"), QStringLiteral("resume"), id}, &out) == 0, qPrintable(out));
    QVERIFY(waitForState(id, QStringLiteral("completed")));
    QVERIFY(m_sites.at(2)->firstSyncAt >= m_sites.at(1)->answeredAt);
}

void tst_Rollouts::operatorAbortRollsBackWhatWasTaken()
{
    QString out;
    const QString id = startPaused(runs(QStringLiteral("lamp")), 500, &out);
    QVERIFY(!id.isEmpty());
    QVERIFY(QTest::qWaitFor([&] { return siteState(id, QStringLiteral("site-1")) == u"active"; }, 10000));
    QVERIFY2(cli({QStringLiteral("rollout"), QStringLiteral("abort"), id}, &out) == 0, qPrintable(out));
    QVERIFY(waitForState(id, QStringLiteral("aborted")));
    QCOMPARE(status(id).value(QStringLiteral("reason")).toString(), QStringLiteral("aborted by the operator"));
    QCOMPARE(siteState(id, QStringLiteral("site-1")), QStringLiteral("rolled_back"));
    QCOMPARE(m_sites.at(0)->rollbacks.size(), 1);
    for (int i : {1, 2}) {
        QCOMPARE(siteState(id, m_sites.at(i)->id()), QStringLiteral("skipped"));
        QVERIFY(m_sites.at(i)->syncs.isEmpty());
    }
}

void tst_Rollouts::restartMidRolloutResumes()
{
    QStringList ids;
    for (int i = 1; i <= 4; ++i)
        ids << site(QStringLiteral("site-%1").arg(i), Answer::Succeed)->id();
    FakeSite *canary = m_sites.front().get();
    canary->hold = true;
    QVERIFY(waitForConnected(ids));
    group(QStringLiteral("g"), ids);
    const QString id = startRollout(QStringLiteral("g"), {QStringLiteral("--batch-size"), QStringLiteral("2")});
    QVERIFY(!id.isEmpty());
    QVERIFY(QTest::qWaitFor([&] { return !canary->syncs.isEmpty(); }, 10000));
    // The canary is under way when control-cloud stops; it answers while
    // the cloud is down (the outcome waits for the next hello) and the
    // outcome is applied after the restart.
    m_cloud->terminate();
    QVERIFY(m_cloud->waitForFinished(10000));
    QVERIFY(QTest::qWaitFor([&] { return !canary->isConnected(); }, 5000));
    QCOMPARE(canary->answeredAt, 0);
    canary->release();
    QVERIFY(canary->answeredAt > 0);
    QCOMPARE(canary->unsent(), 1);
    const qint64 restartAt = nowMs();
    m_cloud = CloudProcess::start(m_database, m_port, m_admin);
    QVERIFY2(m_cloud, "control-cloud did not start again");
    QVERIFY(waitForState(id, QStringLiteral("completed"), 30000));
    QCOMPARE(canary->unsent(), 0);
    for (const auto &s : m_sites)
        QCOMPARE(s->syncs.size(), 1);
    // The canary's one sync was made active by the restarted cloud.
    const QDateTime canaryDone = deployedAt(canary->syncs.first());
    QVERIFY2(canaryDone.isValid() && canaryDone.toMSecsSinceEpoch() >= restartAt, qPrintable(canaryDone.toString(Qt::ISODateWithMs)));
    const QJsonObject r = status(id);
    QCOMPARE(r.value(QStringLiteral("counts")).toObject().value(QStringLiteral("active")).toInt(), 4);
    QCOMPARE(r.value(QStringLiteral("batch")).toInt(), 2);
}

void tst_Rollouts::publishGoesToTheSitesRunningTheType()
{
    QStringList ids;
    for (int i = 1; i <= 5; ++i)
        ids << site(QStringLiteral("site-%1").arg(i), Answer::Succeed, runs(i <= 3 ? QStringLiteral("lamp") : QStringLiteral("relay")))->id();
    QVERIFY(waitForConnected(ids));
    // One that runs it but is offline now is part of it too (from its stored hello).
    m_sites.at(2)->goOffline();
    QVERIFY(QTest::qWaitFor([&] { return !m_sites.at(2)->isConnected(); }, 5000));
    QString out;
    QVERIFY2(cli({QStringLiteral("publish"), QStringLiteral("--type"), QStringLiteral("lamp"), QStringLiteral("--file"), m_driverFile,
                  QStringLiteral("--version"), QStringLiteral("1.1.0"), QStringLiteral("--batch-percent"), QStringLiteral("50")}, &out) == 0,
             qPrintable(out));
    QVERIFY2(out.contains(u"started: 3 sites"), qPrintable(out));
    const QString id = out.section(QLatin1Char(' '), 1, 1);
    QVERIFY(QTest::qWaitFor([&] { return siteState(id, QStringLiteral("site-3")) == u"queued"; }, 15000));
    m_sites.at(2)->goOnline();
    QVERIFY(waitForState(id, QStringLiteral("completed")));
    QCOMPARE(status(id).value(QStringLiteral("target")).toString(), QStringLiteral("sites running lamp"));
    for (int i = 0; i < 5; ++i)
        QCOMPARE(m_sites.at(i)->syncs.size(), i < 3 ? 1 : 0);
    QCOMPARE(cli({QStringLiteral("publish"), QStringLiteral("--type"), QStringLiteral("nothing"), QStringLiteral("--file"), m_driverFile,
                  QStringLiteral("--version"), QStringLiteral("1.0.0")}, &out), 1);
    QVERIFY2(out.contains(u"no sites in sites running nothing"), qPrintable(out));
}

void tst_Rollouts::reportPathCostDoesNotGrowWithHistory()
{
    // In this process: CloudServer on a database with 0, then 100,000 old
    // deployment rows (and as many events), one site, 150 deployments each
    // answered by progress and completion. A report that read the history
    // would take about 100,000 rows longer each time.
    const int deploys = 150;
    auto run = [&](int oldRows, qint64 *elapsedMs) {
        const QString location = m_postgres ? m_database : m_dir->filePath(QStringLiteral("cost-%1.sqlite").arg(oldRows));
        if (m_postgres)
            QCOMPARE(CloudProcess::resetPostgres(m_database), QString());
        CloudDatabase database;
        database.setPassword(QUrl(m_database).password());
        QCOMPARE(database.open(location), QString());
        if (oldRows > 0) {
            QSqlDatabase d = seedConnection(location);
            QVERIFY2(d.isOpen(), qPrintable(d.lastError().text()));
            const QString numbers = m_postgres ? QStringLiteral("SELECT generate_series(1, %1) AS n").arg(oldRows)
                                               : QStringLiteral("WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < %1) SELECT n FROM s").arg(oldRows);
            QSqlQuery q(d);
            QVERIFY2(q.exec(QStringLiteral("INSERT INTO driver_deployments (sync_id, driver_id, driver_type, version, controller_id,"
                                           " deployment_status, created_at) SELECT 'old-' || n, 'd', 'lamp', '1.0.0', 'site-' || (n % 500),"
                                           " 'active', '2020-01-01T00:00:00Z' FROM (%1) AS numbers").arg(numbers)), qPrintable(q.lastError().text()));
            QVERIFY2(q.exec(QStringLiteral("INSERT INTO deployment_events (sync_id, deployment_status, at)"
                                           " SELECT 'old-' || n, 'active', '2020-01-01T00:00:00Z' FROM (%1) AS numbers").arg(numbers)), qPrintable(q.lastError().text()));
            q.finish();
            d.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("seed"));
        CloudServerSettings settings;
        settings.token = QStringLiteral("e2e-token");
        CloudServer cloud(&database, settings);
        QCOMPARE(cloud.listen(QHostAddress::LocalHost, 0), QString());
        FakeSite fake(QStringLiteral("site-1"), cloud.port(), Answer::Succeed, {}, 0);
        fake.goOnline();
        QVERIFY(QTest::qWaitFor([&] { return cloud.isConnected(QStringLiteral("site-1")); }, 5000));
        QElapsedTimer timer;
        timer.start();
        int done = 0;
        for (int i = 0; i < deploys; ++i) {
            QString syncId;
            cloud.deploy(QJsonObject{{QStringLiteral("controller_id"), QStringLiteral("site-1")}, {QStringLiteral("driver_type"), QStringLiteral("lamp")},
                                     {QStringLiteral("version"), QString::number(i)}, {QStringLiteral("protocol_type"), QStringLiteral("tcp")},
                                     {QStringLiteral("driver_code"), QStringLiteral("//")}},
                         [&](const QJsonObject &a) { syncId = a.value(QStringLiteral("sync_id")).toString(); });
            // Answered once the row is committed on the database thread.
            QVERIFY(QTest::qWaitFor([&] { return !syncId.isEmpty(); }, 10000));
            cloud.waitForDeployment(syncId, 10000, [&](const QJsonObject &a) { done += a.value(QStringLiteral("ok")).toBool(); });
            QVERIFY(QTest::qWaitFor([&] { return done == i + 1; }, 10000));
        }
        *elapsedMs = timer.elapsed();
        if (oldRows > 0)
            QCOMPARE(database.deployment(QStringLiteral("old-1")).value_or(DeploymentRow()).status, QStringLiteral("active"));
    };
    qint64 empty = 0;
    qint64 full = 0;
    run(0, &empty);
    if (QTest::currentTestFailed())
        return;
    run(100000, &full);
    if (QTest::currentTestFailed())
        return;
    qInfo() << deploys << "deployments with 0 old rows:" << empty << "ms; with 100,000:" << full << "ms";
    // Generous: a loaded machine's noise, not the history, may differ.
    QVERIFY2(full < 3 * empty + 500, qPrintable(QStringLiteral("%1 ms vs %2 ms").arg(full).arg(empty)));
}

void tst_Rollouts::operatorViewsReadTheNewestRows()
{
    // The views run on the event loop: they read the newest rows, never the
    // history (250 deployments and 3 finished rollouts of 4 sites here).
    const QString location = m_postgres ? m_database : m_dir->filePath(QStringLiteral("views.sqlite"));
    CloudDatabase database;
    database.setPassword(QUrl(m_database).password());
    QCOMPARE(database.open(location), QString());
    {
        QSqlDatabase d = seedConnection(location);
        QVERIFY2(d.isOpen(), qPrintable(d.lastError().text()));
        QSqlQuery q(d);
        for (int n = 1; n <= 250; ++n) {
            const QString at = QStringLiteral("2020-01-01T00:%1:%2Z").arg(n / 60, 2, 10, QLatin1Char('0')).arg(n % 60, 2, 10, QLatin1Char('0'));
            QVERIFY2(q.exec(QStringLiteral("INSERT INTO driver_deployments (sync_id, driver_id, driver_type, version, controller_id,"
                                           " deployment_status, created_at) VALUES ('old-%1', 'd', 'lamp', '1.0.0', 'site-1', 'active', '%2')")
                                .arg(n).arg(at)),
                     qPrintable(q.lastError().text()));
        }
        // The newest one's history, and one of a deployment not shown.
        for (const auto &[syncId, status, at] : {std::tuple{"old-250", "pending", "2020-01-01T00:04:10Z"},
                                                 std::tuple{"old-250", "sent", "2020-01-01T00:04:11Z"},
                                                 std::tuple{"old-250", "active", "2020-01-01T00:04:12Z"},
                                                 std::tuple{"old-1", "active", "2020-01-01T00:00:02Z"}}) {
            QVERIFY2(q.exec(QStringLiteral("INSERT INTO deployment_events (sync_id, deployment_status, at) VALUES ('%1', '%2', '%3')")
                                .arg(QLatin1String(syncId), QLatin1String(status), QLatin1String(at))),
                     qPrintable(q.lastError().text()));
        }
        for (int r = 1; r <= 3; ++r) {
            QVERIFY2(q.exec(QStringLiteral("INSERT INTO rollouts (rollout_id, target, driver_type, version, payload, canary, batch_size,"
                                           " batch_percent, max_failure_percent, site_timeout_ms, state, batch, created_at, updated_at)"
                                           " VALUES ('ro-%1', 'group g', 'lamp', '2.0.%1', '{}', 1, 0, 10, 5, 600000, 'done', 3,"
                                           " '2020-01-0%1T00:00:00Z', '2020-01-0%1T00:00:00Z')").arg(r)),
                     qPrintable(q.lastError().text()));
            for (int s = 1; s <= 4; ++s) {
                QVERIFY2(q.exec(QStringLiteral("INSERT INTO rollout_sites (rollout_id, controller_id, batch, state, updated_at)"
                                               " VALUES ('ro-%1', 'site-%2', %2, '%3', '2020-01-01T00:00:00Z')")
                                    .arg(r).arg(s).arg(s == 4 ? QStringLiteral("failed") : QStringLiteral("active"))),
                         qPrintable(q.lastError().text()));
            }
        }
        q.finish();
        d.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("seed"));
    CloudServerSettings settings;
    settings.token = QStringLiteral("e2e-token");
    CloudServer cloud(&database, settings);
    QCOMPARE(cloud.listen(QHostAddress::LocalHost, 0), QString());   // the database thread reads the view
    const auto deployments = [&cloud](const QJsonObject &request) {
        std::optional<QJsonObject> answer;
        cloud.deployments(request, [&answer](const QJsonObject &a) { answer = a; });
        if (!QTest::qWaitFor([&] { return answer.has_value(); }, 10000))
            return QJsonObject{{QStringLiteral("ok"), false}, {QStringLiteral("error"), QStringLiteral("no answer")}};
        return *answer;
    };

    const QJsonObject view = deployments({});
    QVERIFY(view.value(QStringLiteral("ok")).toBool());
    const QJsonArray newest = view.value(QStringLiteral("deployments")).toArray();
    QCOMPARE(newest.size(), 100);
    QVERIFY(view.value(QStringLiteral("more_deployments")).toBool());
    QCOMPARE(newest.last()[QStringLiteral("history")].toArray(),
             QJsonArray({QStringLiteral("pending"), QStringLiteral("sent"), QStringLiteral("active")}));
    QCOMPARE(newest.first()[QStringLiteral("history")].toArray(), QJsonArray());
    const QJsonObject all = deployments({{QStringLiteral("limit"), 250}});
    QCOMPARE(all.value(QStringLiteral("deployments")).toArray().size(), 250);
    QVERIFY(!all.value(QStringLiteral("more_deployments")).toBool());
    QCOMPARE(all.value(QStringLiteral("deployments")).toArray().first()[QStringLiteral("history")].toArray(),
             QJsonArray({QStringLiteral("active")}));
    QCOMPARE(newest.first()[QStringLiteral("sync_id")].toString(), QStringLiteral("old-151"));   // oldest of them first
    QCOMPARE(newest.last()[QStringLiteral("sync_id")].toString(), QStringLiteral("old-250"));
    QCOMPARE(view.value(QStringLiteral("rollouts")).toArray().size(), 3);
    QCOMPARE(view.value(QStringLiteral("rollouts")).toArray().last()[QStringLiteral("sites")].toArray().size(), 4);

    const QJsonObject five = deployments({{QStringLiteral("limit"), 5}});
    QCOMPARE(five.value(QStringLiteral("deployments")).toArray().size(), 5);
    QCOMPARE(five.value(QStringLiteral("deployments")).toArray().first()[QStringLiteral("sync_id")].toString(), QStringLiteral("old-246"));
    for (const QJsonValue &bad : {QJsonValue(0), QJsonValue(100001), QJsonValue(2.5), QJsonValue(QStringLiteral("all"))}) {
        const QJsonObject refused = deployments({{QStringLiteral("limit"), bad}});
        QVERIFY(!refused.value(QStringLiteral("ok")).toBool());
        QCOMPARE(refused.value(QStringLiteral("error")).toString(), QStringLiteral("limit must be a whole number from 1 to 100000"));
    }

    // rollout status without an id: counts per state, no sites; the newest first asked for.
    QJsonObject answer;
    QVERIFY(cloud.rollouts()->handleAdmin(QStringLiteral("rollout_status"), {{QStringLiteral("limit"), 2}},
                                          [&](const QJsonObject &a) { answer = a; }));
    const QJsonArray list = answer.value(QStringLiteral("rollouts")).toArray();
    QCOMPARE(list.size(), 2);
    QCOMPARE(list.first()[QStringLiteral("rollout_id")].toString(), QStringLiteral("ro-2"));
    QCOMPARE(list.last()[QStringLiteral("total")].toInt(), 4);
    QCOMPARE(list.last()[QStringLiteral("counts")][QStringLiteral("active")].toInt(), 3);
    QCOMPARE(list.last()[QStringLiteral("counts")][QStringLiteral("failed")].toInt(), 1);
    QVERIFY(!list.last().toObject().contains(QStringLiteral("sites")));
}

QTEST_MAIN(tst_Rollouts)
#include "tst_rollouts.moc"
