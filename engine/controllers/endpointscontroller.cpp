#include "endpointscontroller.h"

#include "controllerutils.h"
#include "endpointsutil.h"

#include "client/eventrecorder.h"
#include "client/informer.h"
#include "client/workqueue.h"

#include <QLoggingCategory>
#include <QMap>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcEndpoints, "timonel.controllers.endpoints", QtInfoMsg)

namespace timonel::controllers {

namespace {

const client::Resource servicesResource{QString(), u"v1"_s, u"services"_s};
const client::Resource podsResource{QString(), u"v1"_s, u"pods"_s};
const client::Resource endpointsResource{QString(), u"v1"_s, u"endpoints"_s};
const client::WriteQuery asControllerManager{u"kube-controller-manager"_s, false, false};

const QString leaderAnnotation = u"control-plane.alpha.kubernetes.io/leader"_s;
const QString triggerTimeAnnotation = u"endpoints.kubernetes.io/last-change-trigger-time"_s;
const QString overCapacityAnnotation = u"endpoints.kubernetes.io/over-capacity"_s;

QJsonObject metaOf(const QJsonObject &o)
{
    return o.value(u"metadata").toObject();
}

QJsonObject specOf(const QJsonObject &o)
{
    return o.value(u"spec").toObject();
}

QString resourceVersionOf(const QJsonObject &o)
{
    return metaOf(o).value(u"resourceVersion").toString();
}

bool namespaceTerminating(const client::Error &e)
{
    const QJsonArray causes = e.status.value(u"details").toObject().value(u"causes").toArray();
    return std::any_of(causes.begin(), causes.end(), [](const QJsonValue &c) {
        return c.toObject().value(u"reason").toString() == u"NamespaceTerminating";
    });
}

QJsonObject endpointAddress(const QJsonObject &pod, const QString &ip, const QJsonObject &service)
{
    const QJsonObject meta = metaOf(pod);
    QJsonObject address{{u"ip"_s, ip},
                        {u"nodeName"_s, specOf(pod).value(u"nodeName").toString()},
                        {u"targetRef"_s, QJsonObject{{u"kind"_s, u"Pod"_s},
                                                     {u"namespace"_s, meta.value(u"namespace")},
                                                     {u"name"_s, meta.value(u"name")},
                                                     {u"uid"_s, meta.value(u"uid")}}}};
    if (shouldSetHostname(pod, service))
        address.insert(u"hostname"_s, specOf(pod).value(u"hostname"));
    return address;
}

QJsonObject endpointPort(const QJsonObject &servicePort, int number)
{
    QJsonObject port{{u"port"_s, number},
                     {u"protocol"_s, servicePort.value(u"protocol").toString(u"TCP"_s)}};
    if (!servicePort.value(u"name").toString().isEmpty())
        port.insert(u"name"_s, servicePort.value(u"name"));
    if (servicePort.contains(u"appProtocol"))
        port.insert(u"appProtocol"_s, servicePort.value(u"appProtocol"));
    return port;
}

// Sorts ports by name, number, protocol (Kubernetes sorts by a hash: any fixed order will do).
QString portKey(const QJsonObject &port)
{
    return port.value(u"name").toString() + u'\x01' +
           QString::number(port.value(u"port").toInt()).rightJustified(5, u'0') + u'\x01' +
           port.value(u"protocol").toString() + u'\x01' + port.value(u"appProtocol").toString();
}

// Addresses compare by IP, then pod uid (LessEndpointAddress); also what dedupes them.
QString addressKey(const QJsonObject &address)
{
    return address.value(u"ip").toString() + u'\x01' +
           address.value(u"targetRef").toObject().value(u"uid").toString();
}

// The subsets without what the comparison ignores: the pods' resourceVersions.
QJsonArray withoutPodVersions(QJsonArray subsets)
{
    for (qsizetype i = 0; i < subsets.size(); ++i) {
        QJsonObject subset = subsets[i].toObject();
        for (const QString &field : {u"addresses"_s, u"notReadyAddresses"_s}) {
            if (!subset.contains(field))
                continue;
            QJsonArray addresses = subset.value(field).toArray();
            for (qsizetype j = 0; j < addresses.size(); ++j) {
                QJsonObject a = addresses[j].toObject();
                QJsonObject ref = a.value(u"targetRef").toObject();
                if (ref.contains(u"resourceVersion")) {
                    ref.remove(u"resourceVersion"_s);
                    a.insert(u"targetRef"_s, ref);
                    addresses[j] = a;
                }
            }
            subset.insert(field, addresses);
        }
        subsets[i] = subset;
    }
    return subsets;
}

} // namespace

EndpointsController::EndpointsController(client::ApiClient &api, QObject *parent)
    : QObject(parent), m_api(api)
{
}

EndpointsController::~EndpointsController() = default;

void EndpointsController::start()
{
    if (m_running)
        return;
    m_running = true;
    m_written.clear();
    m_recorder = std::make_unique<client::EventRecorder>(m_api, u"endpoint-controller"_s);
    m_queue = std::make_unique<client::WorkQueue>(client::WorkQueue::retrying(
        [this](const QString &key, auto done) { sync(key, std::move(done)); }));
    m_queue->setBackoffLimits(std::chrono::milliseconds(5), std::chrono::seconds(30));
    m_services = std::make_unique<client::Informer>(m_api, servicesResource);
    client::InformerOptions podOptions;
    podOptions.transform = endpointsPodEssentials;
    m_pods = std::make_unique<client::Informer>(m_api, podsResource, podOptions);
    m_endpoints = std::make_unique<client::Informer>(m_api, endpointsResource);

    auto enqueue = [this](const QString &key) {
        if (synced())
            m_queue->add(key);
    };
    connect(m_services.get(), &client::Informer::added, this,
            [enqueue](const QJsonObject &s) { enqueue(keyOf(s)); });
    connect(m_services.get(), &client::Informer::updated, this,
            [enqueue](const QJsonObject &, const QJsonObject &s) { enqueue(keyOf(s)); });
    connect(m_services.get(), &client::Informer::deleted, this,
            [enqueue](const QJsonObject &s) { enqueue(keyOf(s)); });
    enqueueServicesOnPodEvents(*m_pods, *m_services, this, enqueue);
    // The cache has caught up with whatever was written; a deleted Endpoints is written again.
    connect(m_endpoints.get(), &client::Informer::added, this,
            [this](const QJsonObject &e) { m_written.remove(keyOf(e)); });
    connect(m_endpoints.get(), &client::Informer::updated, this,
            [this](const QJsonObject &, const QJsonObject &e) { m_written.remove(keyOf(e)); });
    connect(m_endpoints.get(), &client::Informer::deleted, this,
            [this, enqueue](const QJsonObject &e) {
                m_written.remove(keyOf(e));
                enqueue(keyOf(e));
            });
    // Once every cache is complete: every Service, and every Endpoints in case its Service went
    // while no controller was running (checkLeftoverEndpoints).
    for (client::Informer *informer : {m_services.get(), m_pods.get(), m_endpoints.get()})
        connect(informer, &client::Informer::synced, this, [this] {
            if (!synced())
                return;
            for (const QJsonObject &s : m_services->list())
                m_queue->add(keyOf(s));
            for (const QJsonObject &e : m_endpoints->list())
                if (!metaOf(e).value(u"annotations").toObject().contains(leaderAnnotation))
                    m_queue->add(keyOf(e));
        });
    m_services->start();
    m_pods->start();
    m_endpoints->start();
}

// The parts stay until the next start() or the destructor: answers still under way use them.
void EndpointsController::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_queue->shutDown();
    m_services->stop();
    m_pods->stop();
    m_endpoints->stop();
}

bool EndpointsController::synced() const
{
    return m_running && m_services->hasSynced() && m_pods->hasSynced() && m_endpoints->hasSynced();
}

QJsonArray EndpointsController::desiredSubsets(const QJsonObject &service,
                                               const QList<QJsonObject> &pods)
{
    const QJsonObject spec = specOf(service);
    const bool publishNotReady = spec.value(u"publishNotReadyAddresses").toBool();
    const QJsonArray servicePorts = spec.value(u"ports").toArray();
    const bool portlessHeadless =
        servicePorts.isEmpty() && spec.value(u"clusterIP").toString() == u"None";
    // RepackSubsets: first which addresses offer each port, ready or not (not ready wins)...
    const QString noPort; // the sentinel of a headless service without ports
    QMap<QString, QJsonObject> ports;
    QMap<QString, QMap<QString, bool>> readyByAddressByPort;
    QHash<QString, QJsonObject> addresses;
    auto add = [&](const QString &port, const QJsonObject &address, bool ready) {
        const QString key = addressKey(address);
        addresses.insert(key, address);
        QMap<QString, bool> &byAddress = readyByAddressByPort[port];
        if (!byAddress.contains(key) || byAddress.value(key))
            byAddress.insert(key, ready);
    };
    for (const QJsonObject &pod : pods) {
        if (!shouldPodBeInEndpoints(pod, publishNotReady))
            continue;
        const QStringList ips = podAddresses(pod, servesIPv6(service));
        if (ips.isEmpty())
            continue;
        const QJsonObject address = endpointAddress(pod, ips.first(), service);
        const bool ready = publishNotReady || isPodReady(pod);
        if (portlessHeadless)
            add(noPort, address, ready);
        for (const QJsonValue &v : servicePorts) {
            const std::optional<int> number = findPort(pod, v.toObject());
            if (!number)
                continue;
            const QJsonObject port = endpointPort(v.toObject(), *number);
            ports.insert(portKey(port), port);
            add(portKey(port), address, ready);
        }
    }
    // ...then one subset per distinct set of (address, ready), with every port it offers.
    QMap<QString, QStringList> portsBySet;
    QHash<QString, QMap<QString, bool>> sets;
    for (auto it = readyByAddressByPort.cbegin(); it != readyByAddressByPort.cend(); ++it) {
        QString signature;
        for (auto a = it->cbegin(); a != it->cend(); ++a)
            signature += a.key() + (a.value() ? u"\x02+"_s : u"\x02-"_s);
        sets.insert(signature, *it);
        portsBySet[signature].append(it.key());
    }
    QList<std::pair<QString, QJsonObject>> subsets;
    for (auto it = portsBySet.cbegin(); it != portsBySet.cend(); ++it) {
        QJsonArray ready, notReady, subsetPorts;
        for (auto a = sets[it.key()].cbegin(); a != sets[it.key()].cend(); ++a)
            (a.value() ? ready : notReady).append(addresses.value(a.key()));
        for (const QString &p : it.value())
            if (p != noPort)
                subsetPorts.append(ports.value(p));
        QJsonObject subset;
        if (!ready.isEmpty())
            subset.insert(u"addresses"_s, ready);
        if (!notReady.isEmpty())
            subset.insert(u"notReadyAddresses"_s, notReady);
        if (!subsetPorts.isEmpty())
            subset.insert(u"ports"_s, subsetPorts);
        const QJsonObject first = (ready.isEmpty() ? notReady : ready).first().toObject();
        subsets.append({addressKey(first) + u'\x03' + it.value().join(u'\x03'), subset});
    }
    std::sort(subsets.begin(), subsets.end(),
              [](const auto &a, const auto &b) { return a.first < b.first; });
    QJsonArray out;
    for (const auto &s : subsets)
        out.append(s.second);
    return out;
}

void EndpointsController::sync(const QString &key, std::function<void(bool)> done)
{
    if (!synced())
        return done(false); // every key is queued again once the caches are complete
    const QString ns = key.section(u'/', 0, 0);
    const QString name = key.section(u'/', 1);
    const QJsonObject service = m_services->get(ns, name);
    if (service.isEmpty()) {
        // The Service is gone: so are its Endpoints.
        m_written.remove(key);
        m_api.remove(endpointsResource, ns, name, {},
                     guarded([key, done](client::Result<QJsonObject> removed) {
                         if (!removed && !removed.error().isNotFound()) {
                             qCWarning(lcEndpoints).noquote()
                                 << "cannot delete endpoints" << key << removed.error().message;
                             return done(true);
                         }
                         done(false);
                     }));
        return;
    }
    // ExternalName services point elsewhere; those without a selector get theirs from users.
    if (specOf(service).value(u"type").toString() == u"ExternalName" ||
        !hasServiceSelector(service))
        return done(false);

    const QJsonObject current = m_endpoints->get(ns, name);
    if (m_written.contains(key)) {
        const QString before = m_written.value(key);
        const bool stale =
            before.isEmpty() ? current.isEmpty() : resourceVersionOf(current) == before;
        if (stale)
            return done(true); // the informer has not caught up with the last write yet
        m_written.remove(key);
    }
    const QJsonArray subsets = desiredSubsets(service, podsSelectedBy(*m_pods, service));
    if (!current.isEmpty()) {
        QJsonObject labels = metaOf(current).value(u"labels").toObject();
        labels.remove(headlessServiceLabel);
        const bool same =
            withoutPodVersions(current.value(u"subsets").toArray()) == subsets &&
            labels == metaOf(service).value(u"labels").toObject() &&
            !metaOf(current).value(u"annotations").toObject().contains(overCapacityAnnotation);
        if (same)
            return done(false);
    }
    write(service, current, subsets, std::move(done));
}

void EndpointsController::write(const QJsonObject &service, const QJsonObject &current,
                                const QJsonArray &subsets, std::function<void(bool)> done)
{
    const QString ns = metaOf(service).value(u"namespace").toString();
    const QString name = metaOf(service).value(u"name").toString();
    const QString key = ns + u'/' + name;
    const bool create = current.isEmpty();
    QJsonObject endpoints =
        create ? QJsonObject{{u"metadata"_s, QJsonObject{{u"name"_s, name}, {u"namespace"_s, ns}}}}
               : current;
    endpoints.insert(u"apiVersion"_s, u"v1"_s);
    endpoints.insert(u"kind"_s, u"Endpoints"_s);
    if (subsets.isEmpty())
        endpoints.remove(u"subsets"_s);
    else
        endpoints.insert(u"subsets"_s, subsets);
    QJsonObject meta = metaOf(endpoints);
    QJsonObject labels = metaOf(service).value(u"labels").toObject();
    if (!isServiceIPSet(service))
        labels.insert(headlessServiceLabel, QString());
    if (labels.isEmpty())
        meta.remove(u"labels"_s);
    else
        meta.insert(u"labels"_s, labels);
    // No trigger times are tracked, and nothing is truncated: neither annotation applies.
    QJsonObject annotations = meta.value(u"annotations").toObject();
    annotations.remove(triggerTimeAnnotation);
    annotations.remove(overCapacityAnnotation);
    if (annotations.isEmpty())
        meta.remove(u"annotations"_s);
    else
        meta.insert(u"annotations"_s, annotations);
    endpoints.insert(u"metadata"_s, meta);

    const QString before = resourceVersionOf(current);
    auto answered = guarded([this, key, ns, name, create, before, endpoints,
                             done](client::Result<QJsonObject> written) {
        if (!written) {
            if (create && written.error().code == 403 && namespaceTerminating(written.error()))
                return done(false); // creates will keep failing; the namespace is going anyway
            const QString message =
                create ? u"Failed to create endpoint for service %1/%2: %3"_s.arg(
                             ns, name, written.error().message)
                       : u"Failed to update endpoint %1/%2: %3"_s.arg(ns, name,
                                                                      written.error().message);
            m_recorder->event(endpoints, u"Warning"_s,
                              create ? u"FailedToCreateEndpoint"_s : u"FailedToUpdateEndpoint"_s,
                              message);
            qCDebug(lcEndpoints).noquote() << message;
            return done(true);
        }
        // Until the cache shows this write, a sync would act on what it replaced.
        const QString cached = resourceVersionOf(m_endpoints->get(ns, name));
        const bool caughtUp = create ? !cached.isEmpty() : cached != before;
        if (!caughtUp && resourceVersionOf(*written) != before)
            m_written.insert(key, before);
        done(false);
    });
    if (create)
        m_api.create(endpointsResource, ns, endpoints, asControllerManager, answered);
    else
        m_api.update(endpointsResource, ns, endpoints, QString(), asControllerManager, answered);
}

} // namespace timonel::controllers
