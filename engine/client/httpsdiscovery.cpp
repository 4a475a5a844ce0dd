// Discovery over HTTPS: what resources the server serves, from the aggregated documents of
// /api and /apis (one request each), or group-version by group-version from older servers.
#include "client/httpsclient.h"
#include "client/statuserror.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace timonel::client {

namespace {

const QByteArray aggregatedDiscoveryAccept =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

// The resources of an aggregated discovery document (APIGroupDiscoveryList).
QList<ServedResource> aggregatedResources(const QJsonObject &list)
{
    QList<ServedResource> out;
    for (const QJsonValue &g : list.value(u"items").toArray()) {
        const QString group = g[u"metadata"][u"name"].toString();
        for (const QJsonValue &v : g[u"versions"].toArray()) {
            const QString version = v[u"version"].toString();
            for (const QJsonValue &r : v[u"resources"].toArray()) {
                QStringList verbs;
                for (const QJsonValue &verb : r[u"verbs"].toArray())
                    verbs.append(verb.toString());
                out.append({{group, version, r[u"resource"].toString()},
                            r[u"responseKind"][u"kind"].toString(),
                            r[u"scope"].toString() == u"Namespaced",
                            verbs});
            }
        }
    }
    return out;
}

// The resources of a legacy APIResourceList, without its subresources ("pods/log").
QList<ServedResource> legacyResources(const QJsonObject &list)
{
    const QString groupVersion = list.value(u"groupVersion").toString();
    const qsizetype slash = groupVersion.indexOf(u'/');
    const QString group = slash < 0 ? QString() : groupVersion.left(slash);
    const QString version = groupVersion.mid(slash + 1);
    QList<ServedResource> out;
    for (const QJsonValue &r : list.value(u"resources").toArray()) {
        const QString name = r[u"name"].toString();
        if (name.contains(u'/'))
            continue;
        QStringList verbs;
        for (const QJsonValue &verb : r[u"verbs"].toArray())
            verbs.append(verb.toString());
        out.append(
            {{group, version, name}, r[u"kind"].toString(), r[u"namespaced"].toBool(), verbs});
    }
    return out;
}

// One discovery in flight: the documents' resources in the server's order.
struct Discovery
{
    Callback<QList<ServedResource>> done;
    QList<QList<ServedResource>> parts;
    int pending = 0;
    bool failed = false;

    void fail(const Error &e)
    {
        if (!std::exchange(failed, true))
            done(std::unexpected(e));
    }
    void settle()
    {
        if (--pending > 0 || failed)
            return;
        QList<ServedResource> all;
        for (const auto &part : std::as_const(parts))
            all.append(part);
        done(all);
    }
};

} // namespace

void HttpsClient::resources(Callback<QList<ServedResource>> done)
{
    auto discovery = std::make_shared<Discovery>();
    discovery->done = std::move(done);
    discovery->parts.resize(2);
    discovery->pending = 2;
    // Reads one document; `onDocument` gets its object and whether it is aggregated.
    auto fetch = [this, discovery](const QString &path, const QByteArray &accept,
                                   std::function<void(const QJsonObject &, bool)> onDocument) {
        request("GET", path, {}, {}, accept,
                [discovery, path, onDocument](Result<RawResponse> response) {
                    if (discovery->failed)
                        return;
                    if (!response)
                        return discovery->fail(response.error());
                    if (response->code != 200)
                        return discovery->fail(errorFromResponse(response->code,
                                                                 response->contentType,
                                                                 response->body, {"GET", {}, {}}));
                    onDocument(QJsonDocument::fromJson(response->body).object(),
                               response->contentType.contains("as=APIGroupDiscoveryList"));
                    discovery->settle();
                });
    };
    for (int root = 0; root < 2; ++root) {
        const QString rootPath = root == 0 ? u"/api"_s : u"/apis"_s;
        fetch(rootPath, aggregatedDiscoveryAccept,
              [discovery, root, fetch](const QJsonObject &doc, bool aggregated) {
                  if (aggregated) {
                      discovery->parts[root] = aggregatedResources(doc);
                      return;
                  }
                  // A server without aggregated discovery: one document per group-version.
                  QStringList paths;
                  if (root == 0) {
                      for (const QJsonValue &v : doc.value(u"versions").toArray())
                          paths.append(u"/api/"_s + v.toString());
                  } else {
                      for (const QJsonValue &g : doc.value(u"groups").toArray())
                          for (const QJsonValue &v : g[u"versions"].toArray())
                              paths.append(u"/apis/"_s + v[u"groupVersion"].toString());
                  }
                  for (const QString &path : std::as_const(paths)) {
                      const qsizetype part = discovery->parts.size();
                      discovery->parts.append(QList<ServedResource>());
                      ++discovery->pending;
                      fetch(path, "application/json",
                            [discovery, part](const QJsonObject &list, bool) {
                                discovery->parts[part] = legacyResources(list);
                            });
                  }
              });
    }
}

} // namespace timonel::client
