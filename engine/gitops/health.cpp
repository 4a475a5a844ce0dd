#include "health.h"

#include <QCoreApplication>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace timonel::gitops {

namespace {

// This file's user-visible texts.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(GitOpsHealth)
};

QJsonValue at(const QJsonObject &object, std::initializer_list<QStringView> path)
{
    QJsonValue value = object;
    for (QStringView part : path)
        value = value.toObject().value(part);
    return value;
}

QJsonObject condition(const QJsonObject &object, QStringView type)
{
    for (const QJsonValue &c : at(object, {u"status", u"conditions"}).toArray())
        if (c[u"type"].toString() == type)
            return c.toObject();
    return {};
}

// The controller has not looked at the latest spec yet.
bool staleStatus(const QJsonObject &object)
{
    const QJsonValue observed = at(object, {u"status", u"observedGeneration"});
    const QJsonValue generation = at(object, {u"metadata", u"generation"});
    return !observed.isUndefined() && !generation.isUndefined() &&
           observed.toInteger() < generation.toInteger();
}

ObjectHealth deploymentHealth(const QJsonObject &d)
{
    if (at(d, {u"spec", u"paused"}).toBool())
        return {Health::Suspended, Tr::tr("Deployment is paused")};
    if (staleStatus(d))
        return {Health::Progressing, Tr::tr("Waiting for the rollout to be observed")};
    const QJsonObject progressing = condition(d, u"Progressing");
    if (progressing[u"reason"].toString() == u"ProgressDeadlineExceeded")
        return {Health::Degraded, progressing[u"message"].toString()};
    const qint64 wanted = at(d, {u"spec", u"replicas"}).toInteger(1);
    const qint64 updated = at(d, {u"status", u"updatedReplicas"}).toInteger();
    const qint64 total = at(d, {u"status", u"replicas"}).toInteger();
    const qint64 available = at(d, {u"status", u"availableReplicas"}).toInteger();
    if (updated < wanted)
        return {Health::Progressing,
                u"%1 of %2 updated replicas are available"_s.arg(updated).arg(wanted)};
    if (total > updated)
        return {Health::Progressing,
                u"%1 old replicas are pending termination"_s.arg(total - updated)};
    if (available < updated)
        return {Health::Progressing,
                u"%1 of %2 updated replicas are available"_s.arg(available).arg(updated)};
    return {};
}

ObjectHealth statefulSetHealth(const QJsonObject &s)
{
    if (staleStatus(s))
        return {Health::Progressing, Tr::tr("Waiting for the rollout to be observed")};
    const qint64 wanted = at(s, {u"spec", u"replicas"}).toInteger(1);
    const qint64 ready = at(s, {u"status", u"readyReplicas"}).toInteger();
    if (ready < wanted)
        return {Health::Progressing, u"%1 of %2 pods are ready"_s.arg(ready).arg(wanted)};
    const QString current = at(s, {u"status", u"currentRevision"}).toString();
    const QString update = at(s, {u"status", u"updateRevision"}).toString();
    if (!update.isEmpty() && current != update)
        return {Health::Progressing, Tr::tr("Rolling out revision %1").arg(update)};
    return {};
}

ObjectHealth daemonSetHealth(const QJsonObject &d)
{
    if (staleStatus(d))
        return {Health::Progressing, Tr::tr("Waiting for the rollout to be observed")};
    const qint64 wanted = at(d, {u"status", u"desiredNumberScheduled"}).toInteger();
    const qint64 updated = at(d, {u"status", u"updatedNumberScheduled"}).toInteger();
    const qint64 available = at(d, {u"status", u"numberAvailable"}).toInteger();
    if (updated < wanted || available < wanted)
        return {Health::Progressing, u"%1 of %2 pods are available"_s.arg(available).arg(wanted)};
    return {};
}

ObjectHealth jobHealth(const QJsonObject &j)
{
    if (at(j, {u"spec", u"suspend"}).toBool())
        return {Health::Suspended, Tr::tr("Job is suspended")};
    const QJsonObject failed = condition(j, u"Failed");
    if (failed[u"status"].toString() == u"True")
        return {Health::Degraded, failed[u"message"].toString()};
    if (condition(j, u"Complete")[u"status"].toString() == u"True")
        return {};
    return {Health::Progressing, Tr::tr("Job is running")};
}

ObjectHealth podHealth(const QJsonObject &p)
{
    const QString phase = at(p, {u"status", u"phase"}).toString();
    if (phase == u"Failed")
        return {Health::Degraded, at(p, {u"status", u"message"}).toString()};
    if (phase == u"Succeeded")
        return {};
    for (const QJsonValue &c : at(p, {u"status", u"containerStatuses"}).toArray()) {
        const QString waiting = c[u"state"][u"waiting"][u"reason"].toString();
        if (waiting == u"CrashLoopBackOff" || waiting == u"ImagePullBackOff" ||
            waiting == u"ErrImagePull" || waiting == u"CreateContainerConfigError")
            return {Health::Degraded, waiting};
    }
    if (phase == u"Running" && condition(p, u"Ready")[u"status"].toString() == u"True")
        return {};
    return {Health::Progressing, phase.isEmpty() ? u"Pending"_s : phase};
}

} // namespace

ObjectHealth healthOf(const std::optional<QJsonObject> &live)
{
    if (!live)
        return {Health::Missing, {}};
    const QString kind = live->value(u"kind").toString();
    if (kind == u"Deployment")
        return deploymentHealth(*live);
    if (kind == u"StatefulSet")
        return statefulSetHealth(*live);
    if (kind == u"DaemonSet")
        return daemonSetHealth(*live);
    if (kind == u"Job")
        return jobHealth(*live);
    if (kind == u"Pod")
        return podHealth(*live);
    if (kind == u"CronJob" && at(*live, {u"spec", u"suspend"}).toBool())
        return {Health::Suspended, Tr::tr("CronJob is suspended")};
    if (kind == u"PersistentVolumeClaim" && at(*live, {u"status", u"phase"}).toString() != u"Bound")
        return {Health::Progressing, Tr::tr("Waiting for the claim to be bound")};
    if (kind == u"Service" && at(*live, {u"spec", u"type"}).toString() == u"LoadBalancer" &&
        at(*live, {u"status", u"loadBalancer", u"ingress"}).toArray().isEmpty())
        return {Health::Progressing, Tr::tr("Waiting for the load balancer's address")};
    if (kind == u"Ingress" &&
        at(*live, {u"status", u"loadBalancer", u"ingress"}).toArray().isEmpty())
        return {Health::Progressing, Tr::tr("Waiting for the ingress's address")};
    return {};
}

Health overallHealth(const QList<Health> &objects)
{
    static const QList<Health> worstFirst{Health::Degraded, Health::Missing, Health::Progressing,
                                          Health::Suspended};
    for (Health h : worstFirst)
        if (objects.contains(h))
            return h;
    return Health::Healthy;
}

QString healthName(Health health)
{
    switch (health) {
    case Health::Healthy:
        return u"Healthy"_s;
    case Health::Progressing:
        return u"Progressing"_s;
    case Health::Degraded:
        return u"Degraded"_s;
    case Health::Suspended:
        return u"Suspended"_s;
    case Health::Missing:
        return u"Missing"_s;
    }
    return {};
}

} // namespace timonel::gitops
