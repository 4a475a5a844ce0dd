#include "cronjobcontroller.h"

#include "controllerutils.h"
#include "cronschedule.h"

#include "client/eventrecorder.h"
#include "client/informer.h"
#include "client/workqueue.h"

#include <QJsonArray>
#include <QLocale>
#include <QLoggingCategory>
#include <QTimeZone>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcCronJobs, "timonel.controllers.cronjob", QtInfoMsg)

namespace timonel::controllers {

namespace {

const client::Resource cronJobs{u"batch"_s, u"v1"_s, u"cronjobs"_s};
const client::Resource jobs{u"batch"_s, u"v1"_s, u"jobs"_s};
const client::WriteQuery asController{u"kube-controller-manager"_s, false, false};

// Added to each wake-up so that a slightly early clock still finds the run due.
constexpr auto nextScheduleDelta = 100ms;

QJsonObject field(const QJsonObject &o, QStringView key)
{
    return o.value(key).toObject();
}

QString nameOf(const QJsonObject &o)
{
    return field(o, u"metadata").value(u"name").toString();
}

QString uidOf(const QJsonObject &o)
{
    return field(o, u"metadata").value(u"uid").toString();
}

QDateTime parseTime(const QJsonValue &v)
{
    return QDateTime::fromString(v.toString(), Qt::ISODate);
}

QString timestamp(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODate);
}

// "Complete" or "Failed" when the Job has finished, else "".
QString finishedType(const QJsonObject &job)
{
    for (const QJsonValue &c : field(job, u"status").value(u"conditions").toArray()) {
        const QJsonObject cond = c.toObject();
        const QString type = cond.value(u"type").toString();
        if ((type == u"Complete" || type == u"Failed") &&
            cond.value(u"status").toString() == u"True")
            return type;
    }
    return {};
}

bool inActive(const QJsonObject &status, const QString &uid)
{
    for (const QJsonValue &ref : status.value(u"active").toArray())
        if (ref.toObject().value(u"uid").toString() == uid)
            return true;
    return false;
}

void removeFromActive(QJsonObject &status, const QString &uid)
{
    QJsonArray kept;
    for (const QJsonValue &ref : status.value(u"active").toArray())
        if (ref.toObject().value(u"uid").toString() != uid)
            kept.append(ref);
    if (kept.isEmpty())
        status.remove(u"active"_s);
    else
        status.insert(u"active"_s, kept);
}

enum class Missed
{
    None,
    Few,
    Many
};

struct RecentTime
{
    QDateTime earliest;
    QDateTime mostRecent; // invalid: nothing due
    Missed missed = Missed::None;
    QString error;
};

// Kubernetes' mostRecentScheduleTime: the latest scheduled time in (last run or creation, now],
// counting roughly how many were missed; with the starting deadline, nothing older than it.
RecentTime mostRecentScheduleTime(const QJsonObject &cj, const QDateTime &now,
                                  const CronSchedule &sched, bool withStartingDeadline)
{
    RecentTime r;
    const QJsonObject status = field(cj, u"status");
    r.earliest = status.contains(u"lastScheduleTime")
                     ? parseTime(status.value(u"lastScheduleTime"))
                     : parseTime(field(cj, u"metadata").value(u"creationTimestamp"));
    const QJsonValue deadline = field(cj, u"spec").value(u"startingDeadlineSeconds");
    if (withStartingDeadline && !deadline.isUndefined()) {
        const QDateTime schedulingDeadline = now.addSecs(-deadline.toInteger());
        if (schedulingDeadline > r.earliest)
            r.earliest = schedulingDeadline;
    }
    // "59 23 31 2 *" parses but never comes; Kubernetes finds out from two "runs" that are
    // less than a second apart.
    const QDateTime t1 = sched.next(r.earliest);
    const QDateTime t2 = t1.isValid() ? sched.next(t1) : QDateTime();
    if (!t1.isValid() || !t2.isValid()) {
        r.error = u"time difference between two schedules is less than 1 second"_s;
        return r;
    }
    if (now < t1)
        return r;
    if (now < t2) {
        r.mostRecent = t1;
        return r;
    }
    const qint64 between = std::max<qint64>(1, (t1.msecsTo(t2) + 500) / 1000);
    const qint64 missed = t1.secsTo(now) / between + 1;
    const QDateTime potentialEarliest = t1.addSecs((missed - 2) * between);
    for (QDateTime t = sched.next(potentialEarliest); t.isValid() && t <= now; t = sched.next(t))
        r.mostRecent = t;
    r.missed = missed > 100 ? Missed::Many : Missed::Few;
    return r;
}

} // namespace

struct CronJobController::Sync
{
    QString key;
    QJsonObject cronJob;
    QJsonObject status;
    QList<QJsonObject> children;
    bool updateStatus = false;
    std::optional<std::chrono::milliseconds> requeue;
    std::function<void(bool)> done;
};

CronJobController::CronJobController(client::ApiClient &api, CronJobControllerOptions options,
                                     QObject *parent)
    : QObject(parent), m_api(api), m_options(std::move(options))
{
}

CronJobController::~CronJobController() = default;

QDateTime CronJobController::now() const
{
    return m_options.now ? m_options.now() : QDateTime::currentDateTimeUtc();
}

void CronJobController::start()
{
    m_recorder = std::make_unique<client::EventRecorder>(m_api, u"cronjob-controller"_s);
    m_queue = std::make_unique<client::WorkQueue>(
        client::WorkQueue::retrying(
            [this](const QString &key, auto done) { sync(key, std::move(done)); }),
        2);
    m_queue->setBackoffLimits(5ms, 1000s);
    m_cronJobs = std::make_unique<client::Informer>(m_api, cronJobs);
    m_jobs = std::make_unique<client::Informer>(m_api, jobs);
    auto enqueue = [this](const QJsonObject &cj) {
        if (m_cronJobs->hasSynced() && m_jobs->hasSynced())
            m_queue->add(keyOf(cj));
    };
    connect(m_cronJobs.get(), &client::Informer::added, this, enqueue);
    connect(m_cronJobs.get(), &client::Informer::updated, this,
            [enqueue](const QJsonObject &, const QJsonObject &cj) { enqueue(cj); });
    connect(m_jobs.get(), &client::Informer::added, this, &CronJobController::enqueueOwner);
    connect(m_jobs.get(), &client::Informer::updated, this,
            [this](const QJsonObject &old, const QJsonObject &job) {
                if (field(old, u"metadata").value(u"resourceVersion") ==
                    field(job, u"metadata").value(u"resourceVersion"))
                    return;
                enqueueOwner(old);
                enqueueOwner(job);
            });
    connect(m_jobs.get(), &client::Informer::deleted, this, &CronJobController::enqueueOwner);
    auto synced = [this] {
        if (!m_cronJobs->hasSynced() || !m_jobs->hasSynced())
            return;
        for (const QJsonObject &cj : m_cronJobs->list())
            m_queue->add(keyOf(cj));
    };
    connect(m_cronJobs.get(), &client::Informer::synced, this, synced);
    connect(m_jobs.get(), &client::Informer::synced, this, synced);
    m_jobs->start();
    m_cronJobs->start();
}

void CronJobController::stop()
{
    if (m_queue)
        m_queue->shutDown();
    m_cronJobs.reset();
    m_jobs.reset();
    m_queue.reset();
    m_recorder.reset();
}

void CronJobController::enqueueOwner(const QJsonObject &job)
{
    if (!m_cronJobs->hasSynced() || !m_jobs->hasSynced())
        return;
    for (const QJsonValue &ref : field(job, u"metadata").value(u"ownerReferences").toArray()) {
        const QJsonObject r = ref.toObject();
        if (!r.value(u"controller").toBool() || r.value(u"kind").toString() != u"CronJob")
            continue;
        const QJsonObject cj = m_cronJobs->get(
            field(job, u"metadata").value(u"namespace").toString(), r.value(u"name").toString());
        if (uidOf(cj) == r.value(u"uid").toString())
            m_queue->add(keyOf(cj));
    }
}

void CronJobController::sync(const QString &key, std::function<void(bool)> done)
{
    const qsizetype slash = key.indexOf(u'/');
    const QJsonObject cj = m_cronJobs->get(key.left(slash), key.mid(slash + 1));
    if (cj.isEmpty())
        return done(false);
    auto s = std::make_shared<Sync>();
    s->key = key;
    s->cronJob = cj;
    s->status = field(cj, u"status");
    s->done = std::move(done);
    const QString uid = uidOf(cj);
    for (const QJsonObject &job : m_jobs->list())
        if (field(job, u"metadata").value(u"namespace").toString() == key.left(slash) &&
            controllerUid(job) == uid)
            s->children.append(job);
    cleanupFinishedJobs(s, [this, s] { reconcileActive(s, [this, s] { schedule(s); }); });
}

// Finished Jobs beyond the history limits go, oldest first.
void CronJobController::cleanupFinishedJobs(const SyncPtr &s, std::function<void()> next)
{
    const QJsonObject spec = field(s->cronJob, u"spec");
    QList<QJsonObject> doomed;
    for (const auto &[type, limitField] :
         {std::pair{u"Complete"_s, u"successfulJobsHistoryLimit"_s},
          std::pair{u"Failed"_s, u"failedJobsHistoryLimit"_s}}) {
        if (!spec.contains(limitField))
            continue;
        QList<QJsonObject> finished;
        for (const QJsonObject &job : std::as_const(s->children))
            if (finishedType(job) == type)
                finished.append(job);
        std::sort(finished.begin(), finished.end(), [](const QJsonObject &a, const QJsonObject &b) {
            const QDateTime sa = parseTime(field(a, u"status").value(u"startTime"));
            const QDateTime sb = parseTime(field(b, u"status").value(u"startTime"));
            if (sa.isValid() != sb.isValid())
                return sa.isValid();
            if (sa == sb)
                return nameOf(a) < nameOf(b);
            return sa < sb;
        });
        doomed += finished.mid(
            0, std::max<qsizetype>(0, finished.size() - spec.value(limitField).toInt()));
    }
    auto pending = std::make_shared<int>(int(doomed.size()) + 1);
    auto finishOne = [pending, next] {
        if (--*pending == 0)
            next();
    };
    for (const QJsonObject &job : std::as_const(doomed))
        deleteJob(s, job, [finishOne](bool) { finishOne(); });
    finishOne();
}

void CronJobController::deleteJob(const SyncPtr &s, const QJsonObject &job,
                                  std::function<void(bool)> next)
{
    client::DeleteQuery query;
    query.propagationPolicy = u"Background"_s;
    m_api.remove(jobs, field(job, u"metadata").value(u"namespace").toString(), nameOf(job), query,
                 [this, s, job, next](client::Result<QJsonObject> r) {
                     if (!r && !r.error().isNotFound()) {
                         m_recorder->event(s->cronJob, u"Warning"_s, u"FailedDelete"_s,
                                           u"Deleted job: "_s + r.error().message);
                         return next(false);
                     }
                     removeFromActive(s->status, uidOf(job));
                     s->updateStatus = true;
                     m_recorder->event(s->cronJob, u"Normal"_s, u"SuccessfulDelete"_s,
                                       u"Deleted job "_s + nameOf(job));
                     next(true);
                 });
}

// status.active against the Jobs that exist: finished ones leave it, vanished ones too, and a
// running Job the list does not name is reported (the controller does not adopt it).
void CronJobController::reconcileActive(const SyncPtr &s, std::function<void()> next)
{
    QList<QJsonObject> unexpected;
    QSet<QString> childUids;
    for (const QJsonObject &job : std::as_const(s->children)) {
        childUids.insert(uidOf(job));
        const bool found = inActive(s->status, uidOf(job));
        const QString finished = finishedType(job);
        if (!found && finished.isEmpty()) {
            unexpected.append(job);
        } else if (found && !finished.isEmpty()) {
            removeFromActive(s->status, uidOf(job));
            m_recorder->event(s->cronJob, u"Normal"_s, u"SawCompletedJob"_s,
                              u"Saw completed job: %1, status: %2"_s.arg(nameOf(job), finished));
            s->updateStatus = true;
        } else if (finished == u"Complete") {
            // Counted once it has left the active list, as Kubernetes does.
            const QDateTime completed = parseTime(field(job, u"status").value(u"completionTime"));
            const QDateTime last = parseTime(s->status.value(u"lastSuccessfulTime"));
            if (completed.isValid() && (!last.isValid() || completed > last)) {
                s->status.insert(u"lastSuccessfulTime"_s, timestamp(completed));
                s->updateStatus = true;
            }
        }
    }
    QList<QJsonObject> missing;
    for (const QJsonValue &ref : s->status.value(u"active").toArray())
        if (!childUids.contains(ref.toObject().value(u"uid").toString()))
            missing.append(ref.toObject());

    auto pending = std::make_shared<int>(1);
    auto failed = std::make_shared<bool>(false);
    auto finishOne = [this, s, pending, failed, next] {
        if (--*pending > 0)
            return;
        if (*failed)
            return finish(s, true);
        next();
    };
    const QString ns = field(s->cronJob, u"metadata").value(u"namespace").toString();
    if (!unexpected.isEmpty()) {
        // Our own status write may not be in the cache yet: ask the server before complaining.
        ++*pending;
        m_api.get(cronJobs, ns, nameOf(s->cronJob),
                  [this, s, unexpected, failed, finishOne](client::Result<QJsonObject> fresh) {
                      if (!fresh) {
                          *failed = true;
                          return finishOne();
                      }
                      const QJsonObject freshStatus = field(*fresh, u"status");
                      for (const QJsonObject &job : unexpected) {
                          if (inActive(freshStatus, uidOf(job))) {
                              QJsonArray active = s->status.value(u"active").toArray();
                              active.append(client::EventRecorder::objectReference(job));
                              s->status.insert(u"active"_s, active);
                              continue;
                          }
                          m_recorder->event(
                              s->cronJob, u"Warning"_s, u"UnexpectedJob"_s,
                              u"Saw a job that the controller did not create or forgot: "_s +
                                  nameOf(job));
                      }
                      finishOne();
                  });
    }
    for (const QJsonObject &ref : std::as_const(missing)) {
        // The cache may lag behind a Job just created: only the server can say it is gone.
        ++*pending;
        m_api.get(jobs, ns, ref.value(u"name").toString(),
                  [this, s, ref, failed, finishOne](client::Result<QJsonObject> job) {
                      if (!job && job.error().isNotFound()) {
                          m_recorder->event(s->cronJob, u"Normal"_s, u"MissingJob"_s,
                                            u"Active job went missing: "_s +
                                                ref.value(u"name").toString());
                          removeFromActive(s->status, ref.value(u"uid").toString());
                          s->updateStatus = true;
                      } else if (!job) {
                          *failed = true;
                      }
                      finishOne();
                  });
    }
    finishOne();
}

std::optional<std::chrono::milliseconds> CronJobController::nextRun(const QJsonObject &cj,
                                                                    const CronSchedule &sched) const
{
    const QDateTime current = now();
    const RecentTime r = mostRecentScheduleTime(cj, current, sched, false);
    QDateTime from = r.mostRecent;
    if (!r.error.isEmpty())
        from = current;
    else if (!from.isValid())
        from = r.missed == Missed::None ? r.earliest : current;
    const QDateTime next = sched.next(from);
    if (!next.isValid())
        return std::nullopt;
    return std::chrono::milliseconds(current.msecsTo(next)) + nextScheduleDelta;
}

void CronJobController::schedule(const SyncPtr &s)
{
    const QJsonObject &cj = s->cronJob;
    const QJsonObject spec = field(cj, u"spec");
    if (isBeingDeleted(cj))
        return finish(s, false);
    QTimeZone zone = QTimeZone::systemTimeZone();
    if (spec.contains(u"timeZone")) {
        const QString name = spec.value(u"timeZone").toString();
        zone = QTimeZone(name.toUtf8());
        if (!zone.isValid()) {
            m_recorder->event(cj, u"Warning"_s, u"UnknownTimeZone"_s,
                              u"invalid timeZone: \"%1\": unknown time zone %1"_s.arg(name));
            return finish(s, false);
        }
    }
    if (spec.value(u"suspend").toBool())
        return finish(s, false);
    const QString text = spec.value(u"schedule").toString();
    if (text.contains(u"TZ"_s)) {
        m_recorder->event(
            cj, u"Warning"_s, u"UnsupportedSchedule"_s,
            u"CRON_TZ or TZ used in schedule \"%1\" is not officially supported, see "
            "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details"_s
                .arg(text));
    }
    const auto sched = CronSchedule::parse(text, zone);
    if (!sched) {
        m_recorder->event(cj, u"Warning"_s, u"UnparseableSchedule"_s,
                          u"unparseable schedule: \"%1\" : %2"_s.arg(text, sched.error()));
        return finish(s, false);
    }
    // What is due: status as this pass has it (the active list may have changed above).
    QJsonObject current = cj;
    current.insert(u"status"_s, s->status);
    const QDateTime clock = now();
    const RecentTime recent = mostRecentScheduleTime(current, clock, *sched, true);
    if (!recent.error.isEmpty()) {
        m_recorder->event(cj, u"Warning"_s, u"InvalidSchedule"_s,
                          u"invalid schedule: %1 : %2"_s.arg(text, recent.error));
        return finish(s, false);
    }
    s->requeue = nextRun(current, *sched);
    if (!recent.mostRecent.isValid())
        return finish(s, false);
    if (recent.missed == Missed::Many)
        m_recorder->event(
            cj, u"Warning"_s, u"TooManyMissedTimes"_s,
            u"too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew"_s);
    const QDateTime scheduled = recent.mostRecent;
    const QJsonValue deadline = spec.value(u"startingDeadlineSeconds");
    if (!deadline.isUndefined() && scheduled.addSecs(deadline.toInteger()) < clock) {
        m_recorder->event(
            cj, u"Warning"_s, u"MissSchedule"_s,
            u"Missed scheduled time to start a job: "_s +
                QLocale::c().toString(scheduled.toUTC(), u"ddd, dd MMM yyyy HH:mm:ss +0000"_s));
        return finish(s, false);
    }
    const QString jobName = u"%1-%2"_s.arg(nameOf(cj)).arg(scheduled.toSecsSinceEpoch() / 60);
    bool processed = parseTime(s->status.value(u"lastScheduleTime")) == scheduled;
    for (const QJsonValue &ref : s->status.value(u"active").toArray())
        processed = processed || ref.toObject().value(u"name").toString() == jobName;
    if (processed)
        return finish(s, false);
    const QString policy = spec.value(u"concurrencyPolicy").toString(u"Allow"_s);
    const QJsonArray active = s->status.value(u"active").toArray();
    if (policy == u"Forbid" && !active.isEmpty()) {
        m_recorder->event(
            cj, u"Normal"_s, u"JobAlreadyActive"_s,
            u"Not starting job because prior execution is running and concurrency policy is Forbid"_s);
        return finish(s, false);
    }
    if (policy != u"Replace" || active.isEmpty())
        return startJob(s, scheduled, *sched);
    // Replace: the running Jobs go first.
    auto pending = std::make_shared<int>(int(active.size()));
    auto failed = std::make_shared<bool>(false);
    const CronSchedule schedCopy = *sched;
    for (const QJsonValue &ref : active) {
        const QString ns = ref.toObject().value(u"namespace").toString();
        m_api.get(
            jobs, ns, ref.toObject().value(u"name").toString(),
            [this, s, pending, failed, scheduled, schedCopy](client::Result<QJsonObject> job) {
                auto done = [this, s, pending, failed, scheduled, schedCopy](bool ok) {
                    *failed = *failed || !ok;
                    if (--*pending > 0)
                        return;
                    if (*failed)
                        return finish(s, true);
                    startJob(s, scheduled, schedCopy);
                };
                if (!job) {
                    m_recorder->event(s->cronJob, u"Warning"_s, u"FailedGet"_s,
                                      u"Get job: "_s + job.error().message);
                    return done(false);
                }
                deleteJob(s, *job, done);
            });
    }
}

void CronJobController::startJob(const SyncPtr &s, const QDateTime &scheduled,
                                 const CronSchedule &sched)
{
    const QJsonObject &cj = s->cronJob;
    const QJsonObject jobTemplate = field(field(cj, u"spec"), u"jobTemplate");
    const QJsonObject templateMeta = field(jobTemplate, u"metadata");
    const QString ns = field(cj, u"metadata").value(u"namespace").toString();
    const QString name = u"%1-%2"_s.arg(nameOf(cj)).arg(scheduled.toSecsSinceEpoch() / 60);
    // The scheduled time, in spec.timeZone (UTC without one), as Kubernetes writes it.
    const QJsonValue timeZone = field(cj, u"spec").value(u"timeZone");
    const QTimeZone zone =
        timeZone.isString() ? QTimeZone(timeZone.toString().toUtf8()) : QTimeZone(QTimeZone::UTC);
    QJsonObject annotations = templateMeta.value(u"annotations").toObject();
    annotations.insert(u"batch.kubernetes.io/cronjob-scheduled-timestamp"_s,
                       scheduled.toTimeZone(zone).toString(Qt::ISODate));
    QJsonObject meta{{u"name"_s, name},
                     {u"namespace"_s, ns},
                     {u"annotations"_s, annotations},
                     {u"ownerReferences"_s, QJsonArray{controllerReference(cj)}}};
    if (templateMeta.contains(u"labels"))
        meta.insert(u"labels"_s, templateMeta.value(u"labels"));
    const QJsonObject job{{u"apiVersion"_s, u"batch/v1"_s},
                          {u"kind"_s, u"Job"_s},
                          {u"metadata"_s, meta},
                          {u"spec"_s, jobTemplate.value(u"spec")}};
    const CronSchedule schedCopy = sched;
    auto record = [this, s, scheduled, schedCopy](const QJsonObject &created) {
        QJsonArray active = s->status.value(u"active").toArray();
        active.append(client::EventRecorder::objectReference(created));
        s->status.insert(u"active"_s, active);
        s->status.insert(u"lastScheduleTime"_s, timestamp(scheduled));
        s->updateStatus = true;
        QJsonObject current = s->cronJob;
        current.insert(u"status"_s, s->status);
        s->requeue = nextRun(current, schedCopy);
        finish(s, false);
    };
    m_api.create(jobs, ns, job, asController,
                 [this, s, ns, name, record](client::Result<QJsonObject> created) {
                     if (created) {
                         m_recorder->event(s->cronJob, u"Normal"_s, u"SuccessfulCreate"_s,
                                           u"Created job "_s + name);
                         return record(*created);
                     }
                     if (!created.error().isConflict()) {
                         if (created.error().code != 403) // not for a terminating namespace
                             m_recorder->event(s->cronJob, u"Warning"_s, u"FailedCreate"_s,
                                               u"Error creating job: "_s + created.error().message);
                         s->requeue.reset();
                         return finish(s, created.error().code != 403);
                     }
                     // Created before, but the status write was lost: put it in the list if it is
                     // ours.
                     m_api.get(jobs, ns, name,
                               [this, s, record](client::Result<QJsonObject> existing) {
                                   if (!existing)
                                       return finish(s, true);
                                   if (controllerUid(*existing) != uidOf(s->cronJob) ||
                                       inActive(s->status, uidOf(*existing))) {
                                       s->requeue.reset();
                                       return finish(s, false);
                                   }
                                   record(*existing);
                               });
                 });
}

void CronJobController::finish(const SyncPtr &s, bool retry)
{
    auto complete = [this, s, retry](bool ok) {
        if (ok && !retry && s->requeue)
            m_queue->addAfter(
                s->key, std::clamp<std::chrono::milliseconds>(*s->requeue, nextScheduleDelta, 1h));
        s->done(retry || !ok);
    };
    if (!s->updateStatus)
        return complete(true);
    QJsonObject cj = s->cronJob;
    cj.insert(u"status"_s, s->status);
    m_api.update(cronJobs, field(cj, u"metadata").value(u"namespace").toString(), cj, u"status"_s,
                 asController, [s, complete](client::Result<QJsonObject> r) {
                     if (!r && !r.error().isNotFound())
                         qCDebug(lcCronJobs).noquote() << "cannot update the status of cronjob"
                                                       << s->key << r.error().message;
                     complete(r || r.error().isNotFound());
                 });
}

} // namespace timonel::controllers
