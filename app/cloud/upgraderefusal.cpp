#include "cloud/upgraderefusal.h"

#include <QRegularExpression>

namespace UpgradeRefusal {

int httpStatus(const QString &socketErrorString)
{
    static const QRegularExpression status(QStringLiteral("http status code: (\\d{3})"),
                                           QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch match = status.match(socketErrorString);
    return match.hasMatch() ? match.captured(1).toInt() : 0;
}

bool refusesCredentials(int httpStatus)
{
    return httpStatus == 401 || httpStatus == 403;
}

QString describe(int httpStatus)
{
    return QStringLiteral("the cloud refused our credentials (HTTP %1)").arg(httpStatus);
}

} // namespace UpgradeRefusal
