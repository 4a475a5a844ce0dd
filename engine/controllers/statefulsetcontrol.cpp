// What a pass over a StatefulSet does, as Kubernetes' stateful_set_control.go: which pods to
// create, fix, delete or replace, in which order, and the status that results.
#include "statefulsetcontroller.h"
#include "statefulsetcontroller_p.h"

#include "client/eventrecorder.h"
#include "client/informer.h"
#include "controllers/controllerutils.h"

#include <algorithm>
#include <climits>

using namespace Qt::StringLiterals;

namespace timonel::controllers {

using namespace statefulset;

StatefulSetController::Plan StatefulSetController::makePlan(const QJsonObject &set,
                                                            const QList<QJsonObject> &pods,
                                                            const Revisions &revisions)
{
    const QString currentName = nameOf(revisions.current);
    const QString updateName = nameOf(revisions.update);
    const QJsonObject strategy = specOf(set).value(u"updateStrategy").toObject();
    const bool hasRollingUpdate = strategy.value(u"rollingUpdate").isObject();
    const int partition =
        strategy.value(u"rollingUpdate").toObject().value(u"partition").toInt();
    const int start = startOrdinal(set);
    const int replicaCount = replicasOf(set);

    // A missing pod comes back from the current revision below the partition (or below the
    // pods already current in a rolling update without one), from the update revision above.
    auto newVersionedPod = [&](int ordinal) {
        const bool current =
            (strategy.value(u"type").toString() == u"RollingUpdate" && !hasRollingUpdate
             && ordinal < start + statusOf(set).value(u"currentReplicas").toInt())
            || (hasRollingUpdate && ordinal < start + partition);
        return current ? newPod(set, revisionTemplate(revisions.current), ordinal, currentName)
                       : newPod(set, revisionTemplate(revisions.update), ordinal, updateName);
    };

    QList<QJsonObject> replicas(replicaCount);
    QList<QJsonObject> condemned;
    for (const QJsonObject &pod : pods) {
        const int ordinal = ordinalOf(pod);
        if (inOrdinalRange(pod, set))
            replicas[ordinal - start] = pod;
        else if (ordinal >= 0)
            condemned.append(pod);
    }
    for (int i = 0; i < replicaCount; ++i)
        if (replicas[i].isEmpty())
            replicas[i] = newVersionedPod(i + start);
    std::sort(condemned.begin(), condemned.end(), [](const QJsonObject &a, const QJsonObject &b) {
        return ordinalOf(a) > ordinalOf(b);
    });
    QString firstUnhealthy;
    int firstUnhealthyOrdinal = INT_MAX;
    for (const QList<QJsonObject> *list : {&replicas, &condemned})
        for (const QJsonObject &pod : *list)
            if (!isHealthy(pod) && ordinalOf(pod) < firstUnhealthyOrdinal) {
                firstUnhealthyOrdinal = ordinalOf(pod);
                firstUnhealthy = nameOf(pod);
            }

    Plan plan;
    auto count = [&] {
        plan.counts = countPods(set, replicas + condemned, currentName, updateName);
    };
    auto finished = [&] {
        count();
        plan.status = statusFor(set, plan.counts, revisions);
        return plan;
    };
    if (isBeingDeleted(set))
        return finished();

    // OrderedReady goes one write at a time and stops at the first pod that is not Running and
    // Ready; Parallel does each stage's writes at once (runForAll).
    const bool monotonic = specOf(set).value(u"podManagementPolicy").toString() != u"Parallel";
    QList<Step> stage;
    auto add = [&](Step step) {
        if (monotonic)
            plan.phases.append({std::move(step)});
        else
            stage.append(std::move(step));
    };
    auto endStage = [&] {
        if (!stage.isEmpty())
            plan.phases.append(std::exchange(stage, {}));
    };
    auto fixClaimOwners = [&](const QJsonObject &pod) {
        for (const QJsonObject &claim : claimsFor(set, ordinalOf(pod))) {
            const QJsonObject cached = m_claims->get(nsOf(set), nameOf(claim));
            if (!cached.isEmpty())
                if (const auto owners = claimOwnersFor(cached, set, pod))
                    add(updateClaimStep(cached, *owners));
        }
    };

    // processReplica: true when an OrderedReady set must wait.
    auto processReplica = [&](int i) {
        QJsonObject &pod = replicas[i];
        const QString phase = phaseOf(pod);
        if (phase == u"Failed" || phase == u"Succeeded") {
            const bool failed = phase == u"Failed";
            m_events->event(set, failed ? u"Warning"_s : u"Normal"_s,
                            failed ? u"RecreatingFailedPod"_s : u"RecreatingTerminatedPod"_s,
                            u"StatefulSet %1/%2 is recreating %3 Pod %4"_s.arg(
                                nsOf(set), nameOf(set), failed ? u"failed"_s : u"terminated"_s,
                                nameOf(pod)));
            add(deletePodStep(set, pod));
            pod = newVersionedPod(i + start);
        }
        if (!isCreated(pod)) {
            if (claimIsStale(set, pod))
                return true; // its old claim is still going away with the old pod
            add(createPodStep(set, pod));
            return monotonic;
        }
        if (phaseOf(pod) == u"Pending" && claimMissing(set, pod))
            add(createClaimsStep(set, pod));
        if (monotonic && (isBeingDeleted(pod) || !isRunningAndReady(pod) || !isAvailable(pod, set)))
            return true;
        if (!identityMatches(set, pod) || !storageMatches(set, pod))
            add(updatePodStep(set, pod));
        fixClaimOwners(pod);
        return false;
    };
    for (int i = 0; i < replicaCount; ++i)
        if (processReplica(i) && monotonic)
            return finished();
    endStage();

    for (const QJsonObject &pod : std::as_const(condemned))
        fixClaimOwners(pod);
    endStage();

    // Scale down from the highest ordinal; OrderedReady only while the rest are healthy, or
    // when the pod to go is itself the first unhealthy one.
    for (const QJsonObject &pod : std::as_const(condemned)) {
        if (isBeingDeleted(pod)) {
            if (monotonic)
                return finished();
            continue;
        }
        if (monotonic && nameOf(pod) != firstUnhealthy
            && (!isRunningAndReady(pod) || !isAvailable(pod, set)))
            return finished();
        add(deletePodStep(set, pod));
        if (monotonic)
            return finished();
    }
    endStage();

    if (strategy.value(u"type").toString() == u"OnDelete")
        return finished(); // pods change revision only when someone deletes them
    count();
    // A rolling update replaces the highest ordinal not yet updated, once every pod above it
    // is healthy again; pods below the partition stay as they are.
    for (qsizetype target = replicas.size() - 1; target >= (hasRollingUpdate ? partition : 0);
         --target) {
        const QJsonObject &pod = replicas[target];
        if (revisionOf(pod) != updateName && !isBeingDeleted(pod)) {
            qCInfo(lcStatefulSets).noquote() << "Pod of StatefulSet is terminating for update"
                                             << nsOf(set) + u'/' + nameOf(pod);
            plan.phases.append({deletePodStep(set, pod)});
            --plan.counts.current;
            break;
        }
        if (!isHealthy(pod))
            break;
    }
    plan.status = statusFor(set, plan.counts, revisions);
    return plan;
}

StatefulSetController::Counts StatefulSetController::countPods(const QJsonObject &set,
                                                               const QList<QJsonObject> &pods,
                                                               const QString &current,
                                                               const QString &update)
{
    Counts c;
    for (const QJsonObject &pod : pods) {
        if (isCreated(pod))
            ++c.replicas;
        if (isRunningAndReady(pod)) {
            ++c.ready;
            if (isAvailable(pod, set))
                ++c.available;
        }
        if (isCreated(pod) && !isBeingDeleted(pod)) {
            c.current += revisionOf(pod) == current;
            c.updated += revisionOf(pod) == update;
        }
    }
    return c;
}

bool StatefulSetController::claimIsStale(const QJsonObject &set, const QJsonObject &pod) const
{
    // A claim still owned by an earlier pod of this name waits for the garbage collector.
    if (!retentionOf(set).deleteWhenScaled)
        return false;
    for (const QJsonObject &claim : claimsFor(set, ordinalOf(pod)))
        for (const QJsonValue &ref :
             metaOf(m_claims->get(nsOf(set), nameOf(claim))).value(u"ownerReferences").toArray())
            if (refMatches(ref.toObject(), u"v1"_s, u"Pod"_s, nameOf(pod))
                && ref.toObject().value(u"uid").toString() != uidOf(pod))
                return true;
    return false;
}

bool StatefulSetController::claimMissing(const QJsonObject &set, const QJsonObject &pod) const
{
    const QList<QJsonObject> claims = claimsFor(set, ordinalOf(pod));
    return std::any_of(claims.begin(), claims.end(), [&](const QJsonObject &claim) {
        return m_claims->get(nsOf(set), nameOf(claim)).isEmpty();
    });
}

QJsonObject StatefulSetController::statusFor(const QJsonObject &set, Counts counts,
                                             const Revisions &revisions)
{
    QString currentRevision = nameOf(revisions.current);
    const QString updateRevision = nameOf(revisions.update);
    // completeRollingUpdate: once every pod runs the update revision, it is the current one.
    const int replicas = replicasOf(set);
    const QJsonObject strategy = specOf(set).value(u"updateStrategy").toObject();
    if (strategy.value(u"type").toString() == u"RollingUpdate"
        && counts.updated == replicas && counts.ready == replicas && counts.replicas == replicas) {
        counts.current = counts.updated;
        currentRevision = updateRevision;
    }
    return {{u"observedGeneration"_s, omitEmpty(metaOf(set).value(u"generation").toInteger())},
            {u"replicas"_s, counts.replicas},
            {u"readyReplicas"_s, omitEmpty(counts.ready)},
            {u"currentReplicas"_s, omitEmpty(counts.current)},
            {u"updatedReplicas"_s, omitEmpty(counts.updated)},
            {u"availableReplicas"_s, counts.available},
            {u"currentRevision"_s, omitEmpty(currentRevision)},
            {u"updateRevision"_s, omitEmpty(updateRevision)},
            {u"collisionCount"_s, revisions.collisionCount}};
}

} // namespace timonel::controllers
