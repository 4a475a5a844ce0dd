// The Deployment controller, as kube-controller-manager's (pkg/controller/deployment): a
// Deployment owns ReplicaSets named "<deployment>-<pod-template-hash>", one per pod template it
// has had; it rolls the current template out (RollingUpdate within maxSurge/maxUnavailable, or
// Recreate), scales proportionally when replicas change mid-rollout, keeps revision numbers in
// annotations (so `kubectl rollout undo/history` work), prunes old ReplicaSets beyond
// revisionHistoryLimit, and reports Available/Progressing conditions for `kubectl rollout status`.
#pragma once

#include "client/apiclient.h"

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

// The pure parts, as pkg/controller/deployment/util.
namespace deployment {

// The pod-template-hash of a template: fnv32a over the template (canonical JSON) and the
// collision count, in the alphabet of Kubernetes' rand.SafeEncodeString ("7c5ddbdf54").
QString podTemplateHash(const QJsonObject &podTemplate, std::optional<qint64> collisionCount);

struct Fenceposts
{
    int maxSurge = 0;
    int maxUnavailable = 0;
};
// maxSurge/maxUnavailable (numbers or "25%") for `replicas`: percentages of surge round up, of
// unavailability down; both 0 makes maxUnavailable 1 so that a rollout can still proceed.
Fenceposts resolveFenceposts(const QJsonValue &maxSurge, const QJsonValue &maxUnavailable,
                             int replicas);

// Two pod templates equal but for the pod-template-hash label (and for empty or null fields).
bool equalIgnoreHash(const QJsonObject &a, const QJsonObject &b);

} // namespace deployment

class DeploymentController : public QObject
{
    Q_OBJECT
public:
    explicit DeploymentController(client::ApiClient &api, QObject *parent = nullptr);
    ~DeploymentController() override;

    void start();
    void stop();

private:
    struct Run;
    using RunPtr = std::shared_ptr<Run>;
    using Next = std::function<void(bool ok)>;
    using Scaled = std::function<void(std::optional<bool> scaled)>; // nullopt: failed

    bool synced() const;
    void enqueue(const QJsonObject &deployment);
    void enqueueOwnerOf(const QJsonObject &replicaSet);
    void onReplicaSetUpdated(const QJsonObject &old, const QJsonObject &rs);
    void onPodDeleted(const QJsonObject &pod);

    // deploymentcontroller.cpp: the sync and what every path shares.
    void sync(const QString &key, std::function<void(bool retry)> done);
    void claimReplicaSets(const RunPtr &run, Next next);
    void checkPausedConditions(const RunPtr &run, Next next);
    void syncRevision(const RunPtr &run, bool createIfMissing, Next next);
    void createNewReplicaSet(const RunPtr &run, const QString &revision, Next next);
    void isScalingEvent(const RunPtr &run, Scaled then);
    void scale(const RunPtr &run, Next next);
    void scaleAndRecord(const RunPtr &run, const QString &rs, int replicas, Scaled then);
    void scaleReplicaSet(const RunPtr &run, const QString &rs, int replicas,
                         const QString &operation, Scaled then);
    void updateReplicaSet(const RunPtr &run, const QJsonObject &rs, Next next);
    void cleanupDeployment(const RunPtr &run, Next next);
    void syncDeploymentStatus(const RunPtr &run, Next next);
    void writeDeployment(const RunPtr &run, Next next);

    // Rollouts and their progress.
    void rolloutRolling(const RunPtr &run);
    void reconcileNewReplicaSet(const RunPtr &run, Scaled then);
    void reconcileOldReplicaSets(const RunPtr &run, Scaled then);
    void cleanupUnhealthyReplicas(const RunPtr &run, int maxCleanup,
                                  std::function<void(std::optional<int>)> then);
    void scaleDownOldReplicaSets(const RunPtr &run, std::function<void(std::optional<int>)> then);
    void rolloutRecreate(const RunPtr &run);
    void syncRolloutStatus(const RunPtr &run, Next next);
    void requeueStuckDeployment(const RunPtr &run, const QJsonObject &newStatus);

    template <typename F> auto guarded(F f)
    {
        return [self = QPointer<DeploymentController>(this), f = std::move(f)](auto &&...args) {
            if (self)
                f(std::forward<decltype(args)>(args)...);
        };
    }

    client::ApiClient &m_api;
    std::unique_ptr<client::Informer> m_deployments;
    std::unique_ptr<client::Informer> m_replicaSets;
    std::unique_ptr<client::Informer> m_pods;
    std::unique_ptr<client::WorkQueue> m_queue;
    std::unique_ptr<client::EventRecorder> m_recorder;
    bool m_running = false;
};

} // namespace timonel::controllers
