// The persistent volume controller's binding writes, as Kubernetes' bind and unbindVolume: the
// volume's claimRef and phase, then the claim's volumeName and status, each step written only
// when it changes, so that an interrupted binding is completed by the next sync.
#include "persistentvolumecontroller.h"

#include "persistentvolumecontroller_p.h"

#include "core/persistentvolumes.h"

#include <QDateTime>

using namespace Qt::StringLiterals;
using namespace timonel::controllers::persistentvolume;

namespace timonel::controllers {

namespace {

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

} // namespace

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
