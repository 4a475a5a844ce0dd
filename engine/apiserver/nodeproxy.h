// The pod subresources that are served by the node agent running the pod: log, exec, attach
// and portforward. The API server checks the request (the pod exists, the container is one of
// the pod's, the pod is bound to a node), then connects to the node agent's HTTPS endpoint (the
// node's InternalIP and status.daemonEndpoints.kubeletEndpoint.Port) with its own client
// certificate, forwards the request (upgrade headers included) and relays bytes both ways until
// either side closes, as kube-apiserver's UpgradeAwareHandler does. Log errors of the node agent
// become Status errors, as kube-apiserver's GenericHttpResponseChecker makes them.
#pragma once

#include "requestinfo.h"
#include "resourcestore.h"

#include <QObject>
#include <QSslConfiguration>

#include <optional>

namespace timonel::http {
class HttpExchange;
}

namespace timonel::apiserver {

struct NodeProxyOptions
{
    QString clientCertificateFile; // the API server's identity towards node agents
    QString clientKeyFile;
    // The CA that signed the node agents' serving certificates. Without one node agents are
    // reached over plain HTTP (tests with plain-HTTP node agents only).
    QString caFile;
};

class NodeProxy : public QObject
{
    Q_OBJECT
public:
    NodeProxy(ResourceStore &store, NodeProxyOptions options, QObject *parent = nullptr);
    ~NodeProxy() override;

    void handle(http::HttpExchange *exchange, const core::ResourceInfo &r, const RequestInfo &info);

private:
    std::expected<std::optional<QSslConfiguration>, QString> tlsConfiguration();

    ResourceStore &m_store;
    NodeProxyOptions m_options;
    std::optional<QSslConfiguration> m_tls; // loaded on first use
};

} // namespace timonel::apiserver
