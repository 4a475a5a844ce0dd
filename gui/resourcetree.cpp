#include "resourcetree.h"

#include "clusterconnection.h"

#include <QHeaderView>

namespace timonel::gui {

namespace {

constexpr int KeyRole = Qt::UserRole;
constexpr int NamespaceRole = Qt::UserRole + 1;
constexpr int NameRole = Qt::UserRole + 2;
constexpr int OrderRole = Qt::UserRole + 3;

QString metaField(const QJsonObject &object, QLatin1StringView field)
{
    return object.value(QLatin1String("metadata")).toObject().value(field).toString();
}

const WatchedKind *kindOf(const QString &key)
{
    for (const WatchedKind &kind : watchedKinds())
        if (kind.key() == key)
            return &kind;
    return nullptr;
}

// "Deployments": the tree's label for a kind.
QString pluralLabel(const WatchedKind &kind)
{
    QString label = kind.kind;
    if (label.endsWith(QLatin1Char('s')))
        return label + QStringLiteral("es"); // Ingresses
    return label + QLatin1Char('s');
}

} // namespace

ResourceTree::ResourceTree(QWidget *parent) : QTreeWidget(parent)
{
    setHeaderLabels({tr("Resource"), tr("Status")});
    header()->setSectionResizeMode(0, QHeaderView::Stretch);
    header()->setStretchLastSection(false);
    header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    connect(this, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (item && !item->data(0, NameRole).toString().isEmpty())
            Q_EMIT objectSelected(item->data(0, KeyRole).toString(),
                                  item->data(0, NamespaceRole).toString(),
                                  item->data(0, NameRole).toString());
    });
    connect(this, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        if (item && !item->data(0, NameRole).toString().isEmpty())
            Q_EMIT objectActivated(item->data(0, KeyRole).toString(),
                                   item->data(0, NamespaceRole).toString(),
                                   item->data(0, NameRole).toString());
    });
}

void ResourceTree::setConnection(ClusterConnection *connection)
{
    if (m_connection)
        disconnect(m_connection, nullptr, this, nullptr);
    clear();
    m_namespaces.clear();
    m_kinds.clear();
    m_objects.clear();
    m_clusterScoped = nullptr;
    m_connection = connection;
    if (!connection)
        return;
    m_clusterScoped = new QTreeWidgetItem(this, {tr("Cluster")});
    connect(connection, &ClusterConnection::objectChanged, this, &ResourceTree::onChanged);
    connect(connection, &ClusterConnection::objectRemoved, this, &ResourceTree::onRemoved);
    for (const WatchedKind &kind : watchedKinds())
        for (const QJsonObject &object : connection->objects(kind.key()))
            onChanged(kind.key(), object);
}

QTreeWidgetItem *ResourceTree::namespaceItem(const QString &ns)
{
    if (ns.isEmpty())
        return m_clusterScoped;
    if (QTreeWidgetItem *item = m_namespaces.value(ns))
        return item;
    // Sorted by name, after the cluster-scoped item.
    int index = 1;
    while (index < topLevelItemCount() && topLevelItem(index)->text(0) < ns)
        ++index;
    auto *item = new QTreeWidgetItem({ns});
    insertTopLevelItem(index, item);
    item->setToolTip(0, tr("Namespace %1").arg(ns));
    m_namespaces.insert(ns, item);
    if (ns == QLatin1String("default"))
        item->setExpanded(true);
    return item;
}

QTreeWidgetItem *ResourceTree::kindItem(const QString &ns, const QString &key) const
{
    return m_kinds.value(ns + QLatin1Char('|') + key);
}

QTreeWidgetItem *ResourceTree::objectItem(const QString &key, const QString &ns,
                                          const QString &name) const
{
    return m_objects.value(key + QLatin1Char('|') + ns + QLatin1Char('|') + name);
}

QTreeWidgetItem *ResourceTree::ensureKindItem(const QString &ns, const QString &key)
{
    if (QTreeWidgetItem *item = kindItem(ns, key))
        return item;
    const WatchedKind *kind = kindOf(key);
    QTreeWidgetItem *parent = namespaceItem(ns);
    // In watchedKinds() order.
    int order = 0;
    for (const WatchedKind &k : watchedKinds()) {
        if (k.key() == key)
            break;
        ++order;
    }
    int index = 0;
    while (index < parent->childCount() && parent->child(index)->data(0, OrderRole).toInt() < order)
        ++index;
    auto *item = new QTreeWidgetItem;
    item->setData(0, OrderRole, order);
    item->setData(0, KeyRole, key);
    item->setText(0, kind ? pluralLabel(*kind) : key);
    parent->insertChild(index, item);
    m_kinds.insert(ns + QLatin1Char('|') + key, item);
    return item;
}

void ResourceTree::updateCount(QTreeWidgetItem *kindItem)
{
    const WatchedKind *kind = kindOf(kindItem->data(0, KeyRole).toString());
    const QString label = kind ? pluralLabel(*kind) : kindItem->data(0, KeyRole).toString();
    kindItem->setText(0, QStringLiteral("%1 (%2)").arg(label).arg(kindItem->childCount()));
}

void ResourceTree::onChanged(const QString &key, const QJsonObject &object)
{
    if (key == QLatin1String("events"))
        return; // the events panel shows them
    const QString ns = metaField(object, QLatin1StringView("namespace"));
    const QString name = metaField(object, QLatin1StringView("name"));
    const QString objectKey = key + QLatin1Char('|') + ns + QLatin1Char('|') + name;
    QTreeWidgetItem *item = m_objects.value(objectKey);
    if (!item) {
        QTreeWidgetItem *parent = ensureKindItem(ns, key);
        int index = 0;
        while (index < parent->childCount() && parent->child(index)->text(0) < name)
            ++index;
        item = new QTreeWidgetItem({name});
        item->setData(0, KeyRole, key);
        item->setData(0, NamespaceRole, ns);
        item->setData(0, NameRole, name);
        parent->insertChild(index, item);
        m_objects.insert(objectKey, item);
        updateCount(parent);
    }
    // A short status, as the first columns of `kubectl get` would say it.
    const QJsonObject status = object.value(QLatin1String("status")).toObject();
    QString text;
    if (key == QLatin1String("pods"))
        text = status.value(QLatin1String("phase")).toString();
    else if (key == QLatin1String("nodes")) {
        for (const QJsonValue &c : status.value(QLatin1String("conditions")).toArray())
            if (c[QLatin1String("type")] == QLatin1String("Ready"))
                text = c[QLatin1String("status")] == QLatin1String("True") ? tr("Ready")
                                                                           : tr("NotReady");
    } else if (object.value(QLatin1String("spec")).toObject().contains(QLatin1String("replicas")))
        text = QStringLiteral("%1/%2")
                   .arg(status.value(QLatin1String("readyReplicas")).toInt())
                   .arg(object[QLatin1String("spec")][QLatin1String("replicas")].toInt());
    else if (key == QLatin1String("namespaces") || key == QLatin1String("persistentvolumeclaims") ||
             key == QLatin1String("persistentvolumes"))
        text = status.value(QLatin1String("phase")).toString();
    item->setText(1, text);
}

void ResourceTree::onRemoved(const QString &key, const QJsonObject &object)
{
    const QString ns = metaField(object, QLatin1StringView("namespace"));
    const QString name = metaField(object, QLatin1StringView("name"));
    QTreeWidgetItem *item = m_objects.take(key + QLatin1Char('|') + ns + QLatin1Char('|') + name);
    if (!item)
        return;
    QTreeWidgetItem *parent = item->parent();
    delete item;
    if (parent->childCount() > 0) {
        updateCount(parent);
        return;
    }
    m_kinds.remove(ns + QLatin1Char('|') + key);
    QTreeWidgetItem *nsItem = parent->parent();
    delete parent;
    if (nsItem && nsItem != m_clusterScoped && nsItem->childCount() == 0) {
        m_namespaces.remove(ns);
        delete nsItem;
    }
}

} // namespace timonel::gui
