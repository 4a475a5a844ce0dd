// The node-local rules: NodeUnschedulable, TaintToleration, NodeAffinity and NodePorts, as
// kube-scheduler's plugins of those names.
#include "schedulingplugins.h"

#include "core/nodeaffinity.h"

#include <QSet>

using namespace Qt::StringLiterals;

namespace timonel::scheduler {

namespace {

QJsonObject specOf(const QJsonObject &o)
{
    return o.value(u"spec").toObject();
}

// The effect-bearing taints a pod must tolerate to be placed (DoNotScheduleTaintsFilterFunc).
bool blocksScheduling(const QJsonObject &taint)
{
    const QString effect = taint.value(u"effect").toString();
    return effect == u"NoSchedule" || effect == u"NoExecute";
}

struct HostPort
{
    QString ip;
    QString protocol;
    qint64 port = 0;
};

QList<HostPort> hostPorts(const QJsonObject &pod)
{
    QList<HostPort> ports;
    for (const QJsonValue &c : specOf(pod).value(u"containers").toArray()) {
        for (const QJsonValue &p : c.toObject().value(u"ports").toArray()) {
            const QJsonObject port = p.toObject();
            const qint64 number = port.value(u"hostPort").toInteger();
            if (number <= 0)
                continue;
            QString ip = port.value(u"hostIP").toString();
            if (ip.isEmpty())
                ip = u"0.0.0.0"_s;
            QString protocol = port.value(u"protocol").toString();
            if (protocol.isEmpty())
                protocol = u"TCP"_s;
            ports.append({ip, protocol, number});
        }
    }
    return ports;
}

} // namespace

const NodeInfo *Snapshot::node(const QString &name) const
{
    for (const NodeInfo &n : nodes)
        if (n.name == name)
            return &n;
    return nullptr;
}

bool podMatchesNodeSelectorAndAffinity(const QJsonObject &pod, const QJsonObject &node)
{
    return core::podSpecMatchesNode(specOf(pod), node);
}

std::optional<QSet<QString>> nodeAffinityNodeNames(const QJsonObject &pod)
{
    const QJsonValue required = specOf(pod)
                                    .value(u"affinity")
                                    .toObject()
                                    .value(u"nodeAffinity")
                                    .toObject()
                                    .value(u"requiredDuringSchedulingIgnoredDuringExecution");
    if (!required.isObject())
        return std::nullopt;
    std::optional<QSet<QString>> names;
    for (const QJsonValue &t : required.toObject().value(u"nodeSelectorTerms").toArray()) {
        std::optional<QSet<QString>> termNames;
        for (const QJsonValue &f : t.toObject().value(u"matchFields").toArray()) {
            const QJsonObject field = f.toObject();
            if (field.value(u"key").toString() != u"metadata.name"
                || field.value(u"operator").toString() != u"In")
                continue;
            QSet<QString> values;
            for (const QJsonValue &v : field.value(u"values").toArray())
                values.insert(v.toString());
            // Requirements of one term are ANDed: intersect.
            termNames = termNames ? termNames->intersect(values) : values;
        }
        // A term without a name requirement lets every node through (terms are ORed).
        if (!termNames)
            return std::nullopt;
        names = names ? names->unite(*termNames) : *termNames;
    }
    return names;
}

Status filterNodeUnschedulable(const QJsonObject &pod, const NodeInfo &node)
{
    if (!specOf(node.node).value(u"unschedulable").toBool())
        return Status::success();
    const QJsonObject taint{{u"key"_s, u"node.kubernetes.io/unschedulable"_s},
                            {u"effect"_s, u"NoSchedule"_s}};
    if (toleratesTaint(specOf(pod).value(u"tolerations").toArray(), taint))
        return Status::success();
    return Status::unresolvable(u"node(s) were unschedulable"_s);
}

Status filterTaintToleration(const QJsonObject &pod, const NodeInfo &node)
{
    const QJsonArray tolerations = specOf(pod).value(u"tolerations").toArray();
    for (const QJsonValue &t : node.taints) {
        const QJsonObject taint = t.toObject();
        if (blocksScheduling(taint) && !toleratesTaint(tolerations, taint))
            return Status::unresolvable(u"node(s) had untolerated taint {%1: %2}"_s.arg(
                taint.value(u"key").toString(), taint.value(u"value").toString()));
    }
    return Status::success();
}

Status filterNodeAffinity(const QJsonObject &pod, const NodeInfo &node)
{
    if (podMatchesNodeSelectorAndAffinity(pod, node.node))
        return Status::success();
    return Status::unresolvable(u"node(s) didn't match Pod's node affinity/selector"_s);
}

Status filterNodePorts(const QJsonObject &pod, const NodeInfo &node)
{
    const QList<HostPort> wanted = hostPorts(pod);
    if (wanted.isEmpty())
        return Status::success();
    QList<HostPort> used;
    for (const PodInfo &p : node.pods)
        used += hostPorts(p.pod);
    for (const HostPort &w : wanted) {
        for (const HostPort &u : std::as_const(used)) {
            if (w.protocol != u.protocol || w.port != u.port)
                continue;
            // 0.0.0.0 binds every address, so it conflicts with any address.
            if (w.ip == u"0.0.0.0" || u.ip == u"0.0.0.0" || w.ip == u.ip)
                return Status::unschedulable(
                    {u"node(s) didn't have free ports for the requested pod ports"_s});
        }
    }
    return Status::success();
}

qint64 nodeAffinityScore(const QJsonObject &pod, const NodeInfo &node)
{
    qint64 score = 0;
    const QJsonArray preferred = specOf(pod)
                                     .value(u"affinity")
                                     .toObject()
                                     .value(u"nodeAffinity")
                                     .toObject()
                                     .value(u"preferredDuringSchedulingIgnoredDuringExecution")
                                     .toArray();
    for (const QJsonValue &v : preferred) {
        const QJsonObject term = v.toObject();
        const qint64 weight = term.value(u"weight").toInteger();
        if (weight != 0 && nodeSelectorTermMatches(term.value(u"preference").toObject(), node.node))
            score += weight;
    }
    return score;
}

qint64 intolerablePreferNoScheduleTaints(const QJsonObject &pod, const NodeInfo &node)
{
    // Only tolerations that can apply to PreferNoSchedule (that effect, or every effect).
    QJsonArray tolerations;
    for (const QJsonValue &t : specOf(pod).value(u"tolerations").toArray()) {
        const QString effect = t.toObject().value(u"effect").toString();
        if (effect.isEmpty() || effect == u"PreferNoSchedule")
            tolerations.append(t);
    }
    qint64 count = 0;
    for (const QJsonValue &t : node.taints) {
        const QJsonObject taint = t.toObject();
        if (taint.value(u"effect").toString() == u"PreferNoSchedule"
            && !toleratesTaint(tolerations, taint))
            ++count;
    }
    return count;
}

bool PodSelector::matches(const QJsonObject &pod) const
{
    const QJsonObject meta = pod.value(u"metadata").toObject();
    if (!labels.matches(meta.value(u"labels").toObject()))
        return false;
    if (ownerUid.isEmpty())
        return true;
    for (const QJsonValue &ref : meta.value(u"ownerReferences").toArray())
        if (ref.toObject().value(u"controller").toBool())
            return ref.toObject().value(u"uid").toString() == ownerUid;
    return false;
}

} // namespace timonel::scheduler
