// Workloads on a real Timonel cluster (one control plane, three workers), judged by the real
// kubectl: the seeds' pod scenarios (kubectl run, logs, exec, port-forward, probes, init
// containers, multi-container patterns, a bad image) and the workload controllers.
#include "testsupport.h"

#include <QDeadlineTimer>
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

class TestWorkloads : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_cluster = u"work-"_s + QUuid::createUuid().toString(QUuid::Id128).left(6);

    QString kubeconfig() const { return m_dir.filePath(u"kubeconfig"_s); }
    QMap<QString, QString> env() const
    {
        return {{u"KUBECONFIG"_s, kubeconfig()}, {u"KUBECACHEDIR"_s, m_dir.filePath(u"cache"_s)}};
    }
    Run timonel(const QStringList &args) const
    {
        return test::run(test::binary(u"timonel"_s), args, env(), 300000);
    }
    QStringList contextArgs() const { return {u"--context"_s, u"timonel-"_s + m_cluster}; }
    Run kubectl(const QStringList &args, int timeoutMs = 60000) const
    {
        return test::run(u"kubectl"_s, contextArgs() + args, env(), timeoutMs);
    }
    QString ok(const QStringList &args, int timeoutMs = 60000)
    {
        const Run r = kubectl(args, timeoutMs);
        if (r.exitCode != 0)
            qWarning().noquote() << "kubectl" << args.join(u' ') << "failed:" << r.err;
        return r.exitCode == 0 ? r.out : u"<failed: "_s + r.err + u'>';
    }
    QString apply(const QString &name, const QByteArray &manifest)
    {
        QFile f(m_dir.filePath(name));
        if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            f.write(manifest);
        f.close();
        return ok({u"apply"_s, u"-f"_s, f.fileName()});
    }
    QJsonObject json(const QStringList &args)
    {
        return QJsonDocument::fromJson(ok(args + QStringList{u"-o"_s, u"json"_s}).toUtf8()).object();
    }
    // Runs kubectl until its output matches `pattern`, or gives up after `seconds`.
    bool poll(const QStringList &args, const QString &pattern, int seconds = 90)
    {
        const QRegularExpression re(pattern, QRegularExpression::MultilineOption);
        QDeadlineTimer deadline(seconds * 1000);
        QString last;
        while (!deadline.hasExpired()) {
            const Run r = kubectl(args);
            last = r.out + r.err;
            if (r.exitCode == 0 && re.match(r.out).hasMatch())
                return true;
            QTest::qWait(300);
        }
        qWarning().noquote() << "gave up waiting for" << args.join(u' ') << "to match"
                             << pattern << "- last:" << last;
        return false;
    }
    bool waitFor(const QStringList &getArgs, const QString &jsonpath, const QString &pattern,
                 int seconds = 90)
    {
        return poll(getArgs + QStringList{u"-o"_s, u"jsonpath="_s + jsonpath}, pattern, seconds);
    }
    bool podReady(const QString &pod, const QString &ns, int seconds = 90)
    {
        return waitFor({u"get"_s, u"pod"_s, pod, u"-n"_s, ns},
                       u"{.status.conditions[?(@.type==\"Ready\")].status}"_s, u"^True$"_s,
                       seconds);
    }
    void makeNamespace(const QString &ns)
    {
        QCOMPARE(ok({u"create"_s, u"namespace"_s, ns}), u"namespace/%1 created\n"_s.arg(ns));
    }
    static QByteArray httpGet(quint16 port, const QByteArray &path = "/")
    {
        QTcpSocket socket;
        socket.connectToHost(u"127.0.0.1"_s, port);
        if (!socket.waitForConnected(5000))
            return {};
        socket.write("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        QByteArray reply;
        QDeadlineTimer deadline(10000);
        while (socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired())
            if (socket.waitForReadyRead(200))
                reply += socket.readAll();
        return reply + socket.readAll();
    }

private Q_SLOTS:
    void initTestCase()
    {
        TIMONEL_REQUIRE_DOCKER();
        QVERIFY(m_dir.isValid());
        QVERIFY2(!QStandardPaths::findExecutable(u"kubectl"_s).isEmpty(),
                 "kubectl is the judge and must be on PATH");
        for (const char *image : {"nginx", "shell"}) {
            auto built = test::testImage(QString::fromLatin1(image));
            QVERIFY2(built, test::errorOf(built).constData());
        }
        QFile config(m_dir.filePath(u"cluster.yaml"_s));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n"
                     "- role: control-plane\n- role: worker\n- role: worker\n- role: worker\n");
        config.close();
        const Run created = timonel({u"create"_s, u"cluster"_s, u"--name"_s, m_cluster,
                                     u"--config"_s, config.fileName()});
        QVERIFY2(created.exitCode == 0, qPrintable(created.err));
        // Every node registers and is Ready.
        QDeadlineTimer deadline(60000);
        QString nodes;
        while (!deadline.hasExpired()) {
            nodes = kubectl({u"get"_s, u"nodes"_s, u"--no-headers"_s}).out;
            if (nodes.count(u" Ready "_s) == 4)
                break;
            QTest::qWait(300);
        }
        QVERIFY2(nodes.count(u" Ready "_s) == 4, qPrintable(nodes));
    }

    void cleanupTestCase()
    {
        if (m_dir.isValid())
            timonel({u"delete"_s, u"cluster"_s, u"--name"_s, m_cluster});
        QCOMPARE(test::dockerObjectsOf(m_cluster), 0);
    }

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
        const QJsonObject lease = json({u"get"_s, u"lease"_s, m_cluster + u"-worker"_s, u"-n"_s,
                                        u"kube-node-lease"_s});
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
        const Run failing = kubectl({u"exec"_s, u"web"_s, u"-n"_s, u"run"_s, u"--"_s, u"sh"_s,
                                     u"-c"_s, u"exit 3"_s});
        QCOMPARE(failing.exitCode, 3);
        QVERIFY2(failing.err.contains(u"command terminated with exit code 3"_s),
                 qPrintable(failing.err));

        QProcess forward;
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        for (auto [k, v] : env().asKeyValueRange())
            e.insert(k, v);
        forward.setProcessEnvironment(e);
        forward.start(u"kubectl"_s,
                      contextArgs() + QStringList{u"port-forward"_s, u"-n"_s, u"run"_s,
                                                  u"pod/web"_s, u":80"_s});
        QTRY_VERIFY_WITH_TIMEOUT(forward.canReadLine() || forward.state() != QProcess::Running,
                                 20000);
        const QString line = QString::fromUtf8(forward.readLine());
        const auto match = QRegularExpression(uR"(Forwarding from 127\.0\.0\.1:(\d+) -> 80)"_s)
                               .match(line);
        QVERIFY2(match.hasMatch(), qPrintable(line + QString::fromUtf8(forward.readAllStandardError())));
        const QByteArray page = httpGet(match.captured(1).toUShort());
        forward.terminate();
        forward.waitForFinished(5000);
        QVERIFY2(page.startsWith("HTTP/1.1 200") && page.contains("Welcome to nginx!"),
                 page.constData());
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
)").contains(u"pod/nginx created"_s));
        QVERIFY(podReady(u"nginx"_s, u"probes"_s));
        ok({u"exec"_s, u"nginx"_s, u"-n"_s, u"probes"_s, u"--"_s, u"rm"_s, u"-rf"_s,
            u"/usr/share/nginx/html/index.html"_s});
        // Three failures 3 s apart, then a new container whose image has the page again.
        QVERIFY(waitFor({u"get"_s, u"pod"_s, u"nginx"_s, u"-n"_s, u"probes"_s},
                        u"{.status.containerStatuses[0].restartCount}"_s, u"^[1-9]"_s, 60));
        QVERIFY(podReady(u"nginx"_s, u"probes"_s));
        const QString table = ok({u"get"_s, u"pod"_s, u"nginx"_s, u"-n"_s, u"probes"_s});
        QVERIFY2(QRegularExpression(uR"(nginx\s+1/1\s+Running\s+1 \(\d+s ago\))"_s).match(table).hasMatch(),
                 qPrintable(table));
        const QString describe = ok({u"describe"_s, u"pod"_s, u"nginx"_s, u"-n"_s, u"probes"_s});
        QVERIFY2(describe.contains(u"Liveness probe failed: HTTP probe failed with statuscode: 404"_s),
                 qPrintable(describe));
        QVERIFY2(describe.contains(u"Container nginx failed liveness probe, will be restarted"_s),
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
)").contains(u"pod/origin created"_s));
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
)").arg(origin).toUtf8()).contains(u"pod/nginx created"_s));
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
)").arg(*flask, *redis).toUtf8()).contains(u"pod/flask-sidecar created"_s));
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

    void badImageShowsImagePullBackOff()
    {
        makeNamespace(u"badimage"_s);
        // A registry on loopback that refuses: the pull fails without leaving the machine.
        QCOMPARE(ok({u"run"_s, u"broken"_s, u"--image=127.0.0.1:1/nope:1"_s, u"-n"_s,
                     u"badimage"_s}),
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
};

QTEST_GUILESS_MAIN(TestWorkloads)
#include "tst_workloads.moc"
