#include "nodelifecyclecontroller.h"

#include "core/taints.h"

#include "controllerutils.h"

#include "client/eventrecorder.h"
#include "client/informer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTimer>

#include <optional>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcNodeLifecycle, "timonel.controllers.nodelifecycle", QtInfoMsg)

namespace timonel::controllers {

namespace {

const client::Resource nodes{u""_s, u"v1"_s, u"nodes"_s};
const client::Resource leases{u"coordination.k8s.io"_s, u"v1"_s, u"leases"_s};
const client::Resource pods{u""_s, u"v1"_s, u"pods"_s};
const client::WriteQuery asController{u"kube-controller-manager"_s, false, false};
const QString leaseNamespace = u"kube-node-lease"_s;

const QString unreachable = u"node.kubernetes.io/unreachable"_s;
const QString notReady = u"node.kubernetes.io/not-ready"_s;
const QString unschedulable = u"node.kubernetes.io/unschedulable"_s;

// Which condition status puts which NoSchedule taint on a node.
struct ConditionTaint
{
    QString condition;
    QString status;
    QString taint;
};
const QList<ConditionTaint> conditionTaints{
    {u"Ready"_s, u"False"_s, notReady},
    {u"Ready"_s, u"Unknown"_s, unreachable},
    {u"MemoryPressure"_s, u"True"_s, u"node.kubernetes.io/memory-pressure"_s},
    {u"DiskPressure"_s, u"True"_s, u"node.kubernetes.io/disk-pressure"_s},
    {u"NetworkUnavailable"_s, u"True"_s, u"node.kubernetes.io/network-unavailable"_s},
    {u"PIDPressure"_s, u"True"_s, u"node.kubernetes.io/pid-pressure"_s},
};

// Kubernetes' unhealthyZoneThreshold and largeClusterThreshold: a small zone with this share
// of nodes unhealthy (and more than two) stops evicting.
constexpr double unhealthyZoneThreshold = 0.55;
constexpr int largeClusterThreshold = 50;

QJsonObject field(const QJsonObject &o, QStringView key)
{
    return o.value(key).toObject();
}

QString nameOf(const QJsonObject &o)
{
    return field(o, u"metadata").value(u"name").toString();
}

QString timestamp(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODate);
}

QJsonObject conditionOf(const QJsonObject &object, const QString &type)
{
    for (const QJsonValue &c : field(object, u"status").value(u"conditions").toArray())
        if (c.toObject().value(u"type").toString() == type)
            return c.toObject();
    return {};
}

QString zoneOf(const QJsonObject &node)
{
    const QJsonObject labels = field(field(node, u"metadata"), u"labels");
    return labels.value(u"topology.kubernetes.io/region").toString() + u":\x00:"_s +
           labels.value(u"topology.kubernetes.io/zone").toString();
}

// How long a pod may stay on a node with these NoExecute taints: nullopt when one is not
// tolerated at all (evict now), -1 when all are tolerated for ever, else the smallest
// tolerationSeconds among the tolerations used.
std::optional<qint64> tolerationSeconds(const QJsonArray &tolerations,
                                        const QList<QJsonObject> &taints)
{
    qint64 least = -1;
    for (const QJsonObject &taint : taints) {
        bool tolerated = false;
        for (const QJsonValue &t : tolerations) {
            if (!core::toleratesTaint(t.toObject(), taint))
                continue;
            tolerated = true;
            const QJsonValue seconds = t.toObject().value(u"tolerationSeconds");
            if (seconds.isUndefined())
                continue;
            const qint64 s = std::max<qint64>(0, seconds.toInteger());
            least = least < 0 ? s : std::min(least, s);
        }
        if (!tolerated)
            return std::nullopt;
    }
    return least;
}

bool ownedByDaemonSet(const QJsonObject &pod)
{
    for (const QJsonValue &ref : field(pod, u"metadata").value(u"ownerReferences").toArray())
        if (ref.toObject().value(u"controller").toBool() &&
            ref.toObject().value(u"kind").toString() == u"DaemonSet")
            return true;
    return false;
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

NodeLifecycleController::NodeLifecycleController(client::ApiClient &api,
                                                 NodeLifecycleControllerOptions options,
                                                 QObject *parent)
    : QObject(parent), m_api(api), m_options(std::move(options)), m_monitorTimer(new QTimer(this)),
      m_evictionTimer(new QTimer(this))
{
    m_monitorTimer->setSingleShot(true);
    m_evictionTimer->setSingleShot(true);
    connect(m_monitorTimer, &QTimer::timeout, this, &NodeLifecycleController::monitor);
    connect(m_evictionTimer, &QTimer::timeout, this, &NodeLifecycleController::processEvictions);
}

NodeLifecycleController::~NodeLifecycleController() = default;

QDateTime NodeLifecycleController::now() const
{
    return m_options.now ? m_options.now() : QDateTime::currentDateTimeUtc();
}

bool NodeLifecycleController::synced() const
{
    return m_nodes && m_nodes->hasSynced() && m_leases->hasSynced() && m_pods->hasSynced();
}

void NodeLifecycleController::start()
{
    m_nodeEvents = std::make_unique<client::EventRecorder>(m_api, u"node-controller"_s);
    m_evictionEvents =
        std::make_unique<client::EventRecorder>(m_api, u"taint-eviction-controller"_s);
    m_nodes = std::make_unique<client::Informer>(m_api, nodes);
    client::InformerOptions leaseOptions;
    leaseOptions.ns = leaseNamespace;
    m_leases = std::make_unique<client::Informer>(m_api, leases, leaseOptions);
    m_pods = std::make_unique<client::Informer>(m_api, pods);
    // Any change may make a node healthy or not, or a pod evictable: look again soon. Bursts
    // of events (a relist) make one pass.
    auto changed = [this] { scheduleMonitor(0ms); };
    for (client::Informer *informer : {m_nodes.get(), m_leases.get(), m_pods.get()}) {
        connect(informer, &client::Informer::added, this, changed);
        connect(informer, &client::Informer::updated, this, changed);
        connect(informer, &client::Informer::deleted, this, changed);
    }
    connect(m_nodes.get(), &client::Informer::deleted, this,
            [this](const QJsonObject &node) { forceDeletePods(nameOf(node)); });
    auto onSynced = [this] {
        if (!synced())
            return;
        // Pods bound to nodes that no longer exist (deleted while we were not watching).
        QSet<QString> orphanedOn;
        for (const QJsonObject &pod : m_pods->list()) {
            const QString node = field(pod, u"spec").value(u"nodeName").toString();
            if (!node.isEmpty() && m_nodes->get({}, node).isEmpty())
                orphanedOn.insert(node);
        }
        for (const QString &node : std::as_const(orphanedOn))
            m_api.get(nodes, {}, node, [this, node](client::Result<QJsonObject> r) {
                if (!r && r.error().isNotFound())
                    forceDeletePods(node);
            });
        scheduleMonitor(0ms);
    };
    for (client::Informer *informer : {m_nodes.get(), m_leases.get(), m_pods.get()}) {
        connect(informer, &client::Informer::synced, this, onSynced);
        informer->start();
    }
}

void NodeLifecycleController::stop()
{
    m_monitorTimer->stop();
    m_evictionTimer->stop();
    m_nodes.reset();
    m_leases.reset();
    m_pods.reset();
    m_nodeEvents.reset();
    m_evictionEvents.reset();
}

void NodeLifecycleController::scheduleMonitor(std::chrono::milliseconds delay)
{
    if (!m_nodes)
        return;
    const auto remaining = std::chrono::milliseconds(m_monitorTimer->remainingTime());
    if (m_monitorTimer->isActive() && remaining <= delay)
        return;
    m_monitorTimer->start(std::clamp<std::chrono::milliseconds>(delay, 0ms, 1h));
}

// One pass over every node: health from leases and heartbeats, conditions, taints, and the
// pods of unhealthy nodes. It sleeps until the next moment a node could become unhealthy.
void NodeLifecycleController::monitor()
{
    if (!synced())
        return;
    const QDateTime current = now();
    QDateTime deadline;
    auto wakeAt = [&deadline](const QDateTime &t) {
        if (!deadline.isValid() || t < deadline)
            deadline = t;
    };
    QHash<QString, QList<QJsonObject>> podsOn;
    for (const QJsonObject &pod : m_pods->list())
        if (const QString node = field(pod, u"spec").value(u"nodeName").toString(); !node.isEmpty())
            podsOn[node].append(pod);

    const QList<QJsonObject> all = m_nodes->list();
    QSet<QString> present;
    struct Seen
    {
        QJsonObject node;
        QString ready;
    };
    QList<Seen> seen;
    for (const QJsonObject &node : all) {
        const QString name = nameOf(node);
        present.insert(name);
        if (!m_health.contains(name))
            m_nodeEvents->event(node, u"Normal"_s, u"RegisteredNode"_s,
                                u"Node %1 event: Registered Node %1 in Controller"_s.arg(name));
        Health &h = m_health[name];
        const QJsonObject updated = updateHealth(node, h, &deadline);
        const QJsonObject ready = conditionOf(updated, u"Ready"_s);
        const QString status = ready.isEmpty() ? QString() : ready.value(u"status").toString();
        if (h.observedReady == u"True" && !status.isEmpty() && status != u"True")
            m_nodeEvents->event(node, u"Normal"_s, u"NodeNotReady"_s,
                                u"Node %1 status is now: NodeNotReady"_s.arg(name));
        h.observedReady = status;
        if (status == u"True" || status.isEmpty()) {
            h.unhealthySince = {};
        } else {
            if (!h.unhealthySince.isValid())
                h.unhealthySince = current;
            markPodsNotReady(name, podsOn.value(name));
        }
        seen.append({updated, status});
    }
    for (auto it = m_health.begin(); it != m_health.end();) {
        if (present.contains(it.key())) {
            ++it;
            continue;
        }
        const QJsonObject gone{{u"apiVersion"_s, u"v1"_s},
                               {u"kind"_s, u"Node"_s},
                               {u"metadata"_s, QJsonObject{{u"name"_s, it.key()}}}};
        m_nodeEvents->event(gone, u"Normal"_s, u"RemovingNode"_s,
                            u"Node %1 event: Removing Node %1 from Controller"_s.arg(it.key()));
        it = m_health.erase(it);
    }

    // Disruption: when a whole zone (or every zone) is unhealthy, the fault is more likely
    // ours than the nodes'; evicting everything would only make it worse.
    struct Zone
    {
        int ready = 0;
        int notReady = 0;
    };
    QHash<QString, Zone> zones;
    for (const Seen &s : std::as_const(seen)) {
        if (field(field(s.node, u"metadata"), u"labels")
                .contains(u"node.kubernetes.io/exclude-disruption"))
            continue;
        Zone &z = zones[zoneOf(s.node)];
        (s.ready == u"True" ? z.ready : z.notReady)++;
    }
    const bool allDisrupted =
        !zones.isEmpty() && std::all_of(zones.cbegin(), zones.cend(), [](const Zone &z) {
            return z.ready == 0 && z.notReady > 0;
        });
    for (const Seen &s : std::as_const(seen)) {
        const Zone z = zones.value(zoneOf(s.node));
        const int size = z.ready + z.notReady;
        const bool partial = z.notReady > 2 &&
                             double(z.notReady) / size >= unhealthyZoneThreshold &&
                             size <= largeClusterThreshold;
        const Health &h = m_health[nameOf(s.node)];
        NoExecute mode = allDisrupted ? NoExecute::Clear
                         : partial    ? NoExecute::Hold
                                      : NoExecute::Apply;
        if (mode == NoExecute::Apply && h.unhealthySince.isValid()) {
            const QDateTime due = h.unhealthySince.addMSecs(m_options.evictionDelay.count());
            if (due > current) {
                mode = NoExecute::Hold;
                wakeAt(due);
            }
        }
        reconcileTaints(s.node, s.ready, mode);
    }
    if (deadline.isValid())
        scheduleMonitor(
            std::chrono::milliseconds(std::max<qint64>(0, current.msecsTo(deadline)) + 1));
    processEvictions();
}

// Kubernetes' tryUpdateNodeHealth: the node agent is alive while its lease renewTime or Ready
// heartbeat keeps moving (judged by our own clock, so clock skew does not matter). Past the
// grace period its conditions become Unknown. Returns the node as it will be.
QJsonObject NodeLifecycleController::updateHealth(const QJsonObject &node, Health &h,
                                                  QDateTime *deadline)
{
    const QDateTime current = now();
    const QString name = nameOf(node);
    const QJsonObject ready = conditionOf(node, u"Ready"_s);
    const QString heartbeat = ready.value(u"lastHeartbeatTime").toString();
    const QDateTime renewed = QDateTime::fromString(
        field(m_leases->get(leaseNamespace, name), u"spec").value(u"renewTime").toString(),
        Qt::ISODateWithMs);
    if (!h.probe.isValid() || heartbeat != h.heartbeat ||
        (renewed.isValid() && (!h.lease.isValid() || renewed > h.lease)))
        h.probe = current;
    h.heartbeat = heartbeat;
    if (renewed.isValid())
        h.lease = renewed;
    const auto grace = ready.isEmpty() ? m_options.startupGracePeriod : m_options.gracePeriod;
    const QDateTime expires = h.probe.addMSecs(grace.count());
    if (current <= expires) {
        if (!deadline->isValid() || expires < *deadline)
            *deadline = expires;
        return node;
    }
    QJsonObject status = field(node, u"status");
    QJsonArray conditions = status.value(u"conditions").toArray();
    for (const QString &type :
         {u"Ready"_s, u"MemoryPressure"_s, u"DiskPressure"_s, u"PIDPressure"_s}) {
        qsizetype at = -1;
        for (qsizetype i = 0; i < conditions.size(); ++i)
            if (conditions[i].toObject().value(u"type").toString() == type)
                at = i;
        if (at < 0) {
            conditions.append(QJsonObject{
                {u"type"_s, type},
                {u"status"_s, u"Unknown"_s},
                {u"reason"_s, u"NodeStatusNeverUpdated"_s},
                {u"message"_s, u"Kubelet never posted node status."_s},
                {u"lastHeartbeatTime"_s, field(node, u"metadata").value(u"creationTimestamp")},
                {u"lastTransitionTime"_s, timestamp(current)}});
            continue;
        }
        QJsonObject c = conditions[at].toObject();
        if (c.value(u"status").toString() == u"Unknown")
            continue;
        c.insert(u"status"_s, u"Unknown"_s);
        c.insert(u"reason"_s, u"NodeStatusUnknown"_s);
        c.insert(u"message"_s, u"Kubelet stopped posting node status."_s);
        c.insert(u"lastTransitionTime"_s, timestamp(current));
        conditions[at] = c;
    }
    status.insert(u"conditions"_s, conditions);
    QJsonObject updated = node;
    updated.insert(u"status"_s, status);
    // Written only when Ready changes, as Kubernetes does.
    if (conditionOf(updated, u"Ready"_s) == ready || m_writing.contains(name))
        return updated;
    qCInfo(lcNodeLifecycle).noquote()
        << "node" << name << "stopped renewing its lease: marking it unknown";
    m_writing.insert(name);
    m_api.update(nodes, {}, updated, u"status"_s, asController,
                 [this, name](client::Result<QJsonObject> r) {
                     m_writing.remove(name);
                     if (!r && !r.error().isNotFound())
                         scheduleMonitor(1s);
                 });
    return updated;
}

// The NoSchedule taints follow the conditions (and spec.unschedulable); the NoExecute taint
// follows Ready: unreachable for Unknown, not-ready for False, none for True.
void NodeLifecycleController::reconcileTaints(const QJsonObject &node, const QString &ready,
                                              NoExecute noExecuteMode)
{
    const QString name = nameOf(node);
    if (m_writing.contains(name))
        return;
    QSet<QString> noSchedule;
    for (const ConditionTaint &ct : conditionTaints)
        if (conditionOf(node, ct.condition).value(u"status").toString() == ct.status)
            noSchedule.insert(ct.taint);
    if (field(node, u"spec").value(u"unschedulable").toBool())
        noSchedule.insert(unschedulable);
    QSet<QString> managedNoSchedule{unschedulable};
    for (const ConditionTaint &ct : conditionTaints)
        managedNoSchedule.insert(ct.taint);

    const QJsonArray taints = field(node, u"spec").value(u"taints").toArray();
    auto has = [&taints](const QString &key, const QString &effect) {
        return std::any_of(taints.begin(), taints.end(), [&](const QJsonValue &t) {
            return t.toObject().value(u"key").toString() == key &&
                   t.toObject().value(u"effect").toString() == effect;
        });
    };
    // Held back (a small zone mostly down, or the eviction delay): no new NoExecute taint,
    // the present ones stay. Cleared: every node is down, none gets one.
    QSet<QString> noExecute;
    const QString wanted = ready == u"Unknown" ? unreachable
                           : ready == u"False" ? notReady
                                               : QString();
    if (noExecuteMode == NoExecute::Apply && !wanted.isEmpty())
        noExecute.insert(wanted);
    // Held, a node already evicting swaps to the taint that matches its Ready status, as
    // Kubernetes does at once.
    if (noExecuteMode == NoExecute::Hold && !wanted.isEmpty() &&
        (has(unreachable, u"NoExecute"_s) || has(notReady, u"NoExecute"_s)))
        noExecute.insert(wanted);

    QJsonArray result;
    bool changed = false;
    for (const QJsonValue &t : taints) {
        const QString key = t.toObject().value(u"key").toString();
        const QString effect = t.toObject().value(u"effect").toString();
        const bool managed = (effect == u"NoSchedule" && managedNoSchedule.contains(key)) ||
                             (effect == u"NoExecute" && (key == unreachable || key == notReady));
        const bool keep = !managed || (effect == u"NoSchedule" ? noSchedule.contains(key)
                                                               : noExecute.contains(key));
        if (keep)
            result.append(t);
        changed = changed || !keep;
    }
    const QString added = timestamp(now());
    for (const auto &[keys, effect] :
         {std::pair{noSchedule, u"NoSchedule"_s}, std::pair{noExecute, u"NoExecute"_s}})
        for (const QString &key : keys)
            if (!has(key, effect)) {
                result.append(
                    QJsonObject{{u"key"_s, key}, {u"effect"_s, effect}, {u"timeAdded"_s, added}});
                changed = true;
            }
    if (!changed)
        return;
    QJsonObject updated = node;
    QJsonObject spec = field(node, u"spec");
    if (result.isEmpty())
        spec.remove(u"taints"_s);
    else
        spec.insert(u"taints"_s, result);
    updated.insert(u"spec"_s, spec);
    m_writing.insert(name);
    m_api.update(nodes, {}, updated, {}, asController, [this, name](client::Result<QJsonObject> r) {
        m_writing.remove(name);
        if (!r && !r.error().isNotFound())
            scheduleMonitor(1s); // a conflict: look again with the newer node
    });
}

// Kubernetes' MarkPodsNotReady: the node agent cannot say so any more, so the controller does.
void NodeLifecycleController::markPodsNotReady(const QString &nodeName,
                                               const QList<QJsonObject> &list)
{
    for (const QJsonObject &pod : list) {
        const QString key = keyOf(pod);
        if (!isPodReady(pod) || m_markingNotReady.contains(key))
            continue;
        m_markingNotReady.insert(key);
        const QJsonObject patch{
            {u"status"_s,
             QJsonObject{{u"conditions"_s,
                          QJsonArray{QJsonObject{{u"type"_s, u"Ready"_s},
                                                 {u"status"_s, u"False"_s},
                                                 {u"lastTransitionTime"_s, timestamp(now())}}}}}}};
        const QJsonObject meta = field(pod, u"metadata");
        m_api.patch(pods, meta.value(u"namespace").toString(), meta.value(u"name").toString(),
                    client::PatchType::StrategicMerge, compact(patch), u"status"_s, asController,
                    [this, key, nodeName](client::Result<QJsonObject> r) {
                        m_markingNotReady.remove(key);
                        if (r)
                            m_nodeEvents->event(*r, u"Warning"_s, u"NodeNotReady"_s,
                                                u"Node is not ready"_s);
                        else if (!r.error().isNotFound())
                            qCDebug(lcNodeLifecycle).noquote()
                                << "cannot mark pod" << key << "not ready on" << nodeName
                                << r.error().message;
                    });
    }
}

// The taint-eviction controller: pods on nodes with NoExecute taints they do not tolerate go
// now; tolerated for a while, they go when that time is up; tolerated for ever, they stay.
void NodeLifecycleController::processEvictions()
{
    if (!synced())
        return;
    const QDateTime current = now();
    QHash<QString, QList<QJsonObject>> noExecuteOn;
    for (const QJsonObject &node : m_nodes->list())
        for (const QJsonValue &t : field(node, u"spec").value(u"taints").toArray())
            if (t.toObject().value(u"effect").toString() == u"NoExecute")
                noExecuteOn[nameOf(node)].append(t.toObject());
    QSet<QString> stillScheduled;
    QList<QJsonObject> due;
    QDateTime next;
    for (const QJsonObject &pod : m_pods->list()) {
        const QString node = field(pod, u"spec").value(u"nodeName").toString();
        const QString key = keyOf(pod);
        if (node.isEmpty() || !noExecuteOn.contains(node) || isBeingDeleted(pod) ||
            m_evicting.contains(key))
            continue;
        QList<QJsonObject> taints = noExecuteOn.value(node);
        // DaemonSet pods belong on their node, reachable or not.
        if (ownedByDaemonSet(pod))
            taints.removeIf([](const QJsonObject &t) {
                const QString k = t.value(u"key").toString();
                return k == unreachable || k == notReady;
            });
        if (taints.isEmpty())
            continue;
        const auto seconds =
            tolerationSeconds(field(pod, u"spec").value(u"tolerations").toArray(), taints);
        if (seconds && *seconds < 0)
            continue;
        Eviction &e = m_evictions[key];
        if (!e.since.isValid())
            e.since = current;
        e.at = seconds ? e.since.addSecs(*seconds) : current;
        stillScheduled.insert(key);
        if (e.at <= current)
            due.append(pod);
        else if (!next.isValid() || e.at < next)
            next = e.at;
    }
    for (auto it = m_evictions.begin(); it != m_evictions.end();) {
        if (stillScheduled.contains(it.key())) {
            ++it;
            continue;
        }
        const qsizetype slash = it.key().indexOf(u'/');
        const QJsonObject pod = m_pods->get(it.key().left(slash), it.key().mid(slash + 1));
        if (!pod.isEmpty() && !isBeingDeleted(pod) && !m_evicting.contains(it.key()))
            m_evictionEvents->event(pod, u"Normal"_s, u"TaintManagerEviction"_s,
                                    u"Cancelling deletion of Pod "_s + it.key());
        it = m_evictions.erase(it);
    }
    for (const QJsonObject &pod : std::as_const(due))
        evict(pod);
    if (next.isValid())
        m_evictionTimer->start(
            std::chrono::milliseconds(std::max<qint64>(0, current.msecsTo(next)) + 1));
    else
        m_evictionTimer->stop();
}

void NodeLifecycleController::evict(const QJsonObject &pod)
{
    const QString key = keyOf(pod);
    const QJsonObject meta = field(pod, u"metadata");
    const QString ns = meta.value(u"namespace").toString();
    const QString name = meta.value(u"name").toString();
    m_evictions.remove(key);
    m_evicting.insert(key);
    m_evictionEvents->event(pod, u"Normal"_s, u"TaintManagerEviction"_s,
                            u"Marking for deletion Pod "_s + key);
    auto remove = [this, key, ns, name] {
        m_api.remove(pods, ns, name, {}, [this, key](client::Result<QJsonObject> r) {
            m_evicting.remove(key);
            if (!r && !r.error().isNotFound())
                qCWarning(lcNodeLifecycle).noquote()
                    << "cannot evict pod" << key << r.error().message;
        });
    };
    if (conditionOf(pod, u"DisruptionTarget"_s).value(u"status").toString() == u"True")
        return remove();
    const QJsonObject patch{
        {u"status"_s,
         QJsonObject{{u"conditions"_s,
                      QJsonArray{QJsonObject{
                          {u"type"_s, u"DisruptionTarget"_s},
                          {u"status"_s, u"True"_s},
                          {u"reason"_s, u"DeletionByTaintManager"_s},
                          {u"message"_s, u"Taint manager: deleting due to NoExecute taint"_s},
                          {u"lastTransitionTime"_s, timestamp(now())}}}}}}};
    m_api.patch(pods, ns, name, client::PatchType::StrategicMerge, compact(patch), u"status"_s,
                asController, [this, key, remove](client::Result<QJsonObject> r) {
                    if (!r && r.error().isNotFound())
                        return void(m_evicting.remove(key));
                    remove();
                });
}

// The pod garbage collector's orphan rule: with its Node gone no node agent will ever stop a
// pod, so it is marked Failed and deleted at once.
void NodeLifecycleController::forceDeletePods(const QString &nodeName)
{
    if (!m_pods)
        return;
    for (const QJsonObject &pod : m_pods->list()) {
        if (field(pod, u"spec").value(u"nodeName").toString() != nodeName)
            continue;
        const QJsonObject meta = field(pod, u"metadata");
        const QString ns = meta.value(u"namespace").toString();
        const QString name = meta.value(u"name").toString();
        auto remove = [this, ns, name] {
            client::DeleteQuery query;
            query.gracePeriodSeconds = 0;
            m_api.remove(pods, ns, name, query, [](client::Result<QJsonObject>) {});
        };
        const QString phase = field(pod, u"status").value(u"phase").toString();
        if (phase == u"Succeeded" || phase == u"Failed") {
            remove();
            continue;
        }
        const QJsonObject patch{
            {u"status"_s,
             QJsonObject{{u"phase"_s, u"Failed"_s},
                         {u"conditions"_s,
                          QJsonArray{QJsonObject{{u"type"_s, u"DisruptionTarget"_s},
                                                 {u"status"_s, u"True"_s},
                                                 {u"reason"_s, u"DeletionByPodGC"_s},
                                                 {u"message"_s, u"PodGC: node no longer exists"_s},
                                                 {u"lastTransitionTime"_s, timestamp(now())}}}}}}};
        m_api.patch(pods, ns, name, client::PatchType::StrategicMerge, compact(patch), u"status"_s,
                    asController, [remove](client::Result<QJsonObject>) { remove(); });
    }
}

} // namespace timonel::controllers
