// Pod start-up on a 1 control plane + 3 worker cluster against plain Docker, both measured here
// in the same run with the same locally built nginx image:
//  - create-to-Running latency of 50 pods created one after the other (each waited for), p50
//    and p99, divided by the create-to-running time of `docker run -d` (create + start) of the
//    same image, 50 times. The two alternate (pod i, then docker run i), each starts on a quiet
//    machine and every container stays until the end, so both are measured under the same
//    load and the same number of running containers;
//  - a 100-replica Deployment from creation to 100 ready replicas, divided by starting 100
//    containers of the image with plain `docker run -d`, one after the other.
// Prints ratios; never passes or fails on time.
#include "client/httpsclient.h"
#include "testsupport.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QThread>
#include <QUuid>

#include <algorithm>

using namespace timonel;
using namespace Qt::StringLiterals;

class BenchPods : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_cluster = u"bench-"_s + QUuid::createUuid().toString(QUuid::Id128).left(6);
    std::unique_ptr<client::HttpsClient> m_api;
    QString m_image;

    static double percentile(QList<double> v, double p)
    {
        std::sort(v.begin(), v.end());
        const qsizetype i = std::min<qsizetype>(v.size() - 1, qsizetype(p * v.size()));
        return v[i];
    }

    // Plain `docker run -d IMAGE`: create then start, timed to the start's answer. The container
    // stays until removePlain().
    std::optional<double> plainRun(const QString &tag, int i)
    {
        docker::DockerClient docker;
        QElapsedTimer t;
        t.start();
        auto id = docker.createContainer(
            u"timonel-bench-%1-%2"_s.arg(tag).arg(i),
            {{u"Image"_s, m_image}, {u"Labels"_s, QJsonObject{{u"io.timonel.bench"_s, tag}}}});
        if (!id || !docker.startContainer(*id))
            return std::nullopt;
        return t.nsecsElapsed() / 1e6;
    }

    QList<double> plainRuns(int count, const QString &tag)
    {
        QList<double> times;
        for (int i = 0; i < count; ++i) {
            auto time = plainRun(tag, i);
            if (!time)
                return {};
            times.append(*time);
        }
        return times;
    }

    // CPU time of the whole machine from /proc/stat: {busy, total} in clock ticks.
    static std::pair<qint64, qint64> cpuTicks()
    {
        QFile stat(u"/proc/stat"_s);
        if (!stat.open(QIODevice::ReadOnly))
            return {0, 0};
        const QList<QByteArray> fields = stat.readLine().simplified().split(' ');
        qint64 total = 0, idle = 0;
        for (qsizetype i = 1; i < fields.size(); ++i) {
            total += fields[i].toLongLong();
            if (i == 4 || i == 5) // idle, iowait
                idle += fields[i].toLongLong();
        }
        return {total - idle, total};
    }

    // Each start is measured on a quiet machine, the pod's and docker run's alike, so that
    // neither pays for the work the one before left running (the previous pod's events and
    // status fan-out, a container's own start-up): waits until a 100 ms window is at least
    // 85% idle, for at most 5 s.
    static void waitQuiet()
    {
        QDeadlineTimer deadline(5000);
        while (!deadline.hasExpired()) {
            const auto [busy0, total0] = cpuTicks();
            QThread::msleep(100);
            const auto [busy1, total1] = cpuTicks();
            if (total1 > total0 && double(busy1 - busy0) / double(total1 - total0) <= 0.15)
                return;
        }
    }

    void removePlain(const QString &tag)
    {
        docker::DockerClient docker;
        auto listed = docker.listContainers(docker::labelFilter(u"io.timonel.bench"_s, tag));
        for (const QJsonValue &c : listed.value_or(QJsonArray()))
            docker.removeContainer(c.toObject().value(u"Id").toString(), true, true);
    }

    client::Result<QJsonObject> call(auto operation)
    {
        std::optional<client::Result<QJsonObject>> result;
        operation([&](client::Result<QJsonObject> r) { result = std::move(r); });
        QDeadlineTimer deadline(60000);
        while (!result && !deadline.hasExpired())
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
        if (!result)
            return std::unexpected(client::Error{0, u"Timeout"_s, u"no answer in 60 s"_s, {}});
        return *result;
    }

private Q_SLOTS:
    void initTestCase()
    {
        TIMONEL_REQUIRE_DOCKER();
        auto image = test::testImage(u"nginx"_s);
        QVERIFY2(image, test::errorOf(image).constData());
        m_image = *image;
        QFile config(m_dir.filePath(u"cluster.yaml"_s));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n"
                     "- role: control-plane\n- role: worker\n- role: worker\n- role: worker\n");
        config.close();
        const QString kubeconfig = m_dir.filePath(u"kubeconfig"_s);
        const test::Run created = test::run(
            test::binary(u"timonel"_s),
            {u"create"_s, u"cluster"_s, u"--name"_s, m_cluster, u"--config"_s, config.fileName()},
            {{u"KUBECONFIG"_s, kubeconfig}}, 300000);
        QVERIFY2(created.exitCode == 0, qPrintable(created.err));
        auto api = client::HttpsClient::fromKubeconfig(kubeconfig);
        QVERIFY2(api, qPrintable(api.error_or(QString())));
        m_api = std::move(*api);
        // Nodes Ready before anything is measured.
        const client::Resource nodes{{}, u"v1"_s, u"nodes"_s};
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                auto list = call([&](auto done) { m_api->list(nodes, {}, {}, done); });
                int ready = 0;
                for (const QJsonValue &n : list.value_or(QJsonObject())["items"].toArray())
                    for (const QJsonValue &c : n["status"]["conditions"].toArray())
                        ready += c["type"] == u"Ready"_s && c["status"] == u"True"_s;
                return ready == 4;
            }(),
            60000);
    }

    void cleanupTestCase()
    {
        m_api.reset();
        if (m_dir.isValid())
            test::run(test::binary(u"timonel"_s),
                      {u"delete"_s, u"cluster"_s, u"--name"_s, m_cluster},
                      {{u"KUBECONFIG"_s, m_dir.filePath(u"kubeconfig"_s)}}, 300000);
    }

    void podStartLatencyVersusDockerRun()
    {
        const int count = 50;
        const QString tag = QUuid::createUuid().toString(QUuid::Id128).left(8);
        QList<double> plain;

        const client::Resource pods{{}, u"v1"_s, u"pods"_s};
        auto watch = m_api->watch(pods, u"default"_s, {});
        QHash<QString, qint64> runningAt; // pod name -> ns since the timer started
        QElapsedTimer clock;
        clock.start();
        connect(watch.get(), &client::WatchHandle::event, this, [&](const client::WatchEvent &e) {
            const QString name = e.object["metadata"]["name"].toString();
            if (e.object["status"]["phase"] == u"Running"_s && !runningAt.contains(name))
                runningAt.insert(name, clock.nsecsElapsed());
        });
        QList<double> latencies;
        for (int i = 0; i < count; ++i) {
            const QString name = u"latency-%1"_s.arg(i);
            const QJsonObject pod{
                {u"apiVersion"_s, u"v1"_s},
                {u"kind"_s, u"Pod"_s},
                {u"metadata"_s, QJsonObject{{u"name"_s, name}}},
                {u"spec"_s,
                 QJsonObject{{u"containers"_s, QJsonArray{QJsonObject{{u"name"_s, u"nginx"_s},
                                                                      {u"image"_s, m_image}}}}}}};
            waitQuiet();
            const qint64 sent = clock.nsecsElapsed();
            auto created =
                call([&](auto done) { m_api->create(pods, u"default"_s, pod, {}, done); });
            QVERIFY2(created, qPrintable(created ? QString() : created.error().message));
            QTRY_VERIFY_WITH_TIMEOUT(runningAt.contains(name), 60000);
            latencies.append((runningAt.value(name) - sent) / 1e6);
            waitQuiet();
            auto time = plainRun(tag, i);
            QVERIFY(time);
            plain.append(*time);
        }
        removePlain(tag);
        const double plain50 = percentile(plain, 0.5), plain99 = percentile(plain, 0.99);
        const double pod50 = percentile(latencies, 0.5), pod99 = percentile(latencies, 0.99);
        std::printf("pod create-to-Running, %d pods one at a time (nginx, image present)\n", count);
        std::printf("  plain docker run -d:  p50 %7.1f ms   p99 %7.1f ms\n", plain50, plain99);
        std::printf("  Timonel pod:          p50 %7.1f ms   p99 %7.1f ms\n", pod50, pod99);
        std::printf("  ratio:                p50 %7.2f      p99 %7.2f   (target p99 <= 2)\n",
                    pod50 / plain50, pod99 / plain99);
        std::fflush(stdout);
        client::DeleteQuery now;
        now.gracePeriodSeconds = 0;
        for (int i = 0; i < count; ++i)
            call([&](auto done) {
                m_api->remove(pods, u"default"_s, u"latency-%1"_s.arg(i), now, done);
            });
    }

    void hundredReplicasVersusDockerRun()
    {
        const int replicas = 100;
        const QString tag = QUuid::createUuid().toString(QUuid::Id128).left(8);
        QElapsedTimer plainClock;
        plainClock.start();
        const QList<double> plain = plainRuns(replicas, tag);
        const double plainMs = plainClock.nsecsElapsed() / 1e6;
        removePlain(tag);
        QCOMPARE(plain.size(), replicas);

        const client::Resource deployments{u"apps"_s, u"v1"_s, u"deployments"_s};
        const QJsonObject labels{{u"app"_s, u"bench"_s}};
        const QJsonObject deployment{
            {u"apiVersion"_s, u"apps/v1"_s},
            {u"kind"_s, u"Deployment"_s},
            {u"metadata"_s, QJsonObject{{u"name"_s, u"bench"_s}}},
            {u"spec"_s,
             QJsonObject{{u"replicas"_s, replicas},
                         {u"selector"_s, QJsonObject{{u"matchLabels"_s, labels}}},
                         {u"template"_s,
                          QJsonObject{{u"metadata"_s, QJsonObject{{u"labels"_s, labels}}},
                                      {u"spec"_s, QJsonObject{{u"containers"_s,
                                                               QJsonArray{QJsonObject{
                                                                   {u"name"_s, u"nginx"_s},
                                                                   {u"image"_s, m_image}}}}}}}}}}};
        auto watch = m_api->watch(deployments, u"default"_s, {});
        QElapsedTimer clock;
        qint64 readyAt = -1;
        connect(watch.get(), &client::WatchHandle::event, this, [&](const client::WatchEvent &e) {
            if (e.object["status"]["readyReplicas"].toInt() == replicas && readyAt < 0)
                readyAt = clock.nsecsElapsed();
        });
        clock.start();
        auto created = call(
            [&](auto done) { m_api->create(deployments, u"default"_s, deployment, {}, done); });
        QVERIFY2(created, qPrintable(created ? QString() : created.error().message));
        QTRY_VERIFY_WITH_TIMEOUT(readyAt >= 0, 600000);
        const double deployMs = readyAt / 1e6;
        std::printf("%d replicas to Ready\n", replicas);
        std::printf("  plain docker run -d x%d, one after the other: %8.0f ms\n", replicas,
                    plainMs);
        std::printf("  Deployment of %d replicas (3 workers):        %8.0f ms\n", replicas,
                    deployMs);
        std::printf("  ratio: %.2f   (target <= 1.5)\n", deployMs / plainMs);
        std::fflush(stdout);
    }
};

QTEST_GUILESS_MAIN(BenchPods)
#include "pods.moc"
