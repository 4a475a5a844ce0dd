#include "ingressproxy.h"

#include "ingressconnection.h"

#include "http/splice.h"
#include "pki/certificates.h"

#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace timonel::ingress {

Q_LOGGING_CATEGORY(lcIngress, "timonel.ingress")

namespace {

constexpr qsizetype kMaxClientHello = 16 * 1024 + 5; // one TLS record
constexpr std::chrono::milliseconds kHelloTimeout{10000};

struct ClientHello
{
    bool complete = false; // false: wait for more bytes
    QString serverName;    // "" when the client sent none (or this is not a ClientHello)
};

// The server_name extension (RFC 6066) of a ClientHello, read before the handshake starts:
// Qt has no server-side SNI callback, so the certificate is chosen from a peek at the first
// TLS record and set before encryption begins.
ClientHello peekClientHello(QByteArrayView data)
{
    auto u8 = [&](qsizetype at) { return at < data.size() ? quint8(data[at]) : 0u; };
    auto u16 = [&](qsizetype at) { return (u8(at) << 8) | u8(at + 1); };
    if (data.size() < 5)
        return {};
    if (u8(0) != 0x16) // not a handshake record: let the TLS handshake fail on it
        return {true, {}};
    const qsizetype recordEnd = 5 + u16(3);
    if (data.size() < recordEnd)
        return {data.size() >= kMaxClientHello, {}};
    data = data.first(recordEnd);
    if (u8(5) != 0x01) // not a ClientHello
        return {true, {}};
    qsizetype at = 5 + 4 + 2 + 32;  // handshake header, client_version, random
    at += 1 + u8(at);               // session_id
    at += 2 + u16(at);              // cipher_suites
    at += 1 + u8(at);               // compression_methods
    const qsizetype extensionsEnd = std::min<qsizetype>(at + 2 + u16(at), data.size());
    at += 2;
    while (at + 4 <= extensionsEnd) {
        const uint type = u16(at);
        const qsizetype length = u16(at + 2);
        const qsizetype body = at + 4;
        at = body + length;
        if (type != 0 || at > extensionsEnd)
            continue;
        // server_name_list: (name_type, HostName) entries; host_name is type 0.
        qsizetype entry = body + 2;
        while (entry + 3 <= at) {
            const qsizetype nameLength = u16(entry + 1);
            if (u8(entry) == 0 && entry + 3 + nameLength <= at)
                return {true, QString::fromLatin1(data.sliced(entry + 3, nameLength)).toLower()};
            entry += 3 + nameLength;
        }
    }
    return {true, {}};
}

std::optional<QSslKey> keyFromPem(const QByteArray &pem)
{
    for (QSsl::KeyAlgorithm algorithm : {QSsl::Ec, QSsl::Rsa, QSsl::Dsa}) {
        QSslKey key(pem, algorithm, QSsl::Pem);
        if (!key.isNull())
            return key;
    }
    return std::nullopt;
}

QSslConfiguration serverConfiguration(const QList<QSslCertificate> &chain, const QSslKey &key)
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(key);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    configuration.setAllowedNextProtocols({QSslConfiguration::NextProtocolHttp1_1});
    return configuration;
}

} // namespace

// Accepts TLS connections as QSslSockets and holds each back until its ClientHello says which
// certificate to present.
class TlsListener : public QTcpServer
{
public:
    explicit TlsListener(IngressProxy *proxy) : QTcpServer(proxy), m_proxy(proxy) {}

protected:
    void incomingConnection(qintptr descriptor) override { m_proxy->acceptTls(descriptor); }

private:
    IngressProxy *m_proxy;
};

IngressProxy::IngressProxy(IngressProxyOptions options, QObject *parent)
    : QObject(parent), m_options(options)
{
}

IngressProxy::~IngressProxy()
{
    close();
}

std::expected<void, QString> IngressProxy::listenHttp(const QHostAddress &address, quint16 port)
{
    if (m_http)
        return std::unexpected(u"the ingress proxy already listens for HTTP"_s);
    auto *listener = new QTcpServer(this);
    if (!listener->listen(address, port)) {
        const QString error = u"cannot listen on %1 port %2: %3"_s.arg(address.toString())
                                  .arg(port)
                                  .arg(listener->errorString());
        delete listener;
        return std::unexpected(error);
    }
    m_http = listener;
    connect(listener, &QTcpServer::pendingConnectionAvailable, this, &IngressProxy::acceptPlain);
    return {};
}

std::expected<void, QString> IngressProxy::listenHttps(const QHostAddress &address, quint16 port)
{
    if (m_https)
        return std::unexpected(u"the ingress proxy already listens for HTTPS"_s);
    if (!QSslSocket::supportsSsl())
        return std::unexpected(u"TLS is not available: Qt has no TLS backend"_s);
    if (auto made = ensureDefaultCertificate(); !made)
        return made;
    auto *listener = new TlsListener(this);
    if (!listener->listen(address, port)) {
        const QString error = u"cannot listen on %1 port %2: %3"_s.arg(address.toString())
                                  .arg(port)
                                  .arg(listener->errorString());
        delete listener;
        return std::unexpected(error);
    }
    m_https = listener;
    return {};
}

quint16 IngressProxy::httpPort() const
{
    return m_http ? m_http->serverPort() : 0;
}

quint16 IngressProxy::httpsPort() const
{
    return m_https ? m_https->serverPort() : 0;
}

void IngressProxy::close()
{
    delete m_http;
    delete m_https;
    m_http = nullptr;
    m_https = nullptr;
    // Connections, upgraded streams and sockets still in their TLS hello.
    const auto children = this->children();
    for (QObject *child : children)
        if (dynamic_cast<IngressConnection *>(child) || dynamic_cast<http::Splice *>(child) ||
            dynamic_cast<QTcpSocket *>(child))
            delete child;
}

void IngressProxy::setRoutingTable(RoutingTable table)
{
    m_table = std::move(table);
    rebuildTlsConfigurations();
    // Positions of backends that are gone would only grow the hash.
    QSet<QString> live;
    for (const Route &route : std::as_const(m_table.routes))
        live.insert(route.backend.displayName());
    if (m_table.defaultBackend)
        live.insert(m_table.defaultBackend->displayName());
    m_next.removeIf([&](const auto &entry) { return !live.contains(entry.key()); });
}

QSslCertificate IngressProxy::defaultCertificate() const
{
    return m_defaultTls.localCertificate();
}

std::optional<Endpoint> IngressProxy::pickEndpoint(const Backend &backend)
{
    if (backend.endpoints.isEmpty())
        return std::nullopt;
    qsizetype &next = m_next[backend.displayName()];
    const Endpoint endpoint = backend.endpoints.at(next % backend.endpoints.size());
    next = (next + 1) % backend.endpoints.size();
    return endpoint;
}

QSslConfiguration IngressProxy::tlsConfigurationFor(const QString &serverName) const
{
    if (!serverName.isEmpty())
        if (const TlsCertificate *certificate = m_table.certificateFor(serverName))
            if (auto it = m_tlsByHost.constFind(certificate->host); it != m_tlsByHost.cend())
                return *it;
    return m_defaultTls;
}

std::expected<void, QString> IngressProxy::ensureDefaultCertificate()
{
    if (!m_defaultTls.localCertificate().isNull())
        return {};
    const QString name = u"Kubernetes Ingress Controller Fake Certificate"_s;
    const auto ca = pki::createCertificateAuthority(name);
    if (!ca)
        return std::unexpected(u"cannot create the default ingress certificate: "_s + ca.error());
    pki::CertificateRequest request;
    request.commonName = name;
    request.organizations = {u"Acme Co"_s};
    request.dnsNames = {u"ingress.local"_s};
    request.serverAuth = true;
    const auto pair = pki::issueCertificate(*ca, request);
    if (!pair)
        return std::unexpected(u"cannot create the default ingress certificate: "_s +
                               pair.error());
    const auto key = keyFromPem(pair->privateKeyPem);
    if (!key)
        return std::unexpected(u"cannot read the default ingress certificate's key"_s);
    m_defaultTls = serverConfiguration(QSslCertificate::fromData(pair->certificatePem), *key);
    return {};
}

void IngressProxy::rebuildTlsConfigurations()
{
    m_tlsByHost.clear();
    for (const TlsCertificate &certificate : std::as_const(m_table.certificates)) {
        const QList<QSslCertificate> chain = QSslCertificate::fromData(certificate.certificatePem);
        const auto key = keyFromPem(certificate.privateKeyPem);
        if (chain.isEmpty() || !key) {
            // ingress-nginx serves its default certificate for a Secret it cannot use.
            qCWarning(lcIngress) << "secret" << certificate.secret
                                 << "does not hold a usable certificate and key for host"
                                 << certificate.host;
            continue;
        }
        m_tlsByHost.insert(certificate.host, serverConfiguration(chain, *key));
    }
}

void IngressProxy::acceptPlain()
{
    while (m_http && m_http->hasPendingConnections()) {
        QTcpSocket *socket = m_http->nextPendingConnection();
        if (!socket)
            break;
        (new IngressConnection(this, socket, false))->start();
    }
}

void IngressProxy::acceptTls(qintptr descriptor)
{
    auto *socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    auto *timeout = new QTimer(socket);
    timeout->setSingleShot(true);
    connect(timeout, &QTimer::timeout, socket, &QObject::deleteLater);
    timeout->start(kHelloTimeout);
    auto gone = std::make_shared<QMetaObject::Connection>();
    auto decide = [this, socket, timeout, gone] {
        if (socket->isEncrypted() || socket->mode() != QSslSocket::UnencryptedMode)
            return;
        // In unencrypted mode peek() reads the plain socket without consuming anything.
        const ClientHello hello = peekClientHello(socket->peek(kMaxClientHello));
        if (!hello.complete)
            return;
        delete timeout;
        socket->disconnect(this);
        QObject::disconnect(*gone); // the connection owns the socket from here
        socket->setSslConfiguration(tlsConfigurationFor(hello.serverName));
        socket->startServerEncryption();
        (new IngressConnection(this, socket, true))->start();
    };
    connect(socket, &QIODevice::readyRead, this, decide);
    *gone = connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
}

} // namespace timonel::ingress
