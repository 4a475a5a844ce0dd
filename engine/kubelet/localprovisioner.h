// The node's local volume provisioner: what rancher's local-path-provisioner is on a KinD
// cluster, run by every node agent for its own node.
//
// A claim whose class names this provisioner (rancher.io/local-path, as the default class
// "standard"), that the persistent volume controller has handed to it
// (volume.kubernetes.io/storage-provisioner) and that the scheduler has placed on this node
// (volume.kubernetes.io/selected-node) gets a directory under the node's state directory and a
// PersistentVolume "pvc-<claim uid>" for it: a hostPath volume pinned to this node by
// nodeAffinity, sized and moded as the claim asks, with the class's reclaim policy, already
// pointing at the claim so the controller binds the two. When such a volume is Released and
// its policy is Delete, the provisioner removes the directory and then the volume.
#pragma once

#include "client/apiclient.h"
#include "volumes.h"

#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QString>

#include <memory>

namespace timonel::client {
class EventRecorder;
class Informer;
class WorkQueue;
} // namespace timonel::client

namespace timonel::kubelet {

class LocalProvisioner : public QObject
{
    Q_OBJECT
public:
    // `volumes` makes and removes the directories; it must outlive the provisioner.
    LocalProvisioner(client::ApiClient &api, const VolumeManager &volumes, QString nodeName,
                     QObject *parent = nullptr);
    ~LocalProvisioner() override;

    void start();
    void stop();

    // The provisioner name this one answers to, as KinD's.
    static QString provisionerName();

private:
    void syncClaim(const QString &key, std::function<void(bool)> done);
    void syncVolume(const QString &name, std::function<void(bool)> done);
    void provision(const QJsonObject &claim, const QJsonObject &storageClass,
                   std::function<void(bool)> done);
    QJsonObject volumeFor(const QJsonObject &claim, const QJsonObject &storageClass,
                          const QString &path) const;

    client::ApiClient &m_api;
    const VolumeManager &m_volumes;
    QString m_nodeName;
    std::unique_ptr<client::EventRecorder> m_events;
    std::unique_ptr<client::Informer> m_claimInformer;
    std::unique_ptr<client::Informer> m_volumeInformer;
    std::unique_ptr<client::Informer> m_classInformer;
    std::unique_ptr<client::WorkQueue> m_claimQueue;
    std::unique_ptr<client::WorkQueue> m_volumeQueue;
    QSet<QString> m_made; // created, not yet in the volume cache: not to be made twice
    bool m_running = false;
};

} // namespace timonel::kubelet
