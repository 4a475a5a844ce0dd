// Between choosing a node and binding the pod to it: the VolumeBinding plugin's PreBind. The
// pod's unbound WaitForFirstConsumer claims are pointed at the node (a pre-made volume reserved,
// or provisioning asked for there), and the pod is bound only once every claim is, so that its
// node agent never starts a pod whose volumes do not exist yet.
#include "scheduler.h"

#include "client/informer.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QPointer>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcScheduler)

namespace timonel::scheduler {

namespace {

const client::Resource claimsResource{QString(), u"v1"_s, u"persistentvolumeclaims"_s};
const client::Resource volumesResource{QString(), u"v1"_s, u"persistentvolumes"_s};
const client::WriteQuery asScheduler{u"kube-scheduler"_s, false, false};

// Kubernetes' default bindTimeoutSeconds.
constexpr qint64 bindTimeoutMs = 600 * 1000;
constexpr int volumeCheckMs = 1000;

QString keyOf(const QJsonObject &pod)
{
    const QJsonObject meta = pod.value(u"metadata").toObject();
    return meta.value(u"namespace").toString() + u'/' + meta.value(u"name").toString();
}

// Bound, and the binding confirmed by the persistent volume controller.
bool fullyBound(const QJsonObject &claim)
{
    return !claim.value(u"spec").toObject().value(u"volumeName").toString().isEmpty()
           && claim.value(u"metadata")
                  .toObject()
                  .value(u"annotations")
                  .toObject()
                  .contains(u"pv.kubernetes.io/bind-completed");
}

QString preBindFailure(const QString &why)
{
    return u"running PreBind plugin \"VolumeBinding\": "_s + why;
}

} // namespace

void Scheduler::unassume(const QString &key)
{
    if (m_assumed.remove(key))
        m_snapshotDirty = true;
}

void Scheduler::onStorageChanged()
{
    // A claim bound, a volume or class created: pods waiting for them may go now.
    checkVolumeWaits();
    moveAllToActive();
}

void Scheduler::preBind(const QJsonObject &pod, const QString &node)
{
    const QList<VolumeBindingWrite> writes =
        podClaimNames(pod).isEmpty()
            ? QList<VolumeBindingWrite>()
            : volumeBindingWrites(pod, m_nodes->get({}, node), m_volumeListers);
    const QString key = keyOf(pod);
    auto wait = [this, pod, node, key] {
        m_volumeWaits.insert(key, {pod, node, QDateTime::currentMSecsSinceEpoch() + bindTimeoutMs});
        if (!m_volumeTimer->isActive())
            m_volumeTimer->start(volumeCheckMs);
        checkVolumeWaits();
    };
    if (writes.isEmpty()) {
        // Nothing to write: bind now, or once claims bound elsewhere are confirmed.
        if (podClaimNames(pod).isEmpty())
            return bind(pod, node);
        return wait();
    }
    struct Pending
    {
        qsizetype left = 0;
        QString error;
    };
    auto pending = std::make_shared<Pending>(Pending{writes.size(), {}});
    for (const VolumeBindingWrite &w : writes) {
        const bool claim = w.target == VolumeBindingWrite::Target::Claim;
        m_api.patch(claim ? claimsResource : volumesResource, w.ns, w.name,
                    client::PatchType::Merge, w.mergePatch, {}, asScheduler,
                    [self = QPointer<Scheduler>(this), pending, pod, key, wait](
                        client::Result<QJsonObject> r) {
                        if (!self)
                            return;
                        if (!r && pending->error.isEmpty())
                            pending->error = r.error().message;
                        if (--pending->left > 0)
                            return;
                        if (pending->error.isEmpty())
                            return wait();
                        qCInfo(lcScheduler) << "binding the volumes of" << key
                                            << "failed:" << pending->error;
                        self->unassume(key);
                        self->failed(pod, u"SchedulerError"_s,
                                     preBindFailure(u"binding volumes: "_s + pending->error));
                        self->backOff(key, true);
                    });
    }
}

void Scheduler::checkVolumeWaits()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (auto it = m_volumeWaits.begin(); it != m_volumeWaits.end();) {
        const VolumeWait &w = *it;
        const QString ns = w.pod.value(u"metadata").toObject().value(u"namespace").toString();
        bool bound = true;
        for (const QString &claim : podClaimNames(w.pod))
            bound = bound && fullyBound(m_claims->get(ns, claim));
        if (bound) {
            const VolumeWait ready = *it;
            it = m_volumeWaits.erase(it);
            bind(ready.pod, ready.node);
        } else if (now >= w.deadlineMs) {
            const VolumeWait expired = *it;
            it = m_volumeWaits.erase(it);
            const QString key = keyOf(expired.pod);
            unassume(key);
            failed(expired.pod, u"SchedulerError"_s,
                   preBindFailure(u"binding volumes: context deadline exceeded"_s));
            backOff(key, true);
        } else {
            ++it;
        }
    }
    if (m_volumeWaits.isEmpty())
        m_volumeTimer->stop();
}

} // namespace timonel::scheduler
