// What the ingress controller serves, computed from networking.k8s.io/v1 Ingresses of the
// `timonel` IngressClass, Services, EndpointSlices and TLS Secrets: routes by host and path to
// the ready endpoints of a service port, the default backend, and a certificate per TLS host.
// Pure data, no sockets: the proxy matches requests against it.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace timonel::ingress {

// The IngressClass this controller serves, and what its spec.controller names.
QString ingressClassName();
QString controllerName();

enum class PathType
{
    Exact,
    Prefix,
    // Left to the controller by the API: treated as Prefix, as ingress-nginx does without regex.
    ImplementationSpecific
};

std::optional<PathType> pathTypeFromString(const QString &text);

struct Endpoint
{
    QString ip;
    quint16 port = 0;
    friend bool operator==(const Endpoint &, const Endpoint &) = default;
};

// A service port of an Ingress backend and its ready endpoints (empty: answer 503).
struct Backend
{
    QString ns;
    QString service;
    QString port; // the number or the name the Ingress gave
    QList<Endpoint> endpoints;

    // "ns/service:port", also the key of the proxy's round robin.
    QString displayName() const;
    friend bool operator==(const Backend &, const Backend &) = default;
};

struct Route
{
    QString host; // "" matches any host; "*.foo.com" one label more than foo.com
    QString path;
    PathType pathType = PathType::Prefix;
    Backend backend;
    QString ingress; // "ns/name" of the Ingress that asked for it
};

struct TlsCertificate
{
    QString host; // may be a wildcard
    QByteArray certificatePem;
    QByteArray privateKeyPem;
    QString secret; // "ns/name"
};

class RoutingTable
{
public:
    // Routes of one host, in the order of precedence of the Ingresses (oldest first): an equal
    // host, path and type asked again by a newer Ingress is dropped.
    QList<Route> routes;
    std::optional<Backend> defaultBackend; // of the oldest Ingress that has one
    QList<TlsCertificate> certificates;    // the first for a host wins
    QStringList servedIngresses;           // "ns/name", sorted

    // The backend for a request: the routes of the host that matches best (equal, then the
    // wildcard, then the rules without host), the longest matching path among them, Exact
    // before Prefix on equal length; otherwise the default backend; nullopt: 404.
    // `host` is the Host header without its port.
    std::optional<Backend> match(const QString &host, const QString &path) const;
    // The certificate for a TLS server name: of the equal host, else of a matching wildcard.
    const TlsCertificate *certificateFor(const QString &serverName) const;
};

// Whether the spec's matching rules let `routePath` of that type serve `requestPath`: Exact is
// equality (case-sensitive); Prefix compares '/'-separated elements, a trailing slash ignored.
bool pathMatches(PathType type, const QString &routePath, const QString &requestPath);
// Case-insensitive equality, or "*.foo.com" for exactly one more label before foo.com.
bool hostMatches(const QString &ruleHost, const QString &requestHost);
// A Host header without its port (and an IPv6 literal without its brackets), lower-case.
QString hostWithoutPort(const QString &hostHeader);

// Whether this Ingress is ours: spec.ingressClassName is `timonel`, or it names no class (nor
// the deprecated kubernetes.io/ingress.class annotation) and `timonel` is the default class.
bool isServedIngress(const QJsonObject &ingress, bool timonelIsDefaultClass);
// Whether an IngressClass carries ingressclass.kubernetes.io/is-default-class: "true".
bool isDefaultIngressClass(const QJsonObject &ingressClass);

// The table for these objects (other Ingresses are ignored). Secrets are of every type; only
// kubernetes.io/tls ones with both keys are used.
RoutingTable computeRoutingTable(const QList<QJsonObject> &ingresses,
                                 const QList<QJsonObject> &services,
                                 const QList<QJsonObject> &endpointSlices,
                                 const QList<QJsonObject> &secrets, bool timonelIsDefaultClass);

} // namespace timonel::ingress
