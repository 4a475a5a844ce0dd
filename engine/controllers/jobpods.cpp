// Which pods a Job runs, as Kubernetes' manageJob: up to parallelism active pods until
// completions succeed, one per completion index for Indexed Jobs (each told its index), none
// while suspended; surplus pods deleted least valuable first; replacements of failed pods held
// back by the pod failure back-off.
#include "jobcontroller.h"

#include "jobcontroller_p.h"

#include "client/eventrecorder.h"

#include <QJsonArray>
#include <QMap>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace timonel::controllers::job;

namespace timonel::controllers {

namespace {

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

} // namespace

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

} // namespace timonel::controllers
