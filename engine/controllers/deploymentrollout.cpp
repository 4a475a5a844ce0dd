// The two rollout strategies of the Deployment controller and how it judges their progress, as
// Kubernetes' rolling.go, recreate.go and progress.go.
#include "deploymentcontroller.h"

#include "deploymentcontroller_p.h"

#include "client/workqueue.h"
#include "controllers/controllerutils.h"

#include <chrono>
#include <cmath>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace timonel::controllers::deployment;

namespace timonel::controllers {

namespace {

// A ReplicaSet's ReplicaFailure as a Deployment condition.
QJsonObject replicaFailureOf(const QJsonObject &rs)
{
    for (const QJsonValue &v : statusOf(rs).value(u"conditions").toArray()) {
        QJsonObject c = v.toObject();
        if (c.value(u"type").toString() != replicaFailure)
            continue;
        c.insert(u"lastUpdateTime"_s, c.value(u"lastTransitionTime"));
        return c;
    }
    return {};
}

// Whether the rollout moved since the status was last written: more updated, ready or
// available pods, or fewer old ones.
bool deploymentProgressing(const QJsonObject &d, const QJsonObject &status)
{
    const QJsonObject old = statusOf(d);
    auto count = [](const QJsonObject &s, const char16_t *field) {
        return s.value(field).toInteger();
    };
    const qint64 oldOld = count(old, u"replicas") - count(old, u"updatedReplicas");
    const qint64 newOld = count(status, u"replicas") - count(status, u"updatedReplicas");
    return count(status, u"updatedReplicas") > count(old, u"updatedReplicas") || newOld < oldOld ||
           count(status, u"readyReplicas") > count(old, u"readyReplicas") ||
           count(status, u"availableReplicas") > count(old, u"availableReplicas");
}

QDateTime progressDeadline(const QJsonObject &d, const QJsonObject &condition)
{
    return QDateTime::fromString(condition.value(u"lastUpdateTime").toString(), Qt::ISODate)
        .addSecs(specOf(d).value(u"progressDeadlineSeconds").toInteger());
}

bool deploymentTimedOut(const QJsonObject &d, const QJsonObject &status)
{
    if (!hasProgressDeadline(d))
        return false;
    const QJsonObject condition = conditionOf(status, progressing);
    const QString reason = condition.value(u"reason").toString();
    if (condition.isEmpty() || reason == newRSAvailableReason)
        return false;
    return reason == timedOutReason ||
           progressDeadline(d, condition) < QDateTime::currentDateTimeUtc();
}

} // namespace

// As Kubernetes' scale(): one active ReplicaSet takes the replica count; a saturated new one
// leaves the old ones nothing; mid-rollout, replicas added or removed are shared in proportion
// to each ReplicaSet's size (rounding leftovers to the largest).
void DeploymentController::scale(const RunPtr &run, Next next)
{
    const QJsonObject &d = run->d;
    const QJsonObject newRS = run->newRS();
    QList<QJsonObject> old = byCreation(run->oldRSs(), true);
    QList<QJsonObject> active = activeOnly(run->all());
    if (!newRS.isEmpty() || !old.isEmpty()) {
        QJsonObject target;
        if (active.isEmpty())
            target = newRS.isEmpty() ? old.first() : newRS;
        else if (active.size() == 1)
            target = active.first();
        if (!target.isEmpty()) {
            if (replicasOf(target) == replicasOf(d))
                return next(true);
            return scaleAndRecord(run, nameOf(target), replicasOf(d),
                                  [next](std::optional<bool> s) { next(s.has_value()); });
        }
    }
    bool parsed = false;
    const int desired = annotation(newRS, desiredReplicasAnnotation).toInt(&parsed);
    if (!newRS.isEmpty() && parsed && replicasOf(newRS) == replicasOf(d) &&
        desired == replicasOf(d) && statusCount(newRS, u"availableReplicas"_s) == replicasOf(d)) {
        const QList<QJsonObject> activeOld = activeOnly(run->oldRSs());
        return inTurn(
            int(activeOld.size()),
            [this, run, activeOld](int i, Next step) {
                scaleAndRecord(run, nameOf(activeOld[i]), 0,
                               [step](std::optional<bool> s) { step(s.has_value()); });
            },
            next);
    }
    if (!isRollingUpdate(d))
        return next(true);

    const int allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
    const int toAdd = allowed - sumReplicas(active);
    QString operation;
    if (toAdd != 0) {
        // Largest first; among equals the newest when adding, the oldest when removing.
        std::stable_sort(
            active.begin(), active.end(), [toAdd](const QJsonObject &a, const QJsonObject &b) {
                if (replicasOf(a) != replicasOf(b))
                    return replicasOf(a) > replicasOf(b);
                const auto ka =
                    std::pair(metaOf(a).value(u"creationTimestamp").toString(), nameOf(a));
                const auto kb =
                    std::pair(metaOf(b).value(u"creationTimestamp").toString(), nameOf(b));
                return toAdd > 0 ? kb < ka : ka < kb;
            });
        operation = toAdd > 0 ? u"up"_s : u"down"_s;
    }
    auto sizes = std::make_shared<QList<int>>();
    int added = 0;
    for (const QJsonObject &rs : std::as_const(active)) {
        int proportion = 0;
        if (toAdd != 0 && replicasOf(rs) != 0 && toAdd != added) {
            // getReplicaSetFraction: this ReplicaSet's share of the new size.
            int fraction;
            if (replicasOf(d) == 0) {
                fraction = -replicasOf(rs);
            } else {
                bool ok = false;
                int annotated = annotation(rs, maxReplicasAnnotation).toInt(&ok);
                if (!ok || annotated < 0)
                    annotated = statusCount(d, u"replicas"_s);
                const double size = double(replicasOf(rs)) * double(replicasOf(d) + maxSurge(d)) /
                                    double(annotated);
                fraction = int(std::round(size)) - replicasOf(rs);
            }
            const int allowedChange = toAdd - added;
            proportion =
                toAdd > 0 ? std::min(fraction, allowedChange) : std::max(fraction, allowedChange);
        }
        sizes->append(replicasOf(rs) + proportion);
        added += proportion;
    }
    if (!active.isEmpty() && toAdd != 0)
        (*sizes)[0] = std::max(0, (*sizes)[0] + toAdd - added);
    inTurn(
        int(active.size()),
        [this, run, active, sizes, operation](int i, Next step) {
            scaleReplicaSet(run, nameOf(active[i]), sizes->at(i), operation,
                            [step](std::optional<bool> s) { step(s.has_value()); });
        },
        next);
}

void DeploymentController::rolloutRolling(const RunPtr &run)
{
    auto finish = [run](bool ok) { run->finish(ok); };
    syncRevision(run, true, [this, run, finish](bool ok) {
        if (!ok || run->newName.isEmpty())
            return finish(false);
        reconcileNewReplicaSet(run, [this, run, finish](std::optional<bool> scaledUp) {
            if (!scaledUp)
                return finish(false);
            if (*scaledUp)
                return syncRolloutStatus(run, finish);
            reconcileOldReplicaSets(run, [this, run, finish](std::optional<bool> scaledDown) {
                if (!scaledDown)
                    return finish(false);
                if (!*scaledDown && deploymentComplete(run->d, statusOf(run->d)))
                    return cleanupDeployment(run, [this, run, finish](bool ok) {
                        ok ? syncRolloutStatus(run, finish) : finish(false);
                    });
                syncRolloutStatus(run, finish);
            });
        });
    });
}

void DeploymentController::reconcileNewReplicaSet(const RunPtr &run, Scaled then)
{
    const QJsonObject newRS = run->newRS();
    const int desired = replicasOf(run->d);
    if (replicasOf(newRS) == desired)
        return then(false);
    if (replicasOf(newRS) > desired)
        return scaleAndRecord(run, nameOf(newRS), desired, std::move(then));
    scaleAndRecord(run, nameOf(newRS), newReplicaSetReplicas(run->d, run->all(), newRS),
                   std::move(then));
}

// Scales old ReplicaSets down as far as availability allows: unhealthy replicas first (they
// would otherwise block the rollout), then available ones down to replicas - maxUnavailable.
void DeploymentController::reconcileOldReplicaSets(const RunPtr &run, Scaled then)
{
    const QJsonObject newRS = run->newRS();
    if (sumReplicas(activeOnly(run->oldRSs())) == 0)
        return then(false);
    const int minAvailable = replicasOf(run->d) - maxUnavailable(run->d);
    const int newUnavailable = replicasOf(newRS) - statusCount(newRS, u"availableReplicas"_s);
    const int maxScaledDown = sumReplicas(run->all()) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0)
        return then(false);
    cleanupUnhealthyReplicas(run, maxScaledDown, [this, run, then](std::optional<int> cleaned) {
        if (!cleaned)
            return then(std::nullopt);
        scaleDownOldReplicaSets(run, [cleaned, then](std::optional<int> scaledDown) {
            if (!scaledDown)
                return then(std::nullopt);
            then(*cleaned + *scaledDown > 0);
        });
    });
}

void DeploymentController::cleanupUnhealthyReplicas(const RunPtr &run, int maxCleanup,
                                                    std::function<void(std::optional<int>)> then)
{
    const QList<QJsonObject> old = byCreation(activeOnly(run->oldRSs()));
    auto total = std::make_shared<int>(0);
    inTurn(
        int(old.size()),
        [this, run, old, maxCleanup, total](int i, Next step) {
            const QJsonObject rs = run->replicaSet(nameOf(old[i]));
            const int unhealthy = replicasOf(rs) - statusCount(rs, u"availableReplicas"_s);
            if (*total >= maxCleanup || replicasOf(rs) == 0 || unhealthy <= 0)
                return step(true);
            const int count = std::min(maxCleanup - *total, unhealthy);
            scaleAndRecord(run, nameOf(rs), replicasOf(rs) - count,
                           [total, count, step](std::optional<bool> s) {
                               if (s)
                                   *total += count;
                               step(s.has_value());
                           });
        },
        [total, then](bool ok) { ok ? then(*total) : then(std::nullopt); });
}

void DeploymentController::scaleDownOldReplicaSets(const RunPtr &run,
                                                   std::function<void(std::optional<int>)> then)
{
    const int minAvailable = replicasOf(run->d) - maxUnavailable(run->d);
    // Kubernetes sums status.availableReplicas. A ReplicaSet just scaled down may still report
    // the pods it is deleting as available, so count no more than it is meant to keep: this
    // never lets availability dip below minAvailable while its status catches up.
    int availableNow = 0;
    for (const QJsonObject &rs : run->all())
        availableNow += std::min(statusCount(rs, u"availableReplicas"_s), replicasOf(rs));
    if (availableNow <= minAvailable)
        return then(0);
    const int toScaleDown = availableNow - minAvailable;
    const QList<QJsonObject> old = byCreation(activeOnly(run->oldRSs()));
    auto total = std::make_shared<int>(0);
    inTurn(
        int(old.size()),
        [this, run, old, toScaleDown, total](int i, Next step) {
            const QJsonObject rs = run->replicaSet(nameOf(old[i]));
            if (*total >= toScaleDown || replicasOf(rs) == 0)
                return step(true);
            const int count = std::min(replicasOf(rs), toScaleDown - *total);
            scaleAndRecord(run, nameOf(rs), replicasOf(rs) - count,
                           [total, count, step](std::optional<bool> s) {
                               if (s)
                                   *total += count;
                               step(s.has_value());
                           });
        },
        [total, then](bool ok) { ok ? then(*total) : then(std::nullopt); });
}

// Recreate: every old ReplicaSet to 0, wait until their pods are gone, then the new one at full
// size. The new ReplicaSet is not even created before, so nothing scales up early.
void DeploymentController::rolloutRecreate(const RunPtr &run)
{
    auto finish = [run](bool ok) { run->finish(ok); };
    syncRevision(run, false, [this, run, finish](bool ok) {
        if (!ok)
            return finish(false);
        const QList<QJsonObject> activeOld = activeOnly(run->oldRSs());
        auto scaled = std::make_shared<bool>(false);
        inTurn(
            int(activeOld.size()),
            [this, run, activeOld, scaled](int i, Next step) {
                scaleAndRecord(run, nameOf(activeOld[i]), 0, [scaled, step](std::optional<bool> s) {
                    if (s && *s)
                        *scaled = true;
                    step(s.has_value());
                });
            },
            [this, run, finish, scaled](bool ok) {
                if (!ok)
                    return finish(false);
                if (*scaled)
                    return syncRolloutStatus(run, finish);
                bool oldPodsRunning = sumStatus(run->oldRSs(), u"replicas"_s) > 0;
                const QString newUid = uidOf(run->newRS());
                for (auto it = run->podsByOwner.cbegin();
                     it != run->podsByOwner.cend() && !oldPodsRunning; ++it) {
                    if (!newUid.isEmpty() && it.key() == newUid)
                        continue;
                    for (const QJsonObject &pod : it.value()) {
                        const QString phase = statusOf(pod).value(u"phase").toString();
                        if (phase != u"Failed" && phase != u"Succeeded")
                            oldPodsRunning = true;
                    }
                }
                if (oldPodsRunning)
                    return syncRolloutStatus(run, finish);
                auto scaleUp = [this, run, finish](bool ok) {
                    if (!ok || run->newName.isEmpty())
                        return finish(false);
                    scaleAndRecord(
                        run, run->newName, replicasOf(run->d),
                        [this, run, finish](std::optional<bool> s) {
                            if (!s)
                                return finish(false);
                            if (deploymentComplete(run->d, statusOf(run->d)))
                                return cleanupDeployment(run, [this, run, finish](bool ok) {
                                    ok ? syncRolloutStatus(run, finish) : finish(false);
                                });
                            syncRolloutStatus(run, finish);
                        });
                };
                if (run->newName.isEmpty())
                    return syncRevision(run, true, scaleUp);
                scaleUp(true);
            });
    });
}

// The status with the Progressing condition: NewReplicaSetAvailable once complete,
// ReplicaSetUpdated while pods move, ProgressDeadlineExceeded when they stopped moving for
// progressDeadlineSeconds; and the ReplicaFailure of the ReplicaSets, the new one's first.
void DeploymentController::syncRolloutStatus(const RunPtr &run, Next next)
{
    const QJsonObject &d = run->d;
    const QJsonObject newRS = run->newRS();
    QJsonObject status = calculateStatus(d, run->all(), newRS);
    if (!hasProgressDeadline(d))
        removeCondition(status, progressing);
    const QJsonObject current = conditionOf(statusOf(d), progressing);
    const bool complete =
        status.value(u"replicas").toInteger() == status.value(u"updatedReplicas").toInteger() &&
        current.value(u"reason").toString() == newRSAvailableReason;
    if (hasProgressDeadline(d) && !complete) {
        const QString subject = newRS.isEmpty() ? u"Deployment \"%1\""_s.arg(nameOf(d))
                                                : u"ReplicaSet \"%1\""_s.arg(nameOf(newRS));
        if (deploymentComplete(d, status)) {
            setCondition(status, newCondition(progressing, u"True"_s, newRSAvailableReason,
                                              subject + u" has successfully progressed."_s));
        } else if (deploymentProgressing(d, status)) {
            // Progress refreshes lastUpdateTime even with the same reason; the transition time
            // stays while the status stays True.
            QJsonObject condition = newCondition(progressing, u"True"_s, u"ReplicaSetUpdated"_s,
                                                 subject + u" is progressing."_s);
            if (!current.isEmpty()) {
                if (current.value(u"status").toString() == u"True")
                    condition.insert(u"lastTransitionTime"_s, current.value(u"lastTransitionTime"));
                removeCondition(status, progressing);
            }
            setCondition(status, condition);
        } else if (deploymentTimedOut(d, status)) {
            setCondition(status, newCondition(progressing, u"False"_s, timedOutReason,
                                              subject + u" has timed out progressing."_s));
        }
    }
    QJsonObject failure = replicaFailureOf(newRS);
    for (const QJsonObject &rs : run->all())
        if (failure.isEmpty())
            failure = replicaFailureOf(rs);
    if (!failure.isEmpty())
        setCondition(status, failure);
    else
        removeCondition(status, replicaFailure);

    if (sameStatus(statusOf(d), status)) {
        requeueStuckDeployment(run, status);
        return next(true);
    }
    run->d.insert(u"status"_s, status);
    writeDeployment(run, next);
}

// A rollout that stopped moving is looked at again when its deadline passes, to report it.
void DeploymentController::requeueStuckDeployment(const RunPtr &run, const QJsonObject &newStatus)
{
    const QJsonObject current = conditionOf(statusOf(run->d), progressing);
    if (!hasProgressDeadline(run->d) || current.isEmpty())
        return;
    if (deploymentComplete(run->d, newStatus) ||
        current.value(u"reason").toString() == timedOutReason)
        return;
    const qint64 after = QDateTime::currentDateTimeUtc().msecsTo(progressDeadline(run->d, current));
    if (after < 1000)
        return m_queue->addRateLimited(run->key);
    m_queue->addAfter(run->key, std::chrono::milliseconds(after) + 1s);
}

} // namespace timonel::controllers
