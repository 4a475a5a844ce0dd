#pragma once

// Every default of a Timonel cluster in one place, as kind keeps its own in default.go.

#include <QLatin1StringView>

#include <array>

namespace timonel::cluster::defaults {

// `timonel create cluster` without --name or a `name:` in the config.
inline constexpr QLatin1StringView clusterName{"timonel"};

// The KinD config files Timonel reads unchanged.
inline constexpr QLatin1StringView kindApiVersion{"kind.x-k8s.io/v1alpha4"};
inline constexpr QLatin1StringView kindKind{"Cluster"};

// kind's default cluster: a single control-plane node.
inline constexpr int controlPlaneNodes = 1;
inline constexpr int workerNodes = 0;

// Node names become host names and the kubernetes.io/hostname label value (at most 63
// characters). The longest suffix is "-control-plane" plus one digit for a second to ninth
// control plane: 63 - 15 = 48.
inline constexpr int maxClusterNameLength = 48;

// The API server listens on this port inside the control-plane container and is published on
// apiServerAddress, on a random free host port unless networking.apiServerPort says otherwise.
inline constexpr int apiServerContainerPort = 6443;
inline constexpr QLatin1StringView apiServerAddress{"127.0.0.1"};

// kind's service subnet: a /16 rather than kubeadm's /12, which would mean a 2^20 bitmap.
inline constexpr QLatin1StringView serviceSubnet{"10.96.0.0/16"};
// Smallest service subnet accepted: a /28 still leaves room for the kubernetes and DNS
// services plus a few of the user's.
inline constexpr int maxServiceSubnetPrefix = 28;

// The pod subnet is the cluster's Docker network. Each node gets a /24 of it as its podCIDR;
// the first /24 holds the node containers' own addresses and one more is kept spare, so a pod
// subnet needs (nodes + podSubnetExtraRanges) /24s.
inline constexpr int nodePodCidrPrefix = 24;
inline constexpr int podSubnetExtraRanges = 2;

// Without networking.podSubnet, create picks the first 10.X.0.0/16 that no Docker network
// and no other cluster uses: X from 244 to 254 (kind's 10.244.0.0/16 first), then 200 to 243.
inline constexpr QLatin1StringView podSubnet{"10.244.0.0/16"};
inline constexpr int podSubnetPrefix = 16;
struct OctetRange
{
    int first;
    int last;
};
inline constexpr std::array<OctetRange, 2> podSubnetSecondOctets{{{244, 254}, {200, 243}}};

// extraPortMappings / extraMounts field defaults, as in kind.
inline constexpr QLatin1StringView listenAddress{"0.0.0.0"};
inline constexpr QLatin1StringView protocol{"TCP"};
inline constexpr QLatin1StringView mountPropagation{"None"};

// Docker labels on nodes, networks and volumes: the cluster's state lives in Docker.
inline constexpr QLatin1StringView clusterLabel{"io.timonel.cluster"}; // cluster name
inline constexpr QLatin1StringView roleLabel{"io.timonel.role"};       // control-plane | worker
inline constexpr QLatin1StringView nodeLabel{"io.timonel.node"};       // node name

// Node images are built locally and tagged by content hash: timonel/node:<hash>.
inline constexpr QLatin1StringView nodeImageRepository{"timonel/node"};

// Docker network "timonel-<cluster>" and kubeconfig context "timonel-<cluster>".
inline constexpr QLatin1StringView networkNamePrefix{"timonel-"};
inline constexpr QLatin1StringView kubeconfigContextPrefix{"timonel-"};

} // namespace timonel::cluster::defaults
