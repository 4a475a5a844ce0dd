#include "scheduler.h"

#include "client/eventrecorder.h"
#include "client/informer.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcScheduler, "timonel.scheduler", QtInfoMsg)

namespace timonel::scheduler {

namespace {

const client::Resource podsResource{QString(), u"v1"_s, u"pods"_s};
const client::Resource nodesResource{QString(), u"v1"_s, u"nodes"_s};
const client::Resource servicesResource{QString(), u"v1"_s, u"services"_s};
const client::Resource namespacesResource{QString(), u"v1"_s, u"namespaces"_s};
const client::Resource claimsResource{QString(), u"v1"_s, u"persistentvolumeclaims"_s};
const client::Resource volumesResource{QString(), u"v1"_s, u"persistentvolumes"_s};
const client::Resource classesResource{u"storage.k8s.io"_s, u"v1"_s, u"storageclasses"_s};
const client::WriteQuery asScheduler{u"kube-scheduler"_s, false, false};

// Events notes are cut at 1024 characters, as the events API limits them.
constexpr qsizetype noteLengthLimit = 1024;
// How long one turn of the event loop may spend placing pods before it lets others run.
constexpr qint64 batchBudgetMs = 20;

QJsonObject metaOf(const QJsonObject &o)
{
    return o.value(u"metadata").toObject();
}

QJsonObject specOf(const QJsonObject &o)
{
    return o.value(u"spec").toObject();
}

QString keyOf(const QJsonObject &pod)
{
    const QJsonObject meta = metaOf(pod);
    return meta.value(u"namespace").toString() + u'/' + meta.value(u"name").toString();
}

QString nodeNameOf(const QJsonObject &pod)
{
    return specOf(pod).value(u"nodeName").toString();
}

bool terminal(const QJsonObject &pod)
{
    const QString phase = pod.value(u"status").toObject().value(u"phase").toString();
    return phase == u"Succeeded" || phase == u"Failed";
}

// The caches keep what scheduling reads: managedFields and image lists are dead weight.
QJsonObject trimmed(const QJsonObject &object)
{
    QJsonObject o = object;
    QJsonObject meta = metaOf(o);
    meta.remove(u"managedFields"_s);
    o.insert(u"metadata"_s, meta);
    if (o.value(u"kind").toString() == u"Node") {
        QJsonObject status = o.value(u"status").toObject();
        status.remove(u"images"_s);
        o.insert(u"status"_s, status);
    }
    return o;
}

// What a user may change on a pending pod that could make it fit: anything but its status.
QJsonObject schedulingRelevant(const QJsonObject &pod)
{
    QJsonObject o = pod;
    o.remove(u"status"_s);
    QJsonObject meta = metaOf(o);
    meta.remove(u"resourceVersion"_s);
    meta.remove(u"managedFields"_s);
    o.insert(u"metadata"_s, meta);
    return o;
}

QString readyStatus(const QJsonObject &node)
{
    for (const QJsonValue &c : node.value(u"status").toObject().value(u"conditions").toArray())
        if (c.toObject().value(u"type").toString() == u"Ready")
            return c.toObject().value(u"status").toString();
    return {};
}

// Whether a node change can turn a pod's "no" into "yes": not the heartbeat of its status.
bool nodeChangeMatters(const QJsonObject &before, const QJsonObject &after)
{
    if (before.isEmpty())
        return true;
    return metaOf(before).value(u"labels") != metaOf(after).value(u"labels")
           || specOf(before).value(u"taints") != specOf(after).value(u"taints")
           || specOf(before).value(u"unschedulable") != specOf(after).value(u"unschedulable")
           || before.value(u"status").toObject().value(u"allocatable")
                  != after.value(u"status").toObject().value(u"allocatable")
           || readyStatus(before) != readyStatus(after);
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString truncatedNote(const QString &message)
{
    if (message.size() <= noteLengthLimit)
        return message;
    return message.left(noteLengthLimit - 4) + u" ..."_s;
}

} // namespace

Scheduler::Scheduler(client::ApiClient &api, SchedulerOptions options, QObject *parent)
    : QObject(parent), m_api(api), m_options(std::move(options)),
      m_backoffTimer(new QTimer(this)), m_retryTimer(new QTimer(this)),
      m_volumeTimer(new QTimer(this))
{
    client::InformerOptions informerOptions;
    informerOptions.transform = trimmed;
    m_nodes = std::make_unique<client::Informer>(api, nodesResource, informerOptions);
    m_pods = std::make_unique<client::Informer>(api, podsResource, informerOptions);
    m_services = std::make_unique<client::Informer>(api, servicesResource, informerOptions);
    m_namespaces = std::make_unique<client::Informer>(api, namespacesResource, informerOptions);
    m_claims = std::make_unique<client::Informer>(api, claimsResource, informerOptions);
    m_volumes = std::make_unique<client::Informer>(api, volumesResource, informerOptions);
    m_classes = std::make_unique<client::Informer>(api, classesResource, informerOptions);
    m_volumeListers.claim = [this](const QString &ns, const QString &name) {
        return m_claims->get(ns, name);
    };
    m_volumeListers.volume = [this](const QString &name) { return m_volumes->get({}, name); };
    m_volumeListers.storageClass = [this](const QString &name) { return m_classes->get({}, name); };
    m_volumeListers.volumes = [this] { return m_volumes->list(); };
    m_events = std::make_unique<client::EventRecorder>(api, m_options.schedulerName);

    connect(m_pods.get(), &client::Informer::added, this, &Scheduler::onPodAdded);
    connect(m_pods.get(), &client::Informer::updated, this, &Scheduler::onPodUpdated);
    connect(m_pods.get(), &client::Informer::deleted, this, &Scheduler::onPodDeleted);
    connect(m_nodes.get(), &client::Informer::added, this,
            [this](const QJsonObject &node) { onNodeChanged({}, node); });
    connect(m_nodes.get(), &client::Informer::updated, this, &Scheduler::onNodeChanged);
    connect(m_nodes.get(), &client::Informer::deleted, this, [this] { m_snapshotDirty = true; });
    for (client::Informer *informer : {m_services.get(), m_namespaces.get()}) {
        connect(informer, &client::Informer::added, this, [this] { m_snapshotDirty = true; });
        connect(informer, &client::Informer::updated, this, [this] { m_snapshotDirty = true; });
        connect(informer, &client::Informer::deleted, this, [this] { m_snapshotDirty = true; });
    }
    for (client::Informer *informer : {m_claims.get(), m_volumes.get(), m_classes.get()}) {
        connect(informer, &client::Informer::added, this, &Scheduler::onStorageChanged);
        connect(informer, &client::Informer::updated, this, &Scheduler::onStorageChanged);
        connect(informer, &client::Informer::deleted, this, &Scheduler::onStorageChanged);
    }
    for (client::Informer *informer : informers())
        connect(informer, &client::Informer::synced, this, &Scheduler::onSynced);

    m_backoffTimer->setSingleShot(true);
    connect(m_backoffTimer, &QTimer::timeout, this, &Scheduler::onBackoffTimer);
    connect(m_retryTimer, &QTimer::timeout, this, &Scheduler::moveAllToActive);
    connect(m_volumeTimer, &QTimer::timeout, this, &Scheduler::checkVolumeWaits);
}

Scheduler::~Scheduler() = default;

void Scheduler::start()
{
    if (m_running)
        return;
    m_running = true;
    for (client::Informer *informer : informers())
        informer->start();
    m_retryTimer->start(m_options.unschedulableRetry);
    if (synced())
        onSynced();
}

void Scheduler::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_started = false;
    for (client::Informer *informer : informers())
        informer->stop();
    m_retryTimer->stop();
    m_backoffTimer->stop();
    m_volumeTimer->stop();
}

QList<client::Informer *> Scheduler::informers() const
{
    return {m_nodes.get(),   m_pods.get(),    m_services.get(), m_namespaces.get(),
            m_claims.get(),  m_volumes.get(), m_classes.get()};
}

bool Scheduler::synced() const
{
    const QList<client::Informer *> all = informers();
    return std::all_of(all.begin(), all.end(), [](client::Informer *i) { return i->hasSynced(); });
}

void Scheduler::onSynced()
{
    if (!m_running || m_started || !synced())
        return;
    m_started = true;
    qCDebug(lcScheduler) << "caches synced:" << m_nodes->size() << "nodes," << m_pods->size()
                         << "pods";
    scheduleSoon();
}

bool Scheduler::isOurs(const QJsonObject &pod) const
{
    const QString name = specOf(pod).value(u"schedulerName").toString();
    if (name.isEmpty())
        return m_options.schedulerName == u"default-scheduler";
    return name == m_options.schedulerName;
}

void Scheduler::trackAssigned(const QJsonObject &pod)
{
    const QString key = keyOf(pod);
    m_assumed.remove(key);
    m_waiting.remove(key);
    m_volumeWaits.remove(key);
    if (terminal(pod))
        m_assigned.remove(key);
    else
        m_assigned.insert(key, PodInfo::from(pod));
    m_snapshotDirty = true;
}

void Scheduler::forgetAssigned(const QString &key)
{
    const bool known = m_assigned.remove(key) + m_assumed.remove(key) > 0;
    if (known)
        m_snapshotDirty = true;
}

void Scheduler::onPodAdded(const QJsonObject &pod)
{
    if (!nodeNameOf(pod).isEmpty()) {
        trackAssigned(pod);
        moveAllToActive(); // it may be what a pod's affinity waits for
        return;
    }
    enqueue(keyOf(pod));
}

void Scheduler::onPodUpdated(const QJsonObject &oldPod, const QJsonObject &pod)
{
    const QString key = keyOf(pod);
    if (!nodeNameOf(pod).isEmpty()) {
        // Bound by someone else, its labels changed, or it finished: others may fit now.
        const bool seenBefore = !nodeNameOf(oldPod).isEmpty() || m_assumed.contains(key);
        const bool matters = !seenBefore || terminal(pod) != terminal(oldPod)
                             || metaOf(pod).value(u"labels") != metaOf(oldPod).value(u"labels");
        trackAssigned(pod);
        if (matters)
            moveAllToActive();
        return;
    }
    if (m_waiting.contains(key)) {
        // Our own status write comes back as an update: only a change of the pod itself
        // (tolerations, gates removed...) deserves another try before the back-off ends.
        if (schedulingRelevant(oldPod) == schedulingRelevant(pod))
            return;
        m_waiting.remove(key);
    }
    enqueue(key);
}

void Scheduler::onPodDeleted(const QJsonObject &pod)
{
    const QString key = keyOf(pod);
    const bool wasPlaced = m_assigned.contains(key) || m_assumed.contains(key);
    m_waiting.remove(key);
    m_attempts.remove(key);
    m_volumeWaits.remove(key);
    forgetAssigned(key);
    if (wasPlaced)
        moveAllToActive();
}

void Scheduler::onNodeChanged(const QJsonObject &oldNode, const QJsonObject &node)
{
    if (!nodeChangeMatters(oldNode, node))
        return;
    m_snapshotDirty = true;
    moveAllToActive();
}

void Scheduler::enqueue(const QString &key)
{
    if (m_queued.contains(key) || m_assumed.contains(key))
        return;
    m_queued.insert(key);
    m_active.push_back(key);
    scheduleSoon();
}

void Scheduler::scheduleSoon()
{
    if (!m_started || m_processScheduled || m_active.empty())
        return;
    m_processScheduled = true;
    QTimer::singleShot(0, this, &Scheduler::processQueue);
}

void Scheduler::processQueue()
{
    m_processScheduled = false;
    if (!m_started)
        return;
    QElapsedTimer elapsed;
    elapsed.start();
    while (!m_active.empty() && elapsed.elapsed() < batchBudgetMs) {
        const QString key = m_active.front();
        m_active.pop_front();
        m_queued.remove(key);
        scheduleOne(key);
    }
    scheduleSoon();
}

const Snapshot &Scheduler::snapshot()
{
    if (!m_snapshotDirty)
        return m_snapshot;
    Snapshot s;
    QList<QJsonObject> nodes = m_nodes->list();
    std::sort(nodes.begin(), nodes.end(), [](const QJsonObject &a, const QJsonObject &b) {
        return metaOf(a).value(u"name").toString() < metaOf(b).value(u"name").toString();
    });
    QHash<QString, qsizetype> index;
    for (const QJsonObject &node : std::as_const(nodes)) {
        index.insert(metaOf(node).value(u"name").toString(), s.nodes.size());
        s.nodes.append(NodeInfo::fromNode(node));
    }
    for (const QHash<QString, PodInfo> *pods : {&m_assigned, &m_assumed})
        for (const PodInfo &p : *pods)
            if (const auto it = index.constFind(p.nodeName); it != index.constEnd())
                s.nodes[*it].addPod(p);
    for (const QJsonObject &ns : m_namespaces->list())
        s.namespaceLabels.insert(metaOf(ns).value(u"name").toString(),
                                 metaOf(ns).value(u"labels").toObject());
    s.services = m_services->list();
    s.volumes = m_volumeListers;
    m_snapshot = std::move(s);
    m_snapshotDirty = false;
    return m_snapshot;
}

void Scheduler::scheduleOne(const QString &key)
{
    const qsizetype slash = key.indexOf(u'/');
    const QJsonObject pod = m_pods->get(key.left(slash), key.mid(slash + 1));
    // Only pods still waiting for a node, that are ours and may be scheduled.
    if (pod.isEmpty() || !nodeNameOf(pod).isEmpty() || !isOurs(pod) || m_assumed.contains(key)
        || metaOf(pod).contains(u"deletionTimestamp")
        || !specOf(pod).value(u"schedulingGates").toArray().isEmpty())
        return;

    const ScheduleResult result = schedulePod(pod, snapshot(), m_tieBreak);
    if (result.node.isEmpty()) {
        qCDebug(lcScheduler) << "cannot place" << key << "-" << result.message;
        failed(pod, u"Unschedulable"_s, result.message);
        backOff(key, false);
        return;
    }
    // Assume: the pod counts on its node from now on, before the binding is seen.
    QJsonObject placed = pod;
    QJsonObject spec = specOf(placed);
    spec.insert(u"nodeName"_s, result.node);
    placed.insert(u"spec"_s, spec);
    const PodInfo info = PodInfo::from(placed);
    m_assumed.insert(key, info);
    if (!m_snapshotDirty) {
        for (NodeInfo &node : m_snapshot.nodes)
            if (node.name == result.node)
                node.addPod(info);
    }
    preBind(pod, result.node);
}

void Scheduler::bind(const QJsonObject &pod, const QString &node)
{
    const QJsonObject meta = metaOf(pod);
    const QString ns = meta.value(u"namespace").toString();
    const QString name = meta.value(u"name").toString();
    const QString key = keyOf(pod);
    const QJsonObject binding{
        {u"apiVersion"_s, u"v1"_s},
        {u"kind"_s, u"Binding"_s},
        {u"metadata"_s,
         QJsonObject{{u"name"_s, name}, {u"namespace"_s, ns}, {u"uid"_s, meta.value(u"uid")}}},
        {u"target"_s,
         QJsonObject{{u"apiVersion"_s, u"v1"_s}, {u"kind"_s, u"Node"_s}, {u"name"_s, node}}}};
    m_api.createSubresource(
        podsResource, ns, name, u"binding"_s, binding, {},
        [self = QPointer<Scheduler>(this), pod, node, ns, name,
         key](client::Result<QJsonObject> r) {
            if (!self)
                return;
            if (r) {
                self->m_attempts.remove(key);
                self->m_events->event(pod, u"Normal"_s, u"Scheduled"_s,
                                      u"Successfully assigned %1/%2 to %3"_s.arg(ns, name, node));
                Q_EMIT self->podScheduled(ns, name, node);
                return;
            }
            // Forget the assumption; the pod is tried again unless it is gone or placed.
            self->unassume(key);
            qCInfo(lcScheduler) << "binding" << key << "to" << node
                                << "failed:" << r.error().message;
            if (r.error().isNotFound())
                return;
            const QJsonObject current = self->m_pods->get(ns, name);
            if (current.isEmpty() || !nodeNameOf(current).isEmpty())
                return;
            if (!r.error().isConflict())
                self->failed(current, u"SchedulerError"_s,
                             u"binding rejected: "_s + r.error().message);
            self->backOff(key, true);
        });
}

void Scheduler::failed(const QJsonObject &pod, const QString &reason, const QString &message)
{
    const QJsonObject meta = metaOf(pod);
    const QString ns = meta.value(u"namespace").toString();
    const QString name = meta.value(u"name").toString();
    m_events->event(pod, u"Warning"_s, u"FailedScheduling"_s, truncatedNote(message));
    Q_EMIT podUnschedulable(ns, name, message);

    // PodScheduled=False, written only when it says something new; its transition time stays
    // while it stays False.
    QJsonObject previous;
    for (const QJsonValue &c : pod.value(u"status").toObject().value(u"conditions").toArray())
        if (c.toObject().value(u"type").toString() == u"PodScheduled")
            previous = c.toObject();
    if (previous.value(u"status").toString() == u"False"
        && previous.value(u"reason").toString() == reason
        && previous.value(u"message").toString() == message)
        return;
    const QString since = previous.value(u"status").toString() == u"False"
                              ? previous.value(u"lastTransitionTime").toString()
                              : QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    const QJsonObject condition{{u"type"_s, u"PodScheduled"_s},
                                {u"status"_s, u"False"_s},
                                {u"lastTransitionTime"_s, since},
                                {u"reason"_s, reason},
                                {u"message"_s, message}};
    const QJsonObject patch{
        {u"status"_s, QJsonObject{{u"conditions"_s, QJsonArray{condition}}}}};
    m_api.patch(podsResource, ns, name, client::PatchType::StrategicMerge,
                QJsonDocument(patch).toJson(QJsonDocument::Compact), u"status"_s, asScheduler,
                [ns, name](client::Result<QJsonObject> r) {
                    if (!r && !r.error().isNotFound())
                        qCInfo(lcScheduler) << "cannot update the PodScheduled condition of"
                                            << ns + u'/' + name << "-" << r.error().message;
                });
}

void Scheduler::backOff(const QString &key, bool retryAnyway)
{
    const int attempts = ++m_attempts[key];
    const qint64 base = m_options.initialBackoff.count();
    const qint64 delay =
        std::min<qint64>(m_options.maxBackoff.count(), base << std::min(attempts - 1, 20));
    Waiting &w = m_waiting[key];
    w.readyAtMs = nowMs() + delay;
    w.moveRequested = w.moveRequested || retryAnyway;
    armBackoffTimer();
}

void Scheduler::moveAllToActive()
{
    const qint64 now = nowMs();
    for (auto it = m_waiting.begin(); it != m_waiting.end();) {
        if (it->readyAtMs <= now) {
            const QString key = it.key();
            it = m_waiting.erase(it);
            enqueue(key);
        } else {
            it->moveRequested = true;
            ++it;
        }
    }
    armBackoffTimer();
}

void Scheduler::armBackoffTimer()
{
    qint64 earliest = -1;
    for (const Waiting &w : std::as_const(m_waiting))
        if (w.moveRequested && (earliest < 0 || w.readyAtMs < earliest))
            earliest = w.readyAtMs;
    if (earliest < 0 || !m_running) {
        m_backoffTimer->stop();
        return;
    }
    m_backoffTimer->start(int(std::max<qint64>(0, earliest - nowMs())));
}

void Scheduler::onBackoffTimer()
{
    const qint64 now = nowMs();
    for (auto it = m_waiting.begin(); it != m_waiting.end();) {
        if (it->moveRequested && it->readyAtMs <= now) {
            const QString key = it.key();
            it = m_waiting.erase(it);
            enqueue(key);
        } else {
            ++it;
        }
    }
    armBackoffTimer();
}

} // namespace timonel::scheduler
