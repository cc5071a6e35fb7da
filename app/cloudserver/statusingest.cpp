// CloudDatabase, continued: status_update reports in bulk. One report per
// round trip is what limited PostgreSQL (about 2,500 a second); a batch of
// them goes as one multi-row INSERT into controller_reports, which says with
// RETURNING which were new (SQLite 3.35+ and PostgreSQL alike), and one
// multi-row upsert of the device statuses those carry.
#include "cloudserver/clouddatabase.h"

#include <QDateTime>
#include <QHash>
#include <QJsonDocument>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>

namespace {

// Rows per statement: far below SQLite's 32766 bound parameters.
constexpr size_t rowsPerStatement = 500;

QString placeholders(size_t rows, int columns)
{
    QString one = QStringLiteral("(?") + QStringLiteral(", ?").repeated(columns - 1) + QLatin1Char(')');
    QStringList all(qsizetype(rows), one);
    return all.join(QLatin1Char(','));
}

} // namespace

QString CloudDatabase::storeStatusReports(const std::vector<const StatusReport *> &reports)
{
    const QString at = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    // 1. The numbered ones, once per (controller, seq): which are new?
    QSet<QPair<QString, qint64>> fresh;
    std::vector<const StatusReport *> numbered;
    for (const StatusReport *r : reports) {
        if (r->seq > 0)
            numbered.push_back(r);
    }
    for (size_t from = 0; from < numbered.size(); from += rowsPerStatement) {
        const size_t n = std::min(rowsPerStatement, numbered.size() - from);
        QSqlQuery q(db());
        q.prepare(QStringLiteral("INSERT INTO controller_reports (controller_id, seq, type, data, received_at) VALUES ")
                  + placeholders(n, 5) + QStringLiteral(" ON CONFLICT (controller_id, seq) DO NOTHING RETURNING controller_id, seq"));
        for (size_t i = from; i < from + n; ++i) {
            q.addBindValue(numbered.at(i)->controllerId);
            q.addBindValue(numbered.at(i)->seq);
            q.addBindValue(QStringLiteral("status_update"));
            q.addBindValue(QString::fromUtf8(QJsonDocument(numbered.at(i)->data).toJson(QJsonDocument::Compact)));
            q.addBindValue(at);
        }
        if (!q.exec())
            return q.lastError().text();
        while (q.next())
            fresh.insert({q.value(0).toString(), q.value(1).toLongLong()});
    }
    // 2. What they say, the latest per device (an upsert may touch a row
    // only once per statement).
    std::vector<const StatusReport *> latest;
    QHash<QPair<QString, QString>, size_t> slot;
    for (const StatusReport *r : reports) {
        if (r->seq > 0 && !fresh.contains({r->controllerId, r->seq}))
            continue;   // stored before: not applied again
        const QPair<QString, QString> device{r->controllerId, r->status.deviceId};
        const auto it = slot.constFind(device);
        if (it == slot.cend()) {
            slot.insert(device, latest.size());
            latest.push_back(r);
        } else {
            latest[*it] = r;
        }
    }
    for (size_t from = 0; from < latest.size(); from += rowsPerStatement) {
        const size_t n = std::min(rowsPerStatement, latest.size() - from);
        QSqlQuery q(db());
        q.prepare(QStringLiteral("INSERT INTO device_status (controller_id, device_id, status, message, reported_at, received_at)"
                                 " VALUES ") + placeholders(n, 6)
                  + QStringLiteral(" ON CONFLICT (controller_id, device_id) DO UPDATE SET"
                                   " status = excluded.status, message = excluded.message,"
                                   " reported_at = excluded.reported_at, received_at = excluded.received_at"));
        for (size_t i = from; i < from + n; ++i) {
            const StatusUpdateReport &s = latest.at(i)->status;
            q.addBindValue(latest.at(i)->controllerId);
            q.addBindValue(s.deviceId);
            q.addBindValue(s.status);
            q.addBindValue(s.message.isNull() ? QVariant() : QVariant(s.message));
            q.addBindValue(s.timestamp);
            q.addBindValue(at);
        }
        if (!q.exec())
            return q.lastError().text();
    }
    return {};
}
