// Delivery of reports (PROTOCOL.md "Reports that survive outages"): each
// report is stored in the ReportOutbox, which numbers it, and only then
// sent. Reports made in one event-loop turn share one transaction.
//
// On a connection, after hello, everything held goes out in seq order. A
// cloud that answers with welcome {acks:true, last_seq} gets what is above
// last_seq and each report stays held until an ack covers it; a cloud that
// says nothing within welcomeWaitMs (the base cloud) gets the base
// behaviour: held reports are forgotten once sent (also when the link drops
// before a welcome, unless the last cloud that answered acknowledged).
#pragma once

#include "protocol/messages.h"
#include "storage/reportoutbox.h"

#include <QObject>
#include <QTimer>

#include <functional>

struct WelcomeRequest;

class ReportDelivery : public QObject
{
    Q_OBJECT

public:
    // Puts one text frame on the wire; false when it could not.
    using Sender = std::function<bool(const QString &text)>;

    // How many held reports go out per event-loop turn while catching up.
    static constexpr int chunk = 200;
    // How long what the cloud has may stay in the table, waiting for a
    // transaction that stores new reports to forget it in the same commit.
    static constexpr int forgetDelayMs = 500;

    explicit ReportDelivery(QObject *parent = nullptr);
    ~ReportDelivery() override;

    void setSender(Sender sender) { m_sender = std::move(sender); }
    // The outbox to keep reports in (not owned). Without one, reports are
    // sent while online and lost while offline.
    void setOutbox(ReportOutbox *outbox) { m_outbox = outbox; }
    void setWelcomeWaitMs(int ms) { m_welcome.setInterval(ms); }

    // The outbox row of a report made now (seq 0 until stored).
    static OutboxReport reportOf(const Message &message);
    // Stores (on this event-loop turn) and then sends a report.
    void enqueue(const Message &message);
    // Sends a report another thread already stored (ReportOutbox::storeIn,
    // `seq`): in seq order after everything stored before it. Without an
    // outbox here, `message` goes the way of enqueue(). With the stored
    // `timestamp`, and when everything before it went out and nothing waits
    // to be stored, it goes out as given, without being read back.
    void sendStored(qint64 seq, const Message &message, const QString &timestamp = {});
    // Stores what is waiting for this turn now (when stopping), and
    // forgets what the cloud has.
    void flush();
    // Before a non-report message goes out, and before held reports are
    // read from the outbox: the reports made before are stored (and sent)
    // first, so that nothing overtakes them. Forgetting waits for its
    // timer: it orders nothing, and a transaction of its own here (after
    // each ack, on the next sync's progress or answer) is an fsync on the
    // main thread that competes with the sync's own commit.
    void flushReports();

    // The link went up (hello was sent) or down.
    void connected();
    void disconnected();
    void welcome(const WelcomeRequest &welcome);
    void ack(qint64 seq);

    enum class Mode { Offline, AwaitingWelcome, Acknowledged, Unacknowledged };
    Mode mode() const { return m_mode; }
    qint64 held() const { return m_outbox ? m_outbox->count() : 0; }
    qint64 waiting() const { return m_pending.size(); }

private:
    void sendHeld();
    bool put(const OutboxReport &report);
    void scheduleFlush();
    void forgetSoon(qint64 upTo);
    void noteDrop(const OutboxDrop &drop);

    Sender m_sender;
    ReportOutbox *m_outbox = nullptr;
    QList<OutboxReport> m_pending;   // made this turn, not yet stored
    QTimer m_flushTimer;
    QTimer m_retryStore;             // the outbox refused a write (locked): again shortly
    bool m_storeFailing = false;     // logged once per failing spell
    QTimer m_forgetTimer;
    QTimer m_welcome;
    Mode m_mode = Mode::Offline;
    bool m_catchingUp = false;       // held reports are still being sent
    // Stored by another thread and found by a write before their
    // sendStored(): nothing new goes out until they are announced (so that
    // the sync's own steps, sent before its answer, stay before it).
    qint64 m_unannounced = 0;
    bool m_cloudAcknowledges = false;   // the last cloud that answered hello did, with acks
    qint64 m_sentUpTo = 0;           // on this connection
    qint64 m_forgetUpTo = 0;         // acknowledged, or sent to a cloud that does not acknowledge
    qint64 m_forgotten = 0;          // what the outbox has forgotten of that
    OutboxDrop m_dropped;            // since the last summary
};
