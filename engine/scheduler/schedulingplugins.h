// The scheduling decisions themselves, as pure functions over a snapshot of the cluster: which
// nodes a pod may go to (filters) and which of those suits it best (scores), with the plugins,
// order, weights and failure texts of kube-scheduler's default profile (v1.32). Nothing here
// talks to the API server, so every rule can be checked with a table of cases.
//
// Filters, in Kubernetes' order: NodeUnschedulable, TaintToleration, NodeAffinity (nodeSelector
// and required node affinity), NodePorts, NodeResourcesFit, VolumeBinding (volumebinding.h),
// PodTopologySpread (DoNotSchedule), InterPodAffinity. Scores and their weights:
// TaintToleration 3 (PreferNoSchedule), NodeAffinity 2 (preferred terms), NodeResourcesFit 1
// (least allocated), NodeResourcesBalancedAllocation 1, PodTopologySpread 2 (ScheduleAnyway, or
// the default spreading of a pod's owner over hostnames), InterPodAffinity 2 (preferred terms).
#pragma once

#include "core/nodeaffinity.h"
#include "core/taints.h"

#include "core/labelselector.h"
#include "scheduler/volumebinding.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

namespace timonel::scheduler {

// --- What pods request and nodes offer ---------------------------------------------------------

// Amounts of what the scheduler counts: CPU in millicores, memory and ephemeral storage in
// bytes, anything else (extended resources, hugepages) in its own units.
struct Resources
{
    qint64 milliCpu = 0;
    qint64 memory = 0;
    qint64 ephemeralStorage = 0;
    QHash<QString, qint64> scalar;

    Resources &operator+=(const Resources &other);
    // Any resource by its API name ("cpu" in millicores).
    qint64 get(const QString &name) const;
    void set(const QString &name, qint64 value);
};

// What a pod asks for, as Kubernetes' PodRequests: its containers plus its sidecars (init
// containers with restartPolicy Always), or its largest regular init container (plus the
// sidecars started before it) when that is more, plus spec.overhead. A resource with a limit
// and no request requests its limit, as the API server's defaulting makes it.
Resources podRequests(const QJsonObject &pod);
// The same with a container that requests no CPU or memory counted as 100m and 200Mi, as the
// scoring sees it (so that pods requesting nothing still spread).
Resources nonZeroPodRequests(const QJsonObject &pod);

// A pod as the scheduler keeps it: the object and what it costs its node.
struct PodInfo
{
    QJsonObject pod;
    QString key; // namespace/name
    QString nodeName;
    Resources requests;
    Resources nonZeroRequests;

    static PodInfo from(const QJsonObject &pod);
};

// A node and what is on it: its pods bound or assumed (not Succeeded/Failed ones) and their sums.
struct NodeInfo
{
    QJsonObject node;
    QString name;
    QJsonObject labels;
    // spec.taints, plus the not-ready/unreachable NoSchedule taint Kubernetes' node lifecycle
    // controller puts on a node whose Ready condition is not True (TaintNodesByCondition).
    QJsonArray taints;
    Resources allocatable; // status.allocatable (capacity when a node reports no allocatable)
    qint64 allowedPods = 0;
    QList<PodInfo> pods;
    Resources requested;
    Resources nonZeroRequested;

    static NodeInfo fromNode(const QJsonObject &node);
    void addPod(const PodInfo &pod);
};

// The cluster at one instant, as every decision of one scheduling cycle sees it.
struct Snapshot
{
    QList<NodeInfo> nodes; // in a stable order (by name)
    QHash<QString, QJsonObject> namespaceLabels; // for namespaceSelector of affinity terms
    QList<QJsonObject> services; // for the default spreading of pods behind a Service
    VolumeListers volumes;       // claims, volumes and classes; unset: volumes are not checked

    const NodeInfo *node(const QString &name) const;
};

// --- Filter outcomes ----------------------------------------------------------------------------

// A plugin's verdict on one node. UnschedulableAndUnresolvable: evicting pods from the node
// would not help (a taint, a selector); Unschedulable: it might (resources, ports, affinity).
struct Status
{
    enum class Code { Success, Unschedulable, UnschedulableAndUnresolvable };
    Code code = Code::Success;
    QStringList reasons;

    bool isSuccess() const { return code == Code::Success; }
    static Status success() { return {}; }
    static Status unschedulable(QStringList reasons) { return {Code::Unschedulable, reasons}; }
    static Status unresolvable(QString reason)
    {
        return {Code::UnschedulableAndUnresolvable, {reason}};
    }
};

// --- Node-local rules ---------------------------------------------------------------------------

using core::nodeSelectorTermMatches;
using core::toleratesTaint;
// spec.nodeSelector and requiredDuringScheduling node affinity together.
bool podMatchesNodeSelectorAndAffinity(const QJsonObject &pod, const QJsonObject &node);

// The node names a pod's required node affinity pins it to (every term with a matchFields
// metadata.name In, as DaemonSet pods have): nullopt when it may go anywhere, an empty set when
// its terms contradict each other (NodeAffinity's PreFilter).
std::optional<QSet<QString>> nodeAffinityNodeNames(const QJsonObject &pod);

Status filterNodeUnschedulable(const QJsonObject &pod, const NodeInfo &node);
Status filterTaintToleration(const QJsonObject &pod, const NodeInfo &node);
Status filterNodeAffinity(const QJsonObject &pod, const NodeInfo &node);
Status filterNodePorts(const QJsonObject &pod, const NodeInfo &node);
Status filterNodeResources(const PodInfo &pod, const NodeInfo &node);

// Raw scores of one node, before normalization across the feasible nodes.
qint64 nodeAffinityScore(const QJsonObject &pod, const NodeInfo &node);     // preferred weights
qint64 intolerablePreferNoScheduleTaints(const QJsonObject &pod, const NodeInfo &node);
qint64 leastAllocatedScore(const PodInfo &pod, const NodeInfo &node);       // 0..100
qint64 balancedAllocationScore(const PodInfo &pod, const NodeInfo &node);   // 0..100

// --- Rules over the whole cluster ---------------------------------------------------------------

// Which pods a spread constraint counts: those matching the labels, and when ownerUid is set,
// only those of that controller (the default spreading of a ReplicaSet's pods).
struct PodSelector
{
    core::LabelSelector labels = core::LabelSelector::nothing();
    QString ownerUid;

    bool isEmpty() const { return labels.isEmpty() && ownerUid.isEmpty(); }
    bool matches(const QJsonObject &pod) const;
};

struct SpreadConstraint
{
    QString topologyKey;
    int maxSkew = 1;
    int minDomains = 1;
    bool doNotSchedule = false;
    PodSelector selector;
    bool honorNodeAffinity = true; // nodeAffinityPolicy Honor (the default)
    bool honorTaints = false;      // nodeTaintsPolicy Ignore (the default)
};

// The pod's topologySpreadConstraints (matchLabelKeys merged into the selector), or, when it
// has none, Kubernetes' default spreading (ScheduleAnyway over hostname with maxSkew 3 and
// over zone with maxSkew 5) of the pods of its controller, or of the Services selecting it.
QList<SpreadConstraint> spreadConstraints(const QJsonObject &pod, const Snapshot &snapshot,
                                          bool *systemDefaulted = nullptr);

// InterPodAffinity: the pod's required (anti-)affinity and the existing pods' required
// anti-affinity, counted once per cycle (PreFilter), then checked per node (Filter).
class InterPodAffinity
{
public:
    InterPodAffinity(const QJsonObject &pod, const Snapshot &snapshot);
    Status filter(const NodeInfo &node) const;
    // Preferred terms of the pod and of the existing pods, summed per node (before the
    // min-max normalization).
    qint64 score(const NodeInfo &node) const;

    struct Term
    {
        core::LabelSelector selector;
        QSet<QString> namespaces;
        std::optional<core::LabelSelector> namespaceSelector;
        QString topologyKey;
        qint64 weight = 0;
        bool matches(const QJsonObject &pod, const QJsonObject &namespaceLabels) const;
    };

private:
    using Counts = QHash<QString, qint64>; // "key\x1fvalue" -> count
    QJsonObject m_pod;
    QList<Term> m_affinity;
    QList<Term> m_antiAffinity;
    Counts m_affinityCounts;
    Counts m_antiAffinityCounts;
    Counts m_existingAntiAffinityCounts;
    bool m_matchesOwnAffinity = false;
    Counts m_preferredScores;
};

// PodTopologySpread: DoNotSchedule constraints filter, ScheduleAnyway ones (and the default
// spreading) score.
class TopologySpread
{
public:
    TopologySpread(const QJsonObject &pod, const Snapshot &snapshot);
    Status filter(const NodeInfo &node) const;
    // Prepares scoring over the nodes that passed the filters.
    void prepareScore(const QList<const NodeInfo *> &feasible);
    bool ignoredForScore(const NodeInfo &node) const;
    qint64 score(const NodeInfo &node) const;

private:
    QJsonObject m_pod;
    QList<SpreadConstraint> m_filtering;
    QHash<QString, qint64> m_matchCounts;  // "key\x1fvalue" -> matching pods (filtering)
    QHash<QString, int> m_domains;         // key -> number of domains (filtering)
    QHash<QString, qint64> m_minMatch;     // key -> smallest count over its domains
    const Snapshot &m_snapshot;
    bool m_systemDefaulted = false;
    QList<SpreadConstraint> m_scoring;
    QSet<QString> m_ignored;
    QHash<QString, qint64> m_scoreCounts;
    QList<double> m_normalizingWeights;
};

// --- One scheduling cycle ----------------------------------------------------------------------

// Why no node fits, as kube-scheduler's FitError keeps it.
struct Diagnosis
{
    int numAllNodes = 0;
    QHash<QString, Status> nodeStatuses;   // the nodes that failed a filter
    std::optional<Status> absentNodes;     // the status of every node not in nodeStatuses
    QString preFilterMessage;              // a PreFilter rejected the pod outright
    QString postFilterMessage;             // what preemption had to say
};

// "0/4 nodes are available: 1 node(s) had untolerated taint {k: v}, 3 Insufficient memory."
// (reasons counted over the nodes, sorted as strings), then " " + the post-filter message + ".".
QString fitErrorMessage(const Diagnosis &diagnosis);

// DefaultPreemption's answer when no pod can be preempted (Timonel has no pod priorities, so
// no node has lower-priority victims): "preemption: 0/4 nodes are available: 1 Preemption is
// not helpful for scheduling, 3 No preemption victims found for incoming pod.", or
// "preemption: not eligible due to preemptionPolicy=Never.".
QString preemptionMessage(const QJsonObject &pod, const Diagnosis &diagnosis);

struct ScheduleResult
{
    QString node;    // empty when the pod fits nowhere
    QString message; // why, as the FailedScheduling event and PodScheduled condition say it
    Diagnosis diagnosis;
    int feasibleNodes = 0;
};

// Runs the filters over every node and the scores over the feasible ones. Ties between the
// best nodes are broken by `tieBreak` (incremented on every tie), so that a burst of equal pods
// goes round the equal nodes instead of piling on the first.
ScheduleResult schedulePod(const QJsonObject &pod, const Snapshot &snapshot, quint64 &tieBreak);

} // namespace timonel::scheduler
