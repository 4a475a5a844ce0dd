#include "createcluster.h"

#include "core/canceltoken.h"
#include "core/cidr.h"
#include "defaults.h"
#include "docker/tar.h"
#include "nodeimage.h"
#include "pki/certificates.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTimer>
#include <QUdpSocket>

namespace timonel::cluster {

namespace {
// This file's user-visible texts, translated in the "ClusterCreator" context.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(ClusterCreator)
};
} // namespace

struct PlannedNode
{
    NodeConfig config;
    QString name;
    QString role;    // roleName(), or "external-load-balancer"
    QString ip;      // static address on the cluster network
    QString podCidr; // empty for the load balancer
    QString containerId;
};

struct CreateContext
{
    QString name;
    ClusterConfig config;
    CreateOptions options;
    docker::DockerClient docker;        // cancellable: used by the steps
    docker::DockerClient cleanupDocker; // never cancelled: used to undo
    const core::CancelToken *cancel = nullptr;

    QString image;
    QString network;
    core::Ipv4Subnet podSubnet = *core::Ipv4Subnet::parse(defaults::podSubnet);
    QList<core::Ipv4Subnet> spareSubnets; // other free candidates when the subnet was not set
    QList<PlannedNode> nodes;
    pki::KeyPair ca;
    QMap<QString, QByteArray> controlPlaneFiles; // path in the node -> content
    pki::KubeconfigEntry access;
    QString kubeconfigPath;

    std::vector<std::function<void()>> undo; // run in reverse on failure
    QString detail;                          // what the current step reports on success

    std::map<QString, QString> commonLabels() const
    {
        return {{QString(defaults::clusterLabel), name}};
    }
};

namespace {

QJsonObject labelsJson(const std::map<QString, QString> &labels)
{
    QJsonObject o;
    for (const auto &[k, v] : labels)
        o.insert(k, v);
    return o;
}

// --- steps, in the order they run ----------------------------------------------------------------

class CheckConfiguration final : public CreateStep
{
public:
    QString title() const override { return Tr::tr("Checking the configuration"); }
    Outcome<void> execute(CreateContext &c) override
    {
        if (const QString why = validateClusterName(c.name); !why.isEmpty())
            return std::unexpected(why);
        Clusters clusters(c.docker);
        auto existing = clusters.list();
        if (!existing)
            return std::unexpected(existing.error());
        if (existing->contains(c.name))
            return std::unexpected(Tr::tr("a cluster named \"%1\" already exists (delete it with: "
                                          "timonel delete cluster --name %1)")
                                       .arg(c.name));
        if (auto r = checkHostPorts(c); !r)
            return r;
        if (auto r = pinApiServerPort(c); !r)
            return r;
        return choosePodSubnet(c);
    }

private:
    // Docker would only notice a busy port after the node is made; say it before anything is.
    static Outcome<void> checkHostPorts(const CreateContext &c)
    {
        auto busy = [](const QString &address, int port, const QString &protocol) {
            const QHostAddress host(address);
            if (protocol == QLatin1String("UDP")) {
                QUdpSocket udp;
                return !udp.bind(host, quint16(port));
            }
            QTcpServer tcp;
            return !tcp.listen(host, quint16(port));
        };
        for (qsizetype i = 0; i < c.config.nodes.size(); ++i)
            for (const PortMapping &m : c.config.nodes[i].extraPortMappings)
                if (m.hostPort != 0 && m.protocol != QLatin1String("SCTP") &&
                    busy(m.listenAddress, m.hostPort, m.protocol))
                    return std::unexpected(
                        Tr::tr(
                            "host port %1 (%2 %3, nodes[%4].extraPortMappings) is already in use")
                            .arg(m.hostPort)
                            .arg(m.protocol, m.listenAddress)
                            .arg(i));
        const Networking &n = c.config.networking;
        if (n.apiServerPort != 0 &&
            busy(n.apiServerAddress, n.apiServerPort, QStringLiteral("TCP")))
            return std::unexpected(Tr::tr("the API server port %1 on %2 is already in use")
                                       .arg(n.apiServerPort)
                                       .arg(n.apiServerAddress));
        return {};
    }

    // A port Docker picks changes at every start of the node, which would break kubeconfigs
    // after `stop cluster`; a port picked now, as kind does, stays the cluster's.
    static Outcome<void> pinApiServerPort(CreateContext &c)
    {
        Networking &n = c.config.networking;
        if (n.apiServerPort != 0)
            return {};
        QTcpServer probe;
        if (!probe.listen(QHostAddress(n.apiServerAddress), 0))
            return std::unexpected(Tr::tr("no free port for the API server on %1: %2")
                                       .arg(n.apiServerAddress, probe.errorString()));
        n.apiServerPort = probe.serverPort();
        return {};
    }

    // The pod subnet is the cluster network's subnet, so it must not overlap another network.
    static Outcome<void> choosePodSubnet(CreateContext &c)
    {
        auto networks = c.docker.listNetworks();
        if (!networks)
            return std::unexpected(networks.error().message);
        QList<std::pair<QString, core::Ipv4Subnet>> taken;
        for (const auto &value : *networks) {
            const QJsonObject n = value.toObject();
            for (const auto &cfg :
                 n.value(QLatin1String("IPAM")).toObject().value(QLatin1String("Config")).toArray())
                if (auto s = core::Ipv4Subnet::parse(
                        cfg.toObject().value(QLatin1String("Subnet")).toString()))
                    taken.append({n.value(QLatin1String("Name")).toString(), *s});
        }
        auto clash = [&](const core::Ipv4Subnet &s) -> QString {
            for (const auto &[name, t] : taken)
                if (t.overlaps(s))
                    return name;
            return {};
        };
        const int needed =
            int(c.config.nodes.size()) + 2; // node addresses, a /24 per node, one spare
        if (!c.config.networking.podSubnet.isEmpty()) {
            auto s = core::Ipv4Subnet::parse(c.config.networking.podSubnet);
            if (!s)
                return std::unexpected(s.error());
            if (const QString other = clash(*s); !other.isEmpty())
                return std::unexpected(Tr::tr("podSubnet %1 overlaps Docker network \"%2\"")
                                           .arg(s->toString(), other));
            if (s->prefixLength() > defaults::nodePodCidrPrefix ||
                (quint64(1) << (defaults::nodePodCidrPrefix - s->prefixLength())) < quint64(needed))
                return std::unexpected(Tr::tr("podSubnet %1 is too small for %2 nodes")
                                           .arg(s->toString())
                                           .arg(c.config.nodes.size()));
            c.podSubnet = *s;
            c.spareSubnets.clear();
        } else {
            // Every free candidate is kept: another cluster created at the same moment may take
            // the first before this one's network exists.
            c.spareSubnets.clear();
            for (const core::Ipv4Subnet &candidate : podSubnetCandidates())
                if (clash(candidate).isEmpty())
                    c.spareSubnets.append(candidate);
            if (c.spareSubnets.isEmpty())
                return std::unexpected(Tr::tr(
                    "no free 10.x.0.0/16 is left for the pod network; set networking.podSubnet"));
            c.podSubnet = c.spareSubnets.takeFirst();
        }
        c.detail = c.podSubnet.toString();
        return {};
    }
};

class EnsureNodeImage final : public CreateStep
{
public:
    QString title() const override { return Tr::tr("Ensuring node image"); }
    Outcome<void> execute(CreateContext &c) override
    {
        NodeImage image;
        bool built = false;
        auto ref = image.ensure(c.docker, &built);
        if (!ref)
            return std::unexpected(ref.error());
        c.image = *ref;
        c.detail = built ? Tr::tr("%1, built").arg(*ref) : *ref;
        return {};
    }
};

class CreateNetwork final : public CreateStep
{
public:
    QString title() const override { return Tr::tr("Creating the cluster network"); }
    Outcome<void> execute(CreateContext &c) override
    {
        c.network = networkName(c.name);
        auto id = c.docker.createNetwork(networkConfig(c));
        // Docker says "Pool overlaps with other one on this address space" when a subnet was
        // taken since it was checked; a chosen-for-you subnet then moves on to the next one.
        while (!id && id.error().message.contains(QLatin1String("overlap")) &&
               !c.spareSubnets.isEmpty()) {
            c.podSubnet = c.spareSubnets.takeFirst();
            id = c.docker.createNetwork(networkConfig(c));
        }
        if (!id)
            return std::unexpected(
                Tr::tr("cannot create network %1: %2").arg(c.network, id.error().message));
        c.undo.push_back([&c, id = *id] { c.cleanupDocker.removeNetwork(id); });
        c.detail = QStringLiteral("%1 %2").arg(c.network, c.podSubnet.toString());
        return {};
    }

private:
    static QJsonObject networkConfig(const CreateContext &c)
    {
        // Nodes take fixed addresses from the first /24 so that certificates can name them and
        // a Docker restart gives them back the same ones; pods get the other /24s.
        const core::Ipv4Subnet nodeRange = *c.podSubnet.subnet(defaults::nodePodCidrPrefix, 0);
        return QJsonObject{
            {QStringLiteral("Name"), c.network},
            {QStringLiteral("Driver"), QStringLiteral("bridge")},
            {QStringLiteral("CheckDuplicate"), true},
            {QStringLiteral("Labels"), labelsJson(c.commonLabels())},
            {QStringLiteral("Options"),
             QJsonObject{
                 {QStringLiteral("com.docker.network.bridge.enable_ip_masquerade"),
                  QStringLiteral("true")},
                 {QStringLiteral("com.docker.network.driver.mtu"), QStringLiteral("1500")}}},
            {QStringLiteral("IPAM"),
             QJsonObject{
                 {QStringLiteral("Driver"), QStringLiteral("default")},
                 {QStringLiteral("Config"),
                  QJsonArray{QJsonObject{{QStringLiteral("Subnet"), c.podSubnet.toString()},
                                         {QStringLiteral("IPRange"), nodeRange.toString()},
                                         {QStringLiteral("Gateway"), c.podSubnet.address(1)}}}}}},
        };
    }
};

class PlanNodes final : public CreateStep
{
public:
    QString title() const override { return Tr::tr("Writing configuration"); }
    Outcome<void> execute(CreateContext &c) override
    {
        const QStringList names = nodeNames(c.name, c.config.nodes);
        int controlPlanes = 0;
        for (qsizetype i = 0; i < c.config.nodes.size(); ++i) {
            const NodeConfig &n = c.config.nodes[i];
            controlPlanes += n.role == NodeRole::ControlPlane;
            c.nodes.append(
                {n,
                 names[i],
                 roleName(n.role),
                 c.podSubnet.address(2 + quint64(i)),
                 c.podSubnet.subnet(defaults::nodePodCidrPrefix, quint64(i) + 1)->toString(),
                 {}});
        }
        // Several control planes are reached through one address, as in kind.
        if (controlPlanes > 1)
            c.nodes.prepend({NodeConfig{},
                             c.name + QStringLiteral("-external-load-balancer"),
                             QStringLiteral("external-load-balancer"),
                             c.podSubnet.address(2 + quint64(c.config.nodes.size())),
                             {},
                             {}});

        auto ca = pki::createCertificateAuthority(QStringLiteral("timonel-%1-ca").arg(c.name));
        if (!ca)
            return std::unexpected(ca.error());
        c.ca = *ca;
        QStringList dnsNames = {QStringLiteral("localhost"), QStringLiteral("kubernetes"),
                                QStringLiteral("kubernetes.default"),
                                QStringLiteral("kubernetes.default.svc"),
                                QStringLiteral("kubernetes.default.svc.cluster.local")};
        QStringList ips = {QStringLiteral("127.0.0.1"),
                           core::Ipv4Subnet::parse(c.config.networking.serviceSubnet)->address(1)};
        if (c.config.networking.apiServerAddress != QLatin1String("0.0.0.0"))
            ips.append(c.config.networking.apiServerAddress);
        for (const PlannedNode &n : c.nodes)
            if (n.role != roleName(NodeRole::Worker)) {
                dnsNames.append(n.name);
                ips.append(n.ip);
            }
        auto server = pki::issueCertificate(
            c.ca, {QStringLiteral("kube-apiserver"), {}, dnsNames, ips, false, true, false, 365});
        auto admin = pki::issueCertificate(c.ca, {QStringLiteral("kubernetes-admin"),
                                                  {QStringLiteral("system:masters")},
                                                  {},
                                                  {},
                                                  false,
                                                  false,
                                                  true,
                                                  365});
        // The API server's identity towards node agents, for logs, exec and port-forward.
        auto kubeletClient =
            pki::issueCertificate(c.ca, {QStringLiteral("kube-apiserver-kubelet-client"),
                                         {QStringLiteral("system:masters")},
                                         {},
                                         {},
                                         false,
                                         false,
                                         true,
                                         365});
        if (!server || !admin || !kubeletClient)
            return std::unexpected(!server  ? server.error()
                                   : !admin ? admin.error()
                                            : kubeletClient.error());
        c.controlPlaneFiles = {
            {QStringLiteral("ca.crt"), c.ca.certificatePem},
            {QStringLiteral("ca.key"), c.ca.privateKeyPem},
            {QStringLiteral("apiserver.crt"), server->certificatePem},
            {QStringLiteral("apiserver.key"), server->privateKeyPem},
            {QStringLiteral("admin.crt"), admin->certificatePem},
            {QStringLiteral("admin.key"), admin->privateKeyPem},
            {QStringLiteral("apiserver-kubelet-client.crt"), kubeletClient->certificatePem},
            {QStringLiteral("apiserver-kubelet-client.key"), kubeletClient->privateKeyPem},
        };
        c.access = {contextName(c.name),
                    {},
                    c.ca.certificatePem,
                    admin->certificatePem,
                    admin->privateKeyPem};
        return {};
    }
};

class PrepareNodes final : public CreateStep
{
public:
    QString title() const override { return Tr::tr("Preparing nodes"); }
    Outcome<void> execute(CreateContext &c) override
    {
        for (PlannedNode &node : c.nodes) {
            if (c.cancel && c.cancel->isCancelled())
                return std::unexpected(Tr::tr("cancelled"));
            const QString volume = QStringLiteral("timonel-%1").arg(node.name);
            std::map<QString, QString> labels = c.commonLabels();
            labels[QString(defaults::roleLabel)] = node.role;
            labels[QString(defaults::nodeLabel)] = node.name;
            if (auto v = c.docker.createVolume(volume, QMap<QString, QString>(labels)); !v)
                return std::unexpected(
                    Tr::tr("cannot create volume %1: %2").arg(volume, v.error().message));
            c.undo.push_back([&c, volume] { c.cleanupDocker.removeVolume(volume); });

            auto id = c.docker.createContainer(node.name, containerConfig(c, node, volume, labels));
            if (!id)
                return std::unexpected(
                    Tr::tr("cannot create node %1: %2").arg(node.name, id.error().message));
            node.containerId = *id;
            c.undo.push_back([&c, id = *id] { c.cleanupDocker.removeContainer(id, true, true); });

            const auto files = nodeFiles(c, node);
            if (!files)
                return std::unexpected(files.error());
            if (auto r = c.docker.putArchive(*id, QStringLiteral("/"), *files); !r)
                return std::unexpected(Tr::tr("cannot write the configuration of %1: %2")
                                           .arg(node.name, r.error().message));
        }
        c.detail = QString(qsizetype(c.nodes.size()), QChar(0x25A0)); // one mark per node
        return {};
    }

private:
    static QJsonObject containerConfig(const CreateContext &c, const PlannedNode &node,
                                       const QString &volume,
                                       const std::map<QString, QString> &labels)
    {
        const bool isControlPlane = node.role == roleName(NodeRole::ControlPlane);
        const bool isBalancer = node.role == QLatin1String("external-load-balancer");
        const bool publishesApi =
            isBalancer || (isControlPlane && !hasBalancer(c) && isFirstControlPlane(c, node));
        QJsonObject exposed, bindings;
        QJsonArray mounts{
            QJsonObject{{QStringLiteral("Type"), QStringLiteral("volume")},
                        {QStringLiteral("Source"), volume},
                        {QStringLiteral("Target"), QStringLiteral("/var/lib/timonel")}}};
        if (publishesApi) {
            const QString key = QStringLiteral("%1/tcp").arg(defaults::apiServerContainerPort);
            const Networking &n = c.config.networking;
            exposed.insert(key, QJsonObject());
            bindings.insert(key,
                            QJsonArray{QJsonObject{
                                {QStringLiteral("HostIp"), n.apiServerAddress},
                                {QStringLiteral("HostPort"),
                                 n.apiServerPort ? QString::number(n.apiServerPort) : QString()}}});
        }
        for (const PortMapping &m : node.config.extraPortMappings) {
            const QString key =
                QStringLiteral("%1/%2").arg(m.containerPort).arg(m.protocol.toLower());
            exposed.insert(key, QJsonObject());
            QJsonArray list = bindings.value(key).toArray();
            list.append(QJsonObject{{QStringLiteral("HostIp"), m.listenAddress},
                                    {QStringLiteral("HostPort"),
                                     m.hostPort ? QString::number(m.hostPort) : QString()}});
            bindings.insert(key, list);
        }
        if (!isBalancer) {
            // Pods are sibling containers: the node agent drives the same Docker engine.
            mounts.append(
                QJsonObject{{QStringLiteral("Type"), QStringLiteral("bind")},
                            {QStringLiteral("Source"), c.docker.socketPath()},
                            {QStringLiteral("Target"), QStringLiteral("/var/run/docker.sock")}});
        }
        for (const Mount &m : node.config.extraMounts) {
            static const QMap<QString, QString> propagation = {
                {QStringLiteral("None"), QStringLiteral("rprivate")},
                {QStringLiteral("HostToContainer"), QStringLiteral("rslave")},
                {QStringLiteral("Bidirectional"), QStringLiteral("rshared")}};
            mounts.append(QJsonObject{
                {QStringLiteral("Type"), QStringLiteral("bind")},
                {QStringLiteral("Source"), m.hostPath},
                {QStringLiteral("Target"), m.containerPath},
                {QStringLiteral("ReadOnly"), m.readOnly},
                {QStringLiteral("BindOptions"),
                 QJsonObject{{QStringLiteral("Propagation"), propagation.value(m.propagation)}}}});
        }
        QJsonArray command{node.role};
        if (isBalancer) {
            command = {QStringLiteral("lb"),
                       QStringLiteral("--port=%1").arg(defaults::apiServerContainerPort)};
            for (const PlannedNode &n : c.nodes)
                if (n.role == roleName(NodeRole::ControlPlane))
                    command.append(
                        QStringLiteral("%1:%2").arg(n.ip).arg(defaults::apiServerContainerPort));
        }
        return QJsonObject{
            {QStringLiteral("Image"), c.image},
            {QStringLiteral("Hostname"), node.name},
            {QStringLiteral("Cmd"), command},
            {QStringLiteral("Labels"), labelsJson(labels)},
            {QStringLiteral("ExposedPorts"), exposed},
            {QStringLiteral("HostConfig"),
             QJsonObject{
                 {QStringLiteral("Init"), true}, // reaps zombies and forwards signals
                 // A Docker restart brings the cluster back; `stop cluster` keeps it stopped.
                 {QStringLiteral("RestartPolicy"),
                  QJsonObject{{QStringLiteral("Name"), QStringLiteral("unless-stopped")}}},
                 {QStringLiteral("NetworkMode"), c.network},
                 {QStringLiteral("PortBindings"), bindings},
                 {QStringLiteral("Mounts"), mounts},
                 // The service proxy holds ClusterIPs on the node's loopback and has the
                 // kernel forward service traffic between pods through the node.
                 {QStringLiteral("CapAdd"), QJsonArray{QStringLiteral("NET_ADMIN")}},
                 {QStringLiteral("Sysctls"),
                  QJsonObject{{QStringLiteral("net.ipv4.ip_forward"), QStringLiteral("1")}}}}},
            {QStringLiteral("NetworkingConfig"),
             QJsonObject{
                 {QStringLiteral("EndpointsConfig"),
                  QJsonObject{{c.network,
                               QJsonObject{{QStringLiteral("IPAMConfig"),
                                            QJsonObject{{QStringLiteral("IPv4Address"), node.ip}}},
                                           {QStringLiteral("Aliases"), QJsonArray{node.name}}}}}}}},
        };
    }

    static bool hasBalancer(const CreateContext &c)
    {
        return c.nodes.first().role == QLatin1String("external-load-balancer");
    }

    static bool isFirstControlPlane(const CreateContext &c, const PlannedNode &node)
    {
        for (const PlannedNode &n : c.nodes)
            if (n.role == roleName(NodeRole::ControlPlane))
                return n.name == node.name;
        return false;
    }

    // As kubeadm and kind: control planes keep workloads off themselves when there are
    // workers to run them.
    static QJsonArray registerTaints(const CreateContext &c, const PlannedNode &node)
    {
        if (node.role != roleName(NodeRole::ControlPlane))
            return {};
        for (const PlannedNode &n : c.nodes)
            if (n.role == roleName(NodeRole::Worker))
                return {QJsonObject{{QStringLiteral("key"),
                                     QStringLiteral("node-role.kubernetes.io/control-plane")},
                                    {QStringLiteral("effect"), QStringLiteral("NoSchedule")}}};
        return {};
    }

    // /etc/timonel/node.json for every node, and the PKI for control planes.
    static std::expected<QByteArray, QString> nodeFiles(const CreateContext &c,
                                                        const PlannedNode &node)
    {
        QJsonObject labels;
        for (auto it = node.config.labels.begin(); it != node.config.labels.end(); ++it)
            labels.insert(it.key(), it.value());
        QString apiServer;
        for (const PlannedNode &n : c.nodes)
            if (n.role == roleName(NodeRole::ControlPlane) && apiServer.isEmpty())
                apiServer =
                    QStringLiteral("https://%1:%2").arg(n.ip).arg(defaults::apiServerContainerPort);
        const QJsonObject config{
            {QStringLiteral("cluster"), c.name},
            {QStringLiteral("nodeName"), node.name},
            {QStringLiteral("role"), node.role},
            {QStringLiteral("nodeIP"), node.ip},
            {QStringLiteral("podCIDR"), node.podCidr},
            {QStringLiteral("podSubnet"), c.podSubnet.toString()},
            {QStringLiteral("serviceSubnet"), c.config.networking.serviceSubnet},
            {QStringLiteral("apiServer"), apiServer},
            {QStringLiteral("network"), c.network},
            {QStringLiteral("image"), c.image},
            {QStringLiteral("labels"), labels},
            {QStringLiteral("taints"), registerTaints(c, node)}};
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        docker::TarWriter tar(&buffer);
        tar.addDirectory(QStringLiteral("etc/timonel"));
        tar.addFile(QStringLiteral("etc/timonel/node.json"), QJsonDocument(config).toJson());
        const bool isControlPlane = node.role == roleName(NodeRole::ControlPlane);
        tar.addDirectory(QStringLiteral("etc/timonel/pki"), 0700);
        for (auto it = c.controlPlaneFiles.begin(); it != c.controlPlaneFiles.end(); ++it) {
            // Workers only need to trust the CA.
            if (isControlPlane || it.key() == QLatin1String("ca.crt"))
                tar.addFile(QStringLiteral("etc/timonel/pki/") + it.key(), it.value(),
                            it.key().endsWith(QLatin1String(".key")) ? 0600 : 0644);
        }
        // Each node agent has its own identity, as a kubelet's system:node:<name>, which also
        // serves its HTTPS endpoint (logs, exec, port-forward) to the API server.
        const auto identity =
            pki::issueCertificate(c.ca, {QStringLiteral("system:node:") + node.name,
                                         {QStringLiteral("system:nodes")},
                                         {node.name},
                                         {node.ip},
                                         false,
                                         true,
                                         true,
                                         365});
        if (!identity)
            return std::unexpected(identity.error());
        tar.addFile(QStringLiteral("etc/timonel/pki/node.crt"), identity->certificatePem, 0644);
        tar.addFile(QStringLiteral("etc/timonel/pki/node.key"), identity->privateKeyPem, 0600);
        tar.finish();
        return buffer.data();
    }
};

class StartNodes final : public CreateStep
{
public:
    QString title() const override { return Tr::tr("Starting nodes"); }
    Outcome<void> execute(CreateContext &c) override
    {
        // All at once: the engine starts them in parallel, which is most of creation's time.
        std::vector<std::unique_ptr<docker::DockerCall>> calls;
        for (const PlannedNode &node : c.nodes) {
            docker::DockerError error;
            auto call = c.docker.call(
                "POST", QStringLiteral("/containers/%1/start").arg(node.containerId), &error);
            if (!call)
                return std::unexpected(error.message);
            call->setBody({});
            call->start();
            calls.push_back(std::move(call));
        }
        for (qsizetype i = 0; i < qsizetype(calls.size()); ++i) {
            calls[i]->waitForFinished(120000, c.cancel);
            if (calls[i]->error() && calls[i]->error()->status != 304)
                return std::unexpected(
                    Tr::tr("cannot start %1: %2").arg(c.nodes[i].name, calls[i]->error()->message));
        }
        return {};
    }
};

class WaitForReady final : public CreateStep
{
public:
    QString title() const override { return Tr::tr("Waiting for nodes to be ready"); }
    Outcome<void> execute(CreateContext &c) override
    {
        const QDeadlineTimer deadline(c.options.waitMs);
        QList<NodeInfo> nodes;
        for (const PlannedNode &n : c.nodes)
            nodes.append({n.name, n.role, n.containerId, {}, n.ip});
        if (auto ready = waitForNodesReady(c.docker, nodes, deadline); !ready)
            return ready;
        auto access = Clusters(c.docker).access(c.name);
        if (!access)
            return std::unexpected(access.error());
        c.access = *access;
        if (auto api = waitForApiServer(c.access, deadline, c.cancel); !api)
            return api;
        c.detail = c.access.server;
        return {};
    }
};

class WriteKubeconfig final : public CreateStep
{
public:
    QString title() const override { return Tr::tr("Writing kubeconfig"); }
    Outcome<void> execute(CreateContext &c) override
    {
        c.kubeconfigPath =
            c.options.kubeconfigPath.isEmpty() ? pki::kubeconfigPath() : c.options.kubeconfigPath;
        if (auto r =
                pki::mergeIntoKubeconfig(c.access, c.kubeconfigPath, c.options.setCurrentContext);
            !r)
            return std::unexpected(r.error());
        c.undo.push_back(
            [&c] { pki::removeFromKubeconfig(c.access.contextName, c.kubeconfigPath); });
        c.detail = c.kubeconfigPath;
        return {};
    }
};

} // namespace

ClusterCreator::ClusterCreator(CreateOptions options, docker::DockerClient docker, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_docker(std::move(docker))
{
    m_steps.push_back(std::make_unique<CheckConfiguration>());
    m_steps.push_back(std::make_unique<EnsureNodeImage>());
    m_steps.push_back(std::make_unique<CreateNetwork>());
    m_steps.push_back(std::make_unique<PlanNodes>());
    m_steps.push_back(std::make_unique<PrepareNodes>());
    m_steps.push_back(std::make_unique<StartNodes>());
    m_steps.push_back(std::make_unique<WaitForReady>());
    m_steps.push_back(std::make_unique<WriteKubeconfig>());
}

ClusterCreator::~ClusterCreator() = default;

QStringList ClusterCreator::stepTitles() const
{
    QStringList titles;
    for (const auto &step : m_steps)
        titles.append(step->title());
    return titles;
}

Outcome<CreatedCluster> ClusterCreator::run(const core::CancelToken *cancel)
{
    CreateContext c;
    c.options = m_options;
    c.config = m_options.config;
    c.name = !m_options.name.isEmpty()  ? m_options.name
             : !c.config.name.isEmpty() ? c.config.name
                                        : QString(defaults::clusterName);
    c.docker = m_docker;
    c.docker.setCancelToken(cancel);
    c.cleanupDocker = m_docker;
    c.cleanupDocker.setCancelToken(nullptr);
    c.cancel = cancel;
    if (const QString ignored = c.config.ignoredFieldsWarning(); !ignored.isEmpty())
        Q_EMIT warning(ignored);

    // Tests interrupt creation at a chosen step through this hook: it waits, before step N,
    // until the creation is cancelled (bounded, so a stray setting cannot hang a user forever).
    bool holdSet = false;
    const int holdBefore = qEnvironmentVariableIntValue("TIMONEL_TEST_HOLD_BEFORE_STEP", &holdSet);

    for (int i = 0; i < int(m_steps.size()); ++i) {
        const QString title = m_steps[i]->title();
        Q_EMIT stepStarted(i, title);
        if (holdSet && holdBefore == i && cancel && !cancel->isCancelled()) {
            QEventLoop hold;
            connect(cancel, &core::CancelToken::cancelled, &hold, &QEventLoop::quit,
                    Qt::QueuedConnection);
            QTimer::singleShot(300000, &hold, &QEventLoop::quit);
            Q_EMIT holding(i);
            hold.exec();
        }
        c.detail.clear();
        Outcome<void> result = (cancel && cancel->isCancelled())
                                   ? std::unexpected(Tr::tr("cancelled"))
                                   : m_steps[i]->execute(c);
        if (result && cancel && cancel->isCancelled())
            result = std::unexpected(Tr::tr("cancelled"));
        Q_EMIT stepFinished(i, title, bool(result), result ? c.detail : result.error());
        if (!result) {
            if (!c.undo.empty())
                Q_EMIT rollingBack();
            for (auto it = c.undo.rbegin(); it != c.undo.rend(); ++it)
                (*it)();
            return std::unexpected(result.error());
        }
    }
    CreatedCluster created{c.name, c.access.contextName, c.kubeconfigPath, c.access.server, c.image,
                           {}};
    for (const PlannedNode &n : c.nodes)
        created.nodes.append({n.name, n.role, n.containerId, QStringLiteral("running"), n.ip});
    return created;
}

} // namespace timonel::cluster
