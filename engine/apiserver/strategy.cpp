#include "strategy.h"

#include "strategy_p.h"

#include "core/names.h"

#include <QHash>
#include <QJsonArray>
#include <QSet>

using namespace Qt::StringLiterals;

namespace timonel::apiserver {

using namespace strategies;

namespace {

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

const QHash<QString, KindStrategy> &strategyTable()
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
    const auto &table = strategyTable();
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

// The DefaultStorageClass admission plugin: a new claim that names no class (storageClassName
// unset or null, not "") gets the default class, the newest one if several are marked. The
// registry's admission calls it on create with the cluster's StorageClasses.
void defaultStorageClass(QJsonObject &claim, const QList<QJsonObject> &storageClasses)
{
    QJsonObject spec = objectAt(claim, u"spec");
    if (spec.value(u"storageClassName").isString()
        || objectAt(objectAt(claim, u"metadata"), u"annotations")
               .contains(u"volume.beta.kubernetes.io/storage-class"))
        return;
    QJsonObject best;
    for (const QJsonObject &cls : storageClasses) {
        const QJsonObject meta = objectAt(cls, u"metadata");
        const QJsonObject annotations = objectAt(meta, u"annotations");
        if (annotations.value(u"storageclass.kubernetes.io/is-default-class").toString() != u"true"
            && annotations.value(u"storageclass.beta.kubernetes.io/is-default-class").toString()
                   != u"true")
            continue;
        const QJsonObject bestMeta = objectAt(best, u"metadata");
        const QString created = meta.value(u"creationTimestamp").toString();
        const QString bestCreated = bestMeta.value(u"creationTimestamp").toString();
        if (best.isEmpty() || created > bestCreated
            || (created == bestCreated
                && meta.value(u"name").toString() < bestMeta.value(u"name").toString()))
            best = cls;
    }
    if (best.isEmpty())
        return;
    spec.insert(u"storageClassName"_s, objectAt(best, u"metadata").value(u"name"));
    claim.insert(u"spec"_s, spec);
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
