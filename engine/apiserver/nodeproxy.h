// The pod subresources that are served by the node agent running the pod: log, exec, attach
// and portforward. The API server checks the request (the pod exists, the container is one of
// the pod's, the pod is bound to a node), then connects to the node agent's HTTPS endpoint (the
// node's InternalIP and status.daemonEndpoints.kubeletEndpoint.Port) with its own client
// certificate, forwards the request (upgrade headers included) and relays bytes both ways until
// either side closes, as kube-apiserver's UpgradeAwareHandler does. Log errors of the node agent
// become Status errors, as kube-apiserver's GenericHttpResponseChecker makes them.
#pragma once

#include "nodeconnection.h"
#include "requestinfo.h"
#include "resourcestore.h"

#include <QObject>

namespace timonel::http {
class HttpExchange;
}

namespace timonel::apiserver {

using NodeProxyOptions = NodeConnectionOptions;

class NodeProxy : public QObject
{
    Q_OBJECT
public:
    NodeProxy(ResourceStore &store, NodeProxyOptions options, QObject *parent = nullptr);
    ~NodeProxy() override;

    void handle(http::HttpExchange *exchange, const core::ResourceInfo &r, const RequestInfo &info);

private:
    ResourceStore &m_store;
    NodeConnection m_connection;
};

} // namespace timonel::apiserver
