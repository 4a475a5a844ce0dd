// The topology tab: the live graph of the connected cluster (its nodes as lanes, workloads,
// pods, services, ingresses and configuration), filters by namespace and label, the selected
// object's YAML, events and log beside it, and menus on cards and node lanes. Manifests open in
// the editor show in it as ghosts.
#pragma once

#include <QWidget>

class QComboBox;
class QLineEdit;

namespace timonel::topology {
class TopologyModel;
class TopologyScene;
class TopologyView;
} // namespace timonel::topology

namespace timonel::gui {

class ClusterConnection;
class ObjectDetails;

class TopologyTab : public QWidget
{
    Q_OBJECT
public:
    // `connection` must outlive the tab (the main window closes it with its connection).
    explicit TopologyTab(ClusterConnection *connection, QWidget *parent = nullptr);
    ~TopologyTab() override;

    topology::TopologyModel *model() const { return m_model; }
    topology::TopologyScene *scene() const { return m_scene; }
    topology::TopologyView *view() const { return m_view; }
    ObjectDetails *details() const { return m_details; }
    QComboBox *namespaceBox() const { return m_namespace; }
    QLineEdit *labelFilter() const { return m_labels; }

    // The objects of a manifest (its YAML text) as ghosts, under `source`; objects without a
    // namespace go to `defaultNamespace`. Empty text removes them.
    void setGhosts(const QString &source, const QString &yaml, const QString &defaultNamespace);
    // Shows one namespace ("" = all), listed even before its watch event arrives.
    void showNamespace(const QString &ns);
    // Every namespace, only the objects with these labels (kubectl's -l syntax).
    void showLabels(const QString &selector);
    // Selects and shows an object (by the desktop's key, "pods"), e.g. one just deployed.
    void reveal(const QString &key, const QString &ns, const QString &name);

Q_SIGNALS:
    void logsRequested(const QString &ns, const QString &pod);
    void shellRequested(const QString &ns, const QString &pod);
    void portForwardRequested(const QString &key, const QString &ns, const QString &name);
    void nodeActionRequested(const QString &node, bool start);

private:
    void objectMenu(const QString &id, const QPoint &globalPos);
    void nodeMenu(const QString &node, const QPoint &globalPos);
    void updateNamespaces();

    ClusterConnection *m_connection;
    topology::TopologyModel *m_model;
    topology::TopologyScene *m_scene;
    topology::TopologyView *m_view;
    ObjectDetails *m_details;
    QComboBox *m_namespace;
    QLineEdit *m_labels;
};

} // namespace timonel::gui
