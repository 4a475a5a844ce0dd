// The create-cluster dialog's form: what it accepts, what it says about what it does not, and
// the command line it shows. Offscreen; creation itself is covered by tst_mainwindow and the
// cluster lifecycle tests.
#include "cluster/clusterconfig.h"
#include "createclusterdialog.h"
#include "testsupport.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTranslator>
#include <QUuid>

using namespace timonel;
using namespace Qt::StringLiterals;

class TestCreateClusterDialog : public QObject
{
    Q_OBJECT

    static void addPort(gui::CreateClusterDialog &dialog, const QString &container,
                        const QString &host, const QString &protocol = u"TCP"_s)
    {
        const auto buttons = dialog.findChildren<QToolButton *>();
        auto add = std::ranges::find_if(buttons,
                                        [](QToolButton *b) { return b->text() == u"Add port"_s; });
        QVERIFY(add != buttons.end());
        (*add)->click();
        QTableWidget *table = dialog.portsTable();
        const int row = table->rowCount() - 1;
        table->item(row, 0)->setText(container);
        table->item(row, 1)->setText(host);
        qobject_cast<QComboBox *>(table->cellWidget(row, 3))->setCurrentText(protocol);
    }

private Q_SLOTS:
    void theDefaultFormIsValid()
    {
        gui::CreateClusterDialog dialog;
        QVERIFY(dialog.createButton()->isEnabled());
        QVERIFY(dialog.problemLabel()->text().isEmpty());
        const auto options = dialog.options();
        QVERIFY(options);
        QCOMPARE(options->name, u"timonel"_s);
        QCOMPARE(options->config.nodes.size(), 1);
        QCOMPARE(dialog.commandLine(), u"timonel create cluster --name timonel --workers 0"_s);
    }

    void aBadNameIsExplainedAndBlocksCreate_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("uppercase and underscore") << u"My_Cluster"_s;
        QTest::newRow("leading dash") << u"-x"_s;
        QTest::newRow("empty") << QString();
        QTest::newRow("too long") << QString(60, u'a');
    }
    void aBadNameIsExplainedAndBlocksCreate()
    {
        QFETCH(QString, name);
        gui::CreateClusterDialog dialog;
        dialog.nameEdit()->setText(name);
        QVERIFY(!dialog.createButton()->isEnabled());
        QVERIFY(!dialog.problemLabel()->text().isEmpty());
        dialog.nameEdit()->setText(u"dev"_s);
        QVERIFY(dialog.createButton()->isEnabled());
        QVERIFY(dialog.problemLabel()->text().isEmpty());
    }

    void portMappingsAreCheckedRowByRow()
    {
        gui::CreateClusterDialog dialog;
        addPort(dialog, QString(), u"8080"_s);
        QVERIFY(!dialog.createButton()->isEnabled());
        QCOMPARE(dialog.problemLabel()->text(),
                 u"Port mapping 1: the container port must be a number from 1 to 65535"_s);
        dialog.portsTable()->item(0, 0)->setText(u"80"_s);
        QVERIFY(dialog.createButton()->isEnabled());
        addPort(dialog, u"443"_s, u"70000"_s);
        QCOMPARE(dialog.problemLabel()->text(),
                 u"Port mapping 2: the host port must be empty or a number from 1 to 65535"_s);
        dialog.portsTable()->item(1, 1)->setText(u"8080"_s);
        QCOMPARE(dialog.problemLabel()->text(),
                 u"Port mapping 2: host port 8080/TCP is already mapped above"_s);
        qobject_cast<QComboBox *>(dialog.portsTable()->cellWidget(1, 3))->setCurrentText(u"UDP"_s);
        QVERIFY(dialog.createButton()->isEnabled());
        dialog.portsTable()->item(1, 2)->setText(u"localhost"_s);
        QCOMPARE(dialog.problemLabel()->text(),
                 u"Port mapping 2: \"localhost\" is not an IP address"_s);
        dialog.portsTable()->item(1, 2)->setText(u"127.0.0.1"_s);

        const auto options = dialog.options();
        QVERIFY(options);
        const QList<cluster::PortMapping> ports = options->config.nodes.first().extraPortMappings;
        QCOMPARE(ports.size(), 2);
        QCOMPARE(ports[0].containerPort, 80);
        QCOMPARE(ports[0].hostPort, 8080);
        QCOMPARE(ports[1].protocol, u"UDP"_s);
        QCOMPARE(ports[1].listenAddress, u"127.0.0.1"_s);
    }

    void theCommandLineIsAKindConfigThatParsesBackToTheSameCluster()
    {
        gui::CreateClusterDialog dialog;
        dialog.nameEdit()->setText(u"ha"_s);
        dialog.controlPlanesBox()->setValue(3);
        dialog.workersBox()->setValue(2);
        addPort(dialog, u"80"_s, u"8080"_s);
        const QString command = dialog.commandLine();
        QVERIFY2(command.startsWith(u"timonel create cluster --config - <<'EOF'\n"_s),
                 qPrintable(command));
        const QString yaml = command.section(u'\n', 1, -2);
        const auto parsed = cluster::parseClusterConfig(yaml.toUtf8(), u"-"_s);
        QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error()));
        QCOMPARE(parsed->name, u"ha"_s);
        QCOMPARE(parsed->nodes.size(), 5);
        QCOMPARE(parsed->nodes[2].role, cluster::NodeRole::ControlPlane);
        QCOMPARE(parsed->nodes[3].role, cluster::NodeRole::Worker);
        QCOMPARE(parsed->nodes[0].extraPortMappings.size(), 1);
        QCOMPARE(parsed->nodes[0].extraPortMappings[0].hostPort, 8080);
    }

    void theSpanishUiLoads()
    {
        // The translations are compiled in; the app picks them by locale or setting (main.cpp).
        QTranslator spanish;
        QVERIFY(spanish.load(u":/i18n/timonel_es"_s));
        QCoreApplication::installTranslator(&spanish);
        {
            gui::CreateClusterDialog dialog;
            QCOMPARE(dialog.windowTitle(), u"Crear un clúster"_s);
            QCOMPARE(dialog.createButton()->text(), u"C&rear"_s);
            dialog.nameEdit()->setText(QString());
            QCOMPARE(dialog.problemLabel()->text(), u"Dale un nombre al clúster"_s);
        }
        QCoreApplication::removeTranslator(&spanish);
        gui::CreateClusterDialog english;
        QCOMPARE(english.windowTitle(), u"Create a cluster"_s);
    }

    void aCancelledCreationLeavesNothingBehind()
    {
        TIMONEL_REQUIRE_DOCKER();
        qputenv("TIMONEL_NODE_BINARY", test::binary(u"timonel-node"_s).toUtf8());
        QTemporaryDir dir;
        qputenv("KUBECONFIG", dir.filePath(u"kubeconfig"_s).toUtf8());
        const QString name = u"gui-cancel-"_s + QUuid::createUuid().toString(QUuid::Id128).left(6);
        gui::CreateClusterDialog dialog;
        dialog.nameEdit()->setText(name);
        QSignalSpy finished(&dialog, &gui::CreateClusterDialog::finished);
        dialog.startCreation();
        QVERIFY(dialog.isRunning());
        // Cancelled once the first step has started.
        QTRY_VERIFY_WITH_TIMEOUT(dialog.stepList()->currentItem() != nullptr, 60000);
        static_cast<QDialog &>(dialog).reject(); // what Cancel and Escape do
        // Still there, undoing what was made; Close comes back when it is done.
        QVERIFY(dialog.isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 120000);
        QCOMPARE(finished.first().at(0).toString(), name);
        QCOMPARE(finished.first().at(1).toString(),
                 u"Cluster creation was cancelled; nothing was left behind."_s);
        QVERIFY(!dialog.isRunning());
        QCOMPARE(test::dockerObjectsOf(name), 0);
    }

    void aKindConfigFileReplacesTheCounts()
    {
        QTemporaryDir dir;
        gui::CreateClusterDialog dialog;
        dialog.configFileEdit()->setText(dir.filePath(u"missing.yaml"_s));
        QVERIFY(!dialog.createButton()->isEnabled());
        QVERIFY(dialog.problemLabel()->text().startsWith(u"Cannot read "_s));

        QFile bad(dir.filePath(u"bad.yaml"_s));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: master\n");
        bad.close();
        dialog.configFileEdit()->setText(bad.fileName());
        QVERIFY(!dialog.createButton()->isEnabled());
        QVERIFY2(dialog.problemLabel()->text().contains(u"master"_s),
                 qPrintable(dialog.problemLabel()->text()));

        QFile good(dir.filePath(u"good.yaml"_s));
        QVERIFY(good.open(QIODevice::WriteOnly));
        good.write("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n"
                   "- role: control-plane\n- role: worker\n- role: worker\n");
        good.close();
        dialog.configFileEdit()->setText(good.fileName());
        QVERIFY(dialog.createButton()->isEnabled());
        QVERIFY(!dialog.workersBox()->isEnabled());
        QCOMPARE(dialog.options()->config.nodes.size(), 3);
        QCOMPARE(dialog.commandLine(),
                 u"timonel create cluster --name timonel --config "_s + good.fileName());
    }
};

QTEST_MAIN(TestCreateClusterDialog)
#include "tst_createclusterdialog.moc"
