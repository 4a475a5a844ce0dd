// port-forward as the kubelet serves it: SPDY/3.1 streams, either over the raw socket of an
// "Upgrade: SPDY/3.1" request (X-Stream-Protocol-Version portforward.k8s.io) or tunnelled in
// WebSocket binary messages (subprotocol SPDY/3.1+portforward.k8s.io, kubectl's first choice).
// Each forwarded connection is a pair of streams sharing a requestID: "error" for the failure
// text and "data" for the bytes, relayed to a TCP connection to the pod's IP and port.
#pragma once

#include <QObject>
#include <QString>

namespace timonel::http {
class HttpExchange;
}

namespace timonel::kubelet {

struct PortForwardTarget
{
    QString podIp;     // reachable from the node agent (the pod's address on the cluster network)
    QString sandboxId; // named in error messages, as the runtime names the pod sandbox
};

// Upgrades the exchange and forwards until the client disconnects; answers 400/403 as the
// kubelet does when the request cannot be upgraded.
void servePortForward(http::HttpExchange *exchange, const PortForwardTarget &target,
                      QObject *parent);

} // namespace timonel::kubelet
