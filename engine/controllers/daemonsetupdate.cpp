// How a DaemonSet moves to a new template, as Kubernetes' daemon/update.go: the history of its
// templates as ControllerRevisions, and the rolling update that replaces pods node by node
// within maxUnavailable, or next to the old ones within maxSurge.
#include "daemonsetcontroller.h"
#include "daemonsetcontroller_p.h"

#include "client/informer.h"
#include "controllers/statefulsetcontroller.h" // revisionData, revisionHash

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace timonel::controllers {

using namespace daemonset;

void DaemonSetController::currentRevision(const QJsonObject &ds,
                                          std::function<void(std::optional<QJsonObject>)> done)
{
    const QJsonObject data = revisionData(ds);
    QJsonObject current;
    qint64 newest = 0;
    for (const QJsonObject &r : ownedRevisions(ds)) {
        if (r.value(u"data").toObject() == data)
            current = r;
        else
            newest = std::max(newest, r.value(u"revision").toInteger());
    }
    const qint64 number = newest + 1;
    if (!current.isEmpty()) {
        if (current.value(u"revision").toInteger() >= number)
            return done(current);
        // Back to an earlier template: its revision becomes the newest again.
        const QJsonObject patch{{u"revision"_s, number}};
        m_api.patch(revisionsResource, nsOf(ds), nameOf(current), client::PatchType::Merge,
                    QJsonDocument(patch).toJson(QJsonDocument::Compact), {}, asController,
                    guarded(this, [done](Reply r) {
                        done(r ? std::optional(*r) : std::nullopt);
                    }));
        return;
    }
    const QJsonValue collisions = statusOf(ds).value(u"collisionCount");
    const QString hash = revisionHash(
        QJsonDocument(specOf(ds).value(u"template").toObject()).toJson(QJsonDocument::Compact),
        collisions.isDouble() ? std::optional(collisions.toInt()) : std::nullopt);
    const QJsonObject podTemplate = specOf(ds).value(u"template").toObject();
    QJsonObject labels = podTemplate.value(u"metadata").toObject().value(u"labels").toObject();
    labels.insert(revisionLabel, hash);
    QJsonObject meta{{u"name"_s, nameOf(ds) + u'-' + hash},
                     {u"namespace"_s, nsOf(ds)},
                     {u"labels"_s, labels},
                     {u"ownerReferences"_s, QJsonArray{controllerReference(ds)}}};
    if (const QJsonObject a = metaOf(ds).value(u"annotations").toObject(); !a.isEmpty())
        meta.insert(u"annotations"_s, a);
    const QJsonObject revision{{u"apiVersion"_s, u"apps/v1"_s},
                               {u"kind"_s, u"ControllerRevision"_s},
                               {u"metadata"_s, meta},
                               {u"data"_s, data},
                               {u"revision"_s, number}};
    m_api.create(revisionsResource, nsOf(ds), revision, asController,
                 guarded(this, [this, ds, data, meta, collisions, done](Reply r) {
        if (r)
            return done(*r);
        if (!r.error().isConflict()) {
            qCWarning(lcDaemonSets).noquote() << "cannot create revision:" << r.error().message;
            return done(std::nullopt);
        }
        m_api.get(revisionsResource, nsOf(ds), meta.value(u"name").toString(),
                  guarded(this, [this, ds, data, collisions, done](Reply existing) {
            if (existing && existing->value(u"data").toObject() == data
                && controllerUid(*existing) == uidOf(ds))
                return done(*existing); // ours, made by a pass the cache had not caught up with
            if (!existing)
                return done(std::nullopt);
            // A collision: a higher count gives the next pass another name.
            const QJsonObject patch{
                {u"status"_s, QJsonObject{{u"collisionCount"_s, collisions.toInt() + 1}}}};
            m_api.patch(daemonSetsResource, nsOf(ds), nameOf(ds), client::PatchType::Merge,
                        QJsonDocument(patch).toJson(QJsonDocument::Compact), u"status"_s,
                        asController, [done](Reply) { done(std::nullopt); });
        }));
    }));
}

void DaemonSetController::cleanupHistory(const QJsonObject &ds, const QJsonObject &current)
{
    // Revisions some pod still runs stay; of the others the oldest go beyond the limit.
    QSet<QString> live{labelsOf(current).value(revisionLabel).toString()};
    for (const QJsonObject &pod : m_pods->list())
        if (nsOf(pod) == nsOf(ds) && controllerUid(pod) == uidOf(ds))
            live.insert(labelsOf(pod).value(revisionLabel).toString());
    QList<QJsonObject> old;
    for (const QJsonObject &r : ownedRevisions(ds))
        if (nameOf(r) != nameOf(current)
            && !live.contains(labelsOf(r).value(revisionLabel).toString()))
            old.append(r);
    const int limit = specOf(ds).value(u"revisionHistoryLimit").toInt(10);
    for (qsizetype i = 0; i < old.size() - limit; ++i)
        m_api.remove(revisionsResource, nsOf(ds), nameOf(old[i]), {}, [](Reply) {});
}

DaemonSetController::Changes DaemonSetController::rollingUpdate(const QJsonObject &ds,
                                                                NodePods nodePods,
                                                                const QString &hash) const
{
    int desired = 0;
    QHash<QString, QJsonObject> nodes;
    for (const QJsonObject &node : m_nodes->list()) {
        nodes.insert(nameOf(node), node);
        if (daemonPlacement(node, ds).shouldRun) {
            ++desired;
            if (!nodePods.contains(nameOf(node)))
                nodePods.insert(nameOf(node), {});
        }
    }
    const int maxSurge = surgeCount(ds, desired);
    int maxUnavailable = scaled(rollingUpdateOf(ds).value(u"maxUnavailable"), desired, 1);
    if (desired > 0 && maxUnavailable == 0 && maxSurge == 0)
        maxUnavailable = 1; // an impossible configuration gets Kubernetes' default
    const auto generation = templateGeneration(ds);

    // The node's one new and one old pod; false when it has more, for manage() to sort out.
    auto split = [&](const QList<QJsonObject> &pods, QJsonObject *newPod, QJsonObject *oldPod) {
        for (const QJsonObject &pod : pods) {
            if (isBeingDeleted(pod))
                continue;
            QJsonObject *slot = isUpdated(pod, hash, generation) ? newPod : oldPod;
            if (!slot->isEmpty())
                return false;
            *slot = pod;
        }
        return true;
    };
    Changes changes;
    if (maxSurge == 0) {
        // Delete old pods only as far as maxUnavailable allows; manage() replaces them. An old
        // pod that is not available anyway may always go.
        int unavailable = 0;
        QList<QJsonObject> candidates;
        for (auto it = nodePods.cbegin(); it != nodePods.cend(); ++it) {
            QJsonObject newPod, oldPod;
            if (!split(*it, &newPod, &oldPod) || newPod.isEmpty() == oldPod.isEmpty()) {
                ++unavailable;
            } else if (!newPod.isEmpty()) {
                unavailable += !isAvailable(newPod, ds);
            } else if (!isAvailable(oldPod, ds)) {
                changes.remove.append(oldPod);
                ++unavailable;
            } else if (unavailable < maxUnavailable) {
                candidates.append(oldPod);
            }
        }
        changes.remove.append(candidates.mid(0, std::clamp(maxUnavailable - unavailable, 0,
                                                           int(candidates.size()))));
        return changes;
    }
    // Surging: a new pod next to each old one, up to maxSurge at once (at once where the old
    // pod is not available anyway); the old pod goes when the new one is available.
    int surging = 0;
    QStringList candidates;
    for (auto it = nodePods.cbegin(); it != nodePods.cend(); ++it) {
        QJsonObject newPod, oldPod;
        if (!split(*it, &newPod, &oldPod)) {
            ++surging;
        } else if (oldPod.isEmpty()) {
            continue;
        } else if (newPod.isEmpty()) {
            if (isAvailable(oldPod, ds))
                candidates.append(it.key());
            else if (nodes.contains(it.key())
                     && daemonPlacement(nodes.value(it.key()), ds).shouldRun)
                changes.createOn.append(it.key());
            else
                changes.remove.append(oldPod);
        } else if (!isAvailable(newPod, ds)) {
            ++surging;
        } else {
            changes.remove.append(oldPod);
        }
    }
    changes.createOn.append(
        candidates.mid(0, std::clamp(maxSurge - surging, 0, int(candidates.size()))));
    return changes;
}

} // namespace timonel::controllers
