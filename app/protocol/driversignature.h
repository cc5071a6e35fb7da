// PROTOCOL.md "Signed drivers": the optional `signature` of driver_sync and
// the exact bytes it signs. The cloud (control-cloud deploy --sign) and the
// controller build the bytes here, so both sign and verify the same text.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

struct DriverSignature
{
    QString alg;     // "ed25519"
    QString keyId;
    QString value;   // base64 signature

    // `v` must be an object of three strings; returns the reason otherwise.
    static QString parse(const QJsonValue &v, DriverSignature *out);
    QJsonObject toJson() const;

    // control-nuc-driver-v1\n<type>\n<version>\n<protocol>\n<hex sha256 of code>
    static QByteArray signedBytes(const QString &driverType, const QString &version, const QString &protocolType,
                                  const QString &driverCode);
    static QString sha256Hex(const QString &driverCode);
};
