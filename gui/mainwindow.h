#pragma once

#include <QMainWindow>

#include <memory>

class QLabel;
class QTabWidget;

namespace timonel::gui {

class ClusterConnection;
class ClustersPanel;
class EventsPanel;
class GitOpsPanel;
class ManifestTab;
class PortForwardsPanel;
class ResourceTree;
class TopologyTab;

// The desktop app's main window: the clusters panel, the resource tree and the events and
// problems panel around central tabs (the topology graph, manifests, logs); the status bar
// names the context the window works with. Layout and settings persist.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    ClustersPanel *clustersPanel() const { return m_clusters; }
    ResourceTree *resourceTree() const { return m_resources; }
    EventsPanel *eventsPanel() const { return m_events; }
    PortForwardsPanel *portForwards() const { return m_portForwards; }
    GitOpsPanel *gitOpsPanel() const { return m_gitops; }
    QTabWidget *tabs() const { return m_tabs; }
    ClusterConnection *connection() const { return m_connection.get(); }
    // The connected cluster's graph, nullptr when not connected or closed.
    TopologyTab *topologyTab() const;
    // Shows the graph (opening it again if it was closed).
    void showTopology();

    // Re-reads the clusters and contexts.
    void refresh();
    // Works with this kubeconfig context from now on ("" = the current context).
    void connectTo(const QString &context);
    // Opens a pod's log in a tab (or shows the open one).
    void showLogs(const QString &ns, const QString &pod);
    // A terminal tab with a shell in the pod's first container (kubectl exec -it).
    void openShell(const QString &ns, const QString &pod);
    // Asks which port of a pod or Service (key "pods" / "services") to forward, then does.
    void askPortForward(const QString &key, const QString &ns, const QString &name);
    // A manifest tab: empty, from a file, or with this text (a sample, a template).
    ManifestTab *newManifest(const QString &text = {});
    ManifestTab *openManifest(const QString &path);
    bool saveManifest(ManifestTab *tab, bool choosePath);
    // Server-side apply of the tab's objects (field manager "timonel"), or the server's dry run.
    void deploy(ManifestTab *tab, bool dryRun);
    // Builds the sample's missing images, then applies it into `ns` (made when missing).
    void deploySample(const QString &sampleId, const QString &ns);

Q_SIGNALS:
    // A deploy or dry run ended: how many objects were applied and how many failed.
    void deployFinished(int applied, int failed);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void showMessage(const QString &text, const QString &command);
    void chooseLanguage(const QString &language);
    void closeTab(int index);
    void rememberRecent(const QString &path);
    void updateRecentMenu();
    ManifestTab *currentManifest() const;
    // Tabs that read from the connection go with it.
    void closeConnectionTabs();
    // The manifest tab's objects as ghosts in the graph ("" text: none).
    void updateGhosts(ManifestTab *tab, bool removed = false);

    ClustersPanel *m_clusters;
    ResourceTree *m_resources;
    EventsPanel *m_events;
    PortForwardsPanel *m_portForwards;
    GitOpsPanel *m_gitops;
    QTabWidget *m_tabs;
    QLabel *m_contextLabel;
    class QMenu *m_recentMenu = nullptr;
    std::unique_ptr<ClusterConnection> m_connection;
};

} // namespace timonel::gui
