// The persistent volume controller (kube-controller-manager's persistentvolume-binder): binds
// claims to volumes and keeps both in step, as pkg/controller/volume/persistentvolume does.
//
// A claim is bound to the smallest available volume of its class that satisfies it (access
// modes, capacity, selector, volumeName), or to the volume its provisioner makes for it: the
// controller marks the claim for the class's provisioner (volume.kubernetes.io/storage-
// provisioner) and waits for the volume, which the provisioner creates already pointing at the
// claim. Claims of a WaitForFirstConsumer class wait for the scheduler: it reserves a volume
// for them or names the node to provision on (volume.kubernetes.io/selected-node). Binding
// writes the volume's spec.claimRef, then the claim's spec.volumeName, then both statuses.
// When a claim goes, its volume is Released; volumes of reclaim policy Delete are deleted by
// their provisioner. Claims without a class get the default class.
//
// At start the controller creates the default StorageClass "standard" if it is missing, as KinD
// installs it: provisioner rancher.io/local-path (the node agents' LocalProvisioner answers to
// that name, so StorageClasses written for KinD work unchanged), reclaim policy Delete,
// WaitForFirstConsumer.
#pragma once

#include "client/apiclient.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>

#include <functional>
#include <memory>

namespace timonel::client {
class EventRecorder;
class Informer;
class WorkQueue;
} // namespace timonel::client

namespace timonel::controllers {

class PersistentVolumeController : public QObject
{
    Q_OBJECT
public:
    explicit PersistentVolumeController(client::ApiClient &api, QObject *parent = nullptr);
    ~PersistentVolumeController() override;

    void start();
    void stop();

    // The default StorageClass the controller creates, as KinD's.
    static QJsonObject defaultStorageClass();

private:
    using Done = std::function<void(bool ok)>;

    void ensureDefaultClass();
    void storeClaim(const QJsonObject &claim);
    void storeVolume(const QJsonObject &volume);

    void syncClaim(const QString &key, Done done);
    void syncUnboundClaim(const QJsonObject &claim, Done done);
    void syncPreboundClaim(const QJsonObject &claim, Done done);
    void syncBoundClaim(const QJsonObject &claim, Done done);
    void provisionClaim(const QJsonObject &claim, Done done);
    void syncVolume(const QString &name, Done done);
    void syncVolumeWithClaim(const QJsonObject &volume, const QJsonObject &claim, Done done);
    void reclaimVolume(const QJsonObject &volume, Done done);

    // The binding steps; each writes only when something changes.
    void bind(const QJsonObject &volume, const QJsonObject &claim, Done done);
    void unbindVolume(const QJsonObject &volume, Done done);
    void updateClaim(const QJsonObject &claim, std::function<void(QJsonObject)> next, Done done);
    void updateVolume(const QJsonObject &volume, std::function<void(QJsonObject)> next, Done done);
    void setVolumePhase(const QJsonObject &volume, const QString &phase,
                        std::function<void(QJsonObject)> next, Done done,
                        const QString &message = {});
    void setClaimStatus(const QJsonObject &claim, const QString &phase, const QJsonObject &volume,
                        std::function<void(QJsonObject)> next, Done done);

    QJsonObject findBestMatch(const QJsonObject &claim, bool delayBinding) const;
    bool isDelayBinding(const QJsonObject &claim) const;
    QJsonObject defaultClass() const;

    client::ApiClient &m_api;
    std::unique_ptr<client::EventRecorder> m_events;
    std::unique_ptr<client::Informer> m_claimInformer;
    std::unique_ptr<client::Informer> m_volumeInformer;
    std::unique_ptr<client::Informer> m_classInformer;
    std::unique_ptr<client::WorkQueue> m_claimQueue;
    std::unique_ptr<client::WorkQueue> m_volumeQueue;
    // The newest version seen of every claim and volume: from the informers and from the
    // controller's own writes, which the informers may not have delivered yet (binding makes
    // four writes whose events arrive in any order).
    QHash<QString, QJsonObject> m_claims;  // "ns/name"
    QHash<QString, QJsonObject> m_volumes; // name
    bool m_running = false;
};

} // namespace timonel::controllers
