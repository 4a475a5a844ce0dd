// What objects charge to ResourceQuotas: Kubernetes' quota evaluators (k8s.io/apiserver
// pkg/quota/v1 and pkg/quota/v1/evaluator/core) over our JSON objects. The API server's
// ResourceQuota admission and the resource quota controller measure with the same rules, so what
// admission charges is what the controller recounts.
#pragma once

#include "core/quantity.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace timonel::core::quota {

// A corev1.ResourceList: quota resource name -> quantity, in name order.
using ResourceList = QMap<QString, Quantity>;

// A ResourceList as JSON carries it ({"pods": "2", "requests.cpu": "500m"}); entries that are not
// quantities are left out.
ResourceList resourceList(const QJsonValue &json);
QJsonObject toJson(const ResourceList &list);
// "pods=1,requests.cpu=500m" (the admission plugin's prettyPrint).
QString prettyPrint(const ResourceList &list);

// The arithmetic of k8s.io/apiserver/pkg/quota/v1/resources.go.
ResourceList add(const ResourceList &a, const ResourceList &b);
// a - b, with negative results set to zero.
ResourceList subtractNonNegative(const ResourceList &a, const ResourceList &b);
ResourceList mask(const ResourceList &list, const QStringList &names);
ResourceList removeZeros(const ResourceList &list);
QStringList negatives(const ResourceList &list);
// The names whose quantity in `a` is above the one in `b` (names `b` lacks are never exceeded).
QStringList exceeding(const ResourceList &a, const ResourceList &b);
// Same names, same values (formats may differ).
bool equals(const ResourceList &a, const ResourceList &b);

// One requirement of a quota's scope: spec.scopes become {scope, "Exists"}; spec.scopeSelector's
// matchExpressions are taken as written.
struct ScopeRequirement
{
    QString scopeName;
    QString op;
    QStringList values;
};
QList<ScopeRequirement> scopeRequirementsOf(const QJsonObject &quota);

// "count/deployments.apps" for deployments.apps, "count/pods" for pods.
QString objectCountName(const QString &groupResource);

// How quota measures the objects of one group/resource ("pods", "deployments.apps"): pods,
// services and claims have evaluators of their own, every other resource is counted
// (count/<resource>.<group>, and the legacy names configmaps, secrets, resourcequotas and
// replicationcontrollers).
class Evaluator
{
public:
    explicit Evaluator(const QString &groupResource);

    const QString &groupResource() const { return m_groupResource; }

    // Whether a create (`old` null) or an update of the object, or of its subresource, can
    // change what it charges (Evaluator.Handles).
    bool handles(const QString &subresource, const QJsonObject &object,
                 const QJsonObject *old) const;
    // Of `names`, those that objects of this resource are charged with.
    QStringList matchingResources(const QStringList &names) const;
    // The quota limits something the object uses and the object is in every one of its scopes.
    bool matches(const QJsonObject &quota, const QJsonObject &object) const;
    bool matchesScope(const ScopeRequirement &scope, const QJsonObject &object) const;
    // What the quota requires of the object before it counts it: for pods, "must specify
    // limits.cpu for: nginx; ..." when a quota on cpu or memory meets containers without them.
    // Empty when the object is fine.
    QString constraints(const QStringList &required, const QJsonObject &object) const;
    // What the object uses (Evaluator.Usage); `now` decides whether a pod past its deletion
    // grace period still counts.
    ResourceList usage(const QJsonObject &object, const QDateTime &now) const;
    // The use of `resources` by the objects (of one namespace) in all the scopes
    // (CalculateUsageStats): each resource starts at zero.
    ResourceList usageStats(const QList<QJsonObject> &objects, const QStringList &resources,
                            const QList<ScopeRequirement> &scopes, const QDateTime &now) const;

private:
    enum class Kind
    {
        Pods,
        Services,
        Claims,
        Count
    };
    Kind m_kind = Kind::Count;
    QString m_groupResource;
    QStringList m_countNames; // Count: count/<resource> and the legacy alias
};

// The group/resources with an evaluator of their own or a legacy object-count name: what the
// quota controller watches besides the count/<resource> names quotas ask for.
QStringList evaluatedResources();
// The group/resources whose objects a quota with these hard names counts.
QStringList groupResourcesFor(const QStringList &hardNames);

// A pod's requests and limits as the kubelet reserves them (component-helpers PodRequests and
// PodLimits): the sum over containers and restartable init containers, at least what each init
// container needs while it runs, plus the pod's overhead when `withOverhead`.
ResourceList podRequests(const QJsonObject &pod, bool withOverhead = true);
ResourceList podLimits(const QJsonObject &pod, bool withOverhead = true);
bool isBestEffort(const QJsonObject &pod);

// A quota's status.used as the controller computes it (quota.CalculateUsage): for every hard
// name an evaluator knows, the use of the namespace's objects that `objectsOf` lists (nullopt:
// that resource cannot be listed now, its names are left out).
ResourceList calculateUsage(
    const QJsonObject &quota,
    const std::function<std::optional<QList<QJsonObject>>(const QString &groupResource)> &objectsOf,
    const QDateTime &now);

} // namespace timonel::core::quota
