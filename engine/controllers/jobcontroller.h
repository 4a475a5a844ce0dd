// The job controller, as kube-controller-manager's job-controller: runs a Job's pods until
// spec.completions of them succeed (parallelism at a time, NonIndexed or Indexed), fails it on
// backoffLimit or activeDeadlineSeconds, honours suspend, and keeps status (active, ready,
// terminating, succeeded, failed, completedIndexes, startTime, completionTime, conditions).
// Pods carry the batch.kubernetes.io/job-tracking finalizer until they are counted, so a pod
// that finishes and vanishes is still counted exactly once; interim SuccessCriteriaMet and
// FailureTarget conditions come before Complete and Failed, as in Kubernetes 1.32.
// It also deletes finished Jobs once spec.ttlSecondsAfterFinished has passed (the
// ttl-after-finished controller).
#pragma once

#include "controllerutils.h"

#include "client/apiclient.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QSet>

#include <chrono>
#include <functional>
#include <memory>

namespace timonel::client {
class EventRecorder;
class Informer;
class WorkQueue;
} // namespace timonel::client

namespace timonel::controllers {

struct JobControllerOptions
{
    // The controller's clock (tests set it); the current time when unset.
    std::function<QDateTime()> now;
    // Pod events are gathered this long before the Job is synced, as Kubernetes does.
    std::chrono::milliseconds syncBatchPeriod{1000};
    // Wait before replacing a failed pod: doubles with each failure since the last success.
    std::chrono::milliseconds podFailureBackoff{10000};
    std::chrono::milliseconds maxPodFailureBackoff{600000};
};

class JobController : public QObject
{
    Q_OBJECT
public:
    explicit JobController(client::ApiClient &api, JobControllerOptions options = {},
                           QObject *parent = nullptr);
    ~JobController() override;

    void start();
    void stop();

private:
    struct Sync;
    using SyncPtr = std::shared_ptr<Sync>;
    struct Backoff
    {
        int failuresAfterLastSuccess = 0;
        QDateTime lastFailure;
    };

    QDateTime now() const;
    void onPod(const QJsonObject &oldPod, const QJsonObject &pod, bool deleted);
    void onJob(const QJsonObject &oldJob, const QJsonObject &job);
    void enqueue(const QString &key, std::chrono::milliseconds delay = {});
    QJsonObject jobOf(const QJsonObject &pod) const;
    QList<QJsonObject> podsOf(const QJsonObject &job) const;
    void index(const QJsonObject &pod, bool deleted);

    void syncJob(const QString &key, std::function<void(bool retry)> done);
    void afterManage(const SyncPtr &s);
    void manageJob(const SyncPtr &s, std::function<void()> next);
    void createPods(const SyncPtr &s, int count, const QList<int> &indexes,
                    std::function<void()> next);
    void deletePods(const SyncPtr &s, const QList<QJsonObject> &pods, bool removeFinalizer,
                    std::function<void(int deleted, int deletedReady)> next);
    void trackStatus(const SyncPtr &s);
    void flushAndRemoveFinalizers(const SyncPtr &s, const QList<QJsonObject> &toRemove,
                                  QSet<QString> withFinalizer, bool needsFlush);
    void finishSync(const SyncPtr &s, bool needsFlush);
    void updateStatus(const SyncPtr &s, std::function<void(bool ok)> next);
    std::chrono::milliseconds backoffRemaining(const QString &key) const;

    void processTtl(const QJsonObject &job, std::function<void(bool retry)> done);
    void syncOrphanPod(const QString &key, std::function<void(bool retry)> done);

    client::ApiClient &m_api;
    JobControllerOptions m_options;
    std::unique_ptr<client::Informer> m_jobs;
    std::unique_ptr<client::Informer> m_pods;
    std::unique_ptr<client::WorkQueue> m_queue;
    std::unique_ptr<client::WorkQueue> m_orphans; // pods whose finalizer no Job will lift
    std::unique_ptr<client::EventRecorder> m_recorder;
    Expectations m_expectations;
    QHash<QString, QSet<QString>> m_finalizerRemovals; // job key -> pod uids being patched
    QHash<QString, Backoff> m_backoff;                 // job key
    QHash<QString, QSet<QString>> m_podsByOwner;       // controller uid -> pod keys
    QHash<QString, QString> m_ownerOfPod;              // pod key -> controller uid
};

} // namespace timonel::controllers
