// Cluster networking on a 1 control plane + 2 worker cluster, measured from a client pod on the
// other worker than the server's, both in the same run:
//  - HTTP requests/s to an nginx Deployment of 1 replica through its ClusterIP (the node's
//    service proxy) divided by requests/s to the pod IP directly: same client, same
//    concurrency, 15 s each, first with a new TCP connection per request (what a proxy pays
//    most for: an accept and a connect to the endpoint every time), then with keep-alive;
//  - lookups/s of the Service's FQDN against the cluster DNS (10 s).
// The load generator is a Python script (standard library only) run in the client pod with
// `kubectl exec`: worker processes, not threads, so the GIL does not cap the client. Prints
// rates and ratios; never passes or fails on time.
#include "e2e/clustertestbase.h"

#include <expected>

using namespace timonel;
using namespace Qt::StringLiterals;

namespace {

constexpr int kRequestSeconds = 15;
constexpr int kDnsSeconds = 10;
constexpr int kConcurrency = 8;         // worker processes in the client pod
constexpr int kMaxOperations = 2000000; // per run, whatever the time left

// argv: mode (connect | keepalive | dns), host, port, seconds, workers, max operations.
// Prints {"ok": N, "errors": N, "seconds": S}, S from the first start to the last finish.
constexpr auto kLoadScript = R"PY(
import http.client, json, os, socket, sys, time

mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
seconds, workers, limit = float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
request = b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"

def one_connection():
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(request)
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    return reply.startswith(b"HTTP/1.1 200")

def work(deadline, limit):
    ok = errors = 0
    conn = None
    while ok + errors < limit and time.monotonic() < deadline:
        try:
            if mode == "connect":
                good = one_connection()
            elif mode == "keepalive":
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=5)
                conn.request("GET", "/")
                response = conn.getresponse()
                response.read()
                good = response.status == 200
            else:
                good = bool(socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM))
        except (OSError, http.client.HTTPException):
            good = False
            if conn is not None:
                conn.close()
                conn = None
        ok += good
        errors += not good
    return ok, errors

start = time.monotonic()
deadline = start + seconds
pipes = []
for _ in range(workers):
    read_end, write_end = os.pipe()
    if os.fork() == 0:
        os.close(read_end)
        os.write(write_end, ("%d %d" % work(deadline, limit // workers)).encode())
        os._exit(0)
    os.close(write_end)
    pipes.append(read_end)
ok = errors = 0
for read_end in pipes:
    fields = os.read(read_end, 64).split()
    ok += int(fields[0]) if fields else 0
    errors += int(fields[1]) if fields else 1
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
print(json.dumps({"ok": ok, "errors": errors, "seconds": time.monotonic() - start}))
)PY";

} // namespace

class BenchNetwork : public test::ClusterTestBase
{
    Q_OBJECT

public:
    BenchNetwork() : ClusterTestBase(u"bench"_s) {}

private:
    QString m_podIP;
    QString m_clusterIP;
    const QString m_fqdn = u"web.default.svc.cluster.local."_s;

    struct Load
    {
        qint64 ok = 0;
        qint64 errors = 0;
        double seconds = 0;
        double rate() const { return seconds > 0 ? ok / seconds : 0; }
    };

    // Runs the load script in the client pod against host:80 for `seconds`.
    std::expected<Load, QString> load(const QString &mode, const QString &host, int seconds)
    {
        const test::Run r = kubectl(
            {u"exec"_s, u"client"_s, u"--"_s, u"python3"_s, u"-c"_s, QString::fromUtf8(kLoadScript),
             mode, host, u"80"_s, QString::number(seconds), QString::number(kConcurrency),
             QString::number(kMaxOperations)},
            (seconds + 60) * 1000);
        const QJsonObject out = QJsonDocument::fromJson(r.out.toUtf8()).object();
        if (r.exitCode != 0 || !out.contains(u"ok"))
            return std::unexpected(u"load %1 %2 failed (%3): %4 %5"_s.arg(mode, host)
                                       .arg(r.exitCode)
                                       .arg(r.out, r.err));
        return Load{out["ok"].toInteger(), out["errors"].toInteger(), out["seconds"].toDouble()};
    }

    static void printLoad(const char *what, const Load &l)
    {
        std::printf("  %-22s %9.0f /s   (%lld ok, %lld errors in %.1f s)\n", what, l.rate(),
                    qlonglong(l.ok), qlonglong(l.errors), l.seconds);
    }

private Q_SLOTS:
    void initTestCase()
    {
        createCluster(2, {u"nginx"_s, u"shell"_s});
        if (QTest::currentTestFailed())
            return;
        // nginx without its access log: otherwise every request is also a line through
        // Docker's log driver, which would cost the same on both paths and hide the proxy's.
        QVERIFY(!apply(u"web.yaml"_s, R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        command: [sh, -c, "sed -i 's|access_log .*|access_log off;|' /etc/nginx/nginx.conf && exec nginx -g 'daemon off;'"]
        ports: [{containerPort: 80}]
        readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 2}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
)")
                     .startsWith(u"<failed"_s));
        QVERIFY2(rolloutDone(u"default"_s, u"deployment/web"_s), qPrintable(diagnosis(u"default"_s)));
        const QJsonObject pods = json({u"get"_s, u"pods"_s, u"-l"_s, u"app=web"_s});
        QCOMPARE(pods["items"].toArray().size(), 1);
        const QJsonObject server = pods["items"][0].toObject();
        m_podIP = server["status"]["podIP"].toString();
        const QString serverNode = server["spec"]["nodeName"].toString();
        QVERIFY(!m_podIP.isEmpty());
        m_clusterIP = ok({u"get"_s, u"service"_s, u"web"_s, u"-o"_s, u"jsonpath={.spec.clusterIP}"_s});
        QVERIFY2(m_clusterIP.startsWith(u"10.96."_s), qPrintable(m_clusterIP));

        // The client on the other worker: both paths then cross between nodes, and the
        // ClusterIP path goes through the client node's proxy.
        QStringList workers = ok({u"get"_s, u"nodes"_s, u"-l"_s,
                                  u"!node-role.kubernetes.io/control-plane"_s, u"-o"_s,
                                  u"jsonpath={.items[*].metadata.name}"_s})
                                  .split(u' ', Qt::SkipEmptyParts);
        QCOMPARE(workers.size(), 2);
        workers.removeAll(serverNode);
        QCOMPARE(workers.size(), 1);
        QVERIFY(!apply(u"client.yaml"_s, u"apiVersion: v1\nkind: Pod\nmetadata: {name: client}\n"
                                         "spec:\n  nodeName: %1\n  containers:\n"
                                         "  - {name: client, image: 'busybox:1.28', "
                                         "command: [sleep, '3600']}\n"_s.arg(workers.first())
                                             .toUtf8())
                     .startsWith(u"<failed"_s));
        QVERIFY2(podReady(u"client"_s, u"default"_s), qPrintable(diagnosis(u"default"_s)));
        // Both paths answer before anything is measured.
        for (const QString &host : {m_podIP, m_clusterIP})
            QVERIFY2(poll({u"exec"_s, u"client"_s, u"--"_s, u"curl"_s, u"-s"_s, u"-o"_s,
                           u"/dev/null"_s, u"-w"_s, u"%{http_code}"_s, u"http://%1/"_s.arg(host)},
                          u"^200$"_s),
                     qPrintable(host));
        std::printf("server pod %s on %s, client pod on %s, %d client processes\n",
                    qPrintable(m_podIP), qPrintable(serverNode), qPrintable(workers.first()),
                    kConcurrency);
        std::fflush(stdout);
    }

    void cleanupTestCase() { deleteCluster(); }

    void requestsViaClusterIpVersusPodIp_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::newRow("new connection per request") << u"connect"_s;
        QTest::newRow("keep-alive") << u"keepalive"_s;
    }
    void requestsViaClusterIpVersusPodIp()
    {
        QFETCH(QString, mode);
        auto direct = load(mode, m_podIP, kRequestSeconds);
        QVERIFY2(direct, qPrintable(direct.error_or(QString())));
        auto proxied = load(mode, m_clusterIP, kRequestSeconds);
        QVERIFY2(proxied, qPrintable(proxied.error_or(QString())));
        std::printf("HTTP GET / (nginx), %s, %d s each\n", QTest::currentDataTag(),
                    kRequestSeconds);
        printLoad("pod IP directly:", *direct);
        printLoad("via ClusterIP:", *proxied);
        std::printf("  ratio: %.2f   (target >= 0.7)\n",
                    direct->rate() > 0 ? proxied->rate() / direct->rate() : 0.0);
        std::fflush(stdout);
        // Most requests must have succeeded for the rates to mean anything.
        QVERIFY(direct->ok > 0 && direct->errors * 100 <= direct->ok);
        QVERIFY(proxied->ok > 0 && proxied->errors * 100 <= proxied->ok);
    }

    void clusterDnsLookups()
    {
        auto lookups = load(u"dns"_s, m_fqdn, kDnsSeconds);
        QVERIFY2(lookups, qPrintable(lookups.error_or(QString())));
        std::printf("cluster DNS, getaddrinfo(\"%s\", AF_INET), %d s\n", qPrintable(m_fqdn),
                    kDnsSeconds);
        printLoad("lookups:", *lookups);
        std::fflush(stdout);
        QVERIFY(lookups->ok > 0 && lookups->errors * 100 <= lookups->ok);
    }
};

QTEST_GUILESS_MAIN(BenchNetwork)
#include "network.moc"
