// Prune for a sync: the objects in the cluster carrying the sync's label that git no longer
// has. Only labelled objects are ever candidates, so a sync never removes what it did not
// create. Every listable kind discovery reports is searched (what a sync applied may be any
// kind, custom resources included).
#pragma once

#include "client/apiclient.h"
#include "gitops/synclabel.h"

#include <QSet>

namespace timonel::gitops {

struct ClusterObject
{
    client::Resource resource;
    QString kind;
    QString ns;
    QString name;

    // "apps/Deployment/ns/name": what git's objects and the cluster's are matched by.
    QString key() const;
    static QString keyOf(const QJsonObject &object, const QString &defaultNamespace,
                         bool namespaced);
};

// The labelled objects whose key is not in `desired`, Namespaces last.
void findPrunable(client::ApiClient &api, const QList<client::ServedResource> &served,
                  const QString &syncName, const QSet<QString> &desired,
                  std::function<void(client::Result<QList<ClusterObject>>)> done);

// Deletes them (background propagation, or a server dry run); the failures, one line each.
void prune(client::ApiClient &api, const QList<ClusterObject> &objects, bool dryRun,
           std::function<void(QStringList failures)> done);

} // namespace timonel::gitops
