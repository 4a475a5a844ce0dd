#include "cluster/clusterconfig.h"

#include <QTest>

using namespace timonel::cluster;
using namespace Qt::StringLiterals;

namespace {

// A config as short lines, so that a table row can say what it expects at a glance:
//   "name dev"
//   "control-plane labels tier=web port 127.0.0.1:8080->80/TCP mount /src->/data:ro:None"
//   "networking api 127.0.0.1:0 pods - services 10.96.0.0/16 ipv4"
QStringList summary(const ClusterConfig &config)
{
    QStringList lines;
    if (!config.name.isEmpty())
        lines << u"name "_s + config.name;
    for (const NodeConfig &node : config.nodes) {
        QString line = roleName(node.role);
        if (!node.labels.isEmpty()) {
            QStringList labels;
            for (auto it = node.labels.begin(); it != node.labels.end(); ++it)
                labels << it.key() + u'=' + it.value();
            line += u" labels "_s + labels.join(u',');
        }
        for (const PortMapping &port : node.extraPortMappings) {
            line += u" port %1:%2->%3/%4"_s.arg(port.listenAddress)
                        .arg(port.hostPort)
                        .arg(port.containerPort)
                        .arg(port.protocol);
        }
        for (const Mount &mount : node.extraMounts) {
            line +=
                u" mount %1->%2:%3:%4"_s.arg(mount.hostPath, mount.containerPath,
                                             mount.readOnly ? u"ro"_s : u"rw"_s, mount.propagation);
        }
        lines << line;
    }
    const Networking &net = config.networking;
    lines << u"networking api %1:%2 pods %3 services %4 %5"_s.arg(net.apiServerAddress)
                 .arg(net.apiServerPort)
                 .arg(net.podSubnet.isEmpty() ? u"-"_s : net.podSubnet)
                 .arg(net.serviceSubnet)
                 .arg(net.ipFamily);
    return lines;
}

const QString defaultNetworking = u"networking api 127.0.0.1:0 pods - services 10.96.0.0/16 ipv4"_s;

QByteArray kindConfig(const QByteArray &body)
{
    return "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n" + body;
}

} // namespace

class TestClusterConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesValidConfigs_data();
    void parsesValidConfigs();
    void rejectsInvalidConfigsWithOneLine_data();
    void rejectsInvalidConfigsWithOneLine();
    void yamlSyntaxErrorsCarryLineAndColumn();
    void listsIgnoredKindFieldsInOneWarning();
    void noWarningWithoutIgnoredFields();
    void namesNodesAsKindDoes_data();
    void namesNodesAsKindDoes();
    void validatesClusterNames_data();
    void validatesClusterNames();
    void defaultConfigHasRequestedNodes();
    void podSubnetCandidatesStartAtKindsDefault();
};

void TestClusterConfig::parsesValidConfigs_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QStringList>("expected");

    // The seeds' config, as written in the course notes.
    QTest::newRow("seeds: 1 control plane + 3 workers")
        << QByteArray("kind: Cluster\n"
                      "apiVersion: kind.x-k8s.io/v1alpha4\n"
                      "nodes:\n"
                      "- role: control-plane\n"
                      "- role: worker\n"
                      "- role: worker\n"
                      "- role: worker\n")
        << QStringList{u"control-plane"_s, u"worker"_s, u"worker"_s, u"worker"_s,
                       defaultNetworking};

    QTest::newRow("no nodes: kind's single control plane")
        << kindConfig("") << QStringList{u"control-plane"_s, defaultNetworking};
    QTest::newRow("empty node list: kind's single control plane")
        << kindConfig("nodes: []\n") << QStringList{u"control-plane"_s, defaultNetworking};
    QTest::newRow("node without a role is a control plane")
        << kindConfig("nodes:\n- {}\n- role: worker\n")
        << QStringList{u"control-plane"_s, u"worker"_s, defaultNetworking};

    QTest::newRow("several control planes, workers first")
        << kindConfig("nodes:\n"
                      "- role: worker\n"
                      "- role: control-plane\n"
                      "- role: control-plane\n"
                      "- role: control-plane\n"
                      "- role: worker\n")
        << QStringList{u"worker"_s,        u"control-plane"_s, u"control-plane"_s,
                       u"control-plane"_s, u"worker"_s,        defaultNetworking};

    QTest::newRow("name, document marker and comments")
        << QByteArray("# my cluster\n---\nkind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n"
                      "name: dev # short\n")
        << QStringList{u"name dev"_s, u"control-plane"_s, defaultNetworking};

    QTest::newRow("port mappings: defaults, listen address, protocol case")
        << kindConfig("nodes:\n"
                      "- role: control-plane\n"
                      "  extraPortMappings:\n"
                      "  - containerPort: 80\n"
                      "    hostPort: 8080\n"
                      "  - containerPort: 53\n"
                      "    hostPort: 5353\n"
                      "    listenAddress: 127.0.0.1\n"
                      "    protocol: udp\n"
                      "  - containerPort: 9000\n"
                      "    protocol: sctp\n"
                      "  - containerPort: 443\n"
                      "    hostPort: -1\n"
                      "    listenAddress: \"\"\n")
        << QStringList{u"control-plane port 0.0.0.0:8080->80/TCP port 127.0.0.1:5353->53/UDP "
                       "port 0.0.0.0:0->9000/SCTP port 0.0.0.0:0->443/TCP"_s,
                       defaultNetworking};

    QTest::newRow("kind's ingress example: ports 80 and 443, kubeadm patch ignored")
        << kindConfig("nodes:\n"
                      "- role: control-plane\n"
                      "  kubeadmConfigPatches:\n"
                      "  - |\n"
                      "    kind: InitConfiguration\n"
                      "    nodeRegistration:\n"
                      "      kubeletExtraArgs:\n"
                      "        node-labels: \"ingress-ready=true\"\n"
                      "  extraPortMappings:\n"
                      "  - containerPort: 80\n"
                      "    hostPort: 80\n"
                      "    protocol: TCP\n"
                      "  - containerPort: 443\n"
                      "    hostPort: 443\n"
                      "    protocol: TCP\n")
        << QStringList{u"control-plane port 0.0.0.0:80->80/TCP port 0.0.0.0:443->443/TCP"_s,
                       defaultNetworking};

    QTest::newRow("one host port on two addresses, on two protocols, random twice")
        << kindConfig("nodes:\n"
                      "- role: control-plane\n"
                      "  extraPortMappings:\n"
                      "  - {containerPort: 80, hostPort: 80, listenAddress: 127.0.0.1}\n"
                      "  - {containerPort: 80, hostPort: 80, listenAddress: 127.0.0.2}\n"
                      "  - {containerPort: 80, hostPort: 80, listenAddress: 127.0.0.1, "
                      "protocol: UDP}\n"
                      "- role: worker\n"
                      "  extraPortMappings:\n"
                      "  - {containerPort: 80}\n"
                      "  - {containerPort: 80, hostPort: 0}\n")
        << QStringList{u"control-plane port 127.0.0.1:80->80/TCP port 127.0.0.2:80->80/TCP "
                       "port 127.0.0.1:80->80/UDP"_s,
                       u"worker port 0.0.0.0:0->80/TCP port 0.0.0.0:0->80/TCP"_s,
                       defaultNetworking};

    QTest::newRow("mounts") << kindConfig("nodes:\n"
                                          "- role: control-plane\n"
                                          "  extraMounts:\n"
                                          "  - hostPath: /home/me/src\n"
                                          "    containerPath: /src\n"
                                          "  - hostPath: /var/cache/data\n"
                                          "    containerPath: /data\n"
                                          "    readOnly: true\n"
                                          "    propagation: HostToContainer\n"
                                          "  - hostPath: /mnt/shared\n"
                                          "    containerPath: /shared\n"
                                          "    readOnly: false\n"
                                          "    propagation: Bidirectional\n")
                            << QStringList{u"control-plane mount /home/me/src->/src:rw:None "
                                           "mount /var/cache/data->/data:ro:HostToContainer "
                                           "mount /mnt/shared->/shared:rw:Bidirectional"_s,
                                           defaultNetworking};

    QTest::newRow("labels: numbers and bools become their text")
        << kindConfig("nodes:\n"
                      "- role: control-plane\n"
                      "- role: worker\n"
                      "  labels:\n"
                      "    tier: frontend\n"
                      "    version: 2\n"
                      "    ratio: 1.5\n"
                      "    gpu: true\n"
                      "    empty: \"\"\n"
                      "    example.com/zone: a\n")
        << QStringList{u"control-plane"_s,
                       u"worker labels empty=,example.com/zone=a,gpu=true,ratio=1.5,"
                       "tier=frontend,version=2"_s,
                       defaultNetworking};

    QTest::newRow("networking") << kindConfig("networking:\n"
                                              "  ipFamily: ipv4\n"
                                              "  apiServerAddress: 0.0.0.0\n"
                                              "  apiServerPort: 6443\n"
                                              "  podSubnet: 10.200.0.0/16\n"
                                              "  serviceSubnet: 10.100.0.0/16\n")
                                << QStringList{u"control-plane"_s,
                                               u"networking api 0.0.0.0:6443 pods 10.200.0.0/16 "
                                               "services 10.100.0.0/16 ipv4"_s};

    QTest::newRow("networking: smallest subnets, random API port spelled as kind's -1")
        << kindConfig("networking:\n"
                      "  apiServerPort: -1\n"
                      "  podSubnet: 192.168.4.0/22\n"
                      "  serviceSubnet: 10.96.0.0/28\n")
        << QStringList{u"control-plane"_s, u"networking api 127.0.0.1:0 pods 192.168.4.0/22 "
                                           "services 10.96.0.0/28 ipv4"_s};

    QTest::newRow("API server port next to a mapped port on another address")
        << kindConfig("networking:\n"
                      "  apiServerPort: 6443\n"
                      "nodes:\n"
                      "- role: control-plane\n"
                      "  extraPortMappings:\n"
                      "  - {containerPort: 6443, hostPort: 6443, listenAddress: 192.168.1.10}\n")
        << QStringList{u"control-plane port 192.168.1.10:6443->6443/TCP"_s,
                       u"networking api 127.0.0.1:6443 pods - services 10.96.0.0/16 ipv4"_s};
}

void TestClusterConfig::parsesValidConfigs()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QStringList, expected);
    const auto config = parseClusterConfig(yaml, u"kind.yaml"_s);
    QVERIFY2(config.has_value(), qPrintable(config.error_or(QString())));
    QCOMPARE(summary(*config), expected);
}

void TestClusterConfig::rejectsInvalidConfigsWithOneLine_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("fragment");

    // The file as a whole
    QTest::newRow("empty") << QByteArray() << u"kind.yaml: the config is empty"_s;
    QTest::newRow("only blanks") << QByteArray(" \n\n") << u"the config is empty"_s;
    QTest::newRow("only a comment") << QByteArray("# nothing yet\n") << u"the config is empty"_s;
    QTest::newRow("a list") << QByteArray("- a\n- b\n") << u"expected a mapping, found a list"_s;
    QTest::newRow("two documents")
        << kindConfig("---\n") + kindConfig("") << u"holds 2 YAML documents"_s;

    // kind and apiVersion
    QTest::newRow("kind missing")
        << QByteArray("apiVersion: kind.x-k8s.io/v1alpha4\n")
        << u"kind.yaml: kind is missing; a KinD config has kind: Cluster"_s;
    QTest::newRow("kind Pod") << QByteArray("apiVersion: v1\nkind: Pod\n")
                              << u"kind.yaml: kind is \"Pod\"; a KinD config has kind: Cluster"_s;
    QTest::newRow("kind lowercase") << QByteArray("kind: cluster\n") << u"kind is \"cluster\""_s;
    QTest::newRow("apiVersion missing")
        << QByteArray("kind: Cluster\n")
        << u"apiVersion is missing; Timonel reads apiVersion: kind.x-k8s.io/v1alpha4"_s;
    QTest::newRow("old apiVersion")
        << QByteArray("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha3\n")
        << u"apiVersion is \"kind.x-k8s.io/v1alpha3\"; Timonel reads apiVersion: "
           "kind.x-k8s.io/v1alpha4"_s;

    // Fields
    QTest::newRow("unknown top-level field")
        << kindConfig("replicas: 3\n") << u"kind.yaml: unknown field \"replicas\""_s;
    QTest::newRow("misspelt top-level field")
        << kindConfig("node:\n- role: worker\n")
        << u"kind.yaml: unknown field \"node\" (did you mean \"nodes\"?)"_s;
    QTest::newRow("unknown node field") << kindConfig("nodes:\n- role: control-plane\n  cpus: 2\n")
                                        << u"kind.yaml: nodes[0]: unknown field \"cpus\""_s;
    QTest::newRow("misspelt node field")
        << kindConfig("nodes:\n- role: control-plane\n  extraPortMapping: []\n")
        << u"nodes[0]: unknown field \"extraPortMapping\" (did you mean \"extraPortMappings\"?)"_s;
    QTest::newRow("unknown networking field")
        << kindConfig("networking:\n  podCIDR: 10.244.0.0/16\n")
        << u"networking: unknown field \"podCIDR\""_s;
    QTest::newRow("unknown port mapping field")
        << kindConfig("nodes:\n- extraPortMappings:\n  - {containerPort: 80, nodePort: 30080}\n")
        << u"nodes[0].extraPortMappings[0]: unknown field \"nodePort\""_s;
    QTest::newRow("unknown mount field")
        << kindConfig("nodes:\n- extraMounts:\n  - {hostPath: /a, containerPath: /b, ro: true}\n")
        << u"nodes[0].extraMounts[0]: unknown field \"ro\""_s;

    // Name
    QTest::newRow("bad name") << kindConfig("name: My_Cluster\n")
                              << u"name: \"My_Cluster\" is not a valid cluster name"_s;

    // Nodes and roles
    QTest::newRow("nodes not a list")
        << kindConfig("nodes:\n  role: worker\n") << u"nodes: expected a list, found a mapping"_s;
    QTest::newRow("node not a mapping") << kindConfig("nodes:\n- control-plane\n")
                                        << u"nodes[0]: expected a mapping, found a string"_s;
    QTest::newRow("unknown role")
        << kindConfig("nodes:\n- role: control-plane\n- role: master\n")
        << u"kind.yaml: nodes[1].role: \"master\" is not a valid node role; use control-plane "
           "or worker"_s;
    QTest::newRow("role not a string") << kindConfig("nodes:\n- role: 1\n")
                                       << u"nodes[0].role: expected a string, found a number"_s;
    QTest::newRow("no control plane") << kindConfig("nodes:\n- role: worker\n- role: worker\n")
                                      << u"kind.yaml: nodes: there is no control-plane node"_s;

    // Port mappings
    QTest::newRow("containerPort missing") << kindConfig("nodes:\n- extraPortMappings:\n  - "
                                                         "hostPort: 80\n")
                                           << u"nodes[0].extraPortMappings[0]: containerPort is "
                                              "missing"_s;
    QTest::newRow("containerPort 0")
        << kindConfig("nodes:\n- extraPortMappings:\n  - containerPort: 0\n")
        << u"nodes[0].extraPortMappings[0].containerPort: 0 is not a valid port; use 1 to 65535"_s;
    QTest::newRow("containerPort too big")
        << kindConfig("nodes:\n- extraPortMappings:\n  - containerPort: 65536\n")
        << u"containerPort: 65536 is not a valid port"_s;
    QTest::newRow("hostPort too big")
        << kindConfig("nodes:\n- extraPortMappings:\n  - {containerPort: 80, hostPort: 70000}\n")
        << u"hostPort: 70000 is not a valid port; use 1 to 65535, or 0 for a random free port"_s;
    QTest::newRow("hostPort negative")
        << kindConfig("nodes:\n- extraPortMappings:\n  - {containerPort: 80, hostPort: -2}\n")
        << u"hostPort: -2 is not a valid port"_s;
    QTest::newRow("quoted port") << kindConfig("nodes:\n- extraPortMappings:\n  - containerPort: "
                                               "\"80\"\n")
                                 << u"containerPort: expected a number, found a string"_s;
    QTest::newRow("fractional port")
        << kindConfig("nodes:\n- extraPortMappings:\n  - containerPort: 80.5\n")
        << u"containerPort: 80.5 is not a whole number"_s;
    QTest::newRow("unknown protocol")
        << kindConfig("nodes:\n- extraPortMappings:\n  - {containerPort: 80, protocol: HTTP}\n")
        << u"protocol: \"HTTP\" is not a protocol; use TCP, UDP or SCTP"_s;
    QTest::newRow("listen address a host name")
        << kindConfig("nodes:\n- extraPortMappings:\n  - {containerPort: 80, listenAddress: "
                      "localhost}\n")
        << u"listenAddress: \"localhost\" is not an IPv4 address"_s;
    QTest::newRow("listen address IPv6")
        << kindConfig("nodes:\n- extraPortMappings:\n  - {containerPort: 80, listenAddress: "
                      "\"::\"}\n")
        << u"Timonel clusters are IPv4 only"_s;
    QTest::newRow("same host port twice on a node")
        << kindConfig("nodes:\n- extraPortMappings:\n"
                      "  - {containerPort: 80, hostPort: 8080}\n"
                      "  - {containerPort: 81, hostPort: 8080}\n")
        << u"kind.yaml: nodes[0].extraPortMappings[1]: host port 0.0.0.0:8080/TCP clashes with "
           "nodes[0].extraPortMappings[0] (0.0.0.0:8080/TCP)"_s;
    QTest::newRow("same host port on two nodes")
        << kindConfig("nodes:\n"
                      "- extraPortMappings:\n"
                      "  - {containerPort: 80, hostPort: 80, listenAddress: 127.0.0.1}\n"
                      "- role: worker\n"
                      "  extraPortMappings:\n"
                      "  - {containerPort: 80, hostPort: 80, listenAddress: 127.0.0.1}\n")
        << u"nodes[1].extraPortMappings[0]: host port 127.0.0.1:80/TCP clashes with "
           "nodes[0].extraPortMappings[0]"_s;
    QTest::newRow("wildcard after a specific address")
        << kindConfig("nodes:\n- extraPortMappings:\n"
                      "  - {containerPort: 80, hostPort: 80, listenAddress: 127.0.0.1}\n"
                      "  - {containerPort: 80, hostPort: 80}\n")
        << u"host port 0.0.0.0:80/TCP clashes with nodes[0].extraPortMappings[0] "
           "(127.0.0.1:80/TCP)"_s;
    QTest::newRow("specific address after the wildcard")
        << kindConfig("nodes:\n- extraPortMappings:\n"
                      "  - {containerPort: 80, hostPort: 80}\n"
                      "- role: worker\n"
                      "  extraPortMappings:\n"
                      "  - {containerPort: 80, hostPort: 80, listenAddress: 127.0.0.1}\n")
        << u"nodes[1].extraPortMappings[0]: host port 127.0.0.1:80/TCP clashes with "
           "nodes[0].extraPortMappings[0] (0.0.0.0:80/TCP)"_s;
    QTest::newRow("same host port, protocol in other case")
        << kindConfig("nodes:\n- extraPortMappings:\n"
                      "  - {containerPort: 53, hostPort: 53, protocol: udp}\n"
                      "  - {containerPort: 53, hostPort: 53, protocol: UDP}\n")
        << u"host port 0.0.0.0:53/UDP clashes"_s;
    QTest::newRow("host port taken by the API server")
        << kindConfig("networking:\n  apiServerPort: 6443\n"
                      "nodes:\n- extraPortMappings:\n  - {containerPort: 6443, hostPort: 6443}\n")
        << u"host port 0.0.0.0:6443/TCP clashes with networking.apiServerPort "
           "(127.0.0.1:6443/TCP)"_s;
    QTest::newRow("port mappings not a list")
        << kindConfig("nodes:\n- extraPortMappings:\n    containerPort: 80\n")
        << u"nodes[0].extraPortMappings: expected a list, found a mapping"_s;

    // Mounts
    QTest::newRow("relative hostPath")
        << kindConfig("nodes:\n- extraMounts:\n  - {hostPath: ./data, containerPath: /data}\n")
        << u"nodes[0].extraMounts[0].hostPath: \"./data\" is not an absolute path"_s;
    QTest::newRow("relative containerPath")
        << kindConfig("nodes:\n- extraMounts:\n  - {hostPath: /data, containerPath: data}\n")
        << u"nodes[0].extraMounts[0].containerPath: \"data\" is not an absolute path"_s;
    QTest::newRow("hostPath missing")
        << kindConfig("nodes:\n- extraMounts:\n  - containerPath: /data\n")
        << u"nodes[0].extraMounts[0]: hostPath is missing"_s;
    QTest::newRow("containerPath missing")
        << kindConfig("nodes:\n- extraMounts:\n  - hostPath: /data\n")
        << u"nodes[0].extraMounts[0]: containerPath is missing"_s;
    QTest::newRow("unknown propagation")
        << kindConfig("nodes:\n- extraMounts:\n  - {hostPath: /a, containerPath: /b, "
                      "propagation: rshared}\n")
        << u"propagation: \"rshared\" is not a mount propagation; use None, HostToContainer or "
           "Bidirectional"_s;
    QTest::newRow("readOnly as a string")
        << kindConfig("nodes:\n- extraMounts:\n  - {hostPath: /a, containerPath: /b, "
                      "readOnly: \"true\"}\n")
        << u"readOnly: expected true or false, found a string"_s;

    // Labels
    QTest::newRow("labels as a list") << kindConfig("nodes:\n- labels:\n  - tier=web\n")
                                      << u"nodes[0].labels: expected a mapping, found a list"_s;
    QTest::newRow("label value a list") << kindConfig("nodes:\n- labels:\n    tier: [a, b]\n")
                                        << u"nodes[0].labels.tier: expected a string, found a "
                                           "list"_s;
    QTest::newRow("label key with a space")
        << kindConfig("nodes:\n- labels:\n    \"my tier\": web\n")
        << u"\"my tier\" is not a valid label key"_s;
    QTest::newRow("label value too long")
        << kindConfig("nodes:\n- labels:\n    tier: " + QByteArray(64, 'a') + "\n")
        << u"is not a valid label value"_s;

    // Networking
    QTest::newRow("pod subnet with host bits")
        << kindConfig("networking:\n  podSubnet: 10.244.1.0/16\n")
        << u"kind.yaml: networking.podSubnet: 10.244.1.0/16 has host bits set; the network "
           "address is 10.244.0.0/16"_s;
    QTest::newRow("pod subnet not a CIDR") << kindConfig("networking:\n  podSubnet: pods\n")
                                           << u"networking.podSubnet: \"pods\" is not a CIDR"_s;
    QTest::newRow("pod subnet octet over 255")
        << kindConfig("networking:\n  podSubnet: 10.300.0.0/16\n")
        << u"\"10.300.0.0\" is not an IPv4 address"_s;
    QTest::newRow("pod subnet smaller than a node's /24")
        << kindConfig("networking:\n  podSubnet: 10.244.0.0/25\n")
        << u"networking.podSubnet: 10.244.0.0/25 is too small: each node gets a /24"_s;
    QTest::newRow("pod subnet without room for every node")
        << kindConfig("networking:\n  podSubnet: 10.244.0.0/23\n"
                      "nodes:\n- role: control-plane\n- role: worker\n- role: worker\n")
        << u"networking.podSubnet: 10.244.0.0/23 is too small for 3 node(s): each node gets a "
           "/24 and the cluster network 2 more; use a /21 or larger"_s;
    QTest::newRow("pod subnet of a single /24")
        << kindConfig("networking:\n  podSubnet: 10.244.0.0/24\n")
        << u"10.244.0.0/24 is too small for 1 node(s)"_s;
    QTest::newRow("dual-stack pod subnet")
        << kindConfig("networking:\n  podSubnet: 10.244.0.0/16,fd00:10:244::/56\n")
        << u"lists several subnets"_s;
    QTest::newRow("service subnet too small")
        << kindConfig("networking:\n  serviceSubnet: 10.96.0.0/29\n")
        << u"networking.serviceSubnet: 10.96.0.0/29 is too small: use a /28 or larger"_s;
    QTest::newRow("service subnet prefix over 32")
        << kindConfig("networking:\n  serviceSubnet: 10.96.0.0/40\n")
        << u"prefix length must be 0 to 32"_s;
    QTest::newRow("subnets overlap")
        << kindConfig("networking:\n  podSubnet: 10.0.0.0/8\n  serviceSubnet: 10.96.0.0/16\n")
        << u"networking.serviceSubnet: 10.96.0.0/16 overlaps the pod subnet 10.0.0.0/8"_s;
    QTest::newRow("API server address a host name")
        << kindConfig("networking:\n  apiServerAddress: localhost\n")
        << u"networking.apiServerAddress: \"localhost\" is not an IPv4 address"_s;
    QTest::newRow("API server port too big")
        << kindConfig("networking:\n  apiServerPort: 65536\n")
        << u"networking.apiServerPort: 65536 is not a valid port"_s;
    QTest::newRow("ipv6 family") << kindConfig("networking:\n  ipFamily: ipv6\n")
                                 << u"networking.ipFamily: ipv6 is not supported: Timonel "
                                    "clusters are IPv4 only"_s;
    QTest::newRow("dual-stack family")
        << kindConfig("networking:\n  ipFamily: dual\n") << u"dual is not supported"_s;
    QTest::newRow("unknown family") << kindConfig("networking:\n  ipFamily: IPv4\n")
                                    << u"\"IPv4\" is not an IP family; use ipv4"_s;
    QTest::newRow("networking a list")
        << kindConfig("networking: []\n") << u"networking: expected a mapping, found a list"_s;
}

void TestClusterConfig::rejectsInvalidConfigsWithOneLine()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, fragment);
    const auto config = parseClusterConfig(yaml, u"kind.yaml"_s);
    QVERIFY2(!config.has_value(), "the config was accepted");
    const QString message = config.error();
    QVERIFY2(message.contains(fragment), qPrintable(message));
    QVERIFY2(message.startsWith(u"kind.yaml: "), qPrintable(message));
    QVERIFY2(!message.contains(u'\n'), qPrintable(message));
}

void TestClusterConfig::yamlSyntaxErrorsCarryLineAndColumn()
{
    const auto config =
        parseClusterConfig(kindConfig("nodes:\n- role: worker\n  - bad: [\n"), u"kind.yaml"_s);
    QVERIFY(!config);
    static const QRegularExpression position(u"^kind\\.yaml:\\d+:\\d+: \\S"_s);
    QVERIFY2(position.match(config.error()).hasMatch(), qPrintable(config.error()));
    QVERIFY2(!config.error().contains(u'\n'), qPrintable(config.error()));
}

void TestClusterConfig::listsIgnoredKindFieldsInOneWarning()
{
    const auto config = parseClusterConfig(kindConfig("name: dev\n"
                                                      "featureGates:\n"
                                                      "  SomeGate: true\n"
                                                      "runtimeConfig:\n"
                                                      "  api/alpha: \"false\"\n"
                                                      "kubeadmConfigPatches:\n"
                                                      "- |\n"
                                                      "  kind: ClusterConfiguration\n"
                                                      "containerdConfigPatches:\n"
                                                      "- |\n"
                                                      "  [plugins]\n"
                                                      "networking:\n"
                                                      "  disableDefaultCNI: true\n"
                                                      "  kubeProxyMode: ipvs\n"
                                                      "  dnsSearch: []\n"
                                                      "nodes:\n"
                                                      "- role: control-plane\n"
                                                      "  image: kindest/node:v1.29.2\n"
                                                      "  extraMounts:\n"
                                                      "  - hostPath: /a\n"
                                                      "    containerPath: /b\n"
                                                      "    selinuxRelabel: true\n"
                                                      "- role: worker\n"
                                                      "  image: kindest/node:v1.29.2\n"
                                                      "  kubeadmConfigPatchesJSON6902: []\n"),
                                           u"kind.yaml"_s);
    QVERIFY2(config.has_value(), qPrintable(config.error_or(QString())));
    const QStringList expected{u"containerdConfigPatches"_s,
                               u"featureGates"_s,
                               u"kubeadmConfigPatches"_s,
                               u"runtimeConfig"_s,
                               u"networking.disableDefaultCNI"_s,
                               u"networking.dnsSearch"_s,
                               u"networking.kubeProxyMode"_s,
                               u"nodes[0].image"_s,
                               u"nodes[0].extraMounts[0].selinuxRelabel"_s,
                               u"nodes[1].image"_s,
                               u"nodes[1].kubeadmConfigPatchesJSON6902"_s};
    QCOMPARE(config->ignoredFields, expected);
    QCOMPARE(config->ignoredFieldsWarning(),
             u"warning: Timonel ignores these KinD fields: "_s + expected.join(u", "_s));
    // What is read is still read.
    QCOMPARE(config->name, u"dev"_s);
    QCOMPARE(nodeNames(config->name, config->nodes),
             (QStringList{u"dev-control-plane"_s, u"dev-worker"_s}));
}

void TestClusterConfig::noWarningWithoutIgnoredFields()
{
    const auto config =
        parseClusterConfig(kindConfig("nodes:\n- role: control-plane\n  image: ~\n"), u"k.yaml"_s);
    QVERIFY2(config.has_value(), qPrintable(config.error_or(QString())));
    QVERIFY(config->ignoredFields.isEmpty());
    QCOMPARE(config->ignoredFieldsWarning(), QString());
}

void TestClusterConfig::namesNodesAsKindDoes_data()
{
    QTest::addColumn<QString>("cluster");
    QTest::addColumn<QString>("roles"); // c = control plane, w = worker, in config order
    QTest::addColumn<QStringList>("names");

    QTest::newRow("single") << u"timonel"_s << u"c"_s << QStringList{u"timonel-control-plane"_s};
    QTest::newRow("seeds 1+3") << u"kind"_s << u"cwww"_s
                               << QStringList{u"kind-control-plane"_s, u"kind-worker"_s,
                                              u"kind-worker2"_s, u"kind-worker3"_s};
    QTest::newRow("HA, mixed order")
        << u"ha"_s << u"wccwc"_s
        << QStringList{u"ha-worker"_s, u"ha-control-plane"_s, u"ha-control-plane2"_s,
                       u"ha-worker2"_s, u"ha-control-plane3"_s};
    QStringList many{u"x-control-plane"_s, u"x-worker"_s};
    for (int i = 2; i <= 11; ++i)
        many << u"x-worker"_s + QString::number(i);
    QTest::newRow("double-digit workers") << u"x"_s << u"c"_s + QString(11, u'w') << many;
}

void TestClusterConfig::namesNodesAsKindDoes()
{
    QFETCH(QString, cluster);
    QFETCH(QString, roles);
    QFETCH(QStringList, names);
    QList<NodeConfig> nodes;
    for (QChar role : roles)
        nodes.append(NodeConfig{.role = role == u'c' ? NodeRole::ControlPlane : NodeRole::Worker});
    QCOMPARE(nodeNames(cluster, nodes), names);
}

void TestClusterConfig::validatesClusterNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("fragment"); // empty: valid

    QTest::newRow("default") << u"timonel"_s << QString();
    QTest::newRow("kind's default") << u"kind"_s << QString();
    QTest::newRow("one letter") << u"a"_s << QString();
    QTest::newRow("dashes and digits") << u"dev-2"_s << QString();
    QTest::newRow("leading digit") << u"1st"_s << QString();
    QTest::newRow("longest") << QString(defaults::maxClusterNameLength, u'a') << QString();
    QTest::newRow("empty") << QString() << u"the cluster name is empty"_s;
    QTest::newRow("uppercase") << u"Dev"_s << u"\"Dev\" is not a valid cluster name"_s;
    QTest::newRow("underscore") << u"my_cluster"_s << u"is not a valid cluster name"_s;
    QTest::newRow("leading dash") << u"-dev"_s << u"is not a valid cluster name"_s;
    QTest::newRow("trailing dash") << u"dev-"_s << u"is not a valid cluster name"_s;
    QTest::newRow("dot") << u"dev.local"_s << u"is not a valid cluster name"_s;
    QTest::newRow("space") << u"my cluster"_s << u"is not a valid cluster name"_s;
    QTest::newRow("accent") << u"café"_s << u"is not a valid cluster name"_s;
    QTest::newRow("too long") << QString(defaults::maxClusterNameLength + 1, u'a')
                              << u"is too long (49 characters): at most 48"_s;
}

void TestClusterConfig::validatesClusterNames()
{
    QFETCH(QString, name);
    QFETCH(QString, fragment);
    const QString problem = validateClusterName(name);
    if (fragment.isEmpty())
        QCOMPARE(problem, QString());
    else
        QVERIFY2(problem.contains(fragment), qPrintable(problem));
    // Every name accepted gives node names that are valid host names.
    if (problem.isEmpty()) {
        const QList<NodeConfig> nodes(9, NodeConfig{.role = NodeRole::ControlPlane});
        for (const QString &node : nodeNames(name, nodes))
            QVERIFY2(node.size() <= 63, qPrintable(node));
    }
}

void TestClusterConfig::defaultConfigHasRequestedNodes()
{
    const ClusterConfig kindDefault = defaultClusterConfig();
    QCOMPARE(summary(kindDefault), (QStringList{u"control-plane"_s, defaultNetworking}));
    QVERIFY(kindDefault.name.isEmpty());
    QVERIFY(kindDefault.ignoredFields.isEmpty());

    const ClusterConfig ha = defaultClusterConfig(3, 2);
    QCOMPARE(nodeNames(u"timonel"_s, ha.nodes),
             (QStringList{u"timonel-control-plane"_s, u"timonel-control-plane2"_s,
                          u"timonel-control-plane3"_s, u"timonel-worker"_s, u"timonel-worker2"_s}));
}

void TestClusterConfig::podSubnetCandidatesStartAtKindsDefault()
{
    const QList<timonel::core::Ipv4Subnet> candidates = podSubnetCandidates();
    QCOMPARE(candidates.size(), 11 + 44);
    QCOMPARE(candidates.first().toString(), QString(defaults::podSubnet));
    QCOMPARE(candidates.at(10).toString(), u"10.254.0.0/16"_s);
    QCOMPARE(candidates.at(11).toString(), u"10.200.0.0/16"_s);
    QCOMPARE(candidates.last().toString(), u"10.243.0.0/16"_s);
    const auto services = timonel::core::Ipv4Subnet::parse(defaults::serviceSubnet);
    for (const auto &candidate : candidates) {
        QCOMPARE(candidate.prefixLength(), defaults::podSubnetPrefix);
        QVERIFY2(!candidate.overlaps(*services), qPrintable(candidate.toString()));
    }
}

QTEST_APPLESS_MAIN(TestClusterConfig)
#include "tst_clusterconfig.moc"
