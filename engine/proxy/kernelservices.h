// The fast path of the service proxy: the kernel forwards a node's TCP service traffic
// itself, as kube-proxy's nftables mode does, instead of copying every byte through the
// proxy's sockets. One nftables table (`ip timonel`) in the node's network namespace
// DNATs each ClusterIP:port and NodePort to an endpoint, in turn (numgen inc), and
// masquerades what it DNATed, so that replies come back through the node, whose conntrack
// undoes both (pods and nodes share one Docker network: without it the endpoint would answer
// the client directly, from an address the client never asked).
//
// What the kernel cannot do as the proxy does stays with the proxy's listeners, which keep
// the addresses bound underneath: UDP (stale conntrack flows would outlive an endpoint),
// ClientIP affinity, and ports with no usable endpoint. Traffic for those finds no map
// element and is delivered locally, to the listener, as before.
#pragma once

#include "servicetable.h"

#include <QHostAddress>
#include <QList>
#include <QString>

#include <expected>

struct nft_ctx;

namespace timonel::proxy {

// Whether the kernel fast path serves this frontend (see above).
bool servedByKernel(const Frontend &frontend);

// The nft script that replaces the table with one serving these frontends (those
// servedByKernel() accepts) at their ClusterIPs and, when they have one, their NodePort on
// each of `nodeAddresses`. Deterministic: the same input gives the same text, so a caller can
// skip applying what is already there. Applied in one transaction: the old table goes away
// and the new one appears at once; connections already made keep their NAT in conntrack.
QString kernelServicesScript(const QList<Frontend> &frontends,
                             const QList<QHostAddress> &nodeAddresses);
// The nft script that removes the table, if it is there.
QString removeKernelServicesScript();

// libnftables in the calling process's network namespace (needs CAP_NET_ADMIN).
class Nftables
{
public:
    Nftables();
    ~Nftables();
    Nftables(const Nftables &) = delete;
    Nftables &operator=(const Nftables &) = delete;

    // Runs an nft script as one transaction; the error is nft's message.
    std::expected<void, QString> run(const QString &script);

private:
    nft_ctx *m_context;
};

} // namespace timonel::proxy
