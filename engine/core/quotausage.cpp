#include "quotausage.h"

#include <QHash>
#include <QJsonArray>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace timonel::core::quota {

namespace {

QJsonObject objectAt(const QJsonObject &o, QStringView key)
{
    return o.value(key).toObject();
}

// corev1.ResourceName constants.
const QString pods = u"pods"_s;
const QString cpu = u"cpu"_s;
const QString memory = u"memory"_s;
const QString ephemeralStorage = u"ephemeral-storage"_s;
const QString requestsPrefix = u"requests."_s;
const QString limitsPrefix = u"limits."_s;
const QString hugePagesPrefix = u"hugepages-"_s;
const QString storageClassSuffix = u".storageclass.storage.k8s.io/"_s;

const QStringList podResources{u"count/pods"_s,
                               cpu,
                               memory,
                               ephemeralStorage,
                               u"requests.cpu"_s,
                               u"requests.memory"_s,
                               u"requests.ephemeral-storage"_s,
                               u"limits.cpu"_s,
                               u"limits.memory"_s,
                               u"limits.ephemeral-storage"_s,
                               pods};
const QStringList serviceResources{u"count/services"_s, u"services"_s, u"services.nodeports"_s,
                                   u"services.loadbalancers"_s};
const QStringList claimResources{u"persistentvolumeclaims"_s, u"requests.storage"_s};

// Kubernetes' mistake it keeps for compatibility: a quota on these makes every container say
// what it wants of them.
const QStringList validationSet{
    cpu, memory, u"requests.cpu"_s, u"requests.memory"_s, u"limits.cpu"_s, u"limits.memory"_s};

// The resources counted under a legacy name besides count/<resource>.
const QHash<QString, QString> legacyCountAliases{
    {u"configmaps"_s, u"configmaps"_s},
    {u"resourcequotas"_s, u"resourcequotas"_s},
    {u"replicationcontrollers"_s, u"replicationcontrollers"_s},
    {u"secrets"_s, u"secrets"_s},
};

// helper.IsNativeResource: no domain, or a kubernetes.io one.
bool isNativeResource(QStringView name)
{
    return !name.contains(u'/') || name.contains(u"kubernetes.io/");
}

// An extended resource named for quota: requests.<domain>/<name>.
bool isExtendedResourceNameForQuota(QStringView name)
{
    return !isNativeResource(name) && name.startsWith(requestsPrefix);
}

// helper.IsExtendedResourceName, for a container's request.
bool isExtendedResourceName(QStringView name)
{
    return !isNativeResource(name) && !name.startsWith(requestsPrefix);
}

Quantity one()
{
    return Quantity::fromValue(1);
}

QStringList intersection(const QStringList &a, const QStringList &b)
{
    QStringList result;
    for (const QString &name : a)
        if (b.contains(name) && !result.contains(name))
            result.append(name);
    return result;
}

// podComputeUsageHelper: what requests and limits charge.
ResourceList computeUsage(const ResourceList &requests, const ResourceList &limits)
{
    ResourceList result{{pods, one()}};
    for (const QString &name : {cpu, memory, ephemeralStorage}) {
        if (requests.contains(name)) {
            result.insert(name, requests.value(name));
            result.insert(requestsPrefix + name, requests.value(name));
        }
        if (limits.contains(name))
            result.insert(limitsPrefix + name, limits.value(name));
    }
    for (auto it = requests.begin(); it != requests.end(); ++it) {
        if (it.key().startsWith(hugePagesPrefix)) {
            result.insert(it.key(), it.value());
            result.insert(requestsPrefix + it.key(), it.value());
        }
        if (isExtendedResourceName(it.key()))
            result.insert(requestsPrefix + it.key(), it.value());
    }
    return result;
}

bool isTerminating(const QJsonObject &pod)
{
    const QJsonValue deadline = objectAt(pod, u"spec").value(u"activeDeadlineSeconds");
    return deadline.isDouble() && deadline.toInteger() >= 0;
}

// QuotaV1Pod: terminal pods, and pods past their deletion grace period (a lost node's), no
// longer use the namespace's compute resources.
bool chargesCompute(const QJsonObject &pod, const QDateTime &now)
{
    const QString phase = objectAt(pod, u"status").value(u"phase").toString();
    if (phase == u"Failed" || phase == u"Succeeded")
        return false;
    const QJsonObject meta = objectAt(pod, u"metadata");
    const QJsonValue grace = meta.value(u"deletionGracePeriodSeconds");
    const QDateTime deletion =
        QDateTime::fromString(meta.value(u"deletionTimestamp").toString(), Qt::ISODate);
    if (deletion.isValid() && grace.isDouble() && now > deletion.addSecs(grace.toInteger()))
        return false;
    return true;
}

bool crossNamespaceTerm(const QJsonObject &term)
{
    return !term.value(u"namespaces").toArray().isEmpty() || term.contains(u"namespaceSelector");
}

bool usesCrossNamespacePodAffinity(const QJsonObject &pod)
{
    const QJsonObject affinity = objectAt(objectAt(pod, u"spec"), u"affinity");
    for (const char16_t *kind : {u"podAffinity", u"podAntiAffinity"}) {
        const QJsonObject a = objectAt(affinity, kind);
        for (const QJsonValue &t :
             a.value(u"requiredDuringSchedulingIgnoredDuringExecution").toArray())
            if (crossNamespaceTerm(t.toObject()))
                return true;
        for (const QJsonValue &t :
             a.value(u"preferredDuringSchedulingIgnoredDuringExecution").toArray())
            if (crossNamespaceTerm(objectAt(t.toObject(), u"podAffinityTerm")))
                return true;
    }
    return false;
}

// The PriorityClass scope as a label selector over {PriorityClass: <the pod's class>}.
bool matchesPriorityClass(const ScopeRequirement &scope, const QJsonObject &pod)
{
    const QString priorityClass = objectAt(pod, u"spec").value(u"priorityClassName").toString();
    const bool has = !priorityClass.isEmpty();
    if (scope.op == u"Exists")
        return has;
    if (scope.op == u"DoesNotExist")
        return !has;
    if (scope.op == u"In")
        return has && scope.values.contains(priorityClass);
    if (scope.op == u"NotIn")
        return !has || !scope.values.contains(priorityClass);
    return false;
}

} // namespace

QList<ScopeRequirement> scopeRequirementsOf(const QJsonObject &quota)
{
    const QJsonObject spec = objectAt(quota, u"spec");
    QList<ScopeRequirement> scopes;
    for (const QJsonValue &s : spec.value(u"scopes").toArray())
        scopes.append({s.toString(), u"Exists"_s, {}});
    for (const QJsonValue &v :
         objectAt(spec, u"scopeSelector").value(u"matchExpressions").toArray()) {
        const QJsonObject e = v.toObject();
        QStringList values;
        for (const QJsonValue &value : e.value(u"values").toArray())
            values.append(value.toString());
        scopes.append({e.value(u"scopeName").toString(), e.value(u"operator").toString(), values});
    }
    return scopes;
}

QString objectCountName(const QString &groupResource)
{
    return u"count/"_s + groupResource;
}

Evaluator::Evaluator(const QString &groupResource) : m_groupResource(groupResource)
{
    if (groupResource == u"pods")
        m_kind = Kind::Pods;
    else if (groupResource == u"services")
        m_kind = Kind::Services;
    else if (groupResource == u"persistentvolumeclaims")
        m_kind = Kind::Claims;
    else {
        m_countNames.append(objectCountName(groupResource));
        if (const QString alias = legacyCountAliases.value(groupResource); !alias.isEmpty())
            m_countNames.append(alias);
    }
}

bool Evaluator::handles(const QString &subresource, const QJsonObject &object,
                        const QJsonObject *old) const
{
    switch (m_kind) {
    case Kind::Pods:
        // Only a change of the Terminating scope moves a pod between quotas on update.
        return subresource.isEmpty() && (!old || isTerminating(*old) != isTerminating(object));
    case Kind::Services: // a service's type can change
    case Kind::Claims:   // a claim can grow
        return true;
    case Kind::Count:
        return subresource.isEmpty() && !old;
    }
    return false;
}

QStringList Evaluator::matchingResources(const QStringList &names) const
{
    switch (m_kind) {
    case Kind::Pods: {
        QStringList result = intersection(names, podResources);
        for (const QString &name : names)
            if (!result.contains(name) &&
                (name.startsWith(hugePagesPrefix) || name.startsWith(u"requests.hugepages-") ||
                 isExtendedResourceNameForQuota(name)))
                result.append(name);
        return result;
    }
    case Kind::Services:
        return intersection(names, serviceResources);
    case Kind::Claims: {
        QStringList result;
        for (const QString &name : names) {
            bool match = name == u"count/persistentvolumeclaims" || claimResources.contains(name);
            for (const QString &r : claimResources)
                match = match || name.endsWith(storageClassSuffix + r);
            if (match && !result.contains(name))
                result.append(name);
        }
        return result;
    }
    case Kind::Count:
        return intersection(names, m_countNames);
    }
    return {};
}

bool Evaluator::matches(const QJsonObject &quota, const QJsonObject &object) const
{
    const QStringList hard = resourceList(objectAt(quota, u"status").value(u"hard")).keys();
    if (matchingResources(hard).isEmpty())
        return false;
    for (const ScopeRequirement &scope : scopeRequirementsOf(quota))
        if (!matchesScope(scope, object))
            return false;
    return true;
}

bool Evaluator::matchesScope(const ScopeRequirement &scope, const QJsonObject &object) const
{
    if (m_kind != Kind::Pods) // only pods have scopes
        return false;
    // As Kubernetes, the operator only matters for PriorityClass.
    if (scope.scopeName == u"Terminating")
        return isTerminating(object);
    if (scope.scopeName == u"NotTerminating")
        return !isTerminating(object);
    if (scope.scopeName == u"BestEffort")
        return isBestEffort(object);
    if (scope.scopeName == u"NotBestEffort")
        return !isBestEffort(object);
    if (scope.scopeName == u"PriorityClass")
        return matchesPriorityClass(scope, object);
    if (scope.scopeName == u"CrossNamespacePodAffinity")
        return usesCrossNamespacePodAffinity(object);
    return false;
}

QString Evaluator::constraints(const QStringList &required, const QJsonObject &object) const
{
    if (m_kind != Kind::Pods)
        return {};
    const QStringList requiredSet = intersection(required, validationSet);
    if (requiredSet.isEmpty())
        return {};
    QMap<QString, QStringList> missing; // resource -> containers, both sorted
    const QJsonObject spec = objectAt(object, u"spec");
    for (const char16_t *list : {u"containers", u"initContainers"}) {
        for (const QJsonValue &v : spec.value(list).toArray()) {
            const QJsonObject c = v.toObject();
            const ResourceList use =
                computeUsage(resourceList(objectAt(c, u"resources").value(u"requests")),
                             resourceList(objectAt(c, u"resources").value(u"limits")));
            for (const QString &name : requiredSet) {
                QStringList &containers = missing[name];
                if (!use.contains(name) && !containers.contains(c.value(u"name").toString()))
                    containers.append(c.value(u"name").toString());
            }
        }
    }
    QStringList messages;
    for (auto it = missing.begin(); it != missing.end(); ++it) {
        if (it.value().isEmpty())
            continue;
        QStringList containers = it.value();
        containers.sort();
        messages.append(u"%1 for: %2"_s.arg(it.key(), containers.join(u',')));
    }
    return messages.isEmpty() ? QString() : u"must specify "_s + messages.join(u"; "_s);
}

ResourceList Evaluator::usage(const QJsonObject &object, const QDateTime &now) const
{
    switch (m_kind) {
    case Kind::Pods: {
        // count/pods counts every stored pod; "pods" and compute only those still running.
        ResourceList result{{u"count/pods"_s, one()}};
        if (!chargesCompute(object, now))
            return result;
        return add(result, computeUsage(podRequests(object), podLimits(object)));
    }
    case Kind::Services: {
        const QJsonObject spec = objectAt(object, u"spec");
        const QString type = spec.value(u"type").toString();
        const qint64 ports = spec.value(u"ports").toArray().size();
        const bool exposed = type == u"NodePort" || type == u"LoadBalancer";
        return {{u"count/services"_s, one()},
                {u"services"_s, one()},
                {u"services.loadbalancers"_s, Quantity::fromValue(type == u"LoadBalancer" ? 1 : 0)},
                {u"services.nodeports"_s, Quantity::fromValue(exposed ? ports : 0)}};
    }
    case Kind::Claims: {
        ResourceList result{{u"persistentvolumeclaims"_s, one()},
                            {u"count/persistentvolumeclaims"_s, one()}};
        // helper.GetPersistentVolumeClaimClass: the beta annotation, even empty, wins.
        const QJsonObject annotations = objectAt(objectAt(object, u"metadata"), u"annotations");
        const QString storageClass =
            annotations.contains(u"volume.beta.kubernetes.io/storage-class")
                ? annotations.value(u"volume.beta.kubernetes.io/storage-class").toString()
                : objectAt(object, u"spec").value(u"storageClassName").toString();
        if (!storageClass.isEmpty())
            result.insert(storageClass + storageClassSuffix + u"persistentvolumeclaims"_s, one());
        const ResourceList requests =
            resourceList(objectAt(objectAt(object, u"spec"), u"resources").value(u"requests"));
        if (!requests.contains(u"storage"_s))
            return result;
        // Whole bytes; a larger allocation (an expansion under way) counts instead.
        auto roundUp = [](const Quantity &q) {
            const Quantity whole = Quantity::fromValue(q.value(), q.format());
            return whole == q ? q : whole;
        };
        Quantity storage = roundUp(requests.value(u"storage"_s));
        const ResourceList allocated =
            resourceList(objectAt(object, u"status").value(u"allocatedResources"));
        if (allocated.contains(u"storage"_s) && allocated.value(u"storage"_s) > storage)
            storage = roundUp(allocated.value(u"storage"_s));
        result.insert(u"requests.storage"_s, storage);
        if (!storageClass.isEmpty())
            result.insert(storageClass + storageClassSuffix + u"requests.storage"_s, storage);
        return result;
    }
    case Kind::Count: {
        ResourceList result;
        for (const QString &name : m_countNames)
            result.insert(name, one());
        return result;
    }
    }
    return {};
}

ResourceList Evaluator::usageStats(const QList<QJsonObject> &objects, const QStringList &resources,
                                   const QList<ScopeRequirement> &scopes,
                                   const QDateTime &now) const
{
    ResourceList result;
    for (const QString &name : resources)
        result.insert(name, Quantity());
    for (const QJsonObject &object : objects) {
        const bool inScopes =
            std::all_of(scopes.begin(), scopes.end(),
                        [&](const ScopeRequirement &s) { return matchesScope(s, object); });
        if (inScopes)
            result = add(result, usage(object, now));
    }
    return result;
}

QStringList evaluatedResources()
{
    return {u"pods"_s,          u"services"_s, u"persistentvolumeclaims"_s,
            u"configmaps"_s,    u"secrets"_s,  u"replicationcontrollers"_s,
            u"resourcequotas"_s};
}

QStringList groupResourcesFor(const QStringList &hardNames)
{
    QStringList result;
    for (const QString &name : hardNames) {
        QString found;
        for (const QString &gr : evaluatedResources())
            if (!Evaluator(gr).matchingResources({name}).isEmpty())
                found = gr;
        if (found.isEmpty() && name.startsWith(u"count/"))
            found = name.mid(6);
        if (!found.isEmpty() && !result.contains(found))
            result.append(found);
    }
    return result;
}

ResourceList calculateUsage(
    const QJsonObject &quota,
    const std::function<std::optional<QList<QJsonObject>>(const QString &groupResource)> &objectsOf,
    const QDateTime &now)
{
    const QStringList hard = resourceList(objectAt(quota, u"spec").value(u"hard")).keys();
    QStringList resources = evaluatedResources();
    for (const QString &gr : groupResourcesFor(hard))
        if (!resources.contains(gr))
            resources.append(gr);
    QStringList matched;
    for (const QString &gr : std::as_const(resources))
        for (const QString &name : Evaluator(gr).matchingResources(hard))
            if (!matched.contains(name))
                matched.append(name);

    const QList<ScopeRequirement> scopes = scopeRequirementsOf(quota);
    ResourceList used;
    for (const QString &gr : std::as_const(resources)) {
        const Evaluator evaluator(gr);
        const QStringList names = evaluator.matchingResources(matched);
        if (names.isEmpty())
            continue;
        const auto objects = objectsOf(gr);
        if (!objects) {
            matched.removeIf([&](const QString &n) { return names.contains(n); });
            continue;
        }
        used = add(used, evaluator.usageStats(*objects, names, scopes, now));
    }
    return mask(used, matched);
}

} // namespace timonel::core::quota
