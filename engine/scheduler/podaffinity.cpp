// The rules that look at the other pods of the cluster: InterPodAffinity (required and
// preferred pod affinity and anti-affinity) and PodTopologySpread, as kube-scheduler's plugins.
// Both count once per scheduling cycle (their PreFilter/PreScore), then answer per node.
#include "schedulingplugins.h"

#include <QSet>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace timonel::scheduler {

namespace {

const QString hostnameKey = u"kubernetes.io/hostname"_s;
const QString zoneKey = u"topology.kubernetes.io/zone"_s;

QJsonObject metaOf(const QJsonObject &o)
{
    return o.value(u"metadata").toObject();
}

QJsonObject specOf(const QJsonObject &o)
{
    return o.value(u"spec").toObject();
}

QString namespaceOf(const QJsonObject &o)
{
    return metaOf(o).value(u"namespace").toString();
}

QJsonObject labelsOf(const QJsonObject &o)
{
    return metaOf(o).value(u"labels").toObject();
}

bool terminating(const QJsonObject &pod)
{
    return metaOf(pod).contains(u"deletionTimestamp");
}

QString pairKey(const QString &key, const QString &value)
{
    return key + u'\x1f' + value;
}

// The node's domain for a topology key.
QString pairOf(const NodeInfo &node, const QString &key)
{
    return pairKey(key, node.labels.value(key).toString());
}

// A metav1.LabelSelector; a missing one selects nothing, an invalid one too.
core::LabelSelector selectorOf(const QJsonValue &value)
{
    if (!value.isObject())
        return core::LabelSelector::nothing();
    auto selector = core::LabelSelector::fromJson(value.toObject());
    return selector ? *selector : core::LabelSelector::nothing();
}

// One PodAffinityTerm of `owner` (the pod whose spec holds it).
InterPodAffinity::Term termOf(const QJsonObject &term, const QJsonObject &owner, qint64 weight)
{
    InterPodAffinity::Term t;
    t.selector = selectorOf(term.value(u"labelSelector"));
    for (const QJsonValue &ns : term.value(u"namespaces").toArray())
        t.namespaces.insert(ns.toString());
    if (term.value(u"namespaceSelector").isObject())
        t.namespaceSelector = selectorOf(term.value(u"namespaceSelector"));
    else if (t.namespaces.isEmpty())
        t.namespaces.insert(namespaceOf(owner)); // neither: the owner's own namespace
    t.topologyKey = term.value(u"topologyKey").toString();
    t.weight = weight;
    return t;
}

QList<InterPodAffinity::Term> requiredTerms(const QJsonObject &pod, QStringView kind)
{
    QList<InterPodAffinity::Term> terms;
    const QJsonArray list = specOf(pod)
                                .value(u"affinity")
                                .toObject()
                                .value(kind)
                                .toObject()
                                .value(u"requiredDuringSchedulingIgnoredDuringExecution")
                                .toArray();
    for (const QJsonValue &v : list)
        terms.append(termOf(v.toObject(), pod, 1));
    return terms;
}

QList<InterPodAffinity::Term> preferredTerms(const QJsonObject &pod, QStringView kind)
{
    QList<InterPodAffinity::Term> terms;
    const QJsonArray list = specOf(pod)
                                .value(u"affinity")
                                .toObject()
                                .value(kind)
                                .toObject()
                                .value(u"preferredDuringSchedulingIgnoredDuringExecution")
                                .toArray();
    for (const QJsonValue &v : list) {
        const QJsonObject weighted = v.toObject();
        terms.append(termOf(weighted.value(u"podAffinityTerm").toObject(), pod,
                            weighted.value(u"weight").toInteger()));
    }
    return terms;
}

bool matchesAll(const QList<InterPodAffinity::Term> &terms, const QJsonObject &pod,
                const QJsonObject &namespaceLabels)
{
    if (terms.isEmpty())
        return false;
    for (const InterPodAffinity::Term &t : terms)
        if (!t.matches(pod, namespaceLabels))
            return false;
    return true;
}

bool hasAffinity(const QJsonObject &pod)
{
    const QJsonObject affinity = specOf(pod).value(u"affinity").toObject();
    return affinity.contains(u"podAffinity") || affinity.contains(u"podAntiAffinity");
}

// Pods of the namespace the selector counts, not those being deleted (countPodsMatchSelector).
qint64 countMatching(const QList<PodInfo> &pods, const PodSelector &selector, const QString &ns)
{
    if (selector.isEmpty())
        return 0; // as Kubernetes: an empty selector counts nothing here
    qint64 count = 0;
    for (const PodInfo &p : pods)
        if (!terminating(p.pod) && namespaceOf(p.pod) == ns && selector.matches(p.pod))
            ++count;
    return count;
}

bool hasAllKeys(const QJsonObject &labels, const QList<SpreadConstraint> &constraints)
{
    for (const SpreadConstraint &c : constraints)
        if (!labels.contains(c.topologyKey))
            return false;
    return true;
}

// nodeAffinityPolicy / nodeTaintsPolicy: whether a node's pods count for a constraint at all.
bool includesNode(const SpreadConstraint &c, const QJsonObject &pod, const NodeInfo &node)
{
    if (c.honorNodeAffinity && !podMatchesNodeSelectorAndAffinity(pod, node.node))
        return false;
    if (c.honorTaints && !filterTaintToleration(pod, node).isSuccess())
        return false;
    return true;
}

// The controllers whose selectors Kubernetes' default spreading uses.
QString spreadOwnerUid(const QJsonObject &pod)
{
    for (const QJsonValue &v : metaOf(pod).value(u"ownerReferences").toArray()) {
        const QJsonObject ref = v.toObject();
        if (!ref.value(u"controller").toBool())
            continue;
        const QString kind = ref.value(u"kind").toString();
        if (kind == u"ReplicaSet" || kind == u"StatefulSet" || kind == u"ReplicationController")
            return ref.value(u"uid").toString();
    }
    return {};
}

} // namespace

bool InterPodAffinity::Term::matches(const QJsonObject &pod,
                                     const QJsonObject &namespaceLabels) const
{
    const bool inNamespace = namespaces.contains(namespaceOf(pod))
                             || (namespaceSelector && namespaceSelector->matches(namespaceLabels));
    return inNamespace && selector.matches(labelsOf(pod));
}

InterPodAffinity::InterPodAffinity(const QJsonObject &pod, const Snapshot &snapshot)
    : m_pod(pod), m_affinity(requiredTerms(pod, u"podAffinity")),
      m_antiAffinity(requiredTerms(pod, u"podAntiAffinity"))
{
    const QJsonObject podNamespaceLabels = snapshot.namespaceLabels.value(namespaceOf(pod));
    m_matchesOwnAffinity = matchesAll(m_affinity, pod, podNamespaceLabels);
    const QList<Term> preferredAffinity = preferredTerms(pod, u"podAffinity");
    const QList<Term> preferredAntiAffinity = preferredTerms(pod, u"podAntiAffinity");
    const bool preferences = !preferredAffinity.isEmpty() || !preferredAntiAffinity.isEmpty();

    auto add = [](Counts &counts, const Term &t, const NodeInfo &node, qint64 amount) {
        if (node.labels.contains(t.topologyKey))
            counts[pairKey(t.topologyKey, node.labels.value(t.topologyKey).toString())] += amount;
    };
    for (const NodeInfo &node : snapshot.nodes) {
        for (const PodInfo &existing : node.pods) {
            const QJsonObject existingNamespaceLabels =
                snapshot.namespaceLabels.value(namespaceOf(existing.pod));
            // The pod's own required terms, against the pods already placed.
            if (matchesAll(m_affinity, existing.pod, existingNamespaceLabels))
                for (const Term &t : std::as_const(m_affinity))
                    add(m_affinityCounts, t, node, 1);
            for (const Term &t : std::as_const(m_antiAffinity))
                if (t.matches(existing.pod, existingNamespaceLabels))
                    add(m_antiAffinityCounts, t, node, 1);
            if (!hasAffinity(existing.pod) && !preferences)
                continue;
            // The placed pods' required anti-affinity, against this pod.
            for (const Term &t : requiredTerms(existing.pod, u"podAntiAffinity"))
                if (t.matches(pod, podNamespaceLabels))
                    add(m_existingAntiAffinityCounts, t, node, 1);
            // Preferences both ways, and the placed pods' hard affinity (HardPodAffinityWeight 1).
            if (node.labels.isEmpty())
                continue;
            for (const Term &t : preferredAffinity)
                if (t.matches(existing.pod, existingNamespaceLabels))
                    add(m_preferredScores, t, node, t.weight);
            for (const Term &t : preferredAntiAffinity)
                if (t.matches(existing.pod, existingNamespaceLabels))
                    add(m_preferredScores, t, node, -t.weight);
            if (!hasAffinity(existing.pod))
                continue;
            for (const Term &t : requiredTerms(existing.pod, u"podAffinity"))
                if (t.matches(pod, podNamespaceLabels))
                    add(m_preferredScores, t, node, 1);
            for (const Term &t : preferredTerms(existing.pod, u"podAffinity"))
                if (t.matches(pod, podNamespaceLabels))
                    add(m_preferredScores, t, node, t.weight);
            for (const Term &t : preferredTerms(existing.pod, u"podAntiAffinity"))
                if (t.matches(pod, podNamespaceLabels))
                    add(m_preferredScores, t, node, -t.weight);
        }
    }
}

Status InterPodAffinity::filter(const NodeInfo &node) const
{
    // Required affinity: every term's topology must hold a matching pod, unless no pod anywhere
    // matches and the pod matches its own terms (the first of a group that attracts itself).
    bool podsExist = true;
    for (const Term &t : m_affinity) {
        if (!node.labels.contains(t.topologyKey))
            return Status::unresolvable(u"node(s) didn't match pod affinity rules"_s);
        if (m_affinityCounts.value(pairOf(node, t.topologyKey)) <= 0)
            podsExist = false;
    }
    if (!podsExist && !(m_affinityCounts.isEmpty() && m_matchesOwnAffinity))
        return Status::unresolvable(u"node(s) didn't match pod affinity rules"_s);

    for (const Term &t : m_antiAffinity) {
        if (!node.labels.contains(t.topologyKey))
            continue;
        if (m_antiAffinityCounts.value(pairOf(node, t.topologyKey)) > 0)
            return Status::unschedulable({u"node(s) didn't match pod anti-affinity rules"_s});
    }

    if (!m_existingAntiAffinityCounts.isEmpty()) {
        for (auto it = node.labels.begin(); it != node.labels.end(); ++it)
            if (m_existingAntiAffinityCounts.value(pairKey(it.key(), it.value().toString())) > 0)
                return Status::unschedulable(
                    {u"node(s) didn't satisfy existing pods anti-affinity rules"_s});
    }
    return Status::success();
}

qint64 InterPodAffinity::score(const NodeInfo &node) const
{
    qint64 score = 0;
    for (auto it = node.labels.begin(); it != node.labels.end(); ++it)
        score += m_preferredScores.value(pairKey(it.key(), it.value().toString()));
    return score;
}

QList<SpreadConstraint> spreadConstraints(const QJsonObject &pod, const Snapshot &snapshot,
                                          bool *systemDefaulted)
{
    QList<SpreadConstraint> constraints;
    const QJsonArray own = specOf(pod).value(u"topologySpreadConstraints").toArray();
    if (systemDefaulted)
        *systemDefaulted = own.isEmpty();
    const QJsonObject podLabels = labelsOf(pod);
    for (const QJsonValue &v : own) {
        const QJsonObject c = v.toObject();
        SpreadConstraint sc;
        sc.topologyKey = c.value(u"topologyKey").toString();
        sc.maxSkew = c.value(u"maxSkew").toInt(1);
        sc.minDomains = c.value(u"minDomains").toInt(1);
        sc.doNotSchedule = c.value(u"whenUnsatisfiable").toString() == u"DoNotSchedule";
        sc.honorNodeAffinity = c.value(u"nodeAffinityPolicy").toString(u"Honor"_s) == u"Honor";
        sc.honorTaints = c.value(u"nodeTaintsPolicy").toString(u"Ignore"_s) == u"Honor";
        // matchLabelKeys: the pod's own values of those labels narrow the selector.
        QJsonValue selector = c.value(u"labelSelector");
        if (selector.isObject()) {
            QJsonObject s = selector.toObject();
            QJsonArray expressions = s.value(u"matchExpressions").toArray();
            for (const QJsonValue &key : c.value(u"matchLabelKeys").toArray())
                if (podLabels.contains(key.toString()))
                    expressions.append(
                        QJsonObject{{u"key"_s, key},
                                    {u"operator"_s, u"In"_s},
                                    {u"values"_s, QJsonArray{podLabels.value(key.toString())}}});
            if (!expressions.isEmpty())
                s.insert(u"matchExpressions"_s, expressions);
            selector = s;
        }
        sc.selector.labels = selectorOf(selector);
        constraints.append(sc);
    }
    if (!own.isEmpty())
        return constraints;

    // The default spreading: the pods of the same controller, or behind the same Services.
    PodSelector same;
    same.ownerUid = spreadOwnerUid(pod);
    QJsonObject serviceLabels;
    bool selected = false;
    for (const QJsonObject &service : snapshot.services) {
        if (namespaceOf(service) != namespaceOf(pod))
            continue;
        const QJsonObject selector = specOf(service).value(u"selector").toObject();
        if (selector.isEmpty() || !core::LabelSelector::fromSet(selector).matches(podLabels))
            continue;
        selected = true;
        for (auto it = selector.begin(); it != selector.end(); ++it)
            serviceLabels.insert(it.key(), it.value());
    }
    same.labels = selected ? core::LabelSelector::fromSet(serviceLabels)
                           : core::LabelSelector::everything();
    if (same.isEmpty())
        return constraints;
    for (const auto &[key, skew] : {std::pair{hostnameKey, 3}, std::pair{zoneKey, 5}}) {
        SpreadConstraint sc;
        sc.topologyKey = key;
        sc.maxSkew = skew;
        sc.selector = same;
        constraints.append(sc);
    }
    return constraints;
}

TopologySpread::TopologySpread(const QJsonObject &pod, const Snapshot &snapshot)
    : m_pod(pod), m_snapshot(snapshot)
{
    const QList<SpreadConstraint> all = spreadConstraints(pod, snapshot, &m_systemDefaulted);
    for (const SpreadConstraint &c : all)
        (c.doNotSchedule ? m_filtering : m_scoring).append(c);
    if (m_filtering.isEmpty())
        return;
    const QString ns = namespaceOf(pod);
    for (const NodeInfo &node : snapshot.nodes) {
        if (!hasAllKeys(node.labels, m_filtering))
            continue;
        for (const SpreadConstraint &c : std::as_const(m_filtering)) {
            if (!includesNode(c, pod, node))
                continue;
            const QString pair = pairOf(node, c.topologyKey);
            if (!m_matchCounts.contains(pair))
                m_domains[c.topologyKey] += 1;
            m_matchCounts[pair] += countMatching(node.pods, c.selector, ns);
        }
    }
    for (auto it = m_matchCounts.begin(); it != m_matchCounts.end(); ++it) {
        const QString key = it.key().section(u'\x1f', 0, 0);
        if (!m_minMatch.contains(key) || it.value() < m_minMatch.value(key))
            m_minMatch.insert(key, it.value());
    }
}

Status TopologySpread::filter(const NodeInfo &node) const
{
    for (const SpreadConstraint &c : m_filtering) {
        if (!node.labels.contains(c.topologyKey))
            return Status::unresolvable(
                u"node(s) didn't match pod topology spread constraints (missing required label)"_s);
        if (!m_domains.contains(c.topologyKey))
            continue; // no eligible domain at all: nothing to be skewed against
        const qint64 minMatch =
            m_domains.value(c.topologyKey) < c.minDomains ? 0 : m_minMatch.value(c.topologyKey);
        const qint64 self = c.selector.matches(m_pod) ? 1 : 0;
        const qint64 match = m_matchCounts.value(pairOf(node, c.topologyKey));
        if (match + self - minMatch > c.maxSkew)
            return Status::unschedulable(
                {u"node(s) didn't match pod topology spread constraints"_s});
    }
    return Status::success();
}

void TopologySpread::prepareScore(const QList<const NodeInfo *> &feasible)
{
    m_ignored.clear();
    m_scoreCounts.clear();
    m_normalizingWeights.clear();
    if (m_scoring.isEmpty())
        return;
    // Nodes without every key are left out, except for the default spreading, where a node
    // without a zone still spreads by hostname.
    const bool requireAll = !m_systemDefaulted;
    QList<int> sizes(m_scoring.size(), 0);
    for (const NodeInfo *node : feasible) {
        if (requireAll && !hasAllKeys(node->labels, m_scoring)) {
            m_ignored.insert(node->name);
            continue;
        }
        for (qsizetype i = 0; i < m_scoring.size(); ++i) {
            const QString &key = m_scoring[i].topologyKey;
            if (key == hostnameKey)
                continue; // counted per node in score()
            const QString pair = pairOf(*node, key);
            if (!m_scoreCounts.contains(pair)) {
                m_scoreCounts.insert(pair, 0);
                ++sizes[i];
            }
        }
    }
    for (qsizetype i = 0; i < m_scoring.size(); ++i) {
        const qsizetype size = m_scoring[i].topologyKey == hostnameKey
                                   ? feasible.size() - m_ignored.size()
                                   : sizes[i];
        // log(size + 2): more domains weigh a count more.
        m_normalizingWeights.append(std::log(double(size + 2)));
    }
    const QString ns = namespaceOf(m_pod);
    for (const NodeInfo &node : m_snapshot.nodes) {
        if (requireAll && !hasAllKeys(node.labels, m_scoring))
            continue;
        for (const SpreadConstraint &c : std::as_const(m_scoring)) {
            if (!includesNode(c, m_pod, node))
                continue;
            auto it = m_scoreCounts.find(pairOf(node, c.topologyKey));
            if (it != m_scoreCounts.end())
                *it += countMatching(node.pods, c.selector, ns);
        }
    }
}

bool TopologySpread::ignoredForScore(const NodeInfo &node) const
{
    return m_scoring.isEmpty() || m_ignored.contains(node.name);
}

qint64 TopologySpread::score(const NodeInfo &node) const
{
    if (ignoredForScore(node))
        return 0;
    double score = 0;
    const QString ns = namespaceOf(m_pod);
    for (qsizetype i = 0; i < m_scoring.size(); ++i) {
        const SpreadConstraint &c = m_scoring[i];
        if (!node.labels.contains(c.topologyKey))
            continue;
        const qint64 count =
            c.topologyKey == hostnameKey
                ? countMatching(node.pods, c.selector, ns)
                : m_scoreCounts.value(pairOf(node, c.topologyKey));
        score += double(count) * m_normalizingWeights[i] + double(c.maxSkew - 1);
    }
    return qint64(std::round(score));
}

} // namespace timonel::scheduler
