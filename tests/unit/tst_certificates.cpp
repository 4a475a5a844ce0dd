#include "pki/certificates.h"

#include <QSslCertificate>
#include <QSslCertificateExtension>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTest>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>

using namespace timonel::pki;

namespace {

constexpr int handshakeTimeoutMs = 10'000;

QSslCertificate certificateOf(const KeyPair &pair)
{
    return QSslCertificate(pair.certificatePem, QSsl::Pem);
}

QSslKey keyOf(const KeyPair &pair)
{
    return QSslKey(pair.privateKeyPem, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
}

std::unique_ptr<X509, decltype(&X509_free)> x509(const QByteArray &pem)
{
    BIO *bio = BIO_new_mem_buf(pem.constData(), int(pem.size()));
    X509 *certificate = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    return {certificate, X509_free};
}

// X509_verify_cert against a store holding only `caPem`: empty on success, else the reason.
QString verifyWithOpenSsl(const QByteArray &leafPem, const QByteArray &caPem,
                          const QString &host = {})
{
    auto leaf = x509(leafPem);
    auto ca = x509(caPem);
    if (!leaf || !ca)
        return QStringLiteral("unreadable PEM");
    X509_STORE *store = X509_STORE_new();
    X509_STORE_add_cert(store, ca.get());
    X509_STORE_CTX *context = X509_STORE_CTX_new();
    X509_STORE_CTX_init(context, store, leaf.get(), nullptr);
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(context);
    const QByteArray hostBytes = host.toLatin1();
    if (!host.isEmpty() && !X509_VERIFY_PARAM_set1_ip_asc(param, hostBytes.constData()))
        X509_VERIFY_PARAM_set1_host(param, hostBytes.constData(), 0);
    const int ok = X509_verify_cert(context);
    const QString reason =
        ok == 1
            ? QString()
            : QString::fromLatin1(X509_verify_cert_error_string(X509_STORE_CTX_get_error(context)));
    X509_STORE_CTX_free(context);
    X509_STORE_free(store);
    return reason;
}

QSslCertificateExtension extension(const QSslCertificate &certificate, const QString &name)
{
    const auto extensions = certificate.extensions();
    for (const QSslCertificateExtension &e : extensions) {
        if (e.name() == name)
            return e;
    }
    return {};
}

struct Pki
{
    KeyPair ca;
    KeyPair server;
    KeyPair admin;
};

Pki makePki(const QString &name)
{
    Pki pki;
    auto ca = createCertificateAuthority(name + "-ca");
    if (!ca)
        qFatal("createCertificateAuthority: %s", qPrintable(ca.error()));
    pki.ca = *ca;

    CertificateRequest server;
    server.commonName = "kube-apiserver";
    server.dnsNames = {"localhost", "kubernetes", "kubernetes.default.svc.cluster.local"};
    server.ipAddresses = {"127.0.0.1", "10.96.0.1", "::1"};
    server.serverAuth = true;
    auto serverPair = issueCertificate(pki.ca, server);
    if (!serverPair)
        qFatal("issueCertificate(server): %s", qPrintable(serverPair.error()));
    pki.server = *serverPair;

    CertificateRequest admin;
    admin.commonName = "kubernetes-admin";
    admin.organizations = {"system:masters"};
    admin.clientAuth = true;
    auto adminPair = issueCertificate(pki.ca, admin);
    if (!adminPair)
        qFatal("issueCertificate(admin): %s", qPrintable(adminPair.error()));
    pki.admin = *adminPair;
    return pki;
}

// A loopback TLS server that requires client certificates signed by `ca`.
class MutualTlsServer
{
public:
    MutualTlsServer(const KeyPair &serverPair, const KeyPair &ca)
    {
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setLocalCertificate(certificateOf(serverPair));
        config.setPrivateKey(keyOf(serverPair));
        config.setCaCertificates({certificateOf(ca)});
        config.setPeerVerifyMode(QSslSocket::VerifyPeer);
        server.setSslConfiguration(config);
        QObject::connect(&server, &QSslServer::errorOccurred, &server,
                         [this](QSslSocket *, QAbstractSocket::SocketError) { failed = true; });
        QObject::connect(&server, &QSslServer::sslErrors, &server,
                         [this](QSslSocket *, const QList<QSslError> &) { failed = true; });
        QObject::connect(&server, &QTcpServer::pendingConnectionAvailable, &server, [this] {
            while (QTcpSocket *socket = server.nextPendingConnection()) {
                accepted = qobject_cast<QSslSocket *>(socket);
                peerCommonName =
                    accepted->peerCertificate().subjectInfo(QSslCertificate::CommonName).value(0);
                accepted->write("hello\n");
            }
        });
        listening = server.listen(QHostAddress::LocalHost, 0);
    }

    QSslServer server;
    bool listening = false;
    bool failed = false;
    QSslSocket *accepted = nullptr;
    QString peerCommonName;
};

QSslConfiguration clientConfiguration(const KeyPair &ca, const KeyPair *clientPair)
{
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setCaCertificates({certificateOf(ca)});
    config.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (clientPair) {
        config.setLocalCertificate(certificateOf(*clientPair));
        config.setPrivateKey(keyOf(*clientPair));
    }
    return config;
}

} // namespace

class TestCertificates : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void caIsSelfSignedEcdsaAuthority();
    void serverCertificateVerifiesAgainstItsCa_data();
    void serverCertificateVerifiesAgainstItsCa();
    void serverCertificateCarriesSubjectAltNames();
    void clientCertificateNamesUserAndGroups();
    void certificatesHaveKeyIdentifiersAndFreshSerials();
    void validityStartsAnHourAgo();
    void certificateFromAnotherCaDoesNotVerify();
    void rejectsInvalidRequests_data();
    void rejectsInvalidRequests();
    void rejectsUnusableCa();
    void mutualTlsHandshakeSucceeds_data();
    void mutualTlsHandshakeSucceeds();
    void handshakeWithoutClientCertificateFails();
    void handshakeWithClientCertificateFromAnotherCaFails();
    void clientRejectsServerFromAnotherCa();

private:
    Pki m_pki;
    Pki m_other;
};

void TestCertificates::initTestCase()
{
    QVERIFY2(QSslSocket::supportsSsl(), "Qt has no TLS backend (libqopensslbackend)");
    m_pki = makePki("timonel-test");
    m_other = makePki("someone-else");
}

void TestCertificates::caIsSelfSignedEcdsaAuthority()
{
    const QSslCertificate ca = certificateOf(m_pki.ca);
    QVERIFY(!ca.isNull());
    QVERIFY(ca.isSelfSigned());
    QCOMPARE(ca.subjectInfo(QSslCertificate::CommonName), QStringList{"timonel-test-ca"});
    QCOMPARE(ca.publicKey().algorithm(), QSsl::Ec);
    QCOMPARE(ca.publicKey().length(), 256);
    QVERIFY(m_pki.ca.privateKeyPem.startsWith("-----BEGIN PRIVATE KEY-----"));
    QVERIFY(!keyOf(m_pki.ca).isNull());

    const QSslCertificateExtension constraints = extension(ca, "basicConstraints");
    QVERIFY(constraints.isCritical());
    QCOMPARE(constraints.value().toMap().value("ca").toBool(), true);
    const QSslCertificateExtension usage = extension(ca, "keyUsage");
    QVERIFY(usage.isCritical());
    const QStringList usages = usage.value().toStringList();
    QVERIFY2(usages.contains("Certificate Sign") && usages.contains("CRL Sign") &&
                 usages.contains("Digital Signature"),
             qPrintable(usages.join(", ")));
    QVERIFY(ca.expiryDate() > QDateTime::currentDateTimeUtc().addDays(3650 - 1));
    QCOMPARE(verifyWithOpenSsl(m_pki.ca.certificatePem, m_pki.ca.certificatePem), QString());
}

void TestCertificates::serverCertificateVerifiesAgainstItsCa_data()
{
    QTest::addColumn<QString>("host");
    QTest::newRow("localhost") << "localhost";
    QTest::newRow("127.0.0.1") << "127.0.0.1";
    QTest::newRow("service name") << "kubernetes.default.svc.cluster.local";
    QTest::newRow("service IP") << "10.96.0.1";
}

void TestCertificates::serverCertificateVerifiesAgainstItsCa()
{
    QFETCH(QString, host);
    QCOMPARE(verifyWithOpenSsl(m_pki.server.certificatePem, m_pki.ca.certificatePem, host),
             QString());
    QVERIFY(!verifyWithOpenSsl(m_pki.server.certificatePem, m_pki.ca.certificatePem, "example.com")
                 .isEmpty());

    // Qt verifies against the default configuration's CAs.
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    const QSslConfiguration saved = config;
    config.addCaCertificate(certificateOf(m_pki.ca));
    QSslConfiguration::setDefaultConfiguration(config);
    const QList<QSslError> errors =
        QSslCertificate::verify({certificateOf(m_pki.server), certificateOf(m_pki.ca)}, host);
    QSslConfiguration::setDefaultConfiguration(saved);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).errorString()));
}

void TestCertificates::serverCertificateCarriesSubjectAltNames()
{
    const QSslCertificate server = certificateOf(m_pki.server);
    const auto names = server.subjectAlternativeNames();
    const QStringList dns = names.values(QSsl::DnsEntry);
    QCOMPARE(QSet<QString>(dns.begin(), dns.end()),
             (QSet<QString>{"localhost", "kubernetes", "kubernetes.default.svc.cluster.local"}));
    const QStringList ips = names.values(QSsl::IpAddressEntry);
    QCOMPARE(QSet<QString>(ips.begin(), ips.end()),
             (QSet<QString>{"127.0.0.1", "10.96.0.1", "::1"}));
    QCOMPARE(server.issuerInfo(QSslCertificate::CommonName), QStringList{"timonel-test-ca"});
    QCOMPARE(extension(server, "extendedKeyUsage").value().toStringList(),
             QStringList{"TLS Web Server Authentication"});
    QCOMPARE(extension(server, "basicConstraints").value().toMap().value("ca").toBool(), false);
    const QStringList usages = extension(server, "keyUsage").value().toStringList();
    QVERIFY2(usages.contains("Digital Signature") && usages.contains("Key Encipherment") &&
                 !usages.contains("Certificate Sign"),
             qPrintable(usages.join(", ")));
}

void TestCertificates::clientCertificateNamesUserAndGroups()
{
    const QSslCertificate admin = certificateOf(m_pki.admin);
    QCOMPARE(admin.subjectInfo(QSslCertificate::CommonName), QStringList{"kubernetes-admin"});
    QCOMPARE(admin.subjectInfo(QSslCertificate::Organization), QStringList{"system:masters"});
    QVERIFY(admin.subjectAlternativeNames().isEmpty());
    QCOMPARE(extension(admin, "extendedKeyUsage").value().toStringList(),
             QStringList{"TLS Web Client Authentication"});
    QCOMPARE(verifyWithOpenSsl(m_pki.admin.certificatePem, m_pki.ca.certificatePem), QString());

    CertificateRequest groups;
    groups.commonName = "jane";
    groups.organizations = {"dev", "ops"};
    groups.dnsNames = {"ñandú.example", "*.apps.local"};
    groups.clientAuth = true;
    groups.serverAuth = true;
    const auto pair = issueCertificate(m_pki.ca, groups);
    QVERIFY2(pair, qPrintable(pair.error_or({})));
    const QSslCertificate jane = certificateOf(*pair);
    const QStringList organizations = jane.subjectInfo(QSslCertificate::Organization);
    QCOMPARE(QSet<QString>(organizations.begin(), organizations.end()),
             (QSet<QString>{"dev", "ops"}));
    const QStringList janeNames = jane.subjectAlternativeNames().values(QSsl::DnsEntry);
    QCOMPARE(QSet<QString>(janeNames.begin(), janeNames.end()),
             (QSet<QString>{"xn--and-6ma2c.example", "*.apps.local"}));
    QCOMPARE(extension(jane, "extendedKeyUsage").value().toStringList(),
             (QStringList{"TLS Web Server Authentication", "TLS Web Client Authentication"}));
}

void TestCertificates::certificatesHaveKeyIdentifiersAndFreshSerials()
{
    const QSslCertificate ca = certificateOf(m_pki.ca);
    const QSslCertificate server = certificateOf(m_pki.server);
    const QString caSki = extension(ca, "subjectKeyIdentifier").value().toString();
    QVERIFY(!caSki.isEmpty());
    QVERIFY(!extension(server, "subjectKeyIdentifier").value().toString().isEmpty());
    QVERIFY(extension(server, "subjectKeyIdentifier").value() != caSki);
    const QVariantMap aki = extension(server, "authorityKeyIdentifier").value().toMap();
    // Qt shows the AKI key id as plain hex and the SKI as colon-separated hex.
    QCOMPARE(QByteArray::fromHex(aki.value("keyid").toByteArray()).toHex(':').toUpper(),
             caSki.toUpper().toLatin1());

    QSet<QByteArray> serials;
    for (const KeyPair *pair : {&m_pki.ca, &m_pki.server, &m_pki.admin, &m_other.ca}) {
        const QByteArray serial = certificateOf(*pair).serialNumber();
        QVERIFY(serial.count(':') >= 14); // ~128 bits, printed as hex pairs
        serials.insert(serial);
    }
    QCOMPARE(serials.size(), 4);
}

void TestCertificates::validityStartsAnHourAgo()
{
    CertificateRequest request;
    request.commonName = "short-lived";
    request.validityDays = 7;
    const QDateTime before = QDateTime::currentDateTimeUtc();
    const auto pair = issueCertificate(m_pki.ca, request);
    QVERIFY(pair);
    const QSslCertificate certificate = certificateOf(*pair);
    const qint64 backdate = certificate.effectiveDate().secsTo(before);
    QVERIFY2(backdate >= 3600 - 5 && backdate <= 3600 + 5, qPrintable(QString::number(backdate)));
    const qint64 lifetime = before.secsTo(certificate.expiryDate());
    QVERIFY(qAbs(lifetime - 7 * 86400) <= 5);
}

void TestCertificates::certificateFromAnotherCaDoesNotVerify()
{
    QVERIFY(!verifyWithOpenSsl(m_other.server.certificatePem, m_pki.ca.certificatePem).isEmpty());
    QVERIFY(!verifyWithOpenSsl(m_pki.admin.certificatePem, m_other.ca.certificatePem).isEmpty());

    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    const QSslConfiguration saved = config;
    config.addCaCertificate(certificateOf(m_pki.ca));
    QSslConfiguration::setDefaultConfiguration(config);
    const QList<QSslError> errors =
        QSslCertificate::verify({certificateOf(m_other.server)}, "localhost");
    QSslConfiguration::setDefaultConfiguration(saved);
    QVERIFY(!errors.isEmpty());
}

void TestCertificates::rejectsInvalidRequests_data()
{
    QTest::addColumn<QString>("commonName");
    QTest::addColumn<QStringList>("dnsNames");
    QTest::addColumn<QStringList>("ipAddresses");
    QTest::addColumn<int>("validityDays");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("no common name") << "" << QStringList() << QStringList() << 365 << "common name";
    QTest::newRow("bad IP") << "x" << QStringList() << QStringList{"300.1.1.1"} << 365
                            << "300.1.1.1";
    QTest::newRow("comma in DNS name")
        << "x" << QStringList{"a,IP:1.2.3.4"} << QStringList() << 365 << "a,IP:1.2.3.4";
    QTest::newRow("space in DNS name")
        << "x" << QStringList{"my host"} << QStringList() << 365 << "my host";
    QTest::newRow("empty DNS name")
        << "x" << QStringList{""} << QStringList() << 365 << "invalid DNS name";
    QTest::newRow("zero validity") << "x" << QStringList() << QStringList() << 0 << "validity";
}

void TestCertificates::rejectsInvalidRequests()
{
    QFETCH(QString, commonName);
    QFETCH(QStringList, dnsNames);
    QFETCH(QStringList, ipAddresses);
    QFETCH(int, validityDays);
    QFETCH(QString, messagePart);
    CertificateRequest request;
    request.commonName = commonName;
    request.dnsNames = dnsNames;
    request.ipAddresses = ipAddresses;
    request.validityDays = validityDays;
    const auto pair = issueCertificate(m_pki.ca, request);
    QVERIFY(!pair);
    QVERIFY2(pair.error().contains(messagePart), qPrintable(pair.error()));
}

void TestCertificates::rejectsUnusableCa()
{
    CertificateRequest request;
    request.commonName = "x";
    const auto garbage =
        issueCertificate(KeyPair{"not a certificate", m_pki.ca.privateKeyPem}, request);
    QVERIFY(!garbage);
    QVERIFY2(garbage.error().contains("CA certificate"), qPrintable(garbage.error()));
    const auto mismatched =
        issueCertificate(KeyPair{m_pki.ca.certificatePem, m_other.ca.privateKeyPem}, request);
    QVERIFY(!mismatched);
    QVERIFY2(mismatched.error().contains("does not belong"), qPrintable(mismatched.error()));
    const auto leafAsCa = issueCertificate(m_pki.server, request);
    QVERIFY(!leafAsCa);
    QVERIFY2(leafAsCa.error().contains("not a CA"), qPrintable(leafAsCa.error()));
}

void TestCertificates::mutualTlsHandshakeSucceeds_data()
{
    QTest::addColumn<QString>("peerName");
    QTest::newRow("by IP") << "127.0.0.1";
    QTest::newRow("by name") << "localhost";
}

void TestCertificates::mutualTlsHandshakeSucceeds()
{
    QFETCH(QString, peerName);
    MutualTlsServer server(m_pki.server, m_pki.ca);
    QVERIFY(server.listening);

    QSslSocket client;
    client.setSslConfiguration(clientConfiguration(m_pki.ca, &m_pki.admin));
    QList<QSslError> clientErrors;
    connect(&client, &QSslSocket::sslErrors, this,
            [&](const QList<QSslError> &errors) { clientErrors = errors; });
    client.connectToHostEncrypted("127.0.0.1", server.server.serverPort(), peerName);

    QVERIFY2(QTest::qWaitFor(
                 [&] { return client.canReadLine() || server.failed || !clientErrors.isEmpty(); },
                 handshakeTimeoutMs),
             "handshake did not finish");
    QVERIFY2(clientErrors.isEmpty(), qPrintable(clientErrors.value(0).errorString()));
    QVERIFY(!server.failed);
    QVERIFY(client.isEncrypted());
    QCOMPARE(client.readLine(), QByteArray("hello\n"));
    QCOMPARE(server.peerCommonName, QString("kubernetes-admin"));
    QCOMPARE(client.peerCertificate(), certificateOf(m_pki.server));
}

void TestCertificates::handshakeWithoutClientCertificateFails()
{
    MutualTlsServer server(m_pki.server, m_pki.ca);
    QVERIFY(server.listening);
    QSslSocket client;
    client.setSslConfiguration(clientConfiguration(m_pki.ca, nullptr));
    bool disconnected = false;
    connect(&client, &QSslSocket::disconnected, this, [&] { disconnected = true; });
    connect(&client, &QSslSocket::errorOccurred, this, [&] { disconnected = true; });
    client.connectToHostEncrypted("127.0.0.1", server.server.serverPort(), "localhost");

    // With TLS 1.3 the client may finish its side before the server rejects it, so wait for
    // both the server's verdict and the connection to go away.
    QVERIFY2(QTest::qWaitFor([&] { return server.failed && disconnected; }, handshakeTimeoutMs),
             "the server did not reject the client");
    QVERIFY(server.accepted == nullptr);
    QVERIFY(!client.canReadLine());
}

void TestCertificates::handshakeWithClientCertificateFromAnotherCaFails()
{
    MutualTlsServer server(m_pki.server, m_pki.ca);
    QVERIFY(server.listening);
    QSslSocket client;
    client.setSslConfiguration(clientConfiguration(m_pki.ca, &m_other.admin));
    bool disconnected = false;
    connect(&client, &QSslSocket::disconnected, this, [&] { disconnected = true; });
    connect(&client, &QSslSocket::errorOccurred, this, [&] { disconnected = true; });
    client.connectToHostEncrypted("127.0.0.1", server.server.serverPort(), "localhost");

    QVERIFY2(QTest::qWaitFor([&] { return server.failed && disconnected; }, handshakeTimeoutMs),
             "the server did not reject the client");
    QVERIFY(server.accepted == nullptr);
}

void TestCertificates::clientRejectsServerFromAnotherCa()
{
    MutualTlsServer server(m_other.server, m_pki.ca);
    QVERIFY(server.listening);
    QSslSocket client;
    client.setSslConfiguration(clientConfiguration(m_pki.ca, &m_pki.admin));
    QList<QSslError> clientErrors;
    connect(&client, &QSslSocket::sslErrors, this,
            [&](const QList<QSslError> &errors) { clientErrors = errors; });
    client.connectToHostEncrypted("127.0.0.1", server.server.serverPort(), "localhost");

    QVERIFY2(QTest::qWaitFor([&] { return !clientErrors.isEmpty(); }, handshakeTimeoutMs),
             "the client accepted a server certificate from another CA");
    QVERIFY(!client.isEncrypted());
}

QTEST_GUILESS_MAIN(TestCertificates)
#include "tst_certificates.moc"
