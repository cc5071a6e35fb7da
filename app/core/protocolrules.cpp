#include "core/protocolrules.h"

#include <QRegularExpression>

namespace ProtocolRules {

bool isValidDriverType(const QString &type)
{
    // Anchored at the very end: PCRE's $ alone also matches before a final
    // "\n", and "evil\n" would become a file name and a log line.
    static const QRegularExpression pattern{QRegularExpression::anchoredPattern(QLatin1String(driverTypePattern))};
    return pattern.match(type).hasMatch();
}

bool isValidProtocolType(const QString &protocol)
{
    return protocol == u"tcp" || protocol == u"udp" || protocol == u"serial";
}

} // namespace ProtocolRules
