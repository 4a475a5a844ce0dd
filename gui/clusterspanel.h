// The clusters panel: Timonel clusters on this machine with their nodes and state, then the
// other contexts of the kubeconfig; creating, starting, stopping and deleting clusters, and
// stopping or starting one node (to watch pods move). Docker is read and changed off the UI
// thread; each action says its command-line equivalent.
#pragma once

#include <QWidget>

class QAction;
class QTreeWidget;
class QTreeWidgetItem;

namespace timonel::gui {

class ClustersPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ClustersPanel(QWidget *parent = nullptr);

    QTreeWidget *tree() const { return m_tree; }
    QAction *createAction() const { return m_create; }
    // Whether a refresh or an action is running.
    bool isBusy() const { return m_busy > 0; }

    // Docker objects and kubeconfig contexts are read again.
    void refresh();
    // Opens the create-cluster dialog.
    void createCluster();
    // Stops or starts the node container of a Timonel cluster, by its kubeconfig context and
    // node name (the topology graph's node menu); false when no such node is listed.
    bool setNodeRunning(const QString &context, const QString &node, bool running);

Q_SIGNALS:
    // The user asked to work with this kubeconfig context (double-click or Connect).
    void contextActivated(const QString &context);
    // What happened, for the status bar and the log: a line, and the equivalent command.
    void message(const QString &text, const QString &command = {});
    void busyChanged(bool busy);

private:
    enum class Action
    {
        Start,
        Stop,
        Delete,
        StopNode,
        StartNode
    };
    void updateActions();
    void run(Action action);
    // Runs `work` off the UI thread; its result (an error, or empty) comes back to `done`.
    void inBackground(std::function<QString()> work, std::function<void(const QString &)> done);
    QString selectedCluster() const;
    QTreeWidgetItem *selectedNode() const;

    QTreeWidget *m_tree;
    QAction *m_create;
    QAction *m_connect;
    QAction *m_start;
    QAction *m_stop;
    QAction *m_delete;
    QAction *m_stopNode;
    QAction *m_startNode;
    QAction *m_refresh;
    int m_busy = 0;
};

} // namespace timonel::gui
