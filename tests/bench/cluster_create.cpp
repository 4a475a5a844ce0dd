// Creating a 1 control plane + 3 worker cluster, against the baseline of starting 4 plain
// containers from a local image (create + start, one after the other, as `docker run -d` does),
// both measured here in the same run. Prints the median of a few rounds and the ratio.
#include "cluster/nodeimage.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QUuid>

#include <algorithm>

using namespace timonel;

class BenchClusterCreate : public QObject
{
    Q_OBJECT

    static double median(QList<double> v)
    {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    }

private Q_SLOTS:
    void createOnePlusThreeVersusFourPlainContainers()
    {
        TIMONEL_REQUIRE_DOCKER();
        docker::DockerClient docker;
        cluster::NodeImage image(test::binary(QStringLiteral("timonel-node")));
        auto ref = image.ensure(docker); // both sides start from an image already present
        QVERIFY2(ref, timonel::test::errorOf(ref).constData());
        QTemporaryDir dir;
        QFile config(dir.filePath(QStringLiteral("kind.yaml")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n"
                     "- role: control-plane\n- role: worker\n- role: worker\n- role: worker\n");
        config.close();
        const QMap<QString, QString> env = {
            {QStringLiteral("KUBECONFIG"), dir.filePath(QStringLiteral("kubeconfig"))}};

        const int rounds = qEnvironmentVariableIntValue("TIMONEL_BENCH_ROUNDS") > 0
                               ? qEnvironmentVariableIntValue("TIMONEL_BENCH_ROUNDS")
                               : 3;
        QList<double> plain, create;
        for (int round = 0; round < rounds; ++round) {
            const QString tag = QUuid::createUuid().toString(QUuid::Id128).left(8);
            const QJsonObject labels{{QStringLiteral("io.timonel.bench"), tag}};
            QElapsedTimer t;
            t.start();
            for (int i = 0; i < 4; ++i) {
                auto id = docker.createContainer(
                    QStringLiteral("timonel-bench-%1-%2").arg(tag).arg(i),
                    {{QStringLiteral("Image"), *ref},
                     {QStringLiteral("Cmd"), QJsonArray{QStringLiteral("pause")}},
                     {QStringLiteral("Labels"), labels}});
                QVERIFY(id);
                QVERIFY(docker.startContainer(*id));
            }
            plain.append(t.elapsed() / 1000.0);
            for (const auto &c :
                 docker.listContainers(docker::labelFilter(QStringLiteral("io.timonel.bench"), tag))
                     .value_or(QJsonArray()))
                docker.removeContainer(c.toObject().value(QLatin1String("Id")).toString());

            const QString name = QStringLiteral("bench-%1").arg(tag);
            t.restart();
            const test::Run r = test::run(test::binary(QStringLiteral("timonel")),
                                          {QStringLiteral("create"), QStringLiteral("cluster"),
                                           QStringLiteral("--name"), name,
                                           QStringLiteral("--config"), config.fileName()},
                                          env);
            create.append(t.elapsed() / 1000.0);
            test::run(test::binary(QStringLiteral("timonel")),
                      {QStringLiteral("delete"), QStringLiteral("cluster"),
                       QStringLiteral("--name"), name},
                      env);
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        }
        const double base = median(plain), ours = median(create);
        qInfo().noquote() << QStringLiteral("BENCH cluster_create: 4 plain containers %1 s, "
                                            "timonel create cluster (1+3) %2 s, "
                                            "ratio %3 (target <= 3.0; median of %4 rounds)")
                                 .arg(base, 0, 'f', 2)
                                 .arg(ours, 0, 'f', 2)
                                 .arg(ours / base, 0, 'f', 2)
                                 .arg(rounds);
    }
};

QTEST_GUILESS_MAIN(BenchClusterCreate)
#include "cluster_create.moc"
