// kubectl top end to end: the kubelet's Prometheus text (rendering and metrics-server's parsing)
// and metrics-server's rate rules as tables; then the node agent's collector on real busybox
// containers labelled as pods' containers, its /metrics/resource, the API server's
// metrics.k8s.io over it (all in this process, plain HTTP), and the real kubectl top.
#include "apiserver/apiserver.h"
#include "apiserver/resourcemetrics.h"
#include "core/quantity.h"
#include "kubelet/kubeletserver.h"
#include "kubelet/resourcestats.h"
#include "kubelet/runtimelabels.h"
#include "testsupport.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace timonel;
using namespace Qt::StringLiterals;
using apiserver::MetricsBatch;
using apiserver::MetricsPoint;
using apiserver::MetricsStorage;

namespace {

constexpr int kTimeoutMs = 30000;

// A batch in one line, sorted, for comparing with a table's expectation:
// "node cpu/mem@time; ns/pod container cpu/mem@time^start; ...".
QString describe(const MetricsBatch &batch)
{
    auto point = [](const MetricsPoint &p) {
        QString s =
            u"%1/%2@%3"_s.arg(p.cumulativeCpuNanoSeconds).arg(p.memoryBytes).arg(p.timestampMs);
        if (p.startTimeMs != 0)
            s += u"^%1"_s.arg(p.startTimeMs);
        return s;
    };
    QStringList parts;
    if (batch.node)
        parts.append(u"node "_s + point(*batch.node));
    QStringList pods;
    for (auto pod = batch.pods.cbegin(); pod != batch.pods.cend(); ++pod) {
        for (auto c = pod.value().cbegin(); c != pod.value().cend(); ++c)
            pods.append(pod.key() + u' ' + c.key() + u' ' + point(c.value()));
    }
    pods.sort();
    return (parts + pods).join(u"; "_s);
}

MetricsPoint point(qint64 timestampMs, quint64 cpu, quint64 memory, qint64 startMs = 0)
{
    return MetricsPoint{startMs, timestampMs, cpu, memory};
}

MetricsBatch nodeBatch(const MetricsPoint &node)
{
    MetricsBatch batch;
    batch.node = node;
    return batch;
}

MetricsBatch podBatch(const QHash<QString, MetricsPoint> &containers)
{
    MetricsBatch batch;
    batch.pods.insert(u"default/web"_s, containers);
    return batch;
}

kubelet::ResourceUsage usage(qint64 ms, quint64 cpu, quint64 memory)
{
    kubelet::ResourceUsage u;
    u.time = QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::UTC);
    u.cpuCoreNanoSeconds = cpu;
    u.memoryWorkingSetBytes = memory;
    return u;
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

struct Reply
{
    int status = 0;
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

struct Process
{
    int exitCode = -1;
    QString out;
    QString err;
};

} // namespace

class TestMetrics : public QObject
{
    Q_OBJECT

    docker::DockerClient m_docker;
    QTemporaryDir m_dir;
    QString m_cluster;
    QString m_node;
    std::unique_ptr<kubelet::ResourceStatsCollector> m_collector;
    std::unique_ptr<kubelet::KubeletServer> m_kubelet;
    std::unique_ptr<apiserver::ApiServer> m_api;
    QNetworkAccessManager m_network;

    QJsonObject labelsFor(const QString &pod, const QString &type, const QString &container) const
    {
        return {
            {kubelet::labels::podNamespace, u"default"_s}, {kubelet::labels::podName, pod},
            {kubelet::labels::podUid, u"uid-"_s + pod},    {kubelet::labels::node, m_node},
            {kubelet::labels::cluster, m_cluster},         {kubelet::labels::containerType, type},
            {kubelet::labels::containerName, container},   {kubelet::labels::restartCount, u"0"_s}};
    }

    // A pod as the node agent runs it: a sandbox, and one container in its namespaces.
    bool runPod(const QString &image, const QString &pod, const QString &container,
                const QString &script)
    {
        auto sandbox = m_docker.createContainer(
            u"%1-%2-sandbox"_s.arg(m_cluster, pod),
            QJsonObject{{u"Image"_s, image},
                        {u"Cmd"_s, QJsonArray{u"sleep"_s, u"3600"_s}},
                        {u"Labels"_s, labelsFor(pod, kubelet::labels::sandboxType,
                                                kubelet::labels::sandboxContainerName)},
                        {u"HostConfig"_s, QJsonObject{{u"NetworkMode"_s, u"none"_s}}}});
        if (!sandbox || !m_docker.startContainer(*sandbox))
            return false;
        auto app = m_docker.createContainer(
            u"%1-%2-%3"_s.arg(m_cluster, pod, container),
            QJsonObject{
                {u"Image"_s, image},
                {u"Cmd"_s, QJsonArray{u"sh"_s, u"-c"_s, script}},
                {u"Labels"_s, labelsFor(pod, kubelet::labels::containerTypeValue, container)},
                {u"HostConfig"_s, QJsonObject{{u"NetworkMode"_s, u"container:"_s + *sandbox}}}});
        return app && m_docker.startContainer(*app).has_value();
    }

    const kubelet::PodResourceStats *podStats(const QString &name) const
    {
        for (const kubelet::PodResourceStats &pod : m_collector->stats().pods) {
            if (pod.name == name)
                return &pod;
        }
        return nullptr;
    }

    Reply send(const QByteArray &method, const QString &path, const QByteArray &accept = {},
               const QByteArray &body = {})
    {
        QNetworkRequest request(QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_api->port()).arg(path)));
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        request.setTransferTimeout(kTimeoutMs);
        if (!accept.isEmpty())
            request.setRawHeader("Accept", accept);
        if (!body.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        QNetworkReply *reply = m_network.sendCustomRequest(request, method, body);
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        Reply r{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                reply->readAll()};
        reply->deleteLater();
        return r;
    }

    QStringList itemNames(const QString &path)
    {
        QStringList names;
        for (const QJsonValue &item : send("GET", path).json().value(u"items"_s).toArray())
            names.append(
                item.toObject().value(u"metadata"_s).toObject().value(u"name"_s).toString());
        return names;
    }

    // The real kubectl against the in-process API server. Run without blocking this thread's
    // event loop, which serves kubectl's requests.
    Process kubectl(const QStringList &args)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"KUBECONFIG"_s, m_dir.filePath(u"no-kubeconfig"_s));
        env.insert(u"KUBECACHEDIR"_s, m_dir.filePath(u"kubectl-cache"_s));
        p.setProcessEnvironment(env);
        p.start(u"kubectl"_s,
                QStringList{u"--server=http://127.0.0.1:%1"_s.arg(m_api->port())} + args);
        if (!QTest::qWaitFor([&] { return p.state() == QProcess::NotRunning; }, 60000)) {
            p.kill();
            p.waitForFinished();
            return {-1, {}, u"timed out"_s};
        }
        Process r{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
                  QString::fromUtf8(p.readAllStandardOutput()),
                  QString::fromUtf8(p.readAllStandardError())};
        qInfo().noquote() << "$ kubectl" << args.join(u' ') << "\n" + r.out + r.err;
        return r;
    }

private Q_SLOTS:
    // --- the kubelet's Prometheus text --------------------------------------------------------

    void prometheusValuesAreGoShortestFormat_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("zero") << 0.0 << QByteArray("0");
        QTest::newRow("one") << 1.0 << QByteArray("1");
        QTest::newRow("fraction") << 0.25 << QByteArray("0.25");
        QTest::newRow("seconds") << 12.5 << QByteArray("12.5");
        QTest::newRow("below a million") << 123456.0 << QByteArray("123456");
        QTest::newRow("a million") << 1e6 << QByteArray("1e+06");
        QTest::newRow("bytes") << 12345678.0 << QByteArray("1.2345678e+07");
        QTest::newRow("start time") << 1700000000.123 << QByteArray("1.700000000123e+09");
        QTest::newRow("small") << 0.0001 << QByteArray("0.0001");
        QTest::newRow("smaller") << 0.00001 << QByteArray("1e-05");
        QTest::newRow("negative") << -2.5 << QByteArray("-2.5");
    }

    void prometheusValuesAreGoShortestFormat()
    {
        QFETCH(double, value);
        QFETCH(QByteArray, text);
        QCOMPARE(kubelet::prometheusFloat(value), text);
    }

    void resourceMetricsTextIsTheKubeletsFormat()
    {
        const qint64 t = 1700000000123;
        kubelet::ResourceStats stats;
        stats.sampled = true;
        stats.node = usage(t, 12500000000, 123456789);
        kubelet::PodResourceStats dns{
            u"kube-system"_s, u"dns"_s, u"u2"_s, {}, usage(t - 23, 2000000000, 8192)};
        dns.containers.append({u"coredns"_s,
                               QDateTime::fromSecsSinceEpoch(1700000000, QTimeZone::UTC),
                               usage(t - 23, 1500000000, 4096)});
        kubelet::PodResourceStats web{
            u"default"_s, u"web"_s, u"u1"_s, {}, usage(t, 1300000000, 20480)};
        web.containers.append({u"app"_s, QDateTime::fromSecsSinceEpoch(1699999990, QTimeZone::UTC),
                               usage(t, 1250000000, 12288)});
        stats.pods = {web, dns};
        // clang-format off
        const QByteArray expected =
            "# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds\n"
            "# TYPE container_cpu_usage_seconds_total counter\n"
            "container_cpu_usage_seconds_total{container=\"app\",namespace=\"default\",pod=\"web\"} 1.25 1700000000123\n"
            "container_cpu_usage_seconds_total{container=\"coredns\",namespace=\"kube-system\",pod=\"dns\"} 1.5 1700000000100\n"
            "# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes\n"
            "# TYPE container_memory_working_set_bytes gauge\n"
            "container_memory_working_set_bytes{container=\"app\",namespace=\"default\",pod=\"web\"} 12288 1700000000123\n"
            "container_memory_working_set_bytes{container=\"coredns\",namespace=\"kube-system\",pod=\"dns\"} 4096 1700000000100\n"
            "# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds\n"
            "# TYPE container_start_time_seconds gauge\n"
            "container_start_time_seconds{container=\"app\",namespace=\"default\",pod=\"web\"} 1.69999999e+09\n"
            "container_start_time_seconds{container=\"coredns\",namespace=\"kube-system\",pod=\"dns\"} 1.7e+09\n"
            "# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds\n"
            "# TYPE node_cpu_usage_seconds_total counter\n"
            "node_cpu_usage_seconds_total 12.5 1700000000123\n"
            "# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes\n"
            "# TYPE node_memory_working_set_bytes gauge\n"
            "node_memory_working_set_bytes 1.23456789e+08 1700000000123\n"
            "# HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod in core-seconds\n"
            "# TYPE pod_cpu_usage_seconds_total counter\n"
            "pod_cpu_usage_seconds_total{namespace=\"default\",pod=\"web\"} 1.3 1700000000123\n"
            "pod_cpu_usage_seconds_total{namespace=\"kube-system\",pod=\"dns\"} 2 1700000000100\n"
            "# HELP pod_memory_working_set_bytes [STABLE] Current working set of the pod in bytes\n"
            "# TYPE pod_memory_working_set_bytes gauge\n"
            "pod_memory_working_set_bytes{namespace=\"default\",pod=\"web\"} 20480 1700000000123\n"
            "pod_memory_working_set_bytes{namespace=\"kube-system\",pod=\"dns\"} 8192 1700000000100\n"
            "# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise\n"
            "# TYPE resource_scrape_error gauge\n"
            "resource_scrape_error 0\n";
        // clang-format on
        QCOMPARE(kubelet::resourceMetricsText(stats), expected);

        // And metrics-server reads back what the node agent meant.
        auto parsed = apiserver::parseResourceMetrics(expected, 0);
        QVERIFY2(parsed, test::errorOf(parsed).constData());
        QCOMPARE(describe(*parsed),
                 u"node 12500000000/123456789@1700000000123; "
                 "default/web app 1250000000/12288@1700000000123^1699999990000; "
                 "kube-system/dns coredns 1500000000/4096@1700000000100^1700000000000"_s);
    }

    void resourceMetricsTextWithoutASampleIsAScrapeError()
    {
        QCOMPARE(kubelet::resourceMetricsText({}),
                 QByteArray("# HELP resource_scrape_error [STABLE] 1 if there was an error while "
                            "getting container metrics, 0 otherwise\n"
                            "# TYPE resource_scrape_error gauge\nresource_scrape_error 1\n"));
    }

    void labelValuesAreEscaped()
    {
        kubelet::ResourceStats stats;
        stats.sampled = true;
        stats.node = usage(1000, 1, 1);
        stats.pods.append({u"ns"_s, u"we\"ird\\"_s, u"u"_s, {}, usage(1000, 2000000000, 3)});
        const QByteArray text = kubelet::resourceMetricsText(stats);
        QVERIFY2(
            text.contains(
                "pod_cpu_usage_seconds_total{namespace=\"ns\",pod=\"we\\\"ird\\\\\"} 2 1000\n"),
            text.constData());
    }

    void kubeletTextParsesAsMetricsServerDecodesIt_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("batch");
        QTest::newRow("node and containers")
            << QByteArray(
                   "# HELP node_cpu_usage_seconds_total x\n"
                   "# TYPE node_cpu_usage_seconds_total counter\n"
                   "node_cpu_usage_seconds_total 357.25 1633253812125\n"
                   "node_memory_working_set_bytes 1.616273408e+09 1633253812125\n"
                   "container_cpu_usage_seconds_total{container=\"a\",namespace=\"ns\",pod=\"p\"} "
                   "4.5 1633253812000\n"
                   "container_memory_working_set_bytes{container=\"a\",namespace=\"ns\",pod=\"p\"} "
                   "1024 1633253812000\n"
                   "container_start_time_seconds{container=\"a\",namespace=\"ns\",pod=\"p\"} "
                   "1.6332538e+09\n"
                   "pod_cpu_usage_seconds_total{namespace=\"ns\",pod=\"p\"} 9 1633253812000\n"
                   "resource_scrape_error 0\n")
            << u"node 357250000000/1616273408@1633253812125; ns/p a 4500000000/1024@1633253812000^1633253800000"_s;
        QTest::newRow("samples without timestamps take the scrape's time")
            << QByteArray("node_cpu_usage_seconds_total 2\nnode_memory_working_set_bytes 3\n")
            << u"node 2000000000/3@42"_s;
        QTest::newRow("a node without memory is left out")
            << QByteArray("node_cpu_usage_seconds_total 2 5\n") << QString();
        QTest::newRow("a container without memory drops its pod")
            << QByteArray("container_cpu_usage_seconds_total{container=\"a\",namespace=\"ns\",pod="
                          "\"p\"} 1 5\n"
                          "container_cpu_usage_seconds_total{container=\"b\",namespace=\"ns\",pod="
                          "\"p\"} 1 5\n"
                          "container_memory_working_set_bytes{container=\"b\",namespace=\"ns\",pod="
                          "\"p\"} 7 5\n"
                          "container_cpu_usage_seconds_total{container=\"c\",namespace=\"ns\",pod="
                          "\"q\"} 1 5\n"
                          "container_memory_working_set_bytes{container=\"c\",namespace=\"ns\",pod="
                          "\"q\"} 7 5\n")
            << u"ns/q c 1000000000/7@5"_s;
        QTest::newRow("escapes, spacing and label order")
            << QByteArray("container_cpu_usage_seconds_total{pod=\"x\\\"y\", "
                          "namespace=\"n\",container=\"c\",}   1   5\n"
                          "container_memory_working_set_bytes{namespace=\"n\",pod=\"x\\\"y\","
                          "container=\"c\"} 2 5\n")
            << u"n/x\"y c 1000000000/2@5"_s;
        QTest::newRow("other metrics are ignored")
            << QByteArray("scrape_error 0\nprocess_start_time_seconds +Inf\nx_total NaN\n")
            << QString();
    }

    void kubeletTextParsesAsMetricsServerDecodesIt()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, batch);
        auto parsed = apiserver::parseResourceMetrics(text, 42);
        QVERIFY2(parsed, test::errorOf(parsed).constData());
        QCOMPARE(describe(*parsed), batch);
    }

    void malformedTextIsAnError_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("error");
        QTest::newRow("no value")
            << QByteArray("node_cpu_usage_seconds_total\n")
            << u"failed parsing metrics: line 1: expected a value after node_cpu_usage_seconds_total"_s;
        QTest::newRow("bad value")
            << QByteArray("# c\nnode_cpu_usage_seconds_total x\n")
            << u"failed parsing metrics: line 2: invalid value x of node_cpu_usage_seconds_total"_s;
        QTest::newRow("open label")
            << QByteArray("a{b=\"c} 1\n")
            << u"failed parsing metrics: line 1: unterminated label value in a"_s;
        QTest::newRow("bad name") << QByteArray("{a=\"b\"} 1\n")
                                  << u"failed parsing metrics: line 1: invalid metric name"_s;
    }

    void malformedTextIsAnError()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, error);
        auto parsed = apiserver::parseResourceMetrics(text, 0);
        QVERIFY(!parsed);
        QCOMPARE(parsed.error(), error);
    }

    // --- metrics-server's rates ---------------------------------------------------------------

    void usageIsTheRateBetweenTwoPoints_data()
    {
        QTest::addColumn<qint64>("lastStart");
        QTest::addColumn<qint64>("lastTime");
        QTest::addColumn<quint64>("lastCpu");
        QTest::addColumn<qint64>("previousTime");
        QTest::addColumn<quint64>("previousCpu");
        QTest::addColumn<qint64>("cpu"); // -1: no usage
        QTest::newRow("half a core") << qint64(0) << qint64(20000) << quint64(15000000000)
                                     << qint64(10000) << quint64(10000000000) << qint64(500000000);
        QTest::newRow("milliseconds window") << qint64(0) << qint64(10500) << quint64(2100000)
                                             << qint64(0) << quint64(0) << qint64(200000);
        QTest::newRow("counter went back") << qint64(0) << qint64(20000) << quint64(5)
                                           << qint64(10000) << quint64(6) << qint64(-1);
        QTest::newRow("no time between") << qint64(0) << qint64(10000) << quint64(7)
                                         << qint64(10000) << quint64(6) << qint64(-1);
        QTest::newRow("restarted") << qint64(-1) << qint64(20000) << quint64(7) << qint64(10000)
                                   << quint64(6) << qint64(-1);
    }

    void usageIsTheRateBetweenTwoPoints()
    {
        QFETCH(qint64, lastStart);
        QFETCH(qint64, lastTime);
        QFETCH(quint64, lastCpu);
        QFETCH(qint64, previousTime);
        QFETCH(quint64, previousCpu);
        QFETCH(qint64, cpu);
        const auto usage = apiserver::usageBetween(point(lastTime, lastCpu, 99, lastStart),
                                                   point(previousTime, previousCpu, 1, 0));
        QCOMPARE(usage.has_value(), cpu >= 0);
        if (usage) {
            QCOMPARE(qint64(usage->cpuNanoCores), cpu);
            QCOMPARE(usage->memoryBytes, quint64(99));
            QCOMPARE(usage->timestampMs, lastTime);
            QCOMPARE(usage->windowMs, lastTime - previousTime);
        }
    }

    void nodeUsageNeedsTwoScrapesWithDifferentTimes()
    {
        MetricsStorage storage;
        storage.store(u"n"_s, nodeBatch(point(10000, 10000000000, 5)));
        QVERIFY(!storage.nodeUsage(u"n"_s));
        storage.store(u"n"_s, nodeBatch(point(20000, 12000000000, 6)));
        QCOMPARE(storage.nodeUsage(u"n"_s)->cpuNanoCores, quint64(200000000));
        // The node agent had no new sample: the earlier point stays the previous one.
        storage.store(u"n"_s, nodeBatch(point(20000, 12000000000, 6)));
        QCOMPARE(storage.nodeUsage(u"n"_s)->windowMs, qint64(10000));
        storage.store(u"n"_s, nodeBatch(point(25000, 14000000000, 7)));
        QCOMPARE(storage.nodeUsage(u"n"_s)->cpuNanoCores, quint64(400000000));
        QCOMPARE(storage.nodeUsage(u"n"_s)->memoryBytes, quint64(7));
        storage.forget(u"n"_s);
        QVERIFY(!storage.nodeUsage(u"n"_s));
    }

    void podUsageNeedsEveryContainerTwice()
    {
        MetricsStorage storage;
        storage.store(u"n"_s, podBatch({{u"a"_s, point(10000, 1000000000, 5)}}));
        storage.store(u"n"_s, podBatch({{u"a"_s, point(20000, 2000000000, 5)},
                                        {u"b"_s, point(20000, 1000000000, 6)}}));
        QVERIFY(!storage.podUsage(u"n"_s, u"default"_s, u"web"_s));
        storage.store(u"n"_s, podBatch({{u"a"_s, point(30000, 4000000000, 5)},
                                        {u"b"_s, point(30000, 1500000000, 6)}}));
        const auto pod = storage.podUsage(u"n"_s, u"default"_s, u"web"_s);
        QVERIFY(pod);
        QCOMPARE(pod->containers.size(), 2);
        QCOMPARE(pod->containers[0].name, u"a"_s);
        QCOMPARE(pod->containers[0].usage.cpuNanoCores, quint64(200000000));
        QCOMPARE(pod->containers[1].usage.cpuNanoCores, quint64(50000000));
        QCOMPARE(pod->windowMs, qint64(10000));
        QVERIFY(!storage.podUsage(u"other-node"_s, u"default"_s, u"web"_s));
    }

    void restartedContainerWaitsForItsSecondPoint()
    {
        MetricsStorage storage;
        storage.store(u"n"_s, podBatch({{u"a"_s, point(10000, 9000000000, 5, 1000)}}));
        storage.store(u"n"_s, podBatch({{u"a"_s, point(20000, 9500000000, 5, 1000)}}));
        QVERIFY(storage.podUsage(u"n"_s, u"default"_s, u"web"_s));
        // Started after the stored point: a new instance whose counter began at zero.
        storage.store(u"n"_s, podBatch({{u"a"_s, point(40000, 100000000, 5, 35000)}}));
        QVERIFY(!storage.podUsage(u"n"_s, u"default"_s, u"web"_s));
        storage.store(u"n"_s, podBatch({{u"a"_s, point(50000, 600000000, 5, 35000)}}));
        QCOMPARE(storage.podUsage(u"n"_s, u"default"_s, u"web"_s)->containers[0].usage.cpuNanoCores,
                 quint64(50000000));
    }

    void youngContainerCountsFromItsStart()
    {
        MetricsStorage storage(std::chrono::seconds(15));
        // 12 s old at its first point: between 10 s and one resolution.
        storage.store(u"n"_s, podBatch({{u"a"_s, point(112000, 6000000000, 5, 100000)}}));
        const auto pod = storage.podUsage(u"n"_s, u"default"_s, u"web"_s);
        QVERIFY(pod);
        QCOMPARE(pod->containers[0].usage.cpuNanoCores, quint64(500000000));
        QCOMPARE(pod->windowMs, qint64(12000));
        // 5 s old is too young to tell.
        storage.store(u"m"_s, podBatch({{u"a"_s, point(105000, 1000000000, 5, 100000)}}));
        QVERIFY(!storage.podUsage(u"m"_s, u"default"_s, u"web"_s));
    }

    void ownCgroupUsageIsRead_data()
    {
        QTest::addColumn<QStringList>("files"); // path, content, path, content...
        QTest::addColumn<qint64>("cpu");        // -1: nothing readable
        QTest::addColumn<qint64>("memory");
        QTest::newRow("cgroup v2")
            << QStringList{u"cpu.stat"_s,       u"usage_usec 2500000\nuser_usec 2000000\n"_s,
                           u"memory.current"_s, u"104857600\n"_s,
                           u"memory.stat"_s,    u"anon 1\ninactive_file 4194304\nactive_file 9\n"_s}
            << qint64(2500000000) << qint64(100663296);
        QTest::newRow("cgroup v1") << QStringList{u"cpuacct/cpuacct.usage"_s,
                                                  u"123456789\n"_s,
                                                  u"memory/memory.usage_in_bytes"_s,
                                                  u"8192\n"_s,
                                                  u"memory/memory.stat"_s,
                                                  u"inactive_file 1\ntotal_inactive_file 4096\n"_s}
                                   << qint64(123456789) << qint64(4096);
        QTest::newRow("the true root has no memory.current")
            << QStringList{u"cpu.stat"_s, u"usage_usec 1\n"_s} << qint64(-1) << qint64(0);
    }

    void ownCgroupUsageIsRead()
    {
        QFETCH(QStringList, files);
        QFETCH(qint64, cpu);
        QFETCH(qint64, memory);
        QTemporaryDir root;
        for (qsizetype i = 0; i + 1 < files.size(); i += 2) {
            QDir(root.path()).mkpath(QFileInfo(files[i]).path());
            QVERIFY(writeFile(root.filePath(files[i]), files[i + 1].toUtf8()));
        }
        const auto usage = kubelet::readCgroupUsage(root.path());
        QCOMPARE(usage.has_value(), cpu >= 0);
        if (usage) {
            QCOMPARE(qint64(usage->cpuCoreNanoSeconds), cpu);
            QCOMPARE(qint64(usage->memoryWorkingSetBytes), memory);
        }
    }

    // --- real containers ----------------------------------------------------------------------

    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto ping = m_docker.ping();
        QVERIFY2(ping,
                 qPrintable(u"Docker is needed: "_s + (ping ? QString() : ping.error().message)));
        auto image = test::busyboxImage();
        QVERIFY2(image, qPrintable(image ? QString() : image.error()));
        const quint32 random = QRandomGenerator::global()->bounded(1u << 20);
        m_cluster = u"timonel-metrics-%1"_s.arg(random, 5, 16, QLatin1Char('0'));
        m_node = m_cluster + u"-node"_s;
        QVERIFY(runPod(*image, u"busy"_s, u"spin"_s, u"while :; do :; done"_s));
        QVERIFY(runPod(*image, u"idle"_s, u"sleeper"_s, u"exec sleep 3600"_s));

        // The node agent's own cgroup, as files with known numbers.
        QDir(m_dir.path()).mkpath(u"cgroup"_s);
        QVERIFY(writeFile(m_dir.filePath(u"cgroup/cpu.stat"_s), "usage_usec 2000000\n"));
        QVERIFY(writeFile(m_dir.filePath(u"cgroup/memory.current"_s), "104857600\n"));
        QVERIFY(writeFile(m_dir.filePath(u"cgroup/memory.stat"_s), "inactive_file 4194304\n"));
        kubelet::ResourceStatsOptions options;
        options.nodeName = m_node;
        options.docker = m_docker;
        options.interval = std::chrono::milliseconds(1000);
        options.cgroupRoot = m_dir.filePath(u"cgroup"_s);
        m_collector = std::make_unique<kubelet::ResourceStatsCollector>(options);
        m_collector->start();
    }

    void cleanupTestCase()
    {
        m_api.reset();
        m_kubelet.reset();
        m_collector.reset();
        const QJsonObject filter = docker::labelFilter(kubelet::labels::cluster, m_cluster);
        for (const QJsonValue &c : m_docker.listContainers(filter).value_or(QJsonArray()))
            m_docker.removeContainer(c.toObject().value(u"Id").toString(), true, true);
        QCOMPARE(test::dockerObjectsOf(m_cluster), 0);
    }

    void collectorMeasuresPodsContainersAndTheNode()
    {
        // CPU as a rate needs a second sample of the same container.
        QTRY_VERIFY_WITH_TIMEOUT(
            podStats(u"busy"_s) && !podStats(u"busy"_s)->containers.isEmpty() &&
                podStats(u"busy"_s)->containers[0].usage.cpuNanoCores.value_or(0) > 0,
            kTimeoutMs);
        const kubelet::ResourceStats &stats = m_collector->stats();
        QVERIFY(stats.sampled);
        QCOMPARE(stats.pods.size(), 2);
        QCOMPARE(stats.pods[0].name, u"busy"_s); // sorted
        const kubelet::PodResourceStats *busy = podStats(u"busy"_s);
        const kubelet::PodResourceStats *idle = podStats(u"idle"_s);
        QVERIFY(idle);
        QCOMPARE(busy->uid, u"uid-busy"_s);
        // The sandbox counts towards the pod, not as a container.
        QCOMPARE(busy->containers.size(), 1);
        QCOMPARE(busy->containers[0].name, u"spin"_s);
        QCOMPARE(idle->containers[0].name, u"sleeper"_s);
        const kubelet::ResourceUsage &spin = busy->containers[0].usage;
        qInfo() << "spin uses" << *spin.cpuNanoCores << "nanocores," << spin.memoryWorkingSetBytes
                << "bytes";
        QVERIFY(spin.memoryWorkingSetBytes > 0);
        QVERIFY(busy->containers[0].startTime.isValid());
        QVERIFY(*spin.cpuNanoCores > 50000000); // a busy loop gets well over 50m
        QVERIFY(idle->containers[0].usage.cpuNanoCores.value_or(0) < *spin.cpuNanoCores);
        QVERIFY(busy->usage.cpuCoreNanoSeconds >= spin.cpuCoreNanoSeconds);
        QVERIFY(busy->usage.memoryWorkingSetBytes > spin.memoryWorkingSetBytes);
        // The node: its own cgroup (2 s, 96 MiB) and its pods, which are not inside it.
        quint64 podsCpu = 0;
        quint64 podsMemory = 0;
        for (const kubelet::PodResourceStats &pod : stats.pods) {
            podsCpu += pod.usage.cpuCoreNanoSeconds;
            podsMemory += pod.usage.memoryWorkingSetBytes;
        }
        QCOMPARE(stats.node.cpuCoreNanoSeconds, podsCpu + 2000000000);
        QCOMPARE(stats.node.memoryWorkingSetBytes, podsMemory + 100663296);
        QVERIFY(stats.node.cpuNanoCores.has_value());
    }

    void nodeAgentServesResourceMetrics()
    {
        kubelet::KubeletServerOptions options;
        options.address = QHostAddress::LocalHost;
        options.port = 0;
        options.plainHttp = true;
        options.nodeName = m_node;
        options.docker = m_docker;
        options.resourceStats = m_collector.get();
        m_kubelet = std::make_unique<kubelet::KubeletServer>(options);
        auto started = m_kubelet->start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error()));

        const QUrl url(u"http://127.0.0.1:%1/metrics/resource"_s.arg(m_kubelet->port()));
        QByteArray text;
        QByteArray contentType;
        auto scrape = [&] {
            QNetworkReply *reply = m_network.get(QNetworkRequest(url));
            (void)QTest::qWaitFor([&] { return reply->isFinished(); }, kTimeoutMs);
            reply->deleteLater();
            contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
            text = reply->readAll();
            return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        };
        // Before the collector's first sample the node agent reports a scrape error.
        QTRY_VERIFY_WITH_TIMEOUT(scrape() == 200 && text.contains("\nresource_scrape_error 0\n"),
                                 kTimeoutMs);
        QCOMPARE(contentType, QByteArray("text/plain; version=0.0.4; charset=utf-8"));
        auto batch = apiserver::parseResourceMetrics(text, 0);
        QVERIFY2(batch, test::errorOf(batch).constData());
        QVERIFY(batch->node);
        QCOMPARE(batch->pods.value(u"default/busy"_s).keys(), QList<QString>{u"spin"_s});
        QCOMPARE(batch->pods.value(u"default/idle"_s).keys(), QList<QString>{u"sleeper"_s});
        QVERIFY(batch->pods.value(u"default/busy"_s).value(u"spin"_s).startTimeMs > 0);
    }

    void apiServerServesMetricsOfReadyNodes()
    {
        QVERIFY(m_kubelet);
        apiserver::ApiServerOptions options;
        options.address = QHostAddress::LocalHost;
        options.port = 0;
        options.plainHttp = true;
        options.dataDirectory = m_dir.filePath(u"data"_s);
        options.encryptionKeyFile = m_dir.filePath(u"key"_s);
        options.metricResolution = std::chrono::milliseconds(1000);
        m_api = std::make_unique<apiserver::ApiServer>(options);
        auto started = m_api->start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error()));
        QTRY_COMPARE_WITH_TIMEOUT(send("GET", u"/api/v1/namespaces/default"_s).status, 200,
                                  kTimeoutMs);

        auto node = [](const QString &name, bool ready, int port) {
            return QJsonObject{
                {u"apiVersion"_s, u"v1"_s},
                {u"kind"_s, u"Node"_s},
                {u"metadata"_s,
                 QJsonObject{{u"name"_s, name},
                             {u"labels"_s, QJsonObject{{u"ready"_s, ready ? u"yes"_s : u"no"_s}}}}},
                {u"status"_s,
                 QJsonObject{
                     {u"addresses"_s, QJsonArray{QJsonObject{{u"type"_s, u"InternalIP"_s},
                                                             {u"address"_s, u"127.0.0.1"_s}}}},
                     {u"daemonEndpoints"_s,
                      QJsonObject{{u"kubeletEndpoint"_s, QJsonObject{{u"Port"_s, port}}}}},
                     {u"capacity"_s, QJsonObject{{u"cpu"_s, u"2"_s}, {u"memory"_s, u"4Gi"_s}}},
                     {u"allocatable"_s, QJsonObject{{u"cpu"_s, u"2"_s}, {u"memory"_s, u"4Gi"_s}}},
                     {u"conditions"_s,
                      QJsonArray{QJsonObject{{u"type"_s, u"Ready"_s},
                                             {u"status"_s, ready ? u"True"_s : u"Unknown"_s},
                                             {u"reason"_s, u"KubeletReady"_s}}}}}}};
        };
        QCOMPARE(send("POST", u"/api/v1/nodes"_s, {},
                      QJsonDocument(node(m_node, true, m_kubelet->port())).toJson())
                     .status,
                 201);
        // NotReady, and pointing at the same agent: never scraped all the same.
        QCOMPARE(send("POST", u"/api/v1/nodes"_s, {},
                      QJsonDocument(node(u"down-node"_s, false, m_kubelet->port())).toJson())
                     .status,
                 201);
        auto pod = [](const QString &name, const QString &nodeName, const QString &container) {
            QJsonObject spec{
                {u"containers"_s,
                 QJsonArray{QJsonObject{{u"name"_s, container}, {u"image"_s, u"busybox"_s}}}}};
            if (!nodeName.isEmpty())
                spec.insert(u"nodeName"_s, nodeName);
            return QJsonDocument(
                       QJsonObject{{u"apiVersion"_s, u"v1"_s},
                                   {u"kind"_s, u"Pod"_s},
                                   {u"metadata"_s,
                                    QJsonObject{{u"name"_s, name},
                                                {u"labels"_s, QJsonObject{{u"app"_s, name}}}}},
                                   {u"spec"_s, spec}})
                .toJson();
        };
        const QString pods = u"/api/v1/namespaces/default/pods"_s;
        QCOMPARE(send("POST", pods, {}, pod(u"busy"_s, m_node, u"spin"_s)).status, 201);
        QCOMPARE(send("POST", pods, {}, pod(u"idle"_s, m_node, u"sleeper"_s)).status, 201);
        QCOMPARE(send("POST", pods, {}, pod(u"pending"_s, {}, u"c"_s)).status, 201);

        // Two scrapes with new samples in between, and both pods have usage.
        QTRY_COMPARE_WITH_TIMEOUT(
            itemNames(u"/apis/metrics.k8s.io/v1beta1/namespaces/default/pods"_s),
            (QStringList{u"busy"_s, u"idle"_s}), kTimeoutMs);
        const QJsonObject list =
            send("GET", u"/apis/metrics.k8s.io/v1beta1/namespaces/default/pods"_s).json();
        QCOMPARE(list.value(u"kind"_s).toString(), u"PodMetricsList"_s);
        QCOMPARE(list.value(u"apiVersion"_s).toString(), u"metrics.k8s.io/v1beta1"_s);
        const QJsonObject busy = list.value(u"items"_s).toArray().at(0).toObject();
        qInfo().noquote() << QJsonDocument(busy).toJson(QJsonDocument::Compact);
        QCOMPARE(busy.value(u"kind"_s).toString(), u"PodMetrics"_s);
        const QJsonObject meta = busy.value(u"metadata"_s).toObject();
        QCOMPARE(meta.value(u"namespace"_s).toString(), u"default"_s);
        QCOMPARE(meta.value(u"labels"_s).toObject().value(u"app"_s).toString(), u"busy"_s);
        QVERIFY(QDateTime::fromString(meta.value(u"creationTimestamp"_s).toString(), Qt::ISODate)
                    .isValid());
        QVERIFY(QRegularExpression(u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$"_s)
                    .match(busy.value(u"timestamp"_s).toString())
                    .hasMatch());
        QVERIFY2(QRegularExpression(u"^\\d+(\\.\\d+)?(s|ms)$"_s)
                     .match(busy.value(u"window"_s).toString())
                     .hasMatch(),
                 qPrintable(busy.value(u"window"_s).toString()));
        const QJsonArray containers = busy.value(u"containers"_s).toArray();
        QCOMPARE(containers.size(), 1);
        QCOMPARE(containers[0].toObject().value(u"name"_s).toString(), u"spin"_s);
        const QJsonObject usage = containers[0].toObject().value(u"usage"_s).toObject();
        // Canonical quantities: nano cores ("123456789n", "5m") and bytes ("1234Ki", "1000").
        QVERIFY2(QRegularExpression(u"^\\d+[num]?$"_s)
                     .match(usage.value(u"cpu"_s).toString())
                     .hasMatch(),
                 qPrintable(usage.value(u"cpu"_s).toString()));
        QVERIFY2(QRegularExpression(u"^\\d+(Ki|Mi|Gi)?$"_s)
                     .match(usage.value(u"memory"_s).toString())
                     .hasMatch(),
                 qPrintable(usage.value(u"memory"_s).toString()));
    }

    void metricsRequestsAnswerAsMetricsServer_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("expected"); // item names, or the Status message
        const QString base = u"/apis/metrics.k8s.io/v1beta1"_s;
        QTest::newRow("every namespace") << base + u"/pods"_s << 200 << u"busy,idle"_s;
        QTest::newRow("label selector")
            << base + u"/namespaces/default/pods?labelSelector=app%3Dbusy"_s << 200 << u"busy"_s;
        QTest::newRow("field selector on the name")
            << base + u"/namespaces/default/pods?fieldSelector=metadata.name%3Didle"_s << 200
            << u"idle"_s;
        QTest::newRow("field selector on the namespace")
            << base + u"/pods?fieldSelector=metadata.namespace!%3Ddefault"_s << 200 << QString();
        QTest::newRow("other namespace")
            << base + u"/namespaces/kube-system/pods"_s << 200 << QString();
        QTest::newRow("unknown field")
            << base + u"/pods?fieldSelector=spec.nodeName%3Dx"_s << 400
            << u"\"spec.nodeName\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""_s;
        QTest::newRow("one pod") << base + u"/namespaces/default/pods/idle"_s << 200 << u"idle"_s;
        QTest::newRow("pod without metrics")
            << base + u"/namespaces/default/pods/pending"_s << 404
            << u"podmetrics.metrics.k8s.io \"default/pending\" not found"_s;
        QTest::newRow("no such pod")
            << base + u"/namespaces/default/pods/nope"_s << 404 << u"pods \"nope\" not found"_s;
        QTest::newRow("ready nodes") << base + u"/nodes"_s << 200 << u"%node"_s;
        QTest::newRow("node label selector")
            << base + u"/nodes?labelSelector=ready%3Dno"_s << 200 << QString();
        QTest::newRow("one node") << base + u"/nodes/%node"_s << 200 << u"%node"_s;
        QTest::newRow("node without metrics")
            << base + u"/nodes/down-node"_s << 404
            << u"nodemetrics.metrics.k8s.io \"down-node\" not found"_s;
        QTest::newRow("no such node")
            << base + u"/nodes/nope"_s << 404 << u"nodes \"nope\" not found"_s;
        QTest::newRow("watch")
            << base + u"/pods?watch=true"_s << 405
            << u"watch is not supported on resources of kind \"pods.metrics.k8s.io\""_s;
        QTest::newRow("unknown version") << u"/apis/metrics.k8s.io/v1"_s << 404
                                         << u"the server could not find the requested resource"_s;
    }

    void metricsRequestsAnswerAsMetricsServer()
    {
        QFETCH(QString, path);
        QFETCH(int, status);
        QFETCH(QString, expected);
        path.replace(u"%node"_s, m_node);
        expected.replace(u"%node"_s, m_node);
        const Reply reply = send("GET", path);
        QCOMPARE(reply.status, status);
        const QJsonObject body = reply.json();
        if (status != 200) {
            QCOMPARE(body.value(u"message"_s).toString(), expected);
            return;
        }
        QStringList names;
        const QJsonArray items =
            body.contains(u"items"_s) ? body.value(u"items"_s).toArray() : QJsonArray{body};
        for (const QJsonValue &item : items)
            names.append(
                item.toObject().value(u"metadata"_s).toObject().value(u"name"_s).toString());
        QCOMPARE(names.join(u','), expected);
    }

    void nodeMetricsCountThePodsAndTheAgent()
    {
        const QJsonObject node =
            send("GET", u"/apis/metrics.k8s.io/v1beta1/nodes/"_s + m_node).json();
        QCOMPARE(node.value(u"kind"_s).toString(), u"NodeMetrics"_s);
        QVERIFY(!node.value(u"metadata"_s).toObject().contains(u"namespace"_s));
        const auto memory =
            core::Quantity::parse(node.value(u"usage"_s).toObject().value(u"memory"_s).toString());
        QVERIFY(memory);
        QVERIFY(memory->value() > 100663296); // the agent's 96 MiB and the pods'
        const auto cpu =
            core::Quantity::parse(node.value(u"usage"_s).toObject().value(u"cpu"_s).toString());
        QVERIFY(cpu && cpu->scaledValue(-9) > 50000000);
    }

    void discoveryListsTheMetricsGroup()
    {
        const QJsonObject aggregated =
            send("GET", u"/apis"_s,
                 "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/"
                 "json")
                .json();
        const QJsonArray items = aggregated.value(u"items"_s).toArray();
        const QJsonObject last = items.last().toObject();
        QCOMPARE(last.value(u"metadata"_s).toObject().value(u"name"_s).toString(),
                 u"metrics.k8s.io"_s);
        const QJsonArray resources =
            last.value(u"versions"_s).toArray().at(0).toObject().value(u"resources"_s).toArray();
        QCOMPARE(resources.size(), 2);
        QCOMPARE(
            resources[1].toObject().value(u"responseKind"_s).toObject().value(u"kind"_s).toString(),
            u"PodMetrics"_s);
        QCOMPARE(resources[1].toObject().value(u"scope"_s).toString(), u"Namespaced"_s);

        const QJsonArray groups = send("GET", u"/apis"_s).json().value(u"groups"_s).toArray();
        QCOMPARE(groups.last()
                     .toObject()
                     .value(u"preferredVersion"_s)
                     .toObject()
                     .value(u"groupVersion"_s)
                     .toString(),
                 u"metrics.k8s.io/v1beta1"_s);
        QCOMPARE(send("GET", u"/apis/metrics.k8s.io"_s).json().value(u"kind"_s).toString(),
                 u"APIGroup"_s);
        const QJsonObject list = send("GET", u"/apis/metrics.k8s.io/v1beta1"_s).json();
        QCOMPARE(list.value(u"kind"_s).toString(), u"APIResourceList"_s);
        QCOMPARE(list.value(u"resources"_s).toArray().at(0).toObject().value(u"kind"_s).toString(),
                 u"NodeMetrics"_s);
        QCOMPARE(send("POST", u"/apis/metrics.k8s.io/v1beta1/pods"_s, {}, "{}").status, 405);
    }

    void tablesHaveMetricsServersColumns()
    {
        const QJsonObject table =
            send("GET", u"/apis/metrics.k8s.io/v1beta1/namespaces/default/pods"_s,
                 "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
                .json();
        QCOMPARE(table.value(u"kind"_s).toString(), u"Table"_s);
        QStringList columns;
        for (const QJsonValue &c : table.value(u"columnDefinitions"_s).toArray())
            columns.append(c.toObject().value(u"name"_s).toString());
        QCOMPARE(columns, (QStringList{u"Name"_s, u"cpu"_s, u"memory"_s, u"Window"_s}));
        const QJsonArray cells =
            table.value(u"rows"_s).toArray().at(0).toObject().value(u"cells"_s).toArray();
        QCOMPARE(cells.at(0).toString(), u"busy"_s);
        QVERIFY(core::Quantity::parse(cells.at(1).toString()).has_value());
    }

    void kubectlTopShowsPodsAndNodes()
    {
        QVERIFY2(!QStandardPaths::findExecutable(u"kubectl"_s).isEmpty(),
                 "kubectl is the judge and must be on PATH");
        const QRegularExpression busyRow(u"^busy\\s+\\d+m\\s+\\d+Mi\\s*$"_s,
                                         QRegularExpression::MultilineOption);

        Process top = kubectl({u"top"_s, u"pod"_s});
        QCOMPARE(top.exitCode, 0);
        QVERIFY(top.out.startsWith(u"NAME"_s));
        QVERIFY(QRegularExpression(u"^NAME\\s+CPU\\(cores\\)\\s+MEMORY\\(bytes\\)\\s*$"_s,
                                   QRegularExpression::MultilineOption)
                    .match(top.out)
                    .hasMatch());
        QVERIFY2(busyRow.match(top.out).hasMatch(), qPrintable(top.out));
        QVERIFY(top.out.contains(u"\nidle "_s));

        top = kubectl({u"top"_s, u"pod"_s, u"-A"_s});
        QCOMPARE(top.exitCode, 0);
        QVERIFY(
            QRegularExpression(u"^default\\s+busy\\s+\\d+m"_s, QRegularExpression::MultilineOption)
                .match(top.out)
                .hasMatch());

        top = kubectl({u"top"_s, u"pod"_s, u"--containers"_s});
        QCOMPARE(top.exitCode, 0);
        QVERIFY(QRegularExpression(u"^POD\\s+NAME\\s+CPU\\(cores\\)"_s,
                                   QRegularExpression::MultilineOption)
                    .match(top.out)
                    .hasMatch());
        QVERIFY(QRegularExpression(u"^busy\\s+spin\\s+\\d+m\\s+\\d+Mi"_s,
                                   QRegularExpression::MultilineOption)
                    .match(top.out)
                    .hasMatch());

        top = kubectl({u"top"_s, u"pod"_s, u"-l"_s, u"app=idle"_s});
        QCOMPARE(top.exitCode, 0);
        QVERIFY(!top.out.contains(u"busy"_s));
        QVERIFY(top.out.contains(u"\nidle "_s));

        top = kubectl({u"top"_s, u"pod"_s, u"nope"_s});
        QCOMPARE(top.exitCode, 1);
        QCOMPARE(top.err.trimmed(), u"Error from server (NotFound): pods \"nope\" not found"_s);

        top = kubectl({u"top"_s, u"node"_s});
        QCOMPARE(top.exitCode, 0);
        QVERIFY(
            QRegularExpression(
                u"^NAME\\s+CPU\\(cores\\)\\s+CPU\\(%\\)\\s+MEMORY\\(bytes\\)\\s+MEMORY\\(%\\)"_s,
                QRegularExpression::MultilineOption)
                .match(top.out)
                .hasMatch());
        QVERIFY2(QRegularExpression(u"^%1\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%"_s.arg(m_node),
                                    QRegularExpression::MultilineOption)
                     .match(top.out)
                     .hasMatch(),
                 qPrintable(top.out));
        // Listed by the API, never scraped: metrics unknown.
        QVERIFY(
            QRegularExpression(u"^down-node\\s+<unknown>\\s+<unknown>\\s+<unknown>\\s+<unknown>"_s,
                               QRegularExpression::MultilineOption)
                .match(top.out)
                .hasMatch());

        // The group is an API like any other: get (a Table), -o yaml, api-resources.
        top = kubectl({u"get"_s, u"podmetrics"_s});
        QCOMPARE(top.exitCode, 0);
        QVERIFY(QRegularExpression(
                    u"^NAME\\s+CPU\\s+MEMORY\\s+WINDOW\\s*\\nbusy\\s+\\d+[num]?\\s+\\d+"_s)
                    .match(top.out)
                    .hasMatch());
        top = kubectl({u"get"_s, u"nodes.metrics.k8s.io"_s, m_node, u"-o"_s, u"yaml"_s});
        QCOMPARE(top.exitCode, 0);
        QVERIFY(top.out.contains(u"kind: NodeMetrics\n"_s));
        top = kubectl({u"api-resources"_s, u"--api-group=metrics.k8s.io"_s});
        QCOMPARE(top.exitCode, 0);
        QVERIFY(QRegularExpression(u"^pods\\s+metrics.k8s.io/v1beta1\\s+true\\s+PodMetrics"_s,
                                   QRegularExpression::MultilineOption)
                    .match(top.out)
                    .hasMatch());
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
