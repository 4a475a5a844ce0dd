// The scheduler's VolumeBinding plugin as pure functions: which nodes a pod's persistent volume
// claims allow, and what to write once a node is chosen so that the claims get volumes there.
//
// As in Kubernetes (pkg/scheduler/framework/plugins/volumebinding): a bound claim's volume must
// be reachable from the node (its nodeAffinity); a claim of a WaitForFirstConsumer class waits
// for the scheduler, which either reserves a matching pre-made volume on the chosen node (the
// volume's claimRef) or asks for one to be provisioned there (the claim's selected-node
// annotation); a claim of an Immediate class must be bound before its pod can be scheduled.
// The persistent volume controller and the provisioner do the rest.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace timonel::scheduler {

// What the checks read, from the scheduler's caches. A lookup of something missing returns an
// empty object.
struct VolumeListers
{
    std::function<QJsonObject(const QString &ns, const QString &name)> claim;
    std::function<QJsonObject(const QString &name)> volume;
    std::function<QJsonObject(const QString &name)> storageClass;
    std::function<QList<QJsonObject>()> volumes; // every PersistentVolume
};

// The names of the claims the pod's volumes use: persistentVolumeClaim.claimName, and
// "<pod>-<volume>" for generic ephemeral volumes.
QStringList podClaimNames(const QJsonObject &pod);

// PreFilter: why no node can take the pod because of its claims (the scheduler's
// UnschedulableAndUnresolvable), or nothing. Kubernetes' texts:
//   persistentvolumeclaim "data" not found
//   persistentvolumeclaim "data" is being deleted
//   persistentvolumeclaim "data" bound to non-existent persistentvolume "pv1"
//   pod has unbound immediate PersistentVolumeClaims
std::optional<QString> preFilterVolumes(const QJsonObject &pod, const VolumeListers &listers);

// Filter: why `node` cannot take the pod because of its claims, as the per-node reasons of a
// FailedScheduling message; empty when it can. Assumes preFilterVolumes passed.
//   node(s) had volume node affinity conflict            a bound volume is not reachable there
//   node(s) didn't find available persistent volumes to bind
//       a WaitForFirstConsumer claim can get no volume there: none pre-made fits and its class
//       cannot provision (kubernetes.io/no-provisioner), or it was already promised elsewhere
//   node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)
QStringList filterVolumes(const QJsonObject &pod, const QJsonObject &node,
                          const VolumeListers &listers);

// A write that starts binding after the pod was placed on a node: a JSON merge patch of a
// PersistentVolumeClaim (the selected-node annotation, to provision on that node) or of a
// PersistentVolume (a claimRef reserving a pre-made volume; the patch carries the volume's
// resourceVersion so that two pods never reserve the same volume).
struct VolumeBindingWrite
{
    enum class Target
    {
        Claim,
        Volume
    };
    Target target = Target::Claim;
    QString ns; // the claim's namespace; "" for a volume
    QString name;
    QByteArray mergePatch;

    friend bool operator==(const VolumeBindingWrite &, const VolumeBindingWrite &) = default;
};

// The writes for the pod's unbound WaitForFirstConsumer claims once `node` is chosen (nothing
// for pods whose claims are all bound). Matches pre-made volumes first, smallest that fits,
// then provisions the rest, as the scheduler's volume binder does.
QList<VolumeBindingWrite> volumeBindingWrites(const QJsonObject &pod, const QJsonObject &node,
                                              const VolumeListers &listers);

// Whether a PersistentVolume's nodeAffinity allows `node` (no nodeAffinity allows every node).
bool volumeAllowsNode(const QJsonObject &volume, const QJsonObject &node);

} // namespace timonel::scheduler
