#include "clusterspanel.h"

#include "client/kubeconfigclient.h"
#include "cluster/clusters.h"
#include "createclusterdialog.h"

#include <QAction>
#include <QHeaderView>
#include <QMessageBox>
#include <QPointer>
#include <QThread>
#include <QToolBar>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace timonel::gui {

namespace {

// Item data: what a row is.
constexpr int KindRole = Qt::UserRole;
constexpr int ContextRole = Qt::UserRole + 1;
constexpr int ContainerRole = Qt::UserRole + 2;
enum RowKind
{
    ClusterRow = 1,
    NodeRow,
    ContextRow
};

struct ClusterState
{
    QString name;
    QList<cluster::NodeInfo> nodes;
};

struct Snapshot
{
    QList<ClusterState> clusters;
    QStringList otherContexts;
    QString currentContext;
    QString error;
};

// Reads every cluster from Docker and the kubeconfig's contexts; runs off the UI thread.
Snapshot readSnapshot()
{
    Snapshot snapshot;
    cluster::Clusters clusters;
    if (auto names = clusters.list(); names) {
        for (const QString &name : *names)
            snapshot.clusters.append(
                {name, clusters.nodes(name).value_or(QList<cluster::NodeInfo>())});
    } else {
        snapshot.error = names.error();
    }
    if (auto contexts = client::readKubeconfigContexts(); contexts) {
        snapshot.currentContext = contexts->current;
        QStringList ours;
        for (const ClusterState &c : std::as_const(snapshot.clusters))
            ours.append(cluster::contextName(c.name));
        for (const QString &context : std::as_const(contexts->names))
            if (!ours.contains(context))
                snapshot.otherContexts.append(context);
    }
    return snapshot;
}

QString summary(const QList<cluster::NodeInfo> &nodes)
{
    const auto running = std::ranges::count_if(
        nodes, [](const cluster::NodeInfo &n) { return n.state == QLatin1String("running"); });
    if (running == nodes.size())
        return ClustersPanel::tr("running");
    if (running == 0)
        return ClustersPanel::tr("stopped");
    return ClustersPanel::tr("%1 of %2 nodes running").arg(running).arg(nodes.size());
}

} // namespace

ClustersPanel::ClustersPanel(QWidget *parent) : QWidget(parent), m_tree(new QTreeWidget(this))
{
    m_tree->setHeaderLabels({tr("Cluster / node"), tr("Role"), tr("State"), tr("Address")});
    m_tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tree->setContextMenuPolicy(Qt::ActionsContextMenu);

    auto *toolbar = new QToolBar(this);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_create = toolbar->addAction(tr("Create..."), this, &ClustersPanel::createCluster);
    m_create->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    m_create->setToolTip(tr("Create a cluster (timonel create cluster)"));
    m_connect = new QAction(tr("Connect"), this);
    m_start = new QAction(tr("Start"), this);
    m_stop = new QAction(tr("Stop"), this);
    m_delete = new QAction(tr("Delete..."), this);
    m_stopNode = new QAction(tr("Stop node"), this);
    m_startNode = new QAction(tr("Start node"), this);
    m_refresh = new QAction(tr("Refresh"), this);
    m_refresh->setShortcut(QKeySequence::Refresh);
    toolbar->addActions({m_start, m_stop, m_delete, m_refresh});
    m_tree->addActions({m_connect, m_start, m_stop, m_delete, m_stopNode, m_startNode, m_refresh});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(toolbar);
    layout->addWidget(m_tree);

    connect(m_refresh, &QAction::triggered, this, &ClustersPanel::refresh);
    connect(m_start, &QAction::triggered, this, [this] { run(Action::Start); });
    connect(m_stop, &QAction::triggered, this, [this] { run(Action::Stop); });
    connect(m_delete, &QAction::triggered, this, [this] { run(Action::Delete); });
    connect(m_stopNode, &QAction::triggered, this, [this] { run(Action::StopNode); });
    connect(m_startNode, &QAction::triggered, this, [this] { run(Action::StartNode); });
    auto activate = [this] {
        if (const QTreeWidgetItem *item = m_tree->currentItem();
            item && !item->data(0, ContextRole).toString().isEmpty())
            Q_EMIT contextActivated(item->data(0, ContextRole).toString());
    };
    connect(m_connect, &QAction::triggered, this, activate);
    connect(m_tree, &QTreeWidget::itemActivated, this, activate);
    connect(m_tree, &QTreeWidget::currentItemChanged, this, &ClustersPanel::updateActions);
    updateActions();
}

QString ClustersPanel::selectedCluster() const
{
    const QTreeWidgetItem *item = m_tree->currentItem();
    if (item && item->data(0, KindRole).toInt() == NodeRow)
        item = item->parent();
    return item && item->data(0, KindRole).toInt() == ClusterRow ? item->text(0) : QString();
}

QTreeWidgetItem *ClustersPanel::selectedNode() const
{
    QTreeWidgetItem *item = m_tree->currentItem();
    return item && item->data(0, KindRole).toInt() == NodeRow ? item : nullptr;
}

void ClustersPanel::updateActions()
{
    const QTreeWidgetItem *item = m_tree->currentItem();
    const bool idle = m_busy == 0;
    const bool onCluster = !selectedCluster().isEmpty();
    const QTreeWidgetItem *node = selectedNode();
    m_connect->setEnabled(item && !item->data(0, ContextRole).toString().isEmpty());
    m_start->setEnabled(idle && onCluster);
    m_stop->setEnabled(idle && onCluster);
    m_delete->setEnabled(idle && onCluster);
    m_stopNode->setEnabled(idle && node && node->text(2) == QLatin1String("running"));
    m_startNode->setEnabled(idle && node && node->text(2) != QLatin1String("running"));
    m_refresh->setEnabled(idle);
    const QString name = selectedCluster();
    m_start->setToolTip(QStringLiteral("timonel start cluster --name %1").arg(name));
    m_stop->setToolTip(QStringLiteral("timonel stop cluster --name %1").arg(name));
    m_delete->setToolTip(QStringLiteral("timonel delete cluster --name %1").arg(name));
    const QString container = node ? node->text(0) : QString();
    m_stopNode->setToolTip(QStringLiteral("docker stop %1").arg(container));
    m_startNode->setToolTip(QStringLiteral("docker start %1").arg(container));
}

void ClustersPanel::inBackground(std::function<QString()> work,
                                 std::function<void(const QString &)> done)
{
    if (++m_busy == 1)
        Q_EMIT busyChanged(true);
    updateActions();
    QPointer<ClustersPanel> self(this);
    auto *worker = QThread::create([self, work = std::move(work), done = std::move(done)] {
        const QString error = work();
        if (self)
            QMetaObject::invokeMethod(self, [self, done, error] {
                if (!self)
                    return;
                if (--self->m_busy == 0)
                    Q_EMIT self->busyChanged(false);
                done(error);
                self->updateActions();
            });
    });
    connect(worker, &QThread::finished, worker, &QObject::deleteLater);
    worker->start();
}

void ClustersPanel::refresh()
{
    Q_EMIT message(tr("Reading clusters from Docker ..."));
    auto snapshot = std::make_shared<Snapshot>();
    inBackground(
        [snapshot] {
            *snapshot = readSnapshot();
            return snapshot->error;
        },
        [this, snapshot](const QString &error) {
            const QString selected =
                m_tree->currentItem() ? m_tree->currentItem()->text(0) : QString();
            m_tree->clear();
            QTreeWidgetItem *restore = nullptr;
            auto remember = [&](QTreeWidgetItem *item) {
                if (item->text(0) == selected)
                    restore = item;
            };
            for (const ClusterState &c : std::as_const(snapshot->clusters)) {
                auto *item = new QTreeWidgetItem(m_tree, {c.name, QString(), summary(c.nodes)});
                item->setData(0, KindRole, ClusterRow);
                item->setData(0, ContextRole, cluster::contextName(c.name));
                item->setToolTip(0, tr("kubectl context: %1").arg(cluster::contextName(c.name)));
                remember(item);
                for (const cluster::NodeInfo &n : c.nodes) {
                    auto *node = new QTreeWidgetItem(item, {n.name, n.role, n.state, n.ip});
                    node->setData(0, KindRole, NodeRow);
                    node->setData(0, ContainerRole, n.containerId);
                    remember(node);
                }
                item->setExpanded(true);
            }
            if (!snapshot->otherContexts.isEmpty()) {
                auto *others = new QTreeWidgetItem(m_tree, {tr("Other kubeconfig contexts")});
                for (const QString &context : std::as_const(snapshot->otherContexts)) {
                    auto *item = new QTreeWidgetItem(others, {context});
                    item->setData(0, KindRole, ContextRow);
                    item->setData(0, ContextRole, context);
                    remember(item);
                }
                others->setExpanded(true);
            }
            if (restore)
                m_tree->setCurrentItem(restore);
            if (!error.isEmpty())
                Q_EMIT message(error);
            else if (snapshot->clusters.isEmpty())
                Q_EMIT message(tr("No clusters yet: create one with \"Create...\"."),
                               QStringLiteral("timonel create cluster"));
            else
                Q_EMIT message(tr("%n cluster(s)", nullptr, int(snapshot->clusters.size())),
                               QStringLiteral("timonel get clusters"));
        });
}

void ClustersPanel::run(Action action)
{
    const QString name = selectedCluster();
    const QTreeWidgetItem *node = selectedNode();
    const QString nodeName = node ? node->text(0) : QString();
    const QString container = node ? node->data(0, ContainerRole).toString() : QString();
    if (name.isEmpty())
        return;
    std::function<QString()> work;
    QString doing, done, command;
    switch (action) {
    case Action::Start:
        doing = tr("Starting cluster \"%1\" ...").arg(name);
        done = tr("Cluster \"%1\" started").arg(name);
        command = QStringLiteral("timonel start cluster --name %1").arg(name);
        work = [name] {
            auto started = cluster::Clusters().start(name, 120000);
            return started ? QString() : started.error();
        };
        break;
    case Action::Stop:
        doing = tr("Stopping cluster \"%1\" ...").arg(name);
        done = tr("Cluster \"%1\" stopped").arg(name);
        command = QStringLiteral("timonel stop cluster --name %1").arg(name);
        work = [name] {
            auto stopped = cluster::Clusters().stop(name);
            return stopped ? QString() : stopped.error();
        };
        break;
    case Action::Delete:
        if (QMessageBox::question(
                this, tr("Delete cluster"),
                tr("Delete cluster \"%1\" with all its nodes, workloads and volumes? This "
                   "cannot be undone.")
                    .arg(name),
                QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) != QMessageBox::Yes)
            return;
        doing = tr("Deleting cluster \"%1\" ...").arg(name);
        done = tr("Cluster \"%1\" deleted").arg(name);
        command = QStringLiteral("timonel delete cluster --name %1").arg(name);
        work = [name] {
            auto removed = cluster::Clusters().remove(name);
            return removed ? QString() : removed.error();
        };
        break;
    case Action::StopNode:
        doing = tr("Stopping node \"%1\" ...").arg(nodeName);
        done = tr("Node \"%1\" stopped: its pods will be rescheduled once it is NotReady")
                   .arg(nodeName);
        command = QStringLiteral("docker stop %1").arg(nodeName);
        work = [container] {
            auto stopped = docker::DockerClient().stopContainer(container);
            return stopped ? QString() : stopped.error().message;
        };
        break;
    case Action::StartNode:
        doing = tr("Starting node \"%1\" ...").arg(nodeName);
        done = tr("Node \"%1\" started").arg(nodeName);
        command = QStringLiteral("docker start %1").arg(nodeName);
        work = [container] {
            auto started = docker::DockerClient().startContainer(container);
            return started ? QString() : started.error().message;
        };
        break;
    }
    Q_EMIT message(doing, command);
    inBackground(std::move(work), [this, done, command](const QString &error) {
        Q_EMIT message(error.isEmpty() ? done : error, command);
        refresh();
    });
}

bool ClustersPanel::setNodeRunning(const QString &context, const QString &node, bool running)
{
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *cluster = m_tree->topLevelItem(i);
        if (cluster->data(0, KindRole).toInt() != ClusterRow ||
            cluster->data(0, ContextRole).toString() != context)
            continue;
        for (int j = 0; j < cluster->childCount(); ++j) {
            if (cluster->child(j)->text(0) == node) {
                m_tree->setCurrentItem(cluster->child(j));
                run(running ? Action::StartNode : Action::StopNode);
                return true;
            }
        }
    }
    return false;
}

void ClustersPanel::createCluster()
{
    auto *dialog = new CreateClusterDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &CreateClusterDialog::finished, this,
            [this](const QString &name, const QString &error) {
                Q_EMIT message(error.isEmpty() ? tr("Cluster \"%1\" created").arg(name) : error,
                               QStringLiteral("timonel create cluster --name %1").arg(name));
                refresh();
            });
    dialog->open();
}

} // namespace timonel::gui
