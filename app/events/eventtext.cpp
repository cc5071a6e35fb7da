#include "events/eventtext.h"

namespace {

QString withMessage(const QString &text, const QString &message)
{
    return message.isEmpty() ? text : text + QStringLiteral(" – ") + message;
}

} // namespace

QString EventText::statusWord(const QString &status)
{
    if (status == u"connected")
        return tr("connected");
    if (status == u"connecting")
        return tr("connecting");
    if (status == u"disconnected")
        return tr("disconnected");
    if (status == u"error")
        return tr("error");
    return status;
}

QString EventText::deviceStatus(const Event &e)
{
    const QString to = statusWord(e.to);
    const QString text = e.from.isEmpty() ? tr("%1: %2").arg(e.deviceId, to)
                                          : tr("%1: %2 → %3").arg(e.deviceId, statusWord(e.from), to);
    return withMessage(text, e.message);
}

QString EventText::reload(const Event &e)
{
    const int total = e.detail.value(QStringLiteral("total")).toInt();
    const int connected = e.detail.value(QStringLiteral("connected")).toInt();
    const int error = e.detail.value(QStringLiteral("error")).toInt();
    QString text = tr("Driver %1 reloaded: %2 of %n device(s) connected", nullptr, total).arg(e.subject).arg(connected);
    if (error > 0)
        text += tr(", %n in error", nullptr, error);
    return text;
}

QString EventText::cloud(const Event &e)
{
    if (e.to == u"connected")
        return tr("Cloud connected: %1").arg(e.subject);
    if (e.to == u"refused")
        return tr("The cloud %1 refused our credentials (HTTP %2)")
            .arg(e.subject)
            .arg(e.detail.value(QStringLiteral("http_status")).toInt());
    return tr("Cloud connection lost: %1").arg(e.subject);
}

QString EventText::describe(const Event &e)
{
    if (e.kind == u"device_status")
        return deviceStatus(e);
    if (e.kind == u"driver_sync") {
        return e.to == u"completed" ? tr("Driver %1 %2 synced").arg(e.subject, e.from)
                                    : withMessage(tr("Sync of driver %1 %2 failed").arg(e.subject, e.from), e.message);
    }
    if (e.kind == u"reload")
        return reload(e);
    if (e.kind == u"technician") {
        const QString text = tr("Technician: %1").arg(e.subject);
        return e.deviceId.isEmpty() ? text : text + QStringLiteral(" (") + e.deviceId + QLatin1Char(')');
    }
    if (e.kind == u"cloud")
        return cloud(e);
    if (e.kind == u"safe_mode")
        return e.to == u"entered" ? withMessage(tr("Safe mode entered: drivers stopped"), e.message)
                                  : tr("Safe mode left: drivers start again");
    if (e.kind == u"quarantine")
        return e.to == u"on" ? tr("Driver %1 quarantined: its host failed too often").arg(e.subject)
                             : tr("Quarantine of driver %1 lifted").arg(e.subject);
    return withMessage(e.kind + QStringLiteral(": ") + e.subject, e.message);
}

QString EventText::tone(const Event &e)
{
    if (e.kind == u"device_status" || e.kind == u"driver_sync")
        return e.to;   // a device status; completed or failed
    if (e.kind == u"reload") {
        const bool all = e.detail.value(QStringLiteral("connected")).toInt() == e.detail.value(QStringLiteral("total")).toInt();
        return all ? QStringLiteral("completed") : QStringLiteral("warning");
    }
    if (e.kind == u"cloud")
        return e.to == u"connected" ? QStringLiteral("connected")
             : e.to == u"refused"   ? QStringLiteral("refused")
                                    : QStringLiteral("disconnected");
    if (e.kind == u"safe_mode" || e.kind == u"quarantine")
        return e.to == u"entered" || e.to == u"on" ? QStringLiteral("warning") : QStringLiteral("completed");
    return {};
}
