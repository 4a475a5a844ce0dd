// The topology graph's model: the cluster's nodes as lanes, its workloads, pods, services,
// ingresses and configuration as items, and the relations between them as edges — a
// Deployment owns its ReplicaSets and they their Pods (ownerReferences), a Service selects Pods,
// an Ingress routes to Services, a Pod uses ConfigMaps, Secrets and PersistentVolumeClaims.
//
// Objects come in as the watches deliver them (apply / remove, keyed like the desktop's
// WatchedKind::key(): "pods", "deployments.apps"). A change that moves nothing in the graph (a
// pod turning Running, a restart) is reported as itemsChanged; one that adds, removes or
// re-links items as structureChanged, after which the view lays the graph out again.
//
// Manifests open in the editor take part as ghosts: objects not deployed yet, shown apart;
// a ghost goes once the cluster has an object of that kind, namespace and name.
//
// Qt Core only.
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <expected>
#include <memory>

namespace timonel::topology {

// How an item is doing, for its colour.
enum class Health
{
    Good,        // running and ready, available, complete
    Progressing, // pending, starting, scaling, not ready yet
    Failed,      // crash looping, failed, image pull errors, not ready for a while
    Finished,    // a pod or job that ran to completion
    Unknown,
};

struct Item
{
    QString id;  // itemId(key, namespace, name)
    QString key; // "pods", "deployments.apps"
    QString kind;
    QString ns;
    QString name;
    QString lane;   // pods: the node they run on, "" while unscheduled
    QString status; // what kubectl prints: "Running", "CrashLoopBackOff", "2/3", "ClusterIP"
    QString detail; // a second line: "1/1 ready", "10.96.0.12", "3 restarts"
    Health health = Health::Unknown;
    int restarts = 0;
    bool terminating = false;
    bool ghost = false;
    QJsonObject labels;
};

enum class EdgeKind
{
    Owns,    // owner → owned (ownerReferences)
    Selects, // Service → Pod, or a ghost Service → a ghost workload
    Routes,  // Ingress → Service
    Uses,    // ConfigMap / Secret / PersistentVolumeClaim → Pod
};

struct Edge
{
    QString from;
    QString to;
    EdgeKind kind = EdgeKind::Owns;
    friend bool operator==(const Edge &, const Edge &) = default;
};

// A cluster node: one lane of pods.
struct Lane
{
    QString node;
    bool ready = false;
    bool controlPlane = false;
    QString status; // "Ready", "NotReady", "Ready,SchedulingDisabled"
};

QString itemId(const QString &key, const QString &ns, const QString &name);

class TopologyModel : public QObject
{
    Q_OBJECT
public:
    explicit TopologyModel(QObject *parent = nullptr);
    ~TopologyModel() override;

    // A watched object added or changed, or gone. Kinds the graph does not show are ignored.
    void apply(const QString &key, const QJsonObject &object);
    void remove(const QString &key, const QJsonObject &object);
    // Forgets every object (another cluster); ghosts stay.
    void clear();

    // The objects of one source of ghosts (a manifest tab), replacing what it gave before; an
    // empty list removes them.
    void setGhosts(const QString &source, const QList<QJsonObject> &objects);

    // Only items in this namespace ("" = all) whose labels match (kubectl's -l syntax); lanes
    // always show. The error is Kubernetes' text and leaves the filter as it was.
    void setNamespaceFilter(const QString &ns);
    std::expected<void, QString> setLabelFilter(const QString &selector);
    QString namespaceFilter() const;

    // What the graph shows now, filters applied; lanes sorted with control planes first.
    QList<Item> items() const;
    QList<Edge> edges() const;
    QList<Lane> lanes() const;
    const Item *item(const QString &id) const;
    bool isShown(const QString &id) const;
    // Every namespace seen, sorted.
    QStringList namespaces() const;

Q_SIGNALS:
    // Items whose looks changed, nothing moved.
    void itemsChanged(const QStringList &ids);
    // Items, edges or lanes came, went or were re-linked: lay out again.
    void structureChanged();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace timonel::topology
