// The cluster's DNS records, as CoreDNS's kubernetes plugin serves them (Kubernetes DNS-Based
// Service Discovery specification), from a watch-fed cache of Services, EndpointSlices and
// Namespaces:
//   <svc>.<ns>.svc.<domain>               A/AAAA: the ClusterIPs; headless: the ready endpoints;
//                                         ExternalName: CNAME to spec.externalName
//   <host>.<svc>.<ns>.svc.<domain>        the endpoint with that hostname (or dashed IP)
//   _<port>._<proto>.<svc>.<ns>.svc.<domain>  SRV for a named port, A records as additional
//   <a-b-c-d>.<ns>.pod.<domain>           A (CoreDNS's `pods insecure`)
//   <reversed IP>.in-addr.arpa / ip6.arpa PTR for ClusterIPs and endpoint IPs
// Any other name inside the domain is NXDOMAIN, and names that exist without records of the
// asked type are NODATA; both carry the zone's SOA in the authority section. Names outside the
// domain, and reverse names of no cluster address, are not answered here: they are forwarded.
#pragma once

#include "dnsmessage.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QSet>

#include <optional>

namespace timonel::client {
class ApiClient;
class Informer;
} // namespace timonel::client

namespace timonel::dns {

class ClusterDns : public QObject
{
    Q_OBJECT
public:
    // CoreDNS's kubernetes plugin default: answers may be cached for 5 seconds.
    static constexpr quint32 Ttl = 5;

    // Starts watching Services, EndpointSlices and Namespaces of every namespace at once.
    // `api` must outlive this object.
    explicit ClusterDns(client::ApiClient &api,
                        QString clusterDomain = QStringLiteral("cluster.local"),
                        QObject *parent = nullptr);
    ~ClusterDns() override;

    // Stops watching; the records known so far keep being served.
    void stop();

    const QString &clusterDomain() const { return m_domain; }
    // Whether every cache has completed its first list (before that, answers may miss names).
    bool hasSynced() const { return m_synced; }

    // The response to `query`, or nullopt when the name is not the cluster's to answer (the
    // server forwards it upstream). Expects one question of a standard query.
    std::optional<Message> answer(const Message &query) const;

    // The zone's SOA record (the serial is the time of the last change seen).
    Record soa() const;

Q_SIGNALS:
    // Once, when every cache has completed its first list.
    void synced();

private:
    struct Endpoint
    {
        QHostAddress address;
        QString hostname; // the endpoint's hostname, else its IP with dashes
    };
    struct Port
    {
        QString name;
        QString protocol; // lower case, as in the SRV label
        quint16 port = 0;
    };
    enum class Outcome
    {
        Answer,
        NoData,
        NameError
    };
    struct Lookup
    {
        Outcome outcome = Outcome::NameError;
        QList<Record> answers;
        QList<Record> additional;
    };

    void onSliceChanged(const QJsonObject &oldSlice, const QJsonObject &newSlice);
    void onChanged();
    void checkSynced();

    Lookup lookup(const Question &q, const QStringList &labels) const;
    Lookup lookupService(const Question &q, const QString &ns, const QString &service) const;
    Lookup lookupEndpoint(const Question &q, const QString &ns, const QString &service,
                          const QString &endpoint) const;
    Lookup lookupSrv(const Question &q, const QString &ns, const QString &service,
                     const QString &port, const QString &protocol) const;
    Lookup lookupPod(const Question &q, const QString &ns, const QString &dashedIp) const;
    std::optional<Message> answerReverse(const Message &query) const;

    bool namespaceExists(const QString &ns) const;
    QList<Endpoint> readyEndpoints(const QString &ns, const QString &service) const;
    QList<Port> endpointPorts(const QString &ns, const QString &service) const;
    QString serviceName(const QString &ns, const QString &service) const;

    QString m_domain;
    client::Informer *m_services;
    client::Informer *m_slices;
    client::Informer *m_namespaces;
    // "ns/service" -> keys of its EndpointSlices (label kubernetes.io/service-name).
    QHash<QString, QSet<QString>> m_slicesByService;
    QDateTime m_lastChange;
    bool m_synced = false;
};

} // namespace timonel::dns
