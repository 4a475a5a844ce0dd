// The scheduler, as kube-scheduler: watches nodes and pods, takes the pods nobody has placed
// (spec.nodeName empty, spec.schedulerName ours, not being deleted, no scheduling gates) one at
// a time in arrival order, picks a node with the default profile's filters and scores
// (schedulingplugins.h), has its unbound WaitForFirstConsumer claims bound there and waits for
// them (volumebinding.h), and binds the pod there through pods/<name>/binding, with the
// "Scheduled" event. A pod that fits nowhere gets the "FailedScheduling" event and the
// PodScheduled=False/Unschedulable condition with Kubernetes' message, and is tried again when
// nodes or placed pods change (after a back-off of 1 s doubling to 10 s), and at least every
// 30 s. Pods bound but not yet seen bound by the watch count on their node (the assumed pods),
// so a burst of pods spreads instead of piling on one node.
#pragma once

#include "client/apiclient.h"
#include "scheduler/schedulingplugins.h"

#include <QHash>
#include <QObject>
#include <QSet>

#include <chrono>
#include <deque>
#include <memory>

class QTimer;

namespace timonel::client {
class EventRecorder;
class Informer;
} // namespace timonel::client

namespace timonel::scheduler {

struct SchedulerOptions
{
    QString schedulerName = QStringLiteral("default-scheduler");
    // A pod that failed waits at least this long before it is tried again, doubling per failure.
    std::chrono::milliseconds initialBackoff{1000};
    std::chrono::milliseconds maxBackoff{10000};
    // Unschedulable pods are tried again this often even when nothing seems to have changed.
    std::chrono::milliseconds unschedulableRetry{30000};
};

class Scheduler : public QObject
{
    Q_OBJECT
public:
    // `api` must outlive the scheduler.
    explicit Scheduler(client::ApiClient &api, SchedulerOptions options = {},
                       QObject *parent = nullptr);
    ~Scheduler() override;

    void start();
    void stop();
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    // The binding was accepted.
    void podScheduled(const QString &ns, const QString &name, const QString &node);
    // The pod fits nowhere (or could not be bound); `message` is the FailedScheduling text.
    void podUnschedulable(const QString &ns, const QString &name, const QString &message);

private:
    // A pod placed, its volumes being bound on the node before the pod itself is.
    struct VolumeWait
    {
        QJsonObject pod;
        QString node;
        qint64 deadlineMs = 0;
    };

    struct Waiting
    {
        qint64 readyAtMs = 0;       // the back-off ends
        bool moveRequested = false; // something changed while it backed off
    };

    bool isOurs(const QJsonObject &pod) const;
    bool synced() const;
    void onSynced();
    void onPodAdded(const QJsonObject &pod);
    void onPodUpdated(const QJsonObject &oldPod, const QJsonObject &pod);
    void onPodDeleted(const QJsonObject &pod);
    void onNodeChanged(const QJsonObject &oldNode, const QJsonObject &node);
    void onStorageChanged();
    QList<client::Informer *> informers() const;
    void trackAssigned(const QJsonObject &pod);
    void forgetAssigned(const QString &key);

    void enqueue(const QString &key);
    void scheduleSoon();
    void processQueue();
    void scheduleOne(const QString &key);
    const Snapshot &snapshot();
    void preBind(const QJsonObject &pod, const QString &node);
    void checkVolumeWaits();
    void unassume(const QString &key);
    void bind(const QJsonObject &pod, const QString &node);
    void failed(const QJsonObject &pod, const QString &reason, const QString &message);
    void backOff(const QString &key, bool retryAnyway);
    void moveAllToActive();
    void armBackoffTimer();
    void onBackoffTimer();

    client::ApiClient &m_api;
    SchedulerOptions m_options;
    std::unique_ptr<client::Informer> m_nodes;
    std::unique_ptr<client::Informer> m_pods;
    std::unique_ptr<client::Informer> m_services;
    std::unique_ptr<client::Informer> m_namespaces;
    std::unique_ptr<client::Informer> m_claims;
    std::unique_ptr<client::Informer> m_volumes;
    std::unique_ptr<client::Informer> m_classes;
    VolumeListers m_volumeListers;
    std::unique_ptr<client::EventRecorder> m_events;
    QTimer *m_backoffTimer;
    QTimer *m_retryTimer;
    QTimer *m_volumeTimer;
    bool m_running = false;
    bool m_started = false; // the caches synced and scheduling began

    QHash<QString, PodInfo> m_assigned; // bound pods (not Succeeded/Failed), by namespace/name
    QHash<QString, PodInfo> m_assumed;  // bound by us, the binding not yet seen
    Snapshot m_snapshot;
    bool m_snapshotDirty = true;

    std::deque<QString> m_active;
    QSet<QString> m_queued;
    QHash<QString, Waiting> m_waiting; // failed pods, until the cluster changes
    QHash<QString, int> m_attempts;    // failures in a row, for the back-off
    QHash<QString, VolumeWait> m_volumeWaits;
    bool m_processScheduled = false;
    quint64 m_tieBreak = 0;
};

} // namespace timonel::scheduler
