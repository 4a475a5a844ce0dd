#include "client/servicebackend.h"

#include <QCoreApplication>
#include <QJsonArray>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace timonel::client {

namespace {

// This file's user-visible texts, translated in the "PodStreams" context (as podstreams.cpp's).
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(PodStreams)
};

const Resource podsResource{{}, u"v1"_s, u"pods"_s};
const Resource servicesResource{{}, u"v1"_s, u"services"_s};

Error notFound(const QString &message)
{
    return {404, u"NotFound"_s, message, {}};
}

bool isReady(const QJsonObject &pod)
{
    const QJsonArray conditions = pod.value(u"status").toObject().value(u"conditions").toArray();
    for (const QJsonValue &c : conditions) {
        if (c.toObject().value(u"type").toString() == u"Ready")
            return c.toObject().value(u"status").toString() == u"True";
    }
    return false;
}

// A ready pod, else a running one, in name order for a stable choice.
std::optional<QJsonObject> pickPod(const QJsonArray &items)
{
    std::optional<QJsonObject> running;
    QList<QJsonObject> pods;
    for (const QJsonValue &item : items)
        pods.append(item.toObject());
    std::sort(pods.begin(), pods.end(), [](const QJsonObject &a, const QJsonObject &b) {
        return a[u"metadata"][u"name"].toString() < b[u"metadata"][u"name"].toString();
    });
    for (const QJsonObject &pod : pods) {
        if (pod.value(u"metadata").toObject().contains(u"deletionTimestamp") ||
            pod.value(u"status").toObject().value(u"phase").toString() != u"Running")
            continue;
        if (isReady(pod))
            return pod;
        if (!running)
            running = pod;
    }
    return running;
}

// The container port named `name` in the pod, as kubectl's LookupContainerPortNumberByName.
std::optional<quint16> namedContainerPort(const QJsonObject &pod, const QString &name)
{
    const QJsonArray containers = pod.value(u"spec").toObject().value(u"containers").toArray();
    for (const QJsonValue &container : containers) {
        for (const QJsonValue &port : container.toObject().value(u"ports").toArray()) {
            if (port.toObject().value(u"name").toString() == name)
                return quint16(port.toObject().value(u"containerPort").toInt());
        }
    }
    return std::nullopt;
}

// The entry of spec.ports that `servicePort` names, by number or by name.
std::optional<QJsonObject> portEntry(const QJsonObject &spec, const QString &servicePort)
{
    for (const QJsonValue &p : spec.value(u"ports").toArray()) {
        const QJsonObject entry = p.toObject();
        if (QString::number(entry.value(u"port").toInt()) == servicePort ||
            (!servicePort.isEmpty() && entry.value(u"name").toString() == servicePort))
            return entry;
    }
    return std::nullopt;
}

QString selectorText(const QJsonObject &selector)
{
    QStringList terms;
    for (auto it = selector.begin(); it != selector.end(); ++it)
        terms.append(it.key() + u'=' + it.value().toString());
    return terms.join(u',');
}

// The pod port a service port's targetPort means on `pod`: a number, a container port's name,
// or (none) the service port itself.
Result<quint16> targetPortOn(const QJsonObject &pod, const QJsonObject &port)
{
    const QJsonValue target = port.value(u"targetPort");
    if (target.isString()) {
        if (const std::optional<quint16> named = namedContainerPort(pod, target.toString()))
            return *named;
        const QString podName = pod.value(u"metadata").toObject().value(u"name").toString();
        return std::unexpected(notFound(
            Tr::tr("Pod '%1' does not have a named port '%2'").arg(podName, target.toString())));
    }
    return quint16(target.toInt() > 0 ? target.toInt() : port.value(u"port").toInt());
}

} // namespace

void resolveServiceBackend(ApiClient &api, const QString &ns, const QString &service,
                           const QString &servicePort, Callback<ServiceBackend> done)
{
    api.get(
        servicesResource, ns, service,
        [&api, ns, service, servicePort, done](Result<QJsonObject> svc) {
            if (!svc)
                return done(std::unexpected(svc.error()));
            const QJsonObject spec = svc->value(u"spec").toObject();
            const std::optional<QJsonObject> port = portEntry(spec, servicePort);
            if (!port)
                return done(
                    std::unexpected(notFound(Tr::tr("Service %1 does not have a service port %2")
                                                 .arg(service, servicePort))));
            const QJsonObject selector = spec.value(u"selector").toObject();
            if (selector.isEmpty())
                return done(std::unexpected(
                    Error{400,
                          u"BadRequest"_s,
                          Tr::tr("invalid service '%1': Service is defined without a selector")
                              .arg(service),
                          {}}));
            ListQuery query;
            query.labelSelector = selectorText(selector);
            api.list(
                podsResource, ns, query, [service, port = *port, done](Result<QJsonObject> pods) {
                    if (!pods)
                        return done(std::unexpected(pods.error()));
                    const auto pod = pickPod(pods->value(u"items").toArray());
                    if (!pod)
                        return done(std::unexpected(
                            notFound(Tr::tr("no running pod backs service %1").arg(service))));
                    const Result<quint16> target = targetPortOn(*pod, port);
                    if (!target)
                        return done(std::unexpected(target.error()));
                    done(ServiceBackend{
                        pod->value(u"metadata").toObject().value(u"name").toString(), *target});
                });
        });
}

} // namespace timonel::client
