// The cronjob controller, as kube-controller-manager's cronjob-controller (v2): creates a Job
// "<cronjob>-<scheduled time in minutes since the epoch>" from spec.jobTemplate at each time
// spec.schedule names (read in spec.timeZone), honouring suspend, startingDeadlineSeconds and
// concurrencyPolicy Allow/Forbid/Replace; keeps status.active, lastScheduleTime and
// lastSuccessfulTime; deletes finished Jobs beyond successfulJobsHistoryLimit and
// failedJobsHistoryLimit. It sleeps until the next scheduled time rather than polling.
#pragma once

#include "client/apiclient.h"

#include <QDateTime>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

namespace timonel::client {
class EventRecorder;
class Informer;
class WorkQueue;
} // namespace timonel::client

namespace timonel::controllers {

class CronSchedule;

struct CronJobControllerOptions
{
    // The controller's clock (tests set it); the current time when unset.
    std::function<QDateTime()> now;
};

class CronJobController : public QObject
{
    Q_OBJECT
public:
    explicit CronJobController(client::ApiClient &api, CronJobControllerOptions options = {},
                               QObject *parent = nullptr);
    ~CronJobController() override;

    void start();
    void stop();

private:
    struct Sync;
    using SyncPtr = std::shared_ptr<Sync>;

    QDateTime now() const;
    void enqueueOwner(const QJsonObject &job);
    void sync(const QString &key, std::function<void(bool retry)> done);
    void cleanupFinishedJobs(const SyncPtr &s, std::function<void()> next);
    void reconcileActive(const SyncPtr &s, std::function<void()> next);
    void schedule(const SyncPtr &s);
    void startJob(const SyncPtr &s, const QDateTime &scheduled, const CronSchedule &sched);
    void deleteJob(const SyncPtr &s, const QJsonObject &job, std::function<void(bool ok)> next);
    void finish(const SyncPtr &s, bool retry);
    std::optional<std::chrono::milliseconds> nextRun(const QJsonObject &cronJob,
                                                     const CronSchedule &sched) const;

    client::ApiClient &m_api;
    CronJobControllerOptions m_options;
    std::unique_ptr<client::Informer> m_cronJobs;
    std::unique_ptr<client::Informer> m_jobs;
    std::unique_ptr<client::WorkQueue> m_queue;
    std::unique_ptr<client::EventRecorder> m_recorder;
};

} // namespace timonel::controllers
