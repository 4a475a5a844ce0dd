// The volumes of pods on this node, made as Docker mounts for the pod's containers.
//
// Pod containers are siblings of the node container on the same Docker engine, so a file the
// node agent writes must be found by the Docker daemon at a path *it* knows. The node agent
// keeps pod files under its own state directory (VolumeHost::localRoot, inside the node
// container), which is a Docker volume: the same directory is at VolumeHost::hostRoot for the
// daemon, and containers bind-mount it from there.
//
// Layout under the root, as the kubelet's: pods/<uid>/volumes/<plugin>/<volume name>/ (plugin
// kubernetes.io~empty-dir, ~configmap, ~secret, ~downward-api, ~projected), local persistent
// volumes under local-volumes/<pv name>/, and hostPaths that are the node's own (not under one
// of its extraMounts) under host-paths/<path>.
#pragma once

#include "docker/dockerclient.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <expected>

namespace timonel::kubelet {

struct VolumeHost
{
    QString localRoot; // the node agent's view, e.g. /var/lib/timonel/kubelet
    QString hostRoot;  // the Docker daemon's view of the same directory
    // The node's bind mounts from the host (KinD extraMounts): containerPath -> hostPath.
    // hostPath volumes under one of these reach the host's directory.
    QList<QPair<QString, QString>> nodeMounts;
    QString dockerSocket; // a hostPath volume naming /var/run/docker.sock gets the real one
    QString podNamePrefixForDockerVolumes = QStringLiteral("timonel-"); // tmpfs volumes
    // Labels the tmpfs Docker volumes (io.timonel.cluster) so that deleting the cluster finds
    // them; empty: no cluster label.
    QString cluster;
};

// What the pod's volumes read from the API, looked up by the caller (by name, in the pod's
// namespace). A name missing from a map means the object does not exist.
struct VolumeSources
{
    QHash<QString, QJsonObject> configMaps;
    QHash<QString, QJsonObject> secrets;
    QHash<QString, QJsonObject> persistentVolumeClaims;
    QHash<QString, QJsonObject> persistentVolumes; // by PV name, for bound claims
    // Node allocatable cpu (millicores) and memory (bytes): a downward API resourceFieldRef
    // on limits of a container without limits reads these, as the kubelet's does.
    qint64 nodeMilliCpu = 0;
    qint64 nodeMemory = 0;
};

// A pod's volumes, ready to mount: for each volume name, a Docker "Mounts" entry without
// "Target" ({"Type":"bind","Source":...} or {"Type":"volume","Source":...}).
struct PreparedVolumes
{
    QHash<QString, QJsonObject> mounts;
    // Complete Docker mounts every container of the pod gets (its resolv.conf).
    QJsonArray podMounts;
};

// A volume that could not be set up, for the FailedMount event and the pod's waiting reason:
// message as the kubelet's, e.g. `MountVolume.SetUp failed for volume "config" : configmap
// "app-config" not found`.
struct VolumeError
{
    QString volume;
    QString message;
};

class VolumeManager
{
public:
    // `docker` is used for Memory-medium emptyDirs (tmpfs Docker volumes) only.
    VolumeManager(VolumeHost host, docker::DockerClient docker);

    // Creates or refreshes every volume of `pod` (configMap, secret, downwardAPI and projected
    // contents are rewritten atomically when they changed, so running containers see updates);
    // blocking, for the node agent's worker threads. Optional items that are missing are
    // skipped; a missing required object fails with the kubelet's message.
    std::expected<PreparedVolumes, VolumeError> prepare(const QJsonObject &pod,
                                                        const VolumeSources &sources) const;

    // The mounts the pod's sandbox holds for the pod's lifetime: its Memory-medium emptyDirs.
    // Docker's local driver unmounts a tmpfs volume when the last container using it stops,
    // so without the sandbox a sole container's restart would lose the volume's files.
    std::expected<QJsonArray, VolumeError> sandboxMounts(const QJsonObject &pod) const;

    // The Docker "Mounts" for one container of the pod: its volumeMounts (mountPath, readOnly,
    // subPath, subPathExpr) resolved against `volumes`. A missing subPath is created in the
    // volume; subPathExpr expands $(VAR) from the container's env (value and fieldRef entries).
    std::expected<QJsonArray, QString> mountsFor(const QJsonObject &pod,
                                                 const QJsonObject &container,
                                                 const PreparedVolumes &volumes) const;

    // A file of the pod's own (pods/<uid>/<name>, such as its resolv.conf), written unless it
    // already has this content: the Docker bind mount of it, without "Target".
    std::expected<QJsonObject, QString> writePodFile(const QString &podUid, const QString &name,
                                                     const QByteArray &content) const;

    // Removes everything the pod had on this node (directories, tmpfs Docker volumes).
    void cleanup(const QString &podUid) const;
    // The uids of pods that still have files here, to clean up after a restart.
    QStringList podsOnDisk() const;

    // A local persistent volume's directory (for the provisioner): created if missing;
    // returns the host path to put in the PV's spec.local.path / hostPath.
    std::expected<QString, QString> provisionLocalVolume(const QString &pvName) const;
    void deleteLocalVolume(const QString &pvName) const;

    const VolumeHost &host() const { return m_host; }

private:
    std::expected<QJsonObject, QString> prepareVolume(const QJsonObject &pod,
                                                      const QJsonObject &volume,
                                                      const VolumeSources &sources) const;
    std::expected<QJsonObject, QString> hostPathMount(const QString &path,
                                                      const QString &type) const;
    std::expected<QJsonObject, QString> claimMount(const QJsonObject &pod, const QString &claimName,
                                                   bool readOnly,
                                                   const VolumeSources &sources) const;
    std::expected<QJsonObject, QString> memoryVolume(const QString &podUid, const QString &volume,
                                                     const QJsonObject &emptyDir) const;
    QString podVolumeDir(const QString &podUid, const QString &plugin, const QString &volume) const;
    QString hostView(const QString &localPath) const;
    QString localView(const QString &hostPath) const;

    VolumeHost m_host;
    docker::DockerClient m_docker;
};

} // namespace timonel::kubelet
