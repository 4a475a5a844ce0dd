#pragma once

#include "docker/dockerclient.h"
#include "pki/kubeconfig.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QString>
#include <QStringList>

#include <expected>
#include <functional>

namespace timonel::core {
class CancelToken;
}

namespace timonel::cluster {

template <typename T>
using Outcome = std::expected<T, QString>; // the error is one line a user can act on

struct NodeInfo
{
    QString name;
    QString role; // control-plane | worker | external-load-balancer
    QString containerId;
    QString state; // Docker's: running, exited, ...
    QString ip;    // on the cluster network
};

// The kubeconfig context name of a cluster: "timonel-<name>".
QString contextName(const QString &cluster);
// The Docker network of a cluster: "timonel-<name>".
QString networkName(const QString &cluster);

// Existing clusters, read from Docker labels (the only record of them), and the verbs that act
// on a whole cluster. Creation lives in ClusterCreator.
class Clusters
{
public:
    explicit Clusters(docker::DockerClient docker = docker::DockerClient());

    Outcome<QStringList> list() const;
    bool exists(const QString &name) const;
    // Nodes sorted control planes first, then workers, each in kind's order.
    Outcome<QList<NodeInfo>> nodes(const QString &name) const;
    // The cluster's admin kubeconfig; `internal` points it at the control plane on the
    // cluster network instead of the port published on the host.
    Outcome<QByteArray> kubeconfig(const QString &name, bool internal = false) const;
    // The admin credentials and the API server address (on the host, or `internal`).
    Outcome<pki::KubeconfigEntry> access(const QString &name, bool internal = false) const;
    // Merges the cluster's context into `path` (kubeconfigPath() when empty) and makes it current.
    Outcome<QString> exportKubeconfig(const QString &name, const QString &path = {}) const;
    // Removes every container, network and volume of the cluster and its kubeconfig entry.
    // Returns the names of the removed nodes.
    Outcome<QStringList> remove(const QString &name, const QString &kubeconfigPath = {}) const;
    Outcome<void> stop(const QString &name) const;
    // Starts the nodes (control planes first) and waits until every one reports ready.
    Outcome<void> start(const QString &name, int timeoutMs,
                        const core::CancelToken *cancel = nullptr) const;

private:
    docker::DockerClient m_docker;
};

// Follows the output of each node container until timonel-node reports ready in the container's
// current run, the container stops (the error then carries its last output), `deadline` passes
// or the client's cancel token fires.
Outcome<void> waitForNodesReady(const docker::DockerClient &docker, const QList<NodeInfo> &nodes,
                                const QDeadlineTimer &deadline);

// Asks the API server of `access` for /readyz with its client certificate until it answers 200
// or `deadline` passes.
Outcome<void> waitForApiServer(const pki::KubeconfigEntry &access, const QDeadlineTimer &deadline,
                               const core::CancelToken *cancel = nullptr);

// Where cluster creation puts the PKI inside control-plane containers.
inline constexpr const char *PkiDirInNode = "/etc/timonel/pki";

} // namespace timonel::cluster
