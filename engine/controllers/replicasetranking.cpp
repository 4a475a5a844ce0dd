// Which pods a ReplicaSet's scale-down deletes first, as Kubernetes' ActivePodsWithRanks
// (pkg/controller/controller_utils.go): ReplicaSetController::podsToDelete.
#include "replicasetcontroller.h"

#include <QHash>
#include <QJsonArray>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <optional>

using namespace Qt::StringLiterals;

namespace timonel::controllers {

namespace {

const QString deletionCostAnnotation = u"controller.kubernetes.io/pod-deletion-cost"_s;

QJsonObject metaOf(const QJsonObject &o)
{
    return o.value(u"metadata").toObject();
}

QJsonObject specOf(const QJsonObject &o)
{
    return o.value(u"spec").toObject();
}

QString uidOf(const QJsonObject &o)
{
    return metaOf(o).value(u"uid").toString();
}

QDateTime timeOf(const QJsonValue &v)
{
    return QDateTime::fromString(v.toString(), Qt::ISODate);
}

int phaseOrdinal(const QJsonObject &pod)
{
    const QString phase = pod.value(u"status").toObject().value(u"phase").toString();
    if (phase == u"Unknown")
        return 1;
    if (phase == u"Running")
        return 2;
    return 0; // Pending, and what Go's map lookup gives for anything else
}

QDateTime readyTime(const QJsonObject &pod)
{
    for (const QJsonValue &c : pod.value(u"status").toObject().value(u"conditions").toArray()) {
        const QJsonObject cond = c.toObject();
        if (cond.value(u"type") == u"Ready"_s && cond.value(u"status") == u"True"_s)
            return timeOf(cond.value(u"lastTransitionTime"));
    }
    return {};
}

int deletionCost(const QJsonObject &pod)
{
    bool ok = false;
    const int cost = metaOf(pod)
                         .value(u"annotations")
                         .toObject()
                         .value(deletionCostAnnotation)
                         .toString()
                         .toInt(&ok);
    return ok ? cost : 0;
}

// The highest restart count of the regular containers, and of the sidecars (init containers
// that keep running).
std::pair<int, int> maxRestarts(const QJsonObject &pod)
{
    const QJsonObject status = pod.value(u"status").toObject();
    int regular = 0;
    for (const QJsonValue &c : status.value(u"containerStatuses").toArray())
        regular = std::max(regular, c.toObject().value(u"restartCount").toInt());
    QSet<QString> sidecars;
    for (const QJsonValue &c : specOf(pod).value(u"initContainers").toArray())
        if (c.toObject().value(u"restartPolicy").toString() == u"Always")
            sidecars.insert(c.toObject().value(u"name").toString());
    int sidecar = 0;
    for (const QJsonValue &c : status.value(u"initContainerStatuses").toArray())
        if (sidecars.contains(c.toObject().value(u"name").toString()))
            sidecar = std::max(sidecar, c.toObject().value(u"restartCount").toInt());
    return {regular, sidecar};
}

// Base-2 logarithm of each age in nanoseconds: pods of about the same age rank alike, so a
// scale-down does not always hit the very newest pod (LogarithmicScaleDown).
qint64 logarithmicRankDiff(const QDateTime &t1, const QDateTime &t2, const QDateTime &now)
{
    auto rank = [&](const QDateTime &t) -> qint64 {
        const double ns = double(t.msecsTo(now)) * 1e6;
        return ns > 0 ? qint64(std::log2(ns)) : -1;
    };
    return rank(t1) - rank(t2);
}

struct Ranked
{
    QJsonObject pod;
    int rank = 0;
    bool ready = false;
};

bool deletesFirst(const Ranked &a, const Ranked &b, const QDateTime &now)
{
    const QString nodeA = specOf(a.pod).value(u"nodeName").toString();
    const QString nodeB = specOf(b.pod).value(u"nodeName").toString();
    if (nodeA != nodeB && (nodeA.isEmpty() || nodeB.isEmpty()))
        return nodeA.isEmpty();
    if (phaseOrdinal(a.pod) != phaseOrdinal(b.pod))
        return phaseOrdinal(a.pod) < phaseOrdinal(b.pod);
    if (a.ready != b.ready)
        return !a.ready;
    if (deletionCost(a.pod) != deletionCost(b.pod))
        return deletionCost(a.pod) < deletionCost(b.pod);
    if (a.rank != b.rank)
        return a.rank > b.rank;
    // Newer first, by logarithmic age; missing times count as newest.
    auto newer = [&](const QDateTime &t1, const QDateTime &t2) -> std::optional<bool> {
        if (t1 == t2)
            return std::nullopt;
        if (!t1.isValid() || !t2.isValid() || !now.isValid())
            return !t1.isValid() || (t2.isValid() && t1 > t2);
        const qint64 diff = logarithmicRankDiff(t1, t2, now);
        if (diff == 0)
            return uidOf(a.pod) < uidOf(b.pod);
        return diff < 0;
    };
    if (a.ready && b.ready)
        if (auto r = newer(readyTime(a.pod), readyTime(b.pod)))
            return *r;
    const auto [regularA, sidecarA] = maxRestarts(a.pod);
    const auto [regularB, sidecarB] = maxRestarts(b.pod);
    if (regularA != regularB)
        return regularA > regularB;
    if (sidecarA != sidecarB)
        return sidecarA > sidecarB;
    if (auto r = newer(timeOf(metaOf(a.pod).value(u"creationTimestamp")),
                       timeOf(metaOf(b.pod).value(u"creationTimestamp"))))
        return *r;
    return false;
}

} // namespace

QList<QJsonObject> ReplicaSetController::podsToDelete(QList<QJsonObject> pods,
                                                      const QList<QJsonObject> &related, int count,
                                                      const QDateTime &now)
{
    if (count >= pods.size())
        return pods;
    QHash<QString, int> onNode;
    for (const QJsonObject &pod : related)
        if (isPodActive(pod))
            ++onNode[specOf(pod).value(u"nodeName").toString()];
    QList<Ranked> ranked;
    for (const QJsonObject &pod : std::as_const(pods))
        ranked.append(
            {pod, onNode.value(specOf(pod).value(u"nodeName").toString()), isPodReady(pod)});
    std::stable_sort(ranked.begin(), ranked.end(),
                     [&](const Ranked &a, const Ranked &b) { return deletesFirst(a, b, now); });
    QList<QJsonObject> chosen;
    for (int i = 0; i < count; ++i)
        chosen.append(ranked[i].pod);
    return chosen;
}

} // namespace timonel::controllers
