// The node agent (kubelet) of one Timonel node: registers the Node and keeps its lease, runs the
// pods bound to it as Docker containers (one worker per pod at a time, on a thread pool, since
// Docker calls block), reports their status and events, runs their probes, and serves logs,
// exec, attach and port-forward to the API server.
//
// Level-triggered like Kubernetes' own: a pod is synced whenever its object, the objects it
// reads, its containers (Docker events) or its probes change, and on a periodic resync; each
// sync compares the whole pod with the whole of what runs.
#pragma once

#include "client/apiclient.h"
#include "docker/dockerclient.h"
#include "nodestatus.h"
#include "poddns.h"
#include "podstatus.h"
#include "runtime.h"
#include "volumes.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <expected>
#include <memory>

class QThreadPool;

namespace timonel::client {
class EventRecorder;
class Informer;
class WorkQueue;
} // namespace timonel::client

namespace timonel::docker {
class DockerCall;
}

namespace timonel::kubelet {

class LocalProvisioner;
class ResourceStatsCollector;
class PodSyncer;
class ProbeManager;
class KubeletServer;
struct PodSyncInput;
struct PodSyncOutput;

struct KubeletOptions
{
    NodeConfig node;
    RuntimeConfig runtime;
    VolumeHost volumes;
    ClusterDnsConfig dns;
    // The HTTPS endpoint for the API server (logs, exec, port-forward); no certificate: none.
    QString certificateFile;
    QString keyFile;
    QString clientCaFile;
    int workers = 8; // pods synced at once
    int resyncSeconds = 10;
};

class Kubelet : public QObject
{
    Q_OBJECT
public:
    Kubelet(client::ApiClient &api, KubeletOptions options, docker::DockerClient docker,
            QObject *parent = nullptr);
    ~Kubelet() override;

    std::expected<void, QString> start();
    void stop();

private:
    struct PodWorker
    {
        QString uid;
        QString ns;
        QString name;
        QJsonObject pod; // empty once deleted from the API
        PodMemory memory;
        QString ip;
        QHash<QString, QString> kill;
        QHash<QString, QString> probedIds; // container name -> id given to the prober
        QJsonObject reported;              // the status last sent
        bool finalizing = false;
    };

    void onPodChanged(const QJsonObject &pod);
    void onPodDeleted(const QJsonObject &pod);
    void onSourceChanged(const QJsonObject &object);
    void adoptRuntimePods();
    void dispatch(const QString &uid, std::function<void(bool retry)> done);
    PodSyncInput inputFor(PodWorker &worker);
    void apply(const QString &uid, const PodSyncOutput &out);
    void reportStatus(PodWorker &worker, const QJsonObject &status);
    void updateProbes(PodWorker &worker, const PodSyncOutput &out);
    QString allocateIp(const QString &uid);
    void watchDocker();
    void onDockerEvent(const QJsonObject &event);
    void stopPodsOfNode(const QString &node);

    client::ApiClient &m_api;
    KubeletOptions m_options;
    docker::DockerClient m_docker;
    Runtime m_runtime;
    VolumeManager m_volumes;
    std::unique_ptr<PodSyncer> m_syncer;
    std::unique_ptr<NodeStatusReporter> m_node;
    std::unique_ptr<client::EventRecorder> m_events;
    std::unique_ptr<client::WorkQueue> m_queue;
    std::unique_ptr<client::Informer> m_podInformer;
    std::unique_ptr<client::Informer> m_configMaps;
    std::unique_ptr<client::Informer> m_secrets;
    std::unique_ptr<client::Informer> m_claims;
    std::unique_ptr<client::Informer> m_volumesInformer;
    std::unique_ptr<ProbeManager> m_probes;
    // Before the server, which keeps a pointer to it.
    std::unique_ptr<ResourceStatsCollector> m_resourceStats;
    std::unique_ptr<KubeletServer> m_server;
    std::unique_ptr<LocalProvisioner> m_provisioner;
    std::unique_ptr<QThreadPool> m_pool;
    QPointer<docker::DockerCall> m_dockerEvents;
    QByteArray m_dockerBuffer;
    QHash<QString, PodWorker> m_pods; // by uid
    QHash<QString, QString> m_ips;    // pod IP -> uid
    quint64 m_lastIpOffset = 0;       // in the podCIDR, of the address handed out last
    bool m_running = false;
};

} // namespace timonel::kubelet
