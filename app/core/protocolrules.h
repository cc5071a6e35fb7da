// Naming rules of PROTOCOL.md that several layers apply: the sync pipeline
// and the protocol parsers refuse a bad name, the device manager and the
// storage layer rely on it (a driver_type becomes a file name).
#pragma once

#include <QString>

namespace ProtocolRules {

// ^[a-z0-9][a-z0-9_-]{0,63}$ over the whole string (no final line end
// either): no path, no "..", no slash.
bool isValidDriverType(const QString &type);
inline constexpr char driverTypePattern[] = "^[a-z0-9][a-z0-9_-]{0,63}$";

// tcp, udp or serial.
bool isValidProtocolType(const QString &protocol);

} // namespace ProtocolRules
