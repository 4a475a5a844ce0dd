#include "deploymentcontroller.h"

#include "controllerrefmanager.h"
#include "deploymentcontroller_p.h"

#include "client/eventrecorder.h"
#include "client/informer.h"
#include "client/workqueue.h"
#include "controllers/controllerutils.h"
#include "core/labelselector.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;
using namespace timonel::controllers::deployment;

namespace timonel::controllers {

namespace {

QJsonObject withStatus(QJsonObject d, const QJsonObject &status)
{
    d.insert(u"status"_s, status);
    return d;
}

QJsonObject podEssentials(const QJsonObject &pod)
{
    QJsonObject meta = metaOf(pod);
    meta.remove(u"managedFields"_s);
    return {{u"metadata"_s, meta},
            {u"status"_s, QJsonObject{{u"phase"_s, statusOf(pod).value(u"phase")}}}};
}

bool namespaceTerminating(const client::Error &e)
{
    for (const QJsonValue &c : e.status.value(u"details").toObject().value(u"causes").toArray())
        if (c.toObject().value(u"reason").toString() == u"NamespaceTerminating")
            return true;
    return false;
}

std::optional<core::LabelSelector> selectorOf(const QJsonObject &o)
{
    auto s = core::LabelSelector::fromJson(specOf(o).value(u"selector").toObject());
    return s ? std::optional(*s) : std::nullopt;
}

// A conflict only means this pass read a cache that lagged: the sync runs again, unremarkably.
void logFailure(const QString &key, const QString &what, const client::Error &error)
{
    if (error.isConflict())
        qCDebug(lcDeployment).noquote() << what << "of" << key << "conflicted; syncing again";
    else
        qCInfo(lcDeployment).noquote() << what << "of" << key << "failed:" << error.message;
}

} // namespace

DeploymentController::DeploymentController(client::ApiClient &api, QObject *parent)
    : QObject(parent), m_api(api)
{
}

DeploymentController::~DeploymentController() = default;

void DeploymentController::start()
{
    if (m_running)
        return;
    m_running = true;
    m_recorder = std::make_unique<client::EventRecorder>(m_api, u"deployment-controller"_s);
    m_queue = std::make_unique<client::WorkQueue>(client::WorkQueue::retrying(
        [this](const QString &key, auto done) { sync(key, std::move(done)); }));
    m_deployments = std::make_unique<client::Informer>(m_api, deploymentsResource);
    m_replicaSets = std::make_unique<client::Informer>(m_api, replicaSetsResource);
    client::InformerOptions podOptions;
    podOptions.transform = podEssentials;
    m_pods = std::make_unique<client::Informer>(m_api, podsResource, podOptions);

    connect(m_deployments.get(), &client::Informer::added, this, &DeploymentController::enqueue);
    connect(m_deployments.get(), &client::Informer::updated, this,
            [this](const QJsonObject &, const QJsonObject &d) { enqueue(d); });
    connect(m_deployments.get(), &client::Informer::deleted, this, &DeploymentController::enqueue);
    connect(m_replicaSets.get(), &client::Informer::added, this,
            [this](const QJsonObject &rs) { onReplicaSetUpdated({}, rs); });
    connect(m_replicaSets.get(), &client::Informer::updated, this,
            &DeploymentController::onReplicaSetUpdated);
    connect(m_replicaSets.get(), &client::Informer::deleted, this,
            &DeploymentController::enqueueOwnerOf);
    connect(m_pods.get(), &client::Informer::deleted, this, &DeploymentController::onPodDeleted);
    for (client::Informer *informer : {m_deployments.get(), m_replicaSets.get(), m_pods.get()})
        connect(informer, &client::Informer::synced, this, [this] {
            if (synced())
                for (const QJsonObject &d : m_deployments->list())
                    enqueue(d);
        });
    m_deployments->start();
    m_replicaSets->start();
    m_pods->start();
}

void DeploymentController::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_queue->shutDown();
    m_deployments->stop();
    m_replicaSets->stop();
    m_pods->stop();
}

bool DeploymentController::synced() const
{
    return m_deployments && m_deployments->hasSynced() && m_replicaSets->hasSynced() &&
           m_pods->hasSynced();
}

void DeploymentController::enqueue(const QJsonObject &deployment)
{
    if (synced())
        m_queue->add(keyOf(deployment));
}

// The Deployment controlling a ReplicaSet, or for an orphan every Deployment that selects it.
void DeploymentController::enqueueOwnerOf(const QJsonObject &rs)
{
    for (const QJsonValue &v : metaOf(rs).value(u"ownerReferences").toArray()) {
        const QJsonObject ref = v.toObject();
        if (!ref.value(u"controller").toBool())
            continue;
        if (ref.value(u"kind").toString() != u"Deployment")
            return;
        const QJsonObject d = m_deployments->get(nsOf(rs), ref.value(u"name").toString());
        if (uidOf(d) == ref.value(u"uid").toString())
            enqueue(d);
        return;
    }
    const QJsonObject labels = metaOf(rs).value(u"labels").toObject();
    for (const QJsonObject &d : m_deployments->list()) {
        const auto selector = selectorOf(d);
        if (nsOf(d) == nsOf(rs) && selector && !selector->isEmpty() && selector->matches(labels))
            enqueue(d);
    }
}

void DeploymentController::onReplicaSetUpdated(const QJsonObject &old, const QJsonObject &rs)
{
    if (!old.isEmpty() &&
        metaOf(old).value(u"resourceVersion") == metaOf(rs).value(u"resourceVersion"))
        return;
    if (!old.isEmpty() && controllerUid(old) != controllerUid(rs))
        enqueueOwnerOf(old);
    enqueueOwnerOf(rs);
}

// A Recreate rollout waits for the old pods to be gone.
void DeploymentController::onPodDeleted(const QJsonObject &pod)
{
    for (const QJsonValue &v : metaOf(pod).value(u"ownerReferences").toArray()) {
        const QJsonObject ref = v.toObject();
        if (!ref.value(u"controller").toBool() || ref.value(u"kind").toString() != u"ReplicaSet")
            continue;
        const QJsonObject rs = m_replicaSets->get(nsOf(pod), ref.value(u"name").toString());
        if (!rs.isEmpty() && uidOf(rs) == ref.value(u"uid").toString())
            enqueueOwnerOf(rs);
    }
}

void DeploymentController::sync(const QString &key, std::function<void(bool retry)> done)
{
    const qsizetype slash = key.indexOf(u'/');
    const QJsonObject cached = m_deployments->get(key.left(slash), key.mid(slash + 1));
    if (cached.isEmpty())
        return done(false);
    auto run = std::make_shared<Run>();
    run->key = key;
    run->d = withKind(cached, u"Deployment"_s);
    run->storedRevision = annotation(cached, revisionAnnotation);
    run->done = std::move(done);

    const QJsonObject selector = specOf(cached).value(u"selector").toObject();
    if (selector.isEmpty()) {
        m_recorder->event(
            run->d, u"Warning"_s, u"SelectingAll"_s,
            u"This deployment is selecting all pods. A non-empty selector is required."_s);
        const qint64 generation = metaOf(cached).value(u"generation").toInteger();
        if (statusOf(cached).value(u"observedGeneration").toInteger() >= generation)
            return run->finish(true);
        QJsonObject status = statusOf(cached);
        status.insert(u"observedGeneration"_s, generation);
        run->d = withStatus(run->d, status);
        return writeDeployment(run, [run](bool ok) { run->finish(ok); });
    }
    claimReplicaSets(run, [this, run](bool ok) {
        if (!ok)
            return run->finish(false);
        for (const QJsonObject &pod : m_pods->list()) {
            if (nsOf(pod) != nsOf(run->d))
                continue;
            const QString owner = controllerUid(pod);
            for (const QJsonObject &rs : std::as_const(run->rss))
                if (uidOf(rs) == owner)
                    run->podsByOwner[owner].append(pod);
        }
        auto finish = [run](bool ok) { run->finish(ok); };
        if (isBeingDeleted(run->d))
            return syncRevision(run, false, [this, run, finish](bool ok) {
                ok ? syncDeploymentStatus(run, finish) : finish(false);
            });
        checkPausedConditions(run, [this, run, finish](bool ok) {
            if (!ok)
                return finish(false);
            // Scaling only: paused, or replicas changed (proportionally, mid-rollout).
            auto scaleOnly = [this, run, finish] {
                syncRevision(run, false, [this, run, finish](bool ok) {
                    if (!ok)
                        return finish(false);
                    scale(run, [this, run, finish](bool ok) {
                        if (!ok)
                            return finish(false);
                        auto status = [this, run, finish](bool ok) {
                            ok ? syncDeploymentStatus(run, finish) : finish(false);
                        };
                        if (specOf(run->d).value(u"paused").toBool())
                            return cleanupDeployment(run, status);
                        status(true);
                    });
                });
            };
            if (specOf(run->d).value(u"paused").toBool())
                return scaleOnly();
            isScalingEvent(run, [this, run, finish, scaleOnly](std::optional<bool> scaling) {
                if (!scaling)
                    return finish(false);
                if (*scaling)
                    return scaleOnly();
                const QString type =
                    specOf(run->d).value(u"strategy").toObject().value(u"type").toString();
                if (type == u"Recreate")
                    return rolloutRecreate(run);
                if (type == u"RollingUpdate")
                    return rolloutRolling(run);
                qCWarning(lcDeployment).noquote() << "unexpected deployment strategy type:" << type;
                finish(true);
            });
        });
    });
}

void DeploymentController::claimReplicaSets(const RunPtr &run, Next next)
{
    const auto selector = selectorOf(run->d);
    if (!selector) {
        qCWarning(lcDeployment).noquote() << "deployment" << run->key << "has an invalid selector";
        return next(false);
    }
    QList<QJsonObject> candidates;
    for (const QJsonObject &rs : m_replicaSets->list())
        if (nsOf(rs) == nsOf(run->d))
            candidates.append(withKind(rs, u"ReplicaSet"_s));
    claimObjects(
        m_api, replicaSetsResource, deploymentsResource, run->d, *selector, candidates,
        [](const QJsonObject &rs) { return withKind(rs, u"ReplicaSet"_s); }, this,
        [run, next](std::optional<QList<QJsonObject>> claimed) {
            if (claimed)
                run->rss = *claimed;
            next(claimed.has_value());
        });
}

// Progressing is Unknown while paused, so the time spent paused never counts as no progress.
void DeploymentController::checkPausedConditions(const RunPtr &run, Next next)
{
    if (!hasProgressDeadline(run->d))
        return next(true);
    QJsonObject status = statusOf(run->d);
    const QString reason = conditionOf(status, progressing).value(u"reason").toString();
    if (reason == timedOutReason)
        return next(true);
    const bool paused = specOf(run->d).value(u"paused").toBool();
    if (paused && reason != pausedReason)
        setCondition(status, newCondition(progressing, u"Unknown"_s, pausedReason,
                                          u"Deployment is paused"_s));
    else if (!paused && reason == pausedReason)
        setCondition(status, newCondition(progressing, u"Unknown"_s, u"DeploymentResumed"_s,
                                          u"Deployment is resumed"_s));
    else
        return next(true);
    run->d = withStatus(run->d, status);
    writeDeployment(run, next);
}

// As getAllReplicaSetsAndSyncRevision: finds the new ReplicaSet (creating it if asked), gives it
// the highest revision, and the Deployment that revision.
void DeploymentController::syncRevision(const RunPtr &run, bool createIfMissing, Next next)
{
    run->newName = findNewReplicaSet(run->d, run->rss);
    qint64 maxOld = 0;
    for (const QJsonObject &rs : run->oldRSs())
        maxOld = std::max(maxOld, revisionOf(rs));
    const QString newRevision = QString::number(maxOld + 1);
    if (run->newName.isEmpty())
        return createIfMissing ? createNewReplicaSet(run, newRevision, next) : next(true);

    QJsonObject rs = run->newRS();
    const bool annotationsUpdated = setNewReplicaSetAnnotations(run->d, rs, newRevision, true);
    const QJsonValue minReady = specOf(run->d).value(u"minReadySeconds");
    if (annotationsUpdated || specOf(rs).value(u"minReadySeconds").toInt() != minReady.toInt()) {
        QJsonObject spec = specOf(rs);
        spec.insert(u"minReadySeconds"_s, minReady.toInt());
        rs.insert(u"spec"_s, spec);
        return updateReplicaSet(run, rs, next);
    }
    bool needsUpdate = setDeploymentRevision(run->d, annotation(rs, revisionAnnotation));
    QJsonObject status = statusOf(run->d);
    if (hasProgressDeadline(run->d) && conditionOf(status, progressing).isEmpty()) {
        setCondition(status, newCondition(progressing, u"True"_s, u"FoundNewReplicaSet"_s,
                                          u"Found new replica set \"%1\""_s.arg(nameOf(rs))));
        run->d = withStatus(run->d, status);
        needsUpdate = true;
    }
    needsUpdate ? writeDeployment(run, next) : next(true);
}

void DeploymentController::createNewReplicaSet(const RunPtr &run, const QString &revision,
                                               Next next)
{
    const QJsonObject &d = run->d;
    const QJsonValue collisions = statusOf(d).value(u"collisionCount");
    QJsonObject podTemplate = specOf(d).value(u"template").toObject();
    const QString hash = podTemplateHash(
        podTemplate, collisions.isDouble() ? std::optional(collisions.toInteger()) : std::nullopt);
    QJsonObject templateMeta = podTemplate.value(u"metadata").toObject();
    QJsonObject labels = templateMeta.value(u"labels").toObject();
    labels.insert(hashLabel, hash);
    templateMeta.insert(u"labels"_s, labels);
    podTemplate.insert(u"metadata"_s, templateMeta);
    QJsonObject selector = specOf(d).value(u"selector").toObject();
    QJsonObject matchLabels = selector.value(u"matchLabels").toObject();
    matchLabels.insert(hashLabel, hash);
    selector.insert(u"matchLabels"_s, matchLabels);
    const QString name = nameOf(d) + u'-' + hash;
    QJsonObject rs{
        {u"apiVersion"_s, u"apps/v1"_s},
        {u"kind"_s, u"ReplicaSet"_s},
        {u"metadata"_s, QJsonObject{{u"name"_s, name},
                                    {u"namespace"_s, nsOf(d)},
                                    {u"labels"_s, labels},
                                    {u"ownerReferences"_s, QJsonArray{controllerReference(d)}}}},
        {u"spec"_s, QJsonObject{{u"replicas"_s, 0},
                                {u"minReadySeconds"_s, specOf(d).value(u"minReadySeconds").toInt()},
                                {u"selector"_s, selector},
                                {u"template"_s, podTemplate}}}};
    QList<QJsonObject> all = run->oldRSs();
    all.append(rs);
    const int replicas = newReplicaSetReplicas(d, all, rs);
    QJsonObject spec = specOf(rs);
    spec.insert(u"replicas"_s, replicas);
    rs.insert(u"spec"_s, spec);
    setNewReplicaSetAnnotations(d, rs, revision, false);

    m_api.create(
        replicaSetsResource, nsOf(d), rs, asControllerManager,
        guarded([this, run, name, revision, replicas, next](client::Result<QJsonObject> created) {
            bool alreadyExists = false;
            if (!created && created.error().reason == u"AlreadyExists") {
                // Ours already (the cache lagged), or another template hashed to the same name:
                // count the collision so that the next attempt hashes differently.
                const QJsonObject existing = m_replicaSets->get(nsOf(run->d), name);
                if (controllerUid(existing) == uidOf(run->d) &&
                    equalIgnoreHash(specOf(existing).value(u"template").toObject(),
                                    specOf(run->d).value(u"template").toObject())) {
                    created = withKind(existing, u"ReplicaSet"_s);
                    alreadyExists = true;
                } else {
                    QJsonObject status = statusOf(run->d);
                    status.insert(u"collisionCount"_s,
                                  status.value(u"collisionCount").toInteger() + 1);
                    run->d = withStatus(run->d, status);
                    return writeDeployment(run, [next](bool) { next(false); });
                }
            }
            if (!created) {
                const QString message = u"Failed to create new replica set \"%1\": %2"_s.arg(
                    name, created.error().message);
                qCInfo(lcDeployment).noquote() << message;
                if (namespaceTerminating(created.error()))
                    return next(false);
                m_recorder->event(run->d, u"Warning"_s, u"ReplicaSetCreateError"_s, message);
                if (!hasProgressDeadline(run->d))
                    return next(false);
                QJsonObject status = statusOf(run->d);
                setCondition(status, newCondition(progressing, u"False"_s,
                                                  u"ReplicaSetCreateError"_s, message));
                run->d = withStatus(run->d, status);
                return writeDeployment(run, [next](bool) { next(false); });
            }
            if (!alreadyExists && replicas > 0)
                m_recorder->event(
                    run->d, u"Normal"_s, u"ScalingReplicaSet"_s,
                    u"Scaled up replica set %1 from 0 to %2"_s.arg(name).arg(replicas));
            run->replace(withKind(*created, u"ReplicaSet"_s));
            run->newName = name;
            bool needsUpdate = setDeploymentRevision(run->d, revision);
            if (!alreadyExists && hasProgressDeadline(run->d)) {
                QJsonObject status = statusOf(run->d);
                setCondition(status, newCondition(progressing, u"True"_s, u"NewReplicaSetCreated"_s,
                                                  u"Created new replica set \"%1\""_s.arg(name)));
                run->d = withStatus(run->d, status);
                needsUpdate = true;
            }
            needsUpdate ? writeDeployment(run, next) : next(true);
        }));
}

// Whether the ReplicaSets were sized for another replica count: then this is scaling, not a
// rollout.
void DeploymentController::isScalingEvent(const RunPtr &run, Scaled then)
{
    syncRevision(run, false, [run, then](bool ok) {
        if (!ok)
            return then(std::nullopt);
        for (const QJsonObject &rs : activeOnly(run->all())) {
            bool parsed = false;
            const int desired = annotation(rs, desiredReplicasAnnotation).toInt(&parsed);
            if (parsed && desired >= 0 && desired != replicasOf(run->d))
                return then(true);
        }
        then(false);
    });
}

void DeploymentController::scaleAndRecord(const RunPtr &run, const QString &rs, int replicas,
                                          Scaled then)
{
    const int current = replicasOf(run->replicaSet(rs));
    if (current == replicas)
        return then(false);
    scaleReplicaSet(run, rs, replicas, current < replicas ? u"up"_s : u"down"_s, std::move(then));
}

void DeploymentController::scaleReplicaSet(const RunPtr &run, const QString &name, int replicas,
                                           const QString &operation, Scaled then)
{
    QJsonObject rs = run->replicaSet(name);
    const int desired = replicasOf(run->d);
    const int oldScale = replicasOf(rs);
    const bool sizeChanges = oldScale != replicas;
    if (!sizeChanges && !replicasAnnotationsNeedUpdate(rs, desired, desired + maxSurge(run->d)))
        return then(false);
    QJsonObject spec = specOf(rs);
    spec.insert(u"replicas"_s, replicas);
    rs.insert(u"spec"_s, spec);
    setReplicasAnnotations(rs, desired, desired + maxSurge(run->d));
    updateReplicaSet(
        run, rs, [this, run, name, operation, oldScale, replicas, sizeChanges, then](bool ok) {
            if (!ok)
                return then(std::nullopt);
            if (sizeChanges)
                m_recorder->event(run->d, u"Normal"_s, u"ScalingReplicaSet"_s,
                                  u"Scaled %1 replica set %2 from %3 to %4"_s.arg(operation, name)
                                      .arg(oldScale)
                                      .arg(replicas));
            then(sizeChanges);
        });
}

// A write against the resourceVersion this pass read: a conflict means the pass acted on stale
// data, and the sync starts over.
void DeploymentController::updateReplicaSet(const RunPtr &run, const QJsonObject &rs, Next next)
{
    m_api.update(replicaSetsResource, nsOf(rs), rs, {}, asControllerManager,
                 guarded([run, next](client::Result<QJsonObject> updated) {
                     if (!updated) {
                         logFailure(run->key, u"updating a replica set"_s, updated.error());
                         return next(false);
                     }
                     run->replace(withKind(*updated, u"ReplicaSet"_s));
                     next(true);
                 }));
}

// Deletes the oldest old ReplicaSets beyond revisionHistoryLimit that have nothing left.
void DeploymentController::cleanupDeployment(const RunPtr &run, Next next)
{
    const QJsonValue limit = specOf(run->d).value(u"revisionHistoryLimit");
    if (!limit.isDouble())
        return next(true);
    QList<QJsonObject> cleanable;
    for (const QJsonObject &rs : run->oldRSs())
        if (!isBeingDeleted(rs))
            cleanable.append(rs);
    const int diff = int(cleanable.size()) - limit.toInt();
    if (diff <= 0)
        return next(true);
    std::stable_sort(
        cleanable.begin(), cleanable.end(),
        [](const QJsonObject &a, const QJsonObject &b) { return revisionOf(a) < revisionOf(b); });
    cleanable = cleanable.mid(0, diff);
    inTurn(
        diff,
        [this, cleanable](int i, Next step) {
            const QJsonObject &rs = cleanable[i];
            if (statusCount(rs, u"replicas"_s) != 0 || replicasOf(rs) != 0 ||
                metaOf(rs).value(u"generation").toInteger() >
                    statusOf(rs).value(u"observedGeneration").toInteger())
                return step(true);
            m_api.remove(replicaSetsResource, nsOf(rs), nameOf(rs), {},
                         guarded([step](client::Result<QJsonObject> r) {
                             step(r || r.error().isNotFound());
                         }));
        },
        next);
}

void DeploymentController::syncDeploymentStatus(const RunPtr &run, Next next)
{
    const QJsonObject status = calculateStatus(run->d, run->all(), run->newRS());
    if (sameStatus(statusOf(run->d), status))
        return next(true);
    run->d = withStatus(run->d, status);
    writeDeployment(run, next);
}

// The revision annotation, then the status. Kubernetes writes both with one UpdateStatus (its
// status strategy lets annotations through); here a status write changes only the status.
void DeploymentController::writeDeployment(const RunPtr &run, Next next)
{
    const QString revision = annotation(run->d, revisionAnnotation);
    if (revision != run->storedRevision) {
        const QJsonObject patch{
            {u"metadata"_s,
             QJsonObject{{u"annotations"_s, QJsonObject{{revisionAnnotation, revision}}}}}};
        m_api.patch(deploymentsResource, nsOf(run->d), nameOf(run->d), client::PatchType::Merge,
                    QJsonDocument(patch).toJson(QJsonDocument::Compact), {}, asControllerManager,
                    guarded([this, run, revision, next](client::Result<QJsonObject> patched) {
                        if (!patched) {
                            logFailure(run->key, u"updating the revision"_s, patched.error());
                            return next(false);
                        }
                        run->storedRevision = revision;
                        QJsonObject meta = metaOf(run->d);
                        meta.insert(u"resourceVersion"_s,
                                    metaOf(*patched).value(u"resourceVersion"));
                        run->d.insert(u"metadata"_s, meta);
                        writeDeployment(run, next);
                    }));
        return;
    }
    m_api.update(deploymentsResource, nsOf(run->d), run->d, u"status"_s, asControllerManager,
                 guarded([run, next](client::Result<QJsonObject> updated) {
                     if (!updated) {
                         logFailure(run->key, u"updating the status"_s, updated.error());
                         return next(false);
                     }
                     QJsonObject meta = metaOf(run->d);
                     meta.insert(u"resourceVersion"_s, metaOf(*updated).value(u"resourceVersion"));
                     run->d.insert(u"metadata"_s, meta);
                     next(true);
                 }));
}

} // namespace timonel::controllers
