// Workloads: Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs.
#include "strategy_p.h"

#include "core/labelselector.h"
#include "core/names.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace timonel::apiserver::strategies {

// As apimachinery's ValidateLabelSelector: the keys and values of matchLabels, and each
// expression's operator, key and values.
FieldErrors validateLabelSelector(const QJsonObject &selector, const QString &path)
{
    FieldErrors errors;
    const QJsonObject matchLabels = selector.value(u"matchLabels").toObject();
    for (auto it = matchLabels.begin(); it != matchLabels.end(); ++it) {
        if (const QStringList p = core::isQualifiedName(it.key()); !p.isEmpty())
            errors.append(FieldError::invalid(path + u".matchLabels"_s, it.key(), p.join(u"; "_s)));
        if (const QStringList p = core::isValidLabelValue(it.value().toString()); !p.isEmpty())
            errors.append(FieldError::invalid(path + u".matchLabels"_s, it.value(), p.join(u"; "_s)));
    }
    const QJsonArray expressions = selector.value(u"matchExpressions").toArray();
    for (qsizetype i = 0; i < expressions.size(); ++i) {
        const QJsonObject e = expressions[i].toObject();
        const QString at = u"%1.matchExpressions[%2]"_s.arg(path).arg(i);
        const QString op = e.value(u"operator").toString();
        const bool hasValues = !e.value(u"values").toArray().isEmpty();
        if (op == u"In" || op == u"NotIn") {
            if (!hasValues)
                errors.append(FieldError::required(
                    at + u".values"_s, u"must be specified when `operator` is 'In' or 'NotIn'"_s));
        } else if (op == u"Exists" || op == u"DoesNotExist") {
            if (hasValues)
                errors.append(FieldError::forbidden(
                    at + u".values"_s,
                    u"may not be specified when `operator` is 'Exists' or 'DoesNotExist'"_s));
        } else {
            errors.append(FieldError::invalid(at + u".operator"_s, op, u"not a valid selector operator"_s));
        }
        if (const QStringList p = core::isQualifiedName(e.value(u"key").toString()); !p.isEmpty())
            errors.append(FieldError::invalid(at + u".key"_s, e.value(u"key"), p.join(u"; "_s)));
    }
    return errors;
}

// The selector of a workload: valid, and matching the labels of its pod template. `usable`
// tells whether it could be turned into a selector at all.
FieldErrors validateSelectorMatchesTemplate(const QJsonObject &object, bool required, bool *usable)
{
    FieldErrors errors;
    *usable = false;
    const QJsonObject spec = objectAt(object, u"spec");
    const QJsonValue selector = spec.value(u"selector");
    if (selector.isUndefined() || selector.toObject().isEmpty()) {
        if (required)
            errors.append(FieldError::required(u"spec.selector"_s));
        return errors;
    }
    errors += validateLabelSelector(selector.toObject(), u"spec.selector"_s);
    const auto parsed = core::LabelSelector::fromJson(selector.toObject());
    if (!parsed) {
        errors.append(FieldError::invalid(u"spec.selector"_s, selector, u"invalid label selector"_s));
        return errors;
    }
    *usable = true;
    const QJsonObject labels = objectAt(objectAt(spec, u"template"), u"metadata")
                                   .value(u"labels")
                                   .toObject();
    if (!parsed->matches(labels))
        errors.append(FieldError::invalid(u"spec.template.metadata.labels"_s, QJsonValue(labels),
                                          u"`selector` does not match template `labels`"_s));
    return errors;
}

FieldErrors validateWorkload(const QJsonObject &object, const QJsonObject *old)
{
    bool usable = false;
    FieldErrors errors = validateSelectorMatchesTemplate(object, true, &usable);
    if (usable) // as Kubernetes: the template is checked against a selector that works
        errors += validatePodSpec(
            objectAt(objectAt(objectAt(object, u"spec"), u"template"), u"spec"),
            u"spec.template.spec"_s);
    if (old && objectAt(object, u"spec").value(u"selector")
                   != objectAt(*old, u"spec").value(u"selector"))
        errors.append(FieldError::invalid(u"spec.selector"_s,
                                          objectAt(object, u"spec").value(u"selector"),
                                          u"field is immutable"_s));
    return errors;
}

FieldErrors validateDeploymentLike(const QJsonObject &object, const QJsonObject *old)
{
    FieldErrors errors = validateWorkload(object, old);
    const QString restart = objectAt(objectAt(objectAt(object, u"spec"), u"template"), u"spec")
                                .value(u"restartPolicy")
                                .toString(u"Always"_s);
    if (restart != u"Always")
        errors.append(FieldError::notSupported(u"spec.template.spec.restartPolicy"_s, restart,
                                               {u"Always"_s}));
    return errors;
}

// A plain Go struct under spec (a strategy) exists even when the manifest leaves it out, and
// a RollingUpdate type brings its tuning object, whose own defaults the schema then fills in.
void defaultUpdateStrategy(QJsonObject &object, const QString &field, bool rollingUpdateOnlyWhenTypeWasEmpty,
                           const QJsonObject &rollingUpdate = {})
{
    QJsonObject spec = objectAt(object, u"spec");
    QJsonObject strategy = objectAt(spec, field);
    const bool typeWasEmpty = strategy.value(u"type").toString().isEmpty();
    if (typeWasEmpty)
        strategy.insert(u"type"_s, u"RollingUpdate"_s);
    if (strategy.value(u"type").toString() == u"RollingUpdate" && !strategy.contains(u"rollingUpdate")
        && (typeWasEmpty || !rollingUpdateOnlyWhenTypeWasEmpty))
        strategy.insert(u"rollingUpdate"_s, rollingUpdate);
    spec.insert(field, strategy);
    object.insert(u"spec"_s, spec);
}

void defaultDeployment(QJsonObject &deployment)
{
    defaultTemplate(deployment);
    defaultUpdateStrategy(deployment, u"strategy"_s, false);
}

void defaultDaemonSet(QJsonObject &daemonSet)
{
    defaultTemplate(daemonSet);
    defaultUpdateStrategy(daemonSet, u"updateStrategy"_s, false);
}

void defaultStatefulSet(QJsonObject &statefulSet)
{
    defaultTemplate(statefulSet);
    // As SetDefaults_StatefulSet: rollingUpdate (partition 0) only when the type was defaulted.
    defaultUpdateStrategy(statefulSet, u"updateStrategy"_s, true,
                          QJsonObject{{u"partition"_s, 0}});
    QJsonObject spec = objectAt(statefulSet, u"spec");
    if (!spec.contains(u"persistentVolumeClaimRetentionPolicy"))
        spec.insert(u"persistentVolumeClaimRetentionPolicy"_s, QJsonObject());
    statefulSet.insert(u"spec"_s, spec);
}

// SetDefaults_Job: a Job without labels of its own takes its pod template's. Kubernetes also
// applies this when it reads the stored Job back, so a Job whose template had no labels shows
// the generated ones (job-name, controller-uid).
static void defaultJobLabels(QJsonObject &job)
{
    QJsonObject meta = objectAt(job, u"metadata");
    const QJsonValue templateLabels =
        objectAt(objectAt(objectAt(job, u"spec"), u"template"), u"metadata").value(u"labels");
    if (!meta.value(u"labels").toObject().isEmpty() || !templateLabels.isObject())
        return;
    meta.insert(u"labels"_s, templateLabels);
    job.insert(u"metadata"_s, meta);
}

void defaultJob(QJsonObject &job)
{
    defaultTemplate(job);
    // SetDefaults_Job: one pod to completion unless told otherwise.
    QJsonObject spec = objectAt(job, u"spec");
    if (!spec.contains(u"completions") && !spec.contains(u"parallelism"))
        spec.insert(u"completions"_s, 1);
    if (!spec.contains(u"parallelism"))
        spec.insert(u"parallelism"_s, 1);
    if (!spec.contains(u"podReplacementPolicy"))
        spec.insert(u"podReplacementPolicy"_s, spec.contains(u"podFailurePolicy")
                                                   ? u"Failed"_s
                                                   : u"TerminatingOrFailed"_s);
    if (!spec.contains(u"backoffLimit"))
        spec.insert(u"backoffLimit"_s, spec.contains(u"backoffLimitPerIndex") ? 2147483647 : 6);
    if (!spec.contains(u"completionMode"))
        spec.insert(u"completionMode"_s, u"NonIndexed"_s);
    if (!spec.contains(u"suspend"))
        spec.insert(u"suspend"_s, false);
    if (!spec.contains(u"manualSelector"))
        spec.insert(u"manualSelector"_s, false);
    job.insert(u"spec"_s, spec);
    defaultJobLabels(job);
}

void prepareNewJob(QJsonObject &job)
{
    // Kubernetes defaults before it generates the selector: the Job takes the labels the user
    // gave its template, not the generated ones (unless there were none, see defaultJob).
    defaultJobLabels(job);
    QJsonObject spec = objectAt(job, u"spec");
    if (spec.value(u"manualSelector").toBool())
        return;
    const QString uid = objectAt(job, u"metadata").value(u"uid").toString();
    const QString name = objectAt(job, u"metadata").value(u"name").toString();
    const QJsonObject labels{{u"batch.kubernetes.io/controller-uid"_s, uid},
                             {u"batch.kubernetes.io/job-name"_s, name},
                             {u"controller-uid"_s, uid},
                             {u"job-name"_s, name}};
    spec.insert(u"selector"_s,
                QJsonObject{{u"matchLabels"_s,
                             QJsonObject{{u"batch.kubernetes.io/controller-uid"_s, uid}}}});
    QJsonObject tmpl = objectAt(spec, u"template");
    QJsonObject meta = objectAt(tmpl, u"metadata");
    QJsonObject tmplLabels = meta.value(u"labels").toObject();
    for (auto it = labels.begin(); it != labels.end(); ++it)
        tmplLabels.insert(it.key(), it.value());
    meta.insert(u"labels"_s, tmplLabels);
    tmpl.insert(u"metadata"_s, meta);
    spec.insert(u"template"_s, tmpl);
    job.insert(u"spec"_s, spec);
}

FieldErrors validateJob(const QJsonObject &job, const QJsonObject *old)
{
    FieldErrors errors = validateWorkload(job, old);
    const QString restart = objectAt(objectAt(objectAt(job, u"spec"), u"template"), u"spec")
                                .value(u"restartPolicy")
                                .toString();
    if (restart != u"Never" && restart != u"OnFailure")
        errors.append(FieldError::notSupported(u"spec.template.spec.restartPolicy"_s, restart,
                                               {u"OnFailure"_s, u"Never"_s}));
    return errors;
}

void defaultCronJob(QJsonObject &cronJob)
{
    QJsonObject spec = objectAt(cronJob, u"spec");
    QJsonObject jobTemplate = objectAt(spec, u"jobTemplate");
    defaultTemplate(jobTemplate);
    spec.insert(u"jobTemplate"_s, jobTemplate);
    cronJob.insert(u"spec"_s, spec);
}

} // namespace timonel::apiserver::strategies
