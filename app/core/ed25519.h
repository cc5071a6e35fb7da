// Ed25519 through OpenSSL's libcrypto (EVP_PKEY_ED25519): key generation,
// signing and verification over raw 32-byte keys. No crypto of our own.
#pragma once

#include <QByteArray>
#include <QString>

namespace Ed25519 {

constexpr int keyBytes = 32;
constexpr int signatureBytes = 64;

struct KeyPair
{
    QByteArray privateKey;   // raw 32-byte seed
    QByteArray publicKey;    // raw 32 bytes
};

// An empty error means success.
QString generate(KeyPair *out);
QString publicKeyOf(const QByteArray &privateKey, QByteArray *publicKey);
QString sign(const QByteArray &privateKey, const QByteArray &message, QByteArray *signature);
// True only for a well-formed key and a signature of `message` by it.
bool verify(const QByteArray &publicKey, const QByteArray &message, const QByteArray &signature);

} // namespace Ed25519
