// A per-cluster certificate authority and the server and client certificates it signs.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <expected>

namespace timonel::pki {

struct KeyPair
{
    QByteArray certificatePem;
    QByteArray privateKeyPem; // PKCS#8 ("BEGIN PRIVATE KEY"), ECDSA P-256
};

struct CertificateRequest
{
    QString commonName;
    QStringList organizations; // Kubernetes groups, e.g. "system:masters"
    QStringList dnsNames;      // subjectAltName entries
    QStringList ipAddresses;   // subjectAltName entries
    bool isCa = false;
    bool serverAuth = false;
    bool clientAuth = false;
    int validityDays = 365;
};

// Self-signed, ECDSA P-256, basicConstraints CA:TRUE (critical),
// keyUsage keyCertSign|cRLSign|digitalSignature.
std::expected<KeyPair, QString> createCertificateAuthority(const QString &commonName,
                                                           int validityDays = 3650);

// A new ECDSA P-256 key and its certificate signed by `ca` (SHA-256, random 128-bit serial,
// authority/subject key identifiers, keyUsage digitalSignature|keyEncipherment, extendedKeyUsage
// from serverAuth/clientAuth). With isCa set it is an intermediate CA instead.
std::expected<KeyPair, QString> issueCertificate(const KeyPair &ca,
                                                 const CertificateRequest &request);

} // namespace timonel::pki
