#pragma once

// A cluster's shape, read from a KinD config file (kind: Cluster,
// apiVersion: kind.x-k8s.io/v1alpha4) or made from node counts.

#include "cluster/defaults.h"
#include "core/cidr.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <expected>

namespace timonel::cluster {

enum class NodeRole
{
    ControlPlane,
    Worker
};
QString roleName(NodeRole role); // "control-plane" / "worker"

struct PortMapping
{
    int containerPort = 0;
    int hostPort = 0; // 0: a random free port
    QString listenAddress = QString(defaults::listenAddress);
    QString protocol = QString(defaults::protocol); // TCP | UDP | SCTP
};

struct Mount
{
    QString hostPath;
    QString containerPath;
    bool readOnly = false;
    QString propagation = QString(defaults::mountPropagation); // None|HostToContainer|Bidirectional
};

struct NodeConfig
{
    NodeRole role = NodeRole::ControlPlane;
    QMap<QString, QString> labels;
    QList<PortMapping> extraPortMappings;
    QList<Mount> extraMounts;
};

struct Networking
{
    QString apiServerAddress = QString(defaults::apiServerAddress);
    int apiServerPort = 0; // 0: a random free port
    QString podSubnet;     // empty: create picks a free /16 (see podSubnetCandidates())
    QString serviceSubnet = QString(defaults::serviceSubnet);
    QString ipFamily = QStringLiteral("ipv4");
};

struct ClusterConfig
{
    QString name;            // `name:` from the file, may be empty; the CLI's --name wins
    QList<NodeConfig> nodes; // in file order
    Networking networking;
    // KinD-only fields Timonel ignores, as paths: top-level ones, then networking's, then each
    // node's ("featureGates", "networking.kubeProxyMode", "nodes[1].image").
    QStringList ignoredFields;

    // One line naming every ignored field, empty when there are none:
    // "warning: Timonel ignores these KinD fields: nodes[0].image, kubeadmConfigPatches"
    QString ignoredFieldsWarning() const;
};

// kind's default without a config file is one control plane and no workers.
ClusterConfig defaultClusterConfig(int controlPlanes = defaults::controlPlaneNodes,
                                   int workers = defaults::workerNodes);

// Parses and validates a KinD config. The error is one user-facing line starting with
// sourceName ("kind.yaml: nodes[1].role: \"master\" is not a valid node role; ..."), with
// line:column for YAML syntax errors.
std::expected<ClusterConfig, QString> parseClusterConfig(const QByteArray &yaml,
                                                         const QString &sourceName);

// Empty if the name is usable; otherwise why not. kind's rule made strict enough that every
// node name stays a valid host name: lowercase letters, digits and '-', starting and ending
// with a letter or digit, at most defaults::maxClusterNameLength characters.
QString validateClusterName(const QString &name);

// kind's naming, one name per node in the same order: <name>-control-plane,
// <name>-control-plane2, <name>-worker, <name>-worker2, ...
QStringList nodeNames(const QString &clusterName, const QList<NodeConfig> &nodes);

// The /16s create tries, in order, when networking.podSubnet is empty; it takes the first that
// no Docker network uses and that does not overlap the service subnet.
QList<core::Ipv4Subnet> podSubnetCandidates();

} // namespace timonel::cluster
