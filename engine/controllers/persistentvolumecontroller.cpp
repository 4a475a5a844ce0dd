#include "persistentvolumecontroller.h"

#include "core/persistentvolumes.h"

#include "client/eventrecorder.h"
#include "client/informer.h"
#include "client/workqueue.h"
#include "core/labelselector.h"
#include "core/quantity.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcVolumes, "timonel.controllers.persistentvolume", QtInfoMsg)

namespace timonel::controllers {

namespace {

const client::Resource claims{u""_s, u"v1"_s, u"persistentvolumeclaims"_s};
const client::Resource volumes{u""_s, u"v1"_s, u"persistentvolumes"_s};
const client::Resource classes{u"storage.k8s.io"_s, u"v1"_s, u"storageclasses"_s};
const client::WriteQuery asController{u"kube-controller-manager"_s, false, false};

const QString annBindCompleted = u"pv.kubernetes.io/bind-completed"_s;
const QString annBoundByController = u"pv.kubernetes.io/bound-by-controller"_s;
const QString annProvisionedBy = u"pv.kubernetes.io/provisioned-by"_s;
const QString annSelectedNode = u"volume.kubernetes.io/selected-node"_s;
const QString annStorageProvisioner = u"volume.kubernetes.io/storage-provisioner"_s;
const QString annBetaStorageProvisioner = u"volume.beta.kubernetes.io/storage-provisioner"_s;
const QString annDefaultClass = u"storageclass.kubernetes.io/is-default-class"_s;
const QString annBetaDefaultClass = u"storageclass.beta.kubernetes.io/is-default-class"_s;

// kube-controller-manager's --pvclaimbinder-sync-period: unbound claims are looked at again this
// often (provisioning, the default class appearing, events that repeat as kubectl shows them).
constexpr auto resyncPeriod = 15s;

QJsonObject objectAt(const QJsonObject &o, QStringView key)
{
    return o.value(key).toObject();
}

QJsonObject metaOf(const QJsonObject &o)
{
    return objectAt(o, u"metadata");
}

QString nameOf(const QJsonObject &o)
{
    return metaOf(o).value(u"name").toString();
}

QString uidOf(const QJsonObject &o)
{
    return metaOf(o).value(u"uid").toString();
}

QJsonObject specOf(const QJsonObject &o)
{
    return objectAt(o, u"spec");
}

QString phaseOf(const QJsonObject &o)
{
    return objectAt(o, u"status").value(u"phase").toString();
}

bool hasAnnotation(const QJsonObject &o, const QString &key)
{
    return objectAt(metaOf(o), u"annotations").contains(key);
}

QString annotation(const QJsonObject &o, const QString &key)
{
    return objectAt(metaOf(o), u"annotations").value(key).toString();
}

void setAnnotation(QJsonObject &o, const QString &key, const QString &value)
{
    QJsonObject meta = metaOf(o);
    QJsonObject annotations = objectAt(meta, u"annotations");
    annotations.insert(key, value);
    meta.insert(u"annotations"_s, annotations);
    o.insert(u"metadata"_s, meta);
}

void setSpec(QJsonObject &o, const QString &key, const QJsonValue &value)
{
    QJsonObject spec = specOf(o);
    if (value.isUndefined())
        spec.remove(key);
    else
        spec.insert(key, value);
    o.insert(u"spec"_s, spec);
}

QString claimKey(const QJsonObject &claim)
{
    return metaOf(claim).value(u"namespace").toString() + u'/' + nameOf(claim);
}

qint64 revisionOf(const QJsonObject &o)
{
    return metaOf(o).value(u"resourceVersion").toString().toLongLong();
}

// Events need the kind of the object they are about; list items may come without it.
QJsonObject withKind(QJsonObject o, const QString &kind)
{
    o.insert(u"apiVersion"_s, u"v1"_s);
    o.insert(u"kind"_s, kind);
    return o;
}

bool claimHasClass(const QJsonObject &claim)
{
    return specOf(claim).value(u"storageClassName").isString() ||
           hasAnnotation(claim, QString(core::betaStorageClassAnnotation));
}

core::Quantity storageOf(const QJsonObject &resources)
{
    return core::Quantity::fromJson(resources.value(u"storage")).value_or(core::Quantity());
}

core::Quantity requested(const QJsonObject &claim)
{
    return storageOf(objectAt(objectAt(specOf(claim), u"resources"), u"requests"));
}

core::Quantity capacity(const QJsonObject &volume)
{
    return storageOf(objectAt(specOf(volume), u"capacity"));
}

QJsonObject claimRefOf(const QJsonObject &volume)
{
    return objectAt(specOf(volume), u"claimRef");
}

QJsonObject claimReference(const QJsonObject &claim)
{
    const QJsonObject meta = metaOf(claim);
    return QJsonObject{{u"kind"_s, u"PersistentVolumeClaim"_s},
                       {u"namespace"_s, meta.value(u"namespace")},
                       {u"name"_s, meta.value(u"name")},
                       {u"uid"_s, meta.value(u"uid")},
                       {u"apiVersion"_s, u"v1"_s},
                       {u"resourceVersion"_s, meta.value(u"resourceVersion")}};
}

// Why a volume the claim asks for by name cannot take it (checkVolumeSatisfyClaim).
QString volumeMismatch(const QJsonObject &volume, const QJsonObject &claim)
{
    if (metaOf(volume).contains(u"deletionTimestamp"))
        return u"the volume is marked for deletion \"%1\""_s.arg(nameOf(volume));
    if (capacity(volume) < requested(claim))
        return u"requested PV is too small"_s;
    if (specOf(volume).value(u"storageClassName").toString() != core::claimStorageClass(claim))
        return u"storageClassName does not match"_s;
    if (core::volumeModeOf(volume) != core::volumeModeOf(claim))
        return u"incompatible volumeMode"_s;
    if (!core::accessModesFit(claim, volume))
        return u"incompatible accessMode"_s;
    return {};
}

} // namespace

PersistentVolumeController::PersistentVolumeController(client::ApiClient &api, QObject *parent)
    : QObject(parent), m_api(api),
      m_events(std::make_unique<client::EventRecorder>(api, u"persistentvolume-controller"_s))
{
}

PersistentVolumeController::~PersistentVolumeController() = default;

QJsonObject PersistentVolumeController::defaultStorageClass()
{
    return QJsonObject{
        {u"apiVersion"_s, u"storage.k8s.io/v1"_s},
        {u"kind"_s, u"StorageClass"_s},
        {u"metadata"_s, QJsonObject{{u"name"_s, u"standard"_s},
                                    {u"annotations"_s, QJsonObject{{annDefaultClass, u"true"_s}}}}},
        {u"provisioner"_s, u"rancher.io/local-path"_s},
        {u"reclaimPolicy"_s, u"Delete"_s},
        {u"volumeBindingMode"_s, u"WaitForFirstConsumer"_s},
    };
}

void PersistentVolumeController::start()
{
    if (m_running)
        return;
    m_running = true;
    auto outcome = [](client::WorkQueue::Done done) {
        return [done](bool ok) {
            done(ok ? client::WorkQueue::Outcome::Done : client::WorkQueue::Outcome::Retry);
        };
    };
    // One key at a time per queue, as Kubernetes' single worker: two syncs at once could bind
    // two claims to one volume.
    m_claimQueue = std::make_unique<client::WorkQueue>(
        [this, outcome](const QString &key, client::WorkQueue::Done done) {
            syncClaim(key, outcome(done));
        },
        1);
    m_volumeQueue = std::make_unique<client::WorkQueue>(
        [this, outcome](const QString &key, client::WorkQueue::Done done) {
            syncVolume(key, outcome(done));
        },
        1);

    client::InformerOptions periodic;
    periodic.resyncPeriod = resyncPeriod;
    m_claimInformer = std::make_unique<client::Informer>(m_api, claims, periodic);
    m_volumeInformer = std::make_unique<client::Informer>(m_api, volumes, periodic);
    m_classInformer = std::make_unique<client::Informer>(m_api, classes);

    // Nothing is judged before every cache is complete: a volume missing from a half-filled
    // cache would look lost.
    auto synced = [this] {
        return m_claimInformer->hasSynced() && m_volumeInformer->hasSynced() &&
               m_classInformer->hasSynced();
    };
    auto onClaim = [this, synced](const QJsonObject &claim) {
        storeClaim(claim);
        if (synced())
            m_claimQueue->add(claimKey(claim));
    };
    auto onVolume = [this, synced](const QJsonObject &volume) {
        storeVolume(volume);
        if (synced())
            m_volumeQueue->add(nameOf(volume));
    };
    auto onClass = [this, synced] {
        // A new default class or WaitForFirstConsumer class changes what unbound claims get.
        if (!synced())
            return;
        for (auto it = m_claims.cbegin(); it != m_claims.cend(); ++it)
            if (!hasAnnotation(*it, annBindCompleted))
                m_claimQueue->add(it.key());
    };
    auto onSynced = [this, synced] {
        if (!synced())
            return;
        for (auto it = m_claims.cbegin(); it != m_claims.cend(); ++it)
            m_claimQueue->add(it.key());
        for (auto it = m_volumes.cbegin(); it != m_volumes.cend(); ++it)
            m_volumeQueue->add(it.key());
    };
    connect(m_claimInformer.get(), &client::Informer::added, this, onClaim);
    connect(m_claimInformer.get(), &client::Informer::updated, this,
            [onClaim](const QJsonObject &, const QJsonObject &claim) { onClaim(claim); });
    connect(m_claimInformer.get(), &client::Informer::deleted, this,
            [this, synced](const QJsonObject &claim) {
                m_claims.remove(claimKey(claim));
                // Its volume is released now.
                const QString volume = specOf(claim).value(u"volumeName").toString();
                if (synced() && !volume.isEmpty())
                    m_volumeQueue->add(volume);
            });
    connect(m_volumeInformer.get(), &client::Informer::added, this, onVolume);
    connect(m_volumeInformer.get(), &client::Informer::updated, this,
            [onVolume](const QJsonObject &, const QJsonObject &volume) { onVolume(volume); });
    connect(m_volumeInformer.get(), &client::Informer::deleted, this,
            [this, synced](const QJsonObject &volume) {
                m_volumes.remove(nameOf(volume));
                const QJsonObject ref = claimRefOf(volume);
                if (synced() && !ref.isEmpty())
                    m_claimQueue->add(ref.value(u"namespace").toString() + u'/' +
                                      ref.value(u"name").toString());
            });
    connect(m_classInformer.get(), &client::Informer::added, this, onClass);
    connect(m_classInformer.get(), &client::Informer::updated, this, onClass);
    for (client::Informer *informer :
         {m_claimInformer.get(), m_volumeInformer.get(), m_classInformer.get()}) {
        connect(informer, &client::Informer::synced, this, onSynced);
        informer->start();
    }
    ensureDefaultClass();
}

void PersistentVolumeController::stop()
{
    m_running = false;
    if (m_claimQueue)
        m_claimQueue->shutDown();
    if (m_volumeQueue)
        m_volumeQueue->shutDown();
    // Stopped, not destroyed: a sync still under way may read them.
    for (client::Informer *informer :
         {m_claimInformer.get(), m_volumeInformer.get(), m_classInformer.get()})
        if (informer)
            informer->stop();
}

void PersistentVolumeController::ensureDefaultClass()
{
    // As KinD installs it with a new cluster: made when there is neither a class of that name
    // nor another default class, so a user's own default class is left alone.
    m_api.list(classes, {}, {}, [this](client::Result<QJsonObject> list) {
        if (!m_running)
            return;
        if (!list) {
            QTimer::singleShot(1000, this, &PersistentVolumeController::ensureDefaultClass);
            return;
        }
        for (const QJsonValue &item : list->value(u"items").toArray()) {
            const QJsonObject cls = item.toObject();
            if (nameOf(cls) == u"standard" || annotation(cls, annDefaultClass) == u"true" ||
                annotation(cls, annBetaDefaultClass) == u"true")
                return;
        }
        m_api.create(classes, {}, defaultStorageClass(), asController,
                     [this](client::Result<QJsonObject> created) {
                         if (!created && created.error().code != 409 && m_running)
                             QTimer::singleShot(1000, this,
                                                &PersistentVolumeController::ensureDefaultClass);
                     });
    });
}

void PersistentVolumeController::storeClaim(const QJsonObject &claim)
{
    const QString key = claimKey(claim);
    if (auto it = m_claims.constFind(key);
        it != m_claims.cend() && revisionOf(*it) > revisionOf(claim))
        return; // an event older than our own write
    m_claims.insert(key, claim);
}

void PersistentVolumeController::storeVolume(const QJsonObject &volume)
{
    const QString name = nameOf(volume);
    if (auto it = m_volumes.constFind(name);
        it != m_volumes.cend() && revisionOf(*it) > revisionOf(volume))
        return;
    m_volumes.insert(name, volume);
}

QJsonObject PersistentVolumeController::defaultClass() const
{
    // The newest default class wins when there are several, as since Kubernetes 1.26.
    QJsonObject best;
    for (const QJsonObject &cls : m_classInformer->list()) {
        if (annotation(cls, annDefaultClass) != u"true" &&
            annotation(cls, annBetaDefaultClass) != u"true")
            continue;
        const QString created = metaOf(cls).value(u"creationTimestamp").toString();
        const QString bestCreated = metaOf(best).value(u"creationTimestamp").toString();
        if (best.isEmpty() || created > bestCreated ||
            (created == bestCreated && nameOf(cls) < nameOf(best)))
            best = cls;
    }
    return best;
}

bool PersistentVolumeController::isDelayBinding(const QJsonObject &claim) const
{
    const QString className = core::claimStorageClass(claim);
    return !className.isEmpty() &&
           m_classInformer->get({}, className).value(u"volumeBindingMode").toString() ==
               u"WaitForFirstConsumer";
}

QJsonObject PersistentVolumeController::findBestMatch(const QJsonObject &claim,
                                                      bool delayBinding) const
{
    // A volume pre-bound to the claim (by the user, the scheduler or a provisioner) first;
    // otherwise the smallest available one of the claim's class that satisfies it, preferring
    // volumes that offer no more access modes than asked for. Claims that wait for their first
    // consumer get pre-bound volumes only: the scheduler chooses theirs.
    std::optional<core::LabelSelector> selector;
    if (const QJsonValue s = specOf(claim).value(u"selector"); s.isObject())
        selector =
            core::LabelSelector::fromJson(s.toObject()).value_or(core::LabelSelector::nothing());
    const core::Quantity wanted = requested(claim);
    const QString className = core::claimStorageClass(claim);
    QJsonObject best;
    for (const QJsonObject &volume : m_volumes) {
        if (core::volumeModeOf(volume) != core::volumeModeOf(claim) || !core::accessModesFit(claim, volume) ||
            metaOf(volume).contains(u"deletionTimestamp"))
            continue;
        if (core::isVolumeBoundToClaim(volume, claim)) {
            if (capacity(volume) < wanted)
                continue;
            return volume;
        }
        if (delayBinding || phaseOf(volume) != u"Available" || !claimRefOf(volume).isEmpty())
            continue;
        if (selector && !selector->matches(objectAt(metaOf(volume), u"labels")))
            continue;
        if (specOf(volume).value(u"storageClassName").toString() != className ||
            capacity(volume) < wanted)
            continue;
        const auto modes = [](const QJsonObject &v) {
            return specOf(v).value(u"accessModes").toArray().size();
        };
        if (best.isEmpty() || capacity(volume) < capacity(best) ||
            (capacity(volume) == capacity(best) && modes(volume) < modes(best)))
            best = volume;
    }
    return best;
}

// --- claims -------------------------------------------------------------------------------------

void PersistentVolumeController::syncClaim(const QString &key, Done done)
{
    const QJsonObject claim = m_claims.value(key);
    if (claim.isEmpty())
        return done(true);
    if (!hasAnnotation(claim, annBindCompleted))
        return syncUnboundClaim(claim, std::move(done));
    syncBoundClaim(claim, std::move(done));
}

void PersistentVolumeController::syncUnboundClaim(const QJsonObject &claim, Done done)
{
    if (!specOf(claim).value(u"volumeName").toString().isEmpty())
        return syncPreboundClaim(claim, std::move(done));
    const bool delayBinding = isDelayBinding(claim);
    if (const QJsonObject volume = findBestMatch(claim, delayBinding); !volume.isEmpty())
        return bind(volume, claim, std::move(done));

    // Since Kubernetes 1.28 a claim made before any default class existed gets it later.
    if (!claimHasClass(claim)) {
        if (const QJsonObject cls = defaultClass(); !cls.isEmpty()) {
            QJsonObject updated = claim;
            setSpec(updated, u"storageClassName"_s, nameOf(cls));
            return updateClaim(
                updated, [done](const QJsonObject &) { done(true); }, done);
        }
    }
    const QJsonObject involved = withKind(claim, u"PersistentVolumeClaim"_s);
    if (delayBinding && !hasAnnotation(claim, annSelectedNode)) {
        m_events->event(involved, u"Normal"_s, u"WaitForFirstConsumer"_s,
                        u"waiting for first consumer to be created before binding"_s);
    } else if (!core::claimStorageClass(claim).isEmpty()) {
        return provisionClaim(claim, std::move(done));
    } else {
        m_events->event(
            involved, u"Normal"_s, u"FailedBinding"_s,
            u"no persistent volumes available for this claim and no storage class is set"_s);
    }
    setClaimStatus(
        claim, u"Pending"_s, {}, [done](const QJsonObject &) { done(true); }, done);
}

void PersistentVolumeController::provisionClaim(const QJsonObject &claim, Done done)
{
    const QJsonObject involved = withKind(claim, u"PersistentVolumeClaim"_s);
    const QString className = core::claimStorageClass(claim);
    const QJsonObject cls = m_classInformer->get({}, className);
    if (cls.isEmpty()) {
        m_events->event(involved, u"Warning"_s, u"ProvisioningFailed"_s,
                        u"storageclass.storage.k8s.io \"%1\" not found"_s.arg(className));
        return done(true); // looked at again when the class appears
    }
    const QString provisioner = cls.value(u"provisioner").toString();
    if (provisioner.startsWith(u"kubernetes.io/")) {
        // The in-tree plugins (cloud disks) do not exist here; no-provisioner means none.
        m_events->event(involved, u"Warning"_s, u"ProvisioningFailed"_s,
                        u"no volume plugin matched name: %1"_s.arg(provisioner));
        return done(true);
    }
    // Every other provisioner is external (the node agents' LocalProvisioner for
    // rancher.io/local-path): the annotation tells it to make the volume.
    auto announce = [this, provisioner, done](const QJsonObject &current) {
        m_events->event(withKind(current, u"PersistentVolumeClaim"_s), u"Normal"_s,
                        u"ExternalProvisioning"_s,
                        u"Waiting for a volume to be created either by the external provisioner "
                        "'%1' or manually by the system administrator. If volume creation is "
                        "delayed, please verify that the provisioner is running and correctly "
                        "registered."_s.arg(provisioner));
        done(true);
    };
    if (annotation(claim, annStorageProvisioner) == provisioner &&
        annotation(claim, annBetaStorageProvisioner) == provisioner)
        return announce(claim);
    QJsonObject updated = claim;
    setAnnotation(updated, annStorageProvisioner, provisioner);
    setAnnotation(updated, annBetaStorageProvisioner, provisioner);
    updateClaim(updated, announce, done);
}

void PersistentVolumeController::syncPreboundClaim(const QJsonObject &claim, Done done)
{
    // The user asked for a particular volume.
    const QString volumeName = specOf(claim).value(u"volumeName").toString();
    const QJsonObject volume = m_volumes.value(volumeName);
    auto pending = [this, claim, done] {
        setClaimStatus(
            claim, u"Pending"_s, {}, [done](const QJsonObject &) { done(true); }, done);
    };
    if (volume.isEmpty())
        return pending(); // it may still come
    const QJsonObject involved = withKind(claim, u"PersistentVolumeClaim"_s);
    if (claimRefOf(volume).isEmpty()) {
        if (const QString mismatch = volumeMismatch(volume, claim); !mismatch.isEmpty()) {
            m_events->event(
                involved, u"Warning"_s, u"VolumeMismatch"_s,
                u"Cannot bind to requested volume \"%1\": %2"_s.arg(volumeName, mismatch));
            return pending();
        }
        return bind(volume, claim, std::move(done));
    }
    if (core::isVolumeBoundToClaim(volume, claim))
        return bind(volume, claim, std::move(done));
    m_events->event(involved, u"Warning"_s, u"FailedBinding"_s,
                    u"volume \"%1\" already bound to a different claim."_s.arg(volumeName));
    pending();
}

void PersistentVolumeController::syncBoundClaim(const QJsonObject &claim, Done done)
{
    const QString volumeName = specOf(claim).value(u"volumeName").toString();
    const QJsonObject volume = m_volumes.value(volumeName);
    auto lost = [this, claim, done](const QString &reason, const QString &message) {
        const bool changes = phaseOf(claim) != u"Lost";
        setClaimStatus(
            claim, u"Lost"_s, {},
            [this, changes, reason, message, done](const QJsonObject &updated) {
                if (changes)
                    m_events->event(withKind(updated, u"PersistentVolumeClaim"_s), u"Warning"_s,
                                    reason, message);
                done(true);
            },
            done);
    };
    if (volumeName.isEmpty())
        return lost(
            u"ClaimLost"_s,
            u"Bound claim has lost reference to PersistentVolume. Data on the volume is lost!"_s);
    if (volume.isEmpty())
        return lost(u"ClaimLost"_s,
                    u"Bound claim has lost its PersistentVolume. Data on the volume is lost!"_s);
    const QJsonObject ref = claimRefOf(volume);
    if (ref.isEmpty() || ref.value(u"uid").toString() == uidOf(claim))
        return bind(volume, claim, std::move(done)); // repairs what an interrupted bind left
    lost(u"ClaimMisbound"_s,
         u"Two claims are bound to the same volume, this one is bound incorrectly"_s);
}

// --- volumes ------------------------------------------------------------------------------------

void PersistentVolumeController::syncVolume(const QString &name, Done done)
{
    const QJsonObject volume = m_volumes.value(name);
    if (volume.isEmpty())
        return done(true);
    const QJsonObject ref = claimRefOf(volume);
    if (ref.isEmpty() || ref.value(u"uid").toString().isEmpty()) // unused, or reserved for a claim
        return setVolumePhase(
            volume, u"Available"_s, [done](const QJsonObject &) { done(true); }, done);
    const QString ns = ref.value(u"namespace").toString();
    const QString claimName = ref.value(u"name").toString();
    const QJsonObject claim = m_claims.value(ns + u'/' + claimName);
    const QString phase = phaseOf(volume);
    if (!claim.isEmpty() || phase == u"Released" || phase == u"Failed")
        return syncVolumeWithClaim(volume, claim, std::move(done));
    // Not in the cache: ask the server before releasing the volume, in case the claim is new.
    m_api.get(claims, ns, claimName, [this, name, done](client::Result<QJsonObject> found) {
        if (!found && !found.error().isNotFound())
            return done(false);
        if (found)
            storeClaim(*found);
        const QJsonObject volume = m_volumes.value(name);
        if (volume.isEmpty())
            return done(true);
        syncVolumeWithClaim(volume, found ? *found : QJsonObject(), done);
    });
}

void PersistentVolumeController::syncVolumeWithClaim(const QJsonObject &volume,
                                                     const QJsonObject &foundClaim, Done done)
{
    const QJsonObject ref = claimRefOf(volume);
    // A claim of the same name but another uid: the one the volume was bound to is gone.
    const QJsonObject claim =
        uidOf(foundClaim) == ref.value(u"uid").toString() ? foundClaim : QJsonObject();
    auto release = [this, volume, done] {
        setVolumePhase(
            volume, u"Released"_s,
            [this, done](const QJsonObject &released) { reclaimVolume(released, done); }, done);
    };
    if (claim.isEmpty()) {
        const QString phase = phaseOf(volume);
        if (phase == u"Released" || phase == u"Failed")
            return reclaimVolume(volume, std::move(done));
        return release();
    }
    const QString boundTo = specOf(claim).value(u"volumeName").toString();
    if (boundTo.isEmpty()) {
        // The claim's side of the binding is still to be written; its sync does it.
        m_claimQueue->add(claimKey(claim));
        return done(true);
    }
    if (boundTo == nameOf(volume))
        return setVolumePhase(
            volume, u"Bound"_s, [done](const QJsonObject &) { done(true); }, done);
    // The claim got another volume.
    if (hasAnnotation(volume, annProvisionedBy) &&
        specOf(volume).value(u"persistentVolumeReclaimPolicy").toString() == u"Delete") {
        if (phaseOf(volume) == u"Released" || phaseOf(volume) == u"Failed")
            return reclaimVolume(volume, std::move(done));
        return release();
    }
    unbindVolume(volume, std::move(done));
}

void PersistentVolumeController::reclaimVolume(const QJsonObject &volume, Done done)
{
    const QString policy =
        specOf(volume).value(u"persistentVolumeReclaimPolicy").toString(u"Retain"_s);
    if (policy == u"Retain")
        return done(true);
    auto fail = [this, volume, done](const QString &reason, const QString &message) {
        const bool changes = phaseOf(volume) != u"Failed";
        setVolumePhase(
            volume, u"Failed"_s,
            [this, changes, reason, message, done](const QJsonObject &failed) {
                if (changes)
                    m_events->event(withKind(failed, u"PersistentVolume"_s), u"Warning"_s, reason,
                                    message);
                done(true);
            },
            done, message);
    };
    if (policy == u"Delete") {
        const QString provisioner = annotation(volume, annProvisionedBy);
        if (!provisioner.isEmpty() && !provisioner.startsWith(u"kubernetes.io/"))
            return done(true); // its external provisioner deletes it
        // Only in-tree plugins delete volumes made by hand, and none of those applies here.
        if (specOf(volume).contains(u"hostPath"))
            return fail(u"VolumeFailedDelete"_s,
                        u"host_path deleter only supports /tmp/.+ but received provided %1"_s.arg(
                            objectAt(specOf(volume), u"hostPath").value(u"path").toString()));
        return fail(u"VolumeFailedDelete"_s,
                    u"error getting deleter volume plugin for volume \"%1\": no deletable volume "
                    "plugin matched"_s.arg(nameOf(volume)));
    }
    if (policy == u"Recycle")
        return fail(u"VolumeFailedRecycle"_s, u"No recycler plugin found for the volume!"_s);
    fail(u"VolumeUnknownReclaimPolicy"_s,
         u"Volume has unrecognized PersistentVolumeReclaimPolicy"_s);
}

// --- binding ------------------------------------------------------------------------------------

void PersistentVolumeController::bind(const QJsonObject &volume, const QJsonObject &claim,
                                      Done done)
{
    // The volume's claimRef first, then its phase, then the claim's volumeName, then its
    // status: whatever step fails, the next sync sees a half-made binding and completes it.
    QJsonObject boundVolume = volume;
    const QJsonObject ref = claimRefOf(volume);
    const bool volumeDirty = ref.value(u"name").toString() != nameOf(claim) ||
                             ref.value(u"namespace") != metaOf(claim).value(u"namespace") ||
                             ref.value(u"uid").toString() != uidOf(claim);
    if (volumeDirty)
        setSpec(boundVolume, u"claimRef"_s, claimReference(claim));
    const bool byController = !core::isVolumeBoundToClaim(volume, claim);
    if (byController && !hasAnnotation(volume, annBoundByController))
        setAnnotation(boundVolume, annBoundByController, u"yes"_s);

    auto bindClaim = [this, claim, done](const QJsonObject &volume) {
        const QString volumeName = nameOf(volume);
        QJsonObject boundClaim = claim;
        bool dirty = false;
        if (specOf(claim).value(u"volumeName").toString() != volumeName) {
            setSpec(boundClaim, u"volumeName"_s, volumeName);
            if (!hasAnnotation(claim, annBoundByController))
                setAnnotation(boundClaim, annBoundByController, u"yes"_s);
            dirty = true;
        }
        if (!hasAnnotation(claim, annBindCompleted)) {
            setAnnotation(boundClaim, annBindCompleted, u"yes"_s);
            dirty = true;
        }
        auto claimStatus = [this, volume, done](const QJsonObject &claim) {
            setClaimStatus(
                claim, u"Bound"_s, volume, [done](const QJsonObject &) { done(true); }, done);
        };
        if (!dirty)
            return claimStatus(claim);
        updateClaim(boundClaim, claimStatus, done);
    };
    auto volumePhase = [this, bindClaim, done](const QJsonObject &volume) {
        setVolumePhase(volume, u"Bound"_s, bindClaim, done);
    };
    if (boundVolume == volume)
        return volumePhase(volume);
    updateVolume(boundVolume, volumePhase, done);
}

void PersistentVolumeController::unbindVolume(const QJsonObject &volume, Done done)
{
    QJsonObject unbound = volume;
    if (hasAnnotation(volume, annBoundByController)) {
        setSpec(unbound, u"claimRef"_s, QJsonValue::Undefined);
        QJsonObject meta = metaOf(unbound);
        QJsonObject annotations = objectAt(meta, u"annotations");
        annotations.remove(annBoundByController);
        if (annotations.isEmpty())
            meta.remove(u"annotations"_s);
        else
            meta.insert(u"annotations"_s, annotations);
        unbound.insert(u"metadata"_s, meta);
    } else {
        // Pre-bound by the user: it stays reserved for that claim name.
        QJsonObject ref = claimRefOf(volume);
        ref.remove(u"uid"_s);
        setSpec(unbound, u"claimRef"_s, ref);
    }
    updateVolume(
        unbound,
        [this, done](const QJsonObject &v) {
            setVolumePhase(
                v, u"Available"_s, [done](const QJsonObject &) { done(true); }, done);
        },
        done);
}

void PersistentVolumeController::updateClaim(const QJsonObject &claim,
                                             std::function<void(QJsonObject)> next, Done done)
{
    const QString ns = metaOf(claim).value(u"namespace").toString();
    m_api.update(claims, ns, claim, {}, asController,
                 [this, next, done](client::Result<QJsonObject> updated) {
                     if (!updated) {
                         qCDebug(lcVolumes).noquote()
                             << "claim update failed:" << updated.error().message;
                         return done(false);
                     }
                     storeClaim(*updated);
                     next(*updated);
                 });
}

void PersistentVolumeController::updateVolume(const QJsonObject &volume,
                                              std::function<void(QJsonObject)> next, Done done)
{
    m_api.update(volumes, {}, volume, {}, asController,
                 [this, next, done](client::Result<QJsonObject> updated) {
                     if (!updated) {
                         qCDebug(lcVolumes).noquote()
                             << "volume update failed:" << updated.error().message;
                         return done(false);
                     }
                     storeVolume(*updated);
                     next(*updated);
                 });
}

void PersistentVolumeController::setVolumePhase(const QJsonObject &volume, const QString &phase,
                                                std::function<void(QJsonObject)> next, Done done,
                                                const QString &message)
{
    if (phaseOf(volume) == phase)
        return next(volume);
    QJsonObject changed = volume;
    QJsonObject status = objectAt(volume, u"status");
    status.insert(u"phase"_s, phase);
    if (message.isEmpty())
        status.remove(u"message"_s);
    else
        status.insert(u"message"_s, message);
    status.insert(u"lastPhaseTransitionTime"_s,
                  QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    changed.insert(u"status"_s, status);
    m_api.update(volumes, {}, changed, u"status"_s, asController,
                 [this, next, done](client::Result<QJsonObject> updated) {
                     if (!updated)
                         return done(false);
                     storeVolume(*updated);
                     next(*updated);
                 });
}

void PersistentVolumeController::setClaimStatus(const QJsonObject &claim, const QString &phase,
                                                const QJsonObject &volume,
                                                std::function<void(QJsonObject)> next, Done done)
{
    QJsonObject status = objectAt(claim, u"status");
    const QJsonObject old = status;
    status.insert(u"phase"_s, phase);
    if (volume.isEmpty()) {
        status.remove(u"accessModes"_s);
        status.remove(u"capacity"_s);
    } else {
        status.insert(u"accessModes"_s, specOf(volume).value(u"accessModes"));
        // The capacity is set when the claim becomes Bound, not after: a difference may be a
        // resize in progress.
        if (phaseOf(claim) != phase)
            status.insert(u"capacity"_s, specOf(volume).value(u"capacity"));
    }
    if (status == old)
        return next(claim);
    QJsonObject changed = claim;
    changed.insert(u"status"_s, status);
    m_api.update(claims, metaOf(claim).value(u"namespace").toString(), changed, u"status"_s,
                 asController, [this, next, done](client::Result<QJsonObject> updated) {
                     if (!updated)
                         return done(false);
                     storeClaim(*updated);
                     next(*updated);
                 });
}

} // namespace timonel::controllers
