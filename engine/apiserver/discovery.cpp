#include "discovery.h"

#include "metricsapi.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;
using timonel::core::ResourceInfo;

namespace timonel::apiserver {

namespace {

// The order kube-apiserver lists its groups in, so `kubectl api-resources` reads familiar.
const QStringList groupPriority{
    u""_s,
    u"apps"_s,
    u"events.k8s.io"_s,
    u"autoscaling"_s,
    u"batch"_s,
    u"networking.k8s.io"_s,
    u"policy"_s,
    u"storage.k8s.io"_s,
    u"apiextensions.k8s.io"_s,
    u"coordination.k8s.io"_s,
    u"discovery.k8s.io"_s,
};

struct SubresourceInfo
{
    QString group;
    QString version;
    QString kind; // empty: the parent's kind
    QStringList verbs;
};

SubresourceInfo subresourceInfo(const QString &name)
{
    const QStringList readWrite{u"get"_s, u"patch"_s, u"update"_s};
    const QStringList connect{u"create"_s, u"get"_s};
    if (name == u"status")
        return {{}, {}, {}, readWrite};
    if (name == u"scale")
        return {u"autoscaling"_s, u"v1"_s, u"Scale"_s, readWrite};
    if (name == u"log")
        return {u""_s, u"v1"_s, u"Pod"_s, {u"get"_s}};
    if (name == u"exec")
        return {u""_s, u"v1"_s, u"PodExecOptions"_s, connect};
    if (name == u"attach")
        return {u""_s, u"v1"_s, u"PodAttachOptions"_s, connect};
    if (name == u"portforward")
        return {u""_s, u"v1"_s, u"PodPortForwardOptions"_s, connect};
    if (name == u"binding")
        return {u""_s, u"v1"_s, u"Binding"_s, {u"create"_s}};
    if (name == u"eviction")
        return {u"policy"_s, u"v1"_s, u"Eviction"_s, {u"create"_s}};
    if (name == u"ephemeralcontainers")
        return {{}, {}, {}, readWrite};
    if (name == u"finalize")
        return {{}, {}, {}, {u"update"_s}};
    if (name == u"proxy")
        return {u""_s, u"v1"_s, u"NodeProxyOptions"_s,
                {u"create"_s, u"delete"_s, u"get"_s, u"patch"_s, u"update"_s}};
    return {{}, {}, {}, {u"get"_s}};
}

QList<const ResourceInfo *> resourcesOf(const core::SchemaRegistry &registry, const QString &group,
                                        const QString &version)
{
    QList<const ResourceInfo *> out;
    for (const ResourceInfo *r : registry.resources())
        if (r->group == group && r->version == version)
            out.append(r);
    std::sort(out.begin(), out.end(),
              [](const ResourceInfo *a, const ResourceInfo *b) { return a->plural < b->plural; });
    return out;
}

QJsonArray strings(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QJsonObject groupVersion(const QString &group, const QString &version)
{
    return QJsonObject{{u"groupVersion"_s, group.isEmpty() ? version : group + u'/' + version},
                       {u"version"_s, version}};
}

QJsonObject legacyGroup(const core::SchemaRegistry &registry, const QString &group)
{
    QJsonArray versions;
    for (const QString &v : servedVersions(registry, group))
        versions.append(groupVersion(group, v));
    return QJsonObject{{u"name"_s, group},
                       {u"versions"_s, versions},
                       {u"preferredVersion"_s, versions.first()}};
}

} // namespace

QStringList servedGroups(const core::SchemaRegistry &registry)
{
    QStringList groups;
    for (const ResourceInfo *r : registry.resources())
        if (!groups.contains(r->group))
            groups.append(r->group);
    std::sort(groups.begin(), groups.end(), [](const QString &a, const QString &b) {
        const qsizetype pa = groupPriority.indexOf(a);
        const qsizetype pb = groupPriority.indexOf(b);
        if (pa != pb)
            return (pa < 0 ? groupPriority.size() : pa) < (pb < 0 ? groupPriority.size() : pb);
        return a < b;
    });
    return groups;
}

QStringList servedVersions(const core::SchemaRegistry &registry, const QString &group)
{
    QStringList versions;
    for (const ResourceInfo *r : registry.resources())
        if (r->group == group && !versions.contains(r->version))
            versions.append(r->version);
    // Kubernetes version priority: GA before beta before alpha, newer first.
    std::sort(versions.begin(), versions.end(), [](const QString &a, const QString &b) {
        auto rank = [](const QString &v) {
            const int stability = v.contains(u"alpha") ? 0 : v.contains(u"beta") ? 1 : 2;
            return std::pair{stability, v.mid(1).toInt()};
        };
        return rank(a) > rank(b);
    });
    return versions;
}

QJsonObject legacyApiVersions()
{
    return QJsonObject{{u"kind"_s, u"APIVersions"_s},
                       {u"versions"_s, QJsonArray{u"v1"_s}},
                       {u"serverAddressByClientCIDRs"_s,
                        QJsonArray{QJsonObject{{u"clientCIDR"_s, u"0.0.0.0/0"_s},
                                               {u"serverAddress"_s, u"0.0.0.0:6443"_s}}}}};
}

QJsonObject legacyApiGroupList(const core::SchemaRegistry &registry)
{
    QJsonArray groups;
    for (const QString &g : servedGroups(registry))
        if (!g.isEmpty())
            groups.append(legacyGroup(registry, g));
    groups.append(metricsApiGroup()); // last, as an aggregated API's group sorts
    return QJsonObject{
        {u"kind"_s, u"APIGroupList"_s}, {u"apiVersion"_s, u"v1"_s}, {u"groups"_s, groups}};
}

QJsonObject legacyApiGroup(const core::SchemaRegistry &registry, const QString &group)
{
    if (servedVersions(registry, group).isEmpty())
        return {};
    QJsonObject g = legacyGroup(registry, group);
    g.insert(u"kind"_s, u"APIGroup"_s);
    g.insert(u"apiVersion"_s, u"v1"_s);
    return g;
}

QJsonObject legacyResourceList(const core::SchemaRegistry &registry, const QString &group,
                               const QString &version)
{
    const QList<const ResourceInfo *> resources = resourcesOf(registry, group, version);
    if (resources.isEmpty())
        return {};
    QJsonArray list;
    for (const ResourceInfo *r : resources) {
        QJsonObject entry{{u"name"_s, r->plural},
                          {u"singularName"_s, r->singular},
                          {u"namespaced"_s, r->namespaced},
                          {u"kind"_s, r->kind},
                          {u"verbs"_s, strings(r->verbs)}};
        if (!r->shortNames.isEmpty())
            entry.insert(u"shortNames"_s, strings(r->shortNames));
        if (!r->categories.isEmpty())
            entry.insert(u"categories"_s, strings(r->categories));
        list.append(entry);
        for (const QString &sub : r->subresources) {
            const SubresourceInfo s = subresourceInfo(sub);
            QJsonObject subEntry{{u"name"_s, r->plural + u'/' + sub},
                                 {u"singularName"_s, QString()},
                                 {u"namespaced"_s, r->namespaced},
                                 {u"kind"_s, s.kind.isEmpty() ? r->kind : s.kind},
                                 {u"verbs"_s, strings(s.verbs)}};
            if (!s.kind.isEmpty()) {
                subEntry.insert(u"group"_s, s.group);
                subEntry.insert(u"version"_s, s.version);
            }
            list.append(subEntry);
        }
    }
    return QJsonObject{{u"kind"_s, u"APIResourceList"_s},
                       {u"apiVersion"_s, u"v1"_s},
                       {u"groupVersion"_s, group.isEmpty() ? version : group + u'/' + version},
                       {u"resources"_s, list}};
}

QJsonObject aggregatedDiscovery(const core::SchemaRegistry &registry, bool core)
{
    QJsonArray items;
    for (const QString &group : servedGroups(registry)) {
        if (group.isEmpty() != core)
            continue;
        QJsonArray versions;
        for (const QString &version : servedVersions(registry, group)) {
            QJsonArray resources;
            for (const ResourceInfo *r : resourcesOf(registry, group, version)) {
                QJsonObject entry{
                    {u"resource"_s, r->plural},
                    {u"responseKind"_s, QJsonObject{{u"group"_s, r->group},
                                                    {u"version"_s, r->version},
                                                    {u"kind"_s, r->kind}}},
                    {u"scope"_s, r->namespaced ? u"Namespaced"_s : u"Cluster"_s},
                    {u"singularResource"_s, r->singular},
                    {u"verbs"_s, strings(r->verbs)}};
                if (!r->shortNames.isEmpty())
                    entry.insert(u"shortNames"_s, strings(r->shortNames));
                if (!r->categories.isEmpty())
                    entry.insert(u"categories"_s, strings(r->categories));
                QJsonArray subresources;
                for (const QString &sub : r->subresources) {
                    const SubresourceInfo s = subresourceInfo(sub);
                    subresources.append(QJsonObject{
                        {u"subresource"_s, sub},
                        {u"responseKind"_s,
                         QJsonObject{{u"group"_s, s.kind.isEmpty() ? r->group : s.group},
                                     {u"version"_s, s.kind.isEmpty() ? r->version : s.version},
                                     {u"kind"_s, s.kind.isEmpty() ? r->kind : s.kind}}},
                        {u"verbs"_s, strings(s.verbs)}});
                }
                if (!subresources.isEmpty())
                    entry.insert(u"subresources"_s, subresources);
                resources.append(entry);
            }
            versions.append(QJsonObject{{u"version"_s, version},
                                        {u"resources"_s, resources},
                                        {u"freshness"_s, u"Current"_s}});
        }
        items.append(QJsonObject{{u"metadata"_s, QJsonObject{{u"name"_s, group}}},
                                 {u"versions"_s, versions}});
    }
    if (!core)
        items.append(metricsApiGroupDiscovery());
    return QJsonObject{{u"kind"_s, u"APIGroupDiscoveryList"_s},
                       {u"apiVersion"_s, u"apidiscovery.k8s.io/v2"_s},
                       {u"metadata"_s, QJsonObject()},
                       {u"items"_s, items}};
}

} // namespace timonel::apiserver
