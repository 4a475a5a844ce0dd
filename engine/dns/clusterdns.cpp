#include "clusterdns.h"

#include "client/informer.h"

#include <QJsonArray>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace timonel::dns {

Q_LOGGING_CATEGORY(lcDns, "timonel.dns", QtInfoMsg)

namespace {

const client::Resource Services{QString(), u"v1"_s, u"services"_s};
const client::Resource EndpointSlices{u"discovery.k8s.io"_s, u"v1"_s, u"endpointslices"_s};
const client::Resource Namespaces{QString(), u"v1"_s, u"namespaces"_s};

const QString ServiceNameLabel = u"kubernetes.io/service-name"_s;

// The SOA CoreDNS's kubernetes plugin serves for its zone.
constexpr quint32 SoaRefresh = 7200;
constexpr quint32 SoaRetry = 1800;
constexpr quint32 SoaExpire = 86400;

QString serviceKeyOf(const QJsonObject &slice)
{
    const QJsonObject meta = slice.value("metadata"_L1).toObject();
    const QString service = meta.value("labels"_L1).toObject().value(ServiceNameLabel).toString();
    if (service.isEmpty())
        return {};
    return meta.value("namespace"_L1).toString() + u'/' + service;
}

QString dashed(const QHostAddress &address)
{
    QString text = address.toString();
    text.replace(u'.', u'-');
    text.replace(u':', u'-');
    return text;
}

// CoreDNS's pod names: four dash-separated numbers are IPv4, other dashes stand for colons.
std::optional<QHostAddress> undashed(const QString &label)
{
    QString text = label;
    if (label.count(u'-') == 3 && !label.contains("--"_L1))
        text.replace(u'-', u'.');
    else
        text.replace(u'-', u':');
    QHostAddress address;
    if (!address.setAddress(text))
        return std::nullopt;
    return address;
}

bool wantsAddress(quint16 qtype, const QHostAddress &address)
{
    if (qtype == RecordType::ANY)
        return true;
    return address.protocol() == QAbstractSocket::IPv4Protocol ? qtype == RecordType::A
                                                               : qtype == RecordType::AAAA;
}

// CoreDNS spreads a weight of 100 over the records that share a priority.
quint16 srvWeight(qsizetype count)
{
    return quint16(count > 0 ? 100 / count : 100);
}

} // namespace

ClusterDns::ClusterDns(client::ApiClient &api, QString clusterDomain, QObject *parent)
    : QObject(parent), m_domain(clusterDomain.toLower()),
      m_lastChange(QDateTime::currentDateTimeUtc())
{
    if (m_domain.endsWith(u'.'))
        m_domain.chop(1);
    m_services = new client::Informer(api, Services, {}, this);
    m_slices = new client::Informer(api, EndpointSlices, {}, this);
    m_namespaces = new client::Informer(api, Namespaces, {}, this);

    for (client::Informer *informer : {m_services, m_slices, m_namespaces}) {
        connect(informer, &client::Informer::added, this, &ClusterDns::onChanged);
        connect(informer, &client::Informer::updated, this, &ClusterDns::onChanged);
        connect(informer, &client::Informer::deleted, this, &ClusterDns::onChanged);
        connect(informer, &client::Informer::synced, this, &ClusterDns::checkSynced);
        connect(informer, &client::Informer::failed, this, [informer](const client::Error &e) {
            qCWarning(lcDns) << "watching" << informer->resource().resource << "failed:" << e.code
                             << e.message;
        });
    }
    connect(m_slices, &client::Informer::added, this,
            [this](const QJsonObject &slice) { onSliceChanged({}, slice); });
    connect(m_slices, &client::Informer::updated, this, &ClusterDns::onSliceChanged);
    connect(m_slices, &client::Informer::deleted, this,
            [this](const QJsonObject &slice) { onSliceChanged(slice, {}); });

    for (client::Informer *informer : {m_services, m_slices, m_namespaces})
        informer->start();
}

ClusterDns::~ClusterDns() = default;

void ClusterDns::stop()
{
    for (client::Informer *informer : {m_services, m_slices, m_namespaces})
        informer->stop();
}

void ClusterDns::onSliceChanged(const QJsonObject &oldSlice, const QJsonObject &newSlice)
{
    if (!oldSlice.isEmpty()) {
        const QString service = serviceKeyOf(oldSlice);
        auto it = m_slicesByService.find(service);
        if (it != m_slicesByService.end()) {
            it->remove(client::Informer::keyOf(oldSlice));
            if (it->isEmpty())
                m_slicesByService.erase(it);
        }
    }
    if (!newSlice.isEmpty()) {
        const QString service = serviceKeyOf(newSlice);
        if (!service.isEmpty())
            m_slicesByService[service].insert(client::Informer::keyOf(newSlice));
    }
}

void ClusterDns::onChanged()
{
    m_lastChange = QDateTime::currentDateTimeUtc();
}

void ClusterDns::checkSynced()
{
    if (m_synced || !m_services->hasSynced() || !m_slices->hasSynced() ||
        !m_namespaces->hasSynced())
        return;
    m_synced = true;
    qCInfo(lcDns) << "cluster DNS for" << m_domain << "has synced:" << m_services->size()
                  << "services," << m_slices->size() << "endpoint slices";
    Q_EMIT synced();
}

Record ClusterDns::soa() const
{
    SoaData data{u"ns.dns."_s + m_domain,
                 u"hostmaster."_s + m_domain,
                 quint32(m_lastChange.toSecsSinceEpoch()),
                 SoaRefresh,
                 SoaRetry,
                 SoaExpire,
                 Ttl};
    return Record::soa(m_domain, Ttl, data);
}

std::optional<Message> ClusterDns::answer(const Message &query) const
{
    if (query.questions.size() != 1 || query.opcode != 0)
        return std::nullopt;
    const Question &q = query.questions.first();
    if (q.klass != ClassIn && q.klass != RecordType::ANY)
        return std::nullopt;

    QStringList labels = labelsOf(q.name.toLower());
    const QStringList domain = labelsOf(m_domain);
    if (labels.size() < domain.size() || labels.mid(labels.size() - domain.size()) != domain)
        return answerReverse(query);
    labels.resize(labels.size() - domain.size());

    const Lookup found = lookup(q, labels);
    Message response = Message::responseTo(query);
    response.authoritative = true;
    switch (found.outcome) {
    case Outcome::Answer:
        response.answers = found.answers;
        response.additional = found.additional;
        break;
    case Outcome::NameError:
        response.rcode = ResponseCode::NameError;
        response.authority.append(soa());
        break;
    case Outcome::NoData:
        response.authority.append(soa());
        break;
    }
    return response;
}

ClusterDns::Lookup ClusterDns::lookup(const Question &q, const QStringList &labels) const
{
    const auto recordsOrNoData = [](QList<Record> records) {
        return records.isEmpty() ? Lookup{Outcome::NoData, {}, {}}
                                 : Lookup{Outcome::Answer, std::move(records), {}};
    };
    if (labels.isEmpty()) { // the zone's apex
        if (q.type == RecordType::SOA) {
            Record record = soa();
            record.name = q.name;
            return recordsOrNoData({record});
        }
        if (q.type == RecordType::NS)
            return recordsOrNoData(
                {Record::domainName(q.name, RecordType::NS, Ttl, u"ns.dns."_s + m_domain)});
        return {Outcome::NoData, {}, {}};
    }
    const QString &kind = labels.last();
    if (kind != "svc"_L1 && kind != "pod"_L1)
        return {};
    if (labels.size() == 1)
        return {Outcome::NoData, {}, {}};
    const QString &ns = labels[labels.size() - 2];
    if (labels.size() == 2)
        return namespaceExists(ns) ? Lookup{Outcome::NoData, {}, {}} : Lookup{};

    if (kind == "pod"_L1)
        return labels.size() == 3 ? lookupPod(q, ns, labels[0]) : Lookup{};
    switch (labels.size()) {
    case 3:
        return lookupService(q, ns, labels[0]);
    case 4:
        return lookupEndpoint(q, ns, labels[1], labels[0]);
    case 5:
        if (labels[0].startsWith(u'_') && labels[1].startsWith(u'_'))
            return lookupSrv(q, ns, labels[2], labels[0].mid(1), labels[1].mid(1));
        return {};
    }
    return {};
}

ClusterDns::Lookup ClusterDns::lookupService(const Question &q, const QString &ns,
                                             const QString &service) const
{
    const QJsonObject object = m_services->get(ns, service);
    if (object.isEmpty())
        return {};
    const QJsonObject spec = object.value("spec"_L1).toObject();
    Lookup result{Outcome::Answer, {}, {}};

    if (spec.value("type"_L1).toString() == "ExternalName"_L1) {
        QString target = spec.value("externalName"_L1).toString();
        if (target.endsWith(u'.'))
            target.chop(1);
        result.answers.append(Record::domainName(q.name, RecordType::CNAME, Ttl, target));
        return result;
    }

    QList<QHostAddress> addresses;
    QList<Endpoint> endpoints;
    const bool headless = spec.value("clusterIP"_L1).toString() == "None"_L1;
    if (headless) {
        endpoints = readyEndpoints(ns, service);
        // CoreDNS: a headless service without ready endpoints has no name at all.
        if (endpoints.isEmpty())
            return {};
        for (const Endpoint &e : endpoints)
            addresses.append(e.address);
    } else {
        QJsonArray ips = spec.value("clusterIPs"_L1).toArray();
        if (ips.isEmpty())
            ips.append(spec.value("clusterIP"_L1));
        for (const QJsonValue &ip : ips) {
            QHostAddress address;
            if (address.setAddress(ip.toString()))
                addresses.append(address);
        }
    }

    if (q.type == RecordType::SRV) {
        // Every port of the service, as CoreDNS answers SRV queries for the service's name.
        const QString name = serviceName(ns, service);
        if (headless) {
            const QList<Port> ports = endpointPorts(ns, service);
            const quint16 weight = srvWeight(ports.size() * endpoints.size());
            for (const Port &port : ports) {
                for (const Endpoint &e : endpoints) {
                    const QString target = e.hostname + u'.' + name;
                    result.answers.append(
                        Record::srv(q.name, Ttl, SrvData{0, weight, port.port, target}));
                    result.additional.append(Record::address(target, Ttl, e.address));
                }
            }
        } else {
            const QJsonArray ports = spec.value("ports"_L1).toArray();
            const quint16 weight = srvWeight(ports.size());
            for (const QJsonValue &port : ports) {
                const quint16 number = quint16(port.toObject().value("port"_L1).toInt());
                result.answers.append(Record::srv(q.name, Ttl, SrvData{0, weight, number, name}));
            }
            if (!result.answers.isEmpty())
                for (const QHostAddress &address : addresses)
                    result.additional.append(Record::address(name, Ttl, address));
        }
    } else {
        for (const QHostAddress &address : addresses)
            if (wantsAddress(q.type, address))
                result.answers.append(Record::address(q.name, Ttl, address));
    }
    if (result.answers.isEmpty())
        return {Outcome::NoData, {}, {}};
    return result;
}

ClusterDns::Lookup ClusterDns::lookupEndpoint(const Question &q, const QString &ns,
                                              const QString &service, const QString &endpoint) const
{
    if (m_services->get(ns, service).isEmpty())
        return {};
    Lookup result{Outcome::NoData, {}, {}};
    bool exists = false;
    for (const Endpoint &e : readyEndpoints(ns, service)) {
        if (e.hostname != endpoint && dashed(e.address) != endpoint)
            continue;
        exists = true;
        if (wantsAddress(q.type, e.address))
            result.answers.append(Record::address(q.name, Ttl, e.address));
    }
    if (!exists)
        return {};
    if (!result.answers.isEmpty())
        result.outcome = Outcome::Answer;
    return result;
}

ClusterDns::Lookup ClusterDns::lookupSrv(const Question &q, const QString &ns,
                                         const QString &service, const QString &port,
                                         const QString &protocol) const
{
    const QJsonObject object = m_services->get(ns, service);
    if (object.isEmpty())
        return {};
    const QJsonObject spec = object.value("spec"_L1).toObject();
    if (spec.value("type"_L1).toString() == "ExternalName"_L1)
        return {};
    const QString name = serviceName(ns, service);
    Lookup result{Outcome::Answer, {}, {}};

    if (spec.value("clusterIP"_L1).toString() == "None"_L1) {
        const QList<Endpoint> endpoints = readyEndpoints(ns, service);
        for (const Port &p : endpointPorts(ns, service)) {
            if (p.name != port || p.protocol != protocol)
                continue;
            const quint16 weight = srvWeight(endpoints.size());
            for (const Endpoint &e : endpoints) {
                const QString target = e.hostname + u'.' + name;
                result.answers.append(Record::srv(q.name, Ttl, SrvData{0, weight, p.port, target}));
                result.additional.append(Record::address(target, Ttl, e.address));
            }
        }
    } else {
        for (const QJsonValue &value : spec.value("ports"_L1).toArray()) {
            const QJsonObject p = value.toObject();
            if (p.value("name"_L1).toString().toLower() != port ||
                p.value("protocol"_L1).toString(u"TCP"_s).toLower() != protocol)
                continue;
            const quint16 number = quint16(p.value("port"_L1).toInt());
            result.answers.append(Record::srv(q.name, Ttl, SrvData{0, 100, number, name}));
        }
        if (!result.answers.isEmpty()) {
            QJsonArray ips = spec.value("clusterIPs"_L1).toArray();
            if (ips.isEmpty())
                ips.append(spec.value("clusterIP"_L1));
            for (const QJsonValue &ip : ips) {
                QHostAddress address;
                if (address.setAddress(ip.toString()))
                    result.additional.append(Record::address(name, Ttl, address));
            }
        }
    }
    if (result.answers.isEmpty())
        return {};
    if (q.type != RecordType::SRV && q.type != RecordType::ANY)
        return {Outcome::NoData, {}, {}};
    return result;
}

ClusterDns::Lookup ClusterDns::lookupPod(const Question &q, const QString &ns,
                                         const QString &dashedIp) const
{
    const std::optional<QHostAddress> address = undashed(dashedIp);
    if (!address || !namespaceExists(ns))
        return {};
    if (!wantsAddress(q.type, *address))
        return {Outcome::NoData, {}, {}};
    return {Outcome::Answer, {Record::address(q.name, Ttl, *address)}, {}};
}

std::optional<Message> ClusterDns::answerReverse(const Message &query) const
{
    const Question &q = query.questions.first();
    if (q.type != RecordType::PTR)
        return std::nullopt;
    QStringList labels = labelsOf(q.name.toLower());
    QString text;
    if (labels.size() == 6 && labels[4] == "in-addr"_L1 && labels[5] == "arpa"_L1) {
        labels.resize(4);
        std::reverse(labels.begin(), labels.end());
        text = labels.join(u'.');
    } else if (labels.size() == 34 && labels[32] == "ip6"_L1 && labels[33] == "arpa"_L1) {
        labels.resize(32);
        std::reverse(labels.begin(), labels.end());
        for (qsizetype i = 0; i < labels.size(); ++i) {
            if (labels[i].size() != 1)
                return std::nullopt;
            if (i > 0 && i % 4 == 0)
                text += u':';
            text += labels[i];
        }
    } else {
        return std::nullopt;
    }
    QHostAddress address;
    if (!address.setAddress(text))
        return std::nullopt;

    QStringList targets;
    for (const QJsonObject &service : m_services->list()) {
        const QJsonObject spec = service.value("spec"_L1).toObject();
        QJsonArray ips = spec.value("clusterIPs"_L1).toArray();
        if (ips.isEmpty())
            ips.append(spec.value("clusterIP"_L1));
        for (const QJsonValue &ip : ips) {
            if (QHostAddress(ip.toString()).isEqual(address)) {
                const QJsonObject meta = service.value("metadata"_L1).toObject();
                targets.append(serviceName(meta.value("namespace"_L1).toString(),
                                           meta.value("name"_L1).toString()));
            }
        }
    }
    if (targets.isEmpty()) {
        // An endpoint's address: its name under the service, as CoreDNS answers.
        for (auto it = m_slicesByService.cbegin(); it != m_slicesByService.cend(); ++it) {
            const QString ns = it.key().section(u'/', 0, 0);
            const QString service = it.key().section(u'/', 1);
            for (const Endpoint &e : readyEndpoints(ns, service))
                if (e.address.isEqual(address))
                    targets.append(e.hostname + u'.' + serviceName(ns, service));
        }
    }
    if (targets.isEmpty())
        return std::nullopt;
    targets.removeDuplicates();
    Message response = Message::responseTo(query);
    response.authoritative = true;
    for (const QString &target : targets)
        response.answers.append(Record::domainName(q.name, RecordType::PTR, Ttl, target));
    return response;
}

bool ClusterDns::namespaceExists(const QString &ns) const
{
    return !m_namespaces->get(QString(), ns).isEmpty();
}

QList<ClusterDns::Endpoint> ClusterDns::readyEndpoints(const QString &ns,
                                                       const QString &service) const
{
    QList<Endpoint> result;
    QSet<QString> seen;
    for (const QString &key : m_slicesByService.value(ns + u'/' + service)) {
        const QJsonObject slice = m_slices->get(ns, key.section(u'/', 1));
        const QString addressType = slice.value("addressType"_L1).toString();
        if (addressType != "IPv4"_L1 && addressType != "IPv6"_L1)
            continue; // FQDN slices name no address
        for (const QJsonValue &value : slice.value("endpoints"_L1).toArray()) {
            const QJsonObject endpoint = value.toObject();
            // An absent "ready" means ready (discovery.k8s.io/v1 EndpointConditions).
            const QJsonValue ready = endpoint.value("conditions"_L1).toObject().value("ready"_L1);
            if (ready.isBool() && !ready.toBool())
                continue;
            for (const QJsonValue &ip : endpoint.value("addresses"_L1).toArray()) {
                QHostAddress address;
                if (!address.setAddress(ip.toString()) || seen.contains(address.toString()))
                    continue;
                seen.insert(address.toString());
                QString hostname = endpoint.value("hostname"_L1).toString().toLower();
                if (hostname.isEmpty())
                    hostname = dashed(address);
                result.append(Endpoint{address, hostname});
            }
        }
    }
    // The cache is a hash: a stable order makes answers (and tests) deterministic.
    std::sort(result.begin(), result.end(),
              [](const Endpoint &a, const Endpoint &b) { return a.hostname < b.hostname; });
    return result;
}

QList<ClusterDns::Port> ClusterDns::endpointPorts(const QString &ns, const QString &service) const
{
    QList<Port> result;
    for (const QString &key : m_slicesByService.value(ns + u'/' + service)) {
        const QJsonObject slice = m_slices->get(ns, key.section(u'/', 1));
        for (const QJsonValue &value : slice.value("ports"_L1).toArray()) {
            const QJsonObject p = value.toObject();
            Port port{p.value("name"_L1).toString().toLower(),
                      p.value("protocol"_L1).toString(u"TCP"_s).toLower(),
                      quint16(p.value("port"_L1).toInt())};
            const bool known = std::any_of(result.cbegin(), result.cend(), [&](const Port &o) {
                return o.name == port.name && o.protocol == port.protocol && o.port == port.port;
            });
            if (!known && port.port != 0)
                result.append(port);
        }
    }
    return result;
}

QString ClusterDns::serviceName(const QString &ns, const QString &service) const
{
    return service + u'.' + ns + u".svc."_s + m_domain;
}

} // namespace timonel::dns
