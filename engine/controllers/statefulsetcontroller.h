// The StatefulSet controller, as kube-controller-manager's pkg/controller/statefulset: pods with
// stable names (<set>-<ordinal>), hostnames and claims (<template>-<set>-<ordinal>), created in
// ordinal order and removed in reverse (OrderedReady) or all at once (Parallel), and rolled to
// a new template from the highest ordinal down, one Ready pod at a time, above a partition.
// Templates are kept as ControllerRevisions named <set>-<hash>; pods carry theirs in the
// controller-revision-hash label.
//
// statefulsetcontroller.cpp: informers, work queue, revisions, status; statefulsetcontrol.cpp:
// what a pass does; statefulsetpodcontrol.cpp: its writes; statefulsetutil.cpp: pod identity.
#pragma once

#include "client/apiclient.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
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

// ControllerRevision history, shared with the DaemonSet controller.
//
// What a revision stores of a StatefulSet or DaemonSet: a strategic merge patch that puts its
// pod template back, {"spec": {"template": {..., "$patch": "replace"}}}.
QJsonObject revisionData(const QJsonObject &workload);
// The pod template a revision's data holds.
QJsonObject revisionTemplate(const QJsonObject &revision);
// The name-safe hash in ControllerRevision names and controller-revision-hash labels: a 32-bit
// FNV hash of the bytes (and of the collision count, when there is one), in decimal, each digit
// mapped to a letter or digit that cannot spell words (apimachinery's rand.SafeEncodeString).
QString revisionHash(const QByteArray &bytes, std::optional<int> collisionCount);

class StatefulSetController : public QObject
{
    Q_OBJECT
public:
    explicit StatefulSetController(client::ApiClient &api, QObject *parent = nullptr);
    ~StatefulSetController() override;

    void start();
    void stop();

private:
    struct Revisions
    {
        QJsonObject current;
        QJsonObject update;
        int collisionCount = 0;
    };
    struct Counts
    {
        int replicas = 0;
        int ready = 0;
        int available = 0;
        int current = 0;
        int updated = 0;
    };
    // One write of a pass; reports whether it went through.
    using Step = std::function<void(std::function<void(bool ok)>)>;
    // What a pass does: its writes, and the status it reports.
    struct Plan
    {
        QList<QList<Step>> phases; // one after the other; the steps of a phase at once
        Counts counts;
        QJsonObject status;
    };
    // What a write of ours left a pod as, until the pod informer has caught up with it.
    struct Written
    {
        QJsonObject pod;
        bool gone = false;
        QDateTime at;
    };

    bool synced() const;
    void enqueue(const QJsonObject &set);
    void onPod(const QJsonObject &pod);
    void enqueueForPod(const QJsonObject &pod);
    void enqueueNamespace(const QJsonObject &object);
    void remember(const QJsonObject &pod, bool gone);

    void sync(const QString &key, std::function<void(bool ok)> done);
    // The pods named like the set's, as far as the cache and our own writes know.
    QList<QJsonObject> memberPods(const QJsonObject &set);
    void reconcile(const QString &key, const QJsonObject &set, const QList<QJsonObject> &pods,
                   std::function<void(bool ok)> done);
    QList<QJsonObject> ownedRevisions(const QJsonObject &set) const;
    void resolveRevisions(const QJsonObject &set,
                          std::function<void(std::optional<Revisions>)> done);
    void createRevision(const QJsonObject &set, const QJsonObject &data, qint64 number,
                        int collisionCount, int attempt,
                        std::function<void(std::optional<Revisions>)> done);
    Plan makePlan(const QJsonObject &set, const QList<QJsonObject> &pods,
                  const Revisions &revisions);
    bool claimIsStale(const QJsonObject &set, const QJsonObject &pod) const;
    bool claimMissing(const QJsonObject &set, const QJsonObject &pod) const;
    static Counts countPods(const QJsonObject &set, const QList<QJsonObject> &pods,
                            const QString &current, const QString &update);
    static QJsonObject statusFor(const QJsonObject &set, Counts counts, const Revisions &revisions);
    void runPhases(QList<QList<Step>> phases, std::function<void(bool ok)> done);
    void writeStatus(const QJsonObject &set, const QJsonObject &status, std::function<void()> done);
    void truncateHistory(const QJsonObject &set, const QList<QJsonObject> &pods,
                         const Revisions &revisions);

    // The writes a plan is made of.
    Step createPodStep(const QJsonObject &set, const QJsonObject &pod);
    Step createClaimsStep(const QJsonObject &set, const QJsonObject &pod);
    Step deletePodStep(const QJsonObject &set, const QJsonObject &pod);
    Step updatePodStep(const QJsonObject &set, const QJsonObject &pod);
    Step updateClaimStep(const QJsonObject &claim, const QJsonArray &owners);
    void createClaims(const QJsonObject &set, const QJsonObject &pod,
                      std::function<void(bool ok)> done);

    client::ApiClient &m_api;
    client::Informer *m_sets = nullptr;
    client::Informer *m_pods = nullptr;
    client::Informer *m_claims = nullptr;
    client::Informer *m_revisions = nullptr;
    client::WorkQueue *m_queue = nullptr;
    client::EventRecorder *m_events = nullptr;
    QHash<QString, Written> m_written; // by pod key
};

} // namespace timonel::controllers
