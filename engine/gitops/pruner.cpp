#include "pruner.h"

#include <QJsonArray>

#include <memory>

using namespace Qt::StringLiterals;

namespace timonel::gitops {

namespace {

QString groupOf(const QString &apiVersion)
{
    const qsizetype slash = apiVersion.indexOf(u'/');
    return slash < 0 ? QString() : apiVersion.left(slash);
}

// Kinds that are never a sync's own, though they may carry copied labels.
bool neverPruned(const client::ServedResource &served)
{
    static const QStringList kinds{u"Event"_s,         u"Pod"_s,       u"ReplicaSet"_s,
                                   u"EndpointSlice"_s, u"Endpoints"_s, u"ControllerRevision"_s,
                                   u"Lease"_s};
    return kinds.contains(served.kind) || served.resource.resource.contains(u'/') ||
           !served.verbs.contains(u"list"_s) || !served.verbs.contains(u"delete"_s);
}

} // namespace

QString ClusterObject::key() const
{
    return resource.group + u'/' + kind + u'/' + ns + u'/' + name;
}

QString ClusterObject::keyOf(const QJsonObject &object, const QString &defaultNamespace,
                             bool namespaced)
{
    const QJsonObject meta = object.value(u"metadata").toObject();
    QString ns = meta.value(u"namespace").toString();
    if (!namespaced)
        ns.clear();
    else if (ns.isEmpty())
        ns = defaultNamespace;
    return groupOf(object.value(u"apiVersion").toString()) + u'/' +
           object.value(u"kind").toString() + u'/' + ns + u'/' + meta.value(u"name").toString();
}

void findPrunable(client::ApiClient &api, const QList<client::ServedResource> &served,
                  const QString &syncName, const QSet<QString> &desired,
                  std::function<void(client::Result<QList<ClusterObject>>)> done)
{
    // One version per group and resource is enough: the others list the same objects.
    QList<client::ServedResource> kinds;
    QSet<QString> seen;
    for (const client::ServedResource &s : served) {
        const QString id = s.resource.group + u'/' + s.resource.resource;
        if (!neverPruned(s) && !seen.contains(id)) {
            seen.insert(id);
            kinds.append(s);
        }
    }
    struct State
    {
        QList<ClusterObject> found;
        std::optional<client::Error> error;
        int pending = 0;
    };
    auto state = std::make_shared<State>();
    state->pending = int(kinds.size());
    auto finishOne = [state, done] {
        if (--state->pending > 0)
            return;
        if (state->error)
            return done(std::unexpected(*state->error));
        std::stable_sort(state->found.begin(), state->found.end(),
                         [](const ClusterObject &a, const ClusterObject &b) {
                             return a.kind != u"Namespace"_s && b.kind == u"Namespace"_s;
                         });
        done(state->found);
    };
    if (kinds.isEmpty())
        return done(QList<ClusterObject>());
    client::ListQuery query;
    query.labelSelector = QString(syncLabel) + u'=' + syncName;
    for (const client::ServedResource &kind : std::as_const(kinds)) {
        api.list(kind.resource, QString(), query,
                 [state, kind, desired, finishOne](client::Result<QJsonObject> list) {
                     if (!list) {
                         // A kind that cannot be listed (aggregated, forbidden) holds nothing
                         // of ours we could delete anyway; a lost server is an error.
                         if (list.error().code == 0)
                             state->error = list.error();
                         return finishOne();
                     }
                     for (const QJsonValue &item : list->value(u"items").toArray()) {
                         const QJsonObject meta = item[u"metadata"].toObject();
                         ClusterObject object{kind.resource, kind.kind,
                                              meta.value(u"namespace").toString(),
                                              meta.value(u"name").toString()};
                         if (!desired.contains(object.key()))
                             state->found.append(object);
                     }
                     finishOne();
                 });
    }
}

void prune(client::ApiClient &api, const QList<ClusterObject> &objects, bool dryRun,
           std::function<void(QStringList failures)> done)
{
    if (objects.isEmpty())
        return done({});
    auto failures = std::make_shared<QStringList>();
    auto pending = std::make_shared<int>(int(objects.size()));
    client::DeleteQuery query;
    query.propagationPolicy = u"Background"_s;
    query.dryRun = dryRun;
    for (const ClusterObject &object : objects) {
        api.remove(object.resource, object.ns, object.name, query,
                   [failures, pending, done, object](client::Result<QJsonObject> removed) {
                       if (!removed && !removed.error().isNotFound())
                           failures->append(u"%1/%2: %3"_s.arg(object.kind.toLower(), object.name,
                                                               removed.error().message));
                       if (--*pending == 0)
                           done(*failures);
                   });
    }
}

} // namespace timonel::gitops
