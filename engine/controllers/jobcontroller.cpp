// The job controller's loop: its caches of Jobs and pods (pods indexed by their controlling
// Job), what wakes a Job, and one sync of a Job: counting its pods, deciding whether it
// succeeded or failed, suspending and resuming it. Which pods it runs is in jobpods.cpp, how
// finished pods are counted in jobtracking.cpp, the ttl-after-finished clean-up in jobttl.cpp.
#include "jobcontroller.h"

#include "jobcontroller_p.h"

#include "client/eventrecorder.h"
#include "client/informer.h"
#include "client/workqueue.h"

#include <QJsonArray>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace timonel::controllers::job;

namespace timonel::controllers {

namespace {

QSet<QString> stringSet(const QJsonValue &array)
{
    QSet<QString> set;
    for (const QJsonValue &v : array.toArray())
        set.insert(v.toString());
    return set;
}

} // namespace

JobController::JobController(client::ApiClient &api, JobControllerOptions options, QObject *parent)
    : QObject(parent), m_api(api), m_options(std::move(options))
{
}

JobController::~JobController() = default;

QDateTime JobController::now() const
{
    return m_options.now ? m_options.now() : QDateTime::currentDateTimeUtc();
}

void JobController::start()
{
    m_recorder = std::make_unique<client::EventRecorder>(m_api, u"job-controller"_s);
    m_queue = std::make_unique<client::WorkQueue>(
        client::WorkQueue::retrying([this](const QString &k, auto d) { syncJob(k, d); }), 4);
    m_queue->setBackoffLimits(1s, 60s); // DefaultJobApiBackOff, MaxJobApiBackOff
    m_orphans = std::make_unique<client::WorkQueue>(
        client::WorkQueue::retrying([this](const QString &k, auto d) { syncOrphanPod(k, d); }), 4);
    m_orphans->setBackoffLimits(1s, 60s);
    m_jobs = std::make_unique<client::Informer>(m_api, jobs);
    m_pods = std::make_unique<client::Informer>(m_api, pods);
    connect(m_jobs.get(), &client::Informer::added, this,
            [this](const QJsonObject &j) { onJob({}, j); });
    connect(m_jobs.get(), &client::Informer::updated, this, &JobController::onJob);
    connect(m_jobs.get(), &client::Informer::deleted, this, [this](const QJsonObject &j) {
        enqueue(keyOf(j));
        for (const QJsonObject &pod : podsOf(j))
            if (hasTrackingFinalizer(pod))
                m_orphans->add(keyOf(pod));
    });
    connect(m_pods.get(), &client::Informer::added, this,
            [this](const QJsonObject &p) { onPod({}, p, false); });
    connect(m_pods.get(), &client::Informer::updated, this,
            [this](const QJsonObject &o, const QJsonObject &p) { onPod(o, p, false); });
    connect(m_pods.get(), &client::Informer::deleted, this,
            [this](const QJsonObject &p) { onPod({}, p, true); });
    // Work waits until both caches are complete: a Job must not create pods it cannot see.
    auto synced = [this] {
        if (!m_jobs->hasSynced() || !m_pods->hasSynced())
            return;
        for (const QJsonObject &j : m_jobs->list())
            enqueue(keyOf(j));
        for (const QJsonObject &p : m_pods->list())
            if (hasTrackingFinalizer(p))
                m_orphans->add(keyOf(p));
    };
    connect(m_jobs.get(), &client::Informer::synced, this, synced);
    connect(m_pods.get(), &client::Informer::synced, this, synced);
    m_pods->start();
    m_jobs->start();
}

void JobController::stop()
{
    for (auto *q : {m_queue.get(), m_orphans.get()})
        if (q)
            q->shutDown();
    m_jobs.reset();
    m_pods.reset();
    m_queue.reset();
    m_orphans.reset();
    m_recorder.reset();
}

void JobController::enqueue(const QString &key, std::chrono::milliseconds delay)
{
    if (!m_queue || !m_jobs->hasSynced() || !m_pods->hasSynced())
        return;
    // A key waits at most an hour: a later deadline is looked at again then.
    m_queue->addAfter(key, std::min<std::chrono::milliseconds>(delay, 1h));
}

QJsonObject JobController::jobOf(const QJsonObject &pod) const
{
    for (const QJsonValue &ref : field(pod, u"metadata").value(u"ownerReferences").toArray()) {
        const QJsonObject r = ref.toObject();
        if (!r.value(u"controller").toBool())
            continue;
        if (r.value(u"kind").toString() != u"Job")
            return {};
        const QJsonObject job = m_jobs->get(field(pod, u"metadata").value(u"namespace").toString(),
                                            r.value(u"name").toString());
        return uidOf(job) == r.value(u"uid").toString() ? job : QJsonObject();
    }
    return {};
}

void JobController::index(const QJsonObject &pod, bool deleted)
{
    const QString key = keyOf(pod);
    const QString owner = deleted ? QString() : controllerUid(pod);
    const QString previous = m_ownerOfPod.value(key);
    if (previous == owner)
        return;
    if (!previous.isEmpty()) {
        m_podsByOwner[previous].remove(key);
        if (m_podsByOwner[previous].isEmpty())
            m_podsByOwner.remove(previous);
    }
    if (owner.isEmpty()) {
        m_ownerOfPod.remove(key);
    } else {
        m_ownerOfPod.insert(key, owner);
        m_podsByOwner[owner].insert(key);
    }
}

QList<QJsonObject> JobController::podsOf(const QJsonObject &job) const
{
    QList<QJsonObject> result;
    for (const QString &key : m_podsByOwner.value(uidOf(job))) {
        const qsizetype slash = key.indexOf(u'/');
        const QJsonObject pod = m_pods->get(key.left(slash), key.mid(slash + 1));
        if (!pod.isEmpty())
            result.append(pod);
    }
    return result;
}

void JobController::onPod(const QJsonObject &oldPod, const QJsonObject &pod, bool deleted)
{
    index(pod, deleted);
    const QJsonObject job = jobOf(pod);
    const bool finalizer = hasTrackingFinalizer(pod);
    if (!deleted && !oldPod.isEmpty()) {
        if (field(oldPod, u"metadata").value(u"resourceVersion") ==
            field(pod, u"metadata").value(u"resourceVersion"))
            return; // a resync
        if (controllerUid(oldPod) != controllerUid(pod))
            if (const QJsonObject previous = jobOf(oldPod); !previous.isEmpty())
                enqueue(keyOf(previous), m_options.syncBatchPeriod);
    }
    if (job.isEmpty() || !finishedCondition(job).isEmpty()) {
        // No Job (or a finished one) will count this pod: its finalizer must still go.
        if (finalizer)
            m_orphans->add(keyOf(pod));
        return;
    }
    const QString jobKey = keyOf(job);
    if (deleted || isBeingDeleted(pod)) {
        m_expectations.deletionObserved(jobKey, uidOf(pod));
        if (deleted || !finalizer)
            m_finalizerRemovals[jobKey].remove(uidOf(pod));
    } else if (oldPod.isEmpty()) {
        m_expectations.creationObserved(jobKey);
    } else if (!finalizer) {
        m_finalizerRemovals[jobKey].remove(uidOf(pod));
    }
    enqueue(jobKey, m_options.syncBatchPeriod);
}

void JobController::onJob(const QJsonObject &oldJob, const QJsonObject &job)
{
    const QJsonObject meta = field(job, u"metadata");
    const QString key = keyOf(job);
    // A spec change is acted on at once; status changes (ours, mostly) are batched.
    const bool specChanged = oldJob.isEmpty() || field(oldJob, u"metadata").value(u"generation") !=
                                                     meta.value(u"generation");
    enqueue(key, specChanged ? 0ms : m_options.syncBatchPeriod);
    if (!finishedCondition(job).isEmpty())
        for (const QJsonObject &pod : podsOf(job))
            if (hasTrackingFinalizer(pod))
                m_orphans->add(keyOf(pod));
    // A new or changed activeDeadlineSeconds: look again when it runs out.
    const QJsonValue deadline = field(job, u"spec").value(u"activeDeadlineSeconds");
    const QDateTime started = parseTime(field(job, u"status").value(u"startTime"));
    if (!deadline.isUndefined() && started.isValid() &&
        (oldJob.isEmpty() || field(oldJob, u"spec").value(u"activeDeadlineSeconds") != deadline))
        enqueue(key, std::chrono::milliseconds(std::max<qint64>(
                         0, now().msecsTo(started.addSecs(deadline.toInteger())))));
}

void JobController::syncJob(const QString &key, std::function<void(bool)> done)
{
    const qsizetype slash = key.indexOf(u'/');
    const QJsonObject job = m_jobs->get(key.left(slash), key.mid(slash + 1));
    if (job.isEmpty()) {
        m_expectations.forget(key);
        m_finalizerRemovals.remove(key);
        m_backoff.remove(key);
        return done(false);
    }
    if (!finishedCondition(job).isEmpty()) {
        m_backoff.remove(key);
        return processTtl(job, done);
    }
    const QJsonObject spec = field(job, u"spec");
    const QString managedBy = spec.value(u"managedBy").toString();
    if (!managedBy.isEmpty() && managedBy != u"kubernetes.io/job-controller")
        return done(false);
    const QString mode = spec.value(u"completionMode").toString(u"NonIndexed"_s);
    if (mode != u"NonIndexed" && mode != u"Indexed") {
        m_recorder->event(job, u"Warning"_s, u"UnknownCompletionMode"_s,
                          u"Skipped Job sync because completion mode is unknown"_s);
        return done(false);
    }

    auto s = std::make_shared<Sync>();
    s->key = key;
    s->job = job;
    s->status = field(job, u"status");
    s->done = std::move(done);
    const QJsonObject uncounted = field(s->status, u"uncountedTerminatedPods");
    s->status.insert(u"uncountedTerminatedPods"_s, uncounted);
    s->uncountedSucceeded = stringSet(uncounted.value(u"succeeded"));
    s->uncountedFailed = stringSet(uncounted.value(u"failed"));
    // Expectations first: a pod that appears after this check is simply seen next time.
    s->satisfied = m_expectations.satisfied(key);
    s->pods = podsOf(job);
    s->expectedRemovals = m_finalizerRemovals.value(key);
    for (const QJsonObject &pod : std::as_const(s->pods)) {
        if (isPodActive(pod)) {
            s->activePods.append(pod);
            s->ready += isPodReady(pod) ? 1 : 0;
        }
        s->terminating += isTerminating(pod) ? 1 : 0;
    }
    s->active = int(s->activePods.size());

    // Finished pods not yet counted (they still carry the finalizer and are in no list).
    const bool indexed = isIndexed(job);
    const int completions = completionsOf(job);
    int newSucceeded = 0;
    int newFailed = 0;
    for (const QJsonObject &pod : std::as_const(s->pods)) {
        const QString uid = uidOf(pod);
        if (!hasTrackingFinalizer(pod) || s->expectedRemovals.contains(uid))
            continue;
        if (indexed && (completionIndex(pod) < 0 || completionIndex(pod) >= completions))
            continue;
        if (phaseOf(pod) == u"Succeeded" && !s->uncountedSucceeded.contains(uid))
            ++newSucceeded;
        else if (isPodFailed(pod, job) && !s->uncountedFailed.contains(uid))
            ++newFailed;
    }
    s->succeeded =
        s->status.value(u"succeeded").toInt() + newSucceeded + int(s->uncountedSucceeded.size());
    s->failed = s->status.value(u"failed").toInt() + newFailed + int(s->uncountedFailed.size());
    if (!s->status.contains(u"startTime") && !isSuspended(job))
        s->status.insert(u"startTime"_s, timestamp(now()));
    Backoff &backoff = m_backoff[key];
    if (newSucceeded > 0)
        backoff = {newFailed, now()};
    else if (newFailed > 0)
        backoff = {backoff.failuresAfterLastSuccess + newFailed, now()};

    // Is the Job done? A condition already recorded decides; then the failure rules.
    if (conditionTrue(job, u"SuccessCriteriaMet"_s)) {
        const QJsonObject c = findCondition(job, u"SuccessCriteriaMet"_s);
        s->finished = Condition{u"SuccessCriteriaMet"_s, c.value(u"reason").toString(),
                                c.value(u"message").toString()};
    } else if (conditionTrue(job, u"FailureTarget"_s)) {
        const QJsonObject c = findCondition(job, u"FailureTarget"_s);
        s->finished =
            Condition{u"Failed"_s, c.value(u"reason").toString(), c.value(u"message").toString()};
    }
    const QDateTime started = parseTime(s->status.value(u"startTime"));
    if (!s->finished) {
        int restarts = 0; // with restartPolicy OnFailure, restarts count against backoffLimit
        if (field(field(spec, u"template"), u"spec").value(u"restartPolicy").toString() ==
            u"OnFailure")
            for (const QJsonObject &pod : std::as_const(s->pods))
                if (phaseOf(pod) == u"Running" || phaseOf(pod) == u"Pending")
                    for (const auto *list : {u"initContainerStatuses", u"containerStatuses"})
                        for (const QJsonValue &c :
                             field(pod, u"status").value(QStringView(list)).toArray())
                            restarts += c.toObject().value(u"restartCount").toInt();
        const int limit = spec.value(u"backoffLimit").toInt(6);
        const bool pastRestarts = restarts > 0 && (limit == 0 || restarts >= limit);
        const QJsonValue deadline = spec.value(u"activeDeadlineSeconds");
        const bool timed = !deadline.isUndefined() && started.isValid() && !isSuspended(job);
        if (s->failed > limit || pastRestarts) {
            s->finished = Condition{u"FailureTarget"_s, u"BackoffLimitExceeded"_s,
                                    u"Job has reached the specified backoff limit"_s};
        } else if (timed && started.addSecs(deadline.toInteger()) <= now()) {
            s->finished = Condition{u"FailureTarget"_s, u"DeadlineExceeded"_s,
                                    u"Job was active longer than specified deadline"_s};
        } else if (timed) {
            enqueue(key, std::chrono::milliseconds(
                             now().msecsTo(started.addSecs(deadline.toInteger()))));
        }
    }
    if (indexed) {
        s->prevSucceededIndexes =
            parseIndexes(s->status.value(u"completedIndexes").toString(), completions);
        s->succeededIndexes = s->prevSucceededIndexes;
        for (const QJsonObject &pod : std::as_const(s->pods)) {
            const int ix = completionIndex(pod);
            if (phaseOf(pod) == u"Succeeded" && ix >= 0 && ix < completions &&
                hasTrackingFinalizer(pod))
                s->succeededIndexes.insert(ix);
        }
        s->succeeded = int(s->succeededIndexes.size());
    }

    if (s->finished) {
        // Finished: stop whatever still runs. The condition waits until every pod is seen.
        const int active = s->active;
        deletePods(s, s->activePods, false, [this, s, active](int deleted, int deletedReady) {
            if (deleted != active || !s->satisfied)
                s->finished.reset();
            s->active -= deleted;
            s->terminating += deleted;
            s->ready -= deletedReady;
            afterManage(s);
        });
    } else if (s->satisfied && !isBeingDeleted(job)) {
        s->manageCalled = true;
        manageJob(s, [this, s] { afterManage(s); });
    } else {
        afterManage(s);
    }
}

void JobController::afterManage(const SyncPtr &s)
{
    const QJsonObject spec = field(s->job, u"spec");
    if (!s->finished) {
        const bool complete = spec.contains(u"completions")
                                  ? s->succeeded >= completionsOf(s->job) && s->active == 0
                                  : s->succeeded > 0 && s->active == 0;
        if (complete) {
            s->finished = Condition{u"SuccessCriteriaMet"_s, u"CompletionsReached"_s,
                                    u"Reached expected number of succeeded pods"_s};
        } else if (s->manageCalled && isSuspended(s->job)) {
            if ((s->suspendChanged = ensureCondition(s->status, u"Suspended"_s, u"True"_s,
                                                     u"JobSuspended"_s, u"Job suspended"_s, now())))
                m_recorder->event(s->job, u"Normal"_s, u"Suspended"_s, u"Job suspended"_s);
        } else if (s->manageCalled) {
            if ((s->suspendChanged = ensureCondition(s->status, u"Suspended"_s, u"False"_s,
                                                     u"JobResumed"_s, u"Job resumed"_s, now()))) {
                m_recorder->event(s->job, u"Normal"_s, u"Resumed"_s, u"Job resumed"_s);
                // activeDeadlineSeconds counts from when the Job last became active.
                s->status.insert(u"startTime"_s, timestamp(now()));
            }
        }
    }
    if (s->active > 0)
        s->status.insert(u"active"_s, s->active);
    else
        s->status.remove(u"active"_s);
    s->status.insert(u"ready"_s, s->ready);
    s->status.insert(u"terminating"_s, s->terminating);
    trackStatus(s);
}

} // namespace timonel::controllers
