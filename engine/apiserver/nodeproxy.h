// The pod subresources that are served by the node agent running the pod: log, exec, attach
// and portforward. The API server checks the request (the pod exists, is bound to a node, the
// container exists, port-forward needs a Running pod), then connects to the node agent's HTTPS
// endpoint (the node's InternalIP and status.daemonEndpoints.kubeletEndpoint.Port) with its own
// client certificate, forwards the request (upgrade headers included) and relays bytes both
// ways until either side closes, as kube-apiserver's UpgradeAwareHandler does.
#pragma once

#include "requestinfo.h"
#include "resourcestore.h"

#include <QObject>

namespace timonel::http {
class HttpExchange;
}

namespace timonel::apiserver {

struct NodeProxyOptions
{
    QString clientCertificateFile; // the API server's identity towards node agents
    QString clientKeyFile;
    QString caFile; // the CA that signed the node agents' serving certificates
};

class NodeProxy : public QObject
{
    Q_OBJECT
public:
    NodeProxy(ResourceStore &store, NodeProxyOptions options, QObject *parent = nullptr);
    ~NodeProxy() override;

    void handle(http::HttpExchange *exchange, const core::ResourceInfo &r,
                const RequestInfo &info);

private:
    ResourceStore &m_store;
    NodeProxyOptions m_options;
};

} // namespace timonel::apiserver
