// One scheduling cycle over a snapshot: PreFilter, Filter over every node in kube-scheduler's
// plugin order, Score with the default profile's weights, and the FitError and preemption
// texts of a pod that fits nowhere.
#include "schedulingplugins.h"

#include <QMap>
#include <QSet>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace timonel::scheduler {

namespace {

constexpr qint64 maxNodeScore = 100;

// framework.DefaultNormalizeScore: scaled to 0..100 by the largest; reversed, the smallest wins.
void normalize(QList<qint64> &scores, bool reverse)
{
    qint64 max = 0;
    for (qint64 s : std::as_const(scores))
        max = std::max(max, s);
    if (max == 0) {
        if (reverse)
            std::fill(scores.begin(), scores.end(), maxNodeScore);
        return;
    }
    for (qint64 &s : scores) {
        s = maxNodeScore * s / max;
        if (reverse)
            s = maxNodeScore - s;
    }
}

// InterPodAffinity's NormalizeScore: min-max to 0..100.
void normalizeMinMax(QList<qint64> &scores)
{
    if (scores.isEmpty())
        return;
    const auto [lo, hi] = std::minmax_element(scores.begin(), scores.end());
    const qint64 min = *lo;
    const qint64 spread = *hi - min;
    for (qint64 &s : scores)
        s = spread > 0 ? qint64(double(maxNodeScore) * (double(s - min) / double(spread))) : 0;
}

// PodTopologySpread's NormalizeScore: fewer matching pods scores higher.
void normalizeSpread(QList<qint64> &scores, const QList<bool> &ignored)
{
    qint64 min = std::numeric_limits<qint64>::max();
    qint64 max = 0;
    for (qsizetype i = 0; i < scores.size(); ++i) {
        if (ignored[i])
            continue;
        min = std::min(min, scores[i]);
        max = std::max(max, scores[i]);
    }
    for (qsizetype i = 0; i < scores.size(); ++i) {
        if (ignored[i])
            scores[i] = 0;
        else if (max == 0)
            scores[i] = maxNodeScore;
        else
            scores[i] = maxNodeScore * (max + min - scores[i]) / max;
    }
}

Status runFilters(const QJsonObject &pod, const PodInfo &info, const NodeInfo &node,
                  const VolumeListers *volumes, const TopologySpread &spread,
                  const InterPodAffinity &affinity)
{
    if (Status s = filterNodeUnschedulable(pod, node); !s.isSuccess())
        return s;
    if (Status s = filterTaintToleration(pod, node); !s.isSuccess())
        return s;
    if (Status s = filterNodeAffinity(pod, node); !s.isSuccess())
        return s;
    if (Status s = filterNodePorts(pod, node); !s.isSuccess())
        return s;
    if (Status s = filterNodeResources(info, node); !s.isSuccess())
        return s;
    if (volumes) {
        if (const QStringList reasons = filterVolumes(pod, node.node, *volumes); !reasons.isEmpty())
            return {Status::Code::UnschedulableAndUnresolvable, reasons};
    }
    if (Status s = spread.filter(node); !s.isSuccess())
        return s;
    return affinity.filter(node);
}

} // namespace

QString fitErrorMessage(const Diagnosis &diagnosis)
{
    QString message = u"0/%1 nodes are available:"_s.arg(diagnosis.numAllNodes);
    if (!diagnosis.preFilterMessage.isEmpty()) {
        message += u' ' + diagnosis.preFilterMessage + u'.';
    } else {
        QMap<QString, qint64> counts;
        for (const Status &s : diagnosis.nodeStatuses)
            for (const QString &reason : s.reasons)
                counts[reason] += 1;
        const qint64 absent = diagnosis.numAllNodes - diagnosis.nodeStatuses.size();
        if (diagnosis.absentNodes && absent > 0)
            for (const QString &reason : diagnosis.absentNodes->reasons)
                counts[reason] += absent;
        // Go sorts the "count reason" strings themselves: "10 x" comes before "2 y".
        QStringList histogram;
        for (auto it = counts.begin(); it != counts.end(); ++it)
            histogram.append(u"%1 %2"_s.arg(it.value()).arg(it.key()));
        std::sort(histogram.begin(), histogram.end());
        if (!histogram.isEmpty())
            message += u' ' + histogram.join(u", "_s) + u'.';
    }
    if (!diagnosis.postFilterMessage.isEmpty())
        message += u' ' + diagnosis.postFilterMessage + u'.';
    return message;
}

QString preemptionMessage(const QJsonObject &pod, const Diagnosis &diagnosis)
{
    if (pod.value(u"spec").toObject().value(u"preemptionPolicy").toString() == u"Never")
        return u"preemption: not eligible due to preemptionPolicy=Never."_s;
    // Only nodes that failed with a resolvable status could make room; with every pod at the
    // same priority none of them has a victim to offer.
    Diagnosis preemption;
    preemption.numAllNodes = diagnosis.numAllNodes;
    for (auto it = diagnosis.nodeStatuses.begin(); it != diagnosis.nodeStatuses.end(); ++it)
        if (it->code == Status::Code::Unschedulable)
            preemption.nodeStatuses.insert(
                it.key(), Status::unresolvable(u"No preemption victims found for incoming pod"_s));
    preemption.absentNodes = Status::unresolvable(u"Preemption is not helpful for scheduling"_s);
    return u"preemption: "_s + fitErrorMessage(preemption);
}

ScheduleResult schedulePod(const QJsonObject &pod, const Snapshot &snapshot, quint64 &tieBreak)
{
    ScheduleResult result;
    Diagnosis &diagnosis = result.diagnosis;
    diagnosis.numAllNodes = int(snapshot.nodes.size());
    if (snapshot.nodes.isEmpty()) {
        result.message = u"no nodes available to schedule pods"_s;
        return result;
    }
    auto fail = [&] {
        diagnosis.postFilterMessage = preemptionMessage(pod, diagnosis);
        result.message = fitErrorMessage(diagnosis);
        return result;
    };

    // PreFilter: NodeAffinity narrows the nodes to those named by matchFields (DaemonSets).
    QList<const NodeInfo *> candidates;
    const std::optional<QSet<QString>> names = nodeAffinityNodeNames(pod);
    if (names && names->isEmpty()) {
        diagnosis.preFilterMessage = u"pod affinity terms conflict"_s;
        diagnosis.absentNodes = Status::unresolvable(diagnosis.preFilterMessage);
        return fail();
    }
    for (const NodeInfo &node : snapshot.nodes)
        if (!names || names->contains(node.name))
            candidates.append(&node);
    // VolumeBinding: claims missing, being deleted, or Immediate and still unbound.
    const VolumeListers *volumes = snapshot.volumes.claim && !podClaimNames(pod).isEmpty()
                                       ? &snapshot.volumes
                                       : nullptr;
    if (volumes) {
        if (const std::optional<QString> refusal = preFilterVolumes(pod, *volumes)) {
            diagnosis.preFilterMessage = *refusal;
            diagnosis.absentNodes = Status::unresolvable(*refusal);
            return fail();
        }
    }
    if (names)
        diagnosis.absentNodes =
            Status::unresolvable(u"node(s) didn't satisfy plugin(s) [NodeAffinity]"_s);

    const PodInfo info = PodInfo::from(pod);
    TopologySpread spread(pod, snapshot);
    const InterPodAffinity affinity(pod, snapshot);
    QList<const NodeInfo *> feasible;
    for (const NodeInfo *node : std::as_const(candidates)) {
        Status s = runFilters(pod, info, *node, volumes, spread, affinity);
        if (s.isSuccess())
            feasible.append(node);
        else
            diagnosis.nodeStatuses.insert(node->name, s);
    }
    result.feasibleNodes = int(feasible.size());
    if (feasible.isEmpty())
        return fail();
    if (feasible.size() == 1) {
        result.node = feasible.first()->name;
        return result;
    }

    const qsizetype n = feasible.size();
    QList<qint64> taints(n), nodeAffinity(n), fit(n), balanced(n), spreading(n), podAffinity(n);
    QList<bool> spreadIgnored(n);
    spread.prepareScore(feasible);
    for (qsizetype i = 0; i < n; ++i) {
        const NodeInfo &node = *feasible[i];
        taints[i] = intolerablePreferNoScheduleTaints(pod, node);
        nodeAffinity[i] = nodeAffinityScore(pod, node);
        fit[i] = leastAllocatedScore(info, node);
        balanced[i] = balancedAllocationScore(info, node);
        spreading[i] = spread.score(node);
        spreadIgnored[i] = spread.ignoredForScore(node);
        podAffinity[i] = affinity.score(node);
    }
    normalize(taints, true);
    normalize(nodeAffinity, false);
    if (std::all_of(spreadIgnored.begin(), spreadIgnored.end(), [](bool b) { return b; }))
        std::fill(spreading.begin(), spreading.end(), 0);
    else
        normalizeSpread(spreading, spreadIgnored);
    normalizeMinMax(podAffinity);

    qint64 best = std::numeric_limits<qint64>::min();
    QList<const NodeInfo *> winners;
    for (qsizetype i = 0; i < n; ++i) {
        const qint64 total = 3 * taints[i] + 2 * nodeAffinity[i] + fit[i] + balanced[i]
                             + 2 * spreading[i] + 2 * podAffinity[i];
        if (total > best) {
            best = total;
            winners.clear();
        }
        if (total == best)
            winners.append(feasible[i]);
    }
    result.node = winners[qsizetype(tieBreak % quint64(winners.size()))]->name;
    if (winners.size() > 1)
        ++tieBreak;
    return result;
}

} // namespace timonel::scheduler
