#include "cloud/reportdelivery.h"

#include "core/logcategories.h"
#include "protocol/deliveryrequests.h"

#include <QDateTime>
#include <QJsonDocument>

ReportDelivery::ReportDelivery(QObject *parent) : QObject(parent)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(0);
    connect(&m_flushTimer, &QTimer::timeout, this, &ReportDelivery::flush);
    m_retryStore.setSingleShot(true);
    m_retryStore.setInterval(250);
    connect(&m_retryStore, &QTimer::timeout, this, &ReportDelivery::flush);
    // Forgetting alone is a transaction (an fsync) of its own: it waits a
    // little for the next reports to share theirs.
    m_forgetTimer.setSingleShot(true);
    m_forgetTimer.setInterval(forgetDelayMs);
    connect(&m_forgetTimer, &QTimer::timeout, this, &ReportDelivery::flush);
    m_welcome.setSingleShot(true);
    m_welcome.setInterval(2000);
    connect(&m_welcome, &QTimer::timeout, this, [this] {
        if (m_mode != Mode::AwaitingWelcome)
            return;
        qCInfo(lcProtocol) << "no welcome from the cloud: reports are not acknowledged on this connection";
        m_mode = Mode::Unacknowledged;
        m_cloudAcknowledges = false;
        forgetSoon(m_sentUpTo);
    });
}

ReportDelivery::~ReportDelivery()
{
    // A clean stop keeps what was made in the last turn.
    flush();
}

void ReportDelivery::enqueue(const Message &message)
{
    if (!m_outbox) {
        if (m_mode != Mode::Offline && m_sender)
            m_sender(QString::fromUtf8(QJsonDocument(Messages::envelope(message)).toJson(QJsonDocument::Compact)));
        return;
    }
    m_pending.append(reportOf(message));
    scheduleFlush();
}

OutboxReport ReportDelivery::reportOf(const Message &message)
{
    OutboxReport report;
    report.type = message.type;
    report.data = message.data;
    report.timestamp = Messages::timestampNow();
    report.supersedingKey = Reports::supersedingKey(message.type, message.data);
    report.createdMs = QDateTime::currentMSecsSinceEpoch();
    return report;
}

void ReportDelivery::scheduleFlush()
{
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void ReportDelivery::forgetSoon(qint64 upTo)
{
    if (upTo <= m_forgetUpTo)
        return;
    m_forgetUpTo = upTo;
    if (!m_forgetTimer.isActive())
        m_forgetTimer.start();
}

void ReportDelivery::flushReports()
{
    if (!m_pending.isEmpty())
        flush();
}

void ReportDelivery::flush()
{
    m_flushTimer.stop();
    m_forgetTimer.stop();
    if (!m_outbox || (m_pending.isEmpty() && m_forgetUpTo <= m_forgotten))
        return;
    const QList<OutboxReport> batch = std::exchange(m_pending, {});
    const ReportOutbox::Written written = m_outbox->write(batch, m_forgetUpTo);
    if (!written.error.isEmpty()) {
        // Not stored, so not sent (a report goes out only once it is kept),
        // and not lost either: kept in memory, in order, and stored again
        // shortly (another connection's write lock or a stale read snapshot
        // passes; a full disk may not, and is logged as such).
        if (!m_storeFailing)
            qCCritical(lcProtocol).noquote() << "cannot store reports in the outbox, keeping them in memory and trying again:"
                                             << written.error;
        m_storeFailing = true;
        m_pending = batch + m_pending;
        m_retryStore.start();
        return;
    }
    if (m_storeFailing) {
        qCInfo(lcProtocol) << "reports are stored in the outbox again";
        m_storeFailing = false;
    }
    m_forgotten = m_forgetUpTo;
    noteDrop(written.dropped);
    m_unannounced += written.foreign;
    if (m_mode == Mode::Offline || m_catchingUp || m_unannounced > 0)
        return;   // sendHeld() reads them from the outbox in turn
    for (const OutboxReport &r : written.stored) {
        if (!put(r))
            return;
    }
    if (m_mode == Mode::Unacknowledged)
        forgetSoon(m_sentUpTo);
}

void ReportDelivery::sendStored(qint64 seq, const Message &message, const QString &timestamp)
{
    if (!m_outbox)
        return enqueue(message);
    const bool adopted = m_outbox->adopt(seq);
    if (!adopted && m_unannounced > 0)
        --m_unannounced;
    if (m_mode == Mode::Offline || m_catchingUp || m_unannounced > 0)
        return;   // sendHeld() reads it from the outbox in turn
    // A sync's answer, on the path of the sync: the next in seq order, no
    // write of this thread found it (adopted) and none waits for this
    // turn's transaction: the row is what the pipeline stored.
    if (adopted && !timestamp.isEmpty() && m_sentUpTo == seq - 1 && m_pending.isEmpty()) {
        OutboxReport report;
        report.seq = seq;
        report.type = message.type;
        report.timestamp = timestamp;
        report.data = message.data;
        if (put(report) && m_mode == Mode::Unacknowledged)
            forgetSoon(m_sentUpTo);
        return;
    }
    // From the table, in seq order: with it whatever a write held back.
    m_catchingUp = true;
    sendHeld();
}

bool ReportDelivery::put(const OutboxReport &report)
{
    const QJsonObject envelope = Messages::envelope(Message{report.type, report.data}, report.timestamp, report.seq);
    if (!m_sender || !m_sender(QString::fromUtf8(QJsonDocument(envelope).toJson(QJsonDocument::Compact))))
        return false;   // the link dropped: the report stays held for the next connection
    m_sentUpTo = report.seq;
    return true;
}

void ReportDelivery::connected()
{
    m_mode = Mode::AwaitingWelcome;
    // What is to be forgotten (acknowledged, or sent to a cloud that does
    // not acknowledge) may still be in the table: not again.
    m_sentUpTo = m_forgetUpTo;
    m_welcome.start();
    if (m_dropped.total() > 0) {
        qCWarning(lcProtocol).noquote()
            << QStringLiteral("%1 reports were dropped while they could not be delivered (%2 older than the retention "
                              "age, %3 over the retention count), seq %4 to %5")
                   .arg(m_dropped.total()).arg(m_dropped.byAge).arg(m_dropped.byCount).arg(m_dropped.firstSeq).arg(m_dropped.lastSeq);
        m_dropped = {};
    }
    // What this turn made goes out after the rest, in seq order.
    m_catchingUp = true;
    sendHeld();
}

void ReportDelivery::disconnected()
{
    if (m_mode == Mode::AwaitingWelcome && !m_cloudAcknowledges) {
        // Gone before it said whether it acknowledges, and no cloud of this
        // run did: taken for the base cloud, which gets each report once.
        // (An acknowledging cloud answers hello at once; only reports sent
        // in that moment, on a link that drops in it, are at risk.)
        forgetSoon(m_sentUpTo);
    }
    m_mode = Mode::Offline;
    m_welcome.stop();
    m_catchingUp = false;
}

void ReportDelivery::sendHeld()
{
    if (m_mode == Mode::Offline || !m_catchingUp)
        return;
    flushReports();
    if (!m_outbox) {
        m_catchingUp = false;
        return;
    }
    QString error;
    const QList<OutboxReport> held = m_outbox->after(m_sentUpTo, chunk, &error);
    if (!error.isEmpty())
        qCCritical(lcProtocol).noquote() << "cannot read the report outbox:" << error;
    if (m_sentUpTo == 0 && !held.isEmpty())
        qCInfo(lcProtocol) << "sending" << m_outbox->count() << "held reports from seq" << held.first().seq;
    for (const OutboxReport &r : held) {
        if (!put(r))
            return;
    }
    if (m_mode == Mode::Unacknowledged)
        forgetSoon(m_sentUpTo);
    if (held.size() == chunk) {
        // The rest on the next turn: the GUI and the link keep running.
        QTimer::singleShot(0, this, &ReportDelivery::sendHeld);
        return;
    }
    m_catchingUp = false;
}

void ReportDelivery::welcome(const WelcomeRequest &welcome)
{
    m_welcome.stop();
    if (m_mode == Mode::Offline)
        return;
    m_cloudAcknowledges = welcome.acks;
    if (!welcome.acks) {
        m_mode = Mode::Unacknowledged;
        forgetSoon(m_sentUpTo);
        return;
    }
    m_mode = Mode::Acknowledged;
    if (m_outbox) {
        flush();
        QString error;
        const qint64 highest = m_outbox->highestSeq(&error);
        if (error.isEmpty() && welcome.lastSeq > highest) {
            // The cloud remembers more than this database ever numbered (a
            // new or restored database): without this, new reports would
            // reuse seqs the cloud takes for ones it already has.
            qCWarning(lcProtocol) << "the cloud has reports up to seq" << welcome.lastSeq << "but this controller numbered only"
                                  << highest << "; numbering on from" << welcome.lastSeq + 1;
            error = m_outbox->moveAbove(welcome.lastSeq);
            m_forgetUpTo = 0;
            m_forgotten = 0;
            m_sentUpTo = welcome.lastSeq;   // everything held is above it now, and unsent
        }
        if (!error.isEmpty())
            qCCritical(lcProtocol).noquote() << "report outbox:" << error;
    }
    // Stored by the cloud already: forget; sent after hello: on its way.
    forgetSoon(welcome.lastSeq);
    m_sentUpTo = std::max(m_sentUpTo, welcome.lastSeq);
    // Also when a catch-up stalled (a send failed): it goes on from m_sentUpTo.
    m_catchingUp = true;
    sendHeld();
}

void ReportDelivery::ack(qint64 seq)
{
    if (m_mode == Mode::Acknowledged)
        forgetSoon(seq);
}

void ReportDelivery::noteDrop(const OutboxDrop &drop)
{
    if (drop.total() == 0)
        return;
    // Once per spell: the first drop now, the sum when the link is back.
    if (m_dropped.total() == 0) {
        qCWarning(lcProtocol).noquote()
            << QStringLiteral("report outbox over its retention: dropped %1 oldest reports (seq %2 to %3); "
                              "further drops are summed up on the next connection")
                   .arg(drop.total()).arg(drop.firstSeq).arg(drop.lastSeq);
    }
    m_dropped.add(drop);
}
