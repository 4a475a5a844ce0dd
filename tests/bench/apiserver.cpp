// The API server alone under load: `timonel-node apiserver` with TLS and client certificates on
// loopback, driven from this process over keep-alive HTTP/1.1 connections. Every figure is printed
// beside a baseline measured in the same run (a trivial request, the disk's fsync rate, the data's
// own size) and the target from the issue; nothing here passes or fails on time, only on errors.
// The clients share the machine with the server, so the figures are a floor.
#include "apiserverload.h"
#include "pki/certificates.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslKey>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace timonel;
using namespace timonel::bench;
using namespace Qt::StringLiterals;

namespace {

constexpr QByteArrayView tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io";

QByteArray configMapJson(int i)
{
    return QJsonDocument(QJsonObject{
                             {u"apiVersion"_s, u"v1"_s},
                             {u"kind"_s, u"ConfigMap"_s},
                             {u"metadata"_s, QJsonObject{{u"name"_s, u"cm-%1"_s.arg(i)}}},
                             {u"data"_s, QJsonObject{{u"key"_s, u"value-%1"_s.arg(i)},
                                                     {u"mode"_s, u"bench"_s}}},
                         })
        .toJson(QJsonDocument::Compact);
}

// A pod as a Deployment would make it: two containers with env, ports, resources, probes and
// volume mounts; about 2 KB of JSON.
QByteArray podJson(int i)
{
    const auto env = [](std::initializer_list<std::pair<QString, QString>> vars) {
        QJsonArray a;
        for (const auto &[name, value] : vars)
            a.append(QJsonObject{{u"name"_s, name}, {u"value"_s, value}});
        return a;
    };
    const auto probe = [](const QString &path) {
        return QJsonObject{{u"httpGet"_s, QJsonObject{{u"path"_s, path}, {u"port"_s, 8080}}},
                           {u"initialDelaySeconds"_s, 5},
                           {u"periodSeconds"_s, 10},
                           {u"timeoutSeconds"_s, 2},
                           {u"failureThreshold"_s, 3}};
    };
    QJsonArray appEnv = env({{u"LOG_LEVEL"_s, u"info"_s},
                             {u"HTTP_PORT"_s, u"8080"_s},
                             {u"DATABASE_URL"_s, u"postgres://web@db.shop.svc:5432/web"_s},
                             {u"CACHE_URL"_s, u"redis://cache.shop.svc:6379/0"_s},
                             {u"FEATURE_FLAGS"_s, u"search,checkout,recommendations"_s},
                             {u"REPLICA"_s, QString::number(i)}});
    appEnv.append(QJsonObject{
        {u"name"_s, u"POD_NAME"_s},
        {u"valueFrom"_s,
         QJsonObject{{u"fieldRef"_s, QJsonObject{{u"fieldPath"_s, u"metadata.name"_s}}}}}});
    const QJsonObject app{
        {u"name"_s, u"web"_s},
        {u"image"_s, u"registry.example.com/shop/web:1.27.3"_s},
        {u"imagePullPolicy"_s, u"IfNotPresent"_s},
        {u"command"_s, QJsonArray{u"/app/web"_s}},
        {u"args"_s, QJsonArray{u"--config=/etc/web/config.yaml"_s, u"--listen=:8080"_s}},
        {u"ports"_s, QJsonArray{QJsonObject{{u"name"_s, u"http"_s},
                                            {u"containerPort"_s, 8080},
                                            {u"protocol"_s, u"TCP"_s}},
                                QJsonObject{{u"name"_s, u"metrics"_s},
                                            {u"containerPort"_s, 9090},
                                            {u"protocol"_s, u"TCP"_s}}}},
        {u"env"_s, appEnv},
        {u"resources"_s,
         QJsonObject{{u"requests"_s, QJsonObject{{u"cpu"_s, u"250m"_s}, {u"memory"_s, u"256Mi"_s}}},
                     {u"limits"_s, QJsonObject{{u"cpu"_s, u"1"_s}, {u"memory"_s, u"512Mi"_s}}}}},
        {u"livenessProbe"_s, probe(u"/healthz"_s)},
        {u"readinessProbe"_s, probe(u"/ready"_s)},
        {u"volumeMounts"_s,
         QJsonArray{QJsonObject{{u"name"_s, u"config"_s}, {u"mountPath"_s, u"/etc/web"_s}},
                    QJsonObject{{u"name"_s, u"tmp"_s}, {u"mountPath"_s, u"/tmp"_s}}}}};
    const QJsonObject sidecar{
        {u"name"_s, u"log-shipper"_s},
        {u"image"_s, u"registry.example.com/infra/log-shipper:3.2.0"_s},
        {u"args"_s, QJsonArray{u"--input=/var/log/web"_s, u"--output=loki.infra.svc:3100"_s}},
        {u"env"_s, env({{u"SHIPPER_BATCH"_s, u"512"_s}, {u"SHIPPER_LABELS"_s, u"app=web"_s}})},
        {u"resources"_s,
         QJsonObject{{u"requests"_s, QJsonObject{{u"cpu"_s, u"50m"_s}, {u"memory"_s, u"64Mi"_s}}},
                     {u"limits"_s, QJsonObject{{u"memory"_s, u"128Mi"_s}}}}},
        {u"volumeMounts"_s,
         QJsonArray{QJsonObject{{u"name"_s, u"tmp"_s}, {u"mountPath"_s, u"/var/log/web"_s}}}}};
    const QJsonObject pod{
        {u"apiVersion"_s, u"v1"_s},
        {u"kind"_s, u"Pod"_s},
        {u"metadata"_s,
         QJsonObject{{u"name"_s, u"web-%1"_s.arg(i, 5, 10, QLatin1Char('0'))},
                     {u"labels"_s, QJsonObject{{u"app"_s, u"web"_s},
                                               {u"tier"_s, u"frontend"_s},
                                               {u"pod-template-hash"_s, u"7d4b9c8f6d"_s}}},
                     {u"annotations"_s, QJsonObject{{u"prometheus.io/scrape"_s, u"true"_s},
                                                    {u"prometheus.io/port"_s, u"9090"_s}}}}},
        {u"spec"_s,
         QJsonObject{
             {u"containers"_s, QJsonArray{app, sidecar}},
             {u"volumes"_s,
              QJsonArray{QJsonObject{{u"name"_s, u"config"_s},
                                     {u"configMap"_s, QJsonObject{{u"name"_s, u"web-config"_s}}}},
                         QJsonObject{{u"name"_s, u"tmp"_s}, {u"emptyDir"_s, QJsonObject{}}}}},
             {u"restartPolicy"_s, u"Always"_s},
             {u"terminationGracePeriodSeconds"_s, 30}}}};
    return QJsonDocument(pod).toJson(QJsonDocument::Compact);
}

Request post(const QByteArray &target, const QByteArray &body)
{
    return {"POST", target, body};
}

void report(const QString &line)
{
    qInfo().noquote() << u"BENCH apiserver "_s + line;
}

QString ms(double v)
{
    return QString::number(v, 'f', v < 0.1 ? 3 : v < 10 ? 2 : 1) + u" ms"_s;
}

} // namespace

class BenchApiServer : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir{QDir::tempPath() + u"/timonel-bench-XXXXXX"_s};
    QSslConfiguration m_tls;
    std::unique_ptr<Server> m_server;

    Connections openConnections(int count, quint16 port)
    {
        Connections clients;
        for (int i = 0; i < count; ++i)
            clients.push_back(std::make_unique<Connection>(m_tls, port));
        const bool ready = waitFor(
            [&] {
                return std::ranges::all_of(clients, [](const auto &c) { return c->isReady(); });
            },
            20'000);
        if (!ready)
            qWarning() << "connections not ready:" << clients.front()->error();
        return clients;
    }

    static bool createNamespace(Connection &c, const QString &name)
    {
        const Response r =
            call(c, post("/api/v1/namespaces",
                         QJsonDocument(QJsonObject{{u"apiVersion"_s, u"v1"_s},
                                                   {u"kind"_s, u"Namespace"_s},
                                                   {u"metadata"_s, QJsonObject{{u"name"_s, name}}}})
                             .toJson(QJsonDocument::Compact)));
        return r.status == 201;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto ca = pki::createCertificateAuthority(u"timonel-bench-ca"_s);
        QVERIFY2(ca, ca ? "" : qPrintable(ca.error()));
        pki::CertificateRequest server;
        server.commonName = u"kube-apiserver"_s;
        server.dnsNames = {u"localhost"_s};
        server.ipAddresses = {u"127.0.0.1"_s};
        server.serverAuth = true;
        auto serverPair = pki::issueCertificate(*ca, server);
        pki::CertificateRequest admin;
        admin.commonName = u"kubernetes-admin"_s;
        admin.organizations = {u"system:masters"_s};
        admin.clientAuth = true;
        auto adminPair = pki::issueCertificate(*ca, admin);
        QVERIFY(serverPair && adminPair);
        QVERIFY(QDir().mkpath(m_dir.filePath(u"pki"_s)));
        for (const auto &[name, pem] : {std::pair{u"ca.crt"_s, ca->certificatePem},
                                        std::pair{u"apiserver.crt"_s, serverPair->certificatePem},
                                        std::pair{u"apiserver.key"_s, serverPair->privateKeyPem}}) {
            QFile f(m_dir.filePath(u"pki/"_s + name));
            QVERIFY(f.open(QIODevice::WriteOnly) && f.write(pem) == pem.size());
        }
        m_tls = QSslConfiguration::defaultConfiguration();
        m_tls.setCaCertificates(QSslCertificate::fromData(ca->certificatePem, QSsl::Pem));
        m_tls.setLocalCertificate(QSslCertificate(adminPair->certificatePem, QSsl::Pem));
        m_tls.setPrivateKey(QSslKey(adminPair->privateKeyPem, QSsl::Ec, QSsl::Pem));
        m_tls.setPeerVerifyMode(QSslSocket::VerifyPeer);

        m_server = std::make_unique<Server>();
        auto started = m_server->start(m_dir.filePath(u"data"_s), m_dir.filePath(u"pki"_s));
        QVERIFY2(started, started ? "" : qPrintable(started.error()));
        // The machine is shared: its load when the run starts tells how far to trust the rest.
        QFile loadavg(u"/proc/loadavg"_s);
        loadavg.open(QIODevice::ReadOnly);
        report(u"data directory %1; %2 CPUs, load average %3"_s.arg(m_dir.path())
                   .arg(QThread::idealThreadCount())
                   .arg(QString::fromLatin1(loadavg.readAll().split(' ').mid(0, 3).join(' '))));
    }

    void cleanupTestCase() { m_server.reset(); }

    // 4 clients creating small ConfigMaps back to back, against the same 4 clients asking for
    // /healthz (the cost of a request that does nothing) and the disk's fsync rate (what a
    // commit waits for: more creates than fsyncs per second means commits are grouped).
    void createsPerSecondWithFourClients()
    {
        const int total = qEnvironmentVariableIntValue("TIMONEL_BENCH_CREATES") > 0
                              ? qEnvironmentVariableIntValue("TIMONEL_BENCH_CREATES")
                              : 4000;
        const Server &server = *m_server;
        Connections clients = openConnections(4, server.port());
        QVERIFY(createNamespace(*clients[0], u"bench-create"_s));

        const Load health = drive(server, clients, total, [](int) {
            return Request{"GET", "/healthz"};
        });
        QVERIFY2(health.failures == 0 && health.completed == total, health.firstFailure.data());
        const double fsyncsBefore = fsyncsPerSecond(m_dir.path());
        const Load creates = drive(server, clients, total, [](int i) {
            return post("/api/v1/namespaces/bench-create/configmaps", configMapJson(i));
        });
        QVERIFY2(creates.failures == 0 && creates.completed == total, creates.firstFailure.data());
        const double fsyncs = (fsyncsBefore + fsyncsPerSecond(m_dir.path())) / 2;

        report(u"creates/s: %1 (target >= 1000); %2 ConfigMaps from 4 keep-alive TLS clients, "
               "latency p50 %3, p99 %4; server CPU %5 per create (this process: %6)"_s
                   .arg(creates.perSecond(), 0, 'f', 0)
                   .arg(total)
                   .arg(ms(percentile(creates.latencyMs, 0.5)),
                        ms(percentile(creates.latencyMs, 0.99)), ms(creates.serverCpuPerRequest()),
                        ms(creates.clientCpuMs / creates.completed)));
        report(u"baseline GET /healthz, same 4 clients: %1 req/s, p50 %2, p99 %3, server CPU %4 "
               "per request; creates/s ÷ healthz/s = %5"_s.arg(health.perSecond(), 0, 'f', 0)
                   .arg(ms(percentile(health.latencyMs, 0.5)),
                        ms(percentile(health.latencyMs, 0.99)), ms(health.serverCpuPerRequest()))
                   .arg(creates.perSecond() / health.perSecond(), 0, 'f', 3));
        report(u"baseline disk: %1 write+fdatasync/s (mean of before and after); creates per "
               "fsync %2"_s.arg(fsyncs, 0, 'f', 0)
                   .arg(creates.perSecond() / fsyncs, 0, 'f', 2));

        // One client alone: each create waits for its own commit.
        Connections one = openConnections(1, server.port());
        const Load single = drive(server, one, std::min(total, 500), [](int i) {
            return post("/api/v1/namespaces/bench-create/configmaps", configMapJson(100'000 + i));
        });
        QVERIFY2(single.failures == 0, single.firstFailure.data());
        report(u"one client alone: %1 creates/s, p50 %2 (%3 of the fsync rate)"_s
                   .arg(single.perSecond(), 0, 'f', 0)
                   .arg(ms(percentile(single.latencyMs, 0.5)))
                   .arg(single.perSecond() / fsyncs, 0, 'f', 2));
    }

    // 1000 realistic pods in one namespace, listed up to 200 times as a Table (what
    // `kubectl get pods` asks for), then as plain JSON, one request at a time.
    void listOfThousandPods()
    {
        const Server &server = *m_server;
        Connections clients = openConnections(4, server.port());
        QVERIFY(createNamespace(*clients[0], u"bench-list"_s));
        const Load creates = drive(server, clients, 1000, [](int i) {
            return post("/api/v1/namespaces/bench-list/pods", podJson(i));
        });
        QVERIFY2(creates.failures == 0 && creates.completed == 1000, creates.firstFailure.data());
        report(u"pods: 1000 created at %1/s (%2 bytes posted, %3 stored each), p50 %4, p99 %5, "
               "server CPU %6 per create"_s.arg(creates.perSecond(), 0, 'f', 0)
                   .arg(podJson(0).size())
                   .arg(creates.bytes / 1000)
                   .arg(ms(percentile(creates.latencyMs, 0.5)),
                        ms(percentile(creates.latencyMs, 0.99)),
                        ms(creates.serverCpuPerRequest())));

        // The answer is checked, not only timed: a Table of 1000 rows.
        const QByteArray asTable = tableAccept.toByteArray();
        const Request list{"GET", "/api/v1/namespaces/bench-list/pods", {}, {}, asTable};
        const QJsonObject table = QJsonDocument::fromJson(call(*clients[0], list).body).object();
        QCOMPARE(table.value(u"kind"_s).toString(), u"Table"_s);
        QCOMPARE(table.value(u"rows"_s).toArray().size(), 1000);

        clients.resize(1);
        const Load tables = drive(
            server, clients, 200, [&](int) { return list; }, 20'000);
        QVERIFY2(tables.failures == 0 && tables.completed > 0, tables.firstFailure.data());
        const Load plain = drive(
            server, clients, 200,
            [&](int) {
                return Request{"GET", list.target};
            },
            10'000);
        QVERIFY2(plain.failures == 0 && plain.completed > 0, plain.firstFailure.data());
        report(
            u"list 1000 pods as Table: p99 %1 (target <= 50 ms), p50 %2, %3 KB, %4 requests, "
            "server CPU %5 per list"_s
                .arg(ms(percentile(tables.latencyMs, 0.99)), ms(percentile(tables.latencyMs, 0.5)))
                .arg(tables.bytes / tables.completed / 1024)
                .arg(tables.completed)
                .arg(ms(tables.serverCpuPerRequest())));
        report(u"baseline list 1000 pods as JSON: p99 %1, p50 %2, %3 KB, %4 requests, server CPU "
               "%5 per list; Table p50 ÷ JSON p50 = %6"_s
                   .arg(ms(percentile(plain.latencyMs, 0.99)), ms(percentile(plain.latencyMs, 0.5)))
                   .arg(plain.bytes / plain.completed / 1024)
                   .arg(plain.completed)
                   .arg(ms(plain.serverCpuPerRequest()))
                   .arg(percentile(tables.latencyMs, 0.5) / percentile(plain.latencyMs, 0.5), 0,
                        'f', 2));
    }

    // 100 watchers of the ConfigMaps of one namespace, each on its own connection, and 500
    // updates from 4 writers; the same 500 updates without watchers are the baseline.
    void watchFanOutToHundredWatchers()
    {
        constexpr int watcherCount = 100, updates = 500;
        const Server &server = *m_server;
        Connections writers = openConnections(4, server.port());
        QVERIFY(createNamespace(*writers[0], u"bench-watch"_s));
        for (int i = 0; i < 4; ++i)
            QCOMPARE(call(*writers[0],
                          post("/api/v1/namespaces/bench-watch/configmaps", configMapJson(i)))
                         .status,
                     201);
        // Round numbers differ between the two runs: an update that changes nothing writes
        // nothing.
        const auto patch = [](int round) {
            return Request{"PATCH",
                           "/api/v1/namespaces/bench-watch/configmaps/cm-" +
                               QByteArray::number(round % 4),
                           "{\"data\":{\"round\":\"" + QByteArray::number(round) + "\"}}",
                           "application/merge-patch+json"};
        };
        const Load alone = drive(server, writers, updates, patch);
        QVERIFY2(alone.failures == 0 && alone.completed == updates, alone.firstFailure.data());

        const Response list =
            call(*writers[0], {"GET", "/api/v1/namespaces/bench-watch/configmaps"});
        const qint64 from = QJsonDocument::fromJson(list.body)
                                .object()
                                .value(u"metadata"_s)
                                .toObject()
                                .value(u"resourceVersion"_s)
                                .toString()
                                .toLongLong();
        QVERIFY(from > 0);

        Connections watchers = openConnections(watcherCount, server.port());
        std::vector<QList<std::pair<qint64, qint64>>> seen(watcherCount); // (revision, when)
        int streaming = 0, finished = 0;
        for (int w = 0; w < watcherCount; ++w) {
            seen[w].reserve(updates);
            watchers[w]->stream(
                {"GET", "/api/v1/namespaces/bench-watch/configmaps?watch=true&resourceVersion=" +
                            QByteArray::number(from)},
                [&](int status) { streaming += status == 200; },
                [&, w](QByteArrayView line) {
                    seen[w].append({resourceVersionIn(line), nowNs()});
                    finished += seen[w].size() == updates;
                });
        }
        QVERIFY2(waitFor([&] { return streaming == watcherCount; }, 20'000),
                 qPrintable(u"%1 of %2 watches started"_s.arg(streaming).arg(watcherCount)));

        QHash<qint64, qint64> acknowledged; // resourceVersion -> when its writer got the answer
        const qint64 start = nowNs();
        const double serverCpu = server.cpuMs();
        int issued = 0, answered = 0;
        std::function<void(Connection *)> next = [&](Connection *c) {
            if (issued >= updates)
                return;
            c->send(patch(updates + issued++), [&, c](const Response &r) {
                acknowledged.insert(resourceVersionIn(r.body), nowNs());
                ++answered;
                next(c);
            });
        };
        for (const auto &c : writers)
            next(c.get());
        const bool delivered =
            waitFor([&] { return finished == watcherCount && answered == updates; }, 60'000);
        const double fanOutCpu = server.cpuMs() - serverCpu;
        for (const auto &c : watchers)
            c->abort();
        for (const auto &c : writers)
            c->abort();
        QVERIFY2(delivered, qPrintable(u"%1 of %2 watchers got every event"_s.arg(finished).arg(
                                watcherCount)));
        qint64 last = 0;
        QList<double> delays;
        delays.reserve(watcherCount * updates);
        for (const auto &events : seen)
            for (const auto &[revision, when] : events) {
                last = std::max(last, when);
                // Delivered before its writer heard back counts as no delay.
                if (const auto it = acknowledged.constFind(revision); it != acknowledged.cend())
                    delays.append(std::max<qint64>(when - *it, 0) / 1e6);
            }
        QCOMPARE(delays.size(), watcherCount * updates);

        const double seconds = (last - start) / 1e9;
        report(u"watch fan-out: %1 events/s delivered (%2 watchers x %3 updates in %4 s); "
               "write acknowledged -> delivered p50 %5, p99 %6; server CPU %7 per event"_s
                   .arg(watcherCount * updates / seconds, 0, 'f', 0)
                   .arg(watcherCount)
                   .arg(updates)
                   .arg(seconds, 0, 'f', 2)
                   .arg(ms(percentile(delays, 0.5)), ms(percentile(delays, 0.99)),
                        ms((fanOutCpu - alone.serverCpuMs) / (watcherCount * updates))));
        report(u"baseline the same %1 updates without watchers: %2 updates/s, server CPU %3 per "
               "update; with watchers %4 updates/s, %5 per update"_s.arg(updates)
                   .arg(alone.perSecond(), 0, 'f', 0)
                   .arg(ms(alone.serverCpuPerRequest()))
                   .arg(updates / seconds, 0, 'f', 0)
                   .arg(ms(fanOutCpu / updates)));
    }

    // A fresh server, idle and then holding 5000 pods; the pods' own JSON is the baseline.
    void residentMemoryIdleAndWithFiveThousandPods()
    {
        report(u"RSS of the server used above, after everything: %1 MB"_s.arg(
            m_server->rssKb() / 1024.0, 0, 'f', 1));
        m_server.reset();
        Server server;
        auto started = server.start(m_dir.filePath(u"data-rss"_s), m_dir.filePath(u"pki"_s));
        QVERIFY2(started, started ? "" : qPrintable(started.error()));
        Connections clients = openConnections(4, server.port());
        QCOMPARE(call(*clients[0], {"GET", "/healthz"}).status, 200);
        QTest::qWait(500);
        const qint64 idle = server.rssKb();

        QVERIFY(createNamespace(*clients[0], u"bench-rss"_s));
        const Load pods = drive(server, clients, 5000, [](int i) {
            return post("/api/v1/namespaces/bench-rss/pods", podJson(i));
        });
        QVERIFY2(pods.failures == 0 && pods.completed == 5000, pods.firstFailure.data());
        QTest::qWait(500);
        const qint64 full = server.rssKb();
        report(u"RSS idle: %1 MB; after 5000 pods: %2 MB (target <= 80 MB), peak %3 MB"_s
                   .arg(idle / 1024.0, 0, 'f', 1)
                   .arg(full / 1024.0, 0, 'f', 1)
                   .arg(server.peakRssKb() / 1024.0, 0, 'f', 1));
        report(u"baseline the pods' stored JSON: %1 MB (%2 bytes each); RSS growth ÷ JSON = %3; "
               "5000 pods created in %4 s, server CPU %5 per create"_s
                   .arg(pods.bytes / 1048576.0, 0, 'f', 1)
                   .arg(pods.bytes / 5000)
                   .arg((full - idle) * 1024.0 / pods.bytes, 0, 'f', 2)
                   .arg(pods.seconds, 0, 'f', 1)
                   .arg(ms(pods.serverCpuPerRequest())));

        // What one `kubectl get pods` of them all leaves behind.
        const Response table =
            call(*clients[0],
                 {"GET", "/api/v1/namespaces/bench-rss/pods", {}, {}, tableAccept.toByteArray()});
        QCOMPARE(table.status, 200);
        QTest::qWait(500);
        report(u"RSS after listing the 5000 pods once as a Table (%1 KB): %2 MB, peak %3 MB"_s
                   .arg(table.body.size() / 1024)
                   .arg(server.rssKb() / 1024.0, 0, 'f', 1)
                   .arg(server.peakRssKb() / 1024.0, 0, 'f', 1));
    }
};

QTEST_GUILESS_MAIN(BenchApiServer)
#include "apiserver.moc"
