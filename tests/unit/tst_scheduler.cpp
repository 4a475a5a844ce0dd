// The scheduler against the API server in this process: Nodes are plain objects (no node
// agents), the Scheduler runs over the in-process client as in the control plane, and the pod
// subresources binding and eviction are exercised over plain HTTP as kubectl would.
#include "apiserver/apiserver.h"
#include "apiserver/inprocessclient.h"
#include "apiserver/resourcestore.h"
#include "scheduler/scheduler.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTemporaryDir>
#include <QTest>

using namespace timonel;
using namespace Qt::StringLiterals;

namespace {

struct Reply
{
    int status = 0;
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

QByteArray toJson(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonValue json(const char *text)
{
    const QJsonDocument doc = QJsonDocument::fromJson(text);
    return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
}

QJsonObject nodeObject(const QString &name, const QString &memory, bool controlPlane = false)
{
    QJsonObject labels{{u"kubernetes.io/hostname"_s, name}};
    QJsonObject spec;
    if (controlPlane) {
        labels.insert(u"node-role.kubernetes.io/control-plane"_s, QString());
        spec.insert(
            u"taints"_s,
            json(R"([{"key":"node-role.kubernetes.io/control-plane","effect":"NoSchedule"}])"));
    }
    return QJsonObject{
        {u"apiVersion"_s, u"v1"_s},
        {u"kind"_s, u"Node"_s},
        {u"metadata"_s, QJsonObject{{u"name"_s, name}, {u"labels"_s, labels}}},
        {u"spec"_s, spec},
        {u"status"_s,
         QJsonObject{
             {u"allocatable"_s,
              QJsonObject{{u"cpu"_s, u"4"_s}, {u"memory"_s, memory}, {u"pods"_s, u"110"_s}}},
             {u"capacity"_s,
              QJsonObject{{u"cpu"_s, u"4"_s}, {u"memory"_s, memory}, {u"pods"_s, u"110"_s}}},
             {u"conditions"_s,
              QJsonArray{QJsonObject{{u"type"_s, u"Ready"_s}, {u"status"_s, u"True"_s}}}}}}};
}

QJsonObject podObject(const QString &name, const QString &memory = {})
{
    QJsonObject container{{u"name"_s, u"app"_s}, {u"image"_s, u"busybox:1.36"_s}};
    if (!memory.isEmpty())
        container.insert(u"resources"_s,
                         QJsonObject{{u"requests"_s, QJsonObject{{u"memory"_s, memory}}}});
    return QJsonObject{
        {u"apiVersion"_s, u"v1"_s},
        {u"kind"_s, u"Pod"_s},
        {u"metadata"_s,
         QJsonObject{{u"name"_s, name}, {u"labels"_s, QJsonObject{{u"app"_s, u"web"_s}}}}},
        {u"spec"_s, QJsonObject{{u"containers"_s, QJsonArray{container}}}}};
}

QJsonObject withSpec(QJsonObject o, const QString &key, const QJsonValue &value)
{
    QJsonObject spec = o.value(u"spec").toObject();
    spec.insert(key, value);
    o.insert(u"spec"_s, spec);
    return o;
}

QJsonObject conditionOf(const QJsonObject &object, const QString &type)
{
    for (const QJsonValue &c : object.value(u"status").toObject().value(u"conditions").toArray())
        if (c.toObject().value(u"type").toString() == type)
            return c.toObject();
    return {};
}

} // namespace

class TestScheduler : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<apiserver::ApiServer> m_server;
    std::unique_ptr<apiserver::InProcessClient> m_api;
    std::unique_ptr<scheduler::Scheduler> m_scheduler;
    QNetworkAccessManager m_network;

    Reply send(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        QNetworkRequest request(QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_server->port()).arg(path)));
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        request.setTransferTimeout(10000);
        QNetworkReply *reply = m_network.sendCustomRequest(request, method, body);
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        Reply r{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                reply->readAll()};
        reply->deleteLater();
        return r;
    }

    void createNode(const QJsonObject &node)
    {
        const Reply r = send("POST", u"/api/v1/nodes"_s, toJson(node));
        QVERIFY2(r.status == 201, r.body.constData());
    }

    void createPod(const QJsonObject &pod)
    {
        const Reply r = send("POST", u"/api/v1/namespaces/default/pods"_s, toJson(pod));
        QVERIFY2(r.status == 201, r.body.constData());
    }

    QJsonObject pod(const QString &name)
    {
        return send("GET", u"/api/v1/namespaces/default/pods/"_s + name).json();
    }

    QString nodeOf(const QString &podName)
    {
        return pod(podName).value(u"spec").toObject().value(u"nodeName").toString();
    }

    // The messages of the pod's events with this reason.
    QStringList events(const QString &podName, const QString &reason)
    {
        const QJsonObject list = send("GET", u"/api/v1/namespaces/default/events"_s).json();
        QStringList messages;
        for (const QJsonValue &v : list.value(u"items").toArray()) {
            const QJsonObject e = v.toObject();
            if (e.value(u"involvedObject").toObject().value(u"name").toString() == podName &&
                e.value(u"reason").toString() == reason &&
                e.value(u"source").toObject().value(u"component").toString() ==
                    u"default-scheduler")
                messages.append(e.value(u"message").toString());
        }
        return messages;
    }

    Reply postSubresource(const QString &podName, const QString &sub, const QJsonObject &body)
    {
        return send("POST", u"/api/v1/namespaces/default/pods/%1/%2"_s.arg(podName, sub),
                    toJson(body));
    }

    static QJsonObject binding(const QString &podName, const QString &node)
    {
        return {
            {u"apiVersion"_s, u"v1"_s},
            {u"kind"_s, u"Binding"_s},
            {u"metadata"_s, QJsonObject{{u"name"_s, podName}}},
            {u"target"_s,
             QJsonObject{{u"apiVersion"_s, u"v1"_s}, {u"kind"_s, u"Node"_s}, {u"name"_s, node}}}};
    }

    static QJsonObject eviction(const QString &podName, const QJsonObject &deleteOptions = {})
    {
        QJsonObject e{
            {u"apiVersion"_s, u"policy/v1"_s},
            {u"kind"_s, u"Eviction"_s},
            {u"metadata"_s, QJsonObject{{u"name"_s, podName}, {u"namespace"_s, u"default"_s}}}};
        if (!deleteOptions.isEmpty())
            e.insert(u"deleteOptions"_s, deleteOptions);
        return e;
    }

    // A pod no scheduler of ours takes, running and ready as a node agent would report it.
    void createRunningPod(const QString &name)
    {
        createPod(withSpec(podObject(name), u"schedulerName"_s, u"someone-else"_s));
        QCOMPARE(postSubresource(name, u"binding"_s, binding(name, u"w1"_s)).status, 201);
        QJsonObject p = pod(name);
        p.insert(u"status"_s,
                 json(R"({"phase":"Running","conditions":[{"type":"Ready","status":"True"}]})"));
        const Reply r =
            send("PUT", u"/api/v1/namespaces/default/pods/%1/status"_s.arg(name), toJson(p));
        QVERIFY2(r.status == 200, r.body.constData());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        apiserver::ApiServerOptions options;
        options.address = QHostAddress::LocalHost;
        options.port = 0;
        options.plainHttp = true;
        options.dataDirectory = m_dir.filePath(u"data"_s);
        options.encryptionKeyFile = m_dir.filePath(u"key"_s);
        m_server = std::make_unique<apiserver::ApiServer>(options);
        auto started = m_server->start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error()));
        m_api = std::make_unique<apiserver::InProcessClient>(m_server->store());
        m_scheduler = std::make_unique<scheduler::Scheduler>(*m_api);
        m_scheduler->start();
        QTRY_COMPARE_WITH_TIMEOUT(send("GET", u"/api/v1/namespaces/default"_s).status, 200, 10000);
    }

    void cleanup()
    {
        // Every test starts from a cluster without nodes, pods, budgets or storage.
        send("DELETE", u"/api/v1/namespaces/default/pods?gracePeriodSeconds=0"_s);
        send("DELETE", u"/apis/policy/v1/namespaces/default/poddisruptionbudgets"_s);
        send("DELETE", u"/api/v1/namespaces/default/persistentvolumeclaims"_s);
        send("DELETE", u"/api/v1/persistentvolumes"_s);
        send("DELETE", u"/apis/storage.k8s.io/v1/storageclasses"_s);
        send("DELETE", u"/api/v1/nodes"_s);
        QTRY_COMPARE(send("GET", u"/api/v1/namespaces/default/pods"_s)
                         .json()
                         .value(u"items")
                         .toArray()
                         .size(),
                     0);
    }

    void cleanupTestCase()
    {
        m_scheduler.reset();
        m_api.reset();
        m_server.reset();
    }

    void aPodIsBoundWithItsEventAndCondition()
    {
        createNode(nodeObject(u"w1"_s, u"8Gi"_s));
        createPod(podObject(u"solo"_s));
        QTRY_COMPARE_WITH_TIMEOUT(nodeOf(u"solo"_s), u"w1"_s, 5000);
        const QJsonObject scheduled = conditionOf(pod(u"solo"_s), u"PodScheduled"_s);
        QCOMPARE(scheduled.value(u"status").toString(), u"True"_s);
        QVERIFY(!scheduled.value(u"lastTransitionTime").toString().isEmpty());
        QTRY_COMPARE(events(u"solo"_s, u"Scheduled"_s),
                     QStringList{u"Successfully assigned default/solo to w1"_s});
    }

    void replicasOfOneOwnerGoOnePerWorker()
    {
        createNode(nodeObject(u"cp"_s, u"8Gi"_s, true));
        for (const QString &name : {u"w1"_s, u"w2"_s, u"w3"_s})
            createNode(nodeObject(name, u"8Gi"_s));
        // One burst, as a ReplicaSet controller creates them.
        for (int i = 0; i < 3; ++i) {
            QJsonObject p = podObject(u"web-%1"_s.arg(i));
            QJsonObject meta = p.value(u"metadata").toObject();
            meta.insert(u"ownerReferences"_s,
                        QJsonArray{QJsonObject{{u"apiVersion"_s, u"apps/v1"_s},
                                               {u"kind"_s, u"ReplicaSet"_s},
                                               {u"name"_s, u"web"_s},
                                               {u"uid"_s, u"6f1c0d6e-rs"_s},
                                               {u"controller"_s, true}}});
            p.insert(u"metadata"_s, meta);
            createPod(p);
        }
        QSet<QString> nodes;
        QTRY_VERIFY_WITH_TIMEOUT(!nodeOf(u"web-0"_s).isEmpty() && !nodeOf(u"web-1"_s).isEmpty() &&
                                     !nodeOf(u"web-2"_s).isEmpty(),
                                 5000);
        for (int i = 0; i < 3; ++i)
            nodes.insert(nodeOf(u"web-%1"_s.arg(i)));
        QCOMPARE(nodes, (QSet<QString>{u"w1"_s, u"w2"_s, u"w3"_s}));
    }

    void aPodTooBigWaitsForABiggerNode()
    {
        createNode(nodeObject(u"cp"_s, u"8Gi"_s, true));
        createNode(nodeObject(u"w1"_s, u"1Gi"_s));
        createPod(podObject(u"big"_s, u"4Gi"_s));
        const QString message =
            u"0/2 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint "
            "{node-role.kubernetes.io/control-plane: }. preemption: 0/2 nodes are available: 1 No "
            "preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.."_s;
        QTRY_VERIFY_WITH_TIMEOUT(events(u"big"_s, u"FailedScheduling"_s).contains(message), 5000);
        QTRY_COMPARE(conditionOf(pod(u"big"_s), u"PodScheduled"_s).value(u"message").toString(),
                     message);
        const QJsonObject condition = conditionOf(pod(u"big"_s), u"PodScheduled"_s);
        QCOMPARE(condition.value(u"status").toString(), u"False"_s);
        QCOMPARE(condition.value(u"reason").toString(), u"Unschedulable"_s);
        QCOMPARE(pod(u"big"_s).value(u"status").toObject().value(u"phase").toString(),
                 u"Pending"_s);
        QCOMPARE(nodeOf(u"big"_s), QString());

        createNode(nodeObject(u"w2"_s, u"16Gi"_s));
        QTRY_COMPARE_WITH_TIMEOUT(nodeOf(u"big"_s), u"w2"_s, 15000);
        QCOMPARE(conditionOf(pod(u"big"_s), u"PodScheduled"_s).value(u"status").toString(),
                 u"True"_s);
    }

    void onlyATolerantPodLandsOnTheControlPlane()
    {
        createNode(nodeObject(u"cp"_s, u"8Gi"_s, true));
        createPod(podObject(u"plain"_s));
        createPod(withSpec(
            podObject(u"tolerant"_s), u"tolerations"_s,
            json(
                R"([{"key":"node-role.kubernetes.io/control-plane","operator":"Exists","effect":"NoSchedule"}])")));
        QTRY_COMPARE_WITH_TIMEOUT(nodeOf(u"tolerant"_s), u"cp"_s, 5000);
        QTRY_VERIFY(
            events(u"plain"_s, u"FailedScheduling"_s)
                .contains(
                    u"0/1 nodes are available: 1 node(s) had untolerated taint "
                    u"{node-role.kubernetes.io/control-plane: }. "
                    "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.."_s));
        QCOMPARE(nodeOf(u"plain"_s), QString());
    }

    void aPodWaitsForItsClaims()
    {
        createNode(nodeObject(u"w1"_s, u"8Gi"_s));
        createPod(
            withSpec(podObject(u"orphan"_s), u"volumes"_s,
                     json(R"([{"name":"data","persistentVolumeClaim":{"claimName":"missing"}}])")));
        QTRY_VERIFY_WITH_TIMEOUT(
            events(u"orphan"_s, u"FailedScheduling"_s)
                .contains(u"0/1 nodes are available: persistentvolumeclaim \"missing\" not found. "
                          u"preemption: 0/1 "
                          "nodes are available: 1 Preemption is not helpful for scheduling.."_s),
            5000);
    }

    void aWaitForFirstConsumerClaimIsBoundBeforeItsPod()
    {
        createNode(nodeObject(u"w1"_s, u"8Gi"_s));
        createNode(nodeObject(u"w2"_s, u"8Gi"_s));
        Reply r = send(
            "POST", u"/apis/storage.k8s.io/v1/storageclasses"_s,
            toJson(
                json(
                    R"({"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"local"},
                                       "provisioner":"kubernetes.io/no-provisioner","volumeBindingMode":"WaitForFirstConsumer"})")
                    .toObject()));
        QVERIFY2(r.status == 201, r.body.constData());
        r = send(
            "POST", u"/api/v1/persistentvolumes"_s,
            toJson(json(R"({"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"pv-w2"},
                    "spec":{"capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"],"storageClassName":"local",
                            "local":{"path":"/data"},"nodeAffinity":{"required":{"nodeSelectorTerms":[{"matchExpressions":
                            [{"key":"kubernetes.io/hostname","operator":"In","values":["w2"]}]}]}}}})")
                       .toObject()));
        QVERIFY2(r.status == 201, r.body.constData());
        // The persistent volume controller's first look at a new volume.
        QJsonObject volume = send("GET", u"/api/v1/persistentvolumes/pv-w2"_s).json();
        volume.insert(u"status"_s, QJsonObject{{u"phase"_s, u"Available"_s}});
        r = send("PUT", u"/api/v1/persistentvolumes/pv-w2/status"_s, toJson(volume));
        QVERIFY2(r.status == 200, r.body.constData());
        r = send(
            "POST", u"/api/v1/namespaces/default/persistentvolumeclaims"_s,
            toJson(
                json(
                    R"({"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data"},
                    "spec":{"accessModes":["ReadWriteOnce"],"storageClassName":"local","resources":{"requests":{"storage":"1Gi"}}}})")
                    .toObject()));
        QVERIFY2(r.status == 201, r.body.constData());
        createPod(
            withSpec(podObject(u"db"_s), u"volumes"_s,
                     json(R"([{"name":"data","persistentVolumeClaim":{"claimName":"data"}}])")));

        // The volume that only w2 reaches is reserved for the claim; the pod waits for the binding.
        QTRY_COMPARE_WITH_TIMEOUT(send("GET", u"/api/v1/persistentvolumes/pv-w2"_s)
                                      .json()
                                      .value(u"spec")
                                      .toObject()
                                      .value(u"claimRef")
                                      .toObject()
                                      .value(u"name")
                                      .toString(),
                                  u"data"_s, 5000);
        QCOMPARE(nodeOf(u"db"_s), QString());

        // What the persistent volume controller does next.
        QJsonObject claim =
            send("GET", u"/api/v1/namespaces/default/persistentvolumeclaims/data"_s).json();
        QJsonObject spec = claim.value(u"spec").toObject();
        spec.insert(u"volumeName"_s, u"pv-w2"_s);
        claim.insert(u"spec"_s, spec);
        QJsonObject meta = claim.value(u"metadata").toObject();
        meta.insert(u"annotations"_s,
                    QJsonObject{{u"pv.kubernetes.io/bind-completed"_s, u"yes"_s}});
        claim.insert(u"metadata"_s, meta);
        r = send("PUT", u"/api/v1/namespaces/default/persistentvolumeclaims/data"_s, toJson(claim));
        QVERIFY2(r.status == 200, r.body.constData());
        QTRY_COMPARE_WITH_TIMEOUT(nodeOf(u"db"_s), u"w2"_s, 5000);
    }

    void bindingTwiceIsAConflict()
    {
        createNode(nodeObject(u"w1"_s, u"8Gi"_s));
        createPod(withSpec(podObject(u"manual"_s), u"schedulerName"_s, u"someone-else"_s));
        const QString before =
            pod(u"manual"_s).value(u"metadata").toObject().value(u"resourceVersion").toString();

        Reply r = postSubresource(u"manual"_s, u"binding"_s, binding(u"manual"_s, u"w1"_s));
        QCOMPARE(r.status, 201);
        QCOMPARE(r.json().value(u"kind").toString(), u"Status"_s);
        QCOMPARE(r.json().value(u"status").toString(), u"Success"_s);
        QCOMPARE(r.json().value(u"code").toInt(), 201);
        const QJsonObject bound = pod(u"manual"_s);
        QCOMPARE(bound.value(u"spec").toObject().value(u"nodeName").toString(), u"w1"_s);
        QCOMPARE(conditionOf(bound, u"PodScheduled"_s).value(u"status").toString(), u"True"_s);
        QVERIFY(bound.value(u"metadata").toObject().value(u"resourceVersion").toString() != before);

        r = postSubresource(u"manual"_s, u"binding"_s, binding(u"manual"_s, u"w2"_s));
        QCOMPARE(r.status, 409);
        QCOMPARE(r.json().value(u"reason").toString(), u"Conflict"_s);
        QCOMPARE(
            r.json().value(u"message").toString(),
            u"Operation cannot be fulfilled on pods/binding \"manual\": pod manual is already assigned to node \"w1\""_s);
        QCOMPARE(nodeOf(u"manual"_s), u"w1"_s);

        r = postSubresource(u"ghost"_s, u"binding"_s, binding(u"ghost"_s, u"w1"_s));
        QCOMPARE(r.status, 404);
        QCOMPARE(r.json().value(u"message").toString(), u"pods \"ghost\" not found"_s);
        r = postSubresource(u"manual"_s, u"binding"_s, binding(u"manual"_s, QString()));
        QCOMPARE(r.status, 500);
        QCOMPARE(r.json().value(u"message").toString(), u"target.name: Required value"_s);
        r = postSubresource(u"manual"_s, u"binding"_s, binding(u"other"_s, u"w1"_s));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(u"message").toString(),
                 u"name in URL does not match name in Binding object"_s);
    }

    void evictionDeletesThePod()
    {
        createNode(nodeObject(u"w1"_s, u"8Gi"_s));
        createRunningPod(u"victim"_s);
        // The pod's grace period: it is marked, for its node agent to stop it.
        Reply r = postSubresource(u"victim"_s, u"eviction"_s, eviction(u"victim"_s));
        QCOMPARE(r.status, 201);
        QCOMPARE(r.json().value(u"status").toString(), u"Success"_s);
        const QJsonObject marked = pod(u"victim"_s);
        QVERIFY(marked.value(u"metadata").toObject().contains(u"deletionTimestamp"));
        QCOMPARE(marked.value(u"metadata").toObject().value(u"deletionGracePeriodSeconds").toInt(),
                 30);
        const QJsonObject target = conditionOf(marked, u"DisruptionTarget"_s);
        QCOMPARE(target.value(u"reason").toString(), u"EvictionByEvictionAPI"_s);
        QCOMPARE(target.value(u"message").toString(), u"Eviction API: evicting"_s);

        createRunningPod(u"victim2"_s);
        r = postSubresource(u"victim2"_s, u"eviction"_s,
                            eviction(u"victim2"_s, QJsonObject{{u"gracePeriodSeconds"_s, 0}}));
        QCOMPARE(r.status, 201);
        QCOMPARE(send("GET", u"/api/v1/namespaces/default/pods/victim2"_s).status, 404);

        r = postSubresource(u"ghost"_s, u"eviction"_s, eviction(u"ghost"_s));
        QCOMPARE(r.status, 404);
    }

    void evictionBlockedByABudgetIsTooManyRequests()
    {
        createNode(nodeObject(u"w1"_s, u"8Gi"_s));
        createRunningPod(u"guarded"_s);
        // Written straight to storage: the API server still refuses a new budget, as it checks
        // the status counts (required in the schema) on an object whose status it has just reset.
        const core::ResourceInfo *pdbs =
            m_server->store().schemas().resource(u"policy", u"v1", u"poddisruptionbudgets");
        QVERIFY(pdbs);
        const QJsonObject budget{
            {u"apiVersion"_s, u"policy/v1"_s},
            {u"kind"_s, u"PodDisruptionBudget"_s},
            {u"metadata"_s, QJsonObject{{u"name"_s, u"web-pdb"_s},
                                        {u"namespace"_s, u"default"_s},
                                        {u"uid"_s, u"0b8a-pdb"_s},
                                        {u"generation"_s, 1},
                                        {u"creationTimestamp"_s, u"2025-01-01T00:00:00Z"_s}}},
            {u"spec"_s,
             QJsonObject{{u"minAvailable"_s, 1},
                         {u"selector"_s,
                          QJsonObject{{u"matchLabels"_s, QJsonObject{{u"app"_s, u"web"_s}}}}}}},
            {u"status"_s, QJsonObject{{u"disruptionsAllowed"_s, 0},
                                      {u"currentHealthy"_s, 0},
                                      {u"desiredHealthy"_s, 0},
                                      {u"expectedPods"_s, 0}}}};
        QVERIFY(m_server->store().storage().create(
            apiserver::ResourceStore::keyFor(*pdbs, u"default"_s, u"web-pdb"_s), budget));
        // What the disruption controller would report: `allowed` healthy pods beyond the one to
        // keep.
        auto setAllowed = [&](int allowed) {
            QJsonObject pdb =
                send("GET", u"/apis/policy/v1/namespaces/default/poddisruptionbudgets/web-pdb"_s)
                    .json();
            pdb.insert(u"status"_s, QJsonObject{{u"observedGeneration"_s, 1},
                                                {u"disruptionsAllowed"_s, allowed},
                                                {u"currentHealthy"_s, 1 + allowed},
                                                {u"desiredHealthy"_s, 1},
                                                {u"expectedPods"_s, 1}});
            const Reply u = send(
                "PUT", u"/apis/policy/v1/namespaces/default/poddisruptionbudgets/web-pdb/status"_s,
                toJson(pdb));
            QVERIFY2(u.status == 200, u.body.constData());
        };
        setAllowed(0);

        Reply r = postSubresource(u"guarded"_s, u"eviction"_s, eviction(u"guarded"_s));
        QCOMPARE(r.status, 429);
        const QJsonObject status = r.json();
        QCOMPARE(status.value(u"reason").toString(), u"TooManyRequests"_s);
        QCOMPARE(status.value(u"message").toString(),
                 u"Cannot evict pod as it would violate the pod's disruption budget."_s);
        const QJsonObject cause =
            status.value(u"details").toObject().value(u"causes").toArray().first().toObject();
        QCOMPARE(cause.value(u"reason").toString(), u"DisruptionBudget"_s);
        QCOMPARE(cause.value(u"message").toString(),
                 u"The disruption budget web-pdb needs 1 healthy pods and has 1 currently"_s);
        QVERIFY(!pod(u"guarded"_s).value(u"metadata").toObject().contains(u"deletionTimestamp"));

        // Two to spare (the last one would also turn DisruptionAllowed False).
        setAllowed(2);
        r = postSubresource(u"guarded"_s, u"eviction"_s, eviction(u"guarded"_s));
        QCOMPARE(r.status, 201);
        QVERIFY(pod(u"guarded"_s).value(u"metadata").toObject().contains(u"deletionTimestamp"));
        const QJsonObject spent =
            send("GET", u"/apis/policy/v1/namespaces/default/poddisruptionbudgets/web-pdb"_s)
                .json()
                .value(u"status")
                .toObject();
        QCOMPARE(spent.value(u"disruptionsAllowed").toInt(), 1);
        QVERIFY(spent.value(u"disruptedPods").toObject().contains(u"guarded"));
    }
};

QTEST_GUILESS_MAIN(TestScheduler)
#include "tst_scheduler.moc"
