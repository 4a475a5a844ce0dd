// What the service proxy serves, computed from Services and EndpointSlices as kube-proxy does:
// one frontend per service port, the endpoints behind it, and which of them take new
// connections. Pure data: no sockets, no clock of its own.
#pragma once

#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <chrono>
#include <optional>

namespace timonel::proxy {

enum class Protocol
{
    Tcp,
    Udp
};

QString protocolName(Protocol protocol);

// One endpoint address and port behind a service port, with its EndpointSlice conditions.
struct Backend
{
    QString ip;
    quint16 port = 0;
    bool ready = false;
    bool serving = false;
    bool terminating = false;

    friend bool operator==(const Backend &, const Backend &) = default;
};

// One port of one service: what listens (each ClusterIP at `port`, every node address at
// `nodePort` when it has one) and where it leads.
struct Frontend
{
    Protocol protocol = Protocol::Tcp;
    QStringList clusterIPs;
    quint16 port = 0;
    quint16 nodePort = 0; // 0: none
    QString ns;
    QString name;
    QString portName;
    // ClientIP session affinity: how long a client stays with its backend; 0 = no affinity.
    int affinitySeconds = 0;
    QList<Backend> backends; // every endpoint of the port, in slice order, without duplicates

    // "ns/name:portName" as kube-proxy names a service port in its logs.
    QString displayName() const;
    friend bool operator==(const Frontend &, const Frontend &) = default;
};

// The endpoints that take new connections: the ready ones; when none is ready, those serving
// while terminating (kube-proxy's fallback, so that a rolling update does not drop traffic).
QList<Backend> usableBackends(const QList<Backend> &backends);

// Every frontend of these v1 Services, with backends from these discovery.k8s.io/v1
// EndpointSlices (matched to a service by the label kubernetes.io/service-name, to a port by
// name and protocol). Headless and ExternalName services have none; SCTP ports are skipped.
QList<Frontend> computeFrontends(const QList<QJsonObject> &services,
                                 const QList<QJsonObject> &endpointSlices);

// Chooses a backend for each new connection or UDP session: round robin across the current
// backends, or, with ClientIP affinity, the one the client last used while that is recent
// enough and still a backend.
class BackendPicker
{
public:
    using Clock = std::chrono::steady_clock;

    void setBackends(const QList<Backend> &backends, int affinitySeconds);
    const QList<Backend> &backends() const { return m_backends; }
    int affinitySeconds() const { return m_affinitySeconds; }

    // nullopt when there is no backend. `exclude` is one to pass over (it just failed) when
    // there is another.
    std::optional<Backend> pick(const QHostAddress &client, Clock::time_point now = Clock::now(),
                                const std::optional<Backend> &exclude = std::nullopt);

private:
    struct Affinity
    {
        Backend backend;
        Clock::time_point lastUsed;
    };

    QList<Backend> m_backends;
    int m_affinitySeconds = 0;
    qsizetype m_next = 0;
    QHash<QString, Affinity> m_affinity; // by client IP
};

} // namespace timonel::proxy
