// Reading a refused WebSocket upgrade. Qt 6.4's QWebSocket has no accessor
// for the HTTP status of a failed handshake: it emits
// error(QAbstractSocket::ConnectionRefusedError) with the errorString
// "QWebSocketPrivate::processHandshake: Unhandled http status code: 401
// (Unauthorized)." (the status is the only number in it). CloudLink and the
// --check-cloud steps read it from there, in one place.
#pragma once

#include <QString>

namespace UpgradeRefusal {

// The HTTP status of a refused upgrade named in `socketErrorString`, or 0.
int httpStatus(const QString &socketErrorString);

// 401 and 403: the cloud does not accept our token (or our controller id).
bool refusesCredentials(int httpStatus);

// "the cloud refused our credentials (HTTP 401)", one wording everywhere.
QString describe(int httpStatus);

} // namespace UpgradeRefusal
