#include "servicelb.h"

#include "client/apiclient.h"
#include "client/informer.h"
#include "client/workqueue.h"
#include "cluster/defaults.h"
#include "core/cidr.h"

#include <QCryptographicHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QSet>
#include <QThreadPool>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcServiceLb, "timonel.servicelb", QtInfoMsg)

namespace timonel::node {

namespace {

const client::Resource services{{}, u"v1"_s, u"services"_s};
const client::Resource nodes{{}, u"v1"_s, u"nodes"_s};
constexpr QLatin1StringView serviceLabel{"io.timonel.loadbalancer"}; // namespace/name
constexpr QLatin1StringView addressLabel{"io.timonel.loadbalancer.address"};
constexpr QLatin1StringView digestLabel{"io.timonel.loadbalancer.digest"};

bool isLoadBalancer(const QJsonObject &service)
{
    return service.value(u"spec").toObject().value(u"type").toString() == u"LoadBalancer";
}

QString containerName(const QString &cluster, const QString &key)
{
    return u"%1-lb-%2"_s.arg(cluster, QString(key).replace(u'/', u'-'));
}

// The highest address of the network's range (the nodes') that no container holds: nodes take
// theirs from the bottom and keep them across a stop, which an address Docker picks might take.
QString freeNetworkAddress(const docker::DockerClient &docker, const QString &network)
{
    auto inspected = docker.inspectNetwork(network);
    if (!inspected)
        return {};
    const QJsonArray configs = inspected->value(u"IPAM").toObject().value(u"Config").toArray();
    const QString range = configs.first()
                              .toObject()
                              .value(u"IPRange")
                              .toString(configs.first().toObject().value(u"Subnet").toString());
    auto subnet = core::Ipv4Subnet::parse(range);
    if (!subnet || subnet->size() < 4)
        return {};
    QSet<QString> held;
    for (const QJsonValue &c : inspected->value(u"Containers").toObject())
        held.insert(c.toObject().value(u"IPv4Address").toString().section(u'/', 0, 0));
    for (quint64 offset = subnet->size() - 2; offset > 1; --offset)
        if (const QString ip = subnet->address(offset); !held.contains(ip))
            return ip;
    return {};
}

} // namespace

QString publishedAddress(const QJsonObject &service)
{
    return service.value(u"status")
        .toObject()
        .value(u"loadBalancer")
        .toObject()
        .value(u"ingress")
        .toArray()
        .first()
        .toObject()
        .value(u"ip")
        .toString();
}

QStringList LoadBalancerSpec::arguments() const
{
    QStringList args{u"lb"_s};
    for (const Port &p : ports)
        args.append(u"--listen%1=%2=%3"_s.arg(p.protocol == u"udp" ? u"-udp"_s : QString())
                        .arg(p.port)
                        .arg(p.backends.join(u',')));
    return args;
}

QString LoadBalancerSpec::digest() const
{
    const QByteArray all = (address + u' ' + arguments().join(u' ')).toUtf8();
    return QString::fromLatin1(
        QCryptographicHash::hash(all, QCryptographicHash::Sha256).toHex().left(16));
}

LoadBalancerSpec loadBalancerSpecOf(const QJsonObject &service, const QStringList &nodeIPs,
                                    const QString &address)
{
    const QJsonObject meta = service.value(u"metadata").toObject();
    LoadBalancerSpec spec;
    spec.service = meta.value(u"namespace").toString() + u'/' + meta.value(u"name").toString();
    spec.address = address;
    if (!isLoadBalancer(service) || nodeIPs.isEmpty())
        return spec;
    for (const QJsonValue &v : service.value(u"spec").toObject().value(u"ports").toArray()) {
        const QJsonObject port = v.toObject();
        const int nodePort = port.value(u"nodePort").toInt();
        const QString protocol = port.value(u"protocol").toString(u"TCP"_s).toLower();
        if ((protocol != u"tcp" && protocol != u"udp") || nodePort == 0)
            continue; // SCTP: Docker publishes it, but the lb has no relay for it
        QStringList backends;
        for (const QString &ip : nodeIPs)
            backends.append(u"%1:%2"_s.arg(ip).arg(nodePort));
        spec.ports.append({port.value(u"port").toInt(), protocol, backends});
    }
    return spec;
}

QString nextLoopbackAddress(const QSet<QString> &taken)
{
    // 127.0.0.0/16 is left to the host's own uses (127.0.0.1, 127.0.1.1 on Debian).
    for (quint32 host = 1; host < 0xfffe; ++host) {
        const QString address = QHostAddress((127u << 24) | (1u << 16) | host).toString();
        if (!taken.contains(address))
            return address;
    }
    return {};
}

ServiceLoadBalancers::ServiceLoadBalancers(client::ApiClient &api,
                                           ServiceLoadBalancerOptions options,
                                           docker::DockerClient docker, QObject *parent)
    : QObject(parent), m_api(api), m_options(std::move(options)), m_docker(std::move(docker))
{
    m_services = std::make_unique<client::Informer>(m_api, services);
    m_nodes = std::make_unique<client::Informer>(m_api, nodes);
    m_queue = std::make_unique<client::WorkQueue>(
        client::WorkQueue::retrying(
            [this](const QString &key, auto done) { sync(key, std::move(done)); }),
        2);
    auto enqueue = [this](const QJsonObject &service) {
        m_queue->add(client::Informer::keyOf(service));
    };
    connect(m_services.get(), &client::Informer::added, this, enqueue);
    connect(m_services.get(), &client::Informer::updated, this,
            [enqueue](const QJsonObject &, const QJsonObject &service) { enqueue(service); });
    connect(m_services.get(), &client::Informer::deleted, this, enqueue);
    // The backends are the Ready nodes: any change of a node may change them.
    connect(m_nodes.get(), &client::Informer::added, this, &ServiceLoadBalancers::enqueueAll);
    connect(m_nodes.get(), &client::Informer::updated, this, &ServiceLoadBalancers::enqueueAll);
    connect(m_nodes.get(), &client::Informer::deleted, this, &ServiceLoadBalancers::enqueueAll);
    // Containers of services deleted while the control plane was down.
    connect(m_services.get(), &client::Informer::synced, this, [this] {
        // Pool tasks get copies of what they use: they may outlive this object at exit.
        QThreadPool::globalInstance()->start(
            [this, guard = QPointer(this), docker = m_docker, clusterName = m_options.cluster] {
                const QString filter = u"%1=%2"_s.arg(cluster::defaults::clusterLabel, clusterName);
                auto listed = docker.listContainers(
                    QJsonObject{{u"label"_s, QJsonArray{filter, QString(serviceLabel)}}});
                QStringList keys;
                for (const QJsonValue &c : listed.value_or(QJsonArray()))
                    keys.append(
                        c.toObject().value(u"Labels").toObject().value(serviceLabel).toString());
                QMetaObject::invokeMethod(this, [this, guard, keys] {
                    if (guard)
                        for (const QString &key : keys)
                            m_queue->add(key);
                });
            });
    });
}

ServiceLoadBalancers::~ServiceLoadBalancers()
{
    m_queue->shutDown();
}

void ServiceLoadBalancers::start()
{
    m_nodes->start();
    m_services->start();
}

void ServiceLoadBalancers::enqueueAll()
{
    for (const QJsonObject &service : m_services->list())
        if (isLoadBalancer(service))
            m_queue->add(client::Informer::keyOf(service));
}

QStringList ServiceLoadBalancers::readyNodeIPs() const
{
    QStringList ips;
    for (const QJsonObject &node : m_nodes->list()) {
        bool ready = false;
        for (const QJsonValue &c : node.value(u"status").toObject().value(u"conditions").toArray())
            ready |= c.toObject().value(u"type").toString() == u"Ready" &&
                     c.toObject().value(u"status").toString() == u"True";
        if (!ready)
            continue;
        for (const QJsonValue &a : node.value(u"status").toObject().value(u"addresses").toArray())
            if (a.toObject().value(u"type").toString() == u"InternalIP")
                ips.append(a.toObject().value(u"address").toString());
    }
    ips.sort();
    return ips;
}

void ServiceLoadBalancers::sync(const QString &key, std::function<void(bool retry)> done)
{
    if (!m_services->hasSynced() || !m_nodes->hasSynced())
        return done(true);
    const QJsonObject service = m_services->get(key.section(u'/', 0, 0), key.section(u'/', 1));
    const QStringList nodeIPs = readyNodeIPs();
    // Docker calls block: they run on the pool, the answer comes back to this thread.
    QThreadPool::globalInstance()->start([this, guard = QPointer(this), docker = m_docker,
                                          options = m_options, key, service, nodeIPs,
                                          done = std::move(done)] {
        const QString mine = u"%1=%2"_s.arg(serviceLabel, key);
        const QString ofCluster = u"%1=%2"_s.arg(cluster::defaults::clusterLabel, options.cluster);
        auto existing =
            docker.listContainers(QJsonObject{{u"label"_s, QJsonArray{mine, ofCluster}}}, true);
        auto everyAddress = docker.listContainers(
            QJsonObject{{u"label"_s, QJsonArray{QString(addressLabel)}}}, true);
        if (!existing || !everyAddress) {
            QMetaObject::invokeMethod(this, [guard, done] {
                if (guard)
                    done(true);
            });
            return;
        }

        QString address;
        QSet<QString> taken;
        for (const QJsonValue &c : *everyAddress) {
            const QJsonObject labels = c.toObject().value(u"Labels").toObject();
            if (labels.value(serviceLabel).toString() == key &&
                labels.value(cluster::defaults::clusterLabel).toString() == options.cluster)
                address = labels.value(addressLabel).toString();
            else
                taken.insert(labels.value(addressLabel).toString());
        }
        if (address.isEmpty()) {
            const QString published = publishedAddress(service);
            address = published.startsWith(u"127.1.") && !taken.contains(published)
                          ? published
                          : nextLoopbackAddress(taken);
        }
        const LoadBalancerSpec spec = loadBalancerSpecOf(service, nodeIPs, address);

        bool current = false;
        QString failure;
        for (const QJsonValue &c : *existing) {
            const QJsonObject container = c.toObject();
            const bool same = container.value(u"Labels").toObject().value(digestLabel).toString() ==
                                  spec.digest() &&
                              container.value(u"State").toString() == u"running";
            if (same && !spec.ports.isEmpty())
                current = true;
            else
                docker.removeContainer(container.value(u"Id").toString(), true, true);
        }
        if (!current && !spec.ports.isEmpty()) {
            QJsonObject exposed, bindings;
            for (const LoadBalancerSpec::Port &p : spec.ports) {
                const QString key = u"%1/%2"_s.arg(p.port).arg(p.protocol);
                exposed.insert(key, QJsonObject{});
                bindings.insert(key,
                                QJsonArray{QJsonObject{{u"HostIp"_s, address},
                                                       {u"HostPort"_s, QString::number(p.port)}}});
            }
            QJsonObject networking;
            if (const QString ip = freeNetworkAddress(docker, options.network); !ip.isEmpty())
                networking = {{u"EndpointsConfig"_s,
                               QJsonObject{{options.network,
                                            QJsonObject{{u"IPAMConfig"_s,
                                                         QJsonObject{{u"IPv4Address"_s, ip}}}}}}}};
            const QJsonObject config{
                {u"Image"_s, options.image},
                {u"NetworkingConfig"_s, networking},
                {u"Cmd"_s, QJsonArray::fromStringList(spec.arguments())},
                {u"Labels"_s, QJsonObject{{cluster::defaults::clusterLabel, options.cluster},
                                          {serviceLabel, key},
                                          {addressLabel, address},
                                          {digestLabel, spec.digest()}}},
                {u"ExposedPorts"_s, exposed},
                {u"HostConfig"_s,
                 QJsonObject{{u"NetworkMode"_s, options.network},
                             {u"PortBindings"_s, bindings},
                             // Brought back by this controller, not by Docker: after
                             // the cluster's nodes, which keep their own addresses.
                             {u"RestartPolicy"_s, QJsonObject{{u"Name"_s, u"no"_s}}}}}};
            auto id = docker.createContainer(containerName(options.cluster, key), config);
            if (!id)
                failure = id.error().message;
            else if (auto started = docker.startContainer(*id); !started) {
                failure = started.error().message;
                docker.removeContainer(*id, true, true);
            }
        }
        const QString published = failure.isEmpty() && !spec.ports.isEmpty() ? address : QString();
        QMetaObject::invokeMethod(this, [this, guard, key, service, published, failure, done] {
            if (!guard)
                return;
            if (!failure.isEmpty())
                qCWarning(lcServiceLb).noquote()
                    << "cannot publish the load balancer of" << key << failure;
            if (!service.isEmpty() && isLoadBalancer(service))
                reportAddress(key.section(u'/', 0, 0), key.section(u'/', 1), published);
            done(!failure.isEmpty());
        });
    });
}

void ServiceLoadBalancers::reportAddress(const QString &ns, const QString &name,
                                         const QString &address)
{
    const QJsonObject service = m_services->get(ns, name);
    if (publishedAddress(service) == address)
        return;
    const QJsonArray ingress =
        address.isEmpty() ? QJsonArray() : QJsonArray{QJsonObject{{u"ip"_s, address}}};
    const QJsonObject patch{
        {u"status"_s, QJsonObject{{u"loadBalancer"_s, QJsonObject{{u"ingress"_s, ingress}}}}}};
    m_api.patch(services, ns, name, client::PatchType::Merge,
                QJsonDocument(patch).toJson(QJsonDocument::Compact), u"status"_s, {},
                [ns, name](client::Result<QJsonObject> patched) {
                    if (!patched && !patched.error().isNotFound())
                        qCWarning(lcServiceLb).noquote()
                            << "cannot report the address of service" << ns + u'/' + name
                            << patched.error().message;
                });
}

} // namespace timonel::node
