// How the API server reaches a node agent, for the node proxy (logs, exec, port-forward) and
// the metrics API: the node's address and port as kube-apiserver picks them, and the TLS
// configuration with the API server's kubelet client certificate.
#pragma once

#include "apierror.h"

#include <QJsonObject>
#include <QSslConfiguration>
#include <QString>

#include <expected>
#include <optional>

namespace timonel::apiserver {

struct NodeConnectionOptions
{
    QString clientCertificateFile; // the API server's identity towards node agents
    QString clientKeyFile;
    // The CA that signed the node agents' serving certificates. Without one node agents are
    // reached over plain HTTP (tests with plain-HTTP node agents only).
    QString caFile;
};

struct NodeEndpoint
{
    QString host;
    quint16 port = 10250;
};

// The node's InternalIP (else Hostname, else ExternalIP) and its
// status.daemonEndpoints.kubeletEndpoint.Port (10250 when unset). A node without addresses is
// kube-apiserver's 500 "no preferred addresses found; known addresses: []".
ApiResult<NodeEndpoint> nodeEndpoint(const QJsonObject &node);

// The TLS configuration towards node agents, read from the files on first use.
class NodeConnection
{
public:
    explicit NodeConnection(NodeConnectionOptions options) : m_options(std::move(options)) {}

    // nullopt: plain HTTP (no CA configured).
    std::expected<std::optional<QSslConfiguration>, QString> tlsConfiguration();
    QString scheme() const
    {
        return m_options.caFile.isEmpty() ? QStringLiteral("http") : QStringLiteral("https");
    }

private:
    NodeConnectionOptions m_options;
    std::optional<QSslConfiguration> m_tls;
};

} // namespace timonel::apiserver
