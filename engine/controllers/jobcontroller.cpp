#include "jobcontroller.h"

#include "client/eventrecorder.h"
#include "client/informer.h"
#include "client/workqueue.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMap>

#include <algorithm>
#include <optional>
#include <set>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcJobs, "timonel.controllers.job", QtInfoMsg)

namespace timonel::controllers {

namespace {

const client::Resource jobs{u"batch"_s, u"v1"_s, u"jobs"_s};
const client::Resource pods{u""_s, u"v1"_s, u"pods"_s};
const client::WriteQuery asController{u"kube-controller-manager"_s, false, false};

const QString trackingFinalizer = u"batch.kubernetes.io/job-tracking"_s;
const QString indexKey = u"batch.kubernetes.io/job-completion-index"_s;
// Kubernetes' caps on one sync's work and on the uids kept in uncountedTerminatedPods.
constexpr int maxPodCreateDeletePerSync = 500;
constexpr int maxUncountedPods = 500;

QJsonObject field(const QJsonObject &o, QStringView key)
{
    return o.value(key).toObject();
}

QString timestamp(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODate);
}

QDateTime parseTime(const QJsonValue &v)
{
    return QDateTime::fromString(v.toString(), Qt::ISODate);
}

bool hasTrackingFinalizer(const QJsonObject &pod)
{
    return field(pod, u"metadata").value(u"finalizers").toArray().contains(trackingFinalizer);
}

// A strategic merge patch that takes only our finalizer off a pod, whatever others it has.
QByteArray finalizerRemovalPatch()
{
    const QJsonObject meta{
        {u"$deleteFromPrimitiveList/finalizers"_s, QJsonArray{trackingFinalizer}}};
    return QJsonDocument(QJsonObject{{u"metadata"_s, meta}}).toJson(QJsonDocument::Compact);
}

QString phaseOf(const QJsonObject &pod)
{
    return field(pod, u"status").value(u"phase").toString();
}

QString uidOf(const QJsonObject &o)
{
    return field(o, u"metadata").value(u"uid").toString();
}

// The completion index of a pod of an Indexed Job, or -1.
int completionIndex(const QJsonObject &pod)
{
    bool ok = false;
    const int ix =
        field(field(pod, u"metadata"), u"annotations").value(indexKey).toString().toInt(&ok);
    return ok && ix >= 0 ? ix : -1;
}

bool isIndexed(const QJsonObject &job)
{
    return field(job, u"spec").value(u"completionMode").toString() == u"Indexed";
}

int completionsOf(const QJsonObject &job)
{
    return field(job, u"spec").value(u"completions").toInt();
}

bool isSuspended(const QJsonObject &job)
{
    return field(job, u"spec").value(u"suspend").toBool();
}

// With podReplacementPolicy Failed a terminating pod is not replaced, nor counted failed, until
// it has actually failed.
bool onlyReplaceFailedPods(const QJsonObject &job)
{
    const QJsonObject spec = field(job, u"spec");
    return spec.value(u"podReplacementPolicy").toString() == u"Failed" ||
           spec.contains(u"podFailurePolicy");
}

bool isPodFailed(const QJsonObject &pod, const QJsonObject &job)
{
    if (phaseOf(pod) == u"Failed")
        return true;
    if (onlyReplaceFailedPods(job))
        return false;
    // A deleted pod never reaches Failed: it counts as failed once it is being deleted.
    return isBeingDeleted(pod) && phaseOf(pod) != u"Succeeded";
}

bool isTerminating(const QJsonObject &pod)
{
    const QString phase = phaseOf(pod);
    return isBeingDeleted(pod) && phase != u"Failed" && phase != u"Succeeded";
}

QJsonObject findCondition(const QJsonObject &job, const QString &type)
{
    for (const QJsonValue &c : field(job, u"status").value(u"conditions").toArray())
        if (c.toObject().value(u"type").toString() == type)
            return c.toObject();
    return {};
}

bool conditionTrue(const QJsonObject &job, const QString &type)
{
    return findCondition(job, type).value(u"status").toString() == u"True";
}

// Complete or Failed, the finished condition, or an empty object.
QJsonObject finishedCondition(const QJsonObject &job)
{
    for (const QString &type : {u"Complete"_s, u"Failed"_s})
        if (conditionTrue(job, type))
            return findCondition(job, type);
    return {};
}

struct Condition
{
    QString type;
    QString reason;
    QString message;
};

QJsonObject newCondition(const QString &type, const QString &status, const QString &reason,
                         const QString &message, const QDateTime &now)
{
    QJsonObject c{{u"type"_s, type},
                  {u"status"_s, status},
                  {u"lastProbeTime"_s, timestamp(now)},
                  {u"lastTransitionTime"_s, timestamp(now)}};
    if (!reason.isEmpty())
        c.insert(u"reason"_s, reason);
    if (!message.isEmpty())
        c.insert(u"message"_s, message);
    return c;
}

// Kubernetes' ensureJobConditionStatus: updates the condition of that type, or adds it unless
// it would be added as False.
bool ensureCondition(QJsonObject &status, const QString &type, const QString &value,
                     const QString &reason, const QString &message, const QDateTime &now)
{
    QJsonArray conditions = status.value(u"conditions").toArray();
    for (qsizetype i = 0; i < conditions.size(); ++i) {
        const QJsonObject c = conditions[i].toObject();
        if (c.value(u"type").toString() != type)
            continue;
        if (c.value(u"status").toString() == value && c.value(u"reason").toString() == reason &&
            c.value(u"message").toString() == message)
            return false;
        conditions[i] = newCondition(type, value, reason, message, now);
        status.insert(u"conditions"_s, conditions);
        return true;
    }
    if (value == u"False")
        return false;
    conditions.append(newCondition(type, value, reason, message, now));
    status.insert(u"conditions"_s, conditions);
    return true;
}

// "1,3-5,7", as the Job API writes index sets (a run of two is written "1,2").
QString formatIndexes(const std::set<int> &indexes)
{
    QStringList parts;
    for (auto it = indexes.begin(); it != indexes.end();) {
        const int first = *it;
        int last = first;
        for (++it; it != indexes.end() && *it == last + 1; ++it)
            ++last;
        if (last == first)
            parts << QString::number(first);
        else
            parts << QString::number(first) + (last == first + 1 ? u',' : u'-') +
                         QString::number(last);
    }
    return parts.join(u',');
}

std::set<int> parseIndexes(const QString &text, int completions)
{
    std::set<int> result;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        const QStringList bounds = part.split(u'-');
        bool ok1 = false, ok2 = true;
        const int first = bounds.value(0).toInt(&ok1);
        const int last = bounds.size() > 1 ? bounds[1].toInt(&ok2) : first;
        for (int i = first; ok1 && ok2 && i <= last && i < completions; ++i)
            result.insert(i);
    }
    return result;
}

// controller.ActivePods: the pods least worth keeping first (unscheduled, pending, not ready,
// newest).
bool removeFirst(const QJsonObject &a, const QJsonObject &b)
{
    const bool aBound = !field(a, u"spec").value(u"nodeName").toString().isEmpty();
    const bool bBound = !field(b, u"spec").value(u"nodeName").toString().isEmpty();
    if (aBound != bBound)
        return !aBound;
    auto rank = [](const QString &phase) {
        return phase == u"Pending" ? 0 : phase == u"Running" ? 2 : 1;
    };
    if (rank(phaseOf(a)) != rank(phaseOf(b)))
        return rank(phaseOf(a)) < rank(phaseOf(b));
    if (isPodReady(a) != isPodReady(b))
        return !isPodReady(a);
    return field(a, u"metadata").value(u"creationTimestamp").toString() >
           field(b, u"metadata").value(u"creationTimestamp").toString();
}

QSet<QString> stringSet(const QJsonValue &array)
{
    QSet<QString> set;
    for (const QJsonValue &v : array.toArray())
        set.insert(v.toString());
    return set;
}

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

// One pass over a Job: what the caches said when it started, and the status being written.
struct JobController::Sync
{
    QString key;
    QJsonObject job;
    QJsonObject status;
    QList<QJsonObject> pods;
    QList<QJsonObject> activePods;
    QSet<QString> expectedRemovals; // pods whose finalizer we lift, not yet seen without it
    QSet<QString> uncountedSucceeded;
    QSet<QString> uncountedFailed;
    int active = 0;
    int ready = 0;
    int terminating = 0;
    int succeeded = 0;
    int failed = 0;
    std::optional<Condition> finished;
    std::set<int> prevSucceededIndexes;
    std::set<int> succeededIndexes;
    bool satisfied = true;
    bool manageCalled = false;
    bool suspendChanged = false;
    bool retry = false;
    bool reachedMaxUncounted = false;
    std::function<void(bool)> done;
};

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
    auto handler = [](auto sync) {
        return [sync](const QString &key, client::WorkQueue::Done done) {
            sync(key, [done](bool retry) {
                done(retry ? client::WorkQueue::Outcome::Retry : client::WorkQueue::Outcome::Done);
            });
        };
    };
    m_queue = std::make_unique<client::WorkQueue>(
        handler([this](const QString &k, auto d) { syncJob(k, d); }), 4);
    m_queue->setBackoffLimits(1s, 60s); // DefaultJobApiBackOff, MaxJobApiBackOff
    m_orphans = std::make_unique<client::WorkQueue>(
        handler([this](const QString &k, auto d) { syncOrphanPod(k, d); }), 4);
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

std::chrono::milliseconds JobController::backoffRemaining(const QString &key) const
{
    const Backoff b = m_backoff.value(key);
    if (b.failuresAfterLastSuccess == 0)
        return 0ms;
    std::chrono::milliseconds backoff = m_options.podFailureBackoff;
    for (int i = 1; i < b.failuresAfterLastSuccess && backoff < m_options.maxPodFailureBackoff; ++i)
        backoff *= 2;
    backoff = std::min(backoff, m_options.maxPodFailureBackoff);
    const std::chrono::milliseconds elapsed{b.lastFailure.msecsTo(now())};
    return elapsed > backoff ? 0ms : backoff - elapsed;
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

void JobController::manageJob(const SyncPtr &s, std::function<void()> next)
{
    const QJsonObject spec = field(s->job, u"spec");
    auto afterDelete = [s, next](int deleted, int deletedReady) {
        s->active -= deleted;
        s->terminating += deleted;
        s->ready -= deletedReady;
        next();
    };
    auto expectDeletion = [this, s](const QList<QJsonObject> &doomed) {
        QSet<QString> uids;
        for (const QJsonObject &p : doomed)
            uids.insert(uidOf(p));
        m_expectations.expectDeletions(s->key, uids);
    };
    QList<QJsonObject> candidates = s->activePods;
    std::sort(candidates.begin(), candidates.end(), removeFirst);
    if (isSuspended(s->job)) {
        expectDeletion(candidates);
        return deletePods(s, candidates, true, afterDelete);
    }
    const int parallelism = spec.value(u"parallelism").toInt(1);
    int wantActive = 0;
    if (!spec.contains(u"completions"))
        wantActive = s->succeeded > 0 ? s->active : parallelism;
    else
        wantActive = std::clamp(completionsOf(s->job) - s->succeeded, 0, parallelism);

    // Pods to remove: beyond what is wanted, and for Indexed Jobs duplicated or invalid indexes.
    QList<QJsonObject> doomed;
    QList<QJsonObject> kept;
    const bool indexed = isIndexed(s->job);
    const int completions = completionsOf(s->job);
    if (indexed) {
        QMap<int, QList<QJsonObject>> byIndex;
        for (const QJsonObject &p : std::as_const(candidates)) {
            const int ix = completionIndex(p);
            if (ix < 0 || ix >= completions)
                doomed.append(p);
            else
                byIndex[ix].append(p);
        }
        for (const QList<QJsonObject> &group : std::as_const(byIndex)) {
            doomed.append(group.mid(0, group.size() - 1)); // keep the most advanced
            kept.append(group.last());
        }
        std::sort(kept.begin(), kept.end(), removeFirst);
    } else {
        kept = candidates;
    }
    const int rmAtLeast = std::max(0, s->active - wantActive);
    for (qsizetype i = 0; doomed.size() < rmAtLeast && i < kept.size(); ++i)
        doomed.append(kept[i]);
    if (!doomed.isEmpty()) {
        doomed = doomed.mid(0, maxPodCreateDeletePerSync);
        expectDeletion(doomed);
        return deletePods(s, doomed, true, afterDelete);
    }

    const int terminating = onlyReplaceFailedPods(s->job) ? s->terminating : 0;
    int diff = wantActive - terminating - s->active;
    if (diff <= 0)
        return next();
    if (const auto remaining = backoffRemaining(s->key); remaining > 0ms) {
        enqueue(s->key, std::max(remaining, m_options.syncBatchPeriod));
        return next();
    }
    diff = std::min(diff, maxPodCreateDeletePerSync);
    QList<int> indexes;
    if (indexed) {
        QSet<int> taken;
        for (const QJsonObject &p : std::as_const(s->activePods))
            taken.insert(completionIndex(p));
        for (int ix = 0; ix < completions && indexes.size() < diff; ++ix)
            if (!taken.contains(ix) && !s->succeededIndexes.contains(ix))
                indexes.append(ix);
        diff = int(indexes.size());
    }
    if (diff == 0)
        return next();
    m_expectations.expectCreations(s->key, diff);
    s->active += diff;
    createPods(s, diff, indexes, next);
}

void JobController::createPods(const SyncPtr &s, int count, const QList<int> &indexes,
                               std::function<void()> next)
{
    const QJsonObject &job = s->job;
    const QString jobName = field(job, u"metadata").value(u"name").toString();
    auto pending = std::make_shared<int>(count);
    for (int i = 0; i < count; ++i) {
        QJsonObject tmpl = field(field(job, u"spec"), u"template");
        QString prefix = jobName + u'-';
        if (!indexes.isEmpty()) {
            const int ix = indexes[i];
            const QString value = QString::number(ix);
            QJsonObject meta = field(tmpl, u"metadata");
            for (const auto *key : {u"annotations", u"labels"}) {
                QJsonObject map = meta.value(QStringView(key)).toObject();
                map.insert(indexKey, value);
                meta.insert(QString::fromUtf16(key), map);
            }
            tmpl.insert(u"metadata"_s, meta);
            QJsonObject podSpec = field(tmpl, u"spec");
            podSpec.insert(u"hostname"_s, u"%1-%2"_s.arg(jobName).arg(ix));
            // Every container reads its index from JOB_COMPLETION_INDEX.
            for (const auto *list : {u"initContainers", u"containers"}) {
                if (!podSpec.contains(QStringView(list)))
                    continue;
                QJsonArray containers = podSpec.value(QStringView(list)).toArray();
                for (QJsonValueRef c : containers) {
                    QJsonObject container = c.toObject();
                    QJsonArray env = container.value(u"env").toArray();
                    const bool present =
                        std::any_of(env.begin(), env.end(), [](const QJsonValue &e) {
                            return e.toObject().value(u"name").toString() ==
                                   u"JOB_COMPLETION_INDEX";
                        });
                    if (!present)
                        env.append(QJsonObject{
                            {u"name"_s, u"JOB_COMPLETION_INDEX"_s},
                            {u"valueFrom"_s,
                             QJsonObject{
                                 {u"fieldRef"_s,
                                  QJsonObject{{u"apiVersion"_s, u"v1"_s},
                                              {u"fieldPath"_s,
                                               u"metadata.annotations['%1']"_s.arg(indexKey)}}}}}});
                    container.insert(u"env"_s, env);
                    c = container;
                }
                podSpec.insert(QString::fromUtf16(list), containers);
            }
            tmpl.insert(u"spec"_s, podSpec);
            prefix = u"%1-%2-"_s.arg(jobName).arg(ix);
            constexpr qsizetype maxGeneratedNameLength = 58;
            if (prefix.size() > maxGeneratedNameLength) {
                const QString suffix = u"-%1-"_s.arg(ix);
                prefix = jobName.left(maxGeneratedNameLength - suffix.size()) + suffix;
            }
        }
        QJsonObject pod = podFromTemplate(job, tmpl, prefix);
        QJsonObject meta = field(pod, u"metadata");
        QJsonArray finalizers = meta.value(u"finalizers").toArray();
        if (!finalizers.contains(trackingFinalizer))
            finalizers.append(trackingFinalizer);
        meta.insert(u"finalizers"_s, finalizers);
        pod.insert(u"metadata"_s, meta);
        m_api.create(pods, meta.value(u"namespace").toString(), pod, asController,
                     [this, s, pending, next](client::Result<QJsonObject> created) {
                         if (created) {
                             m_recorder->event(
                                 s->job, u"Normal"_s, u"SuccessfulCreate"_s,
                                 u"Created pod: "_s +
                                     field(*created, u"metadata").value(u"name").toString());
                         } else {
                             m_expectations.creationObserved(s->key);
                             --s->active;
                             // A terminating namespace refuses every pod: nothing to retry.
                             if (created.error().code != 403)
                                 s->retry = true;
                             m_recorder->event(s->job, u"Warning"_s, u"FailedCreate"_s,
                                               u"Error creating: "_s + created.error().message);
                         }
                         if (--*pending == 0)
                             next();
                     });
    }
}

void JobController::deletePods(const SyncPtr &s, const QList<QJsonObject> &victims,
                               bool removeFinalizer, std::function<void(int, int)> next)
{
    if (victims.isEmpty())
        return next(0, 0);
    struct Count
    {
        int pending;
        int deleted = 0;
        int ready = 0;
    };
    auto count = std::make_shared<Count>(Count{int(victims.size())});
    auto finish = [count, next] {
        if (--count->pending == 0)
            next(count->deleted, count->ready);
    };
    for (const QJsonObject &pod : victims) {
        const QString ns = field(pod, u"metadata").value(u"namespace").toString();
        const QString name = field(pod, u"metadata").value(u"name").toString();
        auto remove = [this, s, pod, ns, name, count, finish] {
            m_api.remove(pods, ns, name, {},
                         [this, s, pod, name, count, finish](client::Result<QJsonObject> r) {
                             if (r || r.error().isNotFound()) {
                                 ++count->deleted;
                                 count->ready += isPodReady(pod) ? 1 : 0;
                                 if (r)
                                     m_recorder->event(s->job, u"Normal"_s, u"SuccessfulDelete"_s,
                                                       u"Deleted pod: "_s + name);
                             }
                             if (!r) {
                                 m_expectations.deletionObserved(s->key, uidOf(pod));
                                 if (!r.error().isNotFound()) {
                                     s->retry = true;
                                     m_recorder->event(s->job, u"Warning"_s, u"FailedDelete"_s,
                                                       u"Error deleting: "_s + r.error().message);
                                 }
                             }
                             finish();
                         });
        };
        if (!removeFinalizer || !hasTrackingFinalizer(pod)) {
            remove();
            continue;
        }
        const QByteArray patch = finalizerRemovalPatch();
        m_api.patch(pods, ns, name, client::PatchType::StrategicMerge, patch, {}, asController,
                    [this, s, pod, remove, finish](client::Result<QJsonObject> r) {
                        if (r)
                            return remove();
                        m_expectations.deletionObserved(s->key, uidOf(pod));
                        if (!r.error().isNotFound())
                            s->retry = true;
                        finish();
                    });
    }
}

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

// The ttl-after-finished controller: a finished Job with spec.ttlSecondsAfterFinished goes
// (with its pods, in the foreground) that long after its Complete or Failed condition.
void JobController::processTtl(const QJsonObject &job, std::function<void(bool)> done)
{
    auto expiresIn = [this](const QJsonObject &j) -> std::optional<qint64> {
        const QJsonValue ttl = field(j, u"spec").value(u"ttlSecondsAfterFinished");
        const QDateTime finishedAt = parseTime(finishedCondition(j).value(u"lastTransitionTime"));
        if (ttl.isUndefined() || isBeingDeleted(j) || !finishedAt.isValid())
            return std::nullopt;
        return now().msecsTo(finishedAt.addSecs(ttl.toInteger()));
    };
    const auto remaining = expiresIn(job);
    if (!remaining)
        return done(false);
    if (*remaining > 0) {
        enqueue(keyOf(job), std::chrono::milliseconds(*remaining));
        return done(false);
    }
    // The cache may be stale: decide again on the Job as the server has it.
    const QString ns = field(job, u"metadata").value(u"namespace").toString();
    const QString name = field(job, u"metadata").value(u"name").toString();
    m_api.get(jobs, ns, name, [this, ns, name, expiresIn, done](client::Result<QJsonObject> fresh) {
        if (!fresh)
            return done(!fresh.error().isNotFound());
        const auto left = expiresIn(*fresh);
        if (!left || *left > 0)
            return done(false);
        client::DeleteQuery query;
        query.propagationPolicy = u"Foreground"_s;
        query.preconditionUid = uidOf(*fresh);
        qCDebug(lcJobs).noquote() << "cleaning up expired job" << ns + u'/' + name;
        m_api.remove(jobs, ns, name, query, [done](client::Result<QJsonObject> r) {
            done(!r && !r.error().isNotFound() && !r.error().isConflict());
        });
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
