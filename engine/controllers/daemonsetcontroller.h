// The DaemonSet controller, as kube-controller-manager's pkg/controller/daemon: one pod per node
// the pod template fits (nodeName, nodeSelector, required node affinity, tolerated taints), bound
// to its node by the default scheduler through a required node affinity on metadata.name, as
// Kubernetes has done since 1.12. Pods leave nodes that no longer fit and nodes that are gone; a
// new template rolls out node by node within maxUnavailable / maxSurge (or waits for deletions,
// OnDelete). Templates are kept as ControllerRevisions named <daemonset>-<hash>.
//
// daemonsetcontroller.cpp: informers, work queue, pods per node, status; daemonsetupdate.cpp:
// revisions and rolling updates; daemonsetutil.cpp: node fit, tolerations, node affinity.
#pragma once

#include "client/apiclient.h"
#include "controllers/controllerutils.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QObject>

#include <functional>
#include <optional>

namespace timonel::client {
class EventRecorder;
class Informer;
class WorkQueue;
}

namespace timonel::controllers {

// Whether a DaemonSet's pod belongs on a node (NodeShouldRunDaemonPod). shouldRun: the node
// matches the template's nodeName, nodeSelector and required node affinity, and the pod
// tolerates the node's NoSchedule and NoExecute taints. shouldContinueRunning: a pod already
// there may stay, which needs only the NoExecute taints tolerated.
struct DaemonPlacement
{
    bool shouldRun = false;
    bool shouldContinueRunning = false;
    friend bool operator==(const DaemonPlacement &, const DaemonPlacement &) = default;
};
DaemonPlacement daemonPlacement(const QJsonObject &node, const QJsonObject &daemonSet);

// The pod spec with the tolerations every daemon pod gets, so node problems never evict it
// (not-ready, unreachable: NoExecute; disk-, memory-, pid-pressure, unschedulable: NoSchedule;
// network-unavailable too for host-network pods).
QJsonObject withDaemonTolerations(QJsonObject podSpec);

class DaemonSetController : public QObject
{
    Q_OBJECT
public:
    explicit DaemonSetController(client::ApiClient &api, QObject *parent = nullptr);
    ~DaemonSetController() override;

    void start();
    void stop();

private:
    // Pods by the node they are on or meant for.
    using NodePods = QHash<QString, QList<QJsonObject>>;
    struct Changes
    {
        QStringList createOn;      // node names
        QList<QJsonObject> remove; // pods
    };

    bool synced() const;
    void enqueue(const QJsonObject &daemonSet);
    void enqueueAll();
    void onPodAdded(const QJsonObject &pod);
    void onPodUpdated(const QJsonObject &oldPod, const QJsonObject &pod);
    void onPodDeleted(const QJsonObject &pod);
    void enqueueForPod(const QJsonObject &pod);
    std::optional<QString> ownerKey(const QJsonObject &pod) const;

    void sync(const QString &key, std::function<void(bool ok)> done);
    // The pods of the DaemonSet's namespace (ownedOnly: those it controls) that still count.
    QList<QJsonObject> candidatePods(const QJsonObject &ds, bool ownedOnly) const;
    void reconcile(const QString &key, const QJsonObject &ds, const QList<QJsonObject> &pods,
                   std::function<void(bool ok)> done);
    QList<QJsonObject> ownedRevisions(const QJsonObject &ds) const;
    // The revision of the current template, created or made the newest if need be.
    void currentRevision(const QJsonObject &ds,
                         std::function<void(std::optional<QJsonObject>)> done);
    NodePods podsByNode(const QList<QJsonObject> &pods) const;
    Changes manage(const QJsonObject &ds, const NodePods &nodePods, const QString &hash);
    Changes rollingUpdate(const QJsonObject &ds, NodePods nodePods, const QString &hash) const;
    void syncNodes(const QJsonObject &ds, const Changes &changes, const QString &hash,
                   std::function<void(bool ok)> done);
    void cleanupHistory(const QJsonObject &ds, const QJsonObject &current);
    void writeStatus(const QJsonObject &ds, const QString &hash, bool observed,
                     std::function<void()> done);

    client::ApiClient &m_api;
    client::Informer *m_sets = nullptr;
    client::Informer *m_pods = nullptr;
    client::Informer *m_nodes = nullptr;
    client::Informer *m_revisions = nullptr;
    client::WorkQueue *m_queue = nullptr;
    client::EventRecorder *m_events = nullptr;
    Expectations m_expectations;
    // Back-off between deletions of failed daemon pods per DaemonSet and node, so the controller
    // does not fight a node agent that keeps rejecting the pod.
    struct Backoff
    {
        QDateTime last;
        qint64 delayMs = 0;
    };
    QHash<QString, Backoff> m_failedPods;
};

} // namespace timonel::controllers
