#include "apiserver/storage/secretcipher.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>
#include <memory>

namespace timonel::apiserver {

namespace {

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext newContext()
{
    return CipherContext(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
}

// The failing step plus whatever OpenSSL queued about it.
QString openSslError(const char *what)
{
    QString message = QString::fromLatin1(what);
    while (const unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        message += QStringLiteral(": ") + QString::fromLatin1(buffer);
    }
    return message;
}

const unsigned char *bytes(QByteArrayView view)
{
    return reinterpret_cast<const unsigned char *>(view.data());
}

} // namespace

QByteArray SecretCipher::envelopePrefix()
{
    return QByteArrayLiteral("k8s:enc:aesgcm:v1:timonel:");
}

QByteArray SecretCipher::generateKey()
{
    QByteArray key(keySize, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(key.data()), int(key.size())) != 1)
        return {};
    return key;
}

std::expected<SecretCipher, QString> SecretCipher::create(QByteArray key)
{
    if (key.size() != keySize)
        return std::unexpected(
            QStringLiteral("the secret encryption key must be %1 bytes long, not %2")
                .arg(keySize)
                .arg(key.size()));
    return SecretCipher(std::move(key));
}

bool SecretCipher::isEnvelope(QByteArrayView value)
{
    return value.startsWith(envelopePrefix());
}

std::expected<QByteArray, QString> SecretCipher::encrypt(QByteArrayView plain,
                                                         QByteArrayView associatedData) const
{
    const QByteArray prefix = envelopePrefix();
    QByteArray out(prefix.size() + nonceSize + plain.size() + tagSize, Qt::Uninitialized);
    auto *cursor = reinterpret_cast<unsigned char *>(out.data());
    memcpy(cursor, prefix.constData(), prefix.size());
    cursor += prefix.size();
    unsigned char *nonce = cursor;
    if (RAND_bytes(nonce, nonceSize) != 1)
        return std::unexpected(openSslError("cannot generate a nonce"));
    cursor += nonceSize;

    CipherContext context = newContext();
    int written = 0;
    if (!context ||
        EVP_EncryptInit_ex2(context.get(), EVP_aes_256_gcm(), bytes(m_key), nonce, nullptr) != 1)
        return std::unexpected(openSslError("cannot initialise AES-256-GCM"));
    if (!associatedData.isEmpty() &&
        EVP_EncryptUpdate(context.get(), nullptr, &written, bytes(associatedData),
                          int(associatedData.size())) != 1)
        return std::unexpected(openSslError("cannot authenticate the associated data"));
    if (!plain.isEmpty() &&
        EVP_EncryptUpdate(context.get(), cursor, &written, bytes(plain), int(plain.size())) != 1)
        return std::unexpected(openSslError("cannot encrypt"));
    cursor += plain.isEmpty() ? 0 : written;
    if (EVP_EncryptFinal_ex(context.get(), cursor, &written) != 1)
        return std::unexpected(openSslError("cannot encrypt"));
    cursor += written; // GCM is a stream mode: nothing is held back, so this adds 0
    if (EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, tagSize, cursor) != 1)
        return std::unexpected(openSslError("cannot compute the authentication tag"));
    return out;
}

std::expected<QByteArray, QString> SecretCipher::decrypt(QByteArrayView envelope,
                                                         QByteArrayView associatedData) const
{
    const QByteArray prefix = envelopePrefix();
    if (!envelope.startsWith(prefix))
        return std::unexpected(
            QStringLiteral("the value is not in the %1 envelope").arg(QString::fromLatin1(prefix)));
    if (envelope.size() < prefix.size() + nonceSize + tagSize)
        return std::unexpected(QStringLiteral("the encrypted value is truncated"));
    const QByteArrayView nonce = envelope.sliced(prefix.size(), nonceSize);
    const QByteArrayView cipherText = envelope.sliced(
        prefix.size() + nonceSize, envelope.size() - prefix.size() - nonceSize - tagSize);
    QByteArray tag = envelope.last(tagSize).toByteArray(); // the ctrl call wants a mutable pointer

    QByteArray plain(cipherText.size(), Qt::Uninitialized);
    CipherContext context = newContext();
    int written = 0;
    if (!context || EVP_DecryptInit_ex2(context.get(), EVP_aes_256_gcm(), bytes(m_key),
                                        bytes(nonce), nullptr) != 1)
        return std::unexpected(openSslError("cannot initialise AES-256-GCM"));
    if (!associatedData.isEmpty() &&
        EVP_DecryptUpdate(context.get(), nullptr, &written, bytes(associatedData),
                          int(associatedData.size())) != 1)
        return std::unexpected(openSslError("cannot authenticate the associated data"));
    if (!cipherText.isEmpty() &&
        EVP_DecryptUpdate(context.get(), reinterpret_cast<unsigned char *>(plain.data()), &written,
                          bytes(cipherText), int(cipherText.size())) != 1)
        return std::unexpected(openSslError("cannot decrypt"));
    if (EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, tagSize, tag.data()) != 1)
        return std::unexpected(openSslError("cannot set the authentication tag"));
    unsigned char tail[16];
    if (EVP_DecryptFinal_ex(context.get(), tail, &written) != 1) {
        ERR_clear_error();
        return std::unexpected(QStringLiteral(
            "the encrypted value does not authenticate: it was written with another key "
            "or has been altered"));
    }
    return plain;
}

} // namespace timonel::apiserver
