// The main window, offscreen, against the real Docker engine and a real one-node cluster.
#include "cluster/clusters.h"
#include "cluster/createcluster.h"
#include "clusterspanel.h"
#include "mainwindow.h"
#include "testsupport.h"

#include <QStatusBar>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QUuid>

using namespace timonel;

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
        cluster::CreateOptions options{cluster::defaultClusterConfig(1, 0), m_name, 120000,
                                       m_dir.filePath(QStringLiteral("kubeconfig")), true};
        cluster::ClusterCreator creator(options);
        auto created = creator.run();
        QVERIFY2(created, test::errorOf(created).constData());
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
        QCOMPARE(cluster->childCount(), 1);
        QCOMPARE(cluster->child(0)->text(0), m_name + QStringLiteral("-control-plane"));
        QCOMPARE(cluster->child(0)->text(1), QStringLiteral("control-plane"));
        QCOMPARE(cluster->child(0)->text(2), QStringLiteral("running"));
        QVERIFY(!cluster->child(0)->text(3).isEmpty());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
