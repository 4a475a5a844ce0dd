// Where the persistent volume controller's volumes come from and where they go: a claim of a
// class is handed to the class's provisioner; a volume follows its claim (Available, Bound,
// Released when the claim goes) and is then reclaimed as its policy says (Retain, Delete,
// Recycle).
#include "persistentvolumecontroller.h"

#include "persistentvolumecontroller_p.h"

#include "core/persistentvolumes.h"

#include "client/eventrecorder.h"
#include "client/informer.h"
#include "client/workqueue.h"

using namespace Qt::StringLiterals;
using namespace timonel::controllers::persistentvolume;

namespace timonel::controllers {

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

} // namespace timonel::controllers
