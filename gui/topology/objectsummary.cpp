#include "objectsummary.h"

#include "apiserver/podsummary.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace timonel::topology {

namespace {

struct KindKey
{
    QString kind;
    QString key;
};

const QList<KindKey> &graphKinds()
{
    static const QList<KindKey> kinds{
        {u"Pod"_s, u"pods"_s},
        {u"Deployment"_s, u"deployments.apps"_s},
        {u"ReplicaSet"_s, u"replicasets.apps"_s},
        {u"StatefulSet"_s, u"statefulsets.apps"_s},
        {u"DaemonSet"_s, u"daemonsets.apps"_s},
        {u"Job"_s, u"jobs.batch"_s},
        {u"CronJob"_s, u"cronjobs.batch"_s},
        {u"Service"_s, u"services"_s},
        {u"Ingress"_s, u"ingresses.networking.k8s.io"_s},
        {u"ConfigMap"_s, u"configmaps"_s},
        {u"Secret"_s, u"secrets"_s},
        {u"PersistentVolumeClaim"_s, u"persistentvolumeclaims"_s},
    };
    return kinds;
}

QJsonValue at(const QJsonObject &object, std::initializer_list<QStringView> path)
{
    QJsonValue value = object;
    for (QStringView part : path)
        value = value.toObject().value(part);
    return value;
}

bool conditionIs(const QJsonObject &object, QStringView type, QStringView status = u"True")
{
    for (const QJsonValue &c : at(object, {u"status", u"conditions"}).toArray())
        if (c[u"type"].toString() == type)
            return c[u"status"].toString() == status;
    return false;
}

// Words of a pod's STATUS that mean it will not get better on its own.
bool isFailureReason(const QString &reason)
{
    static const QStringList words{u"Err"_s,     u"BackOff"_s,  u"Fail"_s,    u"Error"_s,
                                   u"OOM"_s,     u"Evicted"_s,  u"Unknown"_s, u"Invalid"_s,
                                   u"Signal:"_s, u"ExitCode:"_s};
    for (const QString &word : words)
        if (reason.contains(word))
            return true;
    return false;
}

void describePod(Item &item, const QJsonObject &pod)
{
    const apiserver::PodSummary summary = apiserver::summarizePod(pod);
    item.lane = at(pod, {u"spec", u"nodeName"}).toString();
    item.status = summary.reason;
    item.detail = u"%1/%2"_s.arg(summary.ready).arg(summary.total);
    item.restarts = int(summary.restarts);
    if (summary.reason == u"Completed" || summary.reason == u"Succeeded")
        item.health = Health::Finished;
    else if (isFailureReason(summary.reason))
        item.health = Health::Failed;
    else if (summary.reason == u"Running" && summary.ready == summary.total && !item.terminating)
        item.health = Health::Good;
    else
        item.health = Health::Progressing;
}

// READY of Deployments, StatefulSets and ReplicaSets: ready / wanted.
void describeReplicas(Item &item, const QJsonObject &object, QStringView readyField,
                      QStringView wantedField, bool wantedInSpec)
{
    const int ready = at(object, {u"status", readyField}).toInt();
    const QJsonValue wantedValue =
        wantedInSpec ? at(object, {u"spec", wantedField}) : at(object, {u"status", wantedField});
    const int wanted = wantedValue.isUndefined() && wantedInSpec ? 1 : wantedValue.toInt();
    item.status = u"%1/%2"_s.arg(ready).arg(wanted);
    if (conditionIs(object, u"ReplicaFailure") || conditionIs(object, u"Progressing", u"False"))
        item.health = Health::Failed;
    else
        item.health = ready >= wanted ? Health::Good : Health::Progressing;
}

void describeJob(Item &item, const QJsonObject &job)
{
    const int succeeded = at(job, {u"status", u"succeeded"}).toInt();
    const QJsonValue completions = at(job, {u"spec", u"completions"});
    item.status =
        u"%1/%2"_s.arg(succeeded).arg(completions.isUndefined() ? 1 : completions.toInt());
    if (conditionIs(job, u"Complete"))
        item.health = Health::Finished;
    else if (conditionIs(job, u"Failed"))
        item.health = Health::Failed;
    else
        item.health = Health::Progressing;
}

void describeService(Item &item, const QJsonObject &service)
{
    item.status = at(service, {u"spec", u"type"}).toString(u"ClusterIP"_s);
    const QJsonArray ingress = at(service, {u"status", u"loadBalancer", u"ingress"}).toArray();
    const QString external = ingress.isEmpty() ? QString() : ingress[0][u"ip"].toString();
    item.detail = external.isEmpty() ? at(service, {u"spec", u"clusterIP"}).toString() : external;
    item.health =
        item.status == u"LoadBalancer" && external.isEmpty() ? Health::Progressing : Health::Good;
}

void describeIngress(Item &item, const QJsonObject &ingress)
{
    QStringList hosts;
    for (const QJsonValue &rule : at(ingress, {u"spec", u"rules"}).toArray())
        hosts << rule[u"host"].toString(u"*"_s);
    item.status = hosts.join(u',');
    const QJsonArray addresses = at(ingress, {u"status", u"loadBalancer", u"ingress"}).toArray();
    item.detail = addresses.isEmpty() ? QString() : addresses[0][u"ip"].toString();
    item.health = Health::Good;
}

// What a pod spec uses: volumes, env and envFrom.
QStringList usesOf(const QJsonObject &podSpec, const QString &ns)
{
    QStringList uses;
    auto add = [&](const QString &key, const QString &name) {
        const QString id = itemId(key, ns, name);
        if (!name.isEmpty() && !uses.contains(id))
            uses << id;
    };
    for (const QJsonValue &v : podSpec.value(u"volumes").toArray()) {
        add(u"configmaps"_s, v[u"configMap"][u"name"].toString());
        add(u"secrets"_s, v[u"secret"][u"secretName"].toString());
        add(u"persistentvolumeclaims"_s, v[u"persistentVolumeClaim"][u"claimName"].toString());
        for (const QJsonValue &source : v[u"projected"][u"sources"].toArray()) {
            add(u"configmaps"_s, source[u"configMap"][u"name"].toString());
            add(u"secrets"_s, source[u"secret"][u"name"].toString());
        }
    }
    for (const QString &list : {u"initContainers"_s, u"containers"_s}) {
        for (const QJsonValue &c : podSpec.value(list).toArray()) {
            for (const QJsonValue &e : c[u"env"].toArray()) {
                add(u"configmaps"_s, e[u"valueFrom"][u"configMapKeyRef"][u"name"].toString());
                add(u"secrets"_s, e[u"valueFrom"][u"secretKeyRef"][u"name"].toString());
            }
            for (const QJsonValue &e : c[u"envFrom"].toArray()) {
                add(u"configmaps"_s, e[u"configMapRef"][u"name"].toString());
                add(u"secrets"_s, e[u"secretRef"][u"name"].toString());
            }
        }
    }
    return uses;
}

size_t hashLabels(size_t seed, const QJsonObject &labels)
{
    for (auto it = labels.begin(); it != labels.end(); ++it)
        seed = qHashMulti(seed, it.key(), it.value().toString());
    return qHashMulti(seed, labels.size());
}

} // namespace

bool isGraphKey(const QString &key)
{
    return !kindOfKey(key).isEmpty();
}

QString keyOfKind(const QString &kind)
{
    for (const KindKey &k : graphKinds())
        if (k.kind == kind)
            return k.key;
    return {};
}

QString kindOfKey(const QString &key)
{
    for (const KindKey &k : graphKinds())
        if (k.key == key)
            return k.kind;
    return {};
}

size_t Links::signature(const Item &item) const
{
    size_t seed = qHashMulti(0, item.lane, hasSelector, worthShowing, ownerUids.size(), uses.size(),
                             routesTo.size());
    for (const QStringList *list : {&ownerUids, &uses, &routesTo})
        for (const QString &text : *list)
            seed = qHashMulti(seed, text);
    for (const QJsonObject *labels : {&item.labels, &selector, &templateLabels})
        seed = hashLabels(seed, *labels);
    return seed;
}

Item describe(const QString &key, const QJsonObject &object)
{
    const QJsonObject meta = object.value(u"metadata").toObject();
    Item item;
    item.key = key;
    item.kind = kindOfKey(key);
    item.ns = meta.value(u"namespace").toString();
    item.name = meta.value(u"name").toString();
    item.id = itemId(key, item.ns, item.name);
    item.labels = meta.value(u"labels").toObject();
    item.terminating = meta.contains(u"deletionTimestamp") && !meta[u"deletionTimestamp"].isNull();
    item.health = Health::Good;
    if (key == u"pods")
        describePod(item, object);
    else if (key == u"deployments.apps" || key == u"statefulsets.apps" ||
             key == u"replicasets.apps")
        describeReplicas(item, object, u"readyReplicas", u"replicas", true);
    else if (key == u"daemonsets.apps")
        describeReplicas(item, object, u"numberReady", u"desiredNumberScheduled", false);
    else if (key == u"jobs.batch")
        describeJob(item, object);
    else if (key == u"cronjobs.batch")
        item.status = at(object, {u"spec", u"schedule"}).toString();
    else if (key == u"services")
        describeService(item, object);
    else if (key == u"ingresses.networking.k8s.io")
        describeIngress(item, object);
    else if (key == u"persistentvolumeclaims") {
        item.status = at(object, {u"status", u"phase"}).toString(u"Pending"_s);
        item.health = item.status == u"Bound" ? Health::Good : Health::Progressing;
    } else if (key == u"configmaps" || key == u"secrets") {
        const int keys = object.value(u"data").toObject().size() +
                         object.value(u"binaryData").toObject().size() +
                         object.value(u"stringData").toObject().size();
        item.status = QString::number(keys);
    }
    return item;
}

Links linksOf(const QString &key, const QJsonObject &object)
{
    const QJsonObject meta = object.value(u"metadata").toObject();
    const QString ns = meta.value(u"namespace").toString();
    const QJsonObject spec = object.value(u"spec").toObject();
    Links links;
    links.uid = meta.value(u"uid").toString();
    for (const QJsonValue &owner : meta.value(u"ownerReferences").toArray())
        links.ownerUids << owner[u"uid"].toString();

    if (key == u"pods") {
        links.uses = usesOf(spec, ns);
    } else if (key == u"services") {
        links.selector = spec.value(u"selector").toObject();
        links.hasSelector = !links.selector.isEmpty();
    } else if (key == u"ingresses.networking.k8s.io") {
        auto add = [&](const QJsonValue &backend) {
            const QString name = backend[u"service"][u"name"].toString();
            const QString id = itemId(u"services"_s, ns, name);
            if (!name.isEmpty() && !links.routesTo.contains(id))
                links.routesTo << id;
        };
        add(spec.value(u"defaultBackend"));
        for (const QJsonValue &rule : spec.value(u"rules").toArray())
            for (const QJsonValue &path : rule[u"http"][u"paths"].toArray())
                add(path[u"backend"]);
    } else if (key != u"configmaps" && key != u"secrets" && key != u"persistentvolumeclaims") {
        // Workloads: their pod template (a CronJob's is one level further down).
        QJsonObject podTemplate = spec.value(u"template").toObject();
        if (key == u"cronjobs.batch")
            podTemplate = at(spec, {u"jobTemplate", u"spec", u"template"}).toObject();
        links.templateLabels = at(podTemplate, {u"metadata", u"labels"}).toObject();
        links.uses = usesOf(podTemplate.value(u"spec").toObject(), ns);
        if (key == u"replicasets.apps")
            links.worthShowing = spec.value(u"replicas").toInt(1) > 0 ||
                                 at(object, {u"status", u"replicas"}).toInt() > 0;
    }
    return links;
}

Lane describeNode(const QJsonObject &node)
{
    const QJsonObject meta = node.value(u"metadata").toObject();
    Lane lane;
    lane.node = meta.value(u"name").toString();
    lane.controlPlane =
        meta.value(u"labels").toObject().contains(u"node-role.kubernetes.io/control-plane");
    lane.ready = conditionIs(node, u"Ready");
    lane.status = lane.ready ? u"Ready"_s : u"NotReady"_s;
    if (at(node, {u"spec", u"unschedulable"}).toBool())
        lane.status += u",SchedulingDisabled"_s;
    return lane;
}

} // namespace timonel::topology
