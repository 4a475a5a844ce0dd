#include "apiserver/printers.h"
#include "apiserver/tableconvertor.h"
#include "core/schema.h"
#include "core/yaml.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace timonel;
using apiserver::TableConvertor;

namespace {

// Every case is evaluated at this instant; timestamps in the objects are relative to it.
const QDateTime now = QDateTime(QDate(2024, 6, 1), QTime(12, 0), QTimeZone::UTC);

QJsonObject object(const QByteArray &yaml)
{
    const auto parsed = core::parseYaml(yaml);
    if (!parsed)
        qFatal("bad test YAML: %s", qPrintable(parsed.error().message));
    return parsed->toObject();
}

// Cells compare as JSON text, so that 1 and "1" differ and a failure shows both values.
QString json(const QJsonValue &v)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact));
}

QJsonValue print(const QString &printer, const QJsonObject &o)
{
    const apiserver::PrinterFunction f = apiserver::printerFunction(printer);
    return f ? f(o, now) : QJsonValue(u"no printer %1"_s.arg(printer));
}

const core::ResourceInfo &resource(const QString &group, const QString &kind)
{
    const core::ResourceInfo *r =
        core::SchemaRegistry::builtIn().resourceForKind(group, u"v1", kind);
    if (!r)
        qFatal("no built-in kind %s", qPrintable(kind));
    return *r;
}

} // namespace

class TestTableConvertor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void humanDurationMatchesKubernetes_data()
    {
        QTest::addColumn<qint64>("seconds");
        QTest::addColumn<QString>("text");
        const qint64 m = 60, h = 3600, d = 86400;
        QTest::newRow("clock skew of a second") << qint64(-1) << "0s";
        QTest::newRow("in the future") << qint64(-2) << "<invalid>";
        QTest::newRow("now") << qint64(0) << "0s";
        QTest::newRow("seconds below two minutes") << qint64(119) << "119s";
        QTest::newRow("two minutes") << 2 * m << "2m";
        QTest::newRow("minutes and seconds") << 2 * m + 5 << "2m5s";
        QTest::newRow("just under ten minutes") << 10 * m - 1 << "9m59s";
        QTest::newRow("ten minutes drop seconds") << 10 * m + 30 << "10m";
        QTest::newRow("minutes up to three hours") << 3 * h - 1 << "179m";
        QTest::newRow("three hours") << 3 * h << "3h";
        QTest::newRow("hours and minutes") << 3 * h + 30 * m << "3h30m";
        QTest::newRow("eight hours drop minutes") << 8 * h + 59 * m << "8h";
        QTest::newRow("hours up to two days") << 47 * h << "47h";
        QTest::newRow("two days") << 2 * d << "2d";
        QTest::newRow("days and hours") << 2 * d + 2 * h << "2d2h";
        QTest::newRow("eight days drop hours") << 8 * d + 5 * h << "8d";
        QTest::newRow("days up to two years") << 729 * d << "729d";
        QTest::newRow("two years") << 730 * d << "2y";
        QTest::newRow("years and days") << 731 * d << "2y1d";
        QTest::newRow("eight years drop days") << 8 * 365 * d + 40 * d << "8y";
    }
    void humanDurationMatchesKubernetes()
    {
        QFETCH(qint64, seconds);
        QFETCH(QString, text);
        QCOMPARE(apiserver::humanDuration(seconds), text);
    }

    void podColumnsFollowPrintPod_data()
    {
        QTest::addColumn<QByteArray>("pod");
        QTest::addColumn<QString>("ready");
        QTest::addColumn<QString>("status");
        QTest::addColumn<QString>("restarts");
        const QByteArray oneContainer = "spec: {containers: [{name: app}]}\n";
        QTest::newRow("pending without statuses") << oneContainer + "status: {phase: Pending}"
                                                  << "0/1"
                                                  << "Pending"
                                                  << "0";
        QTest::newRow("running and ready")
            << oneContainer +
                   "status: {phase: Running, containerStatuses: [{name: app, ready: true,"
                   " restartCount: 0, state: {running: {}}}]}"
            << "1/1"
            << "Running"
            << "0";
        QTest::newRow("running but not ready")
            << oneContainer +
                   "status: {phase: Running, containerStatuses: [{name: app, ready: false,"
                   " state: {running: {}}}]}"
            << "0/1"
            << "Running"
            << "0";
        QTest::newRow("waiting reason")
            << oneContainer + "status: {phase: Pending, containerStatuses: [{name: app,"
                              " state: {waiting: {reason: ContainerCreating}}}]}"
            << "0/1"
            << "ContainerCreating"
            << "0";
        QTest::newRow("crash loop with the last restart's age")
            << oneContainer +
                   "status: {phase: Running, containerStatuses: [{name: app, restartCount: 3,"
                   " state: {waiting: {reason: CrashLoopBackOff}}, lastState: {terminated:"
                   " {exitCode: 1, finishedAt: '2024-06-01T11:55:00Z'}}}]}"
            << "0/1"
            << "CrashLoopBackOff"
            << "3 (5m ago)";
        QTest::newRow("restarts without a finish time")
            << oneContainer +
                   "status: {phase: Running, containerStatuses: [{name: app, restartCount: 2,"
                   " ready: true, state: {running: {}}}]}"
            << "1/1"
            << "Running"
            << "2";
        QTest::newRow("terminated without reason gives the exit code")
            << oneContainer + "status: {phase: Running, containerStatuses: [{name: app,"
                              " state: {terminated: {exitCode: 137}}}]}"
            << "0/1"
            << "ExitCode:137"
            << "0";
        QTest::newRow("terminated by a signal")
            << oneContainer + "status: {phase: Running, containerStatuses: [{name: app,"
                              " state: {terminated: {exitCode: 137, signal: 9}}}]}"
            << "0/1"
            << "Signal:9"
            << "0";
        QTest::newRow("succeeded")
            << oneContainer + "status: {phase: Succeeded, containerStatuses: [{name: app,"
                              " state: {terminated: {exitCode: 0, reason: Completed}}}]}"
            << "0/1"
            << "Completed"
            << "0";
        QTest::newRow("status reason wins over the phase")
            << oneContainer + "status: {phase: Failed, reason: Evicted}"
            << "0/1"
            << "Evicted"
            << "0";
        QTest::newRow("scheduling gated")
            << oneContainer + "status: {phase: Pending, conditions: [{type: PodScheduled,"
                              " status: 'False', reason: SchedulingGated}]}"
            << "0/1"
            << "SchedulingGated"
            << "0";
        const QByteArray twoContainers = "spec: {containers: [{name: a}, {name: b}]}\n";
        const QByteArray oneDone = "containerStatuses: [{name: a, state: {terminated: {exitCode: 0,"
                                   " reason: Completed}}}, {name: b, ready: true,"
                                   " state: {running: {}}}]";
        QTest::newRow("completed container beside a running one, pod ready")
            << twoContainers +
                   "status: {phase: Running, conditions: [{type: Ready, status: 'True'}], " +
                   oneDone + "}"
            << "1/2"
            << "Running"
            << "0";
        QTest::newRow("completed container beside a running one, pod not ready")
            << twoContainers + "status: {phase: Running, " + oneDone + "}"
            << "1/2"
            << "NotReady"
            << "0";
        QTest::newRow("the first container's reason wins")
            << twoContainers + "status: {phase: Pending, containerStatuses: ["
                               "{name: a, state: {waiting: {reason: ErrImagePull}}},"
                               "{name: b, state: {waiting: {reason: ContainerCreating}}}]}"
            << "0/2"
            << "ErrImagePull"
            << "0";
        const QByteArray withInit =
            "spec: {initContainers: [{name: init}], containers: [{name: app}]}\n";
        QTest::newRow("init container starting")
            << withInit + "status: {phase: Pending, initContainerStatuses: [{name: init,"
                          " state: {waiting: {reason: PodInitializing}}}]}"
            << "0/1"
            << "Init:0/1"
            << "0";
        QTest::newRow("init container running")
            << withInit + "status: {phase: Pending, initContainerStatuses: [{name: init,"
                          " state: {running: {}}}], containerStatuses: [{name: app,"
                          " state: {waiting: {reason: PodInitializing}}}]}"
            << "0/1"
            << "Init:0/1"
            << "0";
        QTest::newRow("init container crash loop counts its restarts")
            << withInit +
                   "status: {phase: Pending, initContainerStatuses: [{name: init, restartCount: 4,"
                   " state: {waiting: {reason: CrashLoopBackOff}}, lastState: {terminated:"
                   " {exitCode: 1, finishedAt: '2024-06-01T11:58:30Z'}}}],"
                   " containerStatuses: [{name: app, restartCount: 7,"
                   " state: {waiting: {reason: PodInitializing}}}]}"
            << "0/1"
            << "Init:CrashLoopBackOff"
            << "4 (90s ago)";
        QTest::newRow("init container failed")
            << withInit + "status: {phase: Pending, initContainerStatuses: [{name: init,"
                          " state: {terminated: {exitCode: 1, reason: Error}}}]}"
            << "0/1"
            << "Init:Error"
            << "0";
        QTest::newRow("init container exit code")
            << withInit + "status: {phase: Pending, initContainerStatuses: [{name: init,"
                          " state: {terminated: {exitCode: 2}}}]}"
            << "0/1"
            << "Init:ExitCode:2"
            << "0";
        QTest::newRow("init container signal")
            << withInit + "status: {phase: Pending, initContainerStatuses: [{name: init,"
                          " state: {terminated: {exitCode: 2, signal: 15}}}]}"
            << "0/1"
            << "Init:Signal:15"
            << "0";
        QTest::newRow("second of two init containers")
            << QByteArray(
                   "spec: {initContainers: [{name: i1}, {name: i2}], containers: [{name: app}]}\n"
                   "status: {phase: Pending, initContainerStatuses: [{name: i1, restartCount: 1,"
                   " state: {terminated: {exitCode: 0, reason: Completed}}}, {name: i2,"
                   " state: {running: {}}}]}")
            << "0/1"
            << "Init:1/2"
            << "1";
        QTest::newRow("finished init containers no longer count restarts")
            << withInit +
                   "status: {phase: Running, initContainerStatuses: [{name: init, restartCount: 2,"
                   " state: {terminated: {exitCode: 0, reason: Completed}}}],"
                   " containerStatuses: [{name: app, ready: true, state: {running: {}}}]}"
            << "1/1"
            << "Running"
            << "0";
        const QByteArray withSidecar = "spec: {initContainers: [{name: side, restartPolicy: "
                                       "Always}], containers: [{name: app}]}\n";
        QTest::newRow("sidecar counts as a container")
            << withSidecar +
                   "status: {phase: Running, conditions: [{type: Initialized, status: 'True'}],"
                   " initContainerStatuses: [{name: side, started: true, ready: true,"
                   " restartCount: 2, state: {running: {}}, lastState: {terminated:"
                   " {exitCode: 1, finishedAt: '2024-06-01T11:50:00Z'}}}],"
                   " containerStatuses: [{name: app, ready: true, restartCount: 1,"
                   " state: {running: {}}, lastState: {terminated: {exitCode: 1,"
                   " finishedAt: '2024-06-01T11:57:00Z'}}}]}"
            << "2/2"
            << "Running"
            << "3 (3m ago)";
        QTest::newRow("sidecar not started yet holds initialization")
            << withSidecar + "status: {phase: Pending, initContainerStatuses: [{name: side,"
                             " started: false, state: {running: {}}}]}"
            << "0/2"
            << "Init:0/1"
            << "0";
        QTest::newRow("terminating")
            << "metadata: {deletionTimestamp: '2024-06-01T11:59:00Z'}\n" + oneContainer +
                   "status: {phase: Running, containerStatuses: [{name: app, ready: true,"
                   " state: {running: {}}}]}"
            << "1/1"
            << "Terminating"
            << "0";
        QTest::newRow("deleted on a lost node")
            << "metadata: {deletionTimestamp: '2024-06-01T11:59:00Z'}\n" + oneContainer +
                   "status: {phase: Running, reason: NodeLost}"
            << "0/1"
            << "Unknown"
            << "0";
        QTest::newRow("deleting a finished pod keeps its status")
            << "metadata: {deletionTimestamp: '2024-06-01T11:59:00Z'}\n" + oneContainer +
                   "status: {phase: Succeeded, containerStatuses: [{name: app,"
                   " state: {terminated: {exitCode: 0, reason: Completed}}}]}"
            << "0/1"
            << "Completed"
            << "0";
    }
    void podColumnsFollowPrintPod()
    {
        QFETCH(QByteArray, pod);
        QFETCH(QString, ready);
        QFETCH(QString, status);
        QFETCH(QString, restarts);
        const QJsonObject o = object(pod);
        QCOMPARE(json(print(u"podReady"_s, o)), json(ready));
        QCOMPARE(json(print(u"podStatus"_s, o)), json(status));
        QCOMPARE(json(print(u"podRestarts"_s, o)), json(restarts));
    }

    void printersGiveKubectlCells_data()
    {
        QTest::addColumn<QString>("printer");
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QJsonValue>("cell");
        auto row = [](const char *name, const char *printer, const char *yaml, QJsonValue cell) {
            QTest::newRow(name) << QString::fromLatin1(printer) << QByteArray(yaml) << cell;
        };
        // Pods
        row("pod ip", "podIp", "status: {podIPs: [{ip: 10.244.0.5}, {ip: 'fd00::5'}]}",
            u"10.244.0.5"_s);
        row("pod without ip", "podIp", "status: {}", u"<none>"_s);
        row("pod node", "podNode", "spec: {nodeName: w1}", u"w1"_s);
        row("pod without node", "podNode", "spec: {}", u"<none>"_s);
        row("nominated node", "podNominatedNode", "status: {}", u"<none>"_s);
        row("readiness gates", "podReadinessGates",
            "spec: {readinessGates: [{conditionType: a}, {conditionType: b}]}\n"
            "status: {conditions: [{type: a, status: 'True'}, {type: b, status: 'False'}]}",
            u"1/2"_s);
        row("no readiness gates", "podReadinessGates", "spec: {}", u"<none>"_s);
        row("pod template labels", "podTemplateLabels",
            "template: {metadata: {labels: {z: '1', app: web}}}", u"app=web,z=1"_s);
        // Workloads
        row("deployment ready", "deploymentReady",
            "spec: {replicas: 3}\nstatus: {readyReplicas: 2}", u"2/3"_s);
        row("deployment without status", "deploymentReady", "spec: {replicas: 3}", u"0/3"_s);
        row("deployment replicas default to 1", "deploymentReady", "spec: {}", u"0/1"_s);
        row("statefulset ready", "statefulSetReady",
            "spec: {replicas: 2}\nstatus: {readyReplicas: 2}", u"2/2"_s);
        row("deployment selector", "deploymentSelector",
            "spec: {selector: {matchLabels: {tier: web, app: x}, matchExpressions: [{key: env,"
            " operator: In, values: [prod, dev]}, {key: canary, operator: DoesNotExist},"
            " {key: b, operator: Exists}]}}",
            u"app=x,b,!canary,env in (dev,prod),tier=web"_s);
        row("empty deployment selector", "deploymentSelector", "spec: {selector: {}}", u""_s);
        row("invalid deployment selector", "deploymentSelector",
            "spec: {selector: {matchExpressions: [{key: a, operator: Bad}]}}", u"<invalid>"_s);
        row("spec selector", "specSelector",
            "spec: {selector: {matchExpressions: [{key: a, operator: NotIn, values: [y, x]}]}}",
            u"a notin (x,y)"_s);
        row("missing spec selector", "specSelector", "spec: {}", u"<none>"_s);
        row("invalid spec selector", "specSelector",
            "spec: {selector: {matchLabels: {'bad key!': x}}}", u"<error>"_s);
        row("daemonset node selector", "daemonSetNodeSelector",
            "spec: {template: {spec: {nodeSelector: {disk: ssd, a: b}}}}", u"a=b,disk=ssd"_s);
        row("daemonset without node selector", "daemonSetNodeSelector", "spec: {}", u"<none>"_s);
        row("rc selector", "replicationControllerSelector", "spec: {selector: {app: x}}",
            u"app=x"_s);
        row("revision of a statefulset", "controllerRevisionController",
            "metadata: {ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: web,"
            " controller: true}]}",
            u"statefulset.apps/web"_s);
        row("revision owned by a core kind", "controllerRevisionController",
            "metadata: {ownerReferences: [{apiVersion: v1, kind: Pod, name: p, controller: false},"
            " {apiVersion: v1, kind: ReplicationController, name: r, controller: true}]}",
            u"replicationcontroller/r"_s);
        row("revision without controller", "controllerRevisionController", "metadata: {}",
            u"<none>"_s);
        row("hpa reference", "hpaReference",
            "spec: {scaleTargetRef: {kind: Deployment, name: web}}", u"Deployment/web"_s);
        row("hpa targets", "hpaTargets",
            "spec: {targetCPUUtilizationPercentage: 50}\nstatus: {currentCPUUtilizationPercentage: "
            "12}",
            u"cpu: 12%/50%"_s);
        row("hpa targets before metrics", "hpaTargets", "spec: {}", u"cpu: <unknown>/80%"_s);
        row("hpa min pods", "hpaMinPods", "spec: {minReplicas: 2}", u"2"_s);
        row("hpa min pods unset", "hpaMinPods", "spec: {}", u"<unset>"_s);
        row("pdb min available", "pdbMinAvailable", "spec: {minAvailable: 2}", u"2"_s);
        row("pdb percentage", "pdbMaxUnavailable", "spec: {maxUnavailable: 50%}", u"50%"_s);
        row("pdb unset", "pdbMaxUnavailable", "spec: {}", u"N/A"_s);
        // Jobs
        row("job complete", "jobStatus", "status: {conditions: [{type: Complete, status: 'True'}]}",
            u"Complete"_s);
        row("job failed", "jobStatus", "status: {conditions: [{type: Failed, status: 'True'}]}",
            u"Failed"_s);
        row("job terminating", "jobStatus",
            "metadata: {deletionTimestamp: '2024-06-01T11:00:00Z'}\n"
            "status: {conditions: [{type: Suspended, status: 'True'}]}",
            u"Terminating"_s);
        row("job suspended", "jobStatus",
            "status: {conditions: [{type: Suspended, status: 'True'}]}", u"Suspended"_s);
        row("job failure target", "jobStatus",
            "status: {conditions: [{type: FailureTarget, status: 'True'}]}", u"FailureTarget"_s);
        row("job only first condition of a type counts", "jobStatus",
            "status: {conditions: [{type: Complete, status: 'False'}, {type: Complete, status: "
            "'True'}]}",
            u"Running"_s);
        row("job running", "jobStatus", "status: {}", u"Running"_s);
        row("job completions", "jobCompletions", "spec: {completions: 3}\nstatus: {succeeded: 1}",
            u"1/3"_s);
        row("job parallel without completions", "jobCompletions",
            "spec: {parallelism: 4}\nstatus: {succeeded: 2}", u"2/1 of 4"_s);
        row("job single", "jobCompletions", "spec: {parallelism: 1}", u"0/1"_s);
        row("job duration finished", "jobDuration",
            "status: {startTime: '2024-06-01T10:00:00Z', completionTime: '2024-06-01T10:00:42Z'}",
            u"42s"_s);
        row("job duration running", "jobDuration", "status: {startTime: '2024-06-01T11:30:00Z'}",
            u"30m"_s);
        row("job not started", "jobDuration", "status: {}", u""_s);
        row("cronjob time zone", "cronJobTimeZone", "spec: {timeZone: Etc/UTC}", u"Etc/UTC"_s);
        row("cronjob without time zone", "cronJobTimeZone", "spec: {}", u"<none>"_s);
        row("cronjob suspended", "cronJobSuspend", "spec: {suspend: true}", u"True"_s);
        row("cronjob not suspended", "cronJobSuspend", "spec: {suspend: false}", u"False"_s);
        row("cronjob suspend unset", "cronJobSuspend", "spec: {}", u"<unset>"_s);
        row("cronjob active", "cronJobActive", "status: {active: [{name: a}, {name: b}]}", 2);
        row("cronjob none active", "cronJobActive", "status: {}", 0);
        row("cronjob last schedule", "cronJobLastSchedule",
            "status: {lastScheduleTime: '2024-06-01T11:59:00Z'}", u"60s"_s);
        row("cronjob never scheduled", "cronJobLastSchedule", "status: {}", u"<none>"_s);
        row("cronjob selector", "cronJobSelector",
            "spec: {jobTemplate: {spec: {selector: {matchLabels: {a: b}}}}}", u"a=b"_s);
        // Services and networking
        row("cluster ip", "serviceClusterIp", "spec: {clusterIPs: [10.96.0.10, 'fd00::a']}",
            u"10.96.0.10"_s);
        row("headless", "serviceClusterIp", "spec: {clusterIP: None, clusterIPs: [None]}",
            u"None"_s);
        row("no cluster ip", "serviceClusterIp", "spec: {type: ExternalName}", u"<none>"_s);
        row("cluster ip service external ip", "serviceExternalIp", "spec: {type: ClusterIP}",
            u"<none>"_s);
        row("node port external ips", "serviceExternalIp",
            "spec: {type: NodePort, externalIPs: [1.2.3.4, 5.6.7.8]}", u"1.2.3.4,5.6.7.8"_s);
        row("load balancer pending", "serviceExternalIp", "spec: {type: LoadBalancer}",
            u"<pending>"_s);
        row("load balancer ingress", "serviceExternalIp",
            "spec: {type: LoadBalancer, externalIPs: [9.9.9.9]}\nstatus: {loadBalancer: {ingress:"
            " [{ip: 172.18.0.20}, {hostname: lb.example.com}, {ip: 172.18.0.20}, {ip: "
            "172.18.0.3}]}}",
            u"172.18.0.20,172.18.0.3,lb.example.com,9.9.9.9"_s);
        row("external name", "serviceExternalIp",
            "spec: {type: ExternalName, externalName: db.example.com}", u"db.example.com"_s);
        row("unknown service type", "serviceExternalIp", "spec: {}", u"<unknown>"_s);
        row("ports", "servicePorts",
            "spec: {ports: [{port: 80, protocol: TCP}, {port: 443, nodePort: 30443, protocol: TCP},"
            " {port: 53, protocol: UDP}]}",
            u"80/TCP,443:30443/TCP,53/UDP"_s);
        row("no ports", "servicePorts", "spec: {}", u"<none>"_s);
        row("service selector", "serviceSelector", "spec: {selector: {app: web}}", u"app=web"_s);
        row("service without selector", "serviceSelector", "spec: {}", u"<none>"_s);
        row("endpoints", "endpointsAddresses",
            "subsets: [{addresses: [{ip: 10.0.0.1}, {ip: 'fd00::1'}], ports: [{port: 80}]}]",
            u"10.0.0.1:80,[fd00::1]:80"_s);
        row("endpoints beyond three", "endpointsAddresses",
            "subsets: [{addresses: [{ip: 10.0.0.1}, {ip: 10.0.0.2}], ports: [{port: 80}, {port: "
            "81}]}]",
            u"10.0.0.1:80,10.0.0.2:80,10.0.0.1:81 + 1 more..."_s);
        row("headless endpoints without ports", "endpointsAddresses",
            "subsets: [{addresses: [{ip: 10.0.0.1}]}]", u"10.0.0.1"_s);
        row("no endpoints", "endpointsAddresses", "subsets: []", u"<none>"_s);
        row("endpointslice ports", "endpointSlicePorts",
            "ports: [{port: 80}, {name: http}, {}, {port: 9}, {port: 10}]",
            u"80,http,* + 2 more..."_s);
        row("endpointslice without ports", "endpointSlicePorts", "{}", u"<unset>"_s);
        row("endpointslice endpoints", "endpointSliceEndpoints",
            "endpoints: [{addresses: [10.0.0.1]}, {addresses: [10.0.0.2, 10.0.0.3]}, {addresses: "
            "[10.0.0.4]}]",
            u"10.0.0.1,10.0.0.2,10.0.0.3 + 1 more..."_s);
        row("endpointslice without endpoints", "endpointSliceEndpoints", "endpoints: []",
            u"<unset>"_s);
        row("ingress class", "ingressClass", "spec: {ingressClassName: nginx}", u"nginx"_s);
        row("ingress without class", "ingressClass", "spec: {}", u"<none>"_s);
        row("ingress hosts", "ingressHosts", "spec: {rules: [{host: a.com}, {}, {host: b.com}]}",
            u"a.com,b.com"_s);
        row("ingress more hosts", "ingressHosts",
            "spec: {rules: [{host: a}, {host: b}, {host: c}, {host: d}, {host: e}]}",
            u"a,b,c + 2 more..."_s);
        row("ingress without hosts", "ingressHosts", "spec: {rules: [{}]}", u"*"_s);
        row("ingress address", "ingressAddress",
            "status: {loadBalancer: {ingress: [{ip: 10.0.0.9}, {hostname: ingress.example.com}]}}",
            u"10.0.0.9,ingress.example.com"_s);
        row("ingress without address", "ingressAddress", "status: {}", u""_s);
        row("ingress tls ports", "ingressPorts", "spec: {tls: [{hosts: [a]}]}", u"80, 443"_s);
        row("ingress ports", "ingressPorts", "spec: {}", u"80"_s);
        row("ingress class parameters", "ingressClassParameters",
            "spec: {parameters: {apiGroup: k8s.example.com, kind: Params, name: p}}",
            u"Params.k8s.example.com/p"_s);
        row("ingress class core parameters", "ingressClassParameters",
            "spec: {parameters: {kind: ConfigMap, name: p}}", u"ConfigMap/p"_s);
        row("ingress class without parameters", "ingressClassParameters", "spec: {}", u"<none>"_s);
        row("network policy selector", "networkPolicyPodSelector",
            "spec: {podSelector: {matchLabels: {app: db}}}", u"app=db"_s);
        row("network policy for every pod", "networkPolicyPodSelector", "spec: {podSelector: {}}",
            u"<none>"_s);
        // Nodes
        row("node ready", "nodeStatus", "status: {conditions: [{type: Ready, status: 'True'}]}",
            u"Ready"_s);
        row("node not ready", "nodeStatus",
            "status: {conditions: [{type: MemoryPressure, status: 'True'}, {type: Ready, status: "
            "Unknown}]}",
            u"NotReady"_s);
        row("node cordoned", "nodeStatus",
            "spec: {unschedulable: true}\nstatus: {conditions: [{type: Ready, status: 'True'}]}",
            u"Ready,SchedulingDisabled"_s);
        row("node without conditions", "nodeStatus", "status: {}", u"Unknown"_s);
        row("node roles", "nodeRoles",
            "metadata: {labels: {node-role.kubernetes.io/control-plane: '', kubernetes.io/role: "
            "infra,"
            " node-role.kubernetes.io/: x, node-role.kubernetes.io/infra: ''}}",
            u"control-plane,infra"_s);
        row("node without roles", "nodeRoles", "metadata: {labels: {kubernetes.io/role: ''}}",
            u"<none>"_s);
        row("node internal ip", "nodeInternalIp",
            "status: {addresses: [{type: Hostname, address: w1}, {type: InternalIP, address: "
            "172.18.0.2}]}",
            u"172.18.0.2"_s);
        row("node without external ip", "nodeExternalIp", "status: {addresses: []}", u"<none>"_s);
        row("node os image", "nodeOsImage", "status: {nodeInfo: {osImage: Debian GNU/Linux 13}}",
            u"Debian GNU/Linux 13"_s);
        row("node unknown kernel", "nodeKernelVersion", "status: {nodeInfo: {}}", u"<unknown>"_s);
        row("node runtime", "nodeContainerRuntime",
            "status: {nodeInfo: {containerRuntimeVersion: 'docker://27.5.1'}}",
            u"docker://27.5.1"_s);
        // Configuration
        row("configmap data", "configMapData", "data: {a: '1', b: '2'}\nbinaryData: {c: AA==}", 3);
        row("empty configmap", "configMapData", "{}", 0);
        row("secret data", "secretData", "data: {a: YQ==}", 1);
        row("service account secrets", "serviceAccountSecrets", "secrets: [{name: s}]", 1);
        // Events
        row("event last seen", "eventLastSeen",
            "firstTimestamp: '2024-06-01T11:00:00Z'\nlastTimestamp: '2024-06-01T11:58:00Z'",
            u"2m"_s);
        row("event last seen from first", "eventLastSeen", "firstTimestamp: '2024-06-01T11:00:00Z'",
            u"60m"_s);
        row("event last seen of a series", "eventLastSeen",
            "lastTimestamp: '2024-06-01T11:00:00Z'\nseries: {count: 4, lastObservedTime: "
            "'2024-06-01T11:59:50.123456Z'}",
            u"9s"_s);
        row("event first seen from event time", "eventFirstSeen",
            "eventTime: '2024-06-01T11:59:30.000001Z'", u"29s"_s);
        row("event time with an offset", "eventFirstSeen",
            "firstTimestamp: '2024-06-01T13:59:00+02:00'", u"60s"_s);
        row("event without times", "eventFirstSeen", "{}", u"<unknown>"_s);
        row("event object", "eventObject", "involvedObject: {kind: Deployment, name: d}",
            u"deployment/d"_s);
        row("event object without name", "eventObject", "involvedObject: {kind: Node}", u"node"_s);
        row("event source", "eventSource", "source: {component: kubelet, host: w1}",
            u"kubelet, w1"_s);
        row("event source from reporting fields", "eventSource",
            "source: {}\nreportingComponent: default-scheduler", u"default-scheduler"_s);
        row("event message", "eventMessage", "message: \"  Pulled image\\n\"", u"Pulled image"_s);
        row("event count", "eventCount", "count: 5", 5);
        row("singleton event count", "eventCount", "{}", 1);
        row("event series count", "eventCount", "count: 5\nseries: {count: 7}", 7);
        row("events.k8s.io object", "eventV1Object", "regarding: {kind: Pod, name: web-1}",
            u"pod/web-1"_s);
        row("events.k8s.io source", "eventV1Source",
            "reportingController: kubelet\nreportingInstance: w2", u"kubelet, w2"_s);
        row("events.k8s.io message", "eventV1Message", "note: ' Started '", u"Started"_s);
        row("events.k8s.io count", "eventV1Count", "deprecatedCount: 2", 2);
        row("events.k8s.io last seen", "eventV1LastSeen",
            "deprecatedFirstTimestamp: '2024-06-01T11:00:00Z'", u"60m"_s);
        row("events.k8s.io first seen", "eventV1FirstSeen", "eventTime: '2024-06-01T11:59:00.5Z'",
            u"59s"_s);
        // Volumes
        row("pv capacity", "persistentVolumeCapacity", "spec: {capacity: {storage: 1024Mi}}",
            u"1Gi"_s);
        row("pv without capacity", "persistentVolumeCapacity", "spec: {}", u"0"_s);
        row("pv access modes", "persistentVolumeAccessModes",
            "spec: {accessModes: [ReadWriteOncePod, ReadWriteMany, ReadWriteOnce, ReadWriteOnce]}",
            u"RWO,RWX,RWOP"_s);
        row("pv status", "persistentVolumeStatus", "status: {phase: Bound}", u"Bound"_s);
        row("pv terminating", "persistentVolumeStatus",
            "metadata: {deletionTimestamp: '2024-06-01T11:00:00Z'}\nstatus: {phase: Bound}",
            u"Terminating"_s);
        row("pv claim", "persistentVolumeClaim", "spec: {claimRef: {namespace: ns, name: data}}",
            u"ns/data"_s);
        row("pv unclaimed", "persistentVolumeClaim", "spec: {}", u""_s);
        row("pv storage class annotation wins", "persistentVolumeStorageClass",
            "metadata: {annotations: {volume.beta.kubernetes.io/storage-class: old}}\n"
            "spec: {storageClassName: standard}",
            u"old"_s);
        row("pv storage class", "persistentVolumeStorageClass",
            "spec: {storageClassName: standard}", u"standard"_s);
        row("pv attributes class", "persistentVolumeAttributesClass", "spec: {}", u"<unset>"_s);
        row("pv mode", "persistentVolumeMode", "spec: {volumeMode: Filesystem}", u"Filesystem"_s);
        row("pvc bound capacity", "persistentVolumeClaimCapacity",
            "spec: {volumeName: pv1}\nstatus: {capacity: {storage: '1000'}}", u"1k"_s);
        row("pvc unbound capacity", "persistentVolumeClaimCapacity",
            "status: {capacity: {storage: 1Gi}}", u""_s);
        row("pvc access modes", "persistentVolumeClaimAccessModes",
            "spec: {volumeName: pv1}\nstatus: {accessModes: [ReadOnlyMany]}", u"ROX"_s);
        row("pvc storage class unset", "persistentVolumeClaimStorageClass", "spec: {}", u""_s);
        row("pvc mode unset", "persistentVolumeClaimMode", "spec: {}", u"<unset>"_s);
        row("pvc status", "persistentVolumeClaimStatus", "status: {phase: Pending}", u"Pending"_s);
        row("storage class", "storageClassName", "metadata: {name: standard}", u"standard"_s);
        row("default storage class", "storageClassName",
            "metadata: {name: standard, annotations: {storageclass.kubernetes.io/is-default-class: "
            "'true'}}",
            u"standard (default)"_s);
        row("storage class expansion", "storageClassAllowVolumeExpansion",
            "allowVolumeExpansion: true", true);
        row("storage class expansion unset", "storageClassAllowVolumeExpansion", "{}", false);
        row("csi token requests", "csiDriverTokenRequests",
            "spec: {tokenRequests: [{audience: a}, {audience: b}]}", u"a,b"_s);
        row("csi empty token requests", "csiDriverTokenRequests", "spec: {tokenRequests: []}",
            u""_s);
        row("csi token requests unset", "csiDriverTokenRequests", "spec: {}", u"<unset>"_s);
        row("csi modes", "csiDriverModes", "spec: {volumeLifecycleModes: [Persistent, Ephemeral]}",
            u"Persistent,Ephemeral"_s);
        row("csi without modes", "csiDriverModes", "spec: {}", u"<none>"_s);
        // Quotas and component health
        row("quota requests", "resourceQuotaRequest",
            "status: {hard: {pods: '10', requests.cpu: '1', limits.memory: 1Gi},"
            " used: {requests.cpu: 500m}}",
            u"pods: 0/10, requests.cpu: 500m/1"_s);
        row("quota limits", "resourceQuotaLimit",
            "status: {hard: {limits.memory: 1Gi, limits.cpu: '2'}, used: {limits.memory: 512Mi}}",
            u"limits.cpu: 0/2, limits.memory: 512Mi/1Gi"_s);
        row("component healthy", "componentStatusStatus",
            "conditions: [{type: Healthy, status: 'True', message: ok}]", u"Healthy"_s);
        row("component unhealthy", "componentStatusStatus",
            "conditions: [{type: Healthy, status: 'False'}]", u"Unhealthy"_s);
        row("component unknown", "componentStatusStatus", "{}", u"Unknown"_s);
        row("component message", "componentStatusMessage",
            "conditions: [{type: Healthy, status: 'True', message: ok}]", u"ok"_s);
        row("component error", "componentStatusError",
            "conditions: [{type: Healthy, status: 'False', error: refused}]", u"refused"_s);
    }
    void printersGiveKubectlCells()
    {
        QFETCH(QString, printer);
        QFETCH(QByteArray, yaml);
        QFETCH(QJsonValue, cell);
        QCOMPARE(json(print(printer, object(yaml))), json(cell));
    }

    void everyBuiltInColumnIsServed()
    {
        int columns = 0;
        for (const core::ResourceInfo *r : core::SchemaRegistry::builtIn().resources()) {
            for (const core::TableColumn &c : r->columns) {
                QVERIFY2(TableConvertor::hasPrinter(c.expression),
                         qPrintable(u"%1 column %2: %3"_s.arg(r->kind, c.name, c.expression)));
                ++columns;
            }
        }
        QVERIFY(columns > 100);
        QVERIFY(!TableConvertor::hasPrinter(u"noSuchPrinter"_s));
        QVERIFY(apiserver::printerFunction(u"noSuchPrinter") == nullptr);
    }

    void jsonPathCellsPrintTheFieldsZeroValue_data()
    {
        QTest::addColumn<QString>("group");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("cells");
        QTest::newRow("deployment without status")
            << "apps"
            << "Deployment"
            << QByteArray(
                   "metadata: {name: web, creationTimestamp: '2024-06-01T11:00:00Z'}\n"
                   "spec: {replicas: 3, selector: {matchLabels: {app: web}}, template:"
                   " {spec: {containers: [{name: a, image: nginx}, {name: b, image: busybox}]}}}")
            << R"(["web","0/3",0,0,"60m","a,b","nginx,busybox","app=web"])";
        QTest::newRow("replicaset counters")
            << "apps"
            << "ReplicaSet"
            << QByteArray("metadata: {name: rs}\nspec: {replicas: 2}\nstatus: {replicas: 2}")
            << R"(["rs",2,2,0,"<unknown>","","","<none>"])";
        QTest::newRow("lease without holder")
            << "coordination.k8s.io"
            << "Lease"
            << QByteArray(
                   "metadata: {name: l, creationTimestamp: '2024-06-01T11:59:58Z'}\nspec: {}")
            << R"(["l","","2s"])";
        QTest::newRow("controller revision number")
            << "apps"
            << "ControllerRevision" << QByteArray("metadata: {name: web-1}\nrevision: 4")
            << R"(["web-1","<none>",4,"<unknown>"])";
        QTest::newRow("csi driver defaults")
            << "storage.k8s.io"
            << "CSIDriver" << QByteArray("metadata: {name: d}\nspec: {}")
            << R"(["d",true,false,false,"<unset>",false,"<none>","<unknown>"])";
        QTest::newRow("hpa replicas")
            << "autoscaling"
            << "HorizontalPodAutoscaler"
            << QByteArray("metadata: {name: h}\nspec: {maxReplicas: 5, scaleTargetRef: {kind: "
                          "Deployment, name: web}}")
            << R"(["h","Deployment/web","cpu: <unknown>/80%","<unset>",5,0,"<unknown>"])";
    }
    void jsonPathCellsPrintTheFieldsZeroValue()
    {
        QFETCH(QString, group);
        QFETCH(QString, kind);
        QFETCH(QByteArray, yaml);
        QFETCH(QString, cells);
        const TableConvertor tables(now);
        const QJsonObject row =
            tables.row(resource(group, kind), object(yaml), apiserver::TableRowObject::None);
        QCOMPARE(QString::fromUtf8(
                     QJsonDocument(row.value(u"cells").toArray()).toJson(QJsonDocument::Compact)),
                 cells);
    }

    void finishedPodRowsAreCompleted_data()
    {
        QTest::addColumn<QString>("phase");
        QTest::addColumn<QString>("conditions");
        QTest::newRow("succeeded")
            << "Succeeded"
            << R"([{"message":"The pod has completed successfully.","reason":"Succeeded","status":"True","type":"Completed"}])";
        QTest::newRow("failed")
            << "Failed"
            << R"([{"message":"The pod failed.","reason":"Failed","status":"True","type":"Completed"}])";
        QTest::newRow("running") << "Running"
                                 << "";
    }
    void finishedPodRowsAreCompleted()
    {
        QFETCH(QString, phase);
        QFETCH(QString, conditions);
        const TableConvertor tables(now);
        const QJsonObject pod{{u"metadata"_s, QJsonObject{{u"name"_s, u"p"_s}}},
                              {u"status"_s, QJsonObject{{u"phase"_s, phase}}}};
        const QJsonObject row =
            tables.row(resource({}, u"Pod"_s), pod, apiserver::TableRowObject::None);
        const QJsonValue actual = row.value(u"conditions");
        QCOMPARE(
            actual.isUndefined()
                ? QString()
                : QString::fromUtf8(QJsonDocument(actual.toArray()).toJson(QJsonDocument::Compact)),
            conditions);
    }

    void storageClassNameColumnIsTheNameColumn()
    {
        const TableConvertor tables(now);
        const QJsonArray defs =
            tables.columnDefinitions(resource(u"storage.k8s.io"_s, u"StorageClass"_s));
        QCOMPARE(defs.first()[u"name"].toString(), u"Name"_s);
        QCOMPARE(defs.first()[u"format"].toString(), u"name"_s);
        QCOMPARE(defs[1][u"format"].toString(), u""_s);
    }
};

QTEST_GUILESS_MAIN(TestTableConvertor)
#include "tst_tableconvertor.moc"
