#include "pki/certificates.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QUrl>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace timonel::pki {

namespace {
// This file's user-visible texts, translated in the "Certificates" context.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Certificates)
};
} // namespace

namespace {

template <auto Free> struct Deleter
{
    template <typename T> void operator()(T *p) const { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, Deleter<GENERAL_NAME_free>>;

// The failing step plus whatever OpenSSL queued about it.
QString openSslError(const QString &what)
{
    QStringList details;
    while (const unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        details << QString::fromLatin1(buffer);
    }
    if (details.isEmpty())
        return what;
    return what + QStringLiteral(": ") + details.join(QStringLiteral("; "));
}

std::expected<KeyPtr, QString> generateKey()
{
    KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key)
        return std::unexpected(openSslError(Tr::tr("cannot generate an ECDSA P-256 key")));
    return key;
}

std::expected<X509Ptr, QString> readCertificate(const QByteArray &pem)
{
    BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    X509Ptr certificate(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!certificate)
        return std::unexpected(openSslError(Tr::tr("cannot read the CA certificate")));
    return certificate;
}

std::expected<KeyPtr, QString> readPrivateKey(const QByteArray &pem)
{
    BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    KeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key)
        return std::unexpected(openSslError(Tr::tr("cannot read the CA private key")));
    return key;
}

template <typename Writer> std::expected<QByteArray, QString> toPem(Writer write, const char *what)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || !write(bio.get()))
        return std::unexpected(openSslError(Tr::tr("cannot encode the %1").arg(what)));
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, qsizetype(size));
}

std::expected<KeyPair, QString> encode(X509 *certificate, EVP_PKEY *key)
{
    auto certificatePem =
        toPem([&](BIO *bio) { return PEM_write_bio_X509(bio, certificate); }, "certificate");
    if (!certificatePem)
        return std::unexpected(certificatePem.error());
    // PKCS#8, unencrypted: what kubectl's client-key-data and Qt's QSslKey accept.
    auto keyPem = toPem(
        [&](BIO *bio) {
            return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
        },
        "private key");
    if (!keyPem)
        return std::unexpected(keyPem.error());
    return KeyPair{*certificatePem, *keyPem};
}

bool setRandomSerial(X509 *certificate)
{
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        return false;
    // Positive (DER integers are signed) and never zero.
    bytes[0] = (bytes[0] & 0x7f) | 0x01;
    BignumPtr serial(BN_bin2bn(bytes, sizeof bytes, nullptr));
    return serial && BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate));
}

bool setSubject(X509 *certificate, const QString &commonName, const QStringList &organizations)
{
    X509_NAME *name = X509_get_subject_name(certificate);
    // Kubernetes reads O as the user's groups and CN as the user name.
    for (const QString &organization : organizations) {
        const QByteArray utf8 = organization.toUtf8();
        if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                        reinterpret_cast<const unsigned char *>(utf8.constData()),
                                        int(utf8.size()), -1, 0))
            return false;
    }
    const QByteArray cn = commonName.toUtf8();
    return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>(cn.constData()),
                                      int(cn.size()), -1, 0) == 1;
}

std::expected<void, QString> addExtension(X509 *certificate, X509V3_CTX *context, int nid,
                                          const char *value)
{
    ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, context, nid, value));
    if (!extension || !X509_add_ext(certificate, extension.get(), -1)) {
        return std::unexpected(
            openSslError(Tr::tr("cannot add %1 = %2").arg(OBJ_nid2sn(nid), value)));
    }
    return {};
}

// Built from typed entries rather than an OpenSSL config string, so a name with a comma cannot
// smuggle in another entry.
std::expected<void, QString> addSubjectAltNames(X509 *certificate,
                                                const CertificateRequest &request)
{
    if (request.dnsNames.isEmpty() && request.ipAddresses.isEmpty())
        return {};
    GeneralNamesPtr names(GENERAL_NAMES_new());
    if (!names)
        return std::unexpected(openSslError(QStringLiteral("out of memory")));
    for (const QString &dns : request.dnsNames) {
        // International names go in as punycode, which is what TLS clients compare against.
        const bool isAscii =
            std::all_of(dns.begin(), dns.end(), [](QChar c) { return c.unicode() < 0x80; });
        const QByteArray ascii =
            isAscii ? dns.toLatin1() : QUrl::toAce(dns, QUrl::AceTransitionalProcessing);
        const bool valid = !ascii.isEmpty() && std::all_of(ascii.begin(), ascii.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
                   c == '_' || c == '*';
        });
        if (!valid)
            return std::unexpected(
                QStringLiteral("invalid DNS name \"%1\" for the certificate").arg(dns));
        GeneralNamePtr name(GENERAL_NAME_new());
        ASN1_IA5STRING *value = ASN1_IA5STRING_new();
        if (!name || !value || !ASN1_STRING_set(value, ascii.constData(), int(ascii.size()))) {
            ASN1_IA5STRING_free(value);
            return std::unexpected(openSslError(Tr::tr("cannot encode DNS name %1").arg(dns)));
        }
        GENERAL_NAME_set0_value(name.get(), GEN_DNS, value);
        if (!sk_GENERAL_NAME_push(names.get(), name.get()))
            return std::unexpected(openSslError(QStringLiteral("out of memory")));
        name.release();
    }
    for (const QString &ip : request.ipAddresses) {
        QHostAddress address;
        if (!address.setAddress(ip) || !address.scopeId().isEmpty())
            return std::unexpected(
                QStringLiteral("invalid IP address \"%1\" for the certificate").arg(ip));
        GeneralNamePtr name(a2i_GENERAL_NAME(nullptr, nullptr, nullptr, GEN_IPADD,
                                             address.toString().toLatin1().constData(), 0));
        if (!name || !sk_GENERAL_NAME_push(names.get(), name.get()))
            return std::unexpected(openSslError(Tr::tr("cannot encode IP address %1").arg(ip)));
        name.release();
    }
    if (!X509_add1_ext_i2d(certificate, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT))
        return std::unexpected(openSslError(Tr::tr("cannot add subjectAltName")));
    return {};
}

struct Signer
{
    X509 *certificate; // nullptr: self-signed
    EVP_PKEY *key;
};

std::expected<KeyPair, QString> build(const CertificateRequest &request, const Signer &signer)
{
    if (request.commonName.isEmpty())
        return std::unexpected(QStringLiteral("a certificate needs a common name"));
    if (request.validityDays <= 0) {
        return std::unexpected(Tr::tr("invalid validity of %1 days for certificate \"%2\"")
                                   .arg(request.validityDays)
                                   .arg(request.commonName));
    }
    ERR_clear_error();
    auto key = generateKey();
    if (!key)
        return std::unexpected(key.error());

    X509Ptr certificate(X509_new());
    if (!certificate)
        return std::unexpected(openSslError(QStringLiteral("out of memory")));
    X509 *x = certificate.get();
    const bool selfSigned = signer.certificate == nullptr;
    X509 *issuer = selfSigned ? x : signer.certificate;
    EVP_PKEY *signingKey = selfSigned ? key->get() : signer.key;

    // Validity starts an hour back so that a node container whose clock lags the host's
    // still accepts the certificate.
    if (!X509_set_version(x, X509_VERSION_3) || !setRandomSerial(x) ||
        !X509_gmtime_adj(X509_getm_notBefore(x), -60 * 60) ||
        !X509_time_adj_ex(X509_getm_notAfter(x), request.validityDays, 0, nullptr) ||
        !setSubject(x, request.commonName, request.organizations) ||
        !X509_set_issuer_name(x, X509_get_subject_name(issuer)) ||
        !X509_set_pubkey(x, key->get())) {
        return std::unexpected(
            openSslError(Tr::tr("cannot fill in certificate \"%1\"").arg(request.commonName)));
    }

    X509V3_CTX context;
    X509V3_set_ctx(&context, issuer, x, nullptr, nullptr, 0);
    const bool isCa = selfSigned || request.isCa;
    std::expected<void, QString> added = addExtension(
        x, &context, NID_basic_constraints, isCa ? "critical,CA:TRUE" : "critical,CA:FALSE");
    if (added) {
        added = addExtension(x, &context, NID_key_usage,
                             isCa ? "critical,keyCertSign,cRLSign,digitalSignature"
                                  : "critical,digitalSignature,keyEncipherment");
    }
    if (added && !isCa && (request.serverAuth || request.clientAuth)) {
        const char *usage = request.serverAuth && request.clientAuth ? "serverAuth,clientAuth"
                            : request.serverAuth                     ? "serverAuth"
                                                                     : "clientAuth";
        added = addExtension(x, &context, NID_ext_key_usage, usage);
    }
    // The subject key identifier goes first: for a self-signed CA the authority key identifier
    // is computed from it.
    if (added)
        added = addExtension(x, &context, NID_subject_key_identifier, "hash");
    if (added)
        added = addExtension(x, &context, NID_authority_key_identifier, "keyid:always");
    if (added)
        added = addSubjectAltNames(x, request);
    if (!added)
        return std::unexpected(added.error());

    if (!X509_sign(x, signingKey, EVP_sha256())) {
        return std::unexpected(
            openSslError(Tr::tr("cannot sign certificate \"%1\"").arg(request.commonName)));
    }
    return encode(x, key->get());
}

} // namespace

std::expected<KeyPair, QString> createCertificateAuthority(const QString &commonName,
                                                           int validityDays)
{
    CertificateRequest request;
    request.commonName = commonName;
    request.isCa = true;
    request.validityDays = validityDays;
    return build(request, Signer{nullptr, nullptr});
}

std::expected<KeyPair, QString> issueCertificate(const KeyPair &ca,
                                                 const CertificateRequest &request)
{
    ERR_clear_error();
    auto caCertificate = readCertificate(ca.certificatePem);
    if (!caCertificate)
        return std::unexpected(caCertificate.error());
    auto caKey = readPrivateKey(ca.privateKeyPem);
    if (!caKey)
        return std::unexpected(caKey.error());
    if (X509_check_private_key(caCertificate->get(), caKey->get()) != 1)
        return std::unexpected(openSslError(
            QStringLiteral("the CA private key does not belong to the CA certificate")));
    if (X509_check_ca(caCertificate->get()) == 0)
        return std::unexpected(QStringLiteral("the signing certificate is not a CA"));
    return build(request, Signer{caCertificate->get(), caKey->get()});
}

} // namespace timonel::pki
