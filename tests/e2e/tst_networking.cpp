// Cluster networking on a real Timonel cluster (one control plane, two workers), judged by the
// real kubectl: Services reached by ClusterIP and by name from pods in other namespaces and on
// other nodes, headless Services, readiness moving endpoints, NodePorts from the host on every
// node, LoadBalancers on loopback addresses, `kubectl port-forward svc/...`, the seeds'
// ambassador pattern, the dockercoins sample app and the built-in Ingress controller.
#include "clustertestbase.h"

#include <QNetworkDatagram>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QUdpSocket>

using namespace timonel;
using test::Run;
using namespace Qt::StringLiterals;

class TestNetworking : public test::ClusterTestBase
{
    Q_OBJECT

public:
    TestNetworking() : ClusterTestBase(u"net"_s) {}

private:
    // What `command` prints in the client pod of `ns` (curl and getent are in the shell image).
    QString inClient(const QString &ns, const QString &command)
    {
        return ok({u"exec"_s, u"client"_s, u"-n"_s, ns, u"--"_s, u"sh"_s, u"-c"_s, command});
    }
    void startClient(const QString &ns)
    {
        QCOMPARE(ok({u"run"_s, u"client"_s, u"-n"_s, ns, u"--image=busybox:1.28"_s, u"--"_s,
                     u"sleep"_s, u"3600"_s}),
                 u"pod/client created\n"_s);
        QVERIFY(podReady(u"client"_s, ns));
    }
    QStringList podIPs(const QString &ns, const QString &selector)
    {
        QStringList ips = ok({u"get"_s, u"pods"_s, u"-n"_s, ns, u"-l"_s, selector, u"-o"_s,
                              u"jsonpath={.items[*].status.podIP}"_s})
                              .split(u' ', Qt::SkipEmptyParts);
        ips.sort();
        return ips;
    }

private Q_SLOTS:
    void initTestCase()
    {
        createCluster(2,
                      {u"nginx"_s, u"shell"_s, u"redis"_s, u"flask-redis"_s, u"dockercoins-rng"_s,
                       u"dockercoins-hasher"_s, u"dockercoins-worker"_s, u"dockercoins-webui"_s});
    }
    void cleanupTestCase() { deleteCluster(); }

    void serviceReachedByNameFromOtherNamespacesAndNodes()
    {
        makeNamespace(u"shop"_s);
        makeNamespace(u"office"_s);
        QVERIFY(!apply(u"web.yaml"_s, R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: nginx:1.27, ports: [{name: http, containerPort: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 8080, targetPort: http}]
)")
                     .startsWith(u"<failed"_s));
        QVERIFY(rolloutDone(u"shop"_s, u"deployment/web"_s));
        // One replica per worker: whichever node the clients land on, one replica is elsewhere.
        const QStringList nodes = nodesOf(u"shop"_s, u"app=web"_s).values();
        QCOMPARE(QSet<QString>(nodes.begin(), nodes.end()).size(), 2);
        QVERIFY(waitFor({u"get"_s, u"endpoints"_s, u"web"_s, u"-n"_s, u"shop"_s},
                        u"{.subsets[0].addresses[*].ip}"_s, uR"(^\S+ \S+$)"_s, 30));
        startClient(u"shop"_s);
        startClient(u"office"_s);
        if (QTest::currentTestFailed())
            return;

        const QString clusterIP = ok({u"get"_s, u"service"_s, u"web"_s, u"-n"_s, u"shop"_s, u"-o"_s,
                                      u"jsonpath={.spec.clusterIP}"_s});
        QVERIFY2(clusterIP.startsWith(u"10.96."_s), qPrintable(clusterIP));
        const QStringList urls{u"http://%1:8080/"_s.arg(clusterIP), u"http://web.shop:8080/"_s,
                               u"http://web.shop.svc.cluster.local:8080/"_s};
        for (const QString &url : urls)
            QVERIFY2(
                inClient(u"office"_s, u"curl -sS -m 5 "_s + url).contains(u"Welcome to nginx!"_s),
                qPrintable(url));
        QVERIFY(inClient(u"shop"_s, u"curl -sS -m 5 http://web:8080/"_s)
                    .contains(u"Welcome to nginx!"_s));
        const QString resolv = inClient(u"office"_s, u"cat /etc/resolv.conf"_s);
        QVERIFY2(resolv.startsWith(
                     u"search office.svc.cluster.local svc.cluster.local cluster.local"_s) &&
                     resolv.contains(u"\nnameserver 10.96.0.10\n"_s) &&
                     resolv.contains(u"options ndots:5"_s),
                 qPrintable(resolv));
        // Connections spread over both replicas: each logs requests.
        for (int i = 0; i < 12; ++i)
            inClient(u"office"_s, u"curl -sS -m 5 -o /dev/null http://web.shop:8080/"_s);
        const QJsonObject pods =
            json({u"get"_s, u"pods"_s, u"-n"_s, u"shop"_s, u"-l"_s, u"app=web"_s});
        for (const QJsonValue &pod : pods["items"].toArray()) {
            const QString name = pod["metadata"]["name"].toString();
            QVERIFY2(ok({u"logs"_s, name, u"-n"_s, u"shop"_s}).contains(u"GET / HTTP/1.1"_s),
                     qPrintable(name));
        }
        // That was the kernel's forwarding on every node, not the proxy's listeners.
        for (const QString &node :
             ok({u"get"_s, u"nodes"_s, u"-o"_s, u"name"_s}).split(u'\n', Qt::SkipEmptyParts)) {
            QByteArray log;
            QVERIFY(docker::DockerClient().logs(node.section(u'/', 1), false,
                                                [&](int, const QByteArray &data) {
                                                    log += data;
                                                    return true;
                                                }));
            QVERIFY2(log.contains("the kernel forwards TCP services"), qPrintable(node));
        }
    }

    void headlessServiceResolvesToThePodIPs()
    {
        QVERIFY(!apply(u"headless.yaml"_s, R"(apiVersion: v1
kind: Service
metadata: {name: web-pods, namespace: shop}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 80}]
)")
                     .startsWith(u"<failed"_s));
        const QStringList expected = podIPs(u"shop"_s, u"app=web"_s);
        QCOMPARE(expected.size(), 2);
        QVERIFY(poll({u"exec"_s, u"client"_s, u"-n"_s, u"office"_s, u"--"_s, u"sh"_s, u"-c"_s,
                      u"getent ahostsv4 web-pods.shop | awk '{print $1}' | sort -u | xargs"_s},
                     u"^"_s + QRegularExpression::escape(expected.join(u' ')) + u"$"_s, 30));
    }

    void clientIpAffinityKeepsAClientOnOnePod()
    {
        QVERIFY(!apply(u"sticky.yaml"_s, R"(apiVersion: v1
kind: Service
metadata: {name: sticky, namespace: shop}
spec:
  selector: {app: web}
  sessionAffinity: ClientIP
  ports: [{port: 8080, targetPort: http}]
)")
                     .startsWith(u"<failed"_s));
        // Without affinity these would alternate between the two replicas (see above).
        for (int i = 0; i < 8; ++i)
            inClient(u"office"_s,
                     u"curl -sS -m 5 -o /dev/null http://sticky.shop:8080/sticky-%1"_s.arg(i));
        int served = 0;
        const QJsonObject pods =
            json({u"get"_s, u"pods"_s, u"-n"_s, u"shop"_s, u"-l"_s, u"app=web"_s});
        for (const QJsonValue &pod : pods["items"].toArray()) {
            const QString log =
                ok({u"logs"_s, pod["metadata"]["name"].toString(), u"-n"_s, u"shop"_s});
            if (log.contains(u"GET /sticky-"_s)) {
                ++served;
                // Access log lines (nginx's error log names each 404's request too).
                QCOMPARE(log.count(QRegularExpression(uR"("GET /sticky-\d HTTP/1.1" 404)"_s)), 8);
            }
        }
        QCOMPARE(served, 1);
    }

    void podTurningNotReadyLeavesTheEndpoints()
    {
        QVERIFY(!apply(u"flaky.yaml"_s, R"(apiVersion: v1
kind: Pod
metadata: {name: flaky, namespace: shop, labels: {app: flaky}}
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    readinessProbe:
      exec: {command: ["cat", "/usr/share/nginx/html/index.html"]}
      periodSeconds: 2
      failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata: {name: flaky, namespace: shop}
spec:
  selector: {app: flaky}
  ports: [{port: 80}]
)")
                     .startsWith(u"<failed"_s));
        QVERIFY(podReady(u"flaky"_s, u"shop"_s));
        const QString ip = podIPs(u"shop"_s, u"app=flaky"_s).value(0);
        QVERIFY(waitFor({u"get"_s, u"endpoints"_s, u"flaky"_s, u"-n"_s, u"shop"_s},
                        u"{.subsets[0].addresses[0].ip}"_s,
                        u"^"_s + QRegularExpression::escape(ip) + u"$"_s, 20));
        ok({u"exec"_s, u"flaky"_s, u"-n"_s, u"shop"_s, u"--"_s, u"rm"_s,
            u"/usr/share/nginx/html/index.html"_s});
        // One failed probe (2 s period) makes it not ready; the endpoints follow at once.
        QVERIFY(waitFor({u"get"_s, u"endpoints"_s, u"flaky"_s, u"-n"_s, u"shop"_s},
                        u"{.subsets[0].notReadyAddresses[0].ip}"_s,
                        u"^"_s + QRegularExpression::escape(ip) + u"$"_s, 10));
        QVERIFY(waitFor({u"get"_s, u"endpointslices"_s, u"-n"_s, u"shop"_s, u"-l"_s,
                         u"kubernetes.io/service-name=flaky"_s},
                        u"{.items[0].endpoints[0].conditions.ready}"_s, u"^false$"_s, 10));
    }

    void nodePortAnswersOnEveryNode()
    {
        QCOMPARE(ok({u"expose"_s, u"deployment/web"_s, u"-n"_s, u"shop"_s, u"--name=web-np"_s,
                     u"--type=NodePort"_s, u"--port=80"_s, u"--target-port=http"_s}),
                 u"service/web-np exposed\n"_s);
        const int nodePort = ok({u"get"_s, u"service"_s, u"web-np"_s, u"-n"_s, u"shop"_s, u"-o"_s,
                                 u"jsonpath={.spec.ports[0].nodePort}"_s})
                                 .toInt();
        QVERIFY2(nodePort >= 30000 && nodePort <= 32767, qPrintable(QString::number(nodePort)));
        const QStringList nodeIPs =
            ok({u"get"_s, u"nodes"_s, u"-o"_s,
                u"jsonpath={.items[*].status.addresses[?(@.type==\"InternalIP\")].address}"_s})
                .split(u' ', Qt::SkipEmptyParts);
        QCOMPARE(nodeIPs.size(), 3);
        for (const QString &ip : nodeIPs)
            QTRY_VERIFY2_WITH_TIMEOUT(httpGet(ip, quint16(nodePort)).contains("Welcome to nginx!"),
                                      qPrintable(u"%1:%2"_s.arg(ip).arg(nodePort)), 10000);
    }

    void loadBalancersEachGetALoopbackAddress()
    {
        QStringList addresses;
        for (const QString &name : {u"web-lb"_s, u"web-lb2"_s}) {
            QCOMPARE(ok({u"expose"_s, u"deployment/web"_s, u"-n"_s, u"shop"_s, u"--name"_s, name,
                         u"--type=LoadBalancer"_s, u"--port=80"_s, u"--target-port=http"_s}),
                     u"service/%1 exposed\n"_s.arg(name));
            QVERIFY(waitFor({u"get"_s, u"service"_s, name, u"-n"_s, u"shop"_s},
                            u"{.status.loadBalancer.ingress[0].ip}"_s, uR"(^127\.\d+\.\d+\.\d+$)"_s,
                            30));
            addresses.append(ok({u"get"_s, u"service"_s, name, u"-n"_s, u"shop"_s, u"-o"_s,
                                 u"jsonpath={.status.loadBalancer.ingress[0].ip}"_s}));
        }
        // Both on port 80 of the user's machine, each at its own address.
        QVERIFY2(addresses[0] != addresses[1], qPrintable(addresses.join(u' ')));
        QVERIFY(poll({u"get"_s, u"service"_s, u"web-lb"_s, u"-n"_s, u"shop"_s},
                     QRegularExpression::escape(addresses[0]) + uR"(\s+80:3\d{4}/TCP)"_s, 10));
        for (const QString &address : addresses)
            QTRY_VERIFY2_WITH_TIMEOUT(httpGet(address, 80).contains("Welcome to nginx!"),
                                      qPrintable(address), 20000);
        // A deleted service takes its address away.
        QCOMPARE(ok({u"delete"_s, u"service"_s, u"web-lb2"_s, u"-n"_s, u"shop"_s}),
                 u"service \"web-lb2\" deleted\n"_s);
        QTRY_VERIFY_WITH_TIMEOUT(httpGet(addresses[1], 80).isEmpty(), 20000);
        QVERIFY(httpGet(addresses[0], 80).contains("Welcome to nginx!"));
    }

    void loadBalancerPublishesUdpPorts()
    {
        QVERIFY(!apply(u"udp-echo.yaml"_s, R"(apiVersion: v1
kind: Pod
metadata: {name: udp-echo, namespace: shop, labels: {app: udp-echo}}
spec:
  containers:
  - name: echo
    image: timonel-test/dockercoins-rng
    command:
    - python3
    - -c
    - |
      import socket
      s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
      s.bind(("", 9000))
      while True:
          data, client = s.recvfrom(512)
          s.sendto(data.upper(), client)
---
apiVersion: v1
kind: Service
metadata: {name: udp-echo, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: udp-echo}
  ports: [{name: echo, port: 9000, protocol: UDP}]
)")
                     .startsWith(u"<failed"_s));
        QVERIFY(podReady(u"udp-echo"_s, u"shop"_s));
        QVERIFY(waitFor({u"get"_s, u"service"_s, u"udp-echo"_s, u"-n"_s, u"shop"_s},
                        u"{.status.loadBalancer.ingress[0].ip}"_s, uR"(^127\.\d+\.\d+\.\d+$)"_s,
                        30));
        const QHostAddress address(
            ok({u"get"_s, u"service"_s, u"udp-echo"_s, u"-n"_s, u"shop"_s, u"-o"_s,
                u"jsonpath={.status.loadBalancer.ingress[0].ip}"_s}));
        // Datagrams can be lost while the path comes up: asked again until answered.
        QUdpSocket socket;
        QByteArray answer;
        for (QDeadlineTimer deadline(20000); answer.isEmpty() && !deadline.hasExpired();) {
            socket.writeDatagram("hello", address, 9000);
            if (socket.waitForReadyRead(500))
                answer = socket.receiveDatagram().data();
        }
        QCOMPARE(answer, QByteArray("HELLO"));
    }

    void portForwardToAService()
    {
        const PortForward forward = portForward({u"-n"_s, u"shop"_s, u"svc/web"_s, u":8080"_s});
        QVERIFY2(forward.port, qPrintable(forward.error));
        QVERIFY(httpGet(forward.port).contains("Welcome to nginx!"));
    }

    void ambassadorPatternReachesRedisThroughAService()
    {
        makeNamespace(u"ambassador"_s);
        QCOMPARE(ok({u"run"_s, u"redis"_s, u"-n"_s, u"ambassador"_s, u"--image=redis"_s}),
                 u"pod/redis created\n"_s);
        QCOMPARE(ok({u"expose"_s, u"pod"_s, u"redis"_s, u"-n"_s, u"ambassador"_s, u"--port"_s,
                     u"6379"_s}),
                 u"service/redis exposed\n"_s);
        // The seeds' manifests, with their image for the Flask app. Their init command fills in
        // REDIS_HOST only, which leaves nginx an invalid port; it fills in REDIS_PORT too here.
        QVERIFY(!apply(u"ambassador.yaml"_s, R"(apiVersion: v1
kind: ConfigMap
metadata: {name: redis-config, namespace: ambassador}
data:
  host: "redis"
  port: "6379"
---
apiVersion: v1
kind: ConfigMap
metadata: {name: nginx-config, namespace: ambassador}
data:
  nginx.conf: |
    user nginx;
    worker_processes auto;
    error_log /var/log/nginx/error.log;
    pid /run/nginx.pid;
    include /usr/share/nginx/modules/*.conf;
    events {
        worker_connections 1024;
    }
    stream {
        server {
            listen     6379;
            proxy_pass stream_redis_backend;
        }
        upstream stream_redis_backend {
            server REDIS_HOST:REDIS_PORT;
        }
    }
---
apiVersion: v1
kind: Pod
metadata: {name: flask-ambassador, namespace: ambassador}
spec:
  initContainers:
  - name: init-nginx
    image: busybox:1.28
    command: ['sh', '-c', 'cp -L /config/nginx.conf /etc/nginx/nginx.conf && sed -i "s/REDIS_HOST/${REDIS_HOST}/g; s/REDIS_PORT/${REDIS_PORT}/g" /etc/nginx/nginx.conf']
    env:
      - name: REDIS_HOST
        valueFrom: {configMapKeyRef: {name: redis-config, key: host}}
      - name: REDIS_PORT
        valueFrom: {configMapKeyRef: {name: redis-config, key: port}}
    volumeMounts:
    - {mountPath: /etc/nginx, name: nginx-volume}
    - {mountPath: /config, name: config}
  containers:
  - name: flask-app
    image: timonel-test/flask-redis
  - name: nginx-ambassador
    image: nginx
    volumeMounts:
    - {mountPath: /etc/nginx, name: nginx-volume}
  volumes:
  - name: nginx-volume
    emptyDir: {}
  - name: config
    configMap: {name: nginx-config}
)")
                     .startsWith(u"<failed"_s));
        QVERIFY(podReady(u"redis"_s, u"ambassador"_s));
        QVERIFY(podReady(u"flask-ambassador"_s, u"ambassador"_s, 120));
        // The pod is ready once its containers run, before Flask listens; kubectl port-forward
        // gives up on its first refused connection, so forward once the app accepts one.
        QTRY_VERIFY_WITH_TIMEOUT(
            !ok({u"exec"_s, u"flask-ambassador"_s, u"-n"_s, u"ambassador"_s, u"-c"_s,
                 u"flask-app"_s, u"--"_s, u"python3"_s, u"-c"_s,
                 u"import socket; socket.create_connection(('127.0.0.1', 5000))"_s})
                 .startsWith(u"<failed"_s),
            60000);
        const PortForward forward =
            portForward({u"-n"_s, u"ambassador"_s, u"pod/flask-ambassador"_s, u":5000"_s});
        QVERIFY2(forward.port, qPrintable(forward.error));
        QTRY_VERIFY_WITH_TIMEOUT(httpGet(forward.port).contains("WCSO! Visitado el "), 20000);
        // Each visit answers with the time the previous one left in Redis.
        const QString stored = ok({u"exec"_s, u"redis"_s, u"-n"_s, u"ambassador"_s, u"--"_s,
                                   u"redis-cli"_s, u"get"_s, u"ultima_visita"_s})
                                   .trimmed();
        QVERIFY2(!stored.isEmpty() && !stored.startsWith(u"<failed"_s), qPrintable(stored));
        const QByteArray second = httpGet(forward.port);
        QVERIFY2(second.endsWith("WCSO! Visitado el " + stored.toUtf8() + ".\n"),
                 second.constData());
    }

    void dockercoinsShowsProgressThroughItsLoadBalancer()
    {
        makeNamespace(u"coins"_s);
        const QString manifest = qEnvironmentVariable("TIMONEL_SOURCE_DIR") +
                                 u"/resources/dockercoins/dockercoins.yaml"_s;
        QVERIFY(!ok({u"apply"_s, u"-n"_s, u"coins"_s, u"-f"_s, manifest}).startsWith(u"<failed"_s));
        for (const QString &name : {u"redis"_s, u"rng"_s, u"hasher"_s, u"worker"_s, u"webui"_s})
            QVERIFY2(rolloutDone(u"coins"_s, u"deployment/"_s + name), qPrintable(name));
        QVERIFY(waitFor({u"get"_s, u"service"_s, u"webui"_s, u"-n"_s, u"coins"_s},
                        u"{.status.loadBalancer.ingress[0].ip}"_s, uR"(^127\.\d+\.\d+\.\d+$)"_s,
                        30));
        const QString address = ok({u"get"_s, u"service"_s, u"webui"_s, u"-n"_s, u"coins"_s,
                                    u"-o"_s, u"jsonpath={.status.loadBalancer.ingress[0].ip}"_s});
        auto hashes = [&] {
            const QByteArray reply = httpGet(address, 80, "/json");
            return QJsonDocument::fromJson(reply.mid(reply.indexOf("\r\n\r\n") + 4))
                .object()
                .value(u"hashes"_s)
                .toInteger(-1);
        };
        // The worker mines through rng and hasher, found by their Service names.
        qint64 first = -1;
        QTRY_VERIFY_WITH_TIMEOUT((first = hashes()) > 0, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(hashes() > first, 20000);
        QVERIFY(httpGet(address, 80).startsWith("HTTP/1.1 200"));
    }

    void ingressRoutesByHostAndPath()
    {
        // The built-in controller's own LoadBalancer address, which served Ingresses show.
        QVERIFY(waitFor({u"get"_s, u"service"_s, u"timonel-ingress"_s, u"-n"_s, u"kube-system"_s},
                        u"{.status.loadBalancer.ingress[0].ip}"_s, uR"(^127\.\d+\.\d+\.\d+$)"_s,
                        30));
        const QString address =
            ok({u"get"_s, u"service"_s, u"timonel-ingress"_s, u"-n"_s, u"kube-system"_s, u"-o"_s,
                u"jsonpath={.status.loadBalancer.ingress[0].ip}"_s});
        QVERIFY(poll({u"get"_s, u"ingressclass"_s},
                     uR"(^timonel\s+timonel\.dev/ingress-controller)"_s, 10));
        // No ingressClassName: `timonel` is the default class.
        QVERIFY(!apply(u"ingress.yaml"_s, R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: coins, namespace: coins}
spec:
  rules:
  - host: rng.coins.test
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: rng, port: {number: 80}}}}]
  - host: hasher.coins.test
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: hasher, port: {number: 80}}}}]
  - host: coins.test
    http:
      paths:
      - {path: /json, pathType: Exact, backend: {service: {name: webui, port: {number: 80}}}}
)")
                     .startsWith(u"<failed"_s));
        QVERIFY(waitFor({u"get"_s, u"ingress"_s, u"coins"_s, u"-n"_s, u"coins"_s},
                        u"{.status.loadBalancer.ingress[0].ip}"_s,
                        u"^"_s + QRegularExpression::escape(address) + u"$"_s, 30));
        auto get = [&](const QByteArray &host, const QByteArray &path) {
            QTcpSocket socket;
            socket.connectToHost(address, 80);
            if (!socket.waitForConnected(5000))
                return QByteArray();
            socket.write("GET " + path + " HTTP/1.1\r\nHost: " + host +
                         "\r\nConnection: close\r\n\r\n");
            QByteArray reply;
            QDeadlineTimer deadline(10000);
            while (socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired())
                if (socket.waitForReadyRead(200))
                    reply += socket.readAll();
            return reply + socket.readAll();
        };
        QTRY_VERIFY_WITH_TIMEOUT(get("rng.coins.test", "/").contains("RNG running on"), 20000);
        QVERIFY(get("hasher.coins.test", "/").contains("HASHER running on"));
        QVERIFY(get("coins.test", "/json").contains("\"hashes\""));
        // Exact: /json/more is not /json; and a host no rule names has no backend.
        QVERIFY(get("coins.test", "/json/more").startsWith("HTTP/1.1 404"));
        QVERIFY(get("elsewhere.test", "/").startsWith("HTTP/1.1 404"));
    }

    void ingressTerminatesTlsWithTheSecretsCertificate()
    {
        // A self-signed certificate for one host, in a kubernetes.io/tls Secret.
        const QString cert = m_dir.filePath(u"tls.crt"_s);
        const QString key = m_dir.filePath(u"tls.key"_s);
        const test::Run made =
            test::run(u"openssl"_s, {u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s,
                                     u"-days"_s, u"2"_s, u"-subj"_s, u"/CN=secure.coins.test"_s,
                                     u"-addext"_s, u"subjectAltName=DNS:secure.coins.test"_s,
                                     u"-keyout"_s, key, u"-out"_s, cert});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        QCOMPARE(ok({u"create"_s, u"secret"_s, u"tls"_s, u"coins-tls"_s, u"-n"_s, u"coins"_s,
                     u"--cert"_s, cert, u"--key"_s, key}),
                 u"secret/coins-tls created\n"_s);
        QVERIFY(!apply(u"ingress-tls.yaml"_s, R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: coins-tls, namespace: coins}
spec:
  ingressClassName: timonel
  tls: [{hosts: [secure.coins.test], secretName: coins-tls}]
  rules:
  - host: secure.coins.test
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: rng, port: {number: 80}}}}]
)")
                     .startsWith(u"<failed"_s));
        const QString address =
            ok({u"get"_s, u"service"_s, u"timonel-ingress"_s, u"-n"_s, u"kube-system"_s, u"-o"_s,
                u"jsonpath={.status.loadBalancer.ingress[0].ip}"_s});
        QFile certFile(cert);
        QVERIFY(certFile.open(QIODevice::ReadOnly));
        const QSslCertificate expected(certFile.readAll());
        // Verified against that certificate alone, for the name sent in SNI; tried again until
        // the controller has loaded the Secret (before, it serves its fake default certificate).
        auto get = [&]() -> QByteArray {
            QSslSocket socket;
            QSslConfiguration tls = socket.sslConfiguration();
            tls.setCaCertificates({expected});
            socket.setSslConfiguration(tls);
            socket.connectToHostEncrypted(address, 443, u"secure.coins.test"_s);
            if (!socket.waitForEncrypted(5000))
                return socket.errorString().toUtf8();
            socket.write("GET / HTTP/1.1\r\nHost: secure.coins.test\r\nConnection: close\r\n\r\n");
            QByteArray reply;
            for (QDeadlineTimer deadline(10000);
                 socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired();)
                if (socket.waitForReadyRead(200))
                    reply += socket.readAll();
            return reply + socket.readAll();
        };
        QByteArray reply;
        QTRY_VERIFY2_WITH_TIMEOUT((reply = get()).contains("RNG running on"), reply.constData(),
                                  20000);
    }
};

QTEST_GUILESS_MAIN(TestNetworking)
#include "tst_networking.moc"
