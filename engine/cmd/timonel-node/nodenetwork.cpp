#include "nodenetwork.h"

#include "client/apiclient.h"
#include "core/cidr.h"
#include "dns/clusterdns.h"
#include "dns/dnsserver.h"
#include "proxy/netlinkroutes.h"
#include "proxy/serviceproxy.h"

#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QTimer>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcNetwork, "timonel.network", QtInfoMsg)

namespace timonel::node {

namespace {

const client::Resource services{{}, u"v1"_s, u"services"_s};

// The kernel fast path forwards between pods through the node: only with IPv4 forwarding on
// in the node's namespace (the node container is created with it).
bool ipv4Forwarding()
{
    QFile file(u"/proc/sys/net/ipv4/ip_forward"_s);
    return file.open(QIODevice::ReadOnly) && file.readAll().trimmed() == "1";
}

} // namespace

QString dnsServiceIP(const QString &serviceSubnet)
{
    auto subnet = core::Ipv4Subnet::parse(serviceSubnet);
    return subnet ? subnet->address(10) : QString();
}

NodeNetwork::NodeNetwork(client::ApiClient &api, NodeNetworkOptions options, QObject *parent)
    : QObject(parent), m_api(api), m_options(std::move(options))
{
}

NodeNetwork::~NodeNetwork() = default;

std::expected<void, QString> NodeNetwork::start()
{
    const QString dnsIP = dnsServiceIP(m_options.serviceSubnet);
    if (dnsIP.isEmpty())
        return std::unexpected(u"the service subnet %1 has no room for the cluster DNS"_s.arg(
            m_options.serviceSubnet));
    if (auto routed = proxy::addLocalRoute(m_options.serviceSubnet); !routed)
        return std::unexpected(u"cannot make the service subnet %1 local: %2"_s.arg(
            m_options.serviceSubnet, routed.error()));

    // Names outside the cluster go where the node's own lookups go: Docker's embedded DNS on
    // the cluster network, which knows the node names and asks the host's resolvers for the rest.
    m_dns = std::make_unique<dns::ClusterDns>(m_api);
    m_dnsServer = std::make_unique<dns::DnsServer>(*m_dns);
    m_dnsServer->setUpstreams(dns::DnsServer::resolvConfNameservers());
    if (!m_dnsServer->listen(QHostAddress(dnsIP), 53))
        return std::unexpected(
            u"cannot serve the cluster DNS on %1:53: %2"_s.arg(dnsIP, m_dnsServer->errorString()));

    proxy::ServiceProxyOptions proxyOptions;
    proxyOptions.nodeAddresses = {QHostAddress(m_options.nodeIP)};
    proxyOptions.servedByNode = {u"kube-system/kube-dns"_s};
    proxyOptions.kernelForwarding = ipv4Forwarding();
    if (!proxyOptions.kernelForwarding)
        qCWarning(lcNetwork) << "IPv4 forwarding is off in this node: the service proxy "
                                "forwards every service in user space";
    m_proxy = std::make_unique<proxy::ServiceProxy>(m_api, proxyOptions);
    m_proxy->start();

    if (m_options.controlPlane)
        ensureDnsService();
    return {};
}

void NodeNetwork::ensureDnsService()
{
    // As kubeadm's CoreDNS add-on names it, so that tools looking for kube-dns find it; no
    // selector, since no pod serves it: every node answers on the address itself.
    const QJsonObject service{
        {u"apiVersion"_s, u"v1"_s},
        {u"kind"_s, u"Service"_s},
        {u"metadata"_s,
         QJsonObject{{u"name"_s, u"kube-dns"_s},
                     {u"namespace"_s, u"kube-system"_s},
                     {u"labels"_s, QJsonObject{{u"k8s-app"_s, u"kube-dns"_s},
                                               {u"kubernetes.io/cluster-service"_s, u"true"_s},
                                               {u"kubernetes.io/name"_s, u"CoreDNS"_s}}}}},
        {u"spec"_s, QJsonObject{{u"clusterIP"_s, dnsServiceIP(m_options.serviceSubnet)},
                                {u"ports"_s, QJsonArray{QJsonObject{{u"name"_s, u"dns"_s},
                                                                    {u"port"_s, 53},
                                                                    {u"protocol"_s, u"UDP"_s},
                                                                    {u"targetPort"_s, 53}},
                                                        QJsonObject{{u"name"_s, u"dns-tcp"_s},
                                                                    {u"port"_s, 53},
                                                                    {u"protocol"_s, u"TCP"_s},
                                                                    {u"targetPort"_s, 53}}}}}}};
    // Looked up first: creating it again would fail on its address, taken by itself.
    m_api.get(services, u"kube-system"_s, u"kube-dns"_s,
              [this, service](client::Result<QJsonObject> found) {
                  if (found)
                      return;
                  m_api.create(services, u"kube-system"_s, service, {},
                               [this](client::Result<QJsonObject> created) {
                                   if (created || created.error().reason == u"AlreadyExists")
                                       return;
                                   // The namespace may not exist yet on a first start.
                                   qCWarning(lcNetwork).noquote()
                                       << "cannot create the kube-dns service:"
                                       << created.error().message;
                                   QTimer::singleShot(2000, this, &NodeNetwork::ensureDnsService);
                               });
              });
}

} // namespace timonel::node
