// The cluster network services every node runs beside its node agent (DESIGN.md, Networking):
// the service subnet made local in the node's network namespace, so any ClusterIP can be bound
// here; the service proxy on every ClusterIP and NodePort; the cluster DNS on its ClusterIP
// (every node answers for it, so a pod's lookups never leave its node); on a control plane,
// the kube-dns Service that reserves that address.
#pragma once

#include <QObject>
#include <QString>

#include <expected>
#include <memory>

namespace timonel::client {
class ApiClient;
}

namespace timonel::dns {
class ClusterDns;
class DnsServer;
} // namespace timonel::dns

namespace timonel::proxy {
class ServiceProxy;
}

namespace timonel::node {

struct NodeNetworkOptions
{
    QString serviceSubnet; // "10.96.0.0/16"
    QString nodeIP;        // where NodePorts listen
    bool controlPlane = false;
};

// The cluster DNS Service's address: the tenth of the service subnet, as in kubeadm and KinD.
QString dnsServiceIP(const QString &serviceSubnet);

class NodeNetwork : public QObject
{
    Q_OBJECT
public:
    NodeNetwork(client::ApiClient &api, NodeNetworkOptions options, QObject *parent = nullptr);
    ~NodeNetwork() override;

    // Needs CAP_NET_ADMIN (node containers have it) for the route.
    std::expected<void, QString> start();

private:
    void ensureDnsService();

    client::ApiClient &m_api;
    NodeNetworkOptions m_options;
    std::unique_ptr<dns::ClusterDns> m_dns;
    std::unique_ptr<dns::DnsServer> m_dnsServer;
    std::unique_ptr<proxy::ServiceProxy> m_proxy;
};

} // namespace timonel::node
