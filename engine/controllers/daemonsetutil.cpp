// Where daemon pods belong and what they look like, as Kubernetes' daemon/util and the
// scheduler's node affinity and taint checks: nodeSelector, required node affinity, taints and
// tolerations, the default tolerations of daemon pods, and their node affinity.
#include "daemonsetcontroller.h"
#include "daemonsetcontroller_p.h"

#include <QDateTime>

#include <algorithm>
#include "core/nodeaffinity.h"
#include "core/taints.h"

#include <cmath>

using namespace Qt::StringLiterals;

namespace timonel::controllers {

namespace daemonset {

Q_LOGGING_CATEGORY(lcDaemonSets, "timonel.controllers.daemonset", QtInfoMsg)


const client::Resource daemonSetsResource{u"apps"_s, u"v1"_s, u"daemonsets"_s};
const client::Resource podsResource{u""_s, u"v1"_s, u"pods"_s};
const client::Resource nodesResource{u""_s, u"v1"_s, u"nodes"_s};
const client::Resource revisionsResource{u"apps"_s, u"v1"_s, u"controllerrevisions"_s};
const client::WriteQuery asController{u"kube-controller-manager"_s, false, false};

const QString revisionLabel = u"controller-revision-hash"_s;
const QString generationLabel = u"pod-template-generation"_s;
const QString generationAnnotation = u"deprecated.daemonset.template.generation"_s;

namespace {

// Whether a taint with one of `effects` is tolerated by none of the tolerations.
bool hasUntoleratedTaint(const QJsonArray &taints, const QJsonArray &tolerations,
                         const QStringList &effects)
{
    return std::any_of(taints.begin(), taints.end(), [&](const QJsonValue &taint) {
        return effects.contains(taint.toObject().value(u"effect").toString())
               && std::none_of(tolerations.begin(), tolerations.end(), [&](const QJsonValue &t) {
                      return core::toleratesTaint(t.toObject(), taint.toObject());
                  });
    });
}

QJsonValue requiredNodeAffinity(const QJsonObject &podSpec)
{
    return podSpec.value(u"affinity").toObject().value(u"nodeAffinity").toObject().value(
        u"requiredDuringSchedulingIgnoredDuringExecution");
}

} // namespace

QJsonObject metaOf(const QJsonObject &o) { return o.value(u"metadata").toObject(); }
QJsonObject specOf(const QJsonObject &o) { return o.value(u"spec").toObject(); }
QJsonObject statusOf(const QJsonObject &o) { return o.value(u"status").toObject(); }
QString nameOf(const QJsonObject &o) { return metaOf(o).value(u"name").toString(); }
QString nsOf(const QJsonObject &o) { return metaOf(o).value(u"namespace").toString(); }
QString uidOf(const QJsonObject &o) { return metaOf(o).value(u"uid").toString(); }
QString phaseOf(const QJsonObject &pod) { return statusOf(pod).value(u"phase").toString(); }
QJsonObject labelsOf(const QJsonObject &o) { return metaOf(o).value(u"labels").toObject(); }
QJsonObject templateSpecOf(const QJsonObject &ds)
{
    return specOf(ds).value(u"template").toObject().value(u"spec").toObject();
}

// The node a daemon pod is on, or is meant for through its matchFields affinity
// (GetTargetNodeName).
QString targetNode(const QJsonObject &pod)
{
    if (const QString node = specOf(pod).value(u"nodeName").toString(); !node.isEmpty())
        return node;
    const QJsonArray terms =
        requiredNodeAffinity(specOf(pod)).toObject().value(u"nodeSelectorTerms").toArray();
    for (const QJsonValue &t : terms)
        for (const QJsonValue &f : t.toObject().value(u"matchFields").toArray()) {
            const QJsonObject r = f.toObject();
            const QJsonArray values = r.value(u"values").toArray();
            if (r.value(u"key").toString() == u"metadata.name"
                && r.value(u"operator").toString() == u"In" && values.size() == 1)
                return values.first().toString();
        }
    return {};
}

// The affinity with its required node terms replaced by metadata.name In [node]: the default
// scheduler then binds the pod there (ReplaceDaemonSetPodNodeNameNodeAffinity).
QJsonObject withNodeAffinity(QJsonObject affinity, const QString &node)
{
    const QJsonObject term{
        {u"matchFields"_s,
         QJsonArray{QJsonObject{{u"key"_s, u"metadata.name"_s},
                                {u"operator"_s, u"In"_s},
                                {u"values"_s, QJsonArray{node}}}}}};
    QJsonObject nodeAffinity = affinity.value(u"nodeAffinity").toObject();
    QJsonObject required =
        nodeAffinity.value(u"requiredDuringSchedulingIgnoredDuringExecution").toObject();
    required.insert(u"nodeSelectorTerms"_s, QJsonArray{term});
    nodeAffinity.insert(u"requiredDuringSchedulingIgnoredDuringExecution"_s, required);
    affinity.insert(u"nodeAffinity"_s, nodeAffinity);
    return affinity;
}

std::optional<QString> templateGeneration(const QJsonObject &ds)
{
    const QJsonValue v = metaOf(ds).value(u"annotations").toObject().value(generationAnnotation);
    return v.isString() ? std::optional(v.toString()) : std::nullopt;
}

bool isUpdated(const QJsonObject &pod, const QString &hash,
               const std::optional<QString> &generation)
{
    const QJsonObject labels = labelsOf(pod);
    return (!hash.isEmpty() && labels.value(revisionLabel).toString() == hash)
           || (generation && labels.value(generationLabel).toString() == *generation);
}

// Scheduled pods first, then the oldest, then by name (podByCreationTimestampAndPhase).
void sortOldestScheduledFirst(QList<QJsonObject> &pods)
{
    std::sort(pods.begin(), pods.end(), [](const QJsonObject &a, const QJsonObject &b) {
        const bool sa = !specOf(a).value(u"nodeName").toString().isEmpty();
        const bool sb = !specOf(b).value(u"nodeName").toString().isEmpty();
        if (sa != sb)
            return sa;
        const QString ta = metaOf(a).value(u"creationTimestamp").toString();
        const QString tb = metaOf(b).value(u"creationTimestamp").toString();
        return ta != tb ? ta < tb : nameOf(a) < nameOf(b);
    });
}

// An int-or-percent of `total`, percentages rounded up (GetScaledValueFromIntOrPercent).
int scaled(const QJsonValue &value, int total, int fallback)
{
    if (value.isDouble())
        return value.toInt();
    QString s = value.toString();
    if (!s.endsWith(u'%'))
        return fallback;
    s.chop(1);
    return int(std::ceil(s.toDouble() * total / 100.0));
}

QJsonObject rollingUpdateOf(const QJsonObject &ds)
{
    const QJsonObject strategy = specOf(ds).value(u"updateStrategy").toObject();
    return strategy.value(u"type").toString() == u"RollingUpdate"
               ? strategy.value(u"rollingUpdate").toObject()
               : QJsonObject();
}

int surgeCount(const QJsonObject &ds, int total)
{
    return scaled(rollingUpdateOf(ds).value(u"maxSurge"), total, 0);
}

bool isAvailable(const QJsonObject &pod, const QJsonObject &ds)
{
    return isPodAvailable(pod, specOf(ds).value(u"minReadySeconds").toInt(),
                          QDateTime::currentDateTimeUtc());
}

} // namespace daemonset

using namespace daemonset;

QJsonObject withDaemonTolerations(QJsonObject podSpec)
{
    QList<std::pair<QString, QString>> wanted{
        {u"node.kubernetes.io/not-ready"_s, u"NoExecute"_s},
        {u"node.kubernetes.io/unreachable"_s, u"NoExecute"_s},
        {u"node.kubernetes.io/disk-pressure"_s, u"NoSchedule"_s},
        {u"node.kubernetes.io/memory-pressure"_s, u"NoSchedule"_s},
        {u"node.kubernetes.io/pid-pressure"_s, u"NoSchedule"_s},
        {u"node.kubernetes.io/unschedulable"_s, u"NoSchedule"_s}};
    if (podSpec.value(u"hostNetwork").toBool())
        wanted.append({u"node.kubernetes.io/network-unavailable"_s, u"NoSchedule"_s});
    QJsonArray tolerations = podSpec.value(u"tolerations").toArray();
    for (const auto &[key, effect] : wanted) {
        const QJsonObject toleration{
            {u"key"_s, key}, {u"operator"_s, u"Exists"_s}, {u"effect"_s, effect}};
        // As AddOrUpdateTolerationInPodSpec: one with the same key, operator, value and effect
        // is replaced (dropping its tolerationSeconds); otherwise ours is added.
        bool found = false;
        for (qsizetype i = 0; i < tolerations.size(); ++i) {
            const QJsonObject t = tolerations[i].toObject();
            if (t.value(u"key") == toleration.value(u"key")
                && t.value(u"effect") == toleration.value(u"effect")
                && t.value(u"operator") == toleration.value(u"operator")
                && t.value(u"value").toString().isEmpty()) {
                tolerations[i] = toleration;
                found = true;
            }
        }
        if (!found)
            tolerations.append(toleration);
    }
    podSpec.insert(u"tolerations"_s, tolerations);
    return podSpec;
}

DaemonPlacement daemonPlacement(const QJsonObject &node, const QJsonObject &daemonSet)
{
    const QJsonObject podSpec = withDaemonTolerations(templateSpecOf(daemonSet));
    const QString nodeName = podSpec.value(u"nodeName").toString();
    if ((!nodeName.isEmpty() && nodeName != nameOf(node))
        || !core::podSpecMatchesNode(podSpec, node))
        return {false, false};
    const QJsonArray taints = specOf(node).value(u"taints").toArray();
    const QJsonArray tolerations = podSpec.value(u"tolerations").toArray();
    if (hasUntoleratedTaint(taints, tolerations, {u"NoSchedule"_s, u"NoExecute"_s}))
        return {false, !hasUntoleratedTaint(taints, tolerations, {u"NoExecute"_s})};
    return {true, true};
}

} // namespace timonel::controllers
