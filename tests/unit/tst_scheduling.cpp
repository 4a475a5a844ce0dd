// The scheduler's decisions without an API server: requests, tolerations, node selector terms,
// each filter's verdict, where a pod goes among several nodes, and the FailedScheduling text
// Kubernetes writes when it goes nowhere.
#include "scheduler/schedulingplugins.h"

#include <QJsonDocument>
#include <QTest>

using namespace timonel::scheduler;
using namespace Qt::StringLiterals;

namespace {

QJsonValue json(const char *text)
{
    const QJsonDocument doc = QJsonDocument::fromJson(text);
    return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
}

QJsonObject node(const QString &name, const QString &cpu = u"4"_s, const QString &memory = u"8Gi"_s,
                 int pods = 110)
{
    return QJsonObject{
        {u"apiVersion"_s, u"v1"_s},
        {u"kind"_s, u"Node"_s},
        {u"metadata"_s,
         QJsonObject{{u"name"_s, name},
                     {u"labels"_s, QJsonObject{{u"kubernetes.io/hostname"_s, name}}}}},
        {u"spec"_s, QJsonObject()},
        {u"status"_s,
         QJsonObject{{u"allocatable"_s, QJsonObject{{u"cpu"_s, cpu},
                                                    {u"memory"_s, memory},
                                                    {u"pods"_s, QString::number(pods)}}},
                     {u"conditions"_s, QJsonArray{QJsonObject{{u"type"_s, u"Ready"_s},
                                                              {u"status"_s, u"True"_s}}}}}}};
}

QJsonObject edit(QJsonObject o, const QString &part, const QString &key, const QJsonValue &value)
{
    QJsonObject inner = o.value(part).toObject();
    inner.insert(key, value);
    o.insert(part, inner);
    return o;
}

QJsonObject withLabel(QJsonObject o, const QString &key, const QString &value)
{
    QJsonObject meta = o.value(u"metadata").toObject();
    QJsonObject labels = meta.value(u"labels").toObject();
    labels.insert(key, value);
    meta.insert(u"labels"_s, labels);
    o.insert(u"metadata"_s, meta);
    return o;
}

QJsonObject withTaint(QJsonObject n, const QString &key, const QString &value,
                      const QString &effect = u"NoSchedule"_s)
{
    QJsonArray taints = n.value(u"spec").toObject().value(u"taints").toArray();
    QJsonObject taint{{u"key"_s, key}, {u"effect"_s, effect}};
    if (!value.isEmpty())
        taint.insert(u"value"_s, value);
    taints.append(taint);
    return edit(n, u"spec"_s, u"taints"_s, taints);
}

QJsonObject controlPlane(const QString &name)
{
    return withTaint(withLabel(node(name), u"node-role.kubernetes.io/control-plane"_s, {}),
                     u"node-role.kubernetes.io/control-plane"_s, {});
}

QJsonObject pod(const QString &name, const QString &cpu = {}, const QString &memory = {})
{
    QJsonObject requests;
    if (!cpu.isEmpty())
        requests.insert(u"cpu"_s, cpu);
    if (!memory.isEmpty())
        requests.insert(u"memory"_s, memory);
    QJsonObject container{{u"name"_s, u"app"_s}, {u"image"_s, u"busybox"_s}};
    if (!requests.isEmpty())
        container.insert(u"resources"_s, QJsonObject{{u"requests"_s, requests}});
    return QJsonObject{{u"apiVersion"_s, u"v1"_s},
                       {u"kind"_s, u"Pod"_s},
                       {u"metadata"_s, QJsonObject{{u"name"_s, name},
                                                   {u"namespace"_s, u"default"_s},
                                                   {u"uid"_s, name + u"-uid"_s}}},
                       {u"spec"_s, QJsonObject{{u"containers"_s, QJsonArray{container}}}},
                       {u"status"_s, QJsonObject{{u"phase"_s, u"Running"_s}}}};
}

QJsonObject spec(const QJsonObject &p, const QString &key, const QJsonValue &value)
{
    return edit(p, u"spec"_s, key, value);
}

QJsonObject on(const QJsonObject &p, const QString &nodeName)
{
    return spec(p, u"nodeName"_s, nodeName);
}

QJsonObject ownedBy(QJsonObject p, const QString &uid)
{
    QJsonObject meta = p.value(u"metadata").toObject();
    meta.insert(u"ownerReferences"_s, QJsonArray{QJsonObject{{u"apiVersion"_s, u"apps/v1"_s},
                                                             {u"kind"_s, u"ReplicaSet"_s},
                                                             {u"name"_s, u"web"_s},
                                                             {u"uid"_s, uid},
                                                             {u"controller"_s, true}}});
    p.insert(u"metadata"_s, meta);
    return p;
}

Snapshot snapshotOf(const QJsonArray &nodes, const QJsonArray &pods = {})
{
    Snapshot s;
    for (const QJsonValue &n : nodes)
        s.nodes.append(NodeInfo::fromNode(n.toObject()));
    for (const QJsonValue &p : pods) {
        const PodInfo info = PodInfo::from(p.toObject());
        for (NodeInfo &n : s.nodes)
            if (n.name == info.nodeName)
                n.addPod(info);
    }
    return s;
}

const char *const tolerateControlPlane =
    R"([{"key":"node-role.kubernetes.io/control-plane","operator":"Exists","effect":"NoSchedule"}])";

} // namespace

class TestScheduling : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void podRequestsAreKubernetesEffectiveRequests_data()
    {
        QTest::addColumn<QJsonObject>("spec");
        QTest::addColumn<qint64>("milliCpu");
        QTest::addColumn<qint64>("memory");
        QTest::addColumn<qint64>("nonZeroMilliCpu");
        QTest::addColumn<qint64>("nonZeroMemory");
        const qint64 mi = 1024 * 1024;
        QTest::newRow("nothing requested: 100m and 200Mi for scoring")
            << json(R"({"containers":[{"name":"a"}]})").toObject() << 0LL << 0LL << 100LL
            << 200 * mi;
        QTest::newRow("containers add up")
            << json(
                   R"({"containers":[{"name":"a","resources":{"requests":{"cpu":"250m","memory":"64Mi"}}},
                                      {"name":"b","resources":{"requests":{"cpu":"1","memory":"1Gi"}}}]})")
                   .toObject()
            << 1250LL << 1088 * mi << 1250LL << 1088 * mi;
        QTest::newRow("a limit without a request requests the limit")
            << json(
                   R"({"containers":[{"name":"a","resources":{"limits":{"cpu":"2","memory":"1Gi"}}}]})")
                   .toObject()
            << 2000LL << 1024 * mi << 2000LL << 1024 * mi;
        QTest::newRow("the largest init container wins over the sum")
            << json(R"({"initContainers":[{"name":"i","resources":{"requests":{"cpu":"3"}}}],
                        "containers":[{"name":"a","resources":{"requests":{"cpu":"1","memory":"1Gi"}}}]})")
                   .toObject()
            << 3000LL << 1024 * mi << 3000LL << 1024 * mi;
        QTest::newRow("sidecars count with the containers and during later inits")
            << json(
                   R"({"initContainers":[{"name":"s","restartPolicy":"Always","resources":{"requests":{"cpu":"500m"}}},
                                          {"name":"i","resources":{"requests":{"cpu":"2"}}}],
                        "containers":[{"name":"a","resources":{"requests":{"cpu":"1"}}}]})")
                   .toObject()
            << 2500LL << 0LL << 2500LL << 400 * mi;
        QTest::newRow("overhead is added") << json(R"({"overhead":{"cpu":"100m","memory":"10Mi"},
                        "containers":[{"name":"a","resources":{"requests":{"cpu":"1","memory":"1Gi"}}}]})")
                                                  .toObject()
                                           << 1100LL << 1034 * mi << 1100LL << 1034 * mi;
    }
    void podRequestsAreKubernetesEffectiveRequests()
    {
        QFETCH(QJsonObject, spec);
        QFETCH(qint64, milliCpu);
        QFETCH(qint64, memory);
        QFETCH(qint64, nonZeroMilliCpu);
        QFETCH(qint64, nonZeroMemory);
        const QJsonObject p{{u"spec"_s, spec}};
        QCOMPARE(podRequests(p).milliCpu, milliCpu);
        QCOMPARE(podRequests(p).memory, memory);
        QCOMPARE(nonZeroPodRequests(p).milliCpu, nonZeroMilliCpu);
        QCOMPARE(nonZeroPodRequests(p).memory, nonZeroMemory);
    }

    void tolerationsTolerateTaints_data()
    {
        QTest::addColumn<QJsonObject>("toleration");
        QTest::addColumn<QJsonObject>("taint");
        QTest::addColumn<bool>("tolerates");
        const QJsonObject taint =
            json(R"({"key":"dedicated","value":"gpu","effect":"NoSchedule"})").toObject();
        QTest::newRow("Equal, same value")
            << json(R"({"key":"dedicated","operator":"Equal","value":"gpu"})").toObject() << taint
            << true;
        QTest::newRow("no operator means Equal")
            << json(R"({"key":"dedicated","value":"gpu"})").toObject() << taint << true;
        QTest::newRow("Equal, other value")
            << json(R"({"key":"dedicated","value":"db"})").toObject() << taint << false;
        QTest::newRow("Exists on the key")
            << json(R"({"key":"dedicated","operator":"Exists"})").toObject() << taint << true;
        QTest::newRow("other key")
            << json(R"({"key":"other","operator":"Exists"})").toObject() << taint << false;
        QTest::newRow("empty key with Exists tolerates all")
            << json(R"({"operator":"Exists"})").toObject() << taint << true;
        QTest::newRow("other effect")
            << json(R"({"key":"dedicated","operator":"Exists","effect":"NoExecute"})").toObject()
            << taint << false;
        QTest::newRow("same effect")
            << json(R"({"key":"dedicated","operator":"Exists","effect":"NoSchedule"})").toObject()
            << taint << true;
    }
    void tolerationsTolerateTaints()
    {
        QFETCH(QJsonObject, toleration);
        QFETCH(QJsonObject, taint);
        QFETCH(bool, tolerates);
        QCOMPARE(toleratesTaint(toleration, taint), tolerates);
    }

    void nodeSelectorTermsMatchLabelsAndName_data()
    {
        QTest::addColumn<QJsonObject>("term");
        QTest::addColumn<bool>("matches");
        // The node: name w1, labels disk=ssd, cores=8.
        QTest::newRow("In")
            << json(
                   R"({"matchExpressions":[{"key":"disk","operator":"In","values":["hdd","ssd"]}]})")
                   .toObject()
            << true;
        QTest::newRow("In, absent label")
            << json(R"({"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]})")
                   .toObject()
            << false;
        QTest::newRow("NotIn, absent label")
            << json(R"({"matchExpressions":[{"key":"zone","operator":"NotIn","values":["a"]}]})")
                   .toObject()
            << true;
        QTest::newRow("NotIn, listed")
            << json(R"({"matchExpressions":[{"key":"disk","operator":"NotIn","values":["ssd"]}]})")
                   .toObject()
            << false;
        QTest::newRow("Exists")
            << json(R"({"matchExpressions":[{"key":"disk","operator":"Exists"}]})").toObject()
            << true;
        QTest::newRow("DoesNotExist")
            << json(R"({"matchExpressions":[{"key":"disk","operator":"DoesNotExist"}]})").toObject()
            << false;
        QTest::newRow("Gt")
            << json(R"({"matchExpressions":[{"key":"cores","operator":"Gt","values":["4"]}]})")
                   .toObject()
            << true;
        QTest::newRow("Lt")
            << json(R"({"matchExpressions":[{"key":"cores","operator":"Lt","values":["4"]}]})")
                   .toObject()
            << false;
        QTest::newRow("Gt on a word")
            << json(R"({"matchExpressions":[{"key":"disk","operator":"Gt","values":["4"]}]})")
                   .toObject()
            << false;
        QTest::newRow("expressions are ANDed")
            << json(
                   R"({"matchExpressions":[{"key":"disk","operator":"Exists"},{"key":"zone","operator":"Exists"}]})")
                   .toObject()
            << false;
        QTest::newRow("matchFields metadata.name In")
            << json(R"({"matchFields":[{"key":"metadata.name","operator":"In","values":["w1"]}]})")
                   .toObject()
            << true;
        QTest::newRow("matchFields metadata.name NotIn")
            << json(
                   R"({"matchFields":[{"key":"metadata.name","operator":"NotIn","values":["w1"]}]})")
                   .toObject()
            << false;
        QTest::newRow("matchFields on another field")
            << json(R"({"matchFields":[{"key":"spec.podCIDR","operator":"In","values":["w1"]}]})")
                   .toObject()
            << false;
        QTest::newRow("an empty term matches nothing") << QJsonObject() << false;
    }
    void nodeSelectorTermsMatchLabelsAndName()
    {
        QFETCH(QJsonObject, term);
        QFETCH(bool, matches);
        const QJsonObject n =
            withLabel(withLabel(node(u"w1"_s), u"disk"_s, u"ssd"_s), u"cores"_s, u"8"_s);
        QCOMPARE(nodeSelectorTermMatches(term, n), matches);
    }

    void filtersGiveKubernetesReasons_data()
    {
        QTest::addColumn<QJsonObject>("node");
        QTest::addColumn<QJsonArray>("placed");
        QTest::addColumn<QJsonObject>("pod");
        QTest::addColumn<QString>("reasons"); // "" = fits
        QTest::addColumn<bool>("resolvable"); // whether preemption could help
        const QJsonObject w = node(u"w1"_s, u"2"_s, u"2Gi"_s, 3);
        QTest::newRow("fits") << w << QJsonArray() << pod(u"p"_s, u"1"_s, u"1Gi"_s) << QString()
                              << true;
        QTest::newRow("cordoned") << edit(w, u"spec"_s, u"unschedulable"_s, true) << QJsonArray()
                                  << pod(u"p"_s) << u"node(s) were unschedulable"_s << false;
        QTest::newRow("cordoned, tolerated")
            << edit(w, u"spec"_s, u"unschedulable"_s, true) << QJsonArray()
            << spec(pod(u"p"_s), u"tolerations"_s,
                    json(R"([{"key":"node.kubernetes.io/unschedulable","operator":"Exists"}])"))
            << QString() << true;
        QTest::newRow("control-plane taint")
            << controlPlane(u"cp"_s) << QJsonArray() << pod(u"p"_s)
            << u"node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"_s
            << false;
        QTest::newRow("control-plane taint, tolerated")
            << controlPlane(u"cp"_s) << QJsonArray()
            << spec(pod(u"p"_s), u"tolerations"_s, json(tolerateControlPlane)) << QString() << true;
        QTest::newRow("taint with a value")
            << withTaint(w, u"dedicated"_s, u"gpu"_s, u"NoExecute"_s) << QJsonArray() << pod(u"p"_s)
            << u"node(s) had untolerated taint {dedicated: gpu}"_s << false;
        QTest::newRow("PreferNoSchedule does not filter")
            << withTaint(w, u"soft"_s, u"x"_s, u"PreferNoSchedule"_s) << QJsonArray() << pod(u"p"_s)
            << QString() << true;
        QJsonObject notReady = w;
        notReady = edit(notReady, u"status"_s, u"conditions"_s,
                        json(R"([{"type":"Ready","status":"False"}])"));
        QTest::newRow("not ready")
            << notReady << QJsonArray() << pod(u"p"_s)
            << u"node(s) had untolerated taint {node.kubernetes.io/not-ready: }"_s << false;
        QTest::newRow("nodeSelector")
            << w << QJsonArray() << spec(pod(u"p"_s), u"nodeSelector"_s, json(R"({"disk":"ssd"})"))
            << u"node(s) didn't match Pod's node affinity/selector"_s << false;
        QTest::newRow("required node affinity")
            << withLabel(w, u"disk"_s, u"hdd"_s) << QJsonArray()
            << spec(pod(u"p"_s), u"affinity"_s,
                    json(R"({"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
                  {"nodeSelectorTerms":[{"matchExpressions":[{"key":"disk","operator":"In","values":["ssd"]}]}]}}})"))
            << u"node(s) didn't match Pod's node affinity/selector"_s << false;
        const QJsonValue port80 =
            json(R"([{"name":"app","image":"x","ports":[{"containerPort":80,"hostPort":8080}]}])");
        QTest::newRow("host port taken")
            << w << QJsonArray{on(spec(pod(u"a"_s), u"containers"_s, port80), u"w1"_s)}
            << spec(pod(u"p"_s), u"containers"_s, port80)
            << u"node(s) didn't have free ports for the requested pod ports"_s << true;
        QTest::newRow("host port on another protocol")
            << w << QJsonArray{on(spec(pod(u"a"_s), u"containers"_s, port80), u"w1"_s)}
            << spec(
                   pod(u"p"_s), u"containers"_s,
                   json(
                       R"([{"name":"app","image":"x","ports":[{"containerPort":80,"hostPort":8080,"protocol":"UDP"}]}])"))
            << QString() << true;
        QTest::newRow("insufficient cpu and memory")
            << w << QJsonArray{on(pod(u"a"_s, u"1500m"_s, u"1Gi"_s), u"w1"_s)}
            << pod(u"p"_s, u"1"_s, u"2Gi"_s) << u"Insufficient cpu|Insufficient memory"_s << true;
        QTest::newRow("too many pods")
            << w
            << QJsonArray{on(pod(u"a"_s), u"w1"_s), on(pod(u"b"_s), u"w1"_s),
                          on(pod(u"c"_s), u"w1"_s)}
            << pod(u"p"_s) << u"Too many pods"_s << true;
        QTest::newRow("extended resource missing")
            << w << QJsonArray()
            << spec(
                   pod(u"p"_s), u"containers"_s,
                   json(
                       R"([{"name":"a","image":"x","resources":{"limits":{"nvidia.com/gpu":"1"}}}])"))
            << u"Insufficient nvidia.com/gpu"_s << true;
    }
    void filtersGiveKubernetesReasons()
    {
        QFETCH(QJsonObject, node);
        QFETCH(QJsonArray, placed);
        QFETCH(QJsonObject, pod);
        QFETCH(QString, reasons);
        QFETCH(bool, resolvable);
        const Snapshot s = snapshotOf({node}, placed);
        quint64 tie = 0;
        const ScheduleResult result = schedulePod(pod, s, tie);
        if (reasons.isEmpty()) {
            QCOMPARE(result.node, s.nodes.first().name);
            return;
        }
        QVERIFY(result.node.isEmpty());
        const Status status = result.diagnosis.nodeStatuses.value(s.nodes.first().name);
        QCOMPARE(status.reasons.join(u'|'), reasons);
        QCOMPARE(status.code == Status::Code::Unschedulable, resolvable);
    }

    void failedSchedulingMessageIsKubernetes_data()
    {
        QTest::addColumn<QJsonArray>("nodes");
        QTest::addColumn<QJsonArray>("placed");
        QTest::addColumn<QJsonObject>("pod");
        QTest::addColumn<QString>("message");
        const QJsonArray cluster{controlPlane(u"cp"_s), node(u"w1"_s, u"2"_s, u"1Gi"_s),
                                 node(u"w2"_s, u"2"_s, u"1Gi"_s), node(u"w3"_s, u"2"_s, u"1Gi"_s)};
        QTest::newRow("too big for every worker")
            << cluster << QJsonArray() << pod(u"big"_s, u"100m"_s, u"4Gi"_s)
            << u"0/4 nodes are available: 1 node(s) had untolerated taint "
               u"{node-role.kubernetes.io/control-plane: }, "
               "3 Insufficient memory. preemption: 0/4 nodes are available: 1 Preemption is not "
               "helpful for "
               "scheduling, 3 No preemption victims found for incoming pod.."_s;
        QTest::newRow("two reasons on one node count twice")
            << QJsonArray{node(u"w1"_s, u"1"_s, u"1Gi"_s)} << QJsonArray()
            << pod(u"big"_s, u"2"_s, u"2Gi"_s)
            << u"0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: "
               u"0/1 nodes are "
               "available: 1 No preemption victims found for incoming pod.."_s;
        QTest::newRow("nothing preemption could help")
            << QJsonArray{controlPlane(u"cp"_s)} << QJsonArray() << pod(u"p"_s)
            << u"0/1 nodes are available: 1 node(s) had untolerated taint "
               u"{node-role.kubernetes.io/control-plane: }. "
               "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.."_s;
        QTest::newRow("preemptionPolicy Never")
            << QJsonArray{node(u"w1"_s, u"1"_s)} << QJsonArray()
            << spec(pod(u"p"_s, u"2"_s), u"preemptionPolicy"_s, u"Never"_s)
            << u"0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.."_s;
        QTest::newRow("a DaemonSet pod for a full node")
            << QJsonArray{node(u"w1"_s, u"1"_s), node(u"w2"_s), node(u"w3"_s)} << QJsonArray()
            << spec(
                   pod(u"ds"_s, u"2"_s), u"affinity"_s,
                   json(
                       R"({"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":
                          [{"matchFields":[{"key":"metadata.name","operator":"In","values":["w1"]}]}]}}})"))
            << u"0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) "
               u"[NodeAffinity]. "
               "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming "
               "pod, 2 Preemption "
               "is not helpful for scheduling.."_s;
        QJsonArray many;
        for (int i = 1; i <= 10; ++i)
            many.append(node(u"n%1"_s.arg(i), u"1"_s));
        many.append(controlPlane(u"cp"_s));
        many.append(controlPlane(u"cq"_s));
        QTest::newRow("reasons sort as strings: 10 before 2")
            << many << QJsonArray() << pod(u"p"_s, u"2"_s)
            << u"0/12 nodes are available: 10 Insufficient cpu, 2 node(s) had untolerated taint "
               "{node-role.kubernetes.io/control-plane: }. preemption: 0/12 nodes are available: "
               "10 No preemption "
               "victims found for incoming pod, 2 Preemption is not helpful for scheduling.."_s;
        QTest::newRow("no nodes") << QJsonArray() << QJsonArray() << pod(u"p"_s)
                                  << u"no nodes available to schedule pods"_s;
        const QJsonValue antiAffinity =
            json(R"({"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
            [{"labelSelector":{"matchLabels":{"app":"db"}},"topologyKey":"kubernetes.io/hostname"}]}})");
        QTest::newRow("anti-affinity with what runs there")
            << QJsonArray{node(u"w1"_s)}
            << QJsonArray{on(withLabel(pod(u"db0"_s), u"app"_s, u"db"_s), u"w1"_s)}
            << spec(withLabel(pod(u"db1"_s), u"app"_s, u"db"_s), u"affinity"_s, antiAffinity)
            << u"0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules. "
               u"preemption: 0/1 nodes are "
               "available: 1 No preemption victims found for incoming pod.."_s;
        QTest::newRow("what runs there has anti-affinity with the pod")
            << QJsonArray{node(u"w1"_s)}
            << QJsonArray{on(
                   spec(withLabel(pod(u"db0"_s), u"app"_s, u"db"_s), u"affinity"_s, antiAffinity),
                   u"w1"_s)}
            << withLabel(pod(u"db1"_s), u"app"_s, u"db"_s)
            << u"0/1 nodes are available: 1 node(s) didn't satisfy existing pods anti-affinity "
               u"rules. preemption: 0/1 "
               "nodes are available: 1 No preemption victims found for incoming pod.."_s;
        QTest::newRow("affinity with nothing that exists elsewhere")
            << QJsonArray{node(u"w1"_s), node(u"w2"_s)}
            << QJsonArray{on(withLabel(pod(u"cache"_s), u"app"_s, u"cache"_s), u"w2"_s),
                          on(pod(u"x"_s), u"w1"_s)}
            << spec(pod(u"web"_s), u"affinity"_s,
                    json(R"({"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
                   [{"labelSelector":{"matchLabels":{"app":"cache"}},"topologyKey":"kubernetes.io/hostname"}]}})"))
            << u"w2"_s;
        QTest::newRow("the first pod of a self-attracting group")
            << QJsonArray{node(u"w1"_s)} << QJsonArray()
            << spec(withLabel(pod(u"web"_s), u"app"_s, u"web"_s), u"affinity"_s,
                    json(R"({"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
                   [{"labelSelector":{"matchLabels":{"app":"web"}},"topologyKey":"kubernetes.io/hostname"}]}})"))
            << u"w1"_s;
        const QJsonValue spreadByZone =
            json(R"([{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule",
                                                 "labelSelector":{"matchLabels":{"app":"web"}}}])");
        QTest::newRow("spread over zones with maxSkew 1")
            << QJsonArray{withLabel(node(u"a1"_s), u"zone"_s, u"a"_s),
                          withLabel(node(u"b1"_s), u"zone"_s, u"b"_s)}
            << QJsonArray{on(withLabel(pod(u"w0"_s), u"app"_s, u"web"_s), u"a1"_s)}
            << spec(withLabel(pod(u"w1"_s), u"app"_s, u"web"_s), u"topologySpreadConstraints"_s,
                    spreadByZone)
            << u"b1"_s;
        QTest::newRow("spread refuses the crowded zone")
            << QJsonArray{withLabel(node(u"a1"_s), u"zone"_s, u"a"_s),
                          withLabel(node(u"b1"_s, u"1"_s), u"zone"_s, u"b"_s), node(u"nozone"_s)}
            << QJsonArray{on(withLabel(pod(u"w0"_s), u"app"_s, u"web"_s), u"a1"_s)}
            << spec(withLabel(pod(u"w1"_s, u"2"_s), u"app"_s, u"web"_s),
                    u"topologySpreadConstraints"_s, spreadByZone)
            << u"0/3 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match pod topology "
               u"spread constraints, "
               "1 node(s) didn't match pod topology spread constraints (missing required label). "
               "preemption: 0/3 nodes "
               "are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims "
               "found for incoming "
               "pod.."_s;
    }
    void failedSchedulingMessageIsKubernetes()
    {
        QFETCH(QJsonArray, nodes);
        QFETCH(QJsonArray, placed);
        QFETCH(QJsonObject, pod);
        QFETCH(QString, message);
        quint64 tie = 0;
        const ScheduleResult result = schedulePod(pod, snapshotOf(nodes, placed), tie);
        QCOMPARE(result.node.isEmpty() ? result.message : result.node, message);
    }

    void scoresPickTheBestNode_data()
    {
        QTest::addColumn<QJsonArray>("nodes");
        QTest::addColumn<QJsonArray>("placed");
        QTest::addColumn<QJsonObject>("pod");
        QTest::addColumn<QString>("chosen");
        QTest::newRow("least allocated") << QJsonArray{node(u"a"_s), node(u"b"_s)}
                                         << QJsonArray{on(pod(u"x"_s, u"2"_s, u"4Gi"_s), u"a"_s)}
                                         << pod(u"p"_s, u"100m"_s) << u"b"_s;
        QTest::newRow("preferred node affinity beats free room")
            << QJsonArray{withLabel(node(u"a"_s), u"disk"_s, u"ssd"_s), node(u"b"_s)}
            << QJsonArray{on(pod(u"x"_s, u"1"_s, u"1Gi"_s), u"a"_s)}
            << spec(pod(u"p"_s), u"affinity"_s,
                    json(R"({"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":
                   [{"weight":50,"preference":{"matchExpressions":[{"key":"disk","operator":"In","values":["ssd"]}]}}]}})"))
            << u"a"_s;
        QTest::newRow("PreferNoSchedule is avoided")
            << QJsonArray{withTaint(node(u"a"_s), u"soft"_s, {}, u"PreferNoSchedule"_s),
                          node(u"b"_s)}
            << QJsonArray{on(pod(u"x"_s, u"1"_s, u"1Gi"_s), u"b"_s)} << pod(u"p"_s) << u"b"_s;
        QTest::newRow("the owner's pods spread by default")
            << QJsonArray{node(u"a"_s), node(u"b"_s)}
            << QJsonArray{on(ownedBy(pod(u"r0"_s), u"rs1"_s), u"a"_s),
                          on(pod(u"y"_s, u"500m"_s, u"1Gi"_s), u"b"_s)}
            << ownedBy(pod(u"r1"_s), u"rs1"_s) << u"b"_s;
        QTest::newRow("preferred anti-affinity")
            << QJsonArray{node(u"a"_s), node(u"b"_s)}
            << QJsonArray{on(withLabel(pod(u"c0"_s), u"app"_s, u"cache"_s), u"a"_s),
                          on(pod(u"y"_s, u"1"_s, u"2Gi"_s), u"b"_s)}
            << spec(pod(u"p"_s), u"affinity"_s,
                    json(R"({"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":
                   [{"weight":100,"podAffinityTerm":{"labelSelector":{"matchLabels":{"app":"cache"}},"topologyKey":"kubernetes.io/hostname"}}]}})"))
            << u"b"_s;
        QTest::newRow("preferred affinity")
            << QJsonArray{node(u"a"_s), node(u"b"_s)}
            << QJsonArray{on(withLabel(pod(u"c0"_s), u"app"_s, u"cache"_s), u"a"_s),
                          on(pod(u"y"_s, u"1"_s, u"2Gi"_s), u"a"_s)}
            << spec(pod(u"p"_s), u"affinity"_s,
                    json(R"({"podAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":
                   [{"weight":100,"podAffinityTerm":{"labelSelector":{"matchLabels":{"app":"cache"}},"topologyKey":"kubernetes.io/hostname"}}]}})"))
            << u"a"_s;
        QTest::newRow("ScheduleAnyway spread")
            << QJsonArray{node(u"a"_s), node(u"b"_s)}
            << QJsonArray{on(withLabel(pod(u"w0"_s), u"app"_s, u"web"_s), u"b"_s),
                          on(withLabel(pod(u"w1"_s), u"app"_s, u"web"_s), u"b"_s),
                          on(pod(u"y"_s, u"1"_s, u"2Gi"_s), u"a"_s)}
            << spec(
                   withLabel(pod(u"w2"_s), u"app"_s, u"web"_s), u"topologySpreadConstraints"_s,
                   json(
                       R"([{"maxSkew":1,"topologyKey":"kubernetes.io/hostname","whenUnsatisfiable":"ScheduleAnyway",
                              "labelSelector":{"matchLabels":{"app":"web"}}}])"))
            << u"a"_s;
        QTest::newRow("a tolerating pod may use the control plane")
            << QJsonArray{controlPlane(u"cp"_s)} << QJsonArray()
            << spec(pod(u"p"_s), u"tolerations"_s, json(tolerateControlPlane)) << u"cp"_s;
    }
    void scoresPickTheBestNode()
    {
        QFETCH(QJsonArray, nodes);
        QFETCH(QJsonArray, placed);
        QFETCH(QJsonObject, pod);
        QFETCH(QString, chosen);
        quint64 tie = 0;
        const ScheduleResult result = schedulePod(pod, snapshotOf(nodes, placed), tie);
        QCOMPARE(result.node, chosen);
    }

    void aBurstOfReplicasGoesOnePerNode()
    {
        // As the scheduler assumes each pod on its node before the next cycle.
        Snapshot s =
            snapshotOf({node(u"w1"_s), node(u"w2"_s), node(u"w3"_s), controlPlane(u"cp"_s)});
        quint64 tie = 0;
        QSet<QString> used;
        for (int i = 0; i < 3; ++i) {
            QJsonObject replica = ownedBy(pod(u"web-%1"_s.arg(i)), u"rs-uid"_s);
            const ScheduleResult result = schedulePod(replica, s, tie);
            QVERIFY(!result.node.isEmpty());
            used.insert(result.node);
            for (NodeInfo &n : s.nodes)
                if (n.name == result.node)
                    n.addPod(PodInfo::from(on(replica, result.node)));
        }
        QCOMPARE(used, (QSet<QString>{u"w1"_s, u"w2"_s, u"w3"_s}));
    }

    void tiesGoRoundTheEqualNodes()
    {
        // Pods with nothing in common, on an empty cluster: still not all on the first node.
        const Snapshot s = snapshotOf({node(u"w1"_s), node(u"w2"_s), node(u"w3"_s)});
        quint64 tie = 0;
        QStringList chosen;
        for (int i = 0; i < 3; ++i)
            chosen.append(schedulePod(pod(u"p%1"_s.arg(i)), s, tie).node);
        QCOMPARE(chosen, (QStringList{u"w1"_s, u"w2"_s, u"w3"_s}));
    }
};

QTEST_GUILESS_MAIN(TestScheduling)
#include "tst_scheduling.moc"
