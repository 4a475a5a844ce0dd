// What the job controller's files share: the state of one pass over a Job, and the readings of
// Jobs and their pods (completion indexes, conditions, the tracking finalizer) that Kubernetes
// keeps in job_controller.go and indexed_job_utils.go.
#pragma once

#include "jobcontroller.h"

#include "client/apiclient.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QLoggingCategory>
#include <QSet>
#include <QString>

#include <functional>
#include <optional>
#include <set>

namespace timonel::controllers::job {

Q_DECLARE_LOGGING_CATEGORY(lcJobs)

extern const client::Resource jobs;
extern const client::Resource pods;
extern const client::WriteQuery asController;

extern const QString trackingFinalizer; // batch.kubernetes.io/job-tracking
extern const QString indexKey;          // batch.kubernetes.io/job-completion-index
// Kubernetes' caps on one sync's work and on the uids kept in uncountedTerminatedPods.
constexpr int maxPodCreateDeletePerSync = 500;
constexpr int maxUncountedPods = 500;

QJsonObject field(const QJsonObject &o, QStringView key);
QString timestamp(const QDateTime &t);
QDateTime parseTime(const QJsonValue &v);
QString phaseOf(const QJsonObject &pod);
QString uidOf(const QJsonObject &o);

bool hasTrackingFinalizer(const QJsonObject &pod);
// A strategic merge patch that takes only our finalizer off a pod, whatever others it has.
QByteArray finalizerRemovalPatch();

// The completion index of a pod of an Indexed Job, or -1.
int completionIndex(const QJsonObject &pod);
bool isIndexed(const QJsonObject &job);
int completionsOf(const QJsonObject &job);
bool isSuspended(const QJsonObject &job);
// With podReplacementPolicy Failed a terminating pod is not replaced, nor counted failed, until
// it has actually failed.
bool onlyReplaceFailedPods(const QJsonObject &job);
bool isPodFailed(const QJsonObject &pod, const QJsonObject &job);
bool isTerminating(const QJsonObject &pod);

QJsonObject findCondition(const QJsonObject &job, const QString &type);
bool conditionTrue(const QJsonObject &job, const QString &type);
// Complete or Failed, the finished condition, or an empty object.
QJsonObject finishedCondition(const QJsonObject &job);

struct Condition
{
    QString type;
    QString reason;
    QString message;
};

QJsonObject newCondition(const QString &type, const QString &status, const QString &reason,
                         const QString &message, const QDateTime &now);
// Kubernetes' ensureJobConditionStatus: updates the condition of that type, or adds it unless
// it would be added as False.
bool ensureCondition(QJsonObject &status, const QString &type, const QString &value,
                     const QString &reason, const QString &message, const QDateTime &now);

// "1,3-5,7", as the Job API writes index sets (a run of two is written "1,2").
QString formatIndexes(const std::set<int> &indexes);
std::set<int> parseIndexes(const QString &text, int completions);

} // namespace timonel::controllers::job

namespace timonel::controllers {

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
    std::optional<job::Condition> finished;
    std::set<int> prevSucceededIndexes;
    std::set<int> succeededIndexes;
    bool satisfied = true;
    bool manageCalled = false;
    bool suspendChanged = false;
    bool retry = false;
    bool reachedMaxUncounted = false;
    std::function<void(bool)> done;
};

} // namespace timonel::controllers
