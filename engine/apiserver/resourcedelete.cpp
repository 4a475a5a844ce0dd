// DELETE and DELETE of a collection: preconditions, finalizers, graceful deletion of pods on a
// node, and the propagation policies (carried out by the garbage collector).
#include "resourcestore.h"

#include "resourcestore_p.h"
#include "strategy.h"

#include <QJsonArray>

#include <memory>

using namespace Qt::StringLiterals;
using timonel::core::ResourceInfo;
using namespace timonel::apiserver::detail;

namespace timonel::apiserver {

void ResourceStore::remove(const ResourceInfo &r, const QString &ns, const QString &name,
                           const DeleteOptions &options, WriteCallback done)
{
    const QString key = keyFor(r, ns, name);
    auto stored = m_storage.get(key);
    if (!stored)
        return done(std::unexpected(ApiError::notFound(r.groupResource(), name)));
    QJsonObject object = stored->object;
    QJsonObject m = meta(object);
    if (!options.preconditionUid.isEmpty() && options.preconditionUid != m.value(u"uid").toString())
        return done(std::unexpected(ApiError::conflict(
            r.groupResource(), name,
            u"Precondition failed: UID in precondition: %1, UID in object meta: %2"_s.arg(
                options.preconditionUid, m.value(u"uid").toString()))));
    if (!options.preconditionResourceVersion.isEmpty()
        && options.preconditionResourceVersion != m.value(u"resourceVersion").toString())
        return done(std::unexpected(ApiError::conflict(
            r.groupResource(), name,
            u"Precondition failed: ResourceVersion in precondition: %1, ResourceVersion in "
            "object meta: %2"_s.arg(options.preconditionResourceVersion,
                                    m.value(u"resourceVersion").toString()))));

    QJsonArray finalizers = m.value(u"finalizers").toArray();
    auto addFinalizer = [&](const QString &f) {
        if (!finalizers.contains(f))
            finalizers.append(f);
    };
    if (options.propagationPolicy == u"Foreground")
        addFinalizer(u"foregroundDeletion"_s);
    else if (options.propagationPolicy == u"Orphan")
        addFinalizer(u"orphan"_s);

    const KindStrategy &strategy = strategyFor(r);
    const qint64 grace =
        strategy.gracePeriod ? strategy.gracePeriod(object, options.gracePeriodSeconds) : 0;
    const bool held = strategy.holdsDeletion && strategy.holdsDeletion(object);
    if (finalizers.isEmpty() && grace == 0 && !held)
        return destroy(r, key, object, options.dryRun, std::move(done));

    // Mark for deletion: finalizers (or the node agent) finish the job.
    if (m.value(u"deletionTimestamp").isUndefined()) {
        m.insert(u"deletionTimestamp"_s,
                 QDateTime::currentDateTimeUtc().addSecs(grace).toString(Qt::ISODate));
        m.insert(u"deletionGracePeriodSeconds"_s, grace);
        if (tracksGeneration(r))
            m.insert(u"generation"_s, m.value(u"generation").toInteger(1) + 1);
    } else if (grace < m.value(u"deletionGracePeriodSeconds").toInteger()) {
        m.insert(u"deletionGracePeriodSeconds"_s, grace); // a shorter grace period wins
    }
    m.insert(u"finalizers"_s, finalizers);
    if (finalizers.isEmpty())
        m.remove(u"finalizers"_s);
    setMeta(object, m);
    if (strategy.prepareForDeletion)
        strategy.prepareForDeletion(object);
    if (options.dryRun)
        return done(Written{object, {}, false, false});
    m_storage.update(key, object, revisionOf(stored->object),
                     [this, r, name, done](const StorageResult &result) {
                         if (!result)
                             return done(std::unexpected(storageError(r, name, result.error())));
                         afterWrite(r, result->object, false);
                         done(Written{result->object, {}, false, false});
                     });
}

void ResourceStore::destroy(const ResourceInfo &r, const QString &key, const QJsonObject &object,
                            bool dryRun, WriteCallback done)
{
    if (dryRun)
        return done(Written{object, {}, false, true});
    const QString name = nameOf(object);
    m_storage.remove(key, 0, [this, r, name, done](const StorageResult &result) {
        if (!result)
            return done(std::unexpected(storageError(r, name, result.error())));
        afterWrite(r, result->object, true);
        done(Written{result->object, {}, false, true});
    });
}

void ResourceStore::removeCollection(const ResourceInfo &r, const QString &ns,
                                     const ListOptions &list, const DeleteOptions &options,
                                     std::function<void(ApiResult<QJsonObject>)> done)
{
    auto items = this->list(r, ns, list);
    if (!items)
        return done(std::unexpected(items.error()));
    auto remaining = std::make_shared<qsizetype>(items->items.size());
    auto deleted = std::make_shared<QJsonArray>();
    auto failure = std::make_shared<std::optional<ApiError>>();
    if (*remaining == 0)
        return done(QJsonObject{{u"items"_s, QJsonArray()}});
    for (const QJsonObject &item : std::as_const(items->items)) {
        const QJsonObject m = meta(item);
        remove(r, m.value(u"namespace").toString(), m.value(u"name").toString(), options,
               [=](ApiResult<Written> w) {
                   if (w)
                       deleted->append(w->object);
                   else if (w.error().code != 404)
                       *failure = w.error();
                   if (--*remaining == 0) {
                       if (*failure)
                           done(std::unexpected(**failure));
                       else
                           done(QJsonObject{{u"items"_s, *deleted}});
                   }
               });
    }
}


} // namespace timonel::apiserver
