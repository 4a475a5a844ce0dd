#include "statefulsetcontroller.h"
#include "statefulsetcontroller_p.h"

#include "client/eventrecorder.h"
#include "client/informer.h"
#include "client/workqueue.h"
#include "controllers/controllerrefmanager.h"
#include "controllers/controllerutils.h"
#include "core/labelselector.h"

#include <QJsonDocument>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace timonel::controllers {

using namespace statefulset;

namespace {

// How long a write of ours stands in for the informer's view of a pod that has not caught up.
constexpr qint64 writeMemorySeconds = 30;

} // namespace

StatefulSetController::StatefulSetController(client::ApiClient &api, QObject *parent)
    : QObject(parent), m_api(api),
      m_events(new client::EventRecorder(api, u"statefulset-controller"_s, {}, this))
{
    client::InformerOptions setOptions;
    setOptions.resyncPeriod = 30s; // a last look at every set, as a level-triggered loop wants
    m_sets = new client::Informer(m_api, statefulSetsResource, setOptions, this);
    m_pods = new client::Informer(m_api, podsResource, {}, this);
    m_claims = new client::Informer(m_api, claimsResource, {}, this);
    m_revisions = new client::Informer(m_api, revisionsResource, {}, this);

    connect(m_sets, &client::Informer::added, this, &StatefulSetController::enqueue);
    connect(m_sets, &client::Informer::updated, this,
            [this](const QJsonObject &, const QJsonObject &set) { enqueue(set); });
    connect(m_pods, &client::Informer::added, this, &StatefulSetController::onPod);
    connect(m_pods, &client::Informer::updated, this,
            [this](const QJsonObject &, const QJsonObject &pod) { onPod(pod); });
    connect(m_pods, &client::Informer::deleted, this, [this](const QJsonObject &pod) {
        m_written.remove(keyOf(pod));
        enqueueForPod(pod);
    });
    // A stale claim of a scaled-down pod going away lets that ordinal come back.
    connect(m_claims, &client::Informer::deleted, this, &StatefulSetController::enqueueNamespace);
    for (auto signal : {&client::Informer::added, &client::Informer::deleted})
        connect(m_revisions, signal, this, &StatefulSetController::enqueueNamespace);
    for (client::Informer *informer : {m_sets, m_pods, m_claims, m_revisions})
        connect(informer, &client::Informer::synced, this, [this] {
            if (synced())
                for (const QJsonObject &set : m_sets->list())
                    enqueue(set);
        });
}

StatefulSetController::~StatefulSetController() = default;

void StatefulSetController::start()
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
    for (client::Informer *informer : {m_sets, m_pods, m_claims, m_revisions})
        informer->start();
}

void StatefulSetController::stop()
{
    if (!m_queue)
        return;
    // Passes under way finish their writes; nothing new starts.
    m_queue->shutDown();
    m_queue->deleteLater();
    m_queue = nullptr;
    for (client::Informer *informer : {m_sets, m_pods, m_claims, m_revisions})
        informer->stop();
    m_written.clear();
}

bool StatefulSetController::synced() const
{
    return m_sets->hasSynced() && m_pods->hasSynced() && m_claims->hasSynced()
           && m_revisions->hasSynced();
}

void StatefulSetController::enqueue(const QJsonObject &set)
{
    if (m_queue)
        m_queue->add(keyOf(set));
}

void StatefulSetController::onPod(const QJsonObject &pod)
{
    const auto it = m_written.constFind(keyOf(pod));
    if (it != m_written.cend() && resourceVersionOf(pod) >= resourceVersionOf(it->pod))
        m_written.erase(it);
    enqueueForPod(pod);
}

void StatefulSetController::enqueueForPod(const QJsonObject &pod)
{
    for (const QJsonValue &v : metaOf(pod).value(u"ownerReferences").toArray()) {
        const QJsonObject ref = v.toObject();
        if (ref.value(u"controller").toBool()) {
            if (ref.value(u"kind").toString() == u"StatefulSet" && m_queue)
                m_queue->add(nsOf(pod) + u'/' + ref.value(u"name").toString());
            return;
        }
    }
    // An orphan: the sets that could adopt it take a look.
    for (const QJsonObject &set : m_sets->list()) {
        const auto selector =
            core::LabelSelector::fromJson(specOf(set).value(u"selector").toObject());
        if (nsOf(set) == nsOf(pod) && selector && !selector->isEmpty()
            && selector->matches(labelsOf(pod)))
            enqueue(set);
    }
}

void StatefulSetController::enqueueNamespace(const QJsonObject &object)
{
    for (const QJsonObject &set : m_sets->list())
        if (nsOf(set) == nsOf(object))
            enqueue(set);
}

void StatefulSetController::remember(const QJsonObject &pod, bool gone)
{
    m_written.insert(keyOf(pod), {pod, gone, QDateTime::currentDateTimeUtc()});
}

QList<QJsonObject> StatefulSetController::memberPods(const QJsonObject &set)
{
    QHash<QString, QJsonObject> byKey;
    for (const QJsonObject &pod : m_pods->list())
        if (nsOf(pod) == nsOf(set))
            byKey.insert(keyOf(pod), pod);
    // Our own writes stand in for a cache that has not seen them yet, so that a pass right
    // after another neither creates a pod twice nor deletes one twice.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (auto it = m_written.begin(); it != m_written.end();) {
        if (it->at.secsTo(now) > writeMemorySeconds) {
            it = m_written.erase(it);
            continue;
        }
        if (nsOf(it->pod) == nsOf(set)) {
            const QJsonObject cached = byKey.value(it.key());
            if (it->gone && uidOf(cached) == uidOf(it->pod))
                byKey.remove(it.key());
            else if (!it->gone && resourceVersionOf(cached) < resourceVersionOf(it->pod))
                byKey.insert(it.key(), it->pod);
        }
        ++it;
    }
    QList<QJsonObject> members;
    for (const QJsonObject &pod : std::as_const(byKey))
        if (parentAndOrdinal(pod).first == nameOf(set))
            members.append(withKind(pod, u"v1"_s, u"Pod"_s));
    return members;
}

QList<QJsonObject> StatefulSetController::ownedRevisions(const QJsonObject &set) const
{
    QList<QJsonObject> owned;
    for (const QJsonObject &r : m_revisions->list())
        if (nsOf(r) == nsOf(set) && controllerUid(r) == uidOf(set))
            owned.append(r);
    std::sort(owned.begin(), owned.end(), [](const QJsonObject &a, const QJsonObject &b) {
        const qint64 ra = a.value(u"revision").toInteger(), rb = b.value(u"revision").toInteger();
        return ra != rb ? ra < rb : nameOf(a) < nameOf(b);
    });
    return owned;
}

void StatefulSetController::sync(const QString &key, std::function<void(bool ok)> done)
{
    if (!synced()) {
        m_queue->addAfter(key, 100ms);
        return done(true);
    }
    const qsizetype slash = key.indexOf(u'/');
    QJsonObject set = m_sets->get(key.left(slash), key.mid(slash + 1));
    if (set.isEmpty())
        return done(true);
    set = withKind(set, u"apps/v1"_s, u"StatefulSet"_s);
    const auto selector = core::LabelSelector::fromJson(specOf(set).value(u"selector").toObject());
    if (!selector || selector->isEmpty()) // refused by validation; nothing sensible to manage
        return done(true);

    // Adopt matching orphans named like members, release pods that stopped matching.
    claimObjects(m_api, podsResource, statefulSetsResource, set, *selector, memberPods(set),
                 nullptr, this, [this, key, set, done](std::optional<QList<QJsonObject>> claimed) {
        if (!claimed)
            return done(false);
        QList<QJsonObject> pods;
        for (const QJsonObject &pod : std::as_const(*claimed))
            pods.append(withKind(pod, u"v1"_s, u"Pod"_s));
        reconcile(key, set, pods, done);
    });
}

void StatefulSetController::reconcile(const QString &key, const QJsonObject &set,
                                      const QList<QJsonObject> &pods,
                                      std::function<void(bool ok)> done)
{
    resolveRevisions(set, [this, key, set, pods, done](std::optional<Revisions> revisions) {
        if (!revisions)
            return done(false);
        const Plan plan = makePlan(set, pods, *revisions);
        runPhases(plan.phases, [this, key, set, pods, revisions, plan, done](bool ok) {
            writeStatus(set, plan.status, [this, key, set, pods, revisions, plan, ok, done] {
                truncateHistory(set, pods, *revisions);
                const int minReady = specOf(set).value(u"minReadySeconds").toInt();
                if (minReady > 0 && plan.counts.ready != plan.counts.available && m_queue)
                    m_queue->addAfter(key, std::chrono::seconds(minReady));
                done(ok);
            });
        });
    });
}

void StatefulSetController::resolveRevisions(const QJsonObject &set,
                                             std::function<void(std::optional<Revisions>)> done)
{
    const QList<QJsonObject> owned = ownedRevisions(set);
    const QString currentName = statusOf(set).value(u"currentRevision").toString();
    auto withCurrent = [owned, currentName, done](std::optional<Revisions> r) {
        if (r) {
            r->current = r->update;
            for (const QJsonObject &rev : owned)
                if (nameOf(rev) == currentName)
                    r->current = rev;
        }
        done(r);
    };
    const QJsonObject data = revisionData(set);
    const int collisionCount = statusOf(set).value(u"collisionCount").toInt();
    const qint64 next = owned.isEmpty() ? 1 : owned.last().value(u"revision").toInteger() + 1;
    qsizetype equal = -1;
    for (qsizetype i = 0; i < owned.size(); ++i)
        if (owned[i].value(u"data").toObject() == data)
            equal = i;
    if (equal >= 0 && equal == owned.size() - 1)
        return withCurrent(Revisions{{}, owned.last(), collisionCount});
    if (equal >= 0) {
        // Back to an earlier template: that revision becomes the newest again (a rollback).
        const QJsonObject patch{{u"revision"_s, next}};
        m_api.patch(revisionsResource, nsOf(set), nameOf(owned[equal]), client::PatchType::Merge,
                    QJsonDocument(patch).toJson(QJsonDocument::Compact), {}, asController,
                    guarded(this, [withCurrent, collisionCount](Reply r) {
                        withCurrent(r ? std::optional(Revisions{{}, *r, collisionCount})
                                      : std::nullopt);
                    }));
        return;
    }
    createRevision(set, data, next, collisionCount, 0, withCurrent);
}

void StatefulSetController::createRevision(const QJsonObject &set, const QJsonObject &data,
                                           qint64 number, int collisionCount, int attempt,
                                           std::function<void(std::optional<Revisions>)> done)
{
    const QString hash =
        revisionHash(QJsonDocument(data).toJson(QJsonDocument::Compact), collisionCount);
    QJsonObject labels = specOf(set).value(u"template").toObject().value(u"metadata").toObject()
                             .value(u"labels").toObject();
    labels.insert(revisionLabel, hash);
    QJsonObject meta{{u"name"_s, nameOf(set).left(223) + u'-' + hash},
                     {u"namespace"_s, nsOf(set)},
                     {u"labels"_s, labels},
                     {u"ownerReferences"_s, QJsonArray{controllerReference(set)}}};
    if (const QJsonObject a = metaOf(set).value(u"annotations").toObject(); !a.isEmpty())
        meta.insert(u"annotations"_s, a);
    const QJsonObject revision{{u"apiVersion"_s, u"apps/v1"_s},
                               {u"kind"_s, u"ControllerRevision"_s},
                               {u"metadata"_s, meta},
                               {u"data"_s, data},
                               {u"revision"_s, number}};
    const QString name = meta.value(u"name").toString();
    auto fail = [done](const client::Error &e) {
        qCWarning(lcStatefulSets).noquote() << "cannot create revision:" << e.message;
        done(std::nullopt);
    };
    m_api.create(revisionsResource, nsOf(set), revision, asController,
                 guarded(this, [=, this](Reply r) {
        if (r)
            return done(Revisions{{}, *r, collisionCount});
        if (!r.error().isConflict() || attempt >= 10)
            return fail(r.error());
        // The name is taken: ours from a pass the cache has not caught up with, or a
        // collision, which a higher count resolves.
        m_api.get(revisionsResource, nsOf(set), name,
                  guarded(this, [=, this](Reply existing) {
            if (!existing)
                return fail(existing.error());
            if (existing->value(u"data").toObject() == data
                && controllerUid(*existing) == uidOf(set))
                return done(Revisions{{}, *existing, collisionCount});
            createRevision(set, data, number, collisionCount + 1, attempt + 1, done);
        }));
    }));
}

void StatefulSetController::writeStatus(const QJsonObject &set, const QJsonObject &status,
                                        std::function<void()> done)
{
    const QJsonObject old = statusOf(set);
    bool changed = false;
    for (auto it = status.begin(); it != status.end(); ++it)
        changed |= old.value(it.key()) != (it->isNull() ? QJsonValue(QJsonValue::Undefined) : *it);
    if (!changed)
        return done();
    qCDebug(lcStatefulSets).noquote()
        << "status of" << keyOf(set) << QJsonDocument(status).toJson(QJsonDocument::Compact);
    // A merge patch of the fields this controller owns; null removes a zero Kubernetes omits.
    const QJsonObject patch{{u"status"_s, status}};
    m_api.patch(statefulSetsResource, nsOf(set), nameOf(set), client::PatchType::Merge,
                QJsonDocument(patch).toJson(QJsonDocument::Compact), u"status"_s, asController,
                guarded(this, [done](Reply r) {
                    if (!r && !r.error().isNotFound())
                        qCWarning(lcStatefulSets).noquote()
                            << "cannot update StatefulSet status:" << r.error().message;
                    done();
                }));
}

void StatefulSetController::truncateHistory(const QJsonObject &set, const QList<QJsonObject> &pods,
                                            const Revisions &revisions)
{
    // Revisions in use (current, update, any pod's) stay; of the rest the oldest go beyond
    // revisionHistoryLimit.
    QSet<QString> live{nameOf(revisions.current), nameOf(revisions.update)};
    for (const QJsonObject &pod : pods)
        live.insert(revisionOf(pod));
    QList<QJsonObject> history;
    for (const QJsonObject &r : ownedRevisions(set))
        if (!live.contains(nameOf(r)))
            history.append(r);
    const int limit = specOf(set).value(u"revisionHistoryLimit").toInt(10);
    for (qsizetype i = 0; i < history.size() - limit; ++i)
        m_api.remove(revisionsResource, nsOf(set), nameOf(history[i]), {},
                     [](Reply) {});
}

} // namespace timonel::controllers
