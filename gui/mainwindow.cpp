#include "mainwindow.h"

#include "cluster/clusters.h"

#include <QAction>
#include <QCloseEvent>
#include <QHeaderView>
#include <QSettings>
#include <QStatusBar>
#include <QThread>
#include <QToolBar>
#include <QTreeWidget>

namespace timonel::gui {

namespace {

struct ClusterRow
{
    QString name;
    QList<cluster::NodeInfo> nodes;
};

struct Snapshot
{
    QList<ClusterRow> clusters;
    QString error;
};

// Reads every cluster from Docker; runs off the UI thread.
Snapshot readClusters()
{
    Snapshot snapshot;
    cluster::Clusters clusters;
    auto names = clusters.list();
    if (!names) {
        snapshot.error = names.error();
        return snapshot;
    }
    for (const QString &name : *names)
        snapshot.clusters.append({name, clusters.nodes(name).value_or(QList<cluster::NodeInfo>())});
    return snapshot;
}

} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Timonel"));
    m_clusters = new QTreeWidget(this);
    m_clusters->setHeaderLabels({tr("Cluster / node"), tr("Role"), tr("State"), tr("Address")});
    m_clusters->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    setCentralWidget(m_clusters);

    QToolBar *toolbar = addToolBar(tr("Clusters"));
    toolbar->setObjectName(QStringLiteral("clustersToolbar"));
    QAction *refreshAction = toolbar->addAction(tr("Refresh"), this, &MainWindow::refresh);
    refreshAction->setShortcut(QKeySequence::Refresh);

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    if (!settings.contains(QStringLiteral("window/geometry")))
        resize(900, 560);
    refresh();
}

void MainWindow::refresh()
{
    statusBar()->showMessage(tr("Reading clusters from Docker ..."));
    auto *worker = QThread::create([this] {
        Snapshot snapshot = readClusters();
        QMetaObject::invokeMethod(this, [this, snapshot] {
            m_clusters->clear();
            for (const ClusterRow &row : snapshot.clusters) {
                auto *item = new QTreeWidgetItem(m_clusters, {row.name});
                for (const auto &node : row.nodes)
                    new QTreeWidgetItem(item, {node.name, node.role, node.state, node.ip});
                item->setExpanded(true);
            }
            if (!snapshot.error.isEmpty())
                statusBar()->showMessage(snapshot.error);
            else if (snapshot.clusters.isEmpty())
                statusBar()->showMessage(
                    tr("No clusters yet: create one with \"timonel create cluster\"."));
            else
                statusBar()->showMessage(
                    tr("%n cluster(s)", nullptr, int(snapshot.clusters.size())));
        });
    });
    connect(worker, &QThread::finished, worker, &QObject::deleteLater);
    worker->start();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

} // namespace timonel::gui
