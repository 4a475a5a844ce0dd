#include "endpointslicecontroller.h"

#include "controllerutils.h"
#include "endpointsutil.h"

#include "client/eventrecorder.h"
#include "client/informer.h"
#include "client/workqueue.h"

#include <QLoggingCategory>
#include <QMap>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcEndpointSlices, "timonel.controllers.endpointslice", QtInfoMsg)

namespace timonel::controllers {

const QString EndpointSliceController::controllerName = u"endpointslice-controller.k8s.io"_s;

namespace {

const client::Resource servicesResource{QString(), u"v1"_s, u"services"_s};
const client::Resource podsResource{QString(), u"v1"_s, u"pods"_s};
const client::Resource nodesResource{QString(), u"v1"_s, u"nodes"_s};
const client::Resource slicesResource{u"discovery.k8s.io"_s, u"v1"_s, u"endpointslices"_s};
const client::WriteQuery asControllerManager{u"kube-controller-manager"_s, false, false};

const QString serviceNameLabel = u"kubernetes.io/service-name"_s;
const QString managedByLabel = u"endpointslice.kubernetes.io/managed-by"_s;
const QString zoneLabel = u"topology.kubernetes.io/zone"_s;
constexpr qint64 deletionExpected = -1;

QJsonObject metaOf(const QJsonObject &o)
{
    return o.value(u"metadata").toObject();
}

QJsonObject specOf(const QJsonObject &o)
{
    return o.value(u"spec").toObject();
}

QString nameOf(const QJsonObject &o)
{
    return metaOf(o).value(u"name").toString();
}

QString nsOf(const QJsonObject &o)
{
    return metaOf(o).value(u"namespace").toString();
}

QString uidOf(const QJsonObject &o)
{
    return metaOf(o).value(u"uid").toString();
}

QJsonObject labelsOf(const QJsonObject &o)
{
    return metaOf(o).value(u"labels").toObject();
}

qint64 generationOf(const QJsonObject &o)
{
    return metaOf(o).value(u"generation").toInteger();
}

// The key of the service whose slice this is, by its label ("" without one).
QString serviceKeyOf(const QJsonObject &slice)
{
    const QString service = labelsOf(slice).value(serviceNameLabel).toString();
    return service.isEmpty() ? QString() : nsOf(slice) + u'/' + service;
}

bool managedByController(const QJsonObject &slice)
{
    return labelsOf(slice).value(managedByLabel).toString() ==
           EndpointSliceController::controllerName;
}

bool namespaceTerminating(const client::Error &e)
{
    const QJsonArray causes = e.status.value(u"details").toObject().value(u"causes").toArray();
    return std::any_of(causes.begin(), causes.end(), [](const QJsonValue &c) {
        return c.toObject().value(u"reason").toString() == u"NamespaceTerminating";
    });
}

QJsonObject serviceReference(const QJsonObject &service)
{
    return {{u"apiVersion"_s, u"v1"_s}, {u"kind"_s, u"Service"_s}, {u"name"_s, nameOf(service)},
            {u"uid"_s, uidOf(service)}, {u"controller"_s, true},   {u"blockOwnerDeletion"_s, true}};
}

bool ownedBy(const QJsonObject &slice, const QJsonObject &service)
{
    for (const QJsonValue &v : metaOf(slice).value(u"ownerReferences").toArray()) {
        const QJsonObject ref = v.toObject();
        if (ref.value(u"uid").toString() == uidOf(service) && ref.value(u"kind") == u"Service"_s &&
            ref.value(u"apiVersion") == u"v1"_s)
            return true;
    }
    return false;
}

// The address types a service's slices have (getAddressTypesForService).
QStringList addressTypesOf(const QJsonObject &service)
{
    QStringList types;
    for (const QJsonValue &family : specOf(service).value(u"ipFamilies").toArray())
        if (family == u"IPv4"_s || family == u"IPv6"_s)
            types.append(family.toString());
    if (!types.isEmpty())
        return types;
    const QString clusterIP = specOf(service).value(u"clusterIP").toString();
    if (!clusterIP.isEmpty() && clusterIP != u"None")
        return {clusterIP.contains(u':') ? u"IPv6"_s : u"IPv4"_s};
    return {u"IPv4"_s, u"IPv6"_s}; // headless and not yet defaulted: both, as kube assumes
}

// A slice's labels: the service's, but the reserved ones, which the controller sets itself;
// and whether the slice's non-reserved labels differ from the service's.
std::pair<QJsonObject, bool> sliceLabels(const QJsonObject &slice, const QJsonObject &service)
{
    auto unreserved = [](QJsonObject labels) {
        for (const QString &key : {serviceNameLabel, managedByLabel, headlessServiceLabel})
            labels.remove(key);
        return labels;
    };
    QJsonObject labels = unreserved(labelsOf(service));
    const bool changed = unreserved(labelsOf(slice)) != labels;
    if (!isServiceIPSet(service))
        labels.insert(headlessServiceLabel, QString());
    labels.insert(serviceNameLabel, nameOf(service));
    labels.insert(managedByLabel, EndpointSliceController::controllerName);
    return {labels, changed};
}

QJsonObject newSlice(const QJsonObject &service, const QJsonArray &ports,
                     const QString &addressType)
{
    QJsonObject slice{
        {u"apiVersion"_s, u"discovery.k8s.io/v1"_s},
        {u"kind"_s, u"EndpointSlice"_s},
        {u"metadata"_s, QJsonObject{{u"generateName"_s, nameOf(service) + u'-'},
                                    {u"namespace"_s, nsOf(service)},
                                    {u"labels"_s, sliceLabels({}, service).first},
                                    {u"ownerReferences"_s, QJsonArray{serviceReference(service)}}}},
        {u"addressType"_s, addressType},
        {u"endpoints"_s, QJsonArray()}};
    if (!ports.isEmpty())
        slice.insert(u"ports"_s, ports);
    return slice;
}

QString portKey(const QJsonObject &port)
{
    return port.value(u"name").toString() + u'\x01' + QString::number(port.value(u"port").toInt()) +
           u'\x01' + port.value(u"protocol").toString(u"TCP"_s) + u'\x01' +
           port.value(u"appProtocol").toString();
}

// Ports in a fixed order, so equal sets of ports are equal arrays (NewPortMapKey sorts too).
QJsonArray sortedPorts(const QJsonArray &ports)
{
    QList<QJsonObject> list;
    for (const QJsonValue &p : ports)
        list.append(p.toObject());
    std::sort(list.begin(), list.end(),
              [](const QJsonObject &a, const QJsonObject &b) { return portKey(a) < portKey(b); });
    QJsonArray out;
    for (const QJsonObject &p : list)
        out.append(p);
    return out;
}

QString portMapKey(const QJsonArray &ports)
{
    QStringList keys;
    for (const QJsonValue &p : ports)
        keys.append(portKey(p.toObject()));
    keys.sort();
    return keys.join(u'\x02');
}

// getEndpointPorts: the service's ports this pod serves, by number.
QJsonArray endpointPorts(const QJsonObject &service, const QJsonObject &pod)
{
    QJsonArray ports;
    for (const QJsonValue &v : specOf(service).value(u"ports").toArray()) {
        const QJsonObject servicePort = v.toObject();
        const std::optional<int> number = findPort(pod, servicePort);
        if (!number)
            continue;
        QJsonObject port{{u"name"_s, servicePort.value(u"name").toString()},
                         {u"port"_s, *number},
                         {u"protocol"_s, servicePort.value(u"protocol").toString(u"TCP"_s)}};
        if (servicePort.contains(u"appProtocol"))
            port.insert(u"appProtocol"_s, servicePort.value(u"appProtocol"));
        ports.append(port);
    }
    return sortedPorts(ports);
}

// What makes an endpoint the same endpoint (hashEndpoint): addresses, hostname, pod.
QString endpointId(const QJsonObject &endpoint)
{
    QStringList addresses;
    for (const QJsonValue &a : endpoint.value(u"addresses").toArray())
        addresses.append(a.toString());
    const QJsonObject ref = endpoint.value(u"targetRef").toObject();
    return addresses.join(u',') + u'\x01' + endpoint.value(u"hostname").toString() + u'\x01' +
           ref.value(u"namespace").toString() + u'/' + ref.value(u"name").toString();
}

// What else an update is for (EndpointsEqualBeyondHash); the pod's resourceVersion is not.
QJsonObject comparedBeyondId(const QJsonObject &endpoint)
{
    QJsonObject ref = endpoint.value(u"targetRef").toObject();
    ref.remove(u"resourceVersion"_s);
    const QJsonObject conditions = endpoint.value(u"conditions").toObject();
    QJsonObject compared{{u"targetRef"_s, ref}};
    for (const char16_t *field : {u"nodeName", u"zone"})
        if (endpoint.contains(field))
            compared.insert(QString::fromUtf16(field), endpoint.value(field));
    for (const char16_t *field : {u"ready", u"serving", u"terminating"})
        if (conditions.contains(field))
            compared.insert(QString::fromUtf16(field), conditions.value(field));
    return compared;
}

// An existing placeholder needs no replacement (placeholderSliceCompare).
bool samePlaceholder(const QJsonObject &slice, const QJsonObject &placeholder)
{
    return nsOf(slice) == nsOf(placeholder) && labelsOf(slice) == labelsOf(placeholder) &&
           metaOf(slice).value(u"ownerReferences").toArray() ==
               metaOf(placeholder).value(u"ownerReferences").toArray() &&
           slice.value(u"addressType") == placeholder.value(u"addressType") &&
           slice.value(u"endpoints").toArray().isEmpty() &&
           slice.value(u"ports").toArray().isEmpty();
}

} // namespace

struct EndpointSliceController::Plan
{
    QList<QJsonObject> create;
    QList<QJsonObject> update;
    QList<QJsonObject> remove;
};

EndpointSliceController::EndpointSliceController(client::ApiClient &api, QObject *parent)
    : EndpointSliceController(api, {}, parent)
{
}

EndpointSliceController::EndpointSliceController(client::ApiClient &api,
                                                 EndpointSliceControllerOptions options,
                                                 QObject *parent)
    : QObject(parent), m_api(api), m_options(options)
{
}

EndpointSliceController::~EndpointSliceController() = default;

void EndpointSliceController::start()
{
    if (m_running)
        return;
    m_running = true;
    m_generations.clear();
    m_recorder = std::make_unique<client::EventRecorder>(m_api, u"endpoint-slice-controller"_s);
    m_queue = std::make_unique<client::WorkQueue>(client::WorkQueue::retrying(
        [this](const QString &key, auto done) { sync(key, std::move(done)); }));
    // kube-controller-manager's endpointslice back-off: 1 s doubling up to 1000 s is for a
    // large cluster; a local one wants its endpoints back soon after a missing node appears.
    m_queue->setBackoffLimits(std::chrono::milliseconds(5), std::chrono::seconds(30));
    m_services = std::make_unique<client::Informer>(m_api, servicesResource);
    client::InformerOptions podOptions;
    podOptions.transform = endpointsPodEssentials;
    m_pods = std::make_unique<client::Informer>(m_api, podsResource, podOptions);
    client::InformerOptions nodeOptions;
    nodeOptions.transform = [](const QJsonObject &node) {
        return QJsonObject{
            {u"metadata"_s, QJsonObject{{u"name"_s, nameOf(node)}, {u"labels"_s, labelsOf(node)}}}};
    };
    m_nodes = std::make_unique<client::Informer>(m_api, nodesResource, nodeOptions);
    m_slices = std::make_unique<client::Informer>(m_api, slicesResource);

    auto enqueueKey = [this](const QString &key) { enqueue(key); };
    connect(m_services.get(), &client::Informer::added, this,
            [this](const QJsonObject &s) { enqueue(keyOf(s)); });
    connect(m_services.get(), &client::Informer::updated, this,
            [this](const QJsonObject &, const QJsonObject &s) { enqueue(keyOf(s)); });
    connect(m_services.get(), &client::Informer::deleted, this,
            [this](const QJsonObject &s) { enqueue(keyOf(s)); });
    enqueueServicesOnPodEvents(*m_pods, *m_services, this, enqueueKey);

    // Slices changed by someone else bring their service back; this controller's own writes,
    // once seen, do not.
    connect(m_slices.get(), &client::Informer::added, this, [this](const QJsonObject &slice) {
        if (managedByController(slice) && shouldSync(slice))
            enqueueForSlice(slice);
    });
    connect(m_slices.get(), &client::Informer::updated, this,
            [this](const QJsonObject &old, const QJsonObject &slice) {
                if (managedByController(old) != managedByController(slice) ||
                    serviceKeyOf(old) != serviceKeyOf(slice)) {
                    enqueueForSlice(old);
                    enqueueForSlice(slice);
                } else if (managedByController(slice) && shouldSync(slice)) {
                    enqueueForSlice(slice);
                }
            });
    connect(m_slices.get(), &client::Informer::deleted, this, [this](const QJsonObject &slice) {
        if (!managedByController(slice))
            return;
        // A deletion this controller asked for is done with; any other wants the slice back.
        auto service = m_generations.find(serviceKeyOf(slice));
        if (service == m_generations.end() || !service->contains(uidOf(slice)))
            return enqueueForSlice(slice);
        const qint64 generation = service->take(uidOf(slice));
        if (service->isEmpty())
            m_generations.erase(service);
        if (generation != deletionExpected)
            enqueueForSlice(slice);
    });
    for (client::Informer *informer :
         {m_services.get(), m_pods.get(), m_nodes.get(), m_slices.get()})
        connect(informer, &client::Informer::synced, this, [this] {
            if (synced())
                for (const QJsonObject &s : m_services->list())
                    m_queue->add(keyOf(s));
        });
    m_services->start();
    m_pods->start();
    m_nodes->start();
    m_slices->start();
}

// The parts stay until the next start() or the destructor: answers still under way use them.
void EndpointSliceController::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_queue->shutDown();
    m_services->stop();
    m_pods->stop();
    m_nodes->stop();
    m_slices->stop();
}

bool EndpointSliceController::synced() const
{
    return m_running && m_services->hasSynced() && m_pods->hasSynced() && m_nodes->hasSynced() &&
           m_slices->hasSynced();
}

void EndpointSliceController::enqueue(const QString &key)
{
    if (synced())
        m_queue->add(key);
}

void EndpointSliceController::enqueueForSlice(const QJsonObject &slice)
{
    if (const QString key = serviceKeyOf(slice); !key.isEmpty())
        enqueue(key);
}

bool EndpointSliceController::shouldSync(const QJsonObject &slice) const
{
    const auto service = m_generations.constFind(serviceKeyOf(slice));
    if (service == m_generations.cend())
        return true;
    const auto generation = service->constFind(uidOf(slice));
    return generation == service->cend() || generationOf(slice) > *generation;
}

bool EndpointSliceController::staleSlices(const QString &serviceKey,
                                          const QList<QJsonObject> &slices) const
{
    const auto service = m_generations.constFind(serviceKey);
    if (service == m_generations.cend())
        return false;
    QSet<QString> present;
    for (const QJsonObject &slice : slices) {
        present.insert(uidOf(slice));
        const auto generation = service->constFind(uidOf(slice));
        if (generation != service->cend() &&
            (*generation == deletionExpected || *generation > generationOf(slice)))
            return true;
    }
    for (auto it = service->cbegin(); it != service->cend(); ++it)
        if (it.value() != deletionExpected && !present.contains(it.key()))
            return true;
    return false;
}

QJsonObject EndpointSliceController::podToEndpoint(const QJsonObject &pod, const QJsonObject &node,
                                                   const QJsonObject &service,
                                                   const QString &addressType)
{
    const bool serving = isPodReady(pod);
    const bool terminating = isBeingDeleted(pod);
    // A terminating pod is never ready, unless not-ready addresses are published anyway.
    const bool ready =
        specOf(service).value(u"publishNotReadyAddresses").toBool() || (serving && !terminating);
    QJsonArray addresses;
    for (const QString &ip : podAddresses(pod, addressType == u"IPv6"))
        addresses.append(ip);
    QJsonObject endpoint{{u"addresses"_s, addresses},
                         {u"conditions"_s, QJsonObject{{u"ready"_s, ready},
                                                       {u"serving"_s, serving},
                                                       {u"terminating"_s, terminating}}},
                         {u"targetRef"_s, QJsonObject{{u"kind"_s, u"Pod"_s},
                                                      {u"namespace"_s, nsOf(pod)},
                                                      {u"name"_s, nameOf(pod)},
                                                      {u"uid"_s, uidOf(pod)}}}};
    if (const QString nodeName = specOf(pod).value(u"nodeName").toString(); !nodeName.isEmpty())
        endpoint.insert(u"nodeName"_s, nodeName);
    if (const QString zone = labelsOf(node).value(zoneLabel).toString(); !zone.isEmpty())
        endpoint.insert(u"zone"_s, zone);
    if (shouldSetHostname(pod, service))
        endpoint.insert(u"hostname"_s, specOf(pod).value(u"hostname"));
    return endpoint;
}

void EndpointSliceController::sync(const QString &key, std::function<void(bool)> done)
{
    if (!synced())
        return done(false); // every service is queued again once the caches are complete
    const QString ns = key.section(u'/', 0, 0);
    const QString name = key.section(u'/', 1);
    const QJsonObject service = m_services->get(ns, name);
    if (service.isEmpty()) {
        // Its slices go with it: the garbage collector follows their owner references.
        m_generations.remove(key);
        return done(false);
    }
    // ExternalName services point elsewhere; those without a selector get theirs from users.
    if (specOf(service).value(u"type").toString() == u"ExternalName" ||
        !hasServiceSelector(service))
        return done(false);

    QList<QJsonObject> slices;
    for (const QJsonObject &slice : m_slices->list())
        if (nsOf(slice) == ns && labelsOf(slice).value(serviceNameLabel).toString() == name &&
            managedByController(slice) && !isBeingDeleted(slice))
            slices.append(slice);
    std::sort(slices.begin(), slices.end(),
              [](const QJsonObject &a, const QJsonObject &b) { return nameOf(a) < nameOf(b); });
    if (staleSlices(key, slices))
        return done(true); // the informer has not caught up with the last writes yet

    const QList<QJsonObject> pods = podsSelectedBy(*m_pods, service);
    const QStringList types = addressTypesOf(service);
    Plan plan;
    QStringList errors;
    QHash<QString, QList<QJsonObject>> slicesByType;
    for (const QJsonObject &slice : std::as_const(slices)) {
        const QString type = slice.value(u"addressType").toString();
        if (types.contains(type))
            slicesByType[type].append(slice);
        else
            plan.remove.append(slice);
    }
    // Each address type is finalized on its own (creates may only become updates of slices of
    // the same type); the slices of types the service no longer has go last.
    Plan unsupported = std::move(plan);
    QList<Plan> plans;
    for (const QString &type : types) {
        Plan typed;
        reconcileByAddressType(service, pods, slicesByType.value(type), type, typed, errors);
        plans.append(std::move(typed));
    }
    plans.append(std::move(unsupported));
    if (!errors.isEmpty()) {
        const QString error =
            errors.size() == 1 ? errors.first() : u'[' + errors.join(u", "_s) + u']';
        m_recorder->event(
            service, u"Warning"_s, u"FailedToUpdateEndpointSlices"_s,
            u"Error updating Endpoint Slices for Service %1/%2: %3"_s.arg(ns, name, error));
    }
    // Pods skipped for a missing node are looked at again after the back-off.
    auto pending = std::make_shared<int>(int(plans.size()));
    auto retry = std::make_shared<bool>(!errors.isEmpty());
    for (Plan &typed : plans)
        finalize(service, std::move(typed), [pending, retry, done](bool failed) {
            *retry = *retry || failed;
            if (--*pending == 0)
                done(*retry);
        });
}

void EndpointSliceController::reconcileByAddressType(const QJsonObject &service,
                                                     const QList<QJsonObject> &pods,
                                                     const QList<QJsonObject> &existing,
                                                     const QString &addressType, Plan &plan,
                                                     QStringList &errors) const
{
    QMap<QString, QList<QJsonObject>> existingByPortMap;
    for (const QJsonObject &slice : existing) {
        if (ownedBy(slice, service))
            existingByPortMap[portMapKey(slice.value(u"ports").toArray())].append(slice);
        else
            plan.remove.append(slice); // left by an earlier Service of the same name
    }
    const bool publishNotReady = specOf(service).value(u"publishNotReadyAddresses").toBool();
    QMap<QString, QJsonArray> portsByPortMap;
    QMap<QString, QMap<QString, QJsonObject>> desiredByPortMap;
    for (const QJsonObject &pod : pods) {
        if (!shouldPodBeInEndpoints(pod, true))
            continue;
        const QJsonArray ports = endpointPorts(service, pod);
        const QString portMap = portMapKey(ports);
        portsByPortMap.insert(portMap, ports);
        QMap<QString, QJsonObject> &desired = desiredByPortMap[portMap];
        const QString nodeName = specOf(pod).value(u"nodeName").toString();
        const QJsonObject node = m_nodes->get(QString(), nodeName);
        // A pod on a node that does not exist (yet) is left out, and looked at again later,
        // unless its address is to be published regardless.
        if (node.isEmpty() && !publishNotReady) {
            errors.append(u"skipping Pod %1 for Service %2/%3: Node %4 Not Found"_s.arg(
                nameOf(pod), nsOf(service), nameOf(service), nodeName));
            continue;
        }
        const QJsonObject endpoint = podToEndpoint(pod, node, service, addressType);
        if (!endpoint.value(u"addresses").toArray().isEmpty())
            desired.insert(endpointId(endpoint), endpoint);
    }
    const qsizetype removedBefore = plan.remove.size();
    Plan typed;
    for (auto it = desiredByPortMap.cbegin(); it != desiredByPortMap.cend(); ++it)
        reconcileByPortMapping(service, existingByPortMap.value(it.key()), it.value(),
                               portsByPortMap.value(it.key()), addressType, typed);
    for (auto it = existingByPortMap.cbegin(); it != existingByPortMap.cend(); ++it)
        if (!desiredByPortMap.contains(it.key()))
            typed.remove.append(it.value());
    typed.remove = plan.remove.mid(removedBefore) + typed.remove;
    plan.remove.resize(removedBefore);
    // A service without endpoints keeps one empty slice, so that consumers see it has none.
    if (existing.size() == typed.remove.size() && typed.create.isEmpty()) {
        const QJsonObject placeholder = newSlice(service, {}, addressType);
        if (typed.remove.size() == 1 && samePlaceholder(typed.remove.first(), placeholder))
            typed.remove.clear();
        else
            typed.create.append(placeholder);
    }
    plan.create += typed.create;
    plan.update += typed.update;
    plan.remove += typed.remove;
}

void EndpointSliceController::reconcileByPortMapping(const QJsonObject &service,
                                                     const QList<QJsonObject> &existing,
                                                     QMap<QString, QJsonObject> desired,
                                                     const QJsonArray &ports,
                                                     const QString &addressType, Plan &plan) const
{
    const int max = m_options.maxEndpointsPerSlice;
    QList<QJsonObject> updates;
    QList<QJsonObject> unchanged;
    // 1. Endpoints stay in the slice they are in: updated there, or removed from it.
    for (const QJsonObject &slice : existing) {
        const QJsonArray current = slice.value(u"endpoints").toArray();
        QJsonArray kept;
        bool updated = false;
        for (const QJsonValue &v : current) {
            const auto it = desired.find(endpointId(v.toObject()));
            if (it == desired.end())
                continue;
            kept.append(*it);
            updated = updated || comparedBeyondId(*it) != comparedBeyondId(v.toObject());
            desired.erase(it);
        }
        const auto [labels, labelsChanged] = sliceLabels(slice, service);
        QJsonObject next = slice;
        QJsonObject meta = metaOf(slice);
        if (updated || kept.size() != current.size()) {
            if (kept.isEmpty()) {
                plan.remove.append(slice);
                continue;
            }
            next.insert(u"endpoints"_s, kept);
            meta.insert(u"labels"_s, labels);
            next.insert(u"metadata"_s, meta);
            updates.append(next);
        } else if (labelsChanged) {
            meta.insert(u"labels"_s, labels);
            next.insert(u"metadata"_s, meta);
            updates.append(next);
        } else {
            unchanged.append(slice);
        }
    }
    auto fill = [&](QJsonObject &slice) {
        QJsonArray endpoints = slice.value(u"endpoints").toArray();
        while (!desired.isEmpty() && endpoints.size() < max)
            endpoints.append(desired.take(desired.firstKey()));
        slice.insert(u"endpoints"_s, endpoints);
    };
    // 2. New endpoints fill the slices being written anyway, fullest first.
    if (!desired.isEmpty() && !updates.isEmpty()) {
        std::stable_sort(updates.begin(), updates.end(), [](const auto &a, const auto &b) {
            return a.value(u"endpoints").toArray().size() > b.value(u"endpoints").toArray().size();
        });
        for (QJsonObject &slice : updates)
            fill(slice);
    }
    // 3. The rest go into the unchanged slice they fill best when they fit, else new slices.
    while (!desired.isEmpty()) {
        QJsonObject slice;
        if (desired.size() < max && !unchanged.isEmpty()) {
            qsizetype best = -1;
            qsizetype closest = max;
            for (qsizetype i = 0; i < unchanged.size(); ++i) {
                const qsizetype diff =
                    max - (desired.size() + unchanged[i].value(u"endpoints").toArray().size());
                if (diff >= 0 && diff < closest) {
                    closest = diff;
                    best = i;
                }
            }
            if (best >= 0)
                slice = unchanged.takeAt(best);
        }
        const bool created = slice.isEmpty();
        if (created)
            slice = newSlice(service, ports, addressType);
        fill(slice);
        (created ? plan.create : updates).append(slice);
    }
    plan.update += updates;
}

void EndpointSliceController::finalize(const QJsonObject &service, Plan plan,
                                       std::function<void(bool)> done)
{
    // Slices about to be deleted are reused for the ones about to be created.
    for (qsizetype i = 0; i < plan.remove.size() && !plan.create.isEmpty();) {
        const QJsonObject old = plan.remove[i];
        QJsonObject slice = plan.create.last();
        if (old.value(u"addressType") != slice.value(u"addressType") || !ownedBy(old, service)) {
            ++i;
            continue;
        }
        QJsonObject meta = metaOf(old);
        meta.insert(u"labels"_s, labelsOf(slice));
        meta.insert(u"ownerReferences"_s, metaOf(slice).value(u"ownerReferences"));
        slice.insert(u"metadata"_s, meta);
        if (!slice.contains(u"ports"))
            slice.insert(u"ports"_s, QJsonArray());
        plan.create.removeLast();
        plan.update.append(slice);
        plan.remove.removeAt(i);
    }
    // No new slices for a service being deleted: the garbage collector would race them.
    if (isBeingDeleted(service))
        plan.create.clear();

    const QString key = keyOf(service);
    const QString ns = nsOf(service);
    struct Gather
    {
        int left = 1;
        QStringList errors;
    };
    auto gather = std::make_shared<Gather>();
    auto finish = [this, gather, service, done] {
        if (--gather->left > 0)
            return;
        if (gather->errors.isEmpty())
            return done(false);
        const QString error = gather->errors.size() == 1
                                  ? gather->errors.first()
                                  : u'[' + gather->errors.join(u", "_s) + u']';
        m_recorder->event(service, u"Warning"_s, u"FailedToUpdateEndpointSlices"_s,
                          u"Error updating Endpoint Slices for Service %1/%2: %3"_s.arg(
                              nsOf(service), nameOf(service), error));
        qCDebug(lcEndpointSlices).noquote() << error;
        done(true);
    };
    auto track = [this, key](const QJsonObject &slice, qint64 generation) {
        m_generations[key].insert(uidOf(slice), generation);
    };
    for (const QJsonObject &slice : std::as_const(plan.create)) {
        ++gather->left;
        m_api.create(slicesResource, ns, slice, asControllerManager,
                     guarded([gather, finish, track, service](client::Result<QJsonObject> r) {
                         if (r)
                             track(*r, generationOf(*r));
                         else if (!namespaceTerminating(r.error()))
                             gather->errors.append(
                                 u"failed to create EndpointSlice for Service %1/%2: %3"_s.arg(
                                     nsOf(service), nameOf(service), r.error().message));
                         finish();
                     }));
    }
    for (const QJsonObject &slice : std::as_const(plan.update)) {
        ++gather->left;
        m_api.update(slicesResource, ns, slice, QString(), asControllerManager,
                     guarded([gather, finish, track, service,
                              name = nameOf(slice)](client::Result<QJsonObject> r) {
                         if (r)
                             track(*r, generationOf(*r));
                         else
                             gather->errors.append(
                                 u"failed to update %1 EndpointSlice for Service %2/%3: %4"_s.arg(
                                     name, nsOf(service), nameOf(service), r.error().message));
                         finish();
                     }));
    }
    for (const QJsonObject &slice : std::as_const(plan.remove)) {
        ++gather->left;
        m_api.remove(
            slicesResource, ns, nameOf(slice), {},
            guarded([gather, finish, track, service, slice](client::Result<QJsonObject> r) {
                if (r)
                    track(slice, deletionExpected);
                else if (!r.error().isNotFound())
                    gather->errors.append(
                        u"failed to delete %1 EndpointSlice for Service %2/%3: %4"_s.arg(
                            nameOf(slice), nsOf(service), nameOf(service), r.error().message));
                finish();
            }));
    }
    finish();
}

} // namespace timonel::controllers
