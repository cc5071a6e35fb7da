#include "core/sha256.h"

#include <openssl/evp.h>

namespace Sha256 {

QByteArray hash(const QByteArray &data)
{
    QByteArray digest(32, '\0');
    unsigned int length = 0;
    EVP_Digest(data.constData(), size_t(data.size()), reinterpret_cast<unsigned char *>(digest.data()), &length, EVP_sha256(),
               nullptr);
    return digest;
}

QString hexOfUtf8(const QString &text)
{
    return QString::fromLatin1(hash(text.toUtf8()).toHex());
}

} // namespace Sha256
