// Compares two secrets in time that does not depend on where they differ
// (PINs, bearer tokens): both are hashed, then every byte is looked at.
#pragma once

#include <QByteArray>
#include <QCryptographicHash>

inline bool digestEquals(const QByteArray &a, const QByteArray &b)
{
    const QByteArray x = QCryptographicHash::hash(a, QCryptographicHash::Sha256);
    const QByteArray y = QCryptographicHash::hash(b, QCryptographicHash::Sha256);
    unsigned char diff = 0;
    for (int i = 0; i < x.size(); ++i)
        diff |= static_cast<unsigned char>(x.at(i) ^ y.at(i));
    return diff == 0;
}
