// Cluster lifecycle end to end: the `timonel` CLI against the real Docker engine, judged by the
// real kubectl. Each test works on its own cluster name and kubeconfig file.
#include "core/yaml.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QUuid>

#include <csignal>

using namespace timonel;
using test::Run;

class TestClusterLifecycle : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_suffix = QUuid::createUuid().toString(QUuid::Id128).left(6);

    QString clusterName(const char *base) const
    {
        return QStringLiteral("%1-%2").arg(QLatin1String(base), m_suffix);
    }
    QString kubeconfig() const { return m_dir.filePath(QStringLiteral("kubeconfig")); }
    QMap<QString, QString> env() const { return {{QStringLiteral("KUBECONFIG"), kubeconfig()}}; }

    Run timonel(const QStringList &args, int timeoutMs = 300000) const
    {
        return test::run(test::binary(QStringLiteral("timonel")), args, env(), timeoutMs);
    }
    Run kubectl(const QString &cluster, const QStringList &args) const
    {
        QStringList all = {QStringLiteral("--context"), QStringLiteral("timonel-") + cluster};
        all += args;
        return test::run(QStringLiteral("kubectl"), all, env(), 60000);
    }
    QString writeFile(const QString &name, const QByteArray &content) const
    {
        QFile f(m_dir.filePath(name));
        f.open(QIODevice::WriteOnly);
        f.write(content);
        return f.fileName();
    }
    // The cluster's node containers (its other containers: pods, load balancers, carry no role).
    QJsonArray nodeContainers(const QString &cluster) const
    {
        return docker::DockerClient()
            .listContainers(QJsonObject{{QStringLiteral("label"),
                                         QJsonArray{QStringLiteral("io.timonel.cluster=") + cluster,
                                                    QStringLiteral("io.timonel.role")}}})
            .value_or(QJsonArray());
    }
    static int running(const QJsonArray &containers)
    {
        return int(std::count_if(containers.begin(), containers.end(), [](const QJsonValue &c) {
            return c.toObject().value(QLatin1String("State")).toString() ==
                   QLatin1String("running");
        }));
    }

    // Where Docker published a port of the cluster's control plane: {"HostIp", "HostPort"}.
    static QJsonObject published(const QString &cluster, const QString &port)
    {
        return docker::DockerClient()
            .inspectContainer(cluster + QStringLiteral("-control-plane"))
            .value_or(QJsonObject())
            .value(QLatin1String("NetworkSettings"))
            .toObject()
            .value(QLatin1String("Ports"))
            .toObject()
            .value(port)
            .toArray()
            .first()
            .toObject();
    }

    static int apiPort(const QString &cluster)
    {
        return published(cluster, QStringLiteral("6443/tcp"))
            .value(QLatin1String("HostPort"))
            .toString()
            .toInt();
    }

    static int anonymousStatus(const QString &url)
    {
        QNetworkAccessManager network;
        QNetworkRequest request{QUrl(url)};
        request.setTransferTimeout(10000);
        QNetworkReply *reply = network.get(request);
        reply->ignoreSslErrors(); // the point is the missing client certificate, not trust
        if (!QTest::qWaitFor([&] { return reply->isFinished(); }, 15000))
            return -1;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        delete reply;
        return status;
    }

private Q_SLOTS:
    void initTestCase()
    {
        TIMONEL_REQUIRE_DOCKER();
        QVERIFY(m_dir.isValid());
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("kubectl")).isEmpty(),
                 "kubectl is the judge and must be on PATH");
    }

    void kindConfigWithThreeWorkersMakesFourNodesAndDeleteLeavesNothing()
    {
        const QString name = clusterName("e2e");
        // An unrelated context that must survive create and delete.
        writeFile(QStringLiteral("kubeconfig"),
                  "apiVersion: v1\nkind: Config\nclusters:\n- name: other\n  cluster:\n    server: "
                  "https://10.9.9.9:6443\n"
                  "contexts:\n- name: other\n  context:\n    cluster: other\n    user: "
                  "other\ncurrent-context: other\n"
                  "users:\n- name: other\n  user:\n    token: abc\n");
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 hostPort = probe.serverPort();
        probe.close();
        const QString config = writeFile(QStringLiteral("kind.yaml"),
                                         QStringLiteral("kind: Cluster\n"
                                                        "apiVersion: kind.x-k8s.io/v1alpha4\n"
                                                        "nodes:\n"
                                                        "- role: control-plane\n"
                                                        "  extraPortMappings:\n"
                                                        "  - containerPort: 80\n"
                                                        "    hostPort: %1\n"
                                                        "    listenAddress: 127.0.0.1\n"
                                                        "- role: worker\n"
                                                        "  labels:\n"
                                                        "    tier: frontend\n"
                                                        "- role: worker\n"
                                                        "- role: worker\n")
                                             .arg(hostPort)
                                             .toUtf8());

        const Run created =
            timonel({QStringLiteral("create"), QStringLiteral("cluster"), QStringLiteral("--name"),
                     name, QStringLiteral("--config"), config});
        QVERIFY2(created.exitCode == 0, qPrintable(created.out + created.err));
        QVERIFY(created.out.contains(
            QStringLiteral("Set kubectl context to \"timonel-%1\"").arg(name)));

        QJsonArray containers = nodeContainers(name);
        QCOMPARE(containers.size(), 4);
        QCOMPARE(running(containers), 4);

        const Run nodes = timonel(
            {QStringLiteral("get"), QStringLiteral("nodes"), QStringLiteral("--name"), name});
        QCOMPARE(nodes.exitCode, 0);
        QCOMPARE(
            nodes.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts),
            QStringList({name + QStringLiteral("-control-plane"), name + QStringLiteral("-worker"),
                         name + QStringLiteral("-worker2"), name + QStringLiteral("-worker3")}));
        QVERIFY(timonel({QStringLiteral("get"), QStringLiteral("clusters")})
                    .out.split(QLatin1Char('\n'))
                    .contains(name));

        // The extra port mapping is published where the config said.
        const QJsonObject mapping = published(name, QStringLiteral("80/tcp"));
        QCOMPARE(mapping.value(QLatin1String("HostPort")).toString(), QString::number(hostPort));
        QCOMPARE(mapping.value(QLatin1String("HostIp")).toString(), QStringLiteral("127.0.0.1"));

        // The real kubectl reaches the API server with the merged context, over TLS with the
        // admin client certificate; the other context is still there.
        const Run readyz = kubectl(
            name, {QStringLiteral("get"), QStringLiteral("--raw"), QStringLiteral("/readyz")});
        QVERIFY2(readyz.exitCode == 0, qPrintable(readyz.err));
        QCOMPARE(readyz.out.trimmed(), QStringLiteral("ok"));
        const Run version = kubectl(name, {QStringLiteral("version")});
        QVERIFY2(version.out.contains(QLatin1String("Server Version: v1.32")),
                 qPrintable(version.out + version.err));
        const Run contexts = test::run(QStringLiteral("kubectl"),
                                       {QStringLiteral("config"), QStringLiteral("get-contexts"),
                                        QStringLiteral("-o"), QStringLiteral("name")},
                                       env());
        QVERIFY(contexts.out.split(QLatin1Char('\n')).contains(QStringLiteral("other")));
        QVERIFY(contexts.out.split(QLatin1Char('\n')).contains(QStringLiteral("timonel-") + name));

        // Without a client certificate the API server answers 401.
        const QString server = QStringLiteral("https://127.0.0.1:%1").arg(apiPort(name));
        QCOMPARE(anonymousStatus(server + QStringLiteral("/healthz")), 401);

        const Run kc = timonel(
            {QStringLiteral("get"), QStringLiteral("kubeconfig"), QStringLiteral("--name"), name});
        QCOMPARE(kc.exitCode, 0);
        auto parsed = core::parseYaml(kc.out.toUtf8());
        QVERIFY(parsed);
        QCOMPARE(parsed->toObject().value(QLatin1String("current-context")).toString(),
                 QStringLiteral("timonel-") + name);

        // A second cluster of the same name is refused, and the first is untouched.
        const Run duplicate = timonel(
            {QStringLiteral("create"), QStringLiteral("cluster"), QStringLiteral("--name"), name});
        QCOMPARE(duplicate.exitCode, 1);
        QCOMPARE(duplicate.err.trimmed().count(QLatin1Char('\n')), 0);
        QVERIFY2(duplicate.err.contains(QLatin1String("already exists")),
                 qPrintable(duplicate.err));
        QCOMPARE(running(nodeContainers(name)), 4);

        // Stop keeps everything; start brings it back, reachable again.
        QCOMPARE(timonel({QStringLiteral("stop"), QStringLiteral("cluster"),
                          QStringLiteral("--name"), name})
                     .exitCode,
                 0);
        QCOMPARE(running(nodeContainers(name)), 0);
        QCOMPARE(nodeContainers(name).size(), 4);
        const Run started = timonel(
            {QStringLiteral("start"), QStringLiteral("cluster"), QStringLiteral("--name"), name});
        QVERIFY2(started.exitCode == 0, qPrintable(started.err));
        QCOMPARE(running(nodeContainers(name)), 4);
        // The API server keeps its port across a restart, so the kubeconfig still works.
        QCOMPARE(apiPort(name), server.section(QLatin1Char(':'), -1).toInt());
        QCOMPARE(kubectl(name, {QStringLiteral("get"), QStringLiteral("--raw"),
                                QStringLiteral("/healthz")})
                     .out.trimmed(),
                 QStringLiteral("ok"));

        // Reusing a running cluster (what `packaging/dev run` does) starts nothing and succeeds.
        const Run reused = timonel({QStringLiteral("create"), QStringLiteral("cluster"),
                                    QStringLiteral("--name"), name, QStringLiteral("--reuse"),
                                    QStringLiteral("--wait"), QStringLiteral("20s")});
        QVERIFY2(reused.exitCode == 0, qPrintable(reused.err));
        QCOMPARE(running(nodeContainers(name)), 4);

        // export kubeconfig writes the context into another file, made current there.
        const QString exported = m_dir.filePath(QStringLiteral("exported"));
        const Run exportRun = test::run(
            test::binary(QStringLiteral("timonel")),
            {QStringLiteral("export"), QStringLiteral("kubeconfig"), QStringLiteral("--name"),
             name},
            {{QStringLiteral("KUBECONFIG"), exported + QStringLiteral(":") + kubeconfig()}});
        QVERIFY2(exportRun.exitCode == 0, qPrintable(exportRun.err));
        const Run viaExport =
            test::run(QStringLiteral("kubectl"),
                      {QStringLiteral("get"), QStringLiteral("--raw"), QStringLiteral("/healthz")},
                      {{QStringLiteral("KUBECONFIG"), exported}});
        QCOMPARE(viaExport.out.trimmed(), QStringLiteral("ok"));

        const Run deleted = timonel(
            {QStringLiteral("delete"), QStringLiteral("cluster"), QStringLiteral("--name"), name});
        QVERIFY2(deleted.exitCode == 0, qPrintable(deleted.err));
        QCOMPARE(test::dockerObjectsOf(name), 0);
        const Run after = test::run(QStringLiteral("kubectl"),
                                    {QStringLiteral("config"), QStringLiteral("get-contexts"),
                                     QStringLiteral("-o"), QStringLiteral("name")},
                                    env());
        QVERIFY(!after.out.contains(QStringLiteral("timonel-") + name));
        QVERIFY(after.out.split(QLatin1Char('\n')).contains(QStringLiteral("other")));
    }

    void severalControlPlanesAreReachedThroughOneLoadBalancer()
    {
        const QString name = clusterName("ha");
        const QString config =
            writeFile(QStringLiteral("ha.yaml"),
                      "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: "
                      "control-plane\n  image: kindest/node:v1.32.0\n"
                      "- role: control-plane\n- role: worker\nkubeadmConfigPatches:\n- |\n  kind: "
                      "ClusterConfiguration\n");
        const Run created =
            timonel({QStringLiteral("create"), QStringLiteral("cluster"), QStringLiteral("--name"),
                     name, QStringLiteral("--config"), config});
        QVERIFY2(created.exitCode == 0, qPrintable(created.out + created.err));
        // KinD-only fields are named once, on one line, and creation goes on.
        QCOMPARE(created.err.count(QLatin1String("warning")), 1);
        QVERIFY2(created.err.contains(QLatin1String("nodes[0].image")) &&
                     created.err.contains(QLatin1String("kubeadmConfigPatches")),
                 qPrintable(created.err));
        QCOMPARE(running(nodeContainers(name)), 4);
        const Run nodes = timonel(
            {QStringLiteral("get"), QStringLiteral("nodes"), QStringLiteral("--name"), name});
        QCOMPARE(nodes.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts),
                 QStringList({name + QStringLiteral("-external-load-balancer"),
                              name + QStringLiteral("-control-plane"),
                              name + QStringLiteral("-control-plane2"),
                              name + QStringLiteral("-worker")}));
        QCOMPARE(kubectl(name, {QStringLiteral("get"), QStringLiteral("--raw"),
                                QStringLiteral("/readyz")})
                     .out.trimmed(),
                 QStringLiteral("ok"));
        // With the first control plane gone, the balancer sends kubectl to the second.
        QVERIFY(docker::DockerClient().stopContainer(name + QStringLiteral("-control-plane"), 5));
        for (int i = 0; i < 3; ++i) {
            const Run r = kubectl(
                name, {QStringLiteral("get"), QStringLiteral("--raw"), QStringLiteral("/readyz")});
            QVERIFY2(r.out.trimmed() == QLatin1String("ok"), qPrintable(r.err));
        }
        // kind's plural verb: named clusters, an unknown one reported without stopping the rest.
        const Run deleted = timonel(
            {QStringLiteral("delete"), QStringLiteral("clusters"), clusterName("nosuch"), name});
        QCOMPARE(deleted.exitCode, 1);
        QVERIFY2(deleted.out.contains(QStringLiteral("Deleted cluster \"%1\"").arg(name)),
                 qPrintable(deleted.out));
        QVERIFY2(deleted.err.contains(clusterName("nosuch")), qPrintable(deleted.err));
        QCOMPARE(test::dockerObjectsOf(name), 0);
    }

    void badInputIsOneLineAndCreatesNothing_data()
    {
        QTest::addColumn<QByteArray>("config");
        QTest::addColumn<QString>("message");
        QTest::newRow("wrong kind") << QByteArray("kind: Pod\napiVersion: kind.x-k8s.io/v1alpha4\n")
                                    << QStringLiteral("Cluster");
        QTest::newRow("wrong apiVersion")
            << QByteArray("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha3\n")
            << QStringLiteral("apiVersion");
        QTest::newRow("unknown role")
            << QByteArray("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: "
                          "control-plane\n- role: master\n")
            << QStringLiteral("master");
        QTest::newRow("no control plane")
            << QByteArray(
                   "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: worker\n")
            << QStringLiteral("control-plane");
        QTest::newRow("bad subnet")
            << QByteArray("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  "
                          "podSubnet: 10.300.0.0/16\n")
            << QStringLiteral("podSubnet");
        QTest::newRow("not yaml") << QByteArray("kind: Cluster\n  apiVersion: [\n")
                                  << QStringLiteral("bad.yaml");
    }

    void badInputIsOneLineAndCreatesNothing()
    {
        QFETCH(QByteArray, config);
        QFETCH(QString, message);
        const QString name = clusterName("bad");
        const Run r = timonel({QStringLiteral("create"), QStringLiteral("cluster"),
                               QStringLiteral("--name"), name, QStringLiteral("--config"),
                               writeFile(QStringLiteral("bad.yaml"), config)});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.err.trimmed().count(QLatin1Char('\n')), 0);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QCOMPARE(test::dockerObjectsOf(name), 0);
    }

    void busyHostPortIsRefusedBeforeAnythingIsMade()
    {
        QTcpServer busy;
        QVERIFY(busy.listen(QHostAddress::LocalHost));
        const QString name = clusterName("port");
        const Run r = timonel(
            {QStringLiteral("create"), QStringLiteral("cluster"), QStringLiteral("--name"), name,
             QStringLiteral("--config"),
             writeFile(QStringLiteral("port.yaml"),
                       QStringLiteral("kind: Cluster\napiVersion: "
                                      "kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n"
                                      "  extraPortMappings:\n  - containerPort: 80\n    hostPort: "
                                      "%1\n    listenAddress: 127.0.0.1\n")
                           .arg(busy.serverPort())
                           .toUtf8())});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.err.trimmed().count(QLatin1Char('\n')), 0);
        QVERIFY2(r.err.contains(QString::number(busy.serverPort())) &&
                     r.err.contains(QLatin1String("in use")),
                 qPrintable(r.err));
        QCOMPARE(test::dockerObjectsOf(name), 0);
    }

    void unknownClusterIsOneLineError_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("delete") << QStringList{QStringLiteral("delete"), QStringLiteral("cluster")};
        QTest::newRow("get nodes") << QStringList{QStringLiteral("get"), QStringLiteral("nodes")};
        QTest::newRow("get kubeconfig")
            << QStringList{QStringLiteral("get"), QStringLiteral("kubeconfig")};
        QTest::newRow("start") << QStringList{QStringLiteral("start"), QStringLiteral("cluster")};
        QTest::newRow("stop") << QStringList{QStringLiteral("stop"), QStringLiteral("cluster")};
    }

    void unknownClusterIsOneLineError()
    {
        QFETCH(QStringList, args);
        const Run r = timonel(args + QStringList{QStringLiteral("--name"), clusterName("nosuch")});
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.err.trimmed().count(QLatin1Char('\n')), 0);
        QVERIFY2(r.err.startsWith(QLatin1String("ERROR: ")), qPrintable(r.err));
    }

    void interruptedCreateRemovesWhatItMade()
    {
        const QString name = clusterName("int");
        QProcess p;
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("KUBECONFIG"), kubeconfig());
        // Hold before "Starting nodes": the network, volumes and containers exist by then.
        e.insert(QStringLiteral("TIMONEL_TEST_HOLD_BEFORE_STEP"), QStringLiteral("5"));
        p.setProcessEnvironment(e);
        p.start(test::binary(QStringLiteral("timonel")),
                {QStringLiteral("create"), QStringLiteral("cluster"), QStringLiteral("--name"),
                 name, QStringLiteral("--workers"), QStringLiteral("1")});
        QByteArray out;
        QVERIFY(QTest::qWaitFor(
            [&] {
                p.waitForReadyRead(100);
                out += p.readAllStandardOutput();
                return out.contains("holding before step 5") || p.state() == QProcess::NotRunning;
            },
            120000));
        QVERIFY2(out.contains("holding"), out.constData());
        QVERIFY(test::dockerObjectsOf(name) >= 4); // network, 2 volumes, 2 containers
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 130);
        QCOMPARE(test::dockerObjectsOf(name), 0);
    }
};

QTEST_GUILESS_MAIN(TestClusterLifecycle)
#include "tst_clusterlifecycle.moc"
