// The writes of a StatefulSet pass, as Kubernetes' stateful_pod_control.go: pods with their
// claims created first, deleted, updated to their identity; claims given their owners; each
// with the Event Kubernetes records.
#include "statefulsetcontroller.h"
#include "statefulsetcontroller_p.h"

#include "client/eventrecorder.h"
#include "client/informer.h"
#include "controllers/controllerutils.h"

#include <QJsonDocument>

#include <memory>

using namespace Qt::StringLiterals;

namespace timonel::controllers {

using namespace statefulset;

void StatefulSetController::runPhases(QList<QList<Step>> phases, std::function<void(bool ok)> done)
{
    if (phases.isEmpty())
        return done(true);
    const QList<Step> phase = phases.takeFirst();
    struct Join
    {
        qsizetype pending;
        bool ok = true;
    };
    auto join = std::make_shared<Join>(Join{phase.size()});
    for (const Step &step : phase)
        step([this, join, phases, done](bool ok) {
            join->ok &= ok;
            if (--join->pending > 0)
                return;
            if (!join->ok)
                return done(false);
            runPhases(phases, done);
        });
}

StatefulSetController::Step StatefulSetController::createPodStep(const QJsonObject &set,
                                                                 const QJsonObject &pod)
{
    return [this, set, pod](std::function<void(bool)> done) {
        // The claims first, so that the pod never starts without its storage.
        createClaims(set, pod, [this, set, pod, done](bool ok) {
            if (!ok)
                return done(false);
            m_api.create(podsResource, nsOf(set), pod, asController,
                         guarded(this, [this, set, pod, done](Reply r) {
                if (r) {
                    remember(*r, false);
                    m_events->event(set, u"Normal"_s, u"SuccessfulCreate"_s,
                                    u"create Pod %1 in StatefulSet %2 successful"_s.arg(
                                        nameOf(pod), nameOf(set)));
                } else if (!r.error().isConflict()) { // AlreadyExists is not worth an event
                    m_events->event(set, u"Warning"_s, u"FailedCreate"_s,
                                    u"create Pod %1 in StatefulSet %2 failed error: %3"_s.arg(
                                        nameOf(pod), nameOf(set), r.error().message));
                }
                done(bool(r));
            }));
        });
    };
}

StatefulSetController::Step StatefulSetController::createClaimsStep(const QJsonObject &set,
                                                                    const QJsonObject &pod)
{
    return [this, set, pod](std::function<void(bool)> done) { createClaims(set, pod, done); };
}

void StatefulSetController::createClaims(const QJsonObject &set, const QJsonObject &pod,
                                         std::function<void(bool ok)> done)
{
    QList<QJsonObject> missing;
    for (QJsonObject claim : claimsFor(set, ordinalOf(pod))) {
        const QJsonObject cached = m_claims->get(nsOf(set), nameOf(claim));
        if (isBeingDeleted(cached)) {
            qCInfo(lcStatefulSets).noquote() << "pvc" << nameOf(claim) << "is being deleted";
            return done(false);
        }
        if (!cached.isEmpty())
            continue;
        // A new claim gets the owners its retention policy asks for straight away.
        if (const auto owners = claimOwnersFor(claim, set, pod); owners && !owners->isEmpty()) {
            QJsonObject meta = metaOf(claim);
            meta.insert(u"ownerReferences"_s, *owners);
            claim.insert(u"metadata"_s, meta);
        }
        missing.append(claim);
    }
    if (missing.isEmpty())
        return done(true);
    struct Join
    {
        qsizetype pending;
        bool ok = true;
    };
    auto join = std::make_shared<Join>(Join{missing.size()});
    for (const QJsonObject &claim : std::as_const(missing))
        m_api.create(claimsResource, nsOf(set), claim, asController,
                     guarded(this, [this, set, pod, claim, join, done](Reply r) {
            // AlreadyExists: made by an earlier pass the cache has not caught up with.
            if (r) {
                m_events->event(set, u"Normal"_s, u"SuccessfulCreate"_s,
                                u"create Claim %1 Pod %2 in StatefulSet %3 success"_s.arg(
                                    nameOf(claim), nameOf(pod), nameOf(set)));
            } else if (!r.error().isConflict()) {
                join->ok = false;
                m_events->event(set, u"Warning"_s, u"FailedCreate"_s,
                                u"create Claim %1 for Pod %2 in StatefulSet %3 failed error: %4"_s
                                    .arg(nameOf(claim), nameOf(pod), nameOf(set),
                                         r.error().message));
            }
            if (--join->pending == 0)
                done(join->ok);
        }));
}

StatefulSetController::Step StatefulSetController::deletePodStep(const QJsonObject &set,
                                                                 const QJsonObject &pod)
{
    return [this, set, pod](std::function<void(bool)> done) {
        m_api.remove(podsResource, nsOf(pod), nameOf(pod), {},
                     guarded(this, [this, set, pod, done](Reply r) {
            if (r) {
                remember(*r, !isBeingDeleted(*r));
                m_events->event(set, u"Normal"_s, u"SuccessfulDelete"_s,
                                u"delete Pod %1 in StatefulSet %2 successful"_s.arg(nameOf(pod),
                                                                                   nameOf(set)));
            } else if (!r.error().isNotFound()) {
                m_events->event(set, u"Warning"_s, u"FailedDelete"_s,
                                u"delete Pod %1 in StatefulSet %2 failed error: %3"_s.arg(
                                    nameOf(pod), nameOf(set), r.error().message));
            }
            done(r || r.error().isNotFound());
        }));
    };
}

StatefulSetController::Step StatefulSetController::updatePodStep(const QJsonObject &set,
                                                                 const QJsonObject &pod)
{
    return [this, set, pod](std::function<void(bool)> done) {
        createClaims(set, pod, [this, set, pod, done](bool ok) {
            if (!ok)
                return done(false);
            m_api.update(podsResource, nsOf(pod), withIdentity(set, pod), {}, asController,
                         guarded(this, [this, set, pod, done](Reply r) {
                if (r) {
                    remember(*r, false);
                    m_events->event(set, u"Normal"_s, u"SuccessfulUpdate"_s,
                                    u"update Pod %1 in StatefulSet %2 successful"_s.arg(
                                        nameOf(pod), nameOf(set)));
                } else {
                    m_events->event(set, u"Warning"_s, u"FailedUpdate"_s,
                                    u"update Pod %1 in StatefulSet %2 failed error: %3"_s.arg(
                                        nameOf(pod), nameOf(set), r.error().message));
                }
                done(bool(r));
            }));
        });
    };
}

StatefulSetController::Step StatefulSetController::updateClaimStep(const QJsonObject &claim,
                                                                   const QJsonArray &owners)
{
    return [this, claim, owners](std::function<void(bool)> done) {
        const QJsonObject meta{{u"ownerReferences"_s, owners},
                               {u"resourceVersion"_s, metaOf(claim).value(u"resourceVersion")}};
        const QJsonObject patch{{u"metadata"_s, meta}};
        m_api.patch(claimsResource, nsOf(claim), nameOf(claim), client::PatchType::Merge,
                    QJsonDocument(patch).toJson(QJsonDocument::Compact), {}, asController,
                    guarded(this, [done](Reply r) {
                        done(r || r.error().isNotFound());
                    }));
    };
}

} // namespace timonel::controllers
