#include "volumebinding.h"

#include "core/persistentvolumes.h"

#include "schedulingplugins.h"

#include "core/labelselector.h"
#include "core/quantity.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace timonel::scheduler {

namespace {

const QString annBindCompleted = u"pv.kubernetes.io/bind-completed"_s;
const QString annBoundByController = u"pv.kubernetes.io/bound-by-controller"_s;
const QString annSelectedNode = u"volume.kubernetes.io/selected-node"_s;
const QString noProvisioner = u"kubernetes.io/no-provisioner"_s;

const QString reasonNodeConflict = u"node(s) had volume node affinity conflict"_s;
const QString reasonBindConflict = u"node(s) didn't find available persistent volumes to bind"_s;
const QString reasonPVNotExist =
    u"node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"_s;

QJsonObject objectAt(const QJsonObject &o, QStringView key)
{
    return o.value(key).toObject();
}

QJsonObject metaOf(const QJsonObject &o)
{
    return objectAt(o, u"metadata");
}

QString nameOf(const QJsonObject &o)
{
    return metaOf(o).value(u"name").toString();
}

QJsonObject annotationsOf(const QJsonObject &o)
{
    return objectAt(metaOf(o), u"annotations");
}

QString volumeClass(const QJsonObject &volume)
{
    return objectAt(volume, u"spec").value(u"storageClassName").toString();
}

bool isFullyBound(const QJsonObject &claim)
{
    return !objectAt(claim, u"spec").value(u"volumeName").toString().isEmpty() &&
           annotationsOf(claim).contains(annBindCompleted);
}

bool isDelayBinding(const QJsonObject &claim, const VolumeListers &listers)
{
    const QString className = core::claimStorageClass(claim);
    if (className.isEmpty())
        return false;
    const QJsonObject cls = listers.storageClass(className);
    return cls.value(u"volumeBindingMode").toString() == u"WaitForFirstConsumer";
}

core::Quantity storageOf(const QJsonObject &resources)
{
    return core::Quantity::fromJson(resources.value(u"storage")).value_or(core::Quantity());
}

core::Quantity requestedStorage(const QJsonObject &claim)
{
    return storageOf(objectAt(objectAt(objectAt(claim, u"spec"), u"resources"), u"requests"));
}

// A StorageClass's allowedTopologies: unset allows every node.
bool classAllowsNode(const QJsonObject &cls, const QJsonObject &node)
{
    const QJsonArray terms = cls.value(u"allowedTopologies").toArray();
    if (terms.isEmpty())
        return true;
    const QJsonObject labels = objectAt(metaOf(node), u"labels");
    for (const QJsonValue &t : terms) {
        const QJsonArray expressions = t.toObject().value(u"matchLabelExpressions").toArray();
        const bool all =
            std::all_of(expressions.begin(), expressions.end(), [&](const QJsonValue &e) {
                const QJsonObject expr = e.toObject();
                const QString key = expr.value(u"key").toString();
                return labels.contains(key) &&
                       expr.value(u"values").toArray().contains(labels.value(key));
            });
        if (all)
            return true;
    }
    return false;
}

// FindMatchingVolume on the scheduler's path: a volume pre-bound to the claim if one fits the
// node, else the smallest available volume of the claim's class that satisfies it there.
std::optional<QJsonObject> findMatchingVolume(const QJsonObject &claim,
                                              const QList<QJsonObject> &volumes,
                                              const QJsonObject &node,
                                              const QSet<QString> &excluded)
{
    const core::Quantity requested = requestedStorage(claim);
    const QString className = core::claimStorageClass(claim);
    std::optional<core::LabelSelector> selector;
    if (const QJsonValue s = objectAt(claim, u"spec").value(u"selector"); s.isObject()) {
        auto parsed = core::LabelSelector::fromJson(s.toObject());
        selector = parsed ? *parsed : core::LabelSelector::nothing();
    }
    std::optional<QJsonObject> smallest;
    core::Quantity smallestSize;
    for (const QJsonObject &volume : volumes) {
        if (excluded.contains(nameOf(volume)) || volumeClass(volume) != className)
            continue;
        if (core::volumeModeOf(volume) != core::volumeModeOf(claim))
            continue;
        if (metaOf(volume).contains(u"deletionTimestamp"))
            continue;
        const core::Quantity size = storageOf(objectAt(objectAt(volume, u"spec"), u"capacity"));
        const bool reachable = volumeAllowsNode(volume, node);
        if (core::isVolumeBoundToClaim(volume, claim)) {
            if (size < requested)
                continue;
            if (!reachable)
                return std::nullopt; // the claim's own volume is not on this node
            return volume;
        }
        if (objectAt(volume, u"status").value(u"phase").toString() != u"Available" ||
            objectAt(volume, u"spec").contains(u"claimRef"))
            continue;
        if (selector && !selector->matches(objectAt(metaOf(volume), u"labels")))
            continue;
        if (!reachable || !core::accessModesFit(claim, volume))
            continue;
        if (size >= requested && (!smallest || size < smallestSize)) {
            smallest = volume;
            smallestSize = size;
        }
    }
    return smallest;
}

struct PodClaims
{
    QList<QJsonObject> bound;
    QList<QJsonObject> delayed; // unbound, WaitForFirstConsumer, no volumeName
    bool unboundImmediate = false;
};

PodClaims classify(const QJsonObject &pod, const VolumeListers &listers)
{
    PodClaims claims;
    const QString ns = metaOf(pod).value(u"namespace").toString();
    for (const QString &name : podClaimNames(pod)) {
        const QJsonObject claim = listers.claim(ns, name);
        if (claim.isEmpty())
            continue;
        if (isFullyBound(claim))
            claims.bound.append(claim);
        else if (isDelayBinding(claim, listers) &&
                 objectAt(claim, u"spec").value(u"volumeName").toString().isEmpty())
            claims.delayed.append(claim);
        else
            claims.unboundImmediate = true; // pre-bound claims too: the controller binds them
    }
    // Smallest requests first, so they do not take the volumes larger ones need.
    std::stable_sort(claims.delayed.begin(), claims.delayed.end(),
                     [](const QJsonObject &a, const QJsonObject &b) {
                         return requestedStorage(a) < requestedStorage(b);
                     });
    return claims;
}

// Whether every claim can be provisioned on the node by its class.
bool canProvision(const QList<QJsonObject> &claims, const QJsonObject &node,
                  const VolumeListers &listers)
{
    return std::all_of(claims.begin(), claims.end(), [&](const QJsonObject &claim) {
        const QString className = core::claimStorageClass(claim);
        const QJsonObject cls =
            className.isEmpty() ? QJsonObject() : listers.storageClass(className);
        const QString provisioner = cls.value(u"provisioner").toString();
        if (provisioner.isEmpty() || provisioner == noProvisioner)
            return false;
        return classAllowsNode(cls, node);
    });
}

QByteArray mergePatch(const QJsonObject &patch)
{
    return QJsonDocument(patch).toJson(QJsonDocument::Compact);
}

QJsonObject claimReference(const QJsonObject &claim)
{
    const QJsonObject meta = metaOf(claim);
    return QJsonObject{{u"apiVersion"_s, u"v1"_s},
                       {u"kind"_s, u"PersistentVolumeClaim"_s},
                       {u"namespace"_s, meta.value(u"namespace")},
                       {u"name"_s, meta.value(u"name")},
                       {u"uid"_s, meta.value(u"uid")},
                       {u"resourceVersion"_s, meta.value(u"resourceVersion")}};
}

} // namespace

QStringList podClaimNames(const QJsonObject &pod)
{
    QStringList names;
    const QString podName = nameOf(pod);
    for (const QJsonValue &v : objectAt(pod, u"spec").value(u"volumes").toArray()) {
        const QJsonObject volume = v.toObject();
        if (const QJsonObject pvc = objectAt(volume, u"persistentVolumeClaim"); !pvc.isEmpty())
            names.append(pvc.value(u"claimName").toString());
        else if (volume.contains(u"ephemeral"))
            names.append(podName + u'-' + volume.value(u"name").toString());
    }
    return names;
}

std::optional<QString> preFilterVolumes(const QJsonObject &pod, const VolumeListers &listers)
{
    const QJsonObject podMeta = metaOf(pod);
    const QString ns = podMeta.value(u"namespace").toString();
    for (const QJsonValue &v : objectAt(pod, u"spec").value(u"volumes").toArray()) {
        const QJsonObject volume = v.toObject();
        QString name;
        bool ephemeral = false;
        if (const QJsonObject pvc = objectAt(volume, u"persistentVolumeClaim"); !pvc.isEmpty()) {
            name = pvc.value(u"claimName").toString();
        } else if (volume.contains(u"ephemeral")) {
            name = nameOf(pod) + u'-' + volume.value(u"name").toString();
            ephemeral = true;
        } else {
            continue;
        }
        const QJsonObject claim = listers.claim(ns, name);
        if (claim.isEmpty())
            return ephemeral ? u"waiting for ephemeral volume controller to create the "
                               "persistentvolumeclaim \"%1\""_s.arg(name)
                             : u"persistentvolumeclaim \"%1\" not found"_s.arg(name);
        if (objectAt(claim, u"status").value(u"phase").toString() == u"Lost")
            return u"persistentvolumeclaim \"%1\" bound to non-existent persistentvolume \"%2\""_s
                .arg(name, objectAt(claim, u"spec").value(u"volumeName").toString());
        if (metaOf(claim).contains(u"deletionTimestamp"))
            return u"persistentvolumeclaim \"%1\" is being deleted"_s.arg(name);
        if (ephemeral) {
            const QJsonArray owners = metaOf(claim).value(u"ownerReferences").toArray();
            const bool owned = std::any_of(owners.begin(), owners.end(), [&](const QJsonValue &o) {
                return o.toObject().value(u"controller").toBool() &&
                       o.toObject().value(u"uid") == podMeta.value(u"uid");
            });
            if (!owned)
                return u"PVC %1/%2 was not created for pod %1/%3 (pod is not owner)"_s.arg(
                    ns, name, nameOf(pod));
        }
    }
    if (classify(pod, listers).unboundImmediate)
        return u"pod has unbound immediate PersistentVolumeClaims"_s;
    return std::nullopt;
}

QStringList filterVolumes(const QJsonObject &pod, const QJsonObject &node,
                          const VolumeListers &listers)
{
    const PodClaims claims = classify(pod, listers);
    bool boundSatisfied = true;
    bool boundVolumesFound = true;
    bool unboundSatisfied = true;
    for (const QJsonObject &claim : claims.bound) {
        const QJsonObject volume =
            listers.volume(objectAt(claim, u"spec").value(u"volumeName").toString());
        if (volume.isEmpty()) {
            boundVolumesFound = false;
            break;
        }
        if (!volumeAllowsNode(volume, node)) {
            boundSatisfied = false;
            break;
        }
    }
    if (boundSatisfied && boundVolumesFound && !claims.delayed.isEmpty()) {
        QList<QJsonObject> toMatch;
        QList<QJsonObject> toProvision;
        for (const QJsonObject &claim : claims.delayed) {
            const QJsonValue selected = annotationsOf(claim).value(annSelectedNode);
            if (selected.isUndefined())
                toMatch.append(claim);
            else if (selected.toString() == nameOf(node))
                toProvision.append(claim);
            else
                unboundSatisfied = false; // already promised to another node
        }
        if (unboundSatisfied) {
            const QList<QJsonObject> volumes = listers.volumes();
            QSet<QString> chosen;
            for (const QJsonObject &claim : std::as_const(toMatch)) {
                if (auto volume = findMatchingVolume(claim, volumes, node, chosen))
                    chosen.insert(nameOf(*volume));
                else
                    toProvision.append(claim);
            }
            unboundSatisfied = canProvision(toProvision, node, listers);
        }
    }
    QStringList reasons;
    if (!boundSatisfied)
        reasons.append(reasonNodeConflict);
    if (!unboundSatisfied)
        reasons.append(reasonBindConflict);
    if (!boundVolumesFound)
        reasons.append(reasonPVNotExist);
    return reasons;
}

QList<VolumeBindingWrite> volumeBindingWrites(const QJsonObject &pod, const QJsonObject &node,
                                              const VolumeListers &listers)
{
    QList<VolumeBindingWrite> writes;
    const PodClaims claims = classify(pod, listers);
    if (claims.delayed.isEmpty())
        return writes;
    const QList<QJsonObject> volumes = listers.volumes();
    QSet<QString> chosen;
    for (const QJsonObject &claim : claims.delayed) {
        const QJsonObject meta = metaOf(claim);
        if (annotationsOf(claim).contains(annSelectedNode))
            continue; // already asked for
        if (auto volume = findMatchingVolume(claim, volumes, node, chosen)) {
            chosen.insert(nameOf(*volume));
            const QJsonObject ref = claimReference(claim);
            const QJsonObject oldRef = objectAt(objectAt(*volume, u"spec"), u"claimRef");
            if (oldRef.value(u"uid") == ref.value(u"uid") &&
                oldRef.value(u"name") == ref.value(u"name") &&
                oldRef.value(u"namespace") == ref.value(u"namespace"))
                continue; // reserved for this claim already
            QJsonObject volumeMeta{
                {u"resourceVersion"_s, metaOf(*volume).value(u"resourceVersion")}};
            if (!core::isVolumeBoundToClaim(*volume, claim))
                volumeMeta.insert(u"annotations"_s, QJsonObject{{annBoundByController, u"yes"_s}});
            writes.append({VolumeBindingWrite::Target::Volume, QString(), nameOf(*volume),
                           mergePatch({{u"metadata"_s, volumeMeta},
                                       {u"spec"_s, QJsonObject{{u"claimRef"_s, ref}}}})});
            continue;
        }
        writes.append(
            {VolumeBindingWrite::Target::Claim, meta.value(u"namespace").toString(),
             meta.value(u"name").toString(),
             mergePatch(
                 {{u"metadata"_s, QJsonObject{{u"annotations"_s,
                                               QJsonObject{{annSelectedNode, nameOf(node)}}}}}})});
    }
    return writes;
}

bool volumeAllowsNode(const QJsonObject &volume, const QJsonObject &node)
{
    const QJsonObject affinity = objectAt(objectAt(volume, u"spec"), u"nodeAffinity");
    if (!affinity.contains(u"required"))
        return true;
    // A v1.NodeSelector: any of its terms.
    const QJsonArray terms = objectAt(affinity, u"required").value(u"nodeSelectorTerms").toArray();
    return std::any_of(terms.begin(), terms.end(), [&](const QJsonValue &term) {
        return nodeSelectorTermMatches(term.toObject(), node);
    });
}

} // namespace timonel::scheduler
