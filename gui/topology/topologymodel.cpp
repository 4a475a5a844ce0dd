#include "topologymodel.h"

#include "core/labelselector.h"
#include "objectsummary.h"

#include <QMap>

using namespace Qt::StringLiterals;

namespace timonel::topology {

namespace {

struct Entry
{
    Item item;
    Links links;
    size_t signature = 0;
};

Entry makeEntry(const QString &key, const QJsonObject &object)
{
    Entry entry{describe(key, object), linksOf(key, object), {}};
    entry.signature = entry.links.signature(entry.item);
    return entry;
}

bool sameLooks(const Item &a, const Item &b)
{
    return a.status == b.status && a.detail == b.detail && a.health == b.health &&
           a.restarts == b.restarts && a.terminating == b.terminating;
}

bool isConfiguration(const QString &key)
{
    return key == u"configmaps" || key == u"secrets" || key == u"persistentvolumeclaims";
}

bool isWorkload(const QString &key)
{
    return key != u"pods" && key != u"services" && key != u"ingresses.networking.k8s.io" &&
           !isConfiguration(key);
}

QString laneId(const QString &node)
{
    return itemId(u"nodes"_s, {}, node);
}

} // namespace

QString itemId(const QString &key, const QString &ns, const QString &name)
{
    return key + u'|' + ns + u'|' + name;
}

struct TopologyModel::Private
{
    TopologyModel *q;
    QHash<QString, Entry> objects; // by item id
    QHash<QString, QString> idByUid;
    QMap<QString, QHash<QString, Entry>> ghosts; // by source, then item id
    QMap<QString, Lane> lanes;                   // by node name
    QString namespaceFilter;
    core::LabelSelector labelFilter;

    // What the filters let through and its edges, worked out again after a structure change.
    bool dirty = true;
    QHash<QString, const Entry *> candidates;
    QSet<QString> shown;
    QList<Edge> edges;

    void changed()
    {
        dirty = true;
        Q_EMIT q->structureChanged();
    }
    void rebuild();
    QList<Edge> allEdges() const;
};

// Edges between the candidates, before the label filter and the hiding of unused configuration.
QList<Edge> TopologyModel::Private::allEdges() const
{
    QList<Edge> result;
    QHash<QString, QList<const Entry *>> podsByNamespace, ghostWorkloadsByNamespace;
    for (const Entry *e : candidates) {
        if (e->item.key == u"pods")
            podsByNamespace[e->item.ns] << e;
        else if (e->item.ghost && isWorkload(e->item.key))
            ghostWorkloadsByNamespace[e->item.ns] << e;
    }
    for (const Entry *e : candidates) {
        const Item &item = e->item;
        for (const QString &uid : e->links.ownerUids)
            if (const QString owner = idByUid.value(uid); candidates.contains(owner))
                result.append({owner, item.id, EdgeKind::Owns});
        if (e->links.hasSelector) {
            const core::LabelSelector selector = core::LabelSelector::fromSet(e->links.selector);
            for (const Entry *pod : podsByNamespace.value(item.ns))
                if (selector.matches(pod->item.labels))
                    result.append({item.id, pod->item.id, EdgeKind::Selects});
            for (const Entry *workload : ghostWorkloadsByNamespace.value(item.ns))
                if (selector.matches(workload->links.templateLabels))
                    result.append({item.id, workload->item.id, EdgeKind::Selects});
        }
        for (const QString &service : e->links.routesTo)
            if (candidates.contains(service))
                result.append({item.id, service, EdgeKind::Routes});
        if (item.key == u"pods" || (item.ghost && isWorkload(item.key)))
            for (const QString &used : e->links.uses)
                if (candidates.contains(used))
                    result.append({used, item.id, EdgeKind::Uses});
    }
    return result;
}

void TopologyModel::Private::rebuild()
{
    dirty = false;
    candidates.clear();
    auto consider = [this](const Entry &e) {
        if (e.links.worthShowing && (namespaceFilter.isEmpty() || e.item.ns == namespaceFilter) &&
            !candidates.contains(e.item.id))
            candidates.insert(e.item.id, &e);
    };
    for (const Entry &e : std::as_const(objects))
        consider(e);
    for (const QHash<QString, Entry> &source : std::as_const(ghosts))
        for (const Entry &e : source)
            consider(e);

    const QList<Edge> all = allEdges();
    shown.clear();
    if (labelFilter.isEmpty()) {
        for (const Entry *e : std::as_const(candidates))
            if (!isConfiguration(e->item.key) || e->item.ghost)
                shown.insert(e->item.id);
    } else {
        // What matches, and upstream of it: owners, Services and their Ingresses, configuration.
        QHash<QString, QStringList> upstream;
        for (const Edge &edge : all)
            upstream[edge.to] << edge.from;
        QStringList pending;
        for (const Entry *e : std::as_const(candidates))
            if (labelFilter.matches(e->item.labels))
                pending << e->item.id;
        while (!pending.isEmpty()) {
            const QString id = pending.takeLast();
            if (!shown.contains(id)) {
                shown.insert(id);
                pending << upstream.value(id);
            }
        }
        for (auto it = shown.begin(); it != shown.end();) {
            const Entry *e = candidates.value(*it);
            it = isConfiguration(e->item.key) && !e->item.ghost ? shown.erase(it) : std::next(it);
        }
    }
    // Configuration shows where something shown uses it.
    for (const Edge &edge : all)
        if (edge.kind == EdgeKind::Uses && shown.contains(edge.to))
            shown.insert(edge.from);
    edges.clear();
    for (const Edge &edge : all)
        if (shown.contains(edge.from) && shown.contains(edge.to))
            edges.append(edge);
}

TopologyModel::TopologyModel(QObject *parent) : QObject(parent), d(new Private{this}) {}

TopologyModel::~TopologyModel() = default;

void TopologyModel::apply(const QString &key, const QJsonObject &object)
{
    if (key == u"nodes") {
        const Lane lane = describeNode(object);
        auto it = d->lanes.find(lane.node);
        if (it == d->lanes.end()) {
            d->lanes.insert(lane.node, lane);
            d->changed();
        } else if (it->status != lane.status) {
            *it = lane;
            Q_EMIT itemsChanged({laneId(lane.node)});
        }
        return;
    }
    if (!isGraphKey(key))
        return;
    Entry entry = makeEntry(key, object);
    const QString id = entry.item.id;
    auto it = d->objects.find(id);
    if (it == d->objects.end() || it->signature != entry.signature) {
        if (it != d->objects.end())
            d->idByUid.remove(it->links.uid);
        d->idByUid.insert(entry.links.uid, id);
        d->objects.insert(id, std::move(entry));
        d->changed();
        return;
    }
    const bool looksChanged = !sameLooks(it->item, entry.item);
    *it = std::move(entry);
    if (looksChanged && !d->dirty && d->shown.contains(id))
        Q_EMIT itemsChanged({id});
}

void TopologyModel::remove(const QString &key, const QJsonObject &object)
{
    const QJsonObject meta = object.value(u"metadata").toObject();
    const QString name = meta.value(u"name").toString();
    if (key == u"nodes") {
        if (d->lanes.remove(name))
            d->changed();
        return;
    }
    const QString id = itemId(key, meta.value(u"namespace").toString(), name);
    auto it = d->objects.find(id);
    if (it == d->objects.end())
        return;
    d->idByUid.remove(it->links.uid);
    d->objects.erase(it);
    d->changed();
}

void TopologyModel::clear()
{
    d->objects.clear();
    d->idByUid.clear();
    d->lanes.clear();
    d->changed();
}

void TopologyModel::setGhosts(const QString &source, const QList<QJsonObject> &objects)
{
    QHash<QString, Entry> entries;
    for (const QJsonObject &object : objects) {
        const QString key = keyOfKind(object.value(u"kind").toString());
        if (key.isEmpty())
            continue;
        Entry entry = makeEntry(key, object);
        entry.item.ghost = true;
        entry.item.lane.clear(); // a ghost pod runs nowhere yet
        entry.item.health = Health::Unknown;
        entry.item.status.clear();
        entry.item.detail.clear();
        entries.insert(entry.item.id, std::move(entry));
    }
    auto it = d->ghosts.find(source);
    const bool had = it != d->ghosts.end();
    if (entries.isEmpty() && !had)
        return;
    if (had) {
        // Only a change of what is drawn counts: typing that keeps the same objects does not.
        bool same = it->size() == entries.size();
        for (auto e = entries.cbegin(); same && e != entries.cend(); ++e) {
            auto before = it->constFind(e.key());
            same = before != it->cend() && before->signature == e->signature;
        }
        if (same)
            return;
    }
    if (entries.isEmpty())
        d->ghosts.remove(source);
    else
        d->ghosts.insert(source, std::move(entries));
    d->changed();
}

void TopologyModel::setNamespaceFilter(const QString &ns)
{
    if (d->namespaceFilter == ns)
        return;
    d->namespaceFilter = ns;
    d->changed();
}

QString TopologyModel::namespaceFilter() const
{
    return d->namespaceFilter;
}

std::expected<void, QString> TopologyModel::setLabelFilter(const QString &selector)
{
    auto parsed = core::LabelSelector::parse(selector);
    if (!parsed)
        return std::unexpected(parsed.error());
    if (!(*parsed == d->labelFilter)) {
        d->labelFilter = *parsed;
        d->changed();
    }
    return {};
}

QList<Item> TopologyModel::items() const
{
    if (d->dirty)
        d->rebuild();
    QList<Item> result;
    result.reserve(d->shown.size());
    for (const QString &id : std::as_const(d->shown))
        result.append(d->candidates.value(id)->item);
    std::sort(result.begin(), result.end(),
              [](const Item &a, const Item &b) { return a.id < b.id; });
    return result;
}

QList<Edge> TopologyModel::edges() const
{
    if (d->dirty)
        d->rebuild();
    return d->edges;
}

QList<Lane> TopologyModel::lanes() const
{
    QList<Lane> result = d->lanes.values();
    std::stable_sort(result.begin(), result.end(),
                     [](const Lane &a, const Lane &b) { return a.controlPlane > b.controlPlane; });
    return result;
}

const Item *TopologyModel::item(const QString &id) const
{
    if (d->dirty)
        d->rebuild();
    const Entry *e = d->candidates.value(id);
    return e && d->shown.contains(id) ? &e->item : nullptr;
}

bool TopologyModel::isShown(const QString &id) const
{
    return item(id) != nullptr;
}

QStringList TopologyModel::namespaces() const
{
    QSet<QString> seen;
    for (const Entry &e : std::as_const(d->objects))
        if (!e.item.ns.isEmpty())
            seen.insert(e.item.ns);
    QStringList result(seen.begin(), seen.end());
    result.sort();
    return result;
}

} // namespace timonel::topology
