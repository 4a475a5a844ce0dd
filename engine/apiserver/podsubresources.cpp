// pods/binding and pods/eviction, as kube-apiserver's BindingREST and EvictionREST
// (pkg/registry/core/pod/storage). A binding sets what no update of a pod may change
// (spec.nodeName), so it writes the stored pod directly, as Kubernetes' GuaranteedUpdate does.
#include "podsubresources.h"

#include "resourcestore_p.h"

#include "core/labelselector.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;
using timonel::core::ResourceInfo;
using namespace timonel::apiserver::detail;

namespace timonel::apiserver {

namespace {

using Reply = std::function<void(ApiResult<QJsonObject>)>;

// The Status a create of an action answers: Success, with the 201 of a create as its code.
QJsonObject created()
{
    QJsonObject status = successStatus();
    status.insert(u"code"_s, 201);
    return status;
}

QJsonObject conditionOf(const QJsonObject &status, QStringView type)
{
    for (const QJsonValue &c : status.value(u"conditions").toArray())
        if (c.toObject().value(u"type").toString() == type)
            return c.toObject();
    return {};
}

// podutil.UpdatePodCondition: replaces the condition of that type; the transition time moves
// only when the status does.
void updatePodCondition(QJsonObject &pod, QJsonObject condition)
{
    QJsonObject status = pod.value(u"status").toObject();
    QJsonArray conditions = status.value(u"conditions").toArray();
    condition.insert(u"lastProbeTime"_s, QJsonValue::Null);
    condition.insert(u"lastTransitionTime"_s, now());
    qsizetype at = -1;
    for (qsizetype i = 0; i < conditions.size(); ++i)
        if (conditions[i].toObject().value(u"type") == condition.value(u"type"))
            at = i;
    if (at < 0) {
        conditions.append(condition);
    } else {
        const QJsonObject old = conditions[at].toObject();
        if (old.value(u"status") == condition.value(u"status"))
            condition.insert(u"lastTransitionTime"_s, old.value(u"lastTransitionTime"));
        conditions[at] = condition;
    }
    status.insert(u"conditions"_s, conditions);
    pod.insert(u"status"_s, status);
}

// Errors Kubernetes raises as plain Go errors come out as a 500 without a reason.
ApiError plainError(const QString &message)
{
    return {500, QString(), message, {}};
}

QString aggregate(const FieldErrors &errors)
{
    QStringList texts;
    for (const FieldError &e : errors)
        texts.append(e.toString());
    return texts.size() == 1 ? texts.first() : u'[' + texts.join(u", "_s) + u']';
}

ApiError storageWriteError(const QString &name, const StorageError &e)
{
    if (e.code == StorageErrorCode::NotFound)
        return ApiError::notFound(u"pods"_s, name);
    if (e.code == StorageErrorCode::Conflict)
        return ApiError::conflict(u"pods"_s, name, e.message);
    return ApiError::internal(e.message);
}

// --- binding ----------------------------------------------------------------------------------

void bind(ResourceStore &store, const ResourceInfo &r, const QString &ns, const QString &name,
          const QJsonObject &binding, const WriteOptions &options, Reply done)
{
    const QString kind = binding.value(u"kind").toString();
    if (!kind.isEmpty() && kind != u"Binding")
        return done(std::unexpected(ApiError::badRequest(u"not a Binding object: "_s + kind)));
    const QJsonObject bindingMeta = meta(binding);
    if (bindingMeta.value(u"name").toString() != name)
        return done(std::unexpected(
            ApiError::badRequest(u"name in URL does not match name in Binding object"_s)));
    const QJsonObject target = binding.value(u"target").toObject();
    FieldErrors errors;
    const QString targetKind = target.value(u"kind").toString();
    if (!targetKind.isEmpty() && targetKind != u"Node")
        errors.append(FieldError::notSupported(u"target.kind"_s, targetKind,
                                               {u"Node"_s, u"<empty>"_s}));
    const QString node = target.value(u"name").toString();
    if (node.isEmpty())
        errors.append(FieldError::required(u"target.name"_s));
    if (!errors.isEmpty())
        return done(std::unexpected(plainError(aggregate(errors))));

    const QString key = ResourceStore::keyFor(r, ns, name);
    auto stored = store.storage().get(key);
    if (!stored)
        return done(std::unexpected(ApiError::notFound(u"pods"_s, name)));
    QJsonObject pod = stored->object;
    QJsonObject m = meta(pod);
    const QString uid = bindingMeta.value(u"uid").toString();
    if (!uid.isEmpty() && uid != m.value(u"uid").toString())
        return done(std::unexpected(ApiError::conflict(
            u"pods"_s, name,
            u"Precondition failed: UID in precondition: %1, UID in object meta: %2"_s.arg(
                uid, m.value(u"uid").toString()))));
    const QString rv = bindingMeta.value(u"resourceVersion").toString();
    if (!rv.isEmpty() && rv != m.value(u"resourceVersion").toString())
        return done(std::unexpected(ApiError::conflict(
            u"pods"_s, name,
            u"Precondition failed: ResourceVersion in precondition: %1, ResourceVersion in "
            "object meta: %2"_s.arg(rv, m.value(u"resourceVersion").toString()))));

    QJsonObject spec = pod.value(u"spec").toObject();
    const QString bound = spec.value(u"nodeName").toString();
    QString refusal;
    if (m.contains(u"deletionTimestamp"))
        refusal = u"pod %1 is being deleted, cannot be assigned to a host"_s.arg(name);
    else if (!bound.isEmpty())
        refusal = u"pod %1 is already assigned to node \"%2\""_s.arg(name, bound);
    else if (!spec.value(u"schedulingGates").toArray().isEmpty())
        refusal = u"pod %1 has non-empty .spec.schedulingGates"_s.arg(name);
    if (!refusal.isEmpty())
        return done(std::unexpected(ApiError::conflict(u"pods/binding"_s, name, refusal)));

    spec.insert(u"nodeName"_s, node);
    pod.insert(u"spec"_s, spec);
    const QJsonObject annotations = bindingMeta.value(u"annotations").toObject();
    if (!annotations.isEmpty()) {
        QJsonObject merged = m.value(u"annotations").toObject();
        for (auto it = annotations.begin(); it != annotations.end(); ++it)
            merged.insert(it.key(), it.value());
        m.insert(u"annotations"_s, merged);
        setMeta(pod, m);
    }
    updatePodCondition(pod, {{u"type"_s, u"PodScheduled"_s}, {u"status"_s, u"True"_s}});
    if (options.dryRun)
        return done(created());
    store.storage().update(key, pod, stored->revision, [name, done](const StorageResult &result) {
        if (!result)
            return done(std::unexpected(storageWriteError(name, result.error())));
        done(created());
    });
}

// --- eviction ---------------------------------------------------------------------------------

const QString budgetMessage =
    u"Cannot evict pod as it would violate the pod's disruption budget."_s;

ApiError tooManyRequests(const QString &cause, int retryAfterSeconds)
{
    QJsonObject details{{u"causes"_s, QJsonArray{QJsonObject{{u"reason"_s, u"DisruptionBudget"_s},
                                                             {u"message"_s, cause}}}}};
    if (retryAfterSeconds > 0)
        details.insert(u"retryAfterSeconds"_s, retryAfterSeconds);
    return {429, u"TooManyRequests"_s, budgetMessage, details};
}

bool podReady(const QJsonObject &pod)
{
    return conditionOf(pod.value(u"status").toObject(), u"Ready").value(u"status").toString()
           == u"True";
}

// Terminal, pending and already deleted pods disrupt nothing more by going.
bool canIgnoreBudget(const QJsonObject &pod)
{
    const QString phase = pod.value(u"status").toObject().value(u"phase").toString();
    return phase == u"Succeeded" || phase == u"Failed" || phase == u"Pending"
           || meta(pod).contains(u"deletionTimestamp");
}

struct Eviction
{
    DeleteOptions options;
    bool dryRun = false;
};

// Marks the pod DisruptionTarget (EvictionByEvictionAPI) and deletes it gracefully.
void deleteEvicted(ResourceStore &store, const ResourceInfo &r, const QString &ns,
                   const QString &name, const Eviction &eviction, Reply done)
{
    auto current = store.get(r, ns, name);
    if (!current)
        return done(std::unexpected(current.error()));
    const QJsonObject m = meta(*current);
    const DeleteOptions &o = eviction.options;
    if (!o.preconditionUid.isEmpty() && o.preconditionUid != m.value(u"uid").toString())
        return done(std::unexpected(ApiError::conflict(
            u"Pod"_s, name,
            u"the UID in the precondition (%1) does not match the UID in record (%2). The object "
            "might have been deleted and then recreated"_s.arg(o.preconditionUid,
                                                               m.value(u"uid").toString()))));
    if (!o.preconditionResourceVersion.isEmpty()
        && o.preconditionResourceVersion != m.value(u"resourceVersion").toString())
        return done(std::unexpected(ApiError::conflict(
            u"Pod"_s, name,
            u"the ResourceVersion in the precondition (%1) does not match the ResourceVersion in "
            "record (%2). The object might have been modified"_s.arg(
                o.preconditionResourceVersion, m.value(u"resourceVersion").toString()))));
    DeleteOptions remove = o;
    remove.preconditionResourceVersion.clear(); // checked above; the condition bumps it
    remove.dryRun = eviction.dryRun;
    auto destroy = [&store, r, ns, name, remove, done] {
        store.remove(r, ns, name, remove, [done](ApiResult<Written> w) {
            if (!w)
                return done(std::unexpected(w.error()));
            done(created());
        });
    };
    if (eviction.dryRun)
        return destroy();
    QJsonObject pod = *current;
    updatePodCondition(pod, {{u"type"_s, u"DisruptionTarget"_s},
                             {u"status"_s, u"True"_s},
                             {u"reason"_s, u"EvictionByEvictionAPI"_s},
                             {u"message"_s, u"Eviction API: evicting"_s}});
    store.update(r, ns, name, u"status"_s, pod, {}, [destroy, done](ApiResult<Written> w) {
        if (!w)
            return done(std::unexpected(w.error()));
        destroy();
    });
}

// checkAndDecrement: takes one allowed disruption from the budget, or refuses with a 429.
void spendDisruption(ResourceStore &store, const ResourceInfo &pdbs, const QString &ns,
                     QJsonObject pdb, const QString &podName, bool dryRun,
                     std::function<void(std::optional<ApiError>)> then)
{
    const QString pdbName = nameOf(pdb);
    QJsonObject status = pdb.value(u"status").toObject();
    const qint64 allowed = status.value(u"disruptionsAllowed").toInteger();
    const qint64 generation = meta(pdb).value(u"generation").toInteger();
    if (status.value(u"observedGeneration").toInteger() < generation)
        return then(tooManyRequests(
            u"The disruption budget %1 is still being processed by the server."_s.arg(pdbName),
            10));
    if (allowed < 0)
        return then(ApiError::forbidden(u"poddisruptionbudget.policy"_s, pdbName,
                                        u"pdb disruptions allowed is negative"_s));
    if (status.value(u"disruptedPods").toObject().size() > 2000)
        return then(ApiError::forbidden(
            u"poddisruptionbudget.policy"_s, pdbName,
            u"DisruptedPods map too big - too many evictions not confirmed by PDB controller"_s));
    if (allowed == 0)
        return then(tooManyRequests(
            u"The disruption budget %1 needs %2 healthy pods and has %3 currently"_s.arg(pdbName)
                .arg(status.value(u"desiredHealthy").toInteger())
                .arg(status.value(u"currentHealthy").toInteger()),
            0));

    status.insert(u"disruptionsAllowed"_s, allowed - 1);
    if (allowed - 1 == 0) {
        // DisruptionAllowed turns False (InsufficientPods).
        QJsonArray conditions = status.value(u"conditions").toArray();
        QJsonObject condition{{u"type"_s, u"DisruptionAllowed"_s},
                              {u"status"_s, u"False"_s},
                              {u"reason"_s, u"InsufficientPods"_s},
                              {u"message"_s, QString()},
                              {u"observedGeneration"_s, status.value(u"observedGeneration")},
                              {u"lastTransitionTime"_s, now()}};
        bool found = false;
        for (qsizetype i = 0; i < conditions.size(); ++i) {
            QJsonObject c = conditions[i].toObject();
            if (c.value(u"type").toString() != u"DisruptionAllowed")
                continue;
            found = true;
            if (c.value(u"status") == condition.value(u"status"))
                condition.insert(u"lastTransitionTime"_s, c.value(u"lastTransitionTime"));
            conditions[i] = condition;
        }
        if (!found)
            conditions.append(condition);
        status.insert(u"conditions"_s, conditions);
    }
    if (dryRun)
        return then(std::nullopt);
    // Tells the disruption controller the pod is about to go.
    QJsonObject disrupted = status.value(u"disruptedPods").toObject();
    disrupted.insert(podName, now());
    status.insert(u"disruptedPods"_s, disrupted);
    pdb.insert(u"status"_s, status);
    store.update(pdbs, ns, pdbName, u"status"_s, pdb, {}, [then](ApiResult<Written> w) {
        then(w ? std::nullopt : std::optional(w.error()));
    });
}

// The eviction's deleteOptions (and the request's dryRun) for the delete it ends in.
Eviction evictionOptions(const QJsonObject &body, const WriteOptions &options)
{
    Eviction e;
    const QJsonObject d = body.value(u"deleteOptions").toObject();
    if (d.value(u"gracePeriodSeconds").isDouble())
        e.options.gracePeriodSeconds = d.value(u"gracePeriodSeconds").toInteger();
    const QJsonObject preconditions = d.value(u"preconditions").toObject();
    e.options.preconditionUid = preconditions.value(u"uid").toString();
    e.options.preconditionResourceVersion = preconditions.value(u"resourceVersion").toString();
    e.options.propagationPolicy = d.value(u"propagationPolicy").toString();
    e.dryRun = options.dryRun || !d.value(u"dryRun").toArray().isEmpty();
    return e;
}

void evict(ResourceStore &store, const ResourceInfo &r, const QString &ns, const QString &name,
           const QJsonObject &body, const WriteOptions &options, Reply done)
{
    const QString kind = body.value(u"kind").toString();
    if (!kind.isEmpty() && kind != u"Eviction")
        return done(std::unexpected(ApiError::badRequest(u"not a Eviction object: "_s + kind)));
    if (meta(body).value(u"name").toString() != name)
        return done(std::unexpected(
            ApiError::badRequest(u"name in URL does not match name in Eviction object"_s)));
    const Eviction eviction = evictionOptions(body, options);
    auto pod = store.get(r, ns, name);
    if (!pod)
        return done(std::unexpected(pod.error()));
    if (canIgnoreBudget(*pod))
        return deleteEvicted(store, r, ns, name, eviction, done);

    const ResourceInfo *pdbs = store.schemas().resource(u"policy", u"v1", u"poddisruptionbudgets");
    QList<QJsonObject> budgets;
    if (pdbs) {
        auto all = store.list(*pdbs, ns, {});
        if (!all)
            return done(std::unexpected(all.error()));
        const QJsonObject labels = meta(*pod).value(u"labels").toObject();
        for (const QJsonObject &pdb : std::as_const(all->items)) {
            // An unset selector covers nothing; an empty one every pod of the namespace.
            const QJsonValue selector = pdb.value(u"spec").toObject().value(u"selector");
            if (!selector.isObject())
                continue;
            auto parsed = core::LabelSelector::fromJson(selector.toObject());
            if (parsed && parsed->matches(labels))
                budgets.append(pdb);
        }
    }
    if (budgets.size() > 1)
        return done(std::unexpected(plainError(
            u"This pod has more than one PodDisruptionBudget, which the eviction subresource "
            "does not support."_s)));
    if (budgets.isEmpty())
        return deleteEvicted(store, r, ns, name, eviction, done);

    const QJsonObject &pdb = budgets.first();
    if (!podReady(*pod)) {
        // An unready pod is not counted as healthy: deleting it disrupts nothing, if the policy
        // says so or the budget is met without it.
        const QJsonObject status = pdb.value(u"status").toObject();
        const qint64 current = status.value(u"currentHealthy").toInteger();
        const qint64 desired = status.value(u"desiredHealthy").toInteger();
        const QString policy =
            pdb.value(u"spec").toObject().value(u"unhealthyPodEvictionPolicy").toString();
        if (policy == u"AlwaysAllow" || (current >= desired && desired > 0))
            return deleteEvicted(store, r, ns, name, eviction, done);
    }
    spendDisruption(store, *pdbs, ns, pdb, name, eviction.dryRun,
                    [&store, r, ns, name, e = eviction, done](std::optional<ApiError> refused) {
                        if (refused)
                            return done(std::unexpected(*refused));
                        deleteEvicted(store, r, ns, name, e, done);
                    });
}

} // namespace

void createPodSubresource(ResourceStore &store, const core::ResourceInfo &r, const QString &ns,
                          const QString &name, const QString &subresource,
                          const QJsonObject &body, const WriteOptions &options,
                          std::function<void(ApiResult<QJsonObject>)> done)
{
    const bool pods = r.group.isEmpty() && r.plural == u"pods";
    if (pods && subresource == u"binding")
        return bind(store, r, ns, name, body, options, std::move(done));
    if (pods && subresource == u"eviction")
        return evict(store, r, ns, name, body, options, std::move(done));
    done(std::unexpected(ApiError::methodNotAllowed(u"create"_s, r.plural + u'/' + subresource)));
}

} // namespace timonel::apiserver
