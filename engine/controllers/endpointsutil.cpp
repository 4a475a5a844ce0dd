#include "endpointsutil.h"

#include "controllerutils.h"

#include "client/informer.h"
#include "core/labelselector.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QObject>

using namespace Qt::StringLiterals;

namespace timonel::controllers {

const QString headlessServiceLabel = u"service.kubernetes.io/headless"_s;

namespace {

QJsonObject metaOf(const QJsonObject &o)
{
    return o.value(u"metadata").toObject();
}

QJsonObject specOf(const QJsonObject &o)
{
    return o.value(u"spec").toObject();
}

QJsonObject statusOf(const QJsonObject &o)
{
    return o.value(u"status").toObject();
}

QString nsOf(const QJsonObject &o)
{
    return metaOf(o).value(u"namespace").toString();
}

// Container names and ports only, for findPort.
QJsonArray containerPorts(const QJsonArray &containers)
{
    QJsonArray out;
    for (const QJsonValue &v : containers) {
        const QJsonObject c = v.toObject();
        QJsonObject kept{{u"name"_s, c.value(u"name")}};
        for (const char16_t *field : {u"ports", u"restartPolicy"})
            if (c.contains(field))
                kept.insert(QString::fromUtf16(field), c.value(field));
        out.append(kept);
    }
    return out;
}

bool portMatches(const QJsonObject &containerPort, const QString &name, const QString &protocol)
{
    return containerPort.value(u"name").toString() == name &&
           containerPort.value(u"protocol").toString(u"TCP"_s) == protocol;
}

QStringList ipsOf(const QJsonObject &pod)
{
    QStringList ips;
    for (const QJsonValue &v : statusOf(pod).value(u"podIPs").toArray())
        ips.append(v.toObject().value(u"ip").toString());
    if (ips.isEmpty() && !statusOf(pod).value(u"podIP").toString().isEmpty())
        ips.append(statusOf(pod).value(u"podIP").toString());
    return ips;
}

// podEndpointsChanged: {whether the endpoints of the pod changed, whether its memberships may}.
std::pair<bool, bool> podEndpointsChanged(const QJsonObject &oldPod, const QJsonObject &newPod)
{
    const bool labelsChanged =
        metaOf(oldPod).value(u"labels") != metaOf(newPod).value(u"labels") ||
        specOf(oldPod).value(u"hostname") != specOf(newPod).value(u"hostname") ||
        specOf(oldPod).value(u"subdomain") != specOf(newPod).value(u"subdomain");
    const bool podChanged =
        metaOf(oldPod).value(u"deletionTimestamp") != metaOf(newPod).value(u"deletionTimestamp") ||
        isPodReady(oldPod) != isPodReady(newPod) || ipsOf(oldPod) != ipsOf(newPod) ||
        // Terminal phases and node names are read too; kube relies on the IP change for them.
        statusOf(oldPod).value(u"phase") != statusOf(newPod).value(u"phase") ||
        specOf(oldPod).value(u"nodeName") != specOf(newPod).value(u"nodeName");
    return {podChanged, labelsChanged};
}

QSet<QString> servicesMatching(const client::Informer &services, const QString &ns,
                               const QJsonObject &labels)
{
    QSet<QString> keys;
    for (const QJsonObject &service : services.list()) {
        if (nsOf(service) != ns || !hasServiceSelector(service))
            continue;
        if (core::LabelSelector::fromSet(specOf(service).value(u"selector").toObject())
                .matches(labels))
            keys.insert(keyOf(service));
    }
    return keys;
}

} // namespace

QJsonObject endpointsPodEssentials(const QJsonObject &pod)
{
    QJsonObject meta = metaOf(pod);
    meta.remove(u"managedFields"_s);
    meta.remove(u"annotations"_s);
    const QJsonObject spec = specOf(pod);
    QJsonObject keptSpec;
    for (const char16_t *field : {u"nodeName", u"hostname", u"subdomain"})
        if (spec.contains(field))
            keptSpec.insert(QString::fromUtf16(field), spec.value(field));
    keptSpec.insert(u"containers"_s, containerPorts(spec.value(u"containers").toArray()));
    if (spec.contains(u"initContainers"))
        keptSpec.insert(u"initContainers"_s,
                        containerPorts(spec.value(u"initContainers").toArray()));
    const QJsonObject status = statusOf(pod);
    QJsonObject keptStatus;
    for (const char16_t *field : {u"phase", u"podIP", u"podIPs", u"conditions"})
        if (status.contains(field))
            keptStatus.insert(QString::fromUtf16(field), status.value(field));
    return {{u"metadata"_s, meta}, {u"spec"_s, keptSpec}, {u"status"_s, keptStatus}};
}

bool hasServiceSelector(const QJsonObject &service)
{
    return !specOf(service).value(u"selector").toObject().isEmpty();
}

bool isServiceIPSet(const QJsonObject &service)
{
    const QString ip = specOf(service).value(u"clusterIP").toString();
    return !ip.isEmpty() && ip != u"None";
}

bool shouldPodBeInEndpoints(const QJsonObject &pod, bool includeTerminating)
{
    const QString phase = statusOf(pod).value(u"phase").toString();
    if (phase == u"Succeeded" || phase == u"Failed")
        return false;
    if (ipsOf(pod).isEmpty())
        return false;
    return includeTerminating || !isBeingDeleted(pod);
}

bool shouldSetHostname(const QJsonObject &pod, const QJsonObject &service)
{
    const QJsonObject spec = specOf(pod);
    return !spec.value(u"hostname").toString().isEmpty() &&
           spec.value(u"subdomain").toString() == metaOf(service).value(u"name").toString() &&
           nsOf(pod) == nsOf(service);
}

std::optional<int> findPort(const QJsonObject &pod, const QJsonObject &servicePort)
{
    const QJsonValue target = servicePort.value(u"targetPort").isUndefined()
                                  ? servicePort.value(u"port")
                                  : servicePort.value(u"targetPort");
    if (target.isDouble())
        return target.toInt();
    const QString name = target.toString();
    const QString protocol = servicePort.value(u"protocol").toString(u"TCP"_s);
    for (const QJsonValue &c : specOf(pod).value(u"containers").toArray())
        for (const QJsonValue &p : c.toObject().value(u"ports").toArray())
            if (portMatches(p.toObject(), name, protocol))
                return p.toObject().value(u"containerPort").toInt();
    // Sidecars (init containers that keep running) serve too.
    for (const QJsonValue &c : specOf(pod).value(u"initContainers").toArray()) {
        if (c.toObject().value(u"restartPolicy").toString() != u"Always")
            continue;
        for (const QJsonValue &p : c.toObject().value(u"ports").toArray())
            if (portMatches(p.toObject(), name, protocol))
                return p.toObject().value(u"containerPort").toInt();
    }
    return std::nullopt;
}

QStringList podAddresses(const QJsonObject &pod, bool ipv6)
{
    QStringList out;
    for (const QString &ip : ipsOf(pod)) {
        QHostAddress address;
        if (!address.setAddress(ip))
            continue;
        if ((address.protocol() == QAbstractSocket::IPv6Protocol) == ipv6)
            out.append(address.toString());
    }
    return out;
}

bool servesIPv6(const QJsonObject &service)
{
    const QJsonArray families = specOf(service).value(u"ipFamilies").toArray();
    return !families.isEmpty() && families.first().toString() == u"IPv6";
}

QList<QJsonObject> podsSelectedBy(const client::Informer &pods, const QJsonObject &service)
{
    const core::LabelSelector selector =
        core::LabelSelector::fromSet(specOf(service).value(u"selector").toObject());
    const QString ns = nsOf(service);
    QList<QJsonObject> selected;
    for (const QJsonObject &pod : pods.list())
        if (nsOf(pod) == ns && selector.matches(metaOf(pod).value(u"labels").toObject()))
            selected.append(pod);
    return selected;
}

QSet<QString> servicesForPodChange(const client::Informer &services, const QJsonObject &oldPod,
                                   const QJsonObject &newPod)
{
    if (oldPod.isEmpty() || newPod.isEmpty()) {
        const QJsonObject &pod = oldPod.isEmpty() ? newPod : oldPod;
        return servicesMatching(services, nsOf(pod), metaOf(pod).value(u"labels").toObject());
    }
    // A resync: the services get theirs from the service informer.
    if (metaOf(oldPod).value(u"resourceVersion") == metaOf(newPod).value(u"resourceVersion"))
        return {};
    const auto [podChanged, labelsChanged] = podEndpointsChanged(oldPod, newPod);
    if (!podChanged && !labelsChanged)
        return {};
    QSet<QString> now =
        servicesMatching(services, nsOf(newPod), metaOf(newPod).value(u"labels").toObject());
    if (!labelsChanged)
        return now;
    const QSet<QString> before =
        servicesMatching(services, nsOf(oldPod), metaOf(oldPod).value(u"labels").toObject());
    if (podChanged)
        return now.unite(before);
    // Only the memberships changed: the services it joined or left.
    QSet<QString> joined = now;
    joined.subtract(before);
    QSet<QString> left = before;
    left.subtract(now);
    return joined.unite(left);
}

void enqueueServicesOnPodEvents(client::Informer &pods, const client::Informer &services,
                                QObject *context, std::function<void(const QString &)> enqueue)
{
    auto handle = [&services, enqueue](const QJsonObject &oldPod, const QJsonObject &newPod) {
        for (const QString &key : servicesForPodChange(services, oldPod, newPod))
            enqueue(key);
    };
    QObject::connect(&pods, &client::Informer::added, context,
                     [handle](const QJsonObject &pod) { handle({}, pod); });
    QObject::connect(&pods, &client::Informer::updated, context, handle);
    QObject::connect(&pods, &client::Informer::deleted, context,
                     [handle](const QJsonObject &pod) { handle(pod, {}); });
}

} // namespace timonel::controllers
