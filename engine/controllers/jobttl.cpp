// The ttl-after-finished controller's part of the job controller (Kubernetes'
// pkg/controller/ttlafterfinished): finished Jobs with spec.ttlSecondsAfterFinished are deleted
// once that time has passed.
#include "jobcontroller.h"

#include "jobcontroller_p.h"

#include "controllerutils.h"

#include <optional>

using namespace Qt::StringLiterals;
using namespace timonel::controllers::job;

namespace timonel::controllers {

// The ttl-after-finished controller: a finished Job with spec.ttlSecondsAfterFinished goes
// (with its pods, in the foreground) that long after its Complete or Failed condition.
void JobController::processTtl(const QJsonObject &job, std::function<void(bool)> done)
{
    auto expiresIn = [this](const QJsonObject &j) -> std::optional<qint64> {
        const QJsonValue ttl = field(j, u"spec").value(u"ttlSecondsAfterFinished");
        const QDateTime finishedAt = parseTime(finishedCondition(j).value(u"lastTransitionTime"));
        if (ttl.isUndefined() || isBeingDeleted(j) || !finishedAt.isValid())
            return std::nullopt;
        return now().msecsTo(finishedAt.addSecs(ttl.toInteger()));
    };
    const auto remaining = expiresIn(job);
    if (!remaining)
        return done(false);
    if (*remaining > 0) {
        enqueue(keyOf(job), std::chrono::milliseconds(*remaining));
        return done(false);
    }
    // The cache may be stale: decide again on the Job as the server has it.
    const QString ns = field(job, u"metadata").value(u"namespace").toString();
    const QString name = field(job, u"metadata").value(u"name").toString();
    m_api.get(jobs, ns, name, [this, ns, name, expiresIn, done](client::Result<QJsonObject> fresh) {
        if (!fresh)
            return done(!fresh.error().isNotFound());
        const auto left = expiresIn(*fresh);
        if (!left || *left > 0)
            return done(false);
        client::DeleteQuery query;
        query.propagationPolicy = u"Foreground"_s;
        query.preconditionUid = uidOf(*fresh);
        qCDebug(lcJobs).noquote() << "cleaning up expired job" << ns + u'/' + name;
        m_api.remove(jobs, ns, name, query, [done](client::Result<QJsonObject> r) {
            done(!r && !r.error().isNotFound() && !r.error().isConflict());
        });
    });
}

} // namespace timonel::controllers
