// The ingress controller's data plane: an HTTP/1.1 reverse proxy on a plain and a TLS port that
// routes each request by Host and path through the RoutingTable to a ready endpoint (round
// robin), as ingress-nginx does. TLS picks the certificate by the client's SNI server name,
// else serves a self-signed default certificate generated at start.
#pragma once

#include "ingressrules.h"

#include <QHash>
#include <QHostAddress>
#include <QLoggingCategory>
#include <QObject>
#include <QSslCertificate>
#include <QSslConfiguration>

#include <chrono>
#include <expected>
#include <optional>

class QTcpServer;

namespace timonel::ingress {

Q_DECLARE_LOGGING_CATEGORY(lcIngress)

struct IngressProxyOptions
{
    // ingress-nginx's defaults: proxy-connect-timeout, proxy-read-timeout, keepalive_timeout
    // and proxy-body-size.
    std::chrono::milliseconds connectTimeout{5000};
    std::chrono::milliseconds readTimeout{60000};
    std::chrono::milliseconds keepAliveTimeout{75000};
    qint64 maxBodySize = 1024 * 1024;
};

class IngressProxy : public QObject
{
    Q_OBJECT
public:
    explicit IngressProxy(IngressProxyOptions options = {}, QObject *parent = nullptr);
    ~IngressProxy() override;

    // Port 0 picks a free port. Each may be called once.
    std::expected<void, QString> listenHttp(const QHostAddress &address, quint16 port);
    // Generates the default certificate on first use.
    std::expected<void, QString> listenHttps(const QHostAddress &address, quint16 port);
    quint16 httpPort() const;
    quint16 httpsPort() const;
    // Stops listening and drops every connection.
    void close();

    // Applies to the requests and TLS handshakes that start from now on.
    void setRoutingTable(RoutingTable table);
    const RoutingTable &routingTable() const { return m_table; }

    // "Kubernetes Ingress Controller Fake Certificate", as ingress-nginx names its own.
    QSslCertificate defaultCertificate() const;

    const IngressProxyOptions &options() const { return m_options; }

    // For the connections: the next endpoint of the backend in round robin order.
    std::optional<Endpoint> pickEndpoint(const Backend &backend);
    // The TLS configuration for a client's server name ("" when it sent none).
    QSslConfiguration tlsConfigurationFor(const QString &serverName) const;

private:
    std::expected<void, QString> ensureDefaultCertificate();
    void rebuildTlsConfigurations();
    void acceptPlain();
    void acceptTls(qintptr descriptor);

    friend class TlsListener;

    IngressProxyOptions m_options;
    RoutingTable m_table;
    QTcpServer *m_http = nullptr;
    QTcpServer *m_https = nullptr;
    QSslConfiguration m_defaultTls;
    QHash<QString, QSslConfiguration> m_tlsByHost; // the TLS host as the table names it
    QHash<QString, qsizetype> m_next;              // round robin position by backend
};

} // namespace timonel::ingress
