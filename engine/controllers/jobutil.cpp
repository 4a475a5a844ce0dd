// Readings of Jobs and their pods, as Kubernetes keeps them in job_controller.go and
// indexed_job_utils.go: completion indexes and index sets, failed and terminating pods, the
// tracking finalizer, and the Job's conditions.
#include "jobcontroller_p.h"

#include "controllerutils.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace timonel::controllers::job {

Q_LOGGING_CATEGORY(lcJobs, "timonel.controllers.job", QtInfoMsg)

const client::Resource jobs{u"batch"_s, u"v1"_s, u"jobs"_s};
const client::Resource pods{u""_s, u"v1"_s, u"pods"_s};
const client::WriteQuery asController{u"kube-controller-manager"_s, false, false};

const QString trackingFinalizer = u"batch.kubernetes.io/job-tracking"_s;
const QString indexKey = u"batch.kubernetes.io/job-completion-index"_s;

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

QJsonObject finishedCondition(const QJsonObject &job)
{
    for (const QString &type : {u"Complete"_s, u"Failed"_s})
        if (conditionTrue(job, type))
            return findCondition(job, type);
    return {};
}

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

} // namespace timonel::controllers::job
