#include "serviceproxy.h"

#include "client/informer.h"
#include "kernelservices.h"
#include "tcpforwarder.h"
#include "udpforwarder.h"

#include <QLoggingCategory>
#include <QTimer>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcProxy, "timonel.proxy", QtInfoMsg)

namespace timonel::proxy {

namespace {

const client::Resource kServices{QString(), u"v1"_s, u"services"_s};
const client::Resource kEndpointSlices{u"discovery.k8s.io"_s, u"v1"_s, u"endpointslices"_s};

// Only what the table reads is kept: managedFields and annotations of every service and slice
// in the cluster would otherwise sit in the node's memory.
QJsonObject slim(const QJsonObject &object)
{
    QJsonObject meta = object.value(u"metadata").toObject();
    meta.remove(u"managedFields"_s);
    meta.remove(u"annotations"_s);
    QJsonObject slimmed = object;
    slimmed.insert(u"metadata"_s, meta);
    slimmed.remove(u"status"_s);
    return slimmed;
}

} // namespace

ServiceProxy::ServiceProxy(client::ApiClient &api, ServiceProxyOptions options, QObject *parent)
    : QObject(parent), m_api(api), m_options(std::move(options)), m_coalesce(new QTimer(this)),
      m_retry(new QTimer(this))
{
    client::InformerOptions informerOptions;
    informerOptions.transform = slim;
    m_services = std::make_unique<client::Informer>(m_api, kServices, informerOptions);
    m_slices = std::make_unique<client::Informer>(m_api, kEndpointSlices, informerOptions);
    for (client::Informer *informer : {m_services.get(), m_slices.get()}) {
        connect(informer, &client::Informer::added, this, &ServiceProxy::scheduleSync);
        connect(informer, &client::Informer::updated, this, &ServiceProxy::scheduleSync);
        connect(informer, &client::Informer::deleted, this, &ServiceProxy::scheduleSync);
        connect(informer, &client::Informer::synced, this, &ServiceProxy::scheduleSync);
    }
    m_coalesce->setSingleShot(true);
    connect(m_coalesce, &QTimer::timeout, this, &ServiceProxy::sync);
    connect(m_retry, &QTimer::timeout, this, [this] {
        for (Listener &listener : m_listeners)
            if (listener.bindFailed)
                open(listener);
    });
}

ServiceProxy::~ServiceProxy()
{
    stop();
}

void ServiceProxy::start()
{
    if (m_options.kernelForwarding)
        m_nftables = std::make_unique<Nftables>();
    m_services->start();
    m_slices->start();
    m_retry->start(m_options.bindRetry);
}

void ServiceProxy::stop()
{
    m_services->stop();
    m_slices->stop();
    m_coalesce->stop();
    m_retry->stop();
    stopKernel();
    for (Listener &listener : m_listeners) {
        delete listener.tcp.data();
        delete listener.udp.data();
    }
    m_listeners.clear();
}

bool ServiceProxy::isListening(Protocol protocol, const QHostAddress &address, quint16 port) const
{
    const auto it = m_listeners.constFind(listenerKey(protocol, address, port));
    if (it == m_listeners.cend())
        return false;
    return protocol == Protocol::Tcp ? it->tcp && it->tcp->isListening()
                                     : it->udp && it->udp->isListening();
}

void ServiceProxy::scheduleSync()
{
    if (!m_coalesce->isActive())
        m_coalesce->start(m_options.coalesce);
}

QString ServiceProxy::listenerKey(Protocol protocol, const QHostAddress &address, quint16 port)
{
    return protocolName(protocol) + u'|' + address.toString() + u'|' + QString::number(port);
}

void ServiceProxy::sync()
{
    // A partial view would close listeners of services not yet listed.
    if (!m_services->hasSynced() || !m_slices->hasSynced())
        return;
    m_frontends = computeFrontends(m_services->list(), m_slices->list());
    m_frontends.removeIf([this](const Frontend &f) {
        return m_options.servedByNode.contains(f.ns + u'/' + f.name);
    });

    QHash<QString, Listener> wanted;
    auto want = [&](const Frontend &f, const QHostAddress &address, quint16 port) {
        if (address.isNull() || port == 0)
            return;
        Listener l;
        l.protocol = f.protocol;
        l.address = address;
        l.port = port;
        l.owner = f.displayName();
        l.backends = usableBackends(f.backends);
        l.affinitySeconds = f.affinitySeconds;
        wanted.insert(listenerKey(f.protocol, address, port), l);
    };
    for (const Frontend &f : std::as_const(m_frontends)) {
        for (const QString &ip : f.clusterIPs)
            want(f, QHostAddress(ip), f.port);
        if (f.nodePort != 0)
            for (const QHostAddress &address : std::as_const(m_options.nodeAddresses))
                want(f, address, f.nodePort);
    }

    for (auto it = m_listeners.begin(); it != m_listeners.end();) {
        if (wanted.contains(it.key())) {
            ++it;
            continue;
        }
        qCDebug(lcProxy).noquote() << "closing" << it.key() << "of" << it->owner;
        close(*it);
        it = m_listeners.erase(it);
    }
    for (auto it = wanted.cbegin(); it != wanted.cend(); ++it) {
        auto existing = m_listeners.find(it.key());
        if (existing == m_listeners.end()) {
            existing = m_listeners.insert(it.key(), *it);
            open(*existing);
            continue;
        }
        existing->owner = it->owner;
        existing->backends = it->backends;
        existing->affinitySeconds = it->affinitySeconds;
        if (existing->tcp)
            existing->tcp->setBackends(existing->backends, existing->affinitySeconds);
        if (existing->udp)
            existing->udp->setBackends(existing->backends, existing->affinitySeconds);
    }
    syncKernel();
    Q_EMIT synced();
}

void ServiceProxy::syncKernel()
{
    if (!m_nftables)
        return;
    const QString script = kernelServicesScript(m_frontends, m_options.nodeAddresses);
    if (script == m_kernelScript)
        return;
    if (auto applied = m_nftables->run(script); !applied) {
        qCWarning(lcProxy).noquote()
            << "the kernel refused the service rules, so the proxy serves every service itself:"
            << applied.error();
        stopKernel();
        return;
    }
    if (m_kernelScript.isEmpty())
        qCInfo(lcProxy) << "the kernel forwards TCP services (nftables table ip timonel)";
    m_kernelScript = script;
}

void ServiceProxy::stopKernel()
{
    if (!m_nftables)
        return;
    if (!m_kernelScript.isEmpty())
        if (auto removed = m_nftables->run(removeKernelServicesScript()); !removed)
            qCWarning(lcProxy).noquote() << "cannot remove the service rules:" << removed.error();
    m_kernelScript.clear();
    m_nftables.reset();
}

void ServiceProxy::open(Listener &listener)
{
    std::expected<void, QString> listening;
    if (listener.protocol == Protocol::Tcp) {
        if (!listener.tcp)
            listener.tcp = new TcpForwarder(listener.address, listener.port, this);
        listener.tcp->setBackends(listener.backends, listener.affinitySeconds);
        listening = listener.tcp->listen();
    } else {
        if (!listener.udp)
            listener.udp = new UdpForwarder(listener.address, listener.port, this);
        listener.udp->setBackends(listener.backends, listener.affinitySeconds);
        listening = listener.udp->listen();
    }
    if (listening) {
        if (listener.bindFailed)
            qCInfo(lcProxy).noquote()
                << "now listening on" << listener.address.toString()
                << protocolName(listener.protocol) << listener.port << "for" << listener.owner;
        listener.bindFailed = false;
        return;
    }
    if (!listener.bindFailed)
        qCWarning(lcProxy).noquote()
            << "cannot listen on"
            << listener.address.toString() + u':' + QString::number(listener.port)
            << protocolName(listener.protocol) << "for service" << listener.owner + u':'
            << listening.error() << "(retrying)";
    listener.bindFailed = true;
}

void ServiceProxy::close(Listener &listener)
{
    // Connections already made through a closed TCP listener finish on their own, as
    // established flows outlive a removed NAT rule.
    if (listener.tcp)
        listener.tcp->retire();
    delete listener.udp.data();
}

} // namespace timonel::proxy
