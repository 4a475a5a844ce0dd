// The ReplicaSet controller, as kube-controller-manager's (pkg/controller/replicaset): keeps
// spec.replicas active pods matching the selector, adopting matching orphans and releasing
// pods that stopped matching; creates missing pods in slow-start batches (1, 2, 4, ...) and
// deletes surplus ones least valuable first; reports the counts and ReplicaFailure in status.
// Expectations keep it from acting again on a cache that has not yet seen its own writes.
#pragma once

#include "client/apiclient.h"
#include "controllers/controllerutils.h"

#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>
#include <optional>

namespace timonel::client {
class EventRecorder;
class Informer;
class WorkQueue;
} // namespace timonel::client

namespace timonel::controllers {

class ReplicaSetController : public QObject
{
    Q_OBJECT
public:
    explicit ReplicaSetController(client::ApiClient &api, QObject *parent = nullptr);
    ~ReplicaSetController() override;

    void start();
    void stop();

    // The `count` pods to delete first when scaling down, as Kubernetes ranks them
    // (ActivePodsWithRanks): unassigned before assigned, Pending < Unknown < Running, not ready
    // before ready, lower pod-deletion-cost, more pods of the same owner on the node, ready for
    // less time, more restarts, newer. `related` are the pods of every ReplicaSet of the same
    // owner (the node ranking counts them).
    static QList<QJsonObject> podsToDelete(QList<QJsonObject> pods,
                                           const QList<QJsonObject> &related, int count,
                                           const QDateTime &now);

private:
    using ManageDone = std::function<void(std::optional<QString> error)>;

    void enqueue(const QJsonObject &replicaSet);
    void enqueueMatching(const QJsonObject &pod);
    QJsonObject controllerOf(const QJsonObject &pod) const;
    void onPodAdded(const QJsonObject &pod);
    void onPodUpdated(const QJsonObject &oldPod, const QJsonObject &pod);
    void onPodDeleted(const QJsonObject &pod);
    bool synced() const;

    void sync(const QString &key, std::function<void(bool retry)> done);
    void manageReplicas(const QJsonObject &rs, const QList<QJsonObject> &pods, ManageDone then);
    void createPods(const QJsonObject &rs, int remaining, int batch, ManageDone then);
    void deletePods(const QJsonObject &rs, const QList<QJsonObject> &pods, int count,
                    ManageDone then);
    void writeStatus(const QJsonObject &rs, const QJsonObject &status, bool retried,
                     std::function<void(std::optional<QJsonObject>)> then);
    QList<QJsonObject> relatedPods(const QJsonObject &rs) const;

    // Wraps a callback so that it does nothing once the controller is gone.
    template <typename F> auto guarded(F f)
    {
        return [self = QPointer<ReplicaSetController>(this), f = std::move(f)](auto &&...args) {
            if (self)
                f(std::forward<decltype(args)>(args)...);
        };
    }

    client::ApiClient &m_api;
    std::unique_ptr<client::Informer> m_replicaSets;
    std::unique_ptr<client::Informer> m_pods;
    std::unique_ptr<client::WorkQueue> m_queue;
    std::unique_ptr<client::EventRecorder> m_recorder;
    Expectations m_expectations;
    bool m_running = false;
};

} // namespace timonel::controllers
