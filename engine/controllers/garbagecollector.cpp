#include "garbagecollector.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTimer>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcGarbage, "timonel.controllers.garbagecollector", QtInfoMsg)

namespace timonel::controllers {

namespace {

const client::WriteQuery asCollector{u"generic-garbage-collector"_s, false, false};
const QString foreground = u"foregroundDeletion"_s;
const QString orphan = u"orphan"_s;

QJsonObject metaOf(const QJsonObject &o)
{
    return o.value(u"metadata").toObject();
}

// What the collector reads of an object: its identity, owners, finalizers and deletion.
QJsonObject ownershipOnly(const QJsonObject &object)
{
    const QJsonObject meta = metaOf(object);
    QJsonObject kept;
    for (const char16_t *field : {u"name", u"namespace", u"uid", u"resourceVersion",
                                  u"ownerReferences", u"finalizers", u"deletionTimestamp"})
        if (const QJsonValue v = meta.value(field); !v.isUndefined())
            kept.insert(QString::fromUtf16(field), v);
    return QJsonObject{{u"apiVersion"_s, object.value(u"apiVersion")},
                       {u"kind"_s, object.value(u"kind")},
                       {u"metadata"_s, kept}};
}

} // namespace

GarbageCollector::GarbageCollector(client::ApiClient &api, QObject *parent)
    : QObject(parent), m_api(api)
{
}

GarbageCollector::~GarbageCollector() = default;

void GarbageCollector::start()
{
    m_api.resources([this](client::Result<QList<client::ServedResource>> resources) {
        if (!resources) {
            qCWarning(lcGarbage).noquote() << "cannot discover resources:" << resources.error().message;
            QTimer::singleShot(1000, this, &GarbageCollector::start);
            return;
        }
        watch(*resources);
    });
}

void GarbageCollector::stop()
{
    m_informers.clear();
}

void GarbageCollector::watch(const QList<client::ServedResource> &resources)
{
    m_served = resources;
    for (const client::ServedResource &s : resources) {
        const QStringList &v = s.verbs;
        if (!v.contains(u"list"_s) || !v.contains(u"watch"_s) || !v.contains(u"delete"_s))
            continue;
        client::InformerOptions options;
        options.transform = ownershipOnly; // 5000 pods' specs are not the collector's business
        auto informer = std::make_unique<client::Informer>(m_api, s.resource, options);
        const client::Resource r = s.resource;
        connect(informer.get(), &client::Informer::added, this,
                [this, r](const QJsonObject &o) { upsert(r, o); });
        connect(informer.get(), &client::Informer::updated, this,
                [this, r](const QJsonObject &, const QJsonObject &o) { upsert(r, o); });
        connect(informer.get(), &client::Informer::deleted, this, &GarbageCollector::forget);
        connect(informer.get(), &client::Informer::synced, this, [this] {
            // Owners can be judged absent only once every resource has been listed.
            if (allSynced())
                for (auto it = m_nodes.cbegin(); it != m_nodes.cend(); ++it)
                    if (!it->owners.isEmpty() || it->deleting)
                        enqueue(it.key());
        });
        informer->start();
        m_informers.push_back(std::move(informer));
    }
}

bool GarbageCollector::allSynced() const
{
    return std::all_of(m_informers.begin(), m_informers.end(),
                       [](const auto &i) { return i->hasSynced(); });
}

void GarbageCollector::upsert(const client::Resource &r, const QJsonObject &object)
{
    const QJsonObject meta = metaOf(object);
    const QString uid = meta.value(u"uid").toString();
    Node node{r,
              meta.value(u"namespace").toString(),
              meta.value(u"name").toString(),
              {},
              {},
              !meta.value(u"deletionTimestamp").isUndefined()};
    for (const QJsonValue &f : meta.value(u"finalizers").toArray())
        node.finalizers.append(f.toString());
    for (const QJsonValue &o : meta.value(u"ownerReferences").toArray()) {
        const QJsonObject ref = o.toObject();
        node.owners.append({ref.value(u"uid").toString(), ref.value(u"apiVersion").toString(),
                            ref.value(u"kind").toString(), ref.value(u"name").toString()});
    }
    if (const auto old = m_nodes.constFind(uid); old != m_nodes.cend()) {
        for (const Owner &o : old->owners) {
            m_dependents.remove(o.uid, uid);
            enqueue(o.uid); // an owner orphaning its dependents waits for this one to let go
        }
    }
    for (const Owner &o : node.owners) {
        m_dependents.insert(o.uid, uid);
        enqueue(o.uid); // an owner deleting in the foreground waits for this one
    }
    const bool interesting = !node.owners.isEmpty()
                             || (node.deleting
                                 && (node.finalizers.contains(foreground)
                                     || node.finalizers.contains(orphan)));
    m_nodes.insert(uid, std::move(node));
    if (interesting)
        enqueue(uid);
}

void GarbageCollector::forget(const QJsonObject &object)
{
    const QString uid = metaOf(object).value(u"uid").toString();
    const auto node = m_nodes.constFind(uid);
    if (node != m_nodes.cend()) {
        for (const Owner &o : node->owners) {
            m_dependents.remove(o.uid, uid);
            enqueue(o.uid);
        }
        m_nodes.erase(node);
    }
    // Its dependents may now be orphans.
    for (const QString &dependent : m_dependents.values(uid))
        enqueue(dependent);
}

void GarbageCollector::enqueue(const QString &uid)
{
    m_queue.insert(uid);
    if (!m_processScheduled) {
        m_processScheduled = true;
        QTimer::singleShot(0, this, &GarbageCollector::processQueue);
    }
}

void GarbageCollector::processQueue()
{
    m_processScheduled = false;
    if (!allSynced())
        return; // the synced handler re-queues everything
    const QSet<QString> queue = std::exchange(m_queue, {});
    for (const QString &uid : queue)
        process(uid);
}

void GarbageCollector::process(const QString &uid)
{
    const auto it = m_nodes.constFind(uid);
    if (it == m_nodes.cend() || m_inFlight.contains(uid))
        return;
    const Node node = *it;
    const QStringList dependents = m_dependents.values(uid);

    if (node.deleting && node.finalizers.contains(orphan)) {
        // Orphan: the dependents lose their reference to this owner, then the owner goes.
        for (const QString &d : dependents) {
            const Node &dep = m_nodes[d];
            QJsonArray kept;
            for (const Owner &o : dep.owners)
                if (o.uid != uid)
                    kept.append(QJsonObject{{u"apiVersion"_s, o.apiVersion},
                                            {u"kind"_s, o.kind},
                                            {u"name"_s, o.name},
                                            {u"uid"_s, o.uid}});
            const QByteArray patch = QJsonDocument(QJsonObject{
                {u"metadata"_s, QJsonObject{{u"ownerReferences"_s, kept.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(kept)}}}})
                                         .toJson(QJsonDocument::Compact);
            m_api.patch(dep.resource, dep.ns, dep.name, client::PatchType::Merge, patch, {},
                        asCollector, [](client::Result<QJsonObject>) {});
        }
        if (dependents.isEmpty())
            removeFinalizer(node, orphan);
        return;
    }
    if (node.deleting && node.finalizers.contains(foreground)) {
        // Foreground: every dependent goes first, then the owner.
        if (dependents.isEmpty()) {
            removeFinalizer(node, foreground);
            return;
        }
        for (const QString &d : dependents) {
            const Node &dep = m_nodes[d];
            if (dep.deleting || m_inFlight.contains(d))
                continue;
            m_inFlight.insert(d);
            client::DeleteQuery query;
            query.propagationPolicy = u"Background"_s;
            m_api.remove(dep.resource, dep.ns, dep.name, query,
                         [this, d](client::Result<QJsonObject>) { m_inFlight.remove(d); });
        }
        return;
    }
    if (!node.owners.isEmpty())
        collectOrphan(uid, node);
}

const client::ServedResource *GarbageCollector::resourceForKind(const QString &apiVersion,
                                                                const QString &kind) const
{
    for (const client::ServedResource &s : m_served)
        if (s.kind == kind && s.resource.apiVersion() == apiVersion)
            return &s;
    return nullptr;
}

void GarbageCollector::collectOrphan(const QString &uid, const Node &node)
{
    // An owner is present when the graph has its uid. Otherwise ask the API server, as the
    // graph may lag: only when every owner is confirmed gone is the dependent deleted.
    for (const Owner &o : node.owners)
        if (m_nodes.contains(o.uid))
            return;
    auto remaining = std::make_shared<int>(int(node.owners.size()));
    auto present = std::make_shared<bool>(false);
    m_inFlight.insert(uid);
    for (const Owner &o : node.owners) {
        const client::ServedResource *s = resourceForKind(o.apiVersion, o.kind);
        auto settle = [this, uid, node, remaining, present](bool ownerPresent) {
            *present = *present || ownerPresent;
            if (--*remaining > 0)
                return;
            if (*present) {
                m_inFlight.remove(uid);
                return;
            }
            client::DeleteQuery query;
            query.propagationPolicy = u"Background"_s;
            query.preconditionUid = uid;
            m_api.remove(node.resource, node.ns, node.name, query,
                         [this, uid](client::Result<QJsonObject>) { m_inFlight.remove(uid); });
        };
        if (!s) { // a kind this server does not serve: it cannot exist
            settle(false);
            continue;
        }
        m_api.get(s->resource, s->namespaced ? node.ns : QString(), o.name,
                  [settle, ownerUid = o.uid](client::Result<QJsonObject> owner) {
                      if (!owner && !owner.error().isNotFound()) {
                          settle(true); // unsure: keep the dependent
                          return;
                      }
                      settle(owner && metaOf(*owner).value(u"uid").toString() == ownerUid);
                  });
    }
}

void GarbageCollector::removeFinalizer(const Node &node, const QString &finalizer)
{
    QJsonArray kept;
    for (const QString &f : node.finalizers)
        if (f != finalizer)
            kept.append(f);
    const QByteArray patch =
        QJsonDocument(QJsonObject{{u"metadata"_s,
                                   QJsonObject{{u"finalizers"_s, kept.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(kept)}}}})
            .toJson(QJsonDocument::Compact);
    m_api.patch(node.resource, node.ns, node.name, client::PatchType::Merge, patch, {},
                asCollector, [name = node.name](client::Result<QJsonObject> r) {
                    if (!r && !r.error().isNotFound())
                        qCWarning(lcGarbage).noquote()
                            << "cannot finish deleting" << name << r.error().message;
                });
}

} // namespace timonel::controllers
