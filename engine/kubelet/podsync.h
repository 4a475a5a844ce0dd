// One sync of one pod on a worker thread, as the kubelet's SyncPod: make Docker match the pod's
// spec (sandbox, volumes, init containers in order, then the app containers; restarts with
// back-off; kills asked for by probes), or tear the pod down when it is being deleted; then
// read back what runs and compute the status to report.
#pragma once

#include "containerenv.h"
#include "poddns.h"
#include "podstatus.h"
#include "runtime.h"
#include "volumes.h"

#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>

#include <optional>

namespace timonel::kubelet {

struct PodEvent
{
    QString type; // Normal, Warning
    QString reason;
    QString message;
    QString fieldPath;
};

struct PodSyncInput
{
    QString uid;
    QJsonObject pod; // empty when the pod is gone from the API
    VolumeSources sources;
    QString podIP; // allocated by the caller for a new sandbox
    PodMemory memory;
    QHash<QString, bool> ready;
    QHash<QString, bool> started;
    QHash<QString, QString> kill; // container name -> why (failed liveness/startup probes)
    EnvContext env;
};

struct RunningContainer
{
    QString name;
    QString id;
    bool init = false;
};

struct PodSyncOutput
{
    QJsonObject status; // empty when the pod was torn down
    PodMemory memory;
    QList<PodEvent> events;
    std::optional<int> requeueAfterMs;
    bool tornDown = false;      // nothing of the pod is left on the node
    bool sandboxFailed = false; // a new sandbox could not be made (its IP may be taken)
    QString podIP;              // the live sandbox's
    QList<RunningContainer> running;
    QString error; // a runtime failure, for the log
};

// A container made in this sync, started once its sandbox runs.
struct CreatedContainer
{
    QString id;
    QJsonObject spec;
    bool init = false;
};

class PodSyncer
{
public:
    PodSyncer(const Runtime &runtime, const VolumeManager &volumes, ClusterDnsConfig dns = {});

    PodSyncOutput sync(const PodSyncInput &input) const;

private:
    void tearDown(const PodSyncInput &in, const PodRecord &record, PodSyncOutput &out) const;
    // Creates one container (image, environment, mounts) and adds it to `created`; true when
    // Docker has a new container, false when the container waits (the reason is in `out`).
    bool create(const PodSyncInput &in, const QJsonObject &container, bool init,
                const SandboxRecord &sandbox, int restartCount, const PreparedVolumes &volumes,
                PodSyncOutput &out, QList<CreatedContainer> &created) const;
    // Starts a created container and runs its postStart hook.
    void run(const PodSyncInput &in, const CreatedContainer &container,
             const SandboxRecord &sandbox, PodSyncOutput &out) const;
    // Whether a container that ended may start again now (CrashLoopBackOff otherwise).
    bool backoffAllows(const QJsonObject &pod, const ContainerRecord &ended, bool init,
                       PodSyncOutput &out) const;
    void collectGarbage(const PodRecord &record) const;

    const Runtime &m_runtime;
    const VolumeManager &m_volumes;
    const ClusterDnsConfig m_dns;
};

} // namespace timonel::kubelet
