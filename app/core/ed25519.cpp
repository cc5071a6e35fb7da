#include "core/ed25519.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>

namespace {

struct PkeyFree
{
    void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree
{
    void operator()(EVP_MD_CTX *c) const { EVP_MD_CTX_free(c); }
};
struct PkeyCtxFree
{
    void operator()(EVP_PKEY_CTX *c) const { EVP_PKEY_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

QString openSslError(const char *what)
{
    const unsigned long code = ERR_get_error();
    char text[256] = {};
    if (code != 0)
        ERR_error_string_n(code, text, sizeof text);
    ERR_clear_error();
    return QStringLiteral("%1 failed: %2").arg(QLatin1String(what), code ? QLatin1String(text) : QLatin1String("unknown error"));
}

const unsigned char *bytes(const QByteArray &a)
{
    return reinterpret_cast<const unsigned char *>(a.constData());
}

} // namespace

namespace Ed25519 {

QString generate(KeyPair *out)
{
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
    EVP_PKEY *raw = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1)
        return openSslError("Ed25519 key generation");
    Pkey key(raw);
    QByteArray priv(keyBytes, '\0');
    QByteArray pub(keyBytes, '\0');
    size_t privLen = keyBytes;
    size_t pubLen = keyBytes;
    if (EVP_PKEY_get_raw_private_key(key.get(), reinterpret_cast<unsigned char *>(priv.data()), &privLen) != 1
        || EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char *>(pub.data()), &pubLen) != 1)
        return openSslError("reading the new Ed25519 key");
    out->privateKey = priv;
    out->publicKey = pub;
    return {};
}

QString publicKeyOf(const QByteArray &privateKey, QByteArray *publicKey)
{
    if (privateKey.size() != keyBytes)
        return QStringLiteral("an Ed25519 private key has %1 bytes, not %2").arg(keyBytes).arg(privateKey.size());
    Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes(privateKey), size_t(privateKey.size())));
    QByteArray pub(keyBytes, '\0');
    size_t pubLen = keyBytes;
    if (!key || EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char *>(pub.data()), &pubLen) != 1)
        return openSslError("deriving the Ed25519 public key");
    *publicKey = pub;
    return {};
}

QString sign(const QByteArray &privateKey, const QByteArray &message, QByteArray *signature)
{
    if (privateKey.size() != keyBytes)
        return QStringLiteral("an Ed25519 private key has %1 bytes, not %2").arg(keyBytes).arg(privateKey.size());
    Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes(privateKey), size_t(privateKey.size())));
    MdCtx ctx(EVP_MD_CTX_new());
    QByteArray sig(signatureBytes, '\0');
    size_t sigLen = signatureBytes;
    // Ed25519 is one-shot: no digest (nullptr), the whole message at once.
    if (!key || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1
        || EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(sig.data()), &sigLen, bytes(message),
                          size_t(message.size())) != 1)
        return openSslError("Ed25519 signing");
    sig.resize(qsizetype(sigLen));
    *signature = sig;
    return {};
}

bool verify(const QByteArray &publicKey, const QByteArray &message, const QByteArray &signature)
{
    if (publicKey.size() != keyBytes || signature.size() != signatureBytes)
        return false;
    Pkey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(publicKey), size_t(publicKey.size())));
    MdCtx ctx(EVP_MD_CTX_new());
    const bool ok = key && ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1
        && EVP_DigestVerify(ctx.get(), bytes(signature), size_t(signature.size()), bytes(message),
                            size_t(message.size())) == 1;
    ERR_clear_error();   // a refusal leaves an error on the thread's queue
    return ok;
}

} // namespace Ed25519
