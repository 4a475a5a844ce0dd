#include "ingressrules.h"

#include <QHash>
#include <QJsonArray>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace timonel::ingress {

namespace {

QJsonObject objectAt(const QJsonObject &o, QLatin1StringView key)
{
    return o.value(key).toObject();
}

QString nsOf(const QJsonObject &o)
{
    return objectAt(o, "metadata"_L1).value("namespace"_L1).toString();
}

QString nameOf(const QJsonObject &o)
{
    return objectAt(o, "metadata"_L1).value("name"_L1).toString();
}

QString keyOf(const QJsonObject &o)
{
    return nsOf(o) + u'/' + nameOf(o);
}

// Prefix paths compare without a trailing slash ("/foo/" is "/foo"); "/" stays.
QString normalizedPrefix(const QString &path)
{
    QString p = path.isEmpty() ? u"/"_s : path;
    while (p.size() > 1 && p.endsWith(u'/'))
        p.chop(1);
    return p;
}

// How specific a route's path is, for precedence among the routes that match.
qsizetype pathLength(const Route &route)
{
    return route.pathType == PathType::Exact ? route.path.size()
                                             : normalizedPrefix(route.path).size();
}

// Service ports by "ns/name", EndpointSlices by "ns/service".
struct Objects
{
    QHash<QString, QJsonObject> services;
    QHash<QString, QList<QJsonObject>> slices;
};

// The ready endpoints of a service port named in an Ingress backend ({service: {name, port:
// {number | name}}}); a missing service or port leaves them empty.
std::optional<Backend> resolveBackend(const QString &ns, const QJsonObject &backendSpec,
                                      const Objects &objects)
{
    const QJsonObject service = objectAt(backendSpec, "service"_L1);
    if (service.isEmpty())
        return std::nullopt; // a resource backend: not something a proxy can reach
    Backend backend;
    backend.ns = ns;
    backend.service = service.value("name"_L1).toString();
    const QJsonObject port = objectAt(service, "port"_L1);
    const int number = port.value("number"_L1).toInt();
    const QString portName = port.value("name"_L1).toString();
    backend.port = number > 0 ? QString::number(number) : portName;

    const QJsonObject svc = objects.services.value(ns + u'/' + backend.service);
    if (svc.isEmpty())
        return backend;
    // EndpointSlice ports carry the name of the service port they serve.
    std::optional<QString> slicePortName;
    for (const QJsonValue &v : objectAt(svc, "spec"_L1).value("ports"_L1).toArray()) {
        const QJsonObject p = v.toObject();
        const QString protocol = p.value("protocol"_L1).toString(u"TCP"_s);
        if (protocol != "TCP"_L1)
            continue;
        if ((number > 0 && p.value("port"_L1).toInt() == number) ||
            (number <= 0 && p.value("name"_L1).toString() == portName)) {
            slicePortName = p.value("name"_L1).toString();
            break;
        }
    }
    if (!slicePortName)
        return backend;

    QSet<QString> seen;
    for (const QJsonObject &slice : objects.slices.value(ns + u'/' + backend.service)) {
        if (slice.value("addressType"_L1).toString() == "FQDN"_L1)
            continue;
        int target = 0;
        for (const QJsonValue &v : slice.value("ports"_L1).toArray()) {
            const QJsonObject p = v.toObject();
            if (p.value("name"_L1).toString() == *slicePortName &&
                p.value("protocol"_L1).toString(u"TCP"_s) == "TCP"_L1)
                target = p.value("port"_L1).toInt();
        }
        if (target <= 0 || target > 65535)
            continue;
        for (const QJsonValue &v : slice.value("endpoints"_L1).toArray()) {
            const QJsonObject endpoint = v.toObject();
            // An unset ready condition means ready (discovery.k8s.io/v1).
            if (!objectAt(endpoint, "conditions"_L1).value("ready"_L1).toBool(true))
                continue;
            for (const QJsonValue &address : endpoint.value("addresses"_L1).toArray()) {
                const QString ip = address.toString();
                const QString key = ip + u':' + QString::number(target);
                if (ip.isEmpty() || seen.contains(key))
                    continue;
                seen.insert(key);
                backend.endpoints.append({ip, quint16(target)});
            }
        }
    }
    return backend;
}

QList<TlsCertificate> certificatesOf(const QJsonObject &ingress,
                                     const QHash<QString, QJsonObject> &secrets)
{
    QList<TlsCertificate> certificates;
    const QString ns = nsOf(ingress);
    for (const QJsonValue &v : objectAt(ingress, "spec"_L1).value("tls"_L1).toArray()) {
        const QJsonObject tls = v.toObject();
        const QString secretName = tls.value("secretName"_L1).toString();
        const QJsonObject secret = secrets.value(ns + u'/' + secretName);
        if (secret.value("type"_L1).toString() != "kubernetes.io/tls"_L1)
            continue;
        const QJsonObject data = objectAt(secret, "data"_L1);
        const QByteArray crt =
            QByteArray::fromBase64(data.value("tls.crt"_L1).toString().toLatin1());
        const QByteArray key =
            QByteArray::fromBase64(data.value("tls.key"_L1).toString().toLatin1());
        if (crt.isEmpty() || key.isEmpty())
            continue;
        for (const QJsonValue &host : tls.value("hosts"_L1).toArray())
            certificates.append(
                {host.toString().toLower(), crt, key, ns + u'/' + secretName});
    }
    return certificates;
}

} // namespace

QString ingressClassName()
{
    return u"timonel"_s;
}

QString controllerName()
{
    return u"timonel.dev/ingress-controller"_s;
}

std::optional<PathType> pathTypeFromString(const QString &text)
{
    if (text == "Exact"_L1)
        return PathType::Exact;
    if (text == "Prefix"_L1)
        return PathType::Prefix;
    if (text == "ImplementationSpecific"_L1)
        return PathType::ImplementationSpecific;
    return std::nullopt;
}

QString Backend::displayName() const
{
    return ns + u'/' + service + u':' + port;
}

bool pathMatches(PathType type, const QString &routePath, const QString &requestPath)
{
    if (type == PathType::Exact)
        return routePath == requestPath;
    const QString prefix = normalizedPrefix(routePath);
    if (prefix == "/"_L1)
        return true;
    if (!requestPath.startsWith(prefix))
        return false;
    // Element-wise: what follows the prefix must start a new element (or be nothing).
    return requestPath.size() == prefix.size() || requestPath.at(prefix.size()) == u'/';
}

bool hostMatches(const QString &ruleHost, const QString &requestHost)
{
    if (ruleHost.startsWith("*."_L1)) {
        const qsizetype dot = requestHost.indexOf(u'.');
        return dot > 0 &&
               QStringView(requestHost).mid(dot).compare(QStringView(ruleHost).mid(1),
                                                         Qt::CaseInsensitive) == 0;
    }
    return ruleHost.compare(requestHost, Qt::CaseInsensitive) == 0;
}

QString hostWithoutPort(const QString &hostHeader)
{
    QString host = hostHeader.trimmed();
    if (host.startsWith(u'[')) {
        const qsizetype end = host.indexOf(u']');
        return (end > 0 ? host.mid(1, end - 1) : host).toLower();
    }
    if (const qsizetype colon = host.lastIndexOf(u':'); colon >= 0 && host.count(u':') == 1)
        host.truncate(colon);
    return host.toLower();
}

std::optional<Backend> RoutingTable::match(const QString &host, const QString &path) const
{
    // The group of routes whose host matches best: equal, then wildcard, then any host.
    auto group = [&](auto &&accepts) {
        QList<const Route *> found;
        for (const Route &route : routes)
            if (accepts(route.host))
                found.append(&route);
        return found;
    };
    QList<const Route *> candidates = group([&](const QString &h) {
        return !h.isEmpty() && !h.startsWith("*."_L1) && hostMatches(h, host);
    });
    if (candidates.isEmpty())
        candidates = group(
            [&](const QString &h) { return h.startsWith("*."_L1) && hostMatches(h, host); });
    if (candidates.isEmpty())
        candidates = group([](const QString &h) { return h.isEmpty(); });

    const Route *best = nullptr;
    for (const Route *route : std::as_const(candidates)) {
        if (!pathMatches(route->pathType, route->path, path))
            continue;
        if (!best || pathLength(*route) > pathLength(*best) ||
            (pathLength(*route) == pathLength(*best) && route->pathType == PathType::Exact &&
             best->pathType != PathType::Exact))
            best = route;
    }
    if (best)
        return best->backend;
    return defaultBackend;
}

const TlsCertificate *RoutingTable::certificateFor(const QString &serverName) const
{
    for (const TlsCertificate &c : certificates)
        if (!c.host.startsWith("*."_L1) && hostMatches(c.host, serverName))
            return &c;
    for (const TlsCertificate &c : certificates)
        if (c.host.startsWith("*."_L1) && hostMatches(c.host, serverName))
            return &c;
    return nullptr;
}

bool isDefaultIngressClass(const QJsonObject &ingressClass)
{
    return objectAt(objectAt(ingressClass, "metadata"_L1), "annotations"_L1)
               .value("ingressclass.kubernetes.io/is-default-class"_L1)
               .toString() == "true"_L1;
}

bool isServedIngress(const QJsonObject &ingress, bool timonelIsDefaultClass)
{
    const QString className =
        objectAt(ingress, "spec"_L1).value("ingressClassName"_L1).toString();
    if (!className.isEmpty())
        return className == ingressClassName();
    // The annotation IngressClass replaced still selects a controller where it is set.
    const QString annotated = objectAt(objectAt(ingress, "metadata"_L1), "annotations"_L1)
                                  .value("kubernetes.io/ingress.class"_L1)
                                  .toString();
    if (!annotated.isEmpty())
        return annotated == ingressClassName();
    return timonelIsDefaultClass;
}

RoutingTable computeRoutingTable(const QList<QJsonObject> &ingresses,
                                 const QList<QJsonObject> &services,
                                 const QList<QJsonObject> &endpointSlices,
                                 const QList<QJsonObject> &secrets, bool timonelIsDefaultClass)
{
    Objects objects;
    for (const QJsonObject &service : services)
        objects.services.insert(keyOf(service), service);
    for (const QJsonObject &slice : endpointSlices) {
        const QString service = objectAt(objectAt(slice, "metadata"_L1), "labels"_L1)
                                    .value("kubernetes.io/service-name"_L1)
                                    .toString();
        if (!service.isEmpty())
            objects.slices[nsOf(slice) + u'/' + service].append(slice);
    }
    QHash<QString, QJsonObject> secretsByKey;
    for (const QJsonObject &secret : secrets)
        secretsByKey.insert(keyOf(secret), secret);

    // Conflicts go to the oldest Ingress, as with ingress-nginx.
    QList<QJsonObject> served;
    for (const QJsonObject &ingress : ingresses)
        if (isServedIngress(ingress, timonelIsDefaultClass) &&
            !objectAt(ingress, "metadata"_L1).contains("deletionTimestamp"_L1))
            served.append(ingress);
    std::ranges::sort(served, [](const QJsonObject &a, const QJsonObject &b) {
        const QString ta = objectAt(a, "metadata"_L1).value("creationTimestamp"_L1).toString();
        const QString tb = objectAt(b, "metadata"_L1).value("creationTimestamp"_L1).toString();
        return ta != tb ? ta < tb : keyOf(a) < keyOf(b);
    });

    RoutingTable table;
    QSet<QString> taken; // host + type + path already routed
    QSet<QString> certificateHosts;
    for (const QJsonObject &ingress : std::as_const(served)) {
        const QString ns = nsOf(ingress);
        const QJsonObject spec = objectAt(ingress, "spec"_L1);
        table.servedIngresses.append(keyOf(ingress));
        if (!table.defaultBackend)
            table.defaultBackend = resolveBackend(ns, objectAt(spec, "defaultBackend"_L1), objects);
        for (const QJsonValue &r : spec.value("rules"_L1).toArray()) {
            const QJsonObject rule = r.toObject();
            const QString host = rule.value("host"_L1).toString().toLower();
            for (const QJsonValue &p : objectAt(rule, "http"_L1).value("paths"_L1).toArray()) {
                const QJsonObject path = p.toObject();
                const auto type = pathTypeFromString(path.value("pathType"_L1).toString());
                auto backend = resolveBackend(ns, objectAt(path, "backend"_L1), objects);
                if (!type || !backend)
                    continue;
                QString routePath = path.value("path"_L1).toString();
                if (routePath.isEmpty() && *type != PathType::Exact)
                    routePath = u"/"_s;
                const QString key = host + u' ' + QString::number(int(*type)) + u' ' + routePath;
                if (taken.contains(key))
                    continue;
                taken.insert(key);
                table.routes.append({host, routePath, *type, *backend, keyOf(ingress)});
            }
        }
        for (TlsCertificate &certificate : certificatesOf(ingress, secretsByKey)) {
            if (certificateHosts.contains(certificate.host))
                continue;
            certificateHosts.insert(certificate.host);
            table.certificates.append(std::move(certificate));
        }
    }
    table.servedIngresses.sort();
    return table;
}

} // namespace timonel::ingress
