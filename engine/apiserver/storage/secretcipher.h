// Encryption at rest for the API server's storage: AES-256-GCM with a per-cluster key, in the
// envelope Kubernetes' aesgcm provider writes ("k8s:enc:aesgcm:v1:<key name>:" + nonce +
// ciphertext + tag), so a stored value says how it was encrypted.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <expected>

namespace timonel::apiserver {

class SecretCipher
{
public:
    static constexpr qsizetype keySize = 32;   // AES-256
    static constexpr qsizetype nonceSize = 12; // GCM's standard IV length
    static constexpr qsizetype tagSize = 16;

    // The envelope's prefix; the key name is fixed because a cluster has one key.
    static QByteArray envelopePrefix();

    // 32 bytes from OpenSSL's CSPRNG; empty if the generator failed.
    static QByteArray generateKey();

    // `key` must be keySize bytes long.
    static std::expected<SecretCipher, QString> create(QByteArray key);

    // A fresh random nonce for every call. `associatedData` is authenticated but not stored:
    // the storage passes the object's key so an encrypted value cannot be moved to another key.
    std::expected<QByteArray, QString> encrypt(QByteArrayView plain,
                                               QByteArrayView associatedData = {}) const;
    // Fails for a value that is not an envelope, was written with another key, or was altered.
    std::expected<QByteArray, QString> decrypt(QByteArrayView envelope,
                                               QByteArrayView associatedData = {}) const;

    static bool isEnvelope(QByteArrayView value);

private:
    explicit SecretCipher(QByteArray key) : m_key(std::move(key)) {}

    QByteArray m_key;
};

} // namespace timonel::apiserver
