#include "strategy.h"

#include "core/labelselector.h"
#include "core/names.h"
#include "core/quantity.h"

#include <QHash>
#include <QJsonArray>
#include <QSet>

using namespace Qt::StringLiterals;

namespace timonel::apiserver {

namespace {

QJsonObject objectAt(const QJsonObject &o, QStringView key)
{
    return o.value(key).toObject();
}

// --- pods -------------------------------------------------------------------------------------

void defaultContainers(QJsonArray &containers)
{
    for (qsizetype i = 0; i < containers.size(); ++i) {
        QJsonObject c = containers[i].toObject();
        if (!c.contains(u"imagePullPolicy")) {
            // As SetDefaults_Container: an image without a tag, or tagged latest, is pulled always.
            const QString image = c.value(u"image").toString();
            const QString last = image.mid(image.lastIndexOf(u'/') + 1);
            const bool digest = last.contains(u'@');
            const qsizetype colon = last.indexOf(u':');
            const QString tag = colon < 0 ? QString() : last.mid(colon + 1);
            const bool always = !digest && (tag.isEmpty() || tag == u"latest");
            c.insert(u"imagePullPolicy"_s, always ? u"Always"_s : u"IfNotPresent"_s);
        }
        // A port's name-less hostPort/protocol defaults come from the schema; resources must exist.
        if (!c.contains(u"resources"))
            c.insert(u"resources"_s, QJsonObject());
        containers[i] = c;
    }
}

void defaultPodSpec(QJsonObject &spec)
{
    for (const char16_t *list : {u"containers", u"initContainers"}) {
        if (!spec.contains(list))
            continue;
        QJsonArray containers = spec.value(list).toArray();
        defaultContainers(containers);
        spec.insert(QString::fromUtf16(list), containers);
    }
}

void defaultPod(QJsonObject &pod)
{
    QJsonObject spec = objectAt(pod, u"spec");
    defaultPodSpec(spec);
    // The ServiceAccount admission plugin: every pod runs as a service account.
    if (spec.value(u"serviceAccountName").toString().isEmpty())
        spec.insert(u"serviceAccountName"_s, spec.value(u"serviceAccount").toString(u"default"_s));
    spec.insert(u"serviceAccount"_s, spec.value(u"serviceAccountName"));
    // DefaultTolerationSeconds admission: evict from a not-ready or unreachable node after 300 s.
    QJsonArray tolerations = spec.value(u"tolerations").toArray();
    for (const char16_t *taint : {u"node.kubernetes.io/not-ready", u"node.kubernetes.io/unreachable"}) {
        bool present = false;
        for (const QJsonValue &t : tolerations)
            present = present || t.toObject().value(u"key").toString() == taint;
        if (!present)
            tolerations.append(QJsonObject{{u"key"_s, QString::fromUtf16(taint)},
                                           {u"operator"_s, u"Exists"_s},
                                           {u"effect"_s, u"NoExecute"_s},
                                           {u"tolerationSeconds"_s, 300}});
    }
    spec.insert(u"tolerations"_s, tolerations);
    pod.insert(u"spec"_s, spec);
}

void defaultTemplate(QJsonObject &object)
{
    QJsonObject spec = objectAt(object, u"spec");
    QJsonObject tmpl = objectAt(spec, u"template");
    QJsonObject podSpec = objectAt(tmpl, u"spec");
    defaultPodSpec(podSpec);
    tmpl.insert(u"spec"_s, podSpec);
    spec.insert(u"template"_s, tmpl);
    object.insert(u"spec"_s, spec);
}

QString qosClass(const QJsonObject &spec)
{
    bool any = false;
    bool guaranteed = true;
    for (const QJsonValue &c : spec.value(u"containers").toArray()) {
        const QJsonObject res = c.toObject().value(u"resources").toObject();
        const QJsonObject limits = res.value(u"limits").toObject();
        const QJsonObject requests = res.value(u"requests").toObject();
        any = any || !limits.isEmpty() || !requests.isEmpty();
        for (const char16_t *name : {u"cpu", u"memory"}) {
            const QJsonValue limit = limits.value(name);
            const QJsonValue request = requests.value(name);
            if (limit.isUndefined() || (!request.isUndefined() && request != limit))
                guaranteed = false;
        }
    }
    if (!any)
        return u"BestEffort"_s;
    return guaranteed ? u"Guaranteed"_s : u"Burstable"_s;
}

void prepareNewPod(QJsonObject &pod)
{
    pod.insert(u"status"_s, QJsonObject{{u"phase"_s, u"Pending"_s},
                                        {u"qosClass"_s, qosClass(objectAt(pod, u"spec"))}});
}

FieldErrors validateContainers(const QJsonArray &containers, const QString &path,
                               QSet<QString> &names, bool required)
{
    FieldErrors errors;
    if (required && containers.isEmpty())
        errors.append(FieldError::required(path));
    for (qsizetype i = 0; i < containers.size(); ++i) {
        const QJsonObject c = containers[i].toObject();
        const QString at = u"%1[%2]"_s.arg(path).arg(i);
        const QString name = c.value(u"name").toString();
        if (name.isEmpty())
            errors.append(FieldError::required(at + u".name"_s));
        else if (const QStringList p = core::isDns1123Label(name); !p.isEmpty())
            errors.append(FieldError::invalid(at + u".name"_s, name, p.join(u"; "_s)));
        else if (names.contains(name))
            errors.append(FieldError::duplicate(at + u".name"_s, name));
        names.insert(name);
        if (c.value(u"image").toString().trimmed().isEmpty())
            errors.append(FieldError::required(at + u".image"_s));
        QSet<QString> portNames;
        const QJsonArray ports = c.value(u"ports").toArray();
        for (qsizetype p = 0; p < ports.size(); ++p) {
            const QJsonObject port = ports[p].toObject();
            const QString portAt = u"%1.ports[%2]"_s.arg(at).arg(p);
            const QJsonValue number = port.value(u"containerPort");
            if (number.isUndefined())
                errors.append(FieldError::required(portAt + u".containerPort"_s));
            else if (!core::isValidPortNum(number.toInteger()).isEmpty())
                errors.append(FieldError::invalid(portAt + u".containerPort"_s, number,
                                                  core::isValidPortNum(number.toInteger()).join(u"; "_s)));
            const QString portName = port.value(u"name").toString();
            if (!portName.isEmpty() && portNames.contains(portName))
                errors.append(FieldError::duplicate(portAt + u".name"_s, portName));
            portNames.insert(portName);
        }
        const QJsonArray env = c.value(u"env").toArray();
        for (qsizetype e = 0; e < env.size(); ++e) {
            const QString envName = env[e].toObject().value(u"name").toString();
            if (envName.isEmpty())
                errors.append(FieldError::required(u"%1.env[%2].name"_s.arg(at).arg(e)));
            else if (const QStringList p = core::isEnvVarName(envName); !p.isEmpty())
                errors.append(FieldError::invalid(u"%1.env[%2].name"_s.arg(at).arg(e), envName,
                                                  p.join(u"; "_s)));
        }
    }
    return errors;
}

FieldErrors validatePodSpec(const QJsonObject &spec, const QString &path)
{
    QSet<QString> names;
    FieldErrors errors = validateContainers(spec.value(u"initContainers").toArray(),
                                            path + u".initContainers"_s, names, false);
    errors += validateContainers(spec.value(u"containers").toArray(), path + u".containers"_s,
                                 names, true);
    QSet<QString> volumes;
    const QJsonArray vols = spec.value(u"volumes").toArray();
    for (qsizetype i = 0; i < vols.size(); ++i) {
        const QString name = vols[i].toObject().value(u"name").toString();
        const QString at = u"%1.volumes[%2].name"_s.arg(path).arg(i);
        if (name.isEmpty())
            errors.append(FieldError::required(at));
        else if (volumes.contains(name))
            errors.append(FieldError::duplicate(at, name));
        volumes.insert(name);
    }
    return errors;
}

FieldErrors validatePod(const QJsonObject &pod, const QJsonObject *old)
{
    FieldErrors errors = validatePodSpec(objectAt(pod, u"spec"), u"spec"_s);
    if (old) {
        // Only images (and a few scheduling fields) of a pod may change after creation.
        QJsonObject a = objectAt(pod, u"spec");
        QJsonObject b = objectAt(*old, u"spec");
        for (QJsonObject *spec : {&a, &b}) {
            for (const char16_t *list : {u"containers", u"initContainers"}) {
                QJsonArray cs = spec->value(list).toArray();
                for (qsizetype i = 0; i < cs.size(); ++i) {
                    QJsonObject c = cs[i].toObject();
                    c.remove(u"image"_s);
                    cs[i] = c;
                }
                spec->insert(QString::fromUtf16(list), cs);
            }
            spec->remove(u"activeDeadlineSeconds"_s);
            spec->remove(u"tolerations"_s);
            spec->remove(u"terminationGracePeriodSeconds"_s);
        }
        if (a != b)
            errors.append(FieldError::forbidden(
                u"spec"_s,
                u"pod updates may not change fields other than `spec.containers[*].image`,"
                "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
                "`spec.tolerations` (only additions to existing tolerations),"
                "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
                "previously negative)"_s));
    }
    return errors;
}

// --- workloads --------------------------------------------------------------------------------

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
    job.insert(u"spec"_s, spec);
}

void prepareNewJob(QJsonObject &job)
{
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

// --- core kinds -------------------------------------------------------------------------------

void prepareNamespaceUpdate(QJsonObject &ns, const QJsonObject &old, const QString &subresource)
{
    // The phase is the server's; spec.finalizers change only through /finalize.
    ns.insert(u"status"_s, old.value(u"status"));
    if (subresource != u"finalize")
        ns.insert(u"spec"_s, old.value(u"spec"));
}

bool namespaceHoldsDeletion(const QJsonObject &ns)
{
    return !objectAt(ns, u"spec").value(u"finalizers").toArray().isEmpty();
}

void prepareNamespaceDeletion(QJsonObject &ns)
{
    QJsonObject status = objectAt(ns, u"status");
    status.insert(u"phase"_s, u"Terminating"_s);
    ns.insert(u"status"_s, status);
}

// A pod on a node is stopped by its node agent first, which then deletes it with grace 0.
qint64 podGracePeriod(const QJsonObject &pod, std::optional<qint64> requested)
{
    const QString phase = objectAt(pod, u"status").value(u"phase").toString();
    if (objectAt(pod, u"spec").value(u"nodeName").toString().isEmpty() || phase == u"Succeeded"
        || phase == u"Failed")
        return 0;
    return requested.value_or(
        objectAt(pod, u"spec").value(u"terminationGracePeriodSeconds").toInteger(30));
}

void prepareNewNamespace(QJsonObject &ns)
{
    ns.insert(u"spec"_s, QJsonObject{{u"finalizers"_s, QJsonArray{u"kubernetes"_s}}});
    ns.insert(u"status"_s, QJsonObject{{u"phase"_s, u"Active"_s}});
}

void defaultNamespace(QJsonObject &ns)
{
    // Every namespace carries its own name as a label, so selectors can pick namespaces.
    QJsonObject meta = objectAt(ns, u"metadata");
    QJsonObject labels = meta.value(u"labels").toObject();
    labels.insert(u"kubernetes.io/metadata.name"_s, meta.value(u"name"));
    meta.insert(u"labels"_s, labels);
    ns.insert(u"metadata"_s, meta);
}

void defaultSecret(QJsonObject &secret)
{
    // stringData is write-only: merged into data, base64-encoded, and dropped.
    const QJsonObject stringData = objectAt(secret, u"stringData");
    if (!stringData.isEmpty()) {
        QJsonObject data = objectAt(secret, u"data");
        for (auto it = stringData.begin(); it != stringData.end(); ++it)
            data.insert(it.key(), QString::fromLatin1(it.value().toString().toUtf8().toBase64()));
        secret.insert(u"data"_s, data);
    }
    secret.remove(u"stringData"_s);
    if (secret.value(u"type").toString().isEmpty())
        secret.insert(u"type"_s, u"Opaque"_s);
}

FieldErrors validateDataKeys(const QJsonObject &object)
{
    FieldErrors errors;
    for (const char16_t *field : {u"data", u"binaryData"}) {
        const QJsonObject data = objectAt(object, field);
        for (auto it = data.begin(); it != data.end(); ++it)
            if (const QStringList p = core::isConfigMapKey(it.key()); !p.isEmpty())
                errors.append(FieldError::invalid(QString::fromUtf16(field), it.key(),
                                                  p.join(u"; "_s)));
    }
    return errors;
}

FieldErrors validateDataKeysOnly(const QJsonObject &object, const QJsonObject *)
{
    return validateDataKeys(object);
}

void defaultService(QJsonObject &service)
{
    QJsonObject spec = objectAt(service, u"spec");
    const QString type = spec.value(u"type").toString(u"ClusterIP"_s);
    QJsonArray ports = spec.value(u"ports").toArray();
    for (qsizetype i = 0; i < ports.size(); ++i) {
        QJsonObject p = ports[i].toObject();
        if (!p.contains(u"targetPort"))
            p.insert(u"targetPort"_s, p.value(u"port"));
        ports[i] = p;
    }
    if (!ports.isEmpty())
        spec.insert(u"ports"_s, ports);
    if (type != u"ExternalName") {
        if (!spec.contains(u"ipFamilies"))
            spec.insert(u"ipFamilies"_s, QJsonArray{u"IPv4"_s});
        if (!spec.contains(u"ipFamilyPolicy"))
            spec.insert(u"ipFamilyPolicy"_s, u"SingleStack"_s);
        if (!spec.contains(u"internalTrafficPolicy"))
            spec.insert(u"internalTrafficPolicy"_s, u"Cluster"_s);
    }
    if ((type == u"NodePort" || type == u"LoadBalancer") && !spec.contains(u"externalTrafficPolicy"))
        spec.insert(u"externalTrafficPolicy"_s, u"Cluster"_s);
    if (type == u"LoadBalancer" && !spec.contains(u"allocateLoadBalancerNodePorts"))
        spec.insert(u"allocateLoadBalancerNodePorts"_s, true);
    service.insert(u"spec"_s, spec);
}

FieldErrors validateService(const QJsonObject &service, const QJsonObject *)
{
    FieldErrors errors;
    const QJsonObject spec = objectAt(service, u"spec");
    const QString type = spec.value(u"type").toString(u"ClusterIP"_s);
    const QJsonArray ports = spec.value(u"ports").toArray();
    if (ports.isEmpty() && type != u"ExternalName" && spec.value(u"clusterIP").toString() != u"None")
        errors.append(FieldError::required(u"spec.ports"_s));
    QSet<QString> names;
    for (qsizetype i = 0; i < ports.size(); ++i) {
        const QJsonObject p = ports[i].toObject();
        const QString at = u"spec.ports[%1]"_s.arg(i);
        const qint64 port = p.value(u"port").toInteger();
        if (const QStringList e = core::isValidPortNum(port); !e.isEmpty())
            errors.append(FieldError::invalid(at + u".port"_s, p.value(u"port"), e.join(u"; "_s)));
        const QString name = p.value(u"name").toString();
        if (ports.size() > 1 && name.isEmpty())
            errors.append(FieldError::required(at + u".name"_s));
        else if (names.contains(name))
            errors.append(FieldError::duplicate(at + u".name"_s, name));
        names.insert(name);
    }
    if (type == u"ExternalName" && spec.value(u"externalName").toString().isEmpty())
        errors.append(FieldError::required(u"spec.externalName"_s));
    return errors;
}

FieldErrors validateCustomResourceDefinition(const QJsonObject &crd, const QJsonObject *old)
{
    FieldErrors errors;
    const QJsonObject spec = objectAt(crd, u"spec");
    const QJsonObject names = objectAt(spec, u"names");
    const QString group = spec.value(u"group").toString();
    const QString plural = names.value(u"plural").toString();
    const QString name = objectAt(crd, u"metadata").value(u"name").toString();
    if (name != plural + u'.' + group)
        errors.append(FieldError::invalid(u"metadata.name"_s, name,
                                          u"must be spec.names.plural+\".\"+spec.group"_s));
    if (group.isEmpty() || !group.contains(u'.'))
        errors.append(FieldError::invalid(u"spec.group"_s, group,
                                          u"should be a domain with at least one dot"_s));
    int storage = 0;
    const QJsonArray versions = spec.value(u"versions").toArray();
    for (const QJsonValue &v : versions)
        storage += v.toObject().value(u"storage").toBool() ? 1 : 0;
    if (versions.isEmpty())
        errors.append(FieldError::invalid(u"spec.versions"_s, QJsonValue::Undefined,
                                          u"must have exactly one version marked as storage version"_s));
    else if (storage != 1)
        errors.append(FieldError::invalid(u"spec.versions"_s, QJsonValue::Undefined,
                                          u"must have exactly one version marked as storage version"_s));
    if (old && objectAt(*old, u"spec").value(u"group") != spec.value(u"group"))
        errors.append(FieldError::invalid(u"spec.group"_s, group, u"field is immutable"_s));
    return errors;
}

const QHash<QString, KindStrategy> &strategies()
{
    static const QHash<QString, KindStrategy> table{
        {u"pods"_s,
         {.defaults = defaultPod,
          .prepareForCreate = prepareNewPod,
          .validate = validatePod,
          .gracePeriod = podGracePeriod}},
        {u"namespaces"_s,
         {.defaults = defaultNamespace,
          .prepareForCreate = prepareNewNamespace,
          .prepareForUpdate = prepareNamespaceUpdate,
          .holdsDeletion = namespaceHoldsDeletion,
          .prepareForDeletion = prepareNamespaceDeletion}},
        {u"nodes"_s, {.statusFromCreator = true}},
        {u"secrets"_s, {defaultSecret, nullptr, validateDataKeysOnly}},
        {u"configmaps"_s, {nullptr, nullptr, validateDataKeysOnly}},
        {u"services"_s, {defaultService, nullptr, validateService}},
        {u"deployments.apps"_s, {defaultDeployment, nullptr, validateDeploymentLike}},
        {u"replicasets.apps"_s, {defaultTemplate, nullptr, validateDeploymentLike}},
        {u"statefulsets.apps"_s, {defaultStatefulSet, nullptr, validateDeploymentLike}},
        {u"daemonsets.apps"_s, {defaultDaemonSet, nullptr, validateDeploymentLike}},
        {u"replicationcontrollers"_s, {defaultTemplate, nullptr, nullptr}},
        {u"jobs.batch"_s, {defaultJob, prepareNewJob, validateJob}},
        {u"cronjobs.batch"_s, {defaultCronJob, nullptr, nullptr}},
        {u"customresourcedefinitions.apiextensions.k8s.io"_s,
         {nullptr, nullptr, validateCustomResourceDefinition}},
    };
    return table;
}

} // namespace

const KindStrategy &strategyFor(const core::ResourceInfo &resource)
{
    static const KindStrategy none;
    const auto &table = strategies();
    auto it = table.find(resource.groupResource());
    return it == table.end() ? none : *it;
}

bool tracksGeneration(const core::ResourceInfo &resource)
{
    // The kinds whose strategies keep metadata.generation (controllers report
    // status.observedGeneration against it), and every custom resource.
    static const QSet<QString> kinds{
        u"deployments.apps"_s,          u"replicasets.apps"_s,
        u"statefulsets.apps"_s,         u"daemonsets.apps"_s,
        u"replicationcontrollers"_s,    u"jobs.batch"_s,
        u"cronjobs.batch"_s,            u"ingresses.networking.k8s.io"_s,
        u"networkpolicies.networking.k8s.io"_s, u"poddisruptionbudgets.policy"_s,
        u"horizontalpodautoscalers.autoscaling"_s,
        u"customresourcedefinitions.apiextensions.k8s.io"_s};
    return resource.custom || kinds.contains(resource.groupResource());
}

FieldErrors validateObjectMeta(const QJsonObject &object, const core::ResourceInfo &resource)
{
    FieldErrors errors;
    const QJsonObject meta = objectAt(object, u"metadata");
    const QString name = meta.value(u"name").toString();
    if (name.isEmpty()) {
        errors.append(FieldError::required(u"metadata.name"_s,
                                           u"name or generateName is required"_s));
    } else if (const QStringList p = core::validateObjectName(name, resource.kind); !p.isEmpty()) {
        errors.append(FieldError::invalid(u"metadata.name"_s, name, p.join(u", "_s)));
    }
    if (!resource.namespaced && !meta.value(u"namespace").toString().isEmpty())
        errors.append(FieldError::forbidden(u"metadata.namespace"_s,
                                            u"not allowed on this type"_s));
    const QJsonObject labels = meta.value(u"labels").toObject();
    for (auto it = labels.begin(); it != labels.end(); ++it) {
        if (const QStringList p = core::isQualifiedName(it.key()); !p.isEmpty())
            errors.append(FieldError::invalid(u"metadata.labels"_s, it.key(), p.join(u"; "_s)));
        if (const QStringList p = core::isValidLabelValue(it.value().toString()); !p.isEmpty())
            errors.append(FieldError::invalid(u"metadata.labels"_s, it.value(), p.join(u"; "_s)));
    }
    const QJsonObject annotations = meta.value(u"annotations").toObject();
    qsizetype total = 0;
    for (auto it = annotations.begin(); it != annotations.end(); ++it) {
        if (const QStringList p = core::isQualifiedName(it.key().toLower()); !p.isEmpty())
            errors.append(
                FieldError::invalid(u"metadata.annotations"_s, it.key(), p.join(u"; "_s)));
        total += it.key().size() + it.value().toString().toUtf8().size();
    }
    if (total > 256 * 1024)
        errors.append(FieldError::tooLong(u"metadata.annotations"_s, QJsonValue::Undefined,
                                          256 * 1024));
    return errors;
}

} // namespace timonel::apiserver
