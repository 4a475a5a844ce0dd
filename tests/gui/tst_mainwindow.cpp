// The main window, offscreen, against the real Docker engine and a real cluster of one control
// plane and one worker.
#include "cluster/clusters.h"
#include "cluster/createcluster.h"
#include "clusterspanel.h"
#include "editor/yamleditor.h"
#include "eventspanel.h"
#include "logview.h"
#include "mainwindow.h"
#include "objectdetails.h"
#include "portforwardspanel.h"
#include "resourcetree.h"
#include "terminaltab.h"
#include "testsupport.h"
#include "topology/topologyitems.h"
#include "topology/topologymodel.h"
#include "topology/topologyscene.h"
#include "topologytab.h"

#include <QAction>
#include <QDeadlineTimer>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QUuid>

using namespace timonel;

namespace {

// The forward runs in this thread's event loop: the socket waits without blocking it.
QByteArray httpGet(quint16 port)
{
    QTcpSocket socket;
    QByteArray reply;
    QObject::connect(&socket, &QTcpSocket::readyRead, [&] { reply += socket.readAll(); });
    QObject::connect(&socket, &QTcpSocket::connected, [&] {
        socket.write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    });
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::UnconnectedState; },
                         10000))
        return {};
    return reply;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_name =
        QStringLiteral("gui-%1").arg(QUuid::createUuid().toString(QUuid::Id128).left(6));

private Q_SLOTS:
    void initTestCase()
    {
        TIMONEL_REQUIRE_DOCKER();
        qputenv("TIMONEL_NODE_BINARY", test::binary(QStringLiteral("timonel-node")).toUtf8());
        cluster::CreateOptions options{cluster::defaultClusterConfig(1, 1), m_name, 120000,
                                       m_dir.filePath(QStringLiteral("kubeconfig")), true};
        cluster::ClusterCreator creator(options);
        auto created = creator.run();
        QVERIFY2(created, test::errorOf(created).constData());
        // The window reads contexts where kubectl would.
        qputenv("KUBECONFIG", m_dir.filePath(QStringLiteral("kubeconfig")).toUtf8());
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("TimonelTest"));
        QSettings().clear(); // nothing from an earlier run (its cluster's context is gone)
    }

    void cleanupTestCase()
    {
        cluster::Clusters().remove(m_name, m_dir.filePath(QStringLiteral("kubeconfig")));
    }

    void listsClustersAndTheirNodesWithoutBlockingTheUi()
    {
        gui::MainWindow window;
        window.show();
        QTreeWidget *tree = window.clustersPanel()->tree();
        // Reading happens off the UI thread: the window is up and says it is reading.
        QVERIFY(window.statusBar()->currentMessage().contains(QLatin1String("Reading")));
        QVERIFY(QTest::qWaitFor(
            [&] {
                return !window.statusBar()->currentMessage().contains(QLatin1String("Reading"));
            },
            30000));

        const QList<QTreeWidgetItem *> found = tree->findItems(m_name, Qt::MatchExactly);
        QCOMPARE(found.size(), 1);
        QTreeWidgetItem *cluster = found.first();
        QCOMPARE(cluster->childCount(), 2);
        QCOMPARE(cluster->child(0)->text(0), m_name + QStringLiteral("-control-plane"));
        QCOMPARE(cluster->child(1)->text(0), m_name + QStringLiteral("-worker"));
        QCOMPARE(cluster->child(0)->text(1), QStringLiteral("control-plane"));
        QCOMPARE(cluster->child(0)->text(2), QStringLiteral("running"));
        QVERIFY(!cluster->child(0)->text(3).isEmpty());
    }

    void aDeployedSampleRunsAndAStoppedNodeTurnsNotReady()
    {
        gui::MainWindow window;
        window.show();
        window.connectTo(cluster::contextName(m_name));
        QVERIFY(window.connection());
        QSignalSpy deployed(&window, &gui::MainWindow::deployFinished);
        window.deploySample(QStringLiteral("nginx-probes"), QStringLiteral("demo"));
        QTRY_COMPARE_WITH_TIMEOUT(deployed.size(), 1, 60000);
        QCOMPARE(deployed.first().at(0).toInt(), 2); // the namespace and the pod
        QCOMPARE(deployed.first().at(1).toInt(), 0);
        QTreeWidget *results = window.eventsPanel()->resultsView();
        QCOMPARE(results->topLevelItem(0)->child(1)->text(0),
                 QStringLiteral("pod/nginx serverside-applied"));

        // The resource tree follows the pod from watch events until its probes pass.
        gui::ResourceTree *tree = window.resourceTree();
        QTRY_VERIFY_WITH_TIMEOUT(tree->objectItem(QStringLiteral("pods"), QStringLiteral("demo"),
                                                  QStringLiteral("nginx")) &&
                                     tree->objectItem(QStringLiteral("pods"),
                                                      QStringLiteral("demo"),
                                                      QStringLiteral("nginx"))
                                             ->text(1) == QLatin1String("Running"),
                                 90000);

        // The graph shows the sample's namespace, with the pod Running and ready in the lane of
        // the node it runs on.
        gui::TopologyTab *topology = window.topologyTab();
        QVERIFY(topology);
        QCOMPARE(window.tabs()->currentWidget(), topology);
        QCOMPARE(topology->model()->namespaceFilter(), QStringLiteral("demo"));
        const QString podId = topology::itemId(QStringLiteral("pods"), QStringLiteral("demo"),
                                               QStringLiteral("nginx"));
        QTRY_VERIFY_WITH_TIMEOUT(
            topology->model()->item(podId) &&
                topology->model()->item(podId)->status == QLatin1String("Running") &&
                topology->model()->item(podId)->health == topology::Health::Good,
            30000);
        const QString node = topology->model()->item(podId)->lane;
        QVERIFY(node.startsWith(m_name));
        QTRY_VERIFY_WITH_TIMEOUT(
            topology->scene()->objectItem(podId) && !topology->scene()->isSettling(), 30000);
        QVERIFY(topology->scene()->laneItem(node)->rect().contains(
            topology->scene()->objectItem(podId)->sceneBoundingRect().adjusted(2, 8, -8, -2)));

        // Selecting the pod shows its YAML, events and log beside the graph.
        topology->scene()->select(podId);
        gui::ObjectDetails *details = topology->details();
        QCOMPARE(details->key(), QStringLiteral("pods"));
        QVERIFY(details->yaml()->toPlainText().contains(QLatin1String("name: nginx")));
        QVERIFY(details->log());
        QTRY_VERIFY_WITH_TIMEOUT(details->events()->topLevelItemCount() > 0, 30000);

        // Port-forward from the panel: the pod's nginx answers on the local port.
        window.portForwards()->forward(QStringLiteral("pods"), QStringLiteral("demo"),
                                       QStringLiteral("nginx"), 80);
        QTRY_VERIFY_WITH_TIMEOUT(window.portForwards()->list()->topLevelItem(0)->text(2) ==
                                     QLatin1String("Forwarding"),
                                 30000);
        const quint16 local = window.portForwards()->localPort(0);
        QVERIFY(local != 0);
        QByteArray page;
        QTRY_VERIFY_WITH_TIMEOUT((page = httpGet(local)).contains("nginx"), 20000);

        // A shell in the pod opens as a terminal tab.
        window.openShell(QStringLiteral("demo"), QStringLiteral("nginx"));
        auto *terminal = qobject_cast<gui::TerminalTab *>(window.tabs()->currentWidget());
        QVERIFY(terminal);
        QTRY_VERIFY_WITH_TIMEOUT(terminal->isRunning(), 30000);

        // A manifest open in the editor shows as a ghost until it is deployed.
        window.newManifest(
            QStringLiteral("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                           "  name: ghost\n  namespace: demo\nspec:\n"
                           "  selector: {matchLabels: {app: ghost}}\n"
                           "  template:\n    metadata: {labels: {app: ghost}}\n"
                           "    spec:\n      containers: [{name: c, image: nginx}]\n"));
        const QString ghostId = topology::itemId(QStringLiteral("deployments.apps"),
                                                 QStringLiteral("demo"), QStringLiteral("ghost"));
        QTRY_VERIFY_WITH_TIMEOUT(
            topology->model()->item(ghostId) && topology->model()->item(ghostId)->ghost, 10000);
        window.tabs()->setCurrentWidget(topology);

        // The clusters panel offers to stop the worker; the graph's node menu does it: the
        // node turns NotReady in the tree and in the graph.
        const QString worker = m_name + QStringLiteral("-worker");
        QTRY_VERIFY_WITH_TIMEOUT(!window.clustersPanel()->isBusy(), 30000);
        QTreeWidget *clusters = window.clustersPanel()->tree();
        const auto found = clusters->findItems(worker, Qt::MatchExactly | Qt::MatchRecursive);
        QCOMPARE(found.size(), 1);
        clusters->setCurrentItem(found.first());
        const auto actions = clusters->actions();
        const auto stop = std::ranges::find_if(
            actions, [](QAction *a) { return a->text() == QLatin1String("Stop node"); });
        QVERIFY(stop != actions.end() && (*stop)->isEnabled());
        Q_EMIT topology->nodeActionRequested(worker, false);
        QVERIFY(window.clustersPanel()->isBusy());
        QTRY_VERIFY_WITH_TIMEOUT(topology->scene()->laneItem(worker) &&
                                     topology->scene()->laneItem(worker)->lane().status ==
                                         QLatin1String("NotReady"),
                                 90000);
        QTRY_VERIFY_WITH_TIMEOUT(
            tree->objectItem(QStringLiteral("nodes"), QString(), worker) &&
                tree->objectItem(QStringLiteral("nodes"), QString(), worker)->text(1) ==
                    QLatin1String("NotReady"),
            90000);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
