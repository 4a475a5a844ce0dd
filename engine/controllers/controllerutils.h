// What the workload controllers share, as kube-controller-manager's controller_utils.go: owner
// references, pod states, pods made from templates, and the expectations that keep a controller
// from acting twice on a cache that has not yet seen its own writes.
#pragma once

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QSet>
#include <QString>

namespace timonel::controllers {

// {apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true} for `owner`.
QJsonObject controllerReference(const QJsonObject &owner);
// The uid of the object's controlling owner (ownerReferences[].controller), or "".
QString controllerUid(const QJsonObject &object);

// Not Succeeded, not Failed and not being deleted: a pod that counts towards replicas.
bool isPodActive(const QJsonObject &pod);
// The Ready condition is True.
bool isPodReady(const QJsonObject &pod);
// Ready for at least minReadySeconds at `now`.
bool isPodAvailable(const QJsonObject &pod, int minReadySeconds, const QDateTime &now);
bool isBeingDeleted(const QJsonObject &object);

// A pod for `owner` from its pod template: the template's labels, annotations and spec, the
// owner's namespace, generateName "<prefix>" (the API server completes the name), and a
// controller reference to the owner.
QJsonObject podFromTemplate(const QJsonObject &owner, const QJsonObject &podTemplate,
                            const QString &generateNamePrefix);

// "ns/name" (or "name" for cluster-scoped objects), the work-queue key of an object.
QString keyOf(const QJsonObject &object);

// Creations and deletions a controller has asked for and not yet seen in its informers, per
// controller key. Until they are observed (or five minutes pass, in case a watch event was
// missed) the controller does not act on its counts, so it never creates a pod twice.
class Expectations
{
public:
    void expectCreations(const QString &key, int count);
    void expectDeletions(const QString &key, const QSet<QString> &podUids);
    void creationObserved(const QString &key);
    // A create that failed will never be observed.
    void creationFailed(const QString &key) { creationObserved(key); }
    void deletionObserved(const QString &key, const QString &podUid);
    bool satisfied(const QString &key) const;
    void forget(const QString &key) { m_pending.remove(key); }

private:
    struct Pending
    {
        int creations = 0;
        QSet<QString> deletions;
        QDateTime since;
    };
    QHash<QString, Pending> m_pending;
};

} // namespace timonel::controllers
