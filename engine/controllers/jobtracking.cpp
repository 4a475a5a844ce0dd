// How a Job's finished pods are counted exactly once, as Kubernetes' job tracking with
// finalizers: status.uncountedTerminatedPods, the batch.kubernetes.io/job-tracking finalizer
// lifted from counted pods (and from pods no Job will count), completedIndexes, and the
// interim and final conditions (SuccessCriteriaMet, FailureTarget, Complete, Failed).
#include "jobcontroller.h"

#include "jobcontroller_p.h"

#include "client/eventrecorder.h"
#include "client/informer.h"

#include <QJsonArray>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace timonel::controllers::job;

namespace timonel::controllers {

namespace {

// Moves the uids of status.uncountedTerminatedPods whose pods no longer carry the finalizer
// into the succeeded and failed counters; whether anything moved.
bool countUncounted(QJsonObject &status, const QSet<QString> &withFinalizer)
{
    QJsonObject uncounted = status.value(u"uncountedTerminatedPods").toObject();
    bool changed = false;
    for (const QString &list : {u"succeeded"_s, u"failed"_s}) {
        QJsonArray kept;
        const QJsonArray uids = uncounted.value(list).toArray();
        for (const QJsonValue &uid : uids)
            if (withFinalizer.contains(uid.toString()))
                kept.append(uid);
        if (kept.size() == uids.size())
            continue;
        changed = true;
        status.insert(list, status.value(list).toInt() + int(uids.size() - kept.size()));
        if (kept.isEmpty())
            uncounted.remove(list);
        else
            uncounted.insert(list, kept);
    }
    status.insert(u"uncountedTerminatedPods"_s, uncounted);
    return changed;
}

} // namespace

// Counts finished pods exactly once: a finished pod's uid goes into
// status.uncountedTerminatedPods, then its finalizer comes off, then the uid moves into the
// succeeded or failed counter. Then Complete or Failed, once no pod is left uncounted.
void JobController::trackStatus(const SyncPtr &s)
{
    const bool indexed = isIndexed(s->job);
    const int completions = completionsOf(s->job);
    QList<QJsonObject> podsInOrder = s->pods;
    if (indexed)
        std::stable_sort(podsInOrder.begin(), podsInOrder.end(),
                         [](const QJsonObject &a, const QJsonObject &b) {
                             return completionIndex(a) < completionIndex(b);
                         });
    QSet<QString> withFinalizer;
    for (const QJsonObject &pod : std::as_const(podsInOrder))
        if (hasTrackingFinalizer(pod) && !s->expectedRemovals.contains(uidOf(pod)))
            withFinalizer.insert(uidOf(pod));

    // Uids whose finalizer is gone are counted now.
    bool needsFlush = countUncounted(s->status, withFinalizer);
    const QJsonObject old = field(s->job, u"status");
    // ready and terminating are always written, even as 0.
    needsFlush = needsFlush || s->suspendChanged || s->active != old.value(u"active").toInt() ||
                 !old.contains(u"ready") || old.value(u"ready").toInt() != s->ready ||
                 !old.contains(u"terminating") ||
                 old.value(u"terminating").toInt() != s->terminating;

    QJsonObject uncounted = field(s->status, u"uncountedTerminatedPods");
    QJsonArray uncountedSucceeded = uncounted.value(u"succeeded").toArray();
    QJsonArray uncountedFailed = uncounted.value(u"failed").toArray();
    QList<QJsonObject> toRemove;
    std::set<int> newIndexes;
    for (const QJsonObject &pod : std::as_const(podsInOrder)) {
        const QString uid = uidOf(pod);
        if (!hasTrackingFinalizer(pod) || s->expectedRemovals.contains(uid))
            continue; // counted in an earlier pass
        const bool failed = isPodFailed(pod, s->job);
        const bool succeeded = phaseOf(pod) == u"Succeeded";
        if (!isBeingDeleted(s->job) && !s->finished && !succeeded && !failed)
            continue; // still running
        toRemove.append(pod);
        const int ix = completionIndex(pod);
        const bool validIndex = !indexed || (ix >= 0 && ix < completions);
        if (succeeded && !s->uncountedFailed.contains(uid)) {
            if (indexed) {
                if (validIndex && !s->prevSucceededIndexes.contains(ix)) {
                    newIndexes.insert(ix);
                    needsFlush = true;
                }
            } else if (!s->uncountedSucceeded.contains(uid)) {
                uncountedSucceeded.append(uid);
                needsFlush = true;
            }
        } else if (failed || (s->finished && s->finished->type != u"SuccessCriteriaMet")) {
            // Once the Job has failed, every pod not yet finished counts as failed.
            if (!s->uncountedFailed.contains(uid) && validIndex) {
                uncountedFailed.append(uid);
                needsFlush = true;
            }
        }
        if (qsizetype(newIndexes.size()) + uncountedSucceeded.size() + uncountedFailed.size() >=
            maxUncountedPods) {
            s->reachedMaxUncounted = true;
            break;
        }
    }
    if (!uncountedSucceeded.isEmpty())
        uncounted.insert(u"succeeded"_s, uncountedSucceeded);
    if (!uncountedFailed.isEmpty())
        uncounted.insert(u"failed"_s, uncountedFailed);
    s->status.insert(u"uncountedTerminatedPods"_s, uncounted);
    if (indexed) {
        s->succeededIndexes.insert(newIndexes.begin(), newIndexes.end());
        const QString text = formatIndexes(s->succeededIndexes);
        needsFlush = needsFlush || text != s->status.value(u"completedIndexes").toString();
        s->status.insert(u"succeeded"_s, int(s->succeededIndexes.size()));
        if (text.isEmpty())
            s->status.remove(u"completedIndexes"_s);
        else
            s->status.insert(u"completedIndexes"_s, text);
    }
    // The interim condition is written before the finalizers come off; the final one after.
    if (s->finished && s->finished->type == u"FailureTarget") {
        QJsonArray conditions = s->status.value(u"conditions").toArray();
        conditions.append(newCondition(u"FailureTarget"_s, u"True"_s, s->finished->reason,
                                       s->finished->message, now()));
        s->status.insert(u"conditions"_s, conditions);
        needsFlush = true;
        s->finished->type = u"Failed"_s;
    }
    if (s->finished && s->finished->type == u"SuccessCriteriaMet") {
        if (!conditionTrue(QJsonObject{{u"status"_s, s->status}}, u"SuccessCriteriaMet"_s)) {
            QJsonArray conditions = s->status.value(u"conditions").toArray();
            conditions.append(newCondition(u"SuccessCriteriaMet"_s, u"True"_s, s->finished->reason,
                                           s->finished->message, now()));
            s->status.insert(u"conditions"_s, conditions);
            needsFlush = true;
        }
        s->finished->type = u"Complete"_s;
    }
    flushAndRemoveFinalizers(s, toRemove, withFinalizer, needsFlush);
}

void JobController::updateStatus(const SyncPtr &s, std::function<void(bool)> next)
{
    QJsonObject job = s->job;
    for (const auto *counter : {u"succeeded", u"failed"})
        if (s->status.value(QStringView(counter)).toInt() == 0)
            s->status.remove(QString::fromUtf16(counter));
    job.insert(u"status"_s, s->status);
    const QString ns = field(job, u"metadata").value(u"namespace").toString();
    m_api.update(jobs, ns, job, u"status"_s, asController,
                 [s, next](client::Result<QJsonObject> r) {
                     if (!r) {
                         if (!r.error().isConflict())
                             qCWarning(lcJobs).noquote() << "cannot update the status of job"
                                                         << s->key << r.error().message;
                         return next(false);
                     }
                     s->job = *r;
                     s->status = field(*r, u"status");
                     next(true);
                 });
}

void JobController::flushAndRemoveFinalizers(const SyncPtr &s, const QList<QJsonObject> &toRemove,
                                             QSet<QString> withFinalizer, bool needsFlush)
{
    if (needsFlush) {
        return updateStatus(s, [this, s, toRemove, withFinalizer](bool ok) {
            if (!ok)
                return s->done(true);
            flushAndRemoveFinalizers(s, toRemove, withFinalizer, false);
        });
    }
    struct Removal
    {
        int pending;
        QSet<QString> withFinalizer;
        bool failed = false;
    };
    auto removal = std::make_shared<Removal>(Removal{int(toRemove.size()) + 1, withFinalizer});
    auto finish = [this, s, removal] {
        if (--removal->pending > 0)
            return;
        const bool changed = countUncounted(s->status, removal->withFinalizer);
        if (removal->failed) {
            s->retry = true;
            if (changed)
                return updateStatus(s, [s](bool) { s->done(true); });
            return s->done(true);
        }
        finishSync(s, changed);
    };
    QSet<QString> &expected = m_finalizerRemovals[s->key];
    for (const QJsonObject &pod : toRemove)
        expected.insert(uidOf(pod));
    const QByteArray patch = finalizerRemovalPatch();
    for (const QJsonObject &pod : toRemove) {
        const QString ns = field(pod, u"metadata").value(u"namespace").toString();
        const QString uid = uidOf(pod);
        m_api.patch(pods, ns, field(pod, u"metadata").value(u"name").toString(),
                    client::PatchType::StrategicMerge, patch, {}, asController,
                    [this, s, uid, removal, finish](client::Result<QJsonObject> r) {
                        if (r || r.error().isNotFound()) {
                            removal->withFinalizer.remove(uid);
                        } else {
                            m_finalizerRemovals[s->key].remove(uid);
                            removal->failed = true;
                        }
                        finish();
                    });
    }
    finish();
}

void JobController::finishSync(const SyncPtr &s, bool needsFlush)
{
    // Finished only once every pod is counted and none is still terminating.
    const QJsonObject uncounted = field(s->status, u"uncountedTerminatedPods");
    bool finished = s->finished && !s->reachedMaxUncounted &&
                    uncounted.value(u"succeeded").toArray().isEmpty() &&
                    uncounted.value(u"failed").toArray().isEmpty() && s->terminating == 0;
    if (finished) {
        ensureCondition(s->status, s->finished->type, u"True"_s, s->finished->reason,
                        s->finished->message, now());
        if (s->finished->type == u"Complete")
            s->status.insert(u"completionTime"_s, timestamp(now()));
        needsFlush = true;
    }
    if (!needsFlush)
        return s->done(s->retry);
    updateStatus(s, [this, s, finished](bool ok) {
        if (ok && finished) {
            if (s->finished->type == u"Complete") {
                const QJsonObject spec = field(s->job, u"spec");
                if (spec.contains(u"completions") &&
                    s->status.value(u"succeeded").toInt() > completionsOf(s->job))
                    m_recorder->event(
                        s->job, u"Warning"_s, u"TooManySucceededPods"_s,
                        u"Too many succeeded pods running after completion count reached"_s);
                m_recorder->event(s->job, u"Normal"_s, u"Completed"_s, u"Job completed"_s);
            } else {
                m_recorder->event(s->job, u"Warning"_s, s->finished->reason, s->finished->message);
            }
        }
        s->done(!ok || s->retry);
    });
}

void JobController::syncOrphanPod(const QString &key, std::function<void(bool)> done)
{
    if (!m_jobs->hasSynced())
        return done(true);
    const qsizetype slash = key.indexOf(u'/');
    const QJsonObject pod = m_pods->get(key.left(slash), key.mid(slash + 1));
    if (pod.isEmpty() || !hasTrackingFinalizer(pod))
        return done(false);
    for (const QJsonValue &ref : field(pod, u"metadata").value(u"ownerReferences").toArray()) {
        const QJsonObject r = ref.toObject();
        if (!r.value(u"controller").toBool())
            continue;
        if (r.value(u"kind").toString() != u"Job" ||
            r.value(u"apiVersion").toString() != u"batch/v1")
            return done(false); // someone else's pod and finalizer
        const QJsonObject job = jobOf(pod);
        if (!job.isEmpty() && finishedCondition(job).isEmpty())
            return done(false); // its Job will count it
    }
    const QByteArray patch = finalizerRemovalPatch();
    m_api.patch(pods, key.left(slash), key.mid(slash + 1), client::PatchType::StrategicMerge, patch,
                {}, asController,
                [done](client::Result<QJsonObject> r) { done(!r && !r.error().isNotFound()); });
}

} // namespace timonel::controllers
