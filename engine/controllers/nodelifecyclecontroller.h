// The node lifecycle controller, as kube-controller-manager's node-lifecycle-controller with
// its taint-eviction-controller and the orphan part of the pod garbage collector:
//  - a node whose Lease (kube-node-lease/<node>, renewed by its node agent) and Ready heartbeat
//    have not moved for gracePeriod gets its kubelet conditions set to Unknown
//    (NodeStatusUnknown, "Kubelet stopped posting node status.") and its pods marked not ready;
//  - conditions become taints: node.kubernetes.io/unreachable or not-ready with NoSchedule, and
//    after evictionDelay with NoExecute (removed when the node agent reports Ready again), plus
//    the pressure, network-unavailable and unschedulable NoSchedule taints;
//  - pods on a node with NoExecute taints they do not tolerate are deleted, at once or after
//    the smallest matching tolerationSeconds;
//  - when every node is unhealthy (the control plane lost its network, or the machine slept),
//    no NoExecute taints are set, as Kubernetes' full-disruption mode;
//  - when a Node is deleted, its pods are deleted at once (grace period 0).
#pragma once

#include "client/apiclient.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QSet>

#include <chrono>
#include <functional>
#include <memory>

class QTimer;

namespace timonel::client {
class EventRecorder;
class Informer;
} // namespace timonel::client

namespace timonel::controllers {

struct NodeLifecycleControllerOptions
{
    // A node whose lease has not been renewed for this long is unhealthy.
    std::chrono::milliseconds gracePeriod{20000};
    // The same, for a node that has never posted a Ready condition.
    std::chrono::milliseconds startupGracePeriod{60000};
    // How long a node stays unhealthy before its pods are evicted (the NoExecute taint).
    std::chrono::milliseconds evictionDelay{0};
    // The controller's clock (tests set it); the current time when unset.
    std::function<QDateTime()> now;
};

class NodeLifecycleController : public QObject
{
    Q_OBJECT
public:
    explicit NodeLifecycleController(client::ApiClient &api,
                                     NodeLifecycleControllerOptions options = {},
                                     QObject *parent = nullptr);
    ~NodeLifecycleController() override;

    void start();
    void stop();

private:
    struct Health
    {
        QDateTime probe;   // when the controller last saw the node agent alive
        QDateTime lease;   // the last renewTime seen
        QString heartbeat; // the last Ready lastHeartbeatTime seen
        QDateTime unhealthySince;
        QString observedReady; // the Ready status of the previous pass
    };
    enum class NoExecute
    {
        Apply,
        Hold,
        Clear
    };
    struct Eviction
    {
        QDateTime since;
        QDateTime at;
    };

    QDateTime now() const;
    bool synced() const;
    void scheduleMonitor(std::chrono::milliseconds delay);
    void monitor();
    QJsonObject updateHealth(const QJsonObject &node, Health &health, QDateTime *deadline);
    void reconcileTaints(const QJsonObject &node, const QString &ready, NoExecute mode);
    void markPodsNotReady(const QString &nodeName, const QList<QJsonObject> &pods);
    void processEvictions();
    void evict(const QJsonObject &pod);
    void forceDeletePods(const QString &nodeName);

    client::ApiClient &m_api;
    NodeLifecycleControllerOptions m_options;
    std::unique_ptr<client::Informer> m_nodes;
    std::unique_ptr<client::Informer> m_leases;
    std::unique_ptr<client::Informer> m_pods;
    std::unique_ptr<client::EventRecorder> m_nodeEvents;
    std::unique_ptr<client::EventRecorder> m_evictionEvents;
    QTimer *m_monitorTimer = nullptr;
    QTimer *m_evictionTimer = nullptr;
    QHash<QString, Health> m_health;      // node name
    QHash<QString, Eviction> m_evictions; // pod key, scheduled
    QSet<QString> m_evicting;             // pod keys with a delete in flight
    QSet<QString> m_writing;              // node names with a write in flight
    QSet<QString> m_markingNotReady;      // pod keys with a status write in flight
};

} // namespace timonel::controllers
