#include "core/protocolrules.h"

#include <QRegularExpression>

namespace ProtocolRules {

bool isValidDriverType(const QString &type)
{
    static const QRegularExpression pattern{QLatin1String(driverTypePattern)};
    return pattern.match(type).hasMatch();
}

bool isValidProtocolType(const QString &protocol)
{
    return protocol == u"tcp" || protocol == u"udp" || protocol == u"serial";
}

} // namespace ProtocolRules
