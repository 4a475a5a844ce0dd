// The ReplicaSet controller's loop, sync and pod control (see replicasetcontroller.h): adopting
// and releasing pods, creating and deleting them under expectations, and its status. Which pods
// a scale-down deletes first is in replicasetranking.cpp.
#include "replicasetcontroller.h"

#include "controllerrefmanager.h"

#include "client/eventrecorder.h"
#include "client/informer.h"
#include "client/workqueue.h"
#include "core/labelselector.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcReplicaSet, "timonel.controllers.replicaset", QtInfoMsg)

namespace timonel::controllers {

namespace {

const client::Resource replicaSetsResource{u"apps"_s, u"v1"_s, u"replicasets"_s};
const client::Resource podsResource{QString(), u"v1"_s, u"pods"_s};
const client::WriteQuery asControllerManager{u"kube-controller-manager"_s, false, false};

// Kubernetes' burstReplicas and SlowStartInitialBatchSize.
constexpr int burstReplicas = 500;
constexpr int slowStartInitialBatchSize = 1;

QJsonObject metaOf(const QJsonObject &o)
{
    return o.value(u"metadata").toObject();
}

QJsonObject specOf(const QJsonObject &o)
{
    return o.value(u"spec").toObject();
}

QString uidOf(const QJsonObject &o)
{
    return metaOf(o).value(u"uid").toString();
}

QString nsOf(const QJsonObject &o)
{
    return metaOf(o).value(u"namespace").toString();
}

QJsonObject labelsOf(const QJsonObject &o)
{
    return metaOf(o).value(u"labels").toObject();
}

int desiredReplicas(const QJsonObject &rs)
{
    return specOf(rs).value(u"replicas").toInt(1);
}

QJsonObject withKind(QJsonObject rs)
{
    if (!rs.contains(u"kind")) {
        rs.insert(u"apiVersion"_s, u"apps/v1"_s);
        rs.insert(u"kind"_s, u"ReplicaSet"_s);
    }
    return rs;
}

// What the controller reads of a pod: the rest of its spec is not its business.
QJsonObject podEssentials(const QJsonObject &pod)
{
    QJsonObject meta = metaOf(pod);
    meta.remove(u"managedFields"_s);
    QJsonObject spec{{u"nodeName"_s, specOf(pod).value(u"nodeName")}};
    QJsonArray inits;
    for (const QJsonValue &c : specOf(pod).value(u"initContainers").toArray())
        inits.append(QJsonObject{{u"name"_s, c.toObject().value(u"name")},
                                 {u"restartPolicy"_s, c.toObject().value(u"restartPolicy")}});
    if (!inits.isEmpty())
        spec.insert(u"initContainers"_s, inits);
    return {{u"apiVersion"_s, pod.value(u"apiVersion")},
            {u"kind"_s, pod.value(u"kind")},
            {u"metadata"_s, meta},
            {u"spec"_s, spec},
            {u"status"_s, pod.value(u"status")}};
}

bool namespaceTerminating(const client::Error &e)
{
    const QJsonArray causes = e.status.value(u"details").toObject().value(u"causes").toArray();
    return std::any_of(causes.begin(), causes.end(), [](const QJsonValue &c) {
        return c.toObject().value(u"reason").toString() == u"NamespaceTerminating";
    });
}

// Counts the answers of operations run in parallel; `then` gets the first error after the last.
struct Gather
{
    int left;
    std::optional<QString> error;
    std::function<void(std::optional<QString>)> then;

    void answer(std::optional<QString> e)
    {
        if (e && !error)
            error = std::move(e);
        if (--left == 0)
            then(error);
    }
};

// --- Status --------------------------------------------------------------------------------

void setCount(QJsonObject &status, const QString &field, qint64 value)
{
    if (value != 0) // omitempty, as Kubernetes serializes them
        status.insert(field, value);
    else
        status.remove(field);
}

QJsonObject calculateStatus(const QJsonObject &rs, const QList<QJsonObject> &pods,
                            const std::optional<QString> &manageError)
{
    QJsonObject status = rs.value(u"status").toObject();
    const core::LabelSelector templateLabels = core::LabelSelector::fromSet(specOf(rs)
                                                                                .value(u"template")
                                                                                .toObject()
                                                                                .value(u"metadata")
                                                                                .toObject()
                                                                                .value(u"labels")
                                                                                .toObject());
    const int minReady = specOf(rs).value(u"minReadySeconds").toInt();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    int fullyLabeled = 0, ready = 0, available = 0;
    for (const QJsonObject &pod : pods) {
        if (templateLabels.matches(labelsOf(pod)))
            ++fullyLabeled;
        if (isPodReady(pod)) {
            ++ready;
            if (isPodAvailable(pod, minReady, now))
                ++available;
        }
    }
    QJsonArray conditions = status.value(u"conditions").toArray();
    const auto failure =
        std::find_if(conditions.begin(), conditions.end(), [](const QJsonValue &c) {
            return c.toObject().value(u"type").toString() == u"ReplicaFailure";
        });
    if (manageError && failure == conditions.end()) {
        const qsizetype diff = pods.size() - desiredReplicas(rs);
        const QString reason = diff < 0   ? u"FailedCreate"_s
                               : diff > 0 ? u"FailedDelete"_s
                                          : QString();
        conditions.append(QJsonObject{{u"type"_s, u"ReplicaFailure"_s},
                                      {u"status"_s, u"True"_s},
                                      {u"lastTransitionTime"_s, now.toString(Qt::ISODate)},
                                      {u"reason"_s, reason},
                                      {u"message"_s, *manageError}});
    } else if (!manageError && failure != conditions.end()) {
        conditions.erase(failure);
    }
    if (conditions.isEmpty())
        status.remove(u"conditions"_s);
    else
        status.insert(u"conditions"_s, conditions);
    status.insert(u"replicas"_s, pods.size());
    setCount(status, u"fullyLabeledReplicas"_s, fullyLabeled);
    setCount(status, u"readyReplicas"_s, ready);
    setCount(status, u"availableReplicas"_s, available);
    return status;
}

bool statusUnchanged(const QJsonObject &rs, const QJsonObject &status)
{
    const QJsonObject old = rs.value(u"status").toObject();
    for (const char16_t *field :
         {u"replicas", u"fullyLabeledReplicas", u"readyReplicas", u"availableReplicas"})
        if (old.value(field).toInteger() != status.value(field).toInteger())
            return false;
    return metaOf(rs).value(u"generation").toInteger() ==
               old.value(u"observedGeneration").toInteger() &&
           old.value(u"conditions").toArray() == status.value(u"conditions").toArray();
}

} // namespace

ReplicaSetController::ReplicaSetController(client::ApiClient &api, QObject *parent)
    : QObject(parent), m_api(api)
{
}

ReplicaSetController::~ReplicaSetController() = default;

void ReplicaSetController::start()
{
    if (m_running)
        return;
    m_running = true;
    m_recorder = std::make_unique<client::EventRecorder>(m_api, u"replicaset-controller"_s);
    m_queue = std::make_unique<client::WorkQueue>(client::WorkQueue::retrying(
        [this](const QString &key, auto done) { sync(key, std::move(done)); }));
    m_replicaSets = std::make_unique<client::Informer>(m_api, replicaSetsResource);
    client::InformerOptions podOptions;
    podOptions.transform = podEssentials;
    m_pods = std::make_unique<client::Informer>(m_api, podsResource, podOptions);

    connect(m_replicaSets.get(), &client::Informer::added, this,
            [this](const QJsonObject &rs) { enqueue(rs); });
    connect(m_replicaSets.get(), &client::Informer::updated, this,
            [this](const QJsonObject &old, const QJsonObject &rs) {
                if (uidOf(old) != uidOf(rs)) // deleted and created again under the same name
                    m_expectations.forget(keyOf(old));
                enqueue(rs);
            });
    connect(m_replicaSets.get(), &client::Informer::deleted, this, [this](const QJsonObject &rs) {
        m_expectations.forget(keyOf(rs));
        enqueue(rs);
    });
    connect(m_pods.get(), &client::Informer::added, this, &ReplicaSetController::onPodAdded);
    connect(m_pods.get(), &client::Informer::updated, this, &ReplicaSetController::onPodUpdated);
    connect(m_pods.get(), &client::Informer::deleted, this, &ReplicaSetController::onPodDeleted);
    // Nothing is judged before both caches are complete; then every ReplicaSet gets a look.
    for (client::Informer *informer : {m_replicaSets.get(), m_pods.get()})
        connect(informer, &client::Informer::synced, this, [this] {
            if (synced())
                for (const QJsonObject &rs : m_replicaSets->list())
                    enqueue(rs);
        });
    m_replicaSets->start();
    m_pods->start();
}

// The parts stay until the next start() or the destructor: answers still under way use them.
void ReplicaSetController::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_queue->shutDown();
    m_replicaSets->stop();
    m_pods->stop();
}

bool ReplicaSetController::synced() const
{
    return m_replicaSets && m_pods && m_replicaSets->hasSynced() && m_pods->hasSynced();
}

void ReplicaSetController::enqueue(const QJsonObject &replicaSet)
{
    if (synced())
        m_queue->add(keyOf(replicaSet));
}

// The ReplicaSet a pod's controller reference names, if it is still the same object.
QJsonObject ReplicaSetController::controllerOf(const QJsonObject &pod) const
{
    for (const QJsonValue &v : metaOf(pod).value(u"ownerReferences").toArray()) {
        const QJsonObject ref = v.toObject();
        if (!ref.value(u"controller").toBool() || ref.value(u"kind").toString() != u"ReplicaSet")
            continue;
        const QJsonObject rs = m_replicaSets->get(nsOf(pod), ref.value(u"name").toString());
        return uidOf(rs) == ref.value(u"uid").toString() ? rs : QJsonObject();
    }
    return {};
}

// An orphan wakes every ReplicaSet that could adopt it.
void ReplicaSetController::enqueueMatching(const QJsonObject &pod)
{
    for (const QJsonObject &rs : m_replicaSets->list()) {
        if (nsOf(rs) != nsOf(pod))
            continue;
        const auto selector =
            core::LabelSelector::fromJson(specOf(rs).value(u"selector").toObject());
        if (selector && !selector->isEmpty() && selector->matches(labelsOf(pod)))
            enqueue(rs);
    }
}

void ReplicaSetController::onPodAdded(const QJsonObject &pod)
{
    if (isBeingDeleted(pod))
        return onPodDeleted(pod); // seen for the first time already on its way out
    if (!controllerUid(pod).isEmpty()) {
        if (const QJsonObject rs = controllerOf(pod); !rs.isEmpty()) {
            m_expectations.creationObserved(keyOf(rs));
            enqueue(rs);
        }
        return;
    }
    enqueueMatching(pod);
}

void ReplicaSetController::onPodUpdated(const QJsonObject &oldPod, const QJsonObject &pod)
{
    if (metaOf(oldPod).value(u"resourceVersion") == metaOf(pod).value(u"resourceVersion"))
        return; // a resync: nothing changed
    const bool labelsChanged = labelsOf(oldPod) != labelsOf(pod);
    if (isBeingDeleted(pod)) {
        // Replace it as soon as it is marked, not once its node agent is done with it.
        onPodDeleted(pod);
        if (labelsChanged)
            onPodDeleted(oldPod);
        return;
    }
    const bool controllerChanged = controllerUid(oldPod) != controllerUid(pod);
    if (controllerChanged)
        if (const QJsonObject old = controllerOf(oldPod); !old.isEmpty())
            enqueue(old);
    if (!controllerUid(pod).isEmpty()) {
        const QJsonObject rs = controllerOf(pod);
        if (rs.isEmpty())
            return;
        enqueue(rs);
        const int minReady = specOf(rs).value(u"minReadySeconds").toInt();
        if (!isPodReady(oldPod) && isPodReady(pod) && minReady > 0 && synced())
            m_queue->addAfter(keyOf(rs), std::chrono::seconds(minReady) + 1s);
        return;
    }
    if (labelsChanged || controllerChanged)
        enqueueMatching(pod);
}

void ReplicaSetController::onPodDeleted(const QJsonObject &pod)
{
    const QJsonObject rs = controllerOf(pod);
    if (rs.isEmpty())
        return;
    m_expectations.deletionObserved(keyOf(rs), uidOf(pod));
    enqueue(rs);
}

void ReplicaSetController::sync(const QString &key, std::function<void(bool retry)> done)
{
    const qsizetype slash = key.indexOf(u'/');
    const QJsonObject cached = m_replicaSets->get(key.left(slash), key.mid(slash + 1));
    if (cached.isEmpty()) {
        m_expectations.forget(key);
        return done(false);
    }
    const QJsonObject rs = withKind(cached);
    const bool needsSync = m_expectations.satisfied(key);
    const auto selector = core::LabelSelector::fromJson(specOf(rs).value(u"selector").toObject());
    if (!selector) {
        qCWarning(lcReplicaSet).noquote()
            << "error converting pod selector to selector for rs" << key << ":" << selector.error();
        return done(false);
    }
    QList<QJsonObject> active;
    for (const QJsonObject &pod : m_pods->list())
        if (nsOf(pod) == nsOf(rs) && isPodActive(pod))
            active.append(pod);
    // Pods that stopped matching but still name this ReplicaSet are looked at too: to release.
    QList<QJsonObject> candidates;
    for (const QJsonObject &pod : std::as_const(active))
        if (controllerUid(pod) == uidOf(rs) || selector->matches(labelsOf(pod)))
            candidates.append(pod);

    auto claimed = [this, rs, key, needsSync, done](std::optional<QList<QJsonObject>> claimed) {
        if (!claimed)
            return done(true);
        auto afterManage = [this, rs, key, claimed = *claimed, done](std::optional<QString> error) {
            QJsonObject status = calculateStatus(rs, claimed, error);
            auto finish = [this, key, error, done](const QJsonObject &updated) {
                const QJsonObject s = updated.value(u"status").toObject();
                const int minReady = specOf(updated).value(u"minReadySeconds").toInt();
                // Pods become available minReadySeconds after they became ready: look again then.
                if (!error && minReady > 0 &&
                    s.value(u"readyReplicas").toInt() == desiredReplicas(updated) &&
                    s.value(u"availableReplicas").toInt() != desiredReplicas(updated))
                    m_queue->addAfter(key, std::chrono::seconds(minReady));
                done(error.has_value());
            };
            if (statusUnchanged(rs, status))
                return finish(rs);
            status.insert(u"observedGeneration"_s, metaOf(rs).value(u"generation").toInteger());
            writeStatus(rs, status, false,
                        guarded([finish, done](std::optional<QJsonObject> updated) {
                            if (!updated)
                                return done(true);
                            finish(*updated);
                        }));
        };
        if (needsSync && !isBeingDeleted(rs))
            manageReplicas(rs, *claimed, guarded(afterManage));
        else
            afterManage(std::nullopt);
    };
    claimObjects(m_api, podsResource, replicaSetsResource, rs, *selector, candidates, podEssentials,
                 this, claimed);
}

void ReplicaSetController::manageReplicas(const QJsonObject &rs, const QList<QJsonObject> &pods,
                                          ManageDone then)
{
    const qsizetype diff = pods.size() - desiredReplicas(rs);
    // Expectations are met or expired here: what is left of expired ones is dropped, as
    // Kubernetes sets (not adds to) the expectations of a new round.
    m_expectations.forget(keyOf(rs));
    if (diff < 0) {
        const int count = int(std::min<qsizetype>(-diff, burstReplicas));
        m_expectations.expectCreations(keyOf(rs), count);
        return createPods(rs, count, slowStartInitialBatchSize, std::move(then));
    }
    if (diff > 0)
        return deletePods(rs, pods, int(std::min<qsizetype>(diff, burstReplicas)), std::move(then));
    then(std::nullopt);
}

// Slow start: a batch of 1, then 2, 4, ... while every create succeeds, so a ReplicaSet that
// cannot create pods (quota, admission) sends one failing request, not hundreds.
void ReplicaSetController::createPods(const QJsonObject &rs, int remaining, int batch,
                                      ManageDone then)
{
    const int size = std::min(batch, remaining);
    if (size <= 0)
        return then(std::nullopt);
    const QString key = keyOf(rs);
    auto gather = std::make_shared<Gather>(
        size, std::nullopt, [this, rs, key, remaining, size, then](std::optional<QString> error) {
            if (!error)
                return createPods(rs, remaining - size, size * 2, then);
            // The failed creates and those never attempted will not be observed.
            for (int i = 0; i < remaining - size; ++i)
                m_expectations.creationObserved(key);
            then(error);
        });
    const QJsonObject pod = podFromTemplate(rs, specOf(rs).value(u"template").toObject(),
                                            metaOf(rs).value(u"name").toString() + u'-');
    for (int i = 0; i < size; ++i) {
        m_api.create(podsResource, nsOf(rs), pod, asControllerManager,
                     guarded([this, rs, key, gather](client::Result<QJsonObject> created) {
                         if (created) {
                             m_recorder->event(rs, u"Normal"_s, u"SuccessfulCreate"_s,
                                               u"Created pod: "_s +
                                                   metaOf(*created).value(u"name").toString());
                             return gather->answer(std::nullopt);
                         }
                         if (namespaceTerminating(created.error()))
                             return gather->answer(std::nullopt); // every create would fail
                         m_expectations.creationObserved(key);
                         m_recorder->event(rs, u"Warning"_s, u"FailedCreate"_s,
                                           u"Error creating: "_s + created.error().message);
                         gather->answer(created.error().message);
                     }));
    }
}

void ReplicaSetController::deletePods(const QJsonObject &rs, const QList<QJsonObject> &pods,
                                      int count, ManageDone then)
{
    const QString key = keyOf(rs);
    const QList<QJsonObject> victims =
        podsToDelete(pods, relatedPods(rs), count, QDateTime::currentDateTimeUtc());
    QSet<QString> uids;
    for (const QJsonObject &pod : victims)
        uids.insert(uidOf(pod));
    m_expectations.expectDeletions(key, uids);
    auto gather = std::make_shared<Gather>(int(victims.size()), std::nullopt, then);
    for (const QJsonObject &pod : victims) {
        const QString name = metaOf(pod).value(u"name").toString();
        m_api.remove(podsResource, nsOf(pod), name, {},
                     guarded([this, rs, key, pod, name, gather](client::Result<QJsonObject> r) {
                         if (r) {
                             m_recorder->event(rs, u"Normal"_s, u"SuccessfulDelete"_s,
                                               u"Deleted pod: "_s + name);
                             return gather->answer(std::nullopt);
                         }
                         // This deletion will never be observed.
                         m_expectations.deletionObserved(key, uidOf(pod));
                         if (r.error().isNotFound())
                             return gather->answer(std::nullopt);
                         m_recorder->event(rs, u"Warning"_s, u"FailedDelete"_s,
                                           u"Error deleting: "_s + r.error().message);
                         gather->answer(u"unable to delete pods: "_s + r.error().message);
                     }));
    }
}

// The pods of every ReplicaSet sharing this one's controller (a Deployment's old and new
// ReplicaSets): scaling down prefers nodes where they crowd together.
QList<QJsonObject> ReplicaSetController::relatedPods(const QJsonObject &rs) const
{
    QSet<QString> owners{uidOf(rs)};
    if (const QString controller = controllerUid(rs); !controller.isEmpty())
        for (const QJsonObject &other : m_replicaSets->list())
            if (nsOf(other) == nsOf(rs) && controllerUid(other) == controller)
                owners.insert(uidOf(other));
    QList<QJsonObject> related;
    for (const QJsonObject &pod : m_pods->list())
        if (nsOf(pod) == nsOf(rs) && owners.contains(controllerUid(pod)))
            related.append(pod);
    return related;
}

// Writes the status against the cached resourceVersion; on a conflict reads the ReplicaSet
// again and tries once more, as Kubernetes' updateReplicaSetStatus.
void ReplicaSetController::writeStatus(const QJsonObject &rs, const QJsonObject &status,
                                       bool retried,
                                       std::function<void(std::optional<QJsonObject>)> then)
{
    QJsonObject object = rs;
    object.insert(u"status"_s, status);
    m_api.update(replicaSetsResource, nsOf(rs), object, u"status"_s, asControllerManager,
                 guarded([this, rs, status, retried, then](client::Result<QJsonObject> r) {
                     if (r)
                         return then(*r);
                     if (retried || r.error().isNotFound()) {
                         // A conflict again: the sync runs again with what the cache has now.
                         if (!r.error().isNotFound() && !r.error().isConflict())
                             qCInfo(lcReplicaSet).noquote() << "updating the status of" << keyOf(rs)
                                                            << "failed:" << r.error().message;
                         return then(std::nullopt);
                     }
                     m_api.get(replicaSetsResource, nsOf(rs), metaOf(rs).value(u"name").toString(),
                               guarded([this, status, then](client::Result<QJsonObject> fresh) {
                                   if (!fresh)
                                       return then(std::nullopt);
                                   writeStatus(*fresh, status, true, then);
                               }));
                 }));
}

} // namespace timonel::controllers
