#include "kubelet.h"

#include "client/eventrecorder.h"
#include "client/informer.h"
#include "client/workqueue.h"
#include "core/cidr.h"
#include "kubeletserver.h"
#include "localprovisioner.h"
#include "podsync.h"
#include "prober.h"
#include "resourcestats.h"
#include "runtimelabels.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QThreadPool>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcKubelet, "timonel.kubelet", QtInfoMsg)

namespace timonel::kubelet {

namespace {

const client::Resource pods{QString(), u"v1"_s, u"pods"_s};
const client::Resource configMaps{QString(), u"v1"_s, u"configmaps"_s};
const client::Resource secrets{QString(), u"v1"_s, u"secrets"_s};
const client::Resource claims{QString(), u"v1"_s, u"persistentvolumeclaims"_s};
const client::Resource persistentVolumes{QString(), u"v1"_s, u"persistentvolumes"_s};

QString uidOf(const QJsonObject &object)
{
    return object.value(u"metadata").toObject().value(u"uid").toString();
}

QString namespaceOf(const QJsonObject &object)
{
    return object.value(u"metadata").toObject().value(u"namespace").toString();
}

// The names of the ConfigMaps and Secrets a pod reads, through volumes and environment.
void referencedSources(const QJsonObject &pod, QSet<QString> *configMapNames,
                       QSet<QString> *secretNames, QSet<QString> *claimNames)
{
    const QJsonObject spec = pod.value(u"spec").toObject();
    auto volumeSource = [&](const QJsonObject &source) {
        if (source.contains(u"configMap"))
            configMapNames->insert(source.value(u"configMap").toObject().value(u"name").toString());
        if (source.contains(u"secret")) {
            const QJsonObject secret = source.value(u"secret").toObject();
            secretNames->insert(
                secret.value(u"secretName").toString(secret.value(u"name").toString()));
        }
    };
    for (const QJsonValue &v : spec.value(u"volumes").toArray()) {
        const QJsonObject volume = v.toObject();
        volumeSource(volume);
        for (const QJsonValue &s :
             volume.value(u"projected").toObject().value(u"sources").toArray())
            volumeSource(s.toObject());
        if (volume.contains(u"persistentVolumeClaim"))
            claimNames->insert(
                volume.value(u"persistentVolumeClaim").toObject().value(u"claimName").toString());
    }
    for (const auto *list : {u"initContainers", u"containers"}) {
        for (const QJsonValue &c : spec.value(QStringView(list)).toArray()) {
            const QJsonObject container = c.toObject();
            for (const QJsonValue &e : container.value(u"envFrom").toArray()) {
                const QJsonObject from = e.toObject();
                if (from.contains(u"configMapRef"))
                    configMapNames->insert(
                        from.value(u"configMapRef").toObject().value(u"name").toString());
                if (from.contains(u"secretRef"))
                    secretNames->insert(
                        from.value(u"secretRef").toObject().value(u"name").toString());
            }
            for (const QJsonValue &e : container.value(u"env").toArray()) {
                const QJsonObject from = e.toObject().value(u"valueFrom").toObject();
                if (from.contains(u"configMapKeyRef"))
                    configMapNames->insert(
                        from.value(u"configMapKeyRef").toObject().value(u"name").toString());
                if (from.contains(u"secretKeyRef"))
                    secretNames->insert(
                        from.value(u"secretKeyRef").toObject().value(u"name").toString());
            }
        }
    }
}

// The status without the times that change on every report, to tell whether it changed.
QJsonObject comparable(QJsonObject status)
{
    status.remove(u"startTime"_s);
    return status;
}

} // namespace

Kubelet::Kubelet(client::ApiClient &api, KubeletOptions options, docker::DockerClient docker,
                 QObject *parent)
    : QObject(parent), m_api(api), m_options(std::move(options)), m_docker(docker),
      m_runtime(m_options.runtime, docker), m_volumes(m_options.volumes, docker)
{
    m_syncer = std::make_unique<PodSyncer>(m_runtime, m_volumes, m_options.dns);
    m_node = std::make_unique<NodeStatusReporter>(m_api, m_options.node);
    m_events = std::make_unique<client::EventRecorder>(m_api, u"kubelet"_s, m_options.node.name);
    m_queue = std::make_unique<client::WorkQueue>(
        client::WorkQueue::retrying(
            [this](const QString &uid, auto done) { dispatch(uid, std::move(done)); }),
        m_options.workers);
    m_pool = std::make_unique<QThreadPool>();
    m_pool->setMaxThreadCount(m_options.workers);
    m_probes = std::make_unique<ProbeManager>(docker);
    connect(m_probes.get(), &ProbeManager::resultChanged, this,
            [this](const QString &uid, const QString &) { m_queue->add(uid); });
    // The kubelet's probe events: "Liveness probe failed: ...", "... probe errored: ...",
    // "... probe warning: ...".
    auto probeEvent = [this](const QString &reason, const QString &verb) {
        return [this, reason, verb](const QString &uid, const QString &container, ProbeType type,
                                    const QString &message) {
            auto it = m_pods.constFind(uid);
            if (it == m_pods.cend() || it->pod.isEmpty())
                return;
            static const QHash<ProbeType, QString> names{{ProbeType::Startup, u"Startup"_s},
                                                         {ProbeType::Liveness, u"Liveness"_s},
                                                         {ProbeType::Readiness, u"Readiness"_s}};
            m_events->event(it->pod, u"Warning"_s, reason,
                            u"%1 probe %2: %3"_s.arg(names.value(type), verb, message),
                            u"spec.containers{%1}"_s.arg(container));
        };
    };
    connect(m_probes.get(), &ProbeManager::probeFailed, this,
            probeEvent(u"Unhealthy"_s, u"failed"_s));
    connect(m_probes.get(), &ProbeManager::probeErrored, this,
            probeEvent(u"Unhealthy"_s, u"errored"_s));
    connect(m_probes.get(), &ProbeManager::probeWarning, this,
            probeEvent(u"ProbeWarning"_s, u"warning"_s));
    connect(m_probes.get(), &ProbeManager::containerUnhealthy, this,
            [this](const QString &uid, const QString &container, ProbeType type) {
                auto it = m_pods.find(uid);
                if (it == m_pods.end())
                    return;
                it->kill.insert(
                    container,
                    u"Container %1 failed %2 probe, will be restarted"_s.arg(
                        container, type == ProbeType::Startup ? u"startup"_s : u"liveness"_s));
                m_queue->add(uid);
            });
}

Kubelet::~Kubelet()
{
    stop();
    m_pool->waitForDone();
}

std::expected<void, QString> Kubelet::start()
{
    if (!m_options.certificateFile.isEmpty()) {
        KubeletServerOptions serverOptions;
        serverOptions.port = m_options.node.kubeletPort;
        serverOptions.certificateFile = m_options.certificateFile;
        serverOptions.keyFile = m_options.keyFile;
        serverOptions.clientCaFile = m_options.clientCaFile;
        serverOptions.nodeName = m_options.node.name;
        serverOptions.docker = m_docker;
        // What `kubectl top` reads, through the API server's metrics.k8s.io.
        ResourceStatsOptions statsOptions;
        statsOptions.nodeName = m_options.node.name;
        statsOptions.docker = m_docker;
        m_resourceStats = std::make_unique<ResourceStatsCollector>(statsOptions);
        m_resourceStats->start();
        serverOptions.resourceStats = m_resourceStats.get();
        m_server = std::make_unique<KubeletServer>(serverOptions);
        if (auto started = m_server->start(); !started)
            return std::unexpected(started.error());
    }
    m_running = true;
    m_node->start();
    // Volumes of the default StorageClass are directories on the node that runs their pod.
    m_provisioner = std::make_unique<LocalProvisioner>(m_api, m_volumes, m_options.node.name);
    m_provisioner->start();

    client::InformerOptions podOptions;
    podOptions.fieldSelector = u"spec.nodeName="_s + m_options.node.name;
    podOptions.resyncPeriod = std::chrono::seconds(m_options.resyncSeconds);
    m_podInformer = std::make_unique<client::Informer>(m_api, pods, podOptions);
    connect(m_podInformer.get(), &client::Informer::added, this, &Kubelet::onPodChanged);
    connect(m_podInformer.get(), &client::Informer::updated, this,
            [this](const QJsonObject &, const QJsonObject &pod) { onPodChanged(pod); });
    connect(m_podInformer.get(), &client::Informer::deleted, this, &Kubelet::onPodDeleted);
    connect(m_podInformer.get(), &client::Informer::synced, this, [this] {
        // Pods this node still runs but the API no longer has (deleted while the agent was
        // down) are torn down.
        for (const PodWorker &worker : std::as_const(m_pods))
            if (worker.pod.isEmpty())
                m_queue->add(worker.uid);
    });

    auto source = [this](const client::Resource &r) {
        auto informer = std::make_unique<client::Informer>(m_api, r);
        connect(informer.get(), &client::Informer::added, this, &Kubelet::onSourceChanged);
        connect(informer.get(), &client::Informer::updated, this,
                [this](const QJsonObject &, const QJsonObject &o) { onSourceChanged(o); });
        connect(informer.get(), &client::Informer::deleted, this, &Kubelet::onSourceChanged);
        informer->start();
        return informer;
    };
    m_configMaps = source(configMaps);
    m_secrets = source(secrets);
    m_claims = source(claims);
    m_volumesInformer = source(persistentVolumes);
    // The pods already running here first: their IPs must be known before any is handed out.
    adoptRuntimePods();
    watchDocker();
    return {};
}

void Kubelet::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_queue->shutDown();
    for (auto *informer : {m_podInformer.get(), m_configMaps.get(), m_secrets.get(), m_claims.get(),
                           m_volumesInformer.get()})
        if (informer)
            informer->stop();
    m_node->stop();
    if (m_provisioner)
        m_provisioner->stop();
    if (m_dockerEvents)
        m_dockerEvents->abort(u"stopping"_s);
    if (m_server)
        m_server->stop();
    if (m_resourceStats)
        m_resourceStats->stop();
}

void Kubelet::onPodChanged(const QJsonObject &pod)
{
    const QString uid = uidOf(pod);
    PodWorker &worker = m_pods[uid];
    worker.uid = uid;
    worker.ns = namespaceOf(pod);
    worker.name = pod.value(u"metadata").toObject().value(u"name").toString();
    worker.pod = pod;
    m_queue->add(uid);
}

void Kubelet::onPodDeleted(const QJsonObject &pod)
{
    const QString uid = uidOf(pod);
    auto it = m_pods.find(uid);
    if (it == m_pods.end())
        return;
    it->pod = QJsonObject(); // torn down by the next sync, without grace
    m_queue->add(uid);
}

void Kubelet::onSourceChanged(const QJsonObject &object)
{
    // ConfigMap and Secret volumes follow their objects; a pod waiting for one starts.
    const QString ns = namespaceOf(object);
    for (const PodWorker &worker : std::as_const(m_pods))
        if (ns.isEmpty() || worker.ns == ns)
            m_queue->add(worker.uid);
}

void Kubelet::adoptRuntimePods()
{
    m_pool->start([this, guard = QPointer<Kubelet>(this)] {
        auto listed = m_runtime.listPods();
        QMetaObject::invokeMethod(
            this,
            [this, guard, listed] {
                if (!guard || !m_running)
                    return;
                if (!listed) {
                    qCWarning(lcKubelet) << "cannot list this node's pods:" << listed.error();
                    QTimer::singleShot(2000, this, &Kubelet::adoptRuntimePods);
                    return;
                }
                for (const PodRecord &record : *listed) {
                    PodWorker &worker = m_pods[record.uid];
                    worker.uid = record.uid;
                    worker.ns = record.ns;
                    worker.name = record.name;
                    if (const SandboxRecord *live = record.liveSandbox()) {
                        if (!live->ip.isEmpty() && live->ip != m_options.node.nodeIP) {
                            worker.ip = live->ip;
                            m_ips.insert(live->ip, record.uid);
                        }
                    }
                }
                m_podInformer->start();
            },
            Qt::QueuedConnection);
    });
}

QString Kubelet::allocateIp(const QString &uid)
{
    auto subnet = core::Ipv4Subnet::parse(m_options.node.podCidr);
    if (!subnet)
        return {};
    // .0 is the network; the last address is the broadcast. Docker's gateway is in the first
    // range, which holds the nodes, never a node's podCIDR. Addresses are handed out in turn,
    // as the host-local IPAM does, not lowest first: Docker may still hold the address of a
    // sandbox removed a moment ago ("Address already in use").
    const quint64 usable = subnet->size() - 2;
    for (quint64 step = 1; step <= usable; ++step) {
        const quint64 offset = (m_lastIpOffset + step - 1) % usable + 1;
        const QString ip = subnet->address(offset);
        if (!m_ips.contains(ip) && ip != m_options.node.nodeIP) {
            m_ips.insert(ip, uid);
            m_lastIpOffset = offset;
            return ip;
        }
    }
    return {};
}

PodSyncInput Kubelet::inputFor(PodWorker &worker)
{
    PodSyncInput in;
    in.uid = worker.uid;
    in.pod = worker.pod;
    in.memory = worker.memory;
    in.kill = std::exchange(worker.kill, {});
    in.env.nodeIP = m_options.node.nodeIP;
    in.env.nodeMilliCpu = m_node->allocatableMilliCpu();
    in.env.nodeMemory = m_node->allocatableMemory();
    in.sources.nodeMilliCpu = in.env.nodeMilliCpu;
    in.sources.nodeMemory = in.env.nodeMemory;
    if (worker.pod.isEmpty())
        return in;
    const bool hostNetwork = worker.pod.value(u"spec").toObject().value(u"hostNetwork").toBool();
    if (hostNetwork)
        worker.ip = m_options.node.nodeIP;
    else if (worker.ip.isEmpty())
        worker.ip = allocateIp(worker.uid);
    in.podIP = worker.ip;

    QSet<QString> configMapNames, secretNames, claimNames;
    referencedSources(worker.pod, &configMapNames, &secretNames, &claimNames);
    for (const QString &name : std::as_const(configMapNames))
        if (QJsonObject o = m_configMaps->get(worker.ns, name); !o.isEmpty())
            in.sources.configMaps.insert(name, o);
    for (const QString &name : std::as_const(secretNames))
        if (QJsonObject o = m_secrets->get(worker.ns, name); !o.isEmpty())
            in.sources.secrets.insert(name, o);
    for (const QString &name : std::as_const(claimNames)) {
        const QJsonObject claim = m_claims->get(worker.ns, name);
        if (claim.isEmpty())
            continue;
        in.sources.persistentVolumeClaims.insert(name, claim);
        const QString volume = claim.value(u"spec").toObject().value(u"volumeName").toString();
        if (QJsonObject pv = m_volumesInformer->get(QString(), volume); !pv.isEmpty())
            in.sources.persistentVolumes.insert(volume, pv);
    }
    for (const QJsonValue &c :
         worker.pod.value(u"spec").toObject().value(u"containers").toArray()) {
        const QString name = c.toObject().value(u"name").toString();
        in.ready.insert(name, m_probes->isReady(worker.uid, name));
        in.started.insert(name, m_probes->isStarted(worker.uid, name));
    }
    return in;
}

void Kubelet::dispatch(const QString &uid, std::function<void(bool retry)> done)
{
    auto it = m_pods.find(uid);
    if (it == m_pods.end() || it->finalizing)
        return done(false);
    PodSyncInput input = inputFor(*it);
    m_pool->start([this, guard = QPointer<Kubelet>(this), input = std::move(input),
                   done = std::move(done)]() mutable {
        PodSyncOutput out = m_syncer->sync(input);
        QMetaObject::invokeMethod(
            this,
            [this, guard, uid = input.uid, out = std::move(out), done = std::move(done)] {
                if (!guard)
                    return;
                apply(uid, out);
                done(false);
            },
            Qt::QueuedConnection);
    });
}

void Kubelet::apply(const QString &uid, const PodSyncOutput &out)
{
    auto it = m_pods.find(uid);
    if (it == m_pods.end())
        return;
    PodWorker &worker = *it;
    worker.memory = out.memory;
    if (!out.error.isEmpty())
        qCWarning(lcKubelet) << "pod" << worker.ns + u'/' + worker.name << out.error;
    // The status goes out before the events: it is what users and controllers wait for.
    auto recordEvents = qScopeGuard([this, &out, involved = worker.pod] {
        if (!involved.isEmpty())
            for (const PodEvent &e : out.events)
                m_events->event(involved, e.type, e.reason, e.message, e.fieldPath);
    });

    if (out.tornDown) {
        m_ips.remove(worker.ip);
        m_probes->removePod(uid);
        if (worker.pod.isEmpty()) {
            m_pods.erase(it);
            return;
        }
        // The API server keeps a gracefully deleted pod until its node says it is gone.
        worker.finalizing = true;
        client::DeleteQuery query;
        query.gracePeriodSeconds = 0;
        query.preconditionUid = uid;
        m_api.remove(pods, worker.ns, worker.name, query,
                     [this, uid](client::Result<QJsonObject> removed) {
                         auto w = m_pods.find(uid);
                         if (w == m_pods.end())
                             return;
                         w->finalizing = false;
                         if (!removed && !removed.error().isNotFound())
                             m_queue->addRateLimited(uid);
                     });
        return;
    }
    // The IP the pod really has (its live sandbox's) is the one this node holds for it; an
    // address that could not be used is given up so the next sandbox gets another.
    if (!out.podIP.isEmpty() && out.podIP != worker.ip && out.podIP != m_options.node.nodeIP) {
        m_ips.remove(worker.ip);
        worker.ip = out.podIP;
        m_ips.insert(worker.ip, uid);
    } else if (out.podIP.isEmpty() && out.sandboxFailed) {
        m_ips.remove(worker.ip);
        worker.ip.clear();
    }
    if (!out.status.isEmpty() && !worker.pod.isEmpty())
        reportStatus(worker, out.status);
    updateProbes(worker, out);
    if (out.requeueAfterMs)
        m_queue->addAfter(uid, std::chrono::milliseconds(*out.requeueAfterMs));
}

void Kubelet::reportStatus(PodWorker &worker, const QJsonObject &status)
{
    const QJsonObject current = worker.pod.value(u"status").toObject();
    if (comparable(status) == comparable(worker.reported) ||
        comparable(status) == comparable(current))
        return;
    worker.reported = status;
    const QJsonObject patch{{u"status"_s, status}};
    m_api.patch(pods, worker.ns, worker.name, client::PatchType::Merge,
                QJsonDocument(patch).toJson(QJsonDocument::Compact), u"status"_s, {},
                [this, uid = worker.uid](client::Result<QJsonObject> patched) {
                    auto it = m_pods.find(uid);
                    if (it == m_pods.end())
                        return;
                    if (!patched) {
                        qCWarning(lcKubelet) << "cannot report the status of pod"
                                             << it->ns + u'/' + it->name << patched.error().message;
                        it->reported = {};
                        if (!patched.error().isNotFound())
                            m_queue->addRateLimited(uid);
                    }
                });
}

void Kubelet::updateProbes(PodWorker &worker, const PodSyncOutput &out)
{
    const QJsonArray containers =
        worker.pod.value(u"spec").toObject().value(u"containers").toArray();
    QHash<QString, QString> running;
    for (const RunningContainer &c : out.running)
        if (!c.init)
            running.insert(c.name, c.id);
    for (const QJsonValue &v : containers) {
        const QJsonObject spec = v.toObject();
        const QString name = spec.value(u"name").toString();
        const QString id = running.value(name);
        if (worker.probedIds.value(name) == id)
            continue;
        if (!worker.probedIds.value(name).isEmpty())
            m_probes->removeContainer(worker.uid, name);
        worker.probedIds.insert(name, id);
        if (!id.isEmpty())
            m_probes->addContainer({worker.uid, out.podIP, name, id, spec});
    }
}

void Kubelet::watchDocker()
{
    if (!m_running)
        return;
    const QJsonObject filters{
        {u"type"_s, QJsonArray{u"container"_s}},
        {u"event"_s, QJsonArray{u"die"_s, u"oom"_s, u"destroy"_s}},
        {u"label"_s, QJsonArray{u"%1=%2"_s.arg(labels::cluster, m_options.runtime.cluster)}}};
    QUrlQuery query;
    query.addQueryItem(u"filters"_s,
                       QString::fromUtf8(QJsonDocument(filters).toJson(QJsonDocument::Compact)));
    auto call = m_docker.call("GET", u"/events?"_s + query.toString(QUrl::FullyEncoded));
    if (!call) {
        QTimer::singleShot(2000, this, &Kubelet::watchDocker);
        return;
    }
    call->setMode(docker::DockerCall::Mode::Streaming);
    call->setParent(this);
    m_dockerEvents = call.release();
    m_dockerBuffer.clear();
    connect(m_dockerEvents, &docker::DockerCall::data, this, [this](const QByteArray &chunk) {
        m_dockerBuffer += chunk;
        qsizetype newline;
        while ((newline = m_dockerBuffer.indexOf('\n')) >= 0) {
            const QByteArray line = m_dockerBuffer.left(newline);
            m_dockerBuffer.remove(0, newline + 1);
            const QJsonDocument doc = QJsonDocument::fromJson(line);
            if (doc.isObject())
                onDockerEvent(doc.object());
        }
    });
    connect(m_dockerEvents, &docker::DockerCall::finished, this, [this] {
        m_dockerEvents->deleteLater();
        // The daemon restarted or the stream broke: follow again, and look at every pod.
        QTimer::singleShot(1000, this, [this] {
            watchDocker();
            for (const PodWorker &w : std::as_const(m_pods))
                m_queue->add(w.uid);
        });
    });
    m_dockerEvents->start();
}

void Kubelet::onDockerEvent(const QJsonObject &event)
{
    const QJsonObject attributes = event.value(u"Actor").toObject().value(u"Attributes").toObject();
    const QString podUid = attributes.value(labels::podUid).toString();
    if (!podUid.isEmpty()) {
        if (attributes.value(labels::node).toString() == m_options.node.name &&
            m_pods.contains(podUid))
            m_queue->add(podUid);
        return;
    }
    // A node container of this cluster stopped or went: its pods go with it, as they would
    // with a machine that powers off.
    const QString node = attributes.value(u"io.timonel.node"_s).toString();
    if (attributes.contains(u"io.timonel.role"_s) && node != m_options.node.name &&
        (event.value(u"Action").toString() == u"die" ||
         event.value(u"Action").toString() == u"destroy"))
        stopPodsOfNode(node);
}

void Kubelet::stopPodsOfNode(const QString &node)
{
    m_pool->start([docker = m_docker, cluster = m_options.runtime.cluster, node] {
        const QJsonObject filters{
            {u"label"_s, QJsonArray{u"%1=%2"_s.arg(labels::cluster, cluster),
                                    u"%1=%2"_s.arg(labels::node, node), QString(labels::podUid)}},
            {u"status"_s, QJsonArray{u"running"_s}}};
        auto listed = docker.listContainers(filters, false);
        if (!listed)
            return;
        for (const QJsonValue &c : *listed)
            docker.killContainer(c.toObject().value(u"Id").toString());
    });
}

} // namespace timonel::kubelet
