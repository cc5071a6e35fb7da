#include "events/eventcli.h"

#include "events/eventstore.h"
#include "events/eventtext.h"

#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>

#include <algorithm>

namespace EventCli {

QString line(const Event &event)
{
    return event.at.toUTC().toString(Qt::ISODateWithMs) + QStringLiteral("  ") + event.kind.leftJustified(13)
        + QLatin1Char(' ') + EventText::describe(event);
}

int run(const QString &databasePath, const EventQuery &query, std::FILE *out, std::FILE *err)
{
    if (!QFileInfo::exists(databasePath)) {
        std::fprintf(err, "control-nuc: no database at %s (has the controller run with this --root?)\n",
                     qPrintable(databasePath));
        return 1;
    }
    const QString name = QStringLiteral("nuc-events-cli");
    int status = 0;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(databasePath);
        // Read-only: the running controller keeps writing; we never do.
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
        if (!db.open()) {
            std::fprintf(err, "control-nuc: cannot open %s: %s\n", qPrintable(databasePath),
                         qPrintable(db.lastError().text()));
            status = 1;
        } else {
            QString error;
            QList<Event> events = EventStore(db).read(query, &error);
            if (!error.isEmpty()) {
                std::fprintf(err, "control-nuc: cannot read the event log: %s\n", qPrintable(error));
                status = 1;
            }
            std::reverse(events.begin(), events.end());   // a log reads oldest first
            for (const Event &e : std::as_const(events))
                std::fprintf(out, "%s\n", line(e).toUtf8().constData());
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return status;
}

} // namespace EventCli
