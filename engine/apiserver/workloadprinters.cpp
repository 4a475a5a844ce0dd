// The cells of deployments, stateful sets, controller revisions, autoscalers, jobs and cron jobs.
#include "printers_p.h"

#include "tableconvertor.h"

using namespace Qt::StringLiterals;

namespace timonel::apiserver::printing {

QJsonValue readyOfDesired(O o, N)
{
    return u"%1/%2"_s.arg(integer(at(o, {u"status", u"readyReplicas"})))
        .arg(integer(at(o, {u"spec", u"replicas"}), 1));
}

QJsonValue deploymentSelector(O o, N)
{
    return selectorText(at(o, {u"spec", u"selector"})).value_or(u"<invalid>"_s);
}

QJsonValue controllerRevisionController(O o, N)
{
    for (const QJsonValue &ref : at(o, {u"metadata", u"ownerReferences"}).toArray()) {
        if (!ref[u"controller"].toBool())
            continue;
        const QString apiVersion = ref[u"apiVersion"].toString();
        const QString group = apiVersion.contains(u'/') ? apiVersion.section(u'/', 0, 0) : u""_s;
        const QString kind = ref[u"kind"].toString();
        const QString name = ref[u"name"].toString();
        if (kind.isEmpty() && group.isEmpty())
            return name;
        return (group.isEmpty() ? kind : kind + u'.' + group).toLower() + u'/' + name;
    }
    return u"<none>"_s;
}

QJsonValue hpaReference(O o, N)
{
    const QJsonValue ref = at(o, {u"spec", u"scaleTargetRef"});
    return ref[u"kind"].toString() + u'/' + ref[u"name"].toString();
}

QJsonValue hpaTargets(O o, N)
{
    // A v1 autoscaler's one metric: CPU utilization, 80% unless set (the v2 default).
    const qint64 target = integer(at(o, {u"spec", u"targetCPUUtilizationPercentage"}), 80);
    const QJsonValue current = at(o, {u"status", u"currentCPUUtilizationPercentage"});
    return u"cpu: %1/%2%"_s
        .arg(current.isDouble() ? u"%1%"_s.arg(current.toInteger()) : u"<unknown>"_s)
        .arg(target);
}

QJsonValue jobStatus(O o, N)
{
    const QJsonValue conditions = at(o, {u"status", u"conditions"});
    if (conditionIsTrue(conditions, u"Complete"))
        return u"Complete"_s;
    if (conditionIsTrue(conditions, u"Failed"))
        return u"Failed"_s;
    if (isSet(at(o, {u"metadata", u"deletionTimestamp"})))
        return u"Terminating"_s;
    if (conditionIsTrue(conditions, u"Suspended"))
        return u"Suspended"_s;
    if (conditionIsTrue(conditions, u"FailureTarget"))
        return u"FailureTarget"_s;
    return u"Running"_s;
}

QJsonValue jobCompletions(O o, N)
{
    const qint64 succeeded = integer(at(o, {u"status", u"succeeded"}));
    const QJsonValue completions = at(o, {u"spec", u"completions"});
    if (completions.isDouble())
        return u"%1/%2"_s.arg(succeeded).arg(completions.toInteger());
    const qint64 parallelism = integer(at(o, {u"spec", u"parallelism"}));
    return parallelism > 1 ? u"%1/1 of %2"_s.arg(succeeded).arg(parallelism)
                           : u"%1/1"_s.arg(succeeded);
}

QJsonValue jobDuration(O o, N now)
{
    const Micros start = timeOf(at(o, {u"status", u"startTime"}));
    if (!start)
        return u""_s;
    const Micros completion = timeOf(at(o, {u"status", u"completionTime"}));
    return humanDuration(secondsBetween(*start, completion.value_or(micros(now))));
}

QJsonValue cronJobSuspend(O o, N)
{
    const QJsonValue suspend = at(o, {u"spec", u"suspend"});
    if (!suspend.isBool())
        return u"<unset>"_s;
    return suspend.toBool() ? u"True"_s : u"False"_s;
}

QJsonValue cronJobLastSchedule(O o, N now)
{
    const QJsonValue last = at(o, {u"status", u"lastScheduleTime"});
    return isSet(last) ? since(last, now) : u"<none>"_s;
}

} // namespace timonel::apiserver::printing
