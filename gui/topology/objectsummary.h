// What the topology graph reads from one object: its looks (status as kubectl prints it,
// health, restarts) and the relations it declares (owners, a Service's or workload's labels to
// match, the ConfigMaps, Secrets and claims a pod template uses, an Ingress's Services).
// Qt Core only.
#pragma once

#include "topologymodel.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace timonel::topology {

// The kinds the graph shows, by the key the desktop's watches use ("deployments.apps").
bool isGraphKey(const QString &key);
// "Deployment" → "deployments.apps"; "" for kinds the graph does not show.
QString keyOfKind(const QString &kind);
QString kindOfKey(const QString &key);

struct Links
{
    QString uid;
    QStringList ownerUids;
    // A Service's selector (matched against pods' labels, and a ghost workload's template's).
    QJsonObject selector;
    bool hasSelector = false;
    // A workload's pod template labels (what Services select).
    QJsonObject templateLabels;
    // ConfigMaps, Secrets and PersistentVolumeClaims used, as item ids.
    QStringList uses;
    // An Ingress's backend Services, as item ids.
    QStringList routesTo;
    // False for what the graph leaves out although its kind shows: ReplicaSets scaled to zero
    // (old revisions).
    bool worthShowing = true;

    // A hash of everything that decides the item's place and edges, to tell a status change
    // from one that re-links.
    size_t signature(const Item &item) const;
};

Item describe(const QString &key, const QJsonObject &object);
Links linksOf(const QString &key, const QJsonObject &object);
Lane describeNode(const QJsonObject &node);

} // namespace timonel::topology
