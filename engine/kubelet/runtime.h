// The node agent's container runtime: pods as Docker containers on the engine that also runs the
// node (as dockershim did). A pod is a sandbox container (`timonel-node pause`) that owns the
// pod's network namespace and IP on the cluster network, plus one container per spec container
// joined to it. Everything here blocks on Docker calls and runs on the node agent's worker
// threads; the state it reads back is labelled (runtimelabels.h), so a restarted node agent finds
// its pods where it left them.
#pragma once

#include "docker/dockerclient.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <expected>
#include <optional>

namespace timonel::kubelet {

struct RuntimeConfig
{
    QString cluster;
    QString nodeName;
    QString network;      // the cluster's Docker network
    QString sandboxImage; // the node's own image, whose timonel-node runs `pause`
    QString nodeIP;
    // Routed via the node from every pod's network namespace (the sandbox sets the route).
    QString serviceSubnet;
};

// One Docker container of a pod, as inspected.
struct ContainerRecord
{
    QString id;
    QString name; // the spec container's name
    bool init = false;
    int restartCount = 0; // the attempt this container is (0 for the first)
    QString state;        // created, running, exited, dead...
    int exitCode = 0;
    bool oomKilled = false;
    QDateTime createdAt;
    QDateTime startedAt;
    QDateTime finishedAt;
    QString image;   // as the spec named it
    QString imageId; // sha256:...
    QString error;   // the daemon's error when it could not start the container

    bool running() const { return state == QLatin1String("running"); }
    // A container that could not start stays "created" with an error: it ended too.
    bool exited() const
    {
        return state == QLatin1String("exited") || state == QLatin1String("dead") ||
               (state == QLatin1String("created") && !error.isEmpty());
    }
};

struct SandboxRecord
{
    QString id;
    QString ip;
    bool running = false;
    int attempt = 0;
    QDateTime createdAt;
};

// Every container this node runs for one pod uid.
struct PodRecord
{
    QString uid;
    QString name;
    QString ns;
    QList<SandboxRecord> sandboxes;    // newest first
    QList<ContainerRecord> containers; // newest first

    const SandboxRecord *liveSandbox() const;
    // The newest instance of a spec container, or nullptr.
    const ContainerRecord *latest(const QString &name, bool init) const;
};

using RuntimeResult = std::expected<void, QString>;

// Why a container could not be made: the waiting reason kubectl shows and its message.
struct ContainerStartError
{
    QString reason; // ErrImagePull, ErrImageNeverPull, InvalidImageName, CreateContainerError,
                    // RunContainerError
    QString message;
};

class Runtime
{
public:
    Runtime(RuntimeConfig config, docker::DockerClient docker);

    const RuntimeConfig &config() const { return m_config; }
    const docker::DockerClient &docker() const { return m_docker; }

    // Every pod container of this node, by pod uid, from one listing (states without exit
    // codes or times: enough to find pods and their IPs).
    std::expected<QHash<QString, PodRecord>, QString> listPods() const;
    // One pod's containers, fully inspected.
    std::expected<PodRecord, QString> inspectPod(const QString &uid) const;

    // A new sandbox for `pod` holding `ip` on the cluster network, created, not started yet:
    // containers may be created on it meanwhile (Docker resolves `container:<sandbox>` at
    // create) but start only once it runs.
    // `mounts` are Docker mounts it holds for the pod's lifetime (VolumeManager::sandboxMounts).
    std::expected<SandboxRecord, QString> createSandbox(const QJsonObject &pod, const QString &ip,
                                                        int attempt,
                                                        const QJsonArray &mounts = {}) const;
    // Starts a created sandbox; one that cannot start is removed.
    RuntimeResult startSandbox(const QString &id) const;

    // Image presence per policy: local images are used whatever the policy (nothing is pulled
    // into the cluster, the node shares the user's Docker engine); a missing image is pulled
    // unless the policy is Never. `pulled` tells whether a pull happened.
    std::expected<QString, ContainerStartError>
    ensureImage(const QString &image, const QString &policy, bool *pulled) const;

    // Creates a spec container in the sandbox (CreateContainerError). `env` is the resolved
    // environment, `mounts` the Docker mounts of its volumes.
    std::expected<QString, ContainerStartError>
    createContainer(const QJsonObject &pod, const QJsonObject &container, bool init,
                    const SandboxRecord &sandbox, int restartCount, const QStringList &env,
                    const QJsonArray &mounts) const;
    // Starts a created container (RunContainerError).
    std::expected<void, ContainerStartError> startContainer(const QString &id) const;

    // Stops a container with SIGTERM then SIGKILL after `graceSeconds` (after running the
    // preStop hook, if the caller did).
    RuntimeResult stopContainer(const QString &id, int graceSeconds) const;
    RuntimeResult removeContainer(const QString &id) const;

    // Runs an exec or httpGet lifecycle hook (postStart, preStop) and reports its error.
    std::optional<QString> runHook(const QJsonObject &handler, const ContainerRecord &container,
                                   const QString &podIP, const QJsonObject &spec) const;

    // Stops and removes every container of the pod, sandbox last.
    RuntimeResult removePod(const PodRecord &pod, int graceSeconds) const;

    static QString containerName(const QJsonObject &pod, const QString &container,
                                 int restartCount);

private:
    std::expected<QHash<QString, PodRecord>, QString> list(const QString &uid) const;
    docker::Result<QString> createReplacing(const QString &name, const QJsonObject &config) const;

    RuntimeConfig m_config;
    docker::DockerClient m_docker;
};

// Docker's reference syntax, which is Kubernetes' too: false for "Nginx", "a b", "x:".
bool isValidImageReference(const QString &image);

} // namespace timonel::kubelet
