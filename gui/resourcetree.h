// The resource tree: per namespace, each kind with its count and its objects, then the
// cluster-scoped kinds; kept current from the connection's watch events.
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QTreeWidget>

namespace timonel::gui {

class ClusterConnection;

class ResourceTree : public QTreeWidget
{
    Q_OBJECT
public:
    explicit ResourceTree(QWidget *parent = nullptr);

    // Follows `connection` (nullptr: empty); the connection must outlive it or be replaced.
    void setConnection(ClusterConnection *connection);

    // The item of a kind in a namespace ("" for cluster-scoped kinds), or nullptr.
    QTreeWidgetItem *kindItem(const QString &ns, const QString &key) const;
    // The item of one object, or nullptr.
    QTreeWidgetItem *objectItem(const QString &key, const QString &ns, const QString &name) const;

Q_SIGNALS:
    void objectSelected(const QString &key, const QString &ns, const QString &name);
    // Double-click or Enter: open the object (its YAML).
    void objectActivated(const QString &key, const QString &ns, const QString &name);

private:
    void onChanged(const QString &key, const QJsonObject &object);
    void onRemoved(const QString &key, const QJsonObject &object);
    QTreeWidgetItem *namespaceItem(const QString &ns);
    QTreeWidgetItem *ensureKindItem(const QString &ns, const QString &key);
    void updateCount(QTreeWidgetItem *kindItem);

    ClusterConnection *m_connection = nullptr;
    QTreeWidgetItem *m_clusterScoped = nullptr;
    QHash<QString, QTreeWidgetItem *> m_namespaces; // by name
    QHash<QString, QTreeWidgetItem *> m_kinds;      // by "ns|key"
    QHash<QString, QTreeWidgetItem *> m_objects;    // by "key|ns|name"
};

} // namespace timonel::gui
