// The node agent's settings for this node: from /etc/timonel/node.json, the node's PKI, and what
// the Docker engine says about the node container itself (where its state volume and extra
// mounts live on the host, so pod containers can mount them too).
#pragma once

#include "client/apiclient.h"
#include "docker/dockerclient.h"
#include "kubelet/kubelet.h"

#include <QJsonObject>

#include <expected>
#include <memory>

namespace timonel::node {

std::expected<kubelet::KubeletOptions, QString>
nodeAgentOptions(const QJsonObject &config, const docker::DockerClient &docker);

// An HTTPS client to the cluster's API server with this node's own identity
// (system:node:<name>), for node agents outside the control-plane process.
std::expected<std::unique_ptr<client::ApiClient>, QString> nodeApiClient(const QJsonObject &config);

} // namespace timonel::node
