// Workloads on a real Timonel cluster (one control plane, three workers), judged by the real
// kubectl: the seeds' pod scenarios (kubectl run, logs, exec, port-forward, probes, init
// containers, multi-container patterns, a bad image) and the workload controllers.
#include "clustertestbase.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QUuid>

using namespace timonel;
using test::Run;
using namespace Qt::StringLiterals;

class TestWorkloads : public test::ClusterTestBase
{
    Q_OBJECT

public:
    TestWorkloads() : ClusterTestBase(u"work"_s) {}

private Q_SLOTS:
    void initTestCase() { createCluster(3); }
    void cleanupTestCase() { deleteCluster(); }

    void nodesShowRolesTaintsAndAddresses()
    {
        const QString wide = ok({u"get"_s, u"nodes"_s, u"-o"_s, u"wide"_s});
        const QRegularExpression controlPlane(
            uR"(^%1-control-plane\s+Ready\s+control-plane\s+\S+\s+v1\.32\.0-timonel\S*\s+10\.\d+\.0\.\d+\s+<none>\s+Timonel node)"_s
                .arg(m_cluster),
            QRegularExpression::MultilineOption);
        QVERIFY2(controlPlane.match(wide).hasMatch(), qPrintable(wide));
        const QJsonObject node = json({u"get"_s, u"node"_s, m_cluster + u"-control-plane"_s});
        QCOMPARE(node["spec"]["taints"][0]["key"].toString(),
                 u"node-role.kubernetes.io/control-plane"_s);
        const QJsonObject worker = json({u"get"_s, u"node"_s, m_cluster + u"-worker"_s});
        QVERIFY(worker["spec"]["podCIDR"].toString().endsWith(u".0/24"_s));
        QVERIFY(!worker["status"]["allocatable"]["memory"].toString().isEmpty());
        const QJsonObject lease =
            json({u"get"_s, u"lease"_s, m_cluster + u"-worker"_s, u"-n"_s, u"kube-node-lease"_s});
        QCOMPARE(lease["spec"]["holderIdentity"].toString(), m_cluster + u"-worker"_s);
    }

    void kubectlRunLogsExecAndPortForward()
    {
        makeNamespace(u"run"_s);
        QCOMPARE(ok({u"run"_s, u"web"_s, u"--image=nginx"_s, u"-n"_s, u"run"_s}),
                 u"pod/web created\n"_s);
        QVERIFY(podReady(u"web"_s, u"run"_s));
        const QJsonObject pod = json({u"get"_s, u"pod"_s, u"web"_s, u"-n"_s, u"run"_s});
        QVERIFY2(pod["spec"]["nodeName"].toString().contains(u"-worker"_s),
                 "control planes are tainted when there are workers");
        QVERIFY(pod["status"]["podIP"].toString().startsWith(u"10."_s));
        QCOMPARE(pod["status"]["phase"].toString(), u"Running"_s);
        const QString table = ok({u"get"_s, u"pod"_s, u"web"_s, u"-n"_s, u"run"_s});
        QVERIFY2(QRegularExpression(uR"(web\s+1/1\s+Running\s+0\s+\d+s)"_s).match(table).hasMatch(),
                 qPrintable(table));

        QVERIFY(ok({u"exec"_s, u"web"_s, u"-n"_s, u"run"_s, u"--"_s, u"cat"_s,
                    u"/usr/share/nginx/html/index.html"_s})
                    .contains(u"Welcome to nginx!"_s));
        const Run failing = kubectl(
            {u"exec"_s, u"web"_s, u"-n"_s, u"run"_s, u"--"_s, u"sh"_s, u"-c"_s, u"exit 3"_s});
        QCOMPARE(failing.exitCode, 3);
        QVERIFY2(failing.err.contains(u"command terminated with exit code 3"_s),
                 qPrintable(failing.err));

        {
            const PortForward forward = portForward({u"-n"_s, u"run"_s, u"pod/web"_s, u":80"_s});
            QVERIFY2(forward.port, qPrintable(forward.error));
            const QByteArray page = httpGet(forward.port);
            QVERIFY2(page.startsWith("HTTP/1.1 200") && page.contains("Welcome to nginx!"),
                     page.constData());
        }
        // nginx logs the request on its stdout.
        QVERIFY(poll({u"logs"_s, u"web"_s, u"-n"_s, u"run"_s}, u"GET / HTTP/1.1"_s, 20));
    }

    void livenessProbeRestartsTheContainerWhenItsPageIsDeleted()
    {
        makeNamespace(u"probes"_s);
        QVERIFY(apply(u"probes.yaml"_s, R"(apiVersion: v1
kind: Pod
metadata:
  name: nginx
  namespace: probes
spec:
  containers:
  - name: nginx
    image: nginx
    startupProbe:
      exec:
        command: [cat, /usr/share/nginx/html/index.html]
      failureThreshold: 30
      periodSeconds: 10
    readinessProbe:
      httpGet: {path: /, port: 80}
      initialDelaySeconds: 5
      periodSeconds: 5
    livenessProbe:
      httpGet: {path: /, port: 80}
      initialDelaySeconds: 5
      periodSeconds: 3
  restartPolicy: Always
)")
                    .contains(u"pod/nginx created"_s));
        QVERIFY(podReady(u"nginx"_s, u"probes"_s));
        ok({u"exec"_s, u"nginx"_s, u"-n"_s, u"probes"_s, u"--"_s, u"rm"_s, u"-rf"_s,
            u"/usr/share/nginx/html/index.html"_s});
        // Three failures 3 s apart, then a new container whose image has the page again.
        QVERIFY(waitFor({u"get"_s, u"pod"_s, u"nginx"_s, u"-n"_s, u"probes"_s},
                        u"{.status.containerStatuses[0].restartCount}"_s, u"^[1-9]"_s, 60));
        QVERIFY(podReady(u"nginx"_s, u"probes"_s));
        const QString table = ok({u"get"_s, u"pod"_s, u"nginx"_s, u"-n"_s, u"probes"_s});
        QVERIFY2(QRegularExpression(uR"(nginx\s+1/1\s+Running\s+1 \(\d+s ago\))"_s)
                     .match(table)
                     .hasMatch(),
                 qPrintable(table));
        const QString describe = ok({u"describe"_s, u"pod"_s, u"nginx"_s, u"-n"_s, u"probes"_s});
        // nginx answers 403 for a directory without an index, as the official image does.
        QVERIFY2(
            describe.contains(u"Liveness probe failed: HTTP probe failed with statuscode: 403"_s),
            qPrintable(describe));
        QVERIFY2(describe.contains(u"Container nginx failed liveness probe, will be restarted"_s),
                 qPrintable(describe));
        // The probe as declared, with Kubernetes' defaults filled in.
        QVERIFY2(
            describe.contains(
                u"Liveness:       http-get http://:80/ delay=5s timeout=1s period=3s #success=1 #failure=3"_s),
            qPrintable(describe));
    }

    void initContainerPreparesTheServedPage()
    {
        makeNamespace(u"init"_s);
        // The seed fetches example.com; here another pod serves the page.
        QVERIFY(apply(u"origin.yaml"_s, R"(apiVersion: v1
kind: ConfigMap
metadata: {name: page, namespace: init}
data:
  index.html: "<h1>Example Domain</h1>\n"
---
apiVersion: v1
kind: Pod
metadata: {name: origin, namespace: init}
spec:
  containers:
  - name: nginx
    image: nginx
    volumeMounts: [{name: page, mountPath: /usr/share/nginx/html}]
  volumes:
  - name: page
    configMap: {name: page}
)")
                    .contains(u"pod/origin created"_s));
        QVERIFY(podReady(u"origin"_s, u"init"_s));
        const QString origin = ok({u"get"_s, u"pod"_s, u"origin"_s, u"-n"_s, u"init"_s, u"-o"_s,
                                   u"jsonpath={.status.podIP}"_s});
        QVERIFY(apply(u"init.yaml"_s, QStringLiteral(R"(apiVersion: v1
kind: Pod
metadata: {name: nginx, namespace: init}
spec:
  containers:
  - name: nginx-container
    image: nginx
    volumeMounts:
    - mountPath: /usr/share/nginx/html
      name: html-volume
  initContainers:
  - name: init-nginx
    image: busybox:1.28
    command: ['sh', '-c', 'mkdir -p /usr/share/nginx/html && sleep 2 && curl -sf -o /usr/share/nginx/html/index.html http://%1/']
    volumeMounts:
    - mountPath: /usr/share/nginx/html
      name: html-volume
  volumes:
  - name: html-volume
    emptyDir: {}
)")
                                          .arg(origin)
                                          .toUtf8())
                    .contains(u"pod/nginx created"_s));
        QVERIFY(waitFor({u"get"_s, u"pod"_s, u"nginx"_s, u"-n"_s, u"init"_s},
                        u"{.status.initContainerStatuses[0].state.running.startedAt}"_s, u"."_s,
                        60));
        QVERIFY(poll({u"get"_s, u"pod"_s, u"nginx"_s, u"-n"_s, u"init"_s},
                     uR"(nginx\s+0/1\s+Init:0/1)"_s, 5));
        QVERIFY(podReady(u"nginx"_s, u"init"_s));
        QCOMPARE(ok({u"exec"_s, u"nginx"_s, u"-n"_s, u"init"_s, u"--"_s, u"cat"_s,
                     u"/usr/share/nginx/html/index.html"_s}),
                 u"<h1>Example Domain</h1>\n"_s);
    }

    void sidecarServesASecretAndAdapterRewritesLogs()
    {
        makeNamespace(u"patterns"_s);
        auto flask = test::testImage(u"flask-redis-secret"_s);
        auto redis = test::testImage(u"redis-secret"_s);
        QVERIFY2(flask && redis, "the sidecar images are built by packaging/dev images");
        QVERIFY(apply(u"sidecar.yaml"_s, QStringLiteral(R"(apiVersion: v1
kind: Secret
metadata: {name: redis-secret, namespace: patterns}
data:
  redis-secret: U0VUIHNlY3JldCBmb29iYXIK
---
apiVersion: v1
kind: Pod
metadata: {name: flask-sidecar, namespace: patterns}
spec:
  containers:
  - name: flask-app
    image: %1
  - name: redis-sidecar
    image: %2
    volumeMounts:
    - mountPath: /redis-master
      name: secret
  volumes:
  - name: secret
    secret:
      secretName: redis-secret
      items:
      - key: redis-secret
        path: init.redis
---
apiVersion: v1
kind: Pod
metadata: {name: app-adapter, namespace: patterns}
spec:
  volumes:
  - name: logs
    emptyDir: {}
  containers:
  - name: app-container
    image: ubuntu
    command: ["/bin/bash"]
    args: ["-c", "while true; do echo 'This is a log line' >> /var/log/app.log; sleep 2;done"]
    volumeMounts:
    - name: logs
      mountPath: /var/log
  - name: log-adapter
    image: ubuntu
    command: ["/bin/bash"]
    args: ["-c", "apt update -y && apt install -y moreutils && tail -f /var/log/app.log | ts '[%Y-%m-%d %H:%M:%S]' > /var/log/out.log"]
    volumeMounts:
    - name: logs
      mountPath: /var/log
)")
                                             .arg(*flask, *redis)
                                             .toUtf8())
                    .contains(u"pod/flask-sidecar created"_s));
        QVERIFY(podReady(u"flask-sidecar"_s, u"patterns"_s));
        // The redis sidecar loads the secret a few seconds after it starts.
        QVERIFY(poll({u"exec"_s, u"flask-sidecar"_s, u"-n"_s, u"patterns"_s, u"-c"_s,
                      u"flask-app"_s, u"--"_s, u"curl"_s, u"-s"_s, u"localhost:5000"_s},
                     u"Hi there! The secret is foobar."_s, 60));
        QVERIFY(podReady(u"app-adapter"_s, u"patterns"_s));
        QVERIFY(poll({u"exec"_s, u"app-adapter"_s, u"-n"_s, u"patterns"_s, u"-c"_s,
                      u"log-adapter"_s, u"--"_s, u"cat"_s, u"/var/log/out.log"_s},
                     uR"(^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] This is a log line$)"_s, 30));
    }

    void deploymentSpreadsScalesRollsOutAndRollsBack()
    {
        makeNamespace(u"deploy"_s);
        QCOMPARE(ok({u"create"_s, u"deployment"_s, u"web"_s, u"--image=nginx:1.14.2"_s,
                     u"--replicas=3"_s, u"-n"_s, u"deploy"_s}),
                 u"deployment.apps/web created\n"_s);
        QVERIFY(rolloutDone(u"deploy"_s, u"deployment/web"_s));
        const QMap<QString, QString> placed = nodesOf(u"deploy"_s, u"app=web"_s);
        QCOMPARE(placed.size(), 3);
        QCOMPARE(QSet<QString>(placed.begin(), placed.end()).size(), 3); // one per worker

        QCOMPARE(
            ok({u"scale"_s, u"deployment"_s, u"web"_s, u"--replicas=10"_s, u"-n"_s, u"deploy"_s}),
            u"deployment.apps/web scaled\n"_s);
        QVERIFY(rolloutDone(u"deploy"_s, u"deployment/web"_s));
        QVERIFY(waitFor({u"get"_s, u"deployment"_s, u"web"_s, u"-n"_s, u"deploy"_s},
                        u"{.status.readyReplicas}"_s, u"^10$"_s));
        ok({u"scale"_s, u"deployment"_s, u"web"_s, u"--replicas=3"_s, u"-n"_s, u"deploy"_s});
        QVERIFY(poll(
            {u"get"_s, u"pods"_s, u"-n"_s, u"deploy"_s, u"-l"_s, u"app=web"_s, u"--no-headers"_s},
            u"\\A(?:[^\\n]*Running[^\\n]*\\n){3}\\z"_s, 90));

        // An image change rolls out; at no time fewer than replicas - maxUnavailable (3 - 0,
        // rounded down from 25%) are available.
        QProcess watcher;
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        for (auto [k, v] : env().asKeyValueRange())
            e.insert(k, v);
        watcher.setProcessEnvironment(e);
        watcher.start(u"kubectl"_s,
                      contextArgs() +
                          QStringList{u"get"_s, u"deployment"_s, u"web"_s, u"-n"_s, u"deploy"_s,
                                      u"-w"_s, u"-o"_s,
                                      u"jsonpath={.status.availableReplicas}{\"\\n\"}"_s});
        QVERIFY(watcher.waitForStarted());
        QTest::qWait(500);
        ok({u"set"_s, u"image"_s, u"deployment/web"_s, u"nginx=nginx:latest"_s, u"-n"_s,
            u"deploy"_s});
        QVERIFY(rolloutDone(u"deploy"_s, u"deployment/web"_s));
        watcher.terminate();
        watcher.waitForFinished(5000);
        const QStringList available =
            QString::fromUtf8(watcher.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
        QVERIFY(!available.isEmpty());
        for (const QString &a : available)
            QVERIFY2(a.toInt() >= 3, qPrintable(available.join(u',')));
        QVERIFY(ok({u"rollout"_s, u"history"_s, u"deployment/web"_s, u"-n"_s, u"deploy"_s})
                    .contains(u"2 "_s));

        QCOMPARE(ok({u"rollout"_s, u"undo"_s, u"deployment/web"_s, u"-n"_s, u"deploy"_s}),
                 u"deployment.apps/web rolled back\n"_s);
        QVERIFY(rolloutDone(u"deploy"_s, u"deployment/web"_s));
        QCOMPARE(
            ok({u"get"_s, u"deployment"_s, u"web"_s, u"-n"_s, u"deploy"_s, u"-o"_s,
                u"jsonpath={.spec.template.spec.containers[0].image} {.metadata.annotations.deployment\\.kubernetes\\.io/revision}"_s}),
            u"nginx:1.14.2 3"_s);
        // Two ReplicaSets: the undo brought the first back rather than making a third.
        QCOMPARE(
            ok({u"get"_s, u"replicasets"_s, u"-n"_s, u"deploy"_s, u"--no-headers"_s}).count(u'\n'),
            2);
    }

    void statefulSetKeepsNamesAndVolumes()
    {
        makeNamespace(u"sts"_s);
        QVERIFY(apply(u"sts.yaml"_s, R"(apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: sts}
spec:
  serviceName: web
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: shell
        image: busybox:1.28
        command: [sh, -c, 'test -f /data/first || hostname > /data/first; sleep 3600']
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
)")
                    .contains(u"statefulset.apps/web created"_s));
        QVERIFY(podReady(u"web-0"_s, u"sts"_s, 120));
        QVERIFY(podReady(u"web-1"_s, u"sts"_s, 120));
        QVERIFY(poll({u"get"_s, u"pvc"_s, u"-n"_s, u"sts"_s},
                     uR"(data-web-0\s+Bound(?:.|\n)*data-web-1\s+Bound)"_s, 60));
        const QJsonObject first = json({u"get"_s, u"pod"_s, u"web-1"_s, u"-n"_s, u"sts"_s});
        const QString firstUid = first[u"metadata"_s][u"uid"_s].toString();
        ok({u"delete"_s, u"pod"_s, u"web-1"_s, u"-n"_s, u"sts"_s, u"--grace-period=1"_s});
        QVERIFY(
            poll({u"get"_s, u"pod"_s, u"web-1"_s, u"-n"_s, u"sts"_s, u"-o"_s,
                  u"jsonpath={.metadata.uid} {.status.conditions[?(@.type==\"Ready\")].status}"_s},
                 u"^(?!%1)\\S+ True$"_s.arg(firstUid), 120));
        // The same claim came back with the new pod: the file the first one wrote is there.
        QCOMPARE(
            ok({u"exec"_s, u"web-1"_s, u"-n"_s, u"sts"_s, u"--"_s, u"cat"_s, u"/data/first"_s}),
            u"web-1\n"_s);
    }

    void daemonSetRunsOnePodPerSchedulableNode()
    {
        makeNamespace(u"ds"_s);
        QVERIFY(apply(u"ds.yaml"_s, R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: ds}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - name: agent
        image: busybox:1.28
        command: [sleep, "3600"]
)")
                    .contains(u"daemonset.apps/agent created"_s));
        // The three workers; the tainted control plane is left out.
        if (!waitFor({u"get"_s, u"daemonset"_s, u"agent"_s, u"-n"_s, u"ds"_s},
                     u"{.status.desiredNumberScheduled} {.status.numberReady}"_s, u"^3 3$"_s, 120))
            QFAIL(qPrintable(diagnosis(u"ds"_s)));
        const QMap<QString, QString> placed = nodesOf(u"ds"_s, u"app=agent"_s);
        QCOMPARE(QSet<QString>(placed.begin(), placed.end()).size(), 3);
    }

    void jobRunsToCompletion()
    {
        makeNamespace(u"job"_s);
        QCOMPARE(ok({u"create"_s, u"job"_s, u"hello"_s, u"--image=busybox:1.28"_s, u"-n"_s,
                     u"job"_s, u"--"_s, u"sh"_s, u"-c"_s, u"echo hello from the job"_s}),
                 u"job.batch/hello created\n"_s);
        QVERIFY(ok({u"wait"_s, u"--for=condition=complete"_s, u"job/hello"_s, u"-n"_s, u"job"_s,
                    u"--timeout=120s"_s},
                   130000)
                    .contains(u"condition met"_s));
        QVERIFY(poll({u"get"_s, u"jobs"_s, u"-n"_s, u"job"_s}, uR"(hello\s+Complete\s+1/1)"_s, 10));
        QCOMPARE(ok({u"logs"_s, u"job/hello"_s, u"-n"_s, u"job"_s}), u"hello from the job\n"_s);
    }

    void memoryEmptyDirSurvivesAContainerRestart()
    {
        makeNamespace(u"memory"_s);
        // The first run leaves a file in the tmpfs and fails; the restarted container finds it.
        apply(u"memory.yaml"_s, R"(apiVersion: v1
kind: Pod
metadata: {name: cache, namespace: memory}
spec:
  containers:
  - name: c
    image: busybox:1.28
    command: ["sh", "-c", "if [ -f /cache/marker ]; then echo kept; sleep 3600; fi; touch /cache/marker; exit 1"]
    volumeMounts: [{name: cache, mountPath: /cache}]
  volumes:
  - {name: cache, emptyDir: {medium: Memory}}
)");
        QVERIFY(podReady(u"cache"_s, u"memory"_s, 60));
        QVERIFY(waitFor({u"get"_s, u"pod"_s, u"cache"_s, u"-n"_s, u"memory"_s},
                        u"{.status.containerStatuses[0].restartCount}"_s, u"^1$"_s, 30));
        QCOMPARE(ok({u"logs"_s, u"cache"_s, u"-n"_s, u"memory"_s}), u"kept\n"_s);
    }

    void dnsConfigShapesThePodsResolvConf()
    {
        makeNamespace(u"dns"_s);
        apply(u"dns.yaml"_s, R"(apiVersion: v1
kind: Pod
metadata: {name: custom, namespace: dns}
spec:
  dnsPolicy: "None"
  dnsConfig:
    nameservers: ["192.0.2.1"]
    searches: ["ns1.svc.cluster-domain.example", "my.dns.search.suffix"]
    options: [{name: ndots, value: "2"}, {name: edns0}]
  containers:
  - {name: c, image: busybox:1.28, command: ["sleep", "3600"]}
)");
        QVERIFY(podReady(u"custom"_s, u"dns"_s));
        QCOMPARE(ok({u"exec"_s, u"custom"_s, u"-n"_s, u"dns"_s, u"--"_s, u"cat"_s,
                     u"/etc/resolv.conf"_s}),
                 u"search ns1.svc.cluster-domain.example my.dns.search.suffix\n"
                 "nameserver 192.0.2.1\noptions ndots:2 edns0\n"_s);
    }

    void badImageShowsImagePullBackOff()
    {
        makeNamespace(u"badimage"_s);
        // A registry on loopback that refuses: the pull fails without leaving the machine.
        QCOMPARE(
            ok({u"run"_s, u"broken"_s, u"--image=127.0.0.1:1/nope:1"_s, u"-n"_s, u"badimage"_s}),
            u"pod/broken created\n"_s);
        QVERIFY(waitFor({u"get"_s, u"pod"_s, u"broken"_s, u"-n"_s, u"badimage"_s},
                        u"{.status.containerStatuses[0].state.waiting.reason}"_s,
                        u"^ImagePullBackOff$"_s, 60));
        const QString describe = ok({u"describe"_s, u"pod"_s, u"broken"_s, u"-n"_s, u"badimage"_s});
        QVERIFY2(describe.contains(u"Reason:       ImagePullBackOff"_s), qPrintable(describe));
        QVERIFY2(describe.contains(u"Failed to pull image \"127.0.0.1:1/nope:1\""_s),
                 qPrintable(describe));
        QVERIFY2(describe.contains(u"Back-off pulling image \"127.0.0.1:1/nope:1\""_s),
                 qPrintable(describe));
        const QString table = ok({u"get"_s, u"pod"_s, u"broken"_s, u"-n"_s, u"badimage"_s});
        QVERIFY2(table.contains(u"ImagePullBackOff"_s) || table.contains(u"ErrImagePull"_s),
                 qPrintable(table));
    }
    void topShowsPodAndNodeUsage()
    {
        // The pod of kubectlRunLogsExecAndPortForward; usage needs two samples of the node agents.
        QVERIFY(poll({u"top"_s, u"pod"_s, u"web"_s, u"-n"_s, u"run"_s},
                     uR"(^web\s+\d+m\s+\d+Mi\s*$)"_s, 90));
        QVERIFY(poll({u"top"_s, u"node"_s},
                     uR"(^%1-worker3\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%\s*$)"_s.arg(m_cluster), 60));
    }

    // Last: it takes a worker away.
    void stoppedWorkerGoesNotReadyAndItsPodsMove()
    {
        makeNamespace(u"failover"_s);
        ok({u"create"_s, u"deployment"_s, u"spread"_s, u"--image=nginx"_s, u"--replicas=3"_s,
            u"-n"_s, u"failover"_s});
        QVERIFY(rolloutDone(u"failover"_s, u"deployment/spread"_s));
        const QString victim = m_cluster + u"-worker2"_s;
        QVERIFY(docker::DockerClient().stopContainer(victim, 5));
        QElapsedTimer clock;
        clock.start();
        QVERIFY(poll({u"get"_s, u"node"_s, victim, u"--no-headers"_s}, uR"(\sNotReady\s)"_s, 60));
        // Three Running pods again, none on the stopped node.
        QDeadlineTimer deadline(90000);
        bool moved = false;
        while (!deadline.hasExpired() && !moved) {
            const QJsonObject list =
                json({u"get"_s, u"pods"_s, u"-n"_s, u"failover"_s, u"-l"_s, u"app=spread"_s});
            int running = 0;
            for (const QJsonValue &p : list["items"].toArray())
                running += p["spec"]["nodeName"] != victim &&
                           p["status"]["phase"] == u"Running"_s &&
                           !p["metadata"].toObject().contains(u"deletionTimestamp");
            moved = running == 3;
            if (!moved)
                QTest::qWait(500);
        }
        QVERIFY(moved);
        qInfo("pods back on other nodes %.1f s after the worker stopped", clock.elapsed() / 1000.0);
        // Its pod containers went with it.
        const QJsonArray left =
            docker::DockerClient()
                .listContainers(docker::labelFilter(u"io.timonel.pod.node"_s, victim), false)
                .value_or(QJsonArray());
        QCOMPARE(left.size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestWorkloads)
#include "tst_workloads.moc"
