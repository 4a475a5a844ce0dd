#include "localprovisioner.h"

#include "core/persistentvolumes.h"

#include "client/eventrecorder.h"
#include "client/informer.h"
#include "client/workqueue.h"

#include <QJsonArray>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcProvisioner, "timonel.kubelet.localprovisioner", QtInfoMsg)

namespace timonel::kubelet {

namespace {

const client::Resource claims{u""_s, u"v1"_s, u"persistentvolumeclaims"_s};
const client::Resource volumes{u""_s, u"v1"_s, u"persistentvolumes"_s};
const client::Resource classes{u"storage.k8s.io"_s, u"v1"_s, u"storageclasses"_s};

const QString annSelectedNode = u"volume.kubernetes.io/selected-node"_s;
const QString annStorageProvisioner = u"volume.kubernetes.io/storage-provisioner"_s;
const QString annBetaStorageProvisioner = u"volume.beta.kubernetes.io/storage-provisioner"_s;
const QString annProvisionedBy = u"pv.kubernetes.io/provisioned-by"_s;
const QString hostnameLabel = u"kubernetes.io/hostname"_s;

// Failed work is retried by the queues; the resync catches anything an event did not bring.
constexpr auto resyncPeriod = 30s;

QJsonObject objectAt(const QJsonObject &o, QStringView key)
{
    return o.value(key).toObject();
}

QJsonObject metaOf(const QJsonObject &o)
{
    return objectAt(o, u"metadata");
}

QString annotation(const QJsonObject &o, const QString &key)
{
    return objectAt(metaOf(o), u"annotations").value(key).toString();
}

QString volumeNameFor(const QJsonObject &claim)
{
    return u"pvc-"_s + metaOf(claim).value(u"uid").toString();
}

// The node a volume of this provisioner lives on: its nodeAffinity's hostname.
QString nodeOf(const QJsonObject &volume)
{
    const QJsonObject required =
        objectAt(objectAt(objectAt(volume, u"spec"), u"nodeAffinity"), u"required");
    for (const QJsonValue &term : required.value(u"nodeSelectorTerms").toArray())
        for (const QJsonValue &e : term.toObject().value(u"matchExpressions").toArray()) {
            const QJsonObject expr = e.toObject();
            if (expr.value(u"key").toString() == hostnameLabel &&
                expr.value(u"operator").toString() == u"In")
                return expr.value(u"values").toArray().first().toString();
        }
    return {};
}

QJsonObject withKind(QJsonObject o, const QString &kind)
{
    o.insert(u"apiVersion"_s, u"v1"_s);
    o.insert(u"kind"_s, kind);
    return o;
}

} // namespace

LocalProvisioner::LocalProvisioner(client::ApiClient &api, const VolumeManager &volumes,
                                   QString nodeName, QObject *parent)
    : QObject(parent), m_api(api), m_volumes(volumes), m_nodeName(std::move(nodeName)),
      // As the external provisioners name themselves: provisioner and where it runs.
      m_events(std::make_unique<client::EventRecorder>(api, provisionerName() + u'_' + m_nodeName))
{
}

LocalProvisioner::~LocalProvisioner() = default;

QString LocalProvisioner::provisionerName()
{
    return u"rancher.io/local-path"_s;
}

void LocalProvisioner::start()
{
    if (m_running)
        return;
    m_running = true;
    auto handler = [this](auto sync) {
        return [this, sync](const QString &key, client::WorkQueue::Done done) {
            (this->*sync)(key, [done](bool ok) {
                done(ok ? client::WorkQueue::Outcome::Done : client::WorkQueue::Outcome::Retry);
            });
        };
    };
    m_claimQueue = std::make_unique<client::WorkQueue>(handler(&LocalProvisioner::syncClaim), 1);
    m_volumeQueue = std::make_unique<client::WorkQueue>(handler(&LocalProvisioner::syncVolume), 1);
    m_claimQueue->setBackoffLimits(100ms, 30s);
    m_volumeQueue->setBackoffLimits(100ms, 30s);

    client::InformerOptions periodic;
    periodic.resyncPeriod = resyncPeriod;
    m_claimInformer = std::make_unique<client::Informer>(m_api, claims, periodic);
    m_volumeInformer = std::make_unique<client::Informer>(m_api, volumes, periodic);
    m_classInformer = std::make_unique<client::Informer>(m_api, classes);

    auto onClaim = [this](const QJsonObject &claim) {
        m_claimQueue->add(client::Informer::keyOf(claim));
    };
    auto onVolume = [this](const QJsonObject &volume) {
        const QString name = metaOf(volume).value(u"name").toString();
        m_made.remove(name);
        m_volumeQueue->add(name);
    };
    connect(m_claimInformer.get(), &client::Informer::added, this, onClaim);
    connect(m_claimInformer.get(), &client::Informer::updated, this,
            [onClaim](const QJsonObject &, const QJsonObject &claim) { onClaim(claim); });
    connect(m_volumeInformer.get(), &client::Informer::added, this, onVolume);
    connect(m_volumeInformer.get(), &client::Informer::updated, this,
            [onVolume](const QJsonObject &, const QJsonObject &volume) { onVolume(volume); });
    m_claimInformer->start();
    m_volumeInformer->start();
    m_classInformer->start();
}

void LocalProvisioner::stop()
{
    if (m_claimQueue)
        m_claimQueue->shutDown();
    if (m_volumeQueue)
        m_volumeQueue->shutDown();
    // Stopped, not destroyed: a sync still under way may read them.
    for (client::Informer *informer :
         {m_claimInformer.get(), m_volumeInformer.get(), m_classInformer.get()})
        if (informer)
            informer->stop();
    m_running = false;
}

void LocalProvisioner::syncClaim(const QString &key, std::function<void(bool)> done)
{
    // The caches must be complete before "no volume yet" means one is to be made.
    if (!m_claimInformer->hasSynced() || !m_volumeInformer->hasSynced() ||
        !m_classInformer->hasSynced()) {
        m_claimQueue->addAfter(key, 100ms);
        return done(true);
    }
    const qsizetype slash = key.indexOf(u'/');
    const QJsonObject claim = m_claimInformer->get(key.left(slash), key.mid(slash + 1));
    if (claim.isEmpty() || metaOf(claim).contains(u"deletionTimestamp"))
        return done(true);
    if (!objectAt(claim, u"spec").value(u"volumeName").toString().isEmpty())
        return done(true); // bound already
    if (annotation(claim, annSelectedNode) != m_nodeName)
        return done(true); // for another node, or not scheduled yet
    // The persistent volume controller hands the claim over with this annotation.
    if (annotation(claim, annStorageProvisioner) != provisionerName() &&
        annotation(claim, annBetaStorageProvisioner) != provisionerName())
        return done(true);
    const QJsonObject cls = m_classInformer->get({}, core::claimStorageClass(claim));
    if (cls.value(u"provisioner").toString() != provisionerName())
        return done(true);
    const QString name = volumeNameFor(claim);
    if (m_made.contains(name) || !m_volumeInformer->get({}, name).isEmpty())
        return done(true); // made already; the controller binds it
    provision(claim, cls, std::move(done));
}

void LocalProvisioner::provision(const QJsonObject &claim, const QJsonObject &storageClass,
                                 std::function<void(bool)> done)
{
    const QJsonObject involved = withKind(claim, u"PersistentVolumeClaim"_s);
    const QJsonObject meta = metaOf(claim);
    const QString className = metaOf(storageClass).value(u"name").toString();
    const QString name = volumeNameFor(claim);
    m_events->event(involved, u"Normal"_s, u"Provisioning"_s,
                    u"External provisioner is provisioning volume for claim \"%1/%2\""_s.arg(
                        meta.value(u"namespace").toString(), meta.value(u"name").toString()));
    auto failed = [this, involved, className](const QString &why) {
        m_events->event(
            involved, u"Warning"_s, u"ProvisioningFailed"_s,
            u"failed to provision volume with StorageClass \"%1\": %2"_s.arg(className, why));
    };
    if (objectAt(claim, u"spec").value(u"volumeMode").toString() == u"Block") {
        failed(u"%1 does not support block volume provisioning"_s.arg(provisionerName()));
        return done(true); // a claim's volumeMode does not change: nothing to retry
    }
    // A mkdir on the node's own disk: quick enough for the event loop.
    const auto path = m_volumes.provisionLocalVolume(name);
    if (!path) {
        failed(path.error());
        return done(false);
    }
    m_api.create(volumes, {}, volumeFor(claim, storageClass, *path),
                 {provisionerName(), false, false},
                 [this, involved, name, failed, done](client::Result<QJsonObject> created) {
                     if (!created && created.error().code != 409) {
                         failed(created.error().message);
                         return done(false);
                     }
                     qCInfo(lcProvisioner).noquote() << "provisioned" << name;
                     if (m_volumeInformer->get({}, name).isEmpty())
                         m_made.insert(name); // until the cache has it
                     m_events->event(involved, u"Normal"_s, u"ProvisioningSucceeded"_s,
                                     u"Successfully provisioned volume %1"_s.arg(name));
                     done(true);
                 });
}

QJsonObject LocalProvisioner::volumeFor(const QJsonObject &claim, const QJsonObject &storageClass,
                                        const QString &path) const
{
    const QJsonObject meta = metaOf(claim);
    const QJsonObject spec = objectAt(claim, u"spec");
    const QJsonValue storage =
        objectAt(objectAt(spec, u"resources"), u"requests").value(u"storage");
    QJsonObject volumeSpec{
        {u"capacity"_s, QJsonObject{{u"storage"_s, storage}}},
        {u"accessModes"_s, spec.value(u"accessModes")},
        {u"persistentVolumeReclaimPolicy"_s,
         storageClass.value(u"reclaimPolicy").toString(u"Delete"_s)},
        {u"storageClassName"_s, metaOf(storageClass).value(u"name")},
        {u"volumeMode"_s, u"Filesystem"_s},
        // A hostPath volume as KinD's provisioner makes them; the directory is created when
        // missing, so a volume whose directory was lost still mounts.
        {u"hostPath"_s, QJsonObject{{u"path"_s, path}, {u"type"_s, u"DirectoryOrCreate"_s}}},
        {u"nodeAffinity"_s,
         QJsonObject{
             {u"required"_s,
              QJsonObject{
                  {u"nodeSelectorTerms"_s,
                   QJsonArray{QJsonObject{
                       {u"matchExpressions"_s,
                        QJsonArray{QJsonObject{{u"key"_s, hostnameLabel},
                                               {u"operator"_s, u"In"_s},
                                               {u"values"_s, QJsonArray{m_nodeName}}}}}}}}}}}},
        // Already the claim's: the controller sees a pre-bound volume and completes the binding.
        {u"claimRef"_s, QJsonObject{{u"kind"_s, u"PersistentVolumeClaim"_s},
                                    {u"namespace"_s, meta.value(u"namespace")},
                                    {u"name"_s, meta.value(u"name")},
                                    {u"uid"_s, meta.value(u"uid")},
                                    {u"apiVersion"_s, u"v1"_s},
                                    {u"resourceVersion"_s, meta.value(u"resourceVersion")}}},
    };
    if (const QJsonArray options = storageClass.value(u"mountOptions").toArray();
        !options.isEmpty())
        volumeSpec.insert(u"mountOptions"_s, options);
    return QJsonObject{
        {u"apiVersion"_s, u"v1"_s},
        {u"kind"_s, u"PersistentVolume"_s},
        {u"metadata"_s,
         QJsonObject{{u"name"_s, volumeNameFor(claim)},
                     {u"annotations"_s, QJsonObject{{annProvisionedBy, provisionerName()}}}}},
        {u"spec"_s, volumeSpec},
    };
}

void LocalProvisioner::syncVolume(const QString &name, std::function<void(bool)> done)
{
    const QJsonObject volume = m_volumeInformer->get({}, name);
    if (volume.isEmpty() || annotation(volume, annProvisionedBy) != provisionerName() ||
        nodeOf(volume) != m_nodeName)
        return done(true);
    const QJsonObject spec = objectAt(volume, u"spec");
    if (objectAt(volume, u"status").value(u"phase").toString() != u"Released" ||
        spec.value(u"persistentVolumeReclaimPolicy").toString() != u"Delete")
        return done(true); // in use, or kept (Retain) for its owner to deal with
    // The data first: a volume object left behind is retried, a directory would be forgotten.
    m_volumes.deleteLocalVolume(name);
    m_api.remove(volumes, {}, name, {}, [name, done](client::Result<QJsonObject> removed) {
        if (!removed && !removed.error().isNotFound()) {
            qCWarning(lcProvisioner).noquote()
                << "cannot delete volume" << name << removed.error().message;
            return done(false);
        }
        qCInfo(lcProvisioner).noquote() << "deleted" << name;
        done(true);
    });
}

} // namespace timonel::kubelet
