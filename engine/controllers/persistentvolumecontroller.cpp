// The persistent volume controller's loop and its claims: the caches of claims, volumes and
// classes and what wakes which, the default StorageClass, and the sync of a claim: which volume
// it gets (pre-bound, the best match, or one its provisioner makes) and whether a bound claim
// lost its volume. The binding writes are in persistentvolumebinding.cpp; provisioning, the
// volumes' side and their reclaiming in persistentvolumereclaim.cpp.
#include "persistentvolumecontroller.h"

#include "persistentvolumecontroller_p.h"

#include "core/persistentvolumes.h"

#include "client/eventrecorder.h"
#include "client/informer.h"
#include "client/workqueue.h"
#include "core/labelselector.h"
#include "core/quantity.h"

#include <QJsonArray>
#include <QTimer>

#include <optional>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace timonel::controllers::persistentvolume;

namespace timonel::controllers {

namespace persistentvolume {
Q_LOGGING_CATEGORY(lcVolumes, "timonel.controllers.persistentvolume", QtInfoMsg)
} // namespace persistentvolume

namespace {

// kube-controller-manager's --pvclaimbinder-sync-period: unbound claims are looked at again this
// often (provisioning, the default class appearing, events that repeat as kubectl shows them).
constexpr auto resyncPeriod = 15s;

qint64 revisionOf(const QJsonObject &o)
{
    return metaOf(o).value(u"resourceVersion").toString().toLongLong();
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
        if (core::volumeModeOf(volume) != core::volumeModeOf(claim) ||
            !core::accessModesFit(claim, volume) || metaOf(volume).contains(u"deletionTimestamp"))
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

} // namespace timonel::controllers
