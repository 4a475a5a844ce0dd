#include "resourcequotacontroller.h"

#include "client/informer.h"
#include "client/workqueue.h"
#include "core/quotausage.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QPointer>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
namespace quota = timonel::core::quota;

Q_LOGGING_CATEGORY(lcResourceQuota, "timonel.controllers.resourcequota", QtInfoMsg)

namespace timonel::controllers {

namespace {

const client::Resource resourceQuotas{u""_s, u"v1"_s, u"resourcequotas"_s};
const client::WriteQuery asController{u"kube-controller-manager"_s, false, false};
// Kubernetes' --resource-quota-sync-period.
constexpr auto fullRecountPeriod = 5min;
// How long a group/resource discovery did not find stays unknown before asking again (a CRD
// may have been created since).
constexpr qint64 rediscoverAfterMs = 5000;

QJsonObject objectAt(const QJsonObject &o, QStringView key)
{
    return o.value(key).toObject();
}

QString namespaceOf(const QJsonObject &o)
{
    return objectAt(o, u"metadata").value(u"namespace").toString();
}

QString keyOf(const QJsonObject &o)
{
    return namespaceOf(o) + u'/' + objectAt(o, u"metadata").value(u"name").toString();
}

QStringList hardNames(const QJsonObject &quota)
{
    return quota::resourceList(objectAt(quota, u"spec").value(u"hard")).keys();
}

// What the cache keeps of an object: evaluated kinds keep what their evaluator reads, counted
// kinds only their identity (a Secret's data has no business in this cache).
std::function<QJsonObject(const QJsonObject &)> shapeFor(const QString &groupResource)
{
    const bool evaluated = groupResource == u"pods" || groupResource == u"services" ||
                           groupResource == u"persistentvolumeclaims";
    return [evaluated](const QJsonObject &object) {
        const QJsonObject meta = objectAt(object, u"metadata");
        if (evaluated) {
            QJsonObject shaped = object;
            QJsonObject m = meta;
            m.remove(u"managedFields"_s);
            shaped.insert(u"metadata"_s, m);
            return shaped;
        }
        QJsonObject m;
        for (const char16_t *key : {u"name", u"namespace", u"uid", u"resourceVersion"})
            m.insert(QString::fromUtf16(key), meta.value(key));
        return QJsonObject{{u"metadata"_s, m}};
    };
}

} // namespace

ResourceQuotaController::ResourceQuotaController(client::ApiClient &api, QObject *parent)
    : QObject(parent), m_api(api)
{
}

ResourceQuotaController::~ResourceQuotaController()
{
    stop();
}

void ResourceQuotaController::start()
{
    m_queue = std::make_unique<client::WorkQueue>(
        client::WorkQueue::retrying(
            [this](const QString &key, auto done) { syncQuota(key, std::move(done)); }),
        2);
    m_queue->setBackoffLimits(100ms, 30s);

    client::InformerOptions options;
    options.resyncPeriod = fullRecountPeriod;
    m_quotas = std::make_unique<client::Informer>(m_api, resourceQuotas, options);
    connect(m_quotas.get(), &client::Informer::added, this,
            [this](const QJsonObject &q) { m_queue->add(keyOf(q)); });
    connect(m_quotas.get(), &client::Informer::updated, this,
            [this](const QJsonObject &old, const QJsonObject &q) {
                // Status writes (admission's charges, our own) need no recount; a new spec, a
                // resync, or a status that does not yet match the spec does.
                const QJsonObject status = objectAt(q, u"status");
                const bool stale =
                    old == q || objectAt(old, u"spec") != objectAt(q, u"spec") ||
                    !status.contains(u"used") ||
                    !quota::equals(quota::resourceList(status.value(u"hard")),
                                   quota::resourceList(objectAt(q, u"spec").value(u"hard")));
                if (stale)
                    m_queue->add(keyOf(q));
            });
    connect(m_quotas.get(), &client::Informer::deleted, this,
            [this](const QJsonObject &q) { replenish(u"resourcequotas"_s, namespaceOf(q)); });
    m_quotas->start();
}

void ResourceQuotaController::stop()
{
    if (m_queue)
        m_queue->shutDown();
    m_monitors.clear();
    m_quotas.reset();
    m_queue.reset();
}

client::Informer *ResourceQuotaController::monitor(const QString &groupResource)
{
    if (auto it = m_monitors.find(groupResource); it != m_monitors.end())
        return it->second.get();
    client::Resource resource;
    if (quota::evaluatedResources().contains(groupResource)) {
        resource = {QString(), u"v1"_s, groupResource};
    } else if (m_served.contains(groupResource)) {
        resource = m_served.value(groupResource);
    } else {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (m_discovery == Discovery::NotYet ||
            (m_discovery == Discovery::Done && now - m_discoveredAt > rediscoverAfterMs))
            discover();
        return nullptr;
    }

    client::InformerOptions options;
    options.transform = shapeFor(groupResource);
    auto informer = std::make_unique<client::Informer>(m_api, resource, options);
    const quota::Evaluator evaluator(groupResource);
    connect(informer.get(), &client::Informer::synced, this,
            [this, groupResource] { enqueueAll(groupResource); });
    connect(
        informer.get(), &client::Informer::deleted, this,
        [this, groupResource](const QJsonObject &o) { replenish(groupResource, namespaceOf(o)); });
    connect(informer.get(), &client::Informer::updated, this,
            [this, groupResource, evaluator](const QJsonObject &old, const QJsonObject &o) {
                const QDateTime now = QDateTime::currentDateTimeUtc();
                if (!quota::equals(evaluator.usage(old, now), evaluator.usage(o, now)))
                    replenish(groupResource, namespaceOf(o));
                // A pod stops counting once its deletion grace period is over (its node may be
                // gone and never confirm the deletion): recount then.
                const QJsonObject meta = objectAt(o, u"metadata");
                if (objectAt(old, u"metadata").contains(u"deletionTimestamp") ||
                    !meta.contains(u"deletionGracePeriodSeconds"))
                    return;
                const QDateTime deletion =
                    QDateTime::fromString(meta.value(u"deletionTimestamp").toString(), Qt::ISODate);
                const qint64 wait = now.msecsTo(deletion.addSecs(
                                        meta.value(u"deletionGracePeriodSeconds").toInteger())) +
                                    1000;
                QTimer::singleShot(
                    qMax<qint64>(wait, 0), this,
                    [this, groupResource, ns = namespaceOf(o)] { replenish(groupResource, ns); });
            });
    auto *raw = informer.get();
    m_monitors.emplace(groupResource, std::move(informer));
    raw->start();
    return raw;
}

void ResourceQuotaController::discover()
{
    m_discovery = Discovery::Running;
    m_api.resources([guard = QPointer(this)](client::Result<QList<client::ServedResource>> served) {
        if (!guard)
            return;
        guard->m_discovery = Discovery::Done;
        guard->m_discoveredAt = QDateTime::currentMSecsSinceEpoch();
        if (!served) {
            qCWarning(lcResourceQuota).noquote()
                << "cannot discover the served resources:" << served.error().message;
            return;
        }
        for (const client::ServedResource &s : std::as_const(*served)) {
            const QString gr = s.resource.group.isEmpty()
                                   ? s.resource.resource
                                   : s.resource.resource + u'.' + s.resource.group;
            // The first version listed is the group's preferred one.
            if (s.namespaced && !guard->m_served.contains(gr))
                guard->m_served.insert(gr, s.resource);
        }
        guard->enqueueAll();
    });
}

void ResourceQuotaController::replenish(const QString &groupResource, const QString &ns)
{
    if (!m_quotas)
        return;
    const quota::Evaluator evaluator(groupResource);
    for (const QJsonObject &q : m_quotas->list())
        if (namespaceOf(q) == ns && !evaluator.matchingResources(hardNames(q)).isEmpty())
            m_queue->add(keyOf(q));
}

void ResourceQuotaController::enqueueAll(const QString &groupResource)
{
    if (!m_quotas)
        return;
    for (const QJsonObject &q : m_quotas->list())
        if (groupResource.isEmpty() ||
            quota::groupResourcesFor(hardNames(q)).contains(groupResource))
            m_queue->add(keyOf(q));
}

void ResourceQuotaController::syncQuota(const QString &key, std::function<void(bool)> done)
{
    const QString ns = key.section(u'/', 0, 0);
    const QJsonObject current = m_quotas->get(ns, key.section(u'/', 1));
    if (current.isEmpty())
        return done(false);

    // Every kind the quota counts must be in cache first; their informers' `synced` and the
    // end of discovery bring the quota back here.
    QHash<QString, client::Informer *> informers;
    QStringList unknown;
    for (const QString &gr : quota::groupResourcesFor(hardNames(current))) {
        if (gr == u"resourcequotas") {
            informers.insert(gr, m_quotas.get());
            continue;
        }
        client::Informer *informer = monitor(gr);
        if (!informer) {
            if (m_discovery != Discovery::Done)
                return done(false);
            unknown.append(gr); // not served: its names stay without usage, as in Kubernetes
            continue;
        }
        if (!informer->hasSynced())
            return done(false);
        informers.insert(gr, informer);
    }

    const auto objectsOf = [&](const QString &gr) -> std::optional<QList<QJsonObject>> {
        client::Informer *informer = informers.value(gr);
        if (!informer)
            return unknown.contains(gr) ? std::nullopt
                                        : std::optional<QList<QJsonObject>>(QList<QJsonObject>());
        QList<QJsonObject> objects;
        for (const QJsonObject &o : informer->list())
            if (namespaceOf(o) == ns)
                objects.append(o);
        return objects;
    };
    const QJsonObject spec = objectAt(current, u"spec");
    const QJsonObject status = objectAt(current, u"status");
    const quota::ResourceList hard = quota::resourceList(spec.value(u"hard"));
    const quota::ResourceList oldUsed = quota::resourceList(status.value(u"used"));
    // Earlier observations stand for what cannot be counted now.
    quota::ResourceList used = oldUsed;
    const quota::ResourceList counted =
        quota::calculateUsage(current, objectsOf, QDateTime::currentDateTimeUtc());
    for (auto it = counted.begin(); it != counted.end(); ++it)
        used.insert(it.key(), it.value());
    used = quota::mask(used, hard.keys());

    const bool dirty = !status.contains(u"hard") || !status.contains(u"used") ||
                       !quota::equals(hard, quota::resourceList(status.value(u"hard"))) ||
                       !quota::equals(used, oldUsed);
    if (!dirty)
        return done(false);
    QJsonObject updated = current;
    updated.insert(u"status"_s,
                   QJsonObject{{u"hard"_s, quota::toJson(hard)}, {u"used"_s, quota::toJson(used)}});
    m_api.update(resourceQuotas, ns, updated, u"status"_s, asController,
                 [key, done](client::Result<QJsonObject> written) {
                     if (written || written.error().isNotFound())
                         return done(false);
                     // A conflict: admission charged the quota meanwhile; count again.
                     if (!written.error().isConflict())
                         qCWarning(lcResourceQuota).noquote()
                             << "cannot update quota" << key << written.error().message;
                     done(true);
                 });
}

} // namespace timonel::controllers
