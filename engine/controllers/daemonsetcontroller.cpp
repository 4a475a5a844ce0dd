#include "daemonsetcontroller.h"
#include "daemonsetcontroller_p.h"

#include "client/eventrecorder.h"
#include "client/informer.h"
#include "client/workqueue.h"
#include "controllers/controllerrefmanager.h"
#include "core/labelselector.h"

#include <QJsonDocument>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace timonel::controllers {

using namespace daemonset;

DaemonSetController::DaemonSetController(client::ApiClient &api, QObject *parent)
    : QObject(parent), m_api(api),
      m_events(new client::EventRecorder(api, u"daemonset-controller"_s, {}, this))
{
    client::InformerOptions setOptions;
    setOptions.resyncPeriod = 30s;
    m_sets = new client::Informer(m_api, daemonSetsResource, setOptions, this);
    m_pods = new client::Informer(m_api, podsResource, {}, this);
    m_nodes = new client::Informer(m_api, nodesResource, {}, this);
    m_revisions = new client::Informer(m_api, revisionsResource, {}, this);

    connect(m_sets, &client::Informer::added, this, &DaemonSetController::enqueue);
    connect(m_sets, &client::Informer::updated, this,
            [this](const QJsonObject &, const QJsonObject &ds) { enqueue(ds); });
    connect(m_sets, &client::Informer::deleted, this,
            [this](const QJsonObject &ds) { m_expectations.forget(keyOf(ds)); });
    connect(m_pods, &client::Informer::added, this, &DaemonSetController::onPodAdded);
    connect(m_pods, &client::Informer::updated, this, &DaemonSetController::onPodUpdated);
    connect(m_pods, &client::Informer::deleted, this, &DaemonSetController::onPodDeleted);
    // Node changes that can move daemon pods: new and removed nodes, labels, taints. Status
    // heartbeats cannot.
    connect(m_nodes, &client::Informer::added, this, &DaemonSetController::enqueueAll);
    connect(m_nodes, &client::Informer::updated, this,
            [this](const QJsonObject &a, const QJsonObject &b) {
                if (a.value(u"spec") != b.value(u"spec") || labelsOf(a) != labelsOf(b))
                    enqueueAll();
            });
    connect(m_nodes, &client::Informer::deleted, this, &DaemonSetController::enqueueAll);
    for (client::Informer *informer : {m_sets, m_pods, m_nodes, m_revisions})
        connect(informer, &client::Informer::synced, this, [this] {
            if (synced())
                enqueueAll();
        });
}

DaemonSetController::~DaemonSetController() = default;

void DaemonSetController::start()
{
    if (m_queue)
        return;
    m_queue = new client::WorkQueue(
        [this](const QString &key, client::WorkQueue::Done done) {
            sync(key, [done](bool ok) {
                done(ok ? client::WorkQueue::Outcome::Done : client::WorkQueue::Outcome::Retry);
            });
        },
        4, this);
    for (client::Informer *informer : {m_sets, m_pods, m_nodes, m_revisions})
        informer->start();
}

void DaemonSetController::stop()
{
    if (!m_queue)
        return;
    // Passes under way finish their writes; nothing new starts.
    m_queue->shutDown();
    m_queue->deleteLater();
    m_queue = nullptr;
    for (client::Informer *informer : {m_sets, m_pods, m_nodes, m_revisions})
        informer->stop();
}

bool DaemonSetController::synced() const
{
    return m_sets->hasSynced() && m_pods->hasSynced() && m_nodes->hasSynced()
           && m_revisions->hasSynced();
}

void DaemonSetController::enqueue(const QJsonObject &daemonSet)
{
    if (m_queue)
        m_queue->add(keyOf(daemonSet));
}

void DaemonSetController::enqueueAll()
{
    for (const QJsonObject &ds : m_sets->list())
        enqueue(ds);
}

std::optional<QString> DaemonSetController::ownerKey(const QJsonObject &pod) const
{
    for (const QJsonValue &v : metaOf(pod).value(u"ownerReferences").toArray()) {
        const QJsonObject ref = v.toObject();
        if (ref.value(u"controller").toBool())
            return ref.value(u"kind").toString() == u"DaemonSet"
                       ? std::optional(nsOf(pod) + u'/' + ref.value(u"name").toString())
                       : std::nullopt;
    }
    return std::nullopt;
}

void DaemonSetController::onPodAdded(const QJsonObject &pod)
{
    if (const auto key = ownerKey(pod))
        m_expectations.creationObserved(*key);
    enqueueForPod(pod);
}

void DaemonSetController::onPodUpdated(const QJsonObject &oldPod, const QJsonObject &pod)
{
    // A deletion is observed once the pod is marked for it.
    if (const auto key = ownerKey(pod); key && isBeingDeleted(pod) && !isBeingDeleted(oldPod))
        m_expectations.deletionObserved(*key, uidOf(pod));
    enqueueForPod(pod);
}

void DaemonSetController::onPodDeleted(const QJsonObject &pod)
{
    if (const auto key = ownerKey(pod))
        m_expectations.deletionObserved(*key, uidOf(pod));
    enqueueForPod(pod);
}

void DaemonSetController::enqueueForPod(const QJsonObject &pod)
{
    if (!m_queue)
        return;
    if (const auto key = ownerKey(pod))
        return m_queue->add(*key);
    if (!controllerUid(pod).isEmpty())
        return;
    for (const QJsonObject &ds : m_sets->list()) { // an orphan: who could adopt it
        const auto selector =
            core::LabelSelector::fromJson(specOf(ds).value(u"selector").toObject());
        if (nsOf(ds) == nsOf(pod) && selector && !selector->isEmpty()
            && selector->matches(labelsOf(pod)))
            enqueue(ds);
    }
}

QList<QJsonObject> DaemonSetController::candidatePods(const QJsonObject &ds, bool ownedOnly) const
{
    QList<QJsonObject> pods;
    for (const QJsonObject &pod : m_pods->list()) {
        const QString phase = phaseOf(pod);
        if (nsOf(pod) != nsOf(ds) || (ownedOnly && controllerUid(pod) != uidOf(ds))
            || (isBeingDeleted(pod) && (phase == u"Succeeded" || phase == u"Failed")))
            continue; // deleted terminal pods are gone in all but name
        pods.append(pod);
    }
    return pods;
}

QList<QJsonObject> DaemonSetController::ownedRevisions(const QJsonObject &ds) const
{
    QList<QJsonObject> owned;
    for (const QJsonObject &r : m_revisions->list())
        if (nsOf(r) == nsOf(ds) && controllerUid(r) == uidOf(ds))
            owned.append(r);
    std::sort(owned.begin(), owned.end(), [](const QJsonObject &a, const QJsonObject &b) {
        return a.value(u"revision").toInteger() < b.value(u"revision").toInteger();
    });
    return owned;
}

void DaemonSetController::sync(const QString &key, std::function<void(bool ok)> done)
{
    if (!synced()) {
        m_queue->addAfter(key, 100ms);
        return done(true);
    }
    const qsizetype slash = key.indexOf(u'/');
    QJsonObject ds = m_sets->get(key.left(slash), key.mid(slash + 1));
    if (ds.isEmpty()) {
        m_expectations.forget(key);
        return done(true);
    }
    ds.insert(u"apiVersion"_s, u"apps/v1"_s);
    ds.insert(u"kind"_s, u"DaemonSet"_s);
    const auto selector = core::LabelSelector::fromJson(specOf(ds).value(u"selector").toObject());
    if (isBeingDeleted(ds) || !selector || selector->isEmpty())
        return done(true); // going away (its pods go with it), or refused by validation

    // Adopt matching orphans, release pods that stopped matching.
    claimObjects(m_api, podsResource, daemonSetsResource, ds, *selector, candidatePods(ds, false),
                 nullptr, this, [this, key, ds, done](std::optional<QList<QJsonObject>> pods) {
        if (!pods)
            return done(false);
        reconcile(key, ds, *pods, done);
    });
}

void DaemonSetController::reconcile(const QString &key, const QJsonObject &ds,
                                    const QList<QJsonObject> &pods,
                                    std::function<void(bool ok)> done)
{
    currentRevision(ds, [this, key, ds, pods, done](std::optional<QJsonObject> current) {
        if (!current)
            return done(false);
        const QString hash = labelsOf(*current).value(revisionLabel).toString();
        if (!m_expectations.satisfied(key)) // the cache has not seen our last writes yet
            return writeStatus(ds, hash, false, [done] { done(true); });
        const NodePods nodePods = podsByNode(pods);
        Changes changes = manage(ds, nodePods, hash);
        const QJsonObject strategy = specOf(ds).value(u"updateStrategy").toObject();
        if (changes.createOn.isEmpty() && changes.remove.isEmpty()
            && strategy.value(u"type").toString() == u"RollingUpdate")
            changes = rollingUpdate(ds, nodePods, hash);
        syncNodes(ds, changes, hash, [this, ds, current, hash, done](bool ok) {
            cleanupHistory(ds, *current);
            writeStatus(ds, hash, true, [ok, done] { done(ok); });
        });
    });
}

DaemonSetController::NodePods DaemonSetController::podsByNode(const QList<QJsonObject> &pods) const
{
    NodePods byNode;
    for (const QJsonObject &pod : pods)
        if (const QString node = targetNode(pod); !node.isEmpty())
            byNode[node].append(pod);
    return byNode;
}

DaemonSetController::Changes DaemonSetController::manage(const QJsonObject &ds,
                                                         const NodePods &nodePods,
                                                         const QString &hash)
{
    Changes changes;
    const bool surge = surgeCount(ds, 1) > 0;
    const QString key = keyOf(ds);
    QSet<QString> nodeNames;
    for (const QJsonObject &node : m_nodes->list()) {
        const QString nodeName = nameOf(node);
        nodeNames.insert(nodeName);
        const DaemonPlacement placement = daemonPlacement(node, ds);
        const auto found = nodePods.constFind(nodeName);
        if (placement.shouldRun && found == nodePods.cend()) {
            changes.createOn.append(nodeName);
        } else if (placement.shouldContinueRunning && found != nodePods.cend()) {
            QList<QJsonObject> running;
            for (const QJsonObject &pod : *found) {
                if (isBeingDeleted(pod))
                    continue;
                if (phaseOf(pod) == u"Failed") {
                    // Deleted again only after a back-off that doubles from 1 s to 15 min.
                    Backoff &b = m_failedPods[key + u'/' + nodeName];
                    const QDateTime now = QDateTime::currentDateTimeUtc();
                    const qint64 left = b.last.isValid() ? b.delayMs - b.last.msecsTo(now) : 0;
                    if (left > 0) {
                        if (m_queue)
                            m_queue->addAfter(key, std::chrono::milliseconds(left));
                        continue;
                    }
                    const bool expired = !b.last.isValid() || b.last.msecsTo(now) > 2 * 900000;
                    b.delayMs = expired ? 1000 : std::min<qint64>(b.delayMs * 2, 900000);
                    b.last = now;
                    m_events->event(ds, u"Warning"_s, u"FailedDaemonPod"_s,
                                    u"Found failed daemon pod %1/%2 on node %3, will try to "
                                    "kill it"_s.arg(nsOf(pod), nameOf(pod), nodeName));
                    changes.remove.append(pod);
                } else if (phaseOf(pod) == u"Succeeded") {
                    changes.remove.append(pod);
                } else {
                    running.append(pod);
                }
            }
            sortOldestScheduledFirst(running);
            if (!surge) {
                // One pod per node: the oldest stays.
                changes.remove.append(running.mid(1));
                continue;
            }
            if (running.isEmpty() && placement.shouldRun)
                changes.createOn.append(nodeName);
            if (running.size() <= 1)
                continue;
            // Surging: the oldest new pod and the oldest old one may both stay until the new
            // one is available (or the old one no longer ready).
            QJsonObject oldestNew, oldestOld;
            for (const QJsonObject &pod : std::as_const(running)) {
                QJsonObject &slot =
                    isUpdated(pod, hash, templateGeneration(ds)) ? oldestNew : oldestOld;
                if (slot.isEmpty())
                    slot = pod;
                else
                    changes.remove.append(pod);
            }
            if (!oldestNew.isEmpty() && !oldestOld.isEmpty()
                && (!isPodReady(oldestOld) || isAvailable(oldestNew, ds)))
                changes.remove.append(oldestOld);
        } else if (!placement.shouldContinueRunning && found != nodePods.cend()) {
            for (const QJsonObject &pod : *found)
                if (!isBeingDeleted(pod))
                    changes.remove.append(pod);
        }
    }
    // Pods for nodes that are gone: never scheduled ones would wait forever, and bound ones
    // have no node agent left to stop them (Kubernetes' pod GC force-deletes those).
    for (auto it = nodePods.cbegin(); it != nodePods.cend(); ++it)
        if (!nodeNames.contains(it.key()))
            for (const QJsonObject &pod : *it)
                if (!isBeingDeleted(pod) || !specOf(pod).value(u"nodeName").toString().isEmpty())
                    changes.remove.append(pod);
    return changes;
}

void DaemonSetController::syncNodes(const QJsonObject &ds, const Changes &changes,
                                    const QString &hash, std::function<void(bool ok)> done)
{
    const QString key = keyOf(ds);
    if (changes.createOn.isEmpty() && changes.remove.isEmpty())
        return done(true);
    QSet<QString> uids;
    for (const QJsonObject &pod : changes.remove)
        uids.insert(uidOf(pod));
    m_expectations.expectCreations(key, int(changes.createOn.size()));
    m_expectations.expectDeletions(key, uids);

    // The template every new pod starts from: daemon tolerations and the revision's labels.
    QJsonObject podTemplate = specOf(ds).value(u"template").toObject();
    QJsonObject templateMeta = podTemplate.value(u"metadata").toObject();
    QJsonObject labels = templateMeta.value(u"labels").toObject();
    if (const auto generation = templateGeneration(ds))
        labels.insert(generationLabel, *generation);
    labels.insert(revisionLabel, hash);
    templateMeta.insert(u"labels"_s, labels);
    podTemplate.insert(u"metadata"_s, templateMeta);
    const QJsonObject templateSpec = withDaemonTolerations(templateSpecOf(ds));

    struct Join
    {
        qsizetype pending;
        bool ok = true;
    };
    auto join = std::make_shared<Join>(Join{changes.createOn.size() + changes.remove.size()});
    auto finished = [join, done](bool ok) {
        join->ok &= ok;
        if (--join->pending == 0)
            done(join->ok);
    };
    for (const QString &node : changes.createOn) {
        QJsonObject spec = templateSpec;
        spec.insert(u"affinity"_s, withNodeAffinity(spec.value(u"affinity").toObject(), node));
        podTemplate.insert(u"spec"_s, spec);
        m_api.create(podsResource, nsOf(ds), podFromTemplate(ds, podTemplate, nameOf(ds) + u'-'),
                     asController,
                     guarded(this, [this, ds, key, finished](Reply r) {
            if (r) {
                m_events->event(ds, u"Normal"_s, u"SuccessfulCreate"_s,
                                u"Created pod: %1"_s.arg(nameOf(*r)));
            } else {
                m_expectations.creationFailed(key);
                m_events->event(ds, u"Warning"_s, u"FailedCreate"_s,
                                u"Error creating: %1"_s.arg(r.error().message));
            }
            finished(bool(r));
        }));
    }
    for (const QJsonObject &pod : changes.remove) {
        client::DeleteQuery query;
        const QString node = specOf(pod).value(u"nodeName").toString();
        if (!node.isEmpty() && m_nodes->get({}, node).isEmpty())
            query.gracePeriodSeconds = 0; // its node is gone: nobody is left to stop it
        m_api.remove(podsResource, nsOf(pod), nameOf(pod), query,
                     guarded(this, [this, ds, key, pod, finished](Reply r) {
            if (r) {
                m_events->event(ds, u"Normal"_s, u"SuccessfulDelete"_s,
                                u"Deleted pod: %1"_s.arg(nameOf(pod)));
            } else {
                m_expectations.deletionObserved(key, uidOf(pod));
                if (!r.error().isNotFound())
                    m_events->event(ds, u"Warning"_s, u"FailedDelete"_s,
                                    u"Error deleting: %1"_s.arg(r.error().message));
            }
            finished(r || r.error().isNotFound());
        }));
    }
}

void DaemonSetController::writeStatus(const QJsonObject &ds, const QString &hash, bool observed,
                                      std::function<void()> done)
{
    QList<QJsonObject> owned;
    const auto selector = core::LabelSelector::fromJson(specOf(ds).value(u"selector").toObject());
    for (const QJsonObject &pod : candidatePods(ds, true))
        if (selector && selector->matches(labelsOf(pod)))
            owned.append(pod);
    const NodePods nodePods = podsByNode(owned);
    const auto generation = templateGeneration(ds);
    int desired = 0, current = 0, misscheduled = 0, ready = 0, updated = 0, available = 0;
    for (const QJsonObject &node : m_nodes->list()) {
        QList<QJsonObject> pods = nodePods.value(nameOf(node));
        if (!daemonPlacement(node, ds).shouldRun) {
            misscheduled += !pods.isEmpty();
            continue;
        }
        ++desired;
        if (pods.isEmpty())
            continue;
        ++current;
        sortOldestScheduledFirst(pods);
        if (isPodReady(pods.first())) {
            ++ready;
            available += isAvailable(pods.first(), ds);
        }
        updated += isUpdated(pods.first(), hash, generation);
    }
    const int minReady = specOf(ds).value(u"minReadySeconds").toInt();
    if (minReady > 0 && ready != available && m_queue)
        m_queue->addAfter(keyOf(ds), std::chrono::seconds(minReady));

    const QJsonObject old = statusOf(ds);
    const qint64 generationSeen = observed ? metaOf(ds).value(u"generation").toInteger()
                                           : old.value(u"observedGeneration").toInteger();
    auto omitEmpty = [](qint64 v) { return v == 0 ? QJsonValue() : QJsonValue(v); };
    const QJsonObject status{{u"desiredNumberScheduled"_s, desired},
                             {u"currentNumberScheduled"_s, current},
                             {u"numberMisscheduled"_s, misscheduled},
                             {u"numberReady"_s, ready},
                             {u"observedGeneration"_s, omitEmpty(generationSeen)},
                             {u"updatedNumberScheduled"_s, omitEmpty(updated)},
                             {u"numberAvailable"_s, omitEmpty(available)},
                             {u"numberUnavailable"_s, omitEmpty(desired - available)}};
    bool changed = false;
    for (auto it = status.begin(); it != status.end(); ++it)
        changed |= old.value(it.key()) != (it->isNull() ? QJsonValue(QJsonValue::Undefined) : *it);
    if (!changed)
        return done();
    qCDebug(lcDaemonSets).noquote()
        << "status of" << keyOf(ds) << QJsonDocument(status).toJson(QJsonDocument::Compact);
    const QJsonObject patch{{u"status"_s, status}};
    m_api.patch(daemonSetsResource, nsOf(ds), nameOf(ds), client::PatchType::Merge,
                QJsonDocument(patch).toJson(QJsonDocument::Compact), u"status"_s, asController,
                guarded(this, [done](Reply r) {
                    if (!r && !r.error().isNotFound())
                        qCWarning(lcDaemonSets).noquote()
                            << "cannot update DaemonSet status:" << r.error().message;
                    done();
                }));
}

} // namespace timonel::controllers
