// The StatefulSet and DaemonSet controllers against the API server in this process, with the
// test playing the node agent: it marks pods Running and Ready (when told to) and finishes
// graceful deletions. Nodes are plain Node objects.
#include "apiserver/apiserver.h"
#include "apiserver/inprocessclient.h"
#include "client/informer.h"
#include "controllers/daemonsetcontroller.h"
#include "controllers/garbagecollector.h"
#include "controllers/statefulsetcontroller.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace timonel;
using namespace Qt::StringLiterals;

namespace {

const client::Resource podsR{u""_s, u"v1"_s, u"pods"_s};
const client::Resource nodesR{u""_s, u"v1"_s, u"nodes"_s};
const client::Resource claimsR{u""_s, u"v1"_s, u"persistentvolumeclaims"_s};
const client::Resource eventsR{u""_s, u"v1"_s, u"events"_s};
const client::Resource statefulSetsR{u"apps"_s, u"v1"_s, u"statefulsets"_s};
const client::Resource daemonSetsR{u"apps"_s, u"v1"_s, u"daemonsets"_s};
const client::Resource revisionsR{u"apps"_s, u"v1"_s, u"controllerrevisions"_s};
const QString ns = u"default"_s;
constexpr int timeout = 10000;

QJsonObject fromJson(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}
QJsonObject metaOf(const QJsonObject &o)
{
    return o.value(u"metadata").toObject();
}
QString nameOf(const QJsonObject &o)
{
    return metaOf(o).value(u"name").toString();
}
QString labelOf(const QJsonObject &o, const QString &key)
{
    return metaOf(o).value(u"labels").toObject().value(key).toString();
}
QString revisionOf(const QJsonObject &o)
{
    return labelOf(o, u"controller-revision-hash"_s);
}

// The node a DaemonSet pod is meant for, from its metadata.name node affinity.
QString affinityNode(const QJsonObject &pod)
{
    const QJsonObject nodeAffinity = pod.value(u"spec")
                                         .toObject()
                                         .value(u"affinity")
                                         .toObject()
                                         .value(u"nodeAffinity")
                                         .toObject();
    const QJsonArray terms = nodeAffinity.value(u"requiredDuringSchedulingIgnoredDuringExecution")
                                 .toObject()
                                 .value(u"nodeSelectorTerms")
                                 .toArray();
    if (terms.size() != 1)
        return {};
    const QJsonArray fields = terms[0].toObject().value(u"matchFields").toArray();
    if (fields.size() != 1 || fields[0].toObject().value(u"key") != u"metadata.name"_s ||
        fields[0].toObject().value(u"operator") != u"In"_s)
        return {};
    return fields[0].toObject().value(u"values").toArray().first().toString();
}

// The node agent (and scheduler) of the test: binds pods to the node their affinity names (or
// node-a), marks them Running and Ready unless held back, and finishes graceful deletions as a
// node agent does once the containers are gone.
class FakeKubelet : public QObject
{
public:
    bool autoReady = true;

    explicit FakeKubelet(client::ApiClient &api) : m_api(api), m_pods(api, podsR)
    {
        connect(&m_pods, &client::Informer::added, this, &FakeKubelet::onPod);
        connect(&m_pods, &client::Informer::updated, this,
                [this](const QJsonObject &, const QJsonObject &pod) { onPod(pod); });
        m_pods.start();
    }

    void markReady(const QString &name)
    {
        const QJsonObject pod = m_pods.get(ns, name);
        if (!pod.isEmpty())
            setReady(pod);
    }

private:
    void onPod(const QJsonObject &pod)
    {
        const QJsonObject meta = metaOf(pod);
        const QString uid = meta.value(u"uid").toString();
        const QString node = pod.value(u"spec").toObject().value(u"nodeName").toString();
        if (meta.contains(u"deletionTimestamp")) {
            if (!node.isEmpty() && !m_finished.contains(uid)) {
                m_finished.insert(uid);
                client::DeleteQuery now;
                now.gracePeriodSeconds = 0;
                m_api.remove(podsR, ns, nameOf(pod), now, [](client::Result<QJsonObject>) {});
            }
            return;
        }
        if (node.isEmpty() && !m_bindTried.contains(uid)) {
            m_bindTried.insert(uid);
            const QString target = affinityNode(pod).isEmpty() ? u"node-a"_s : affinityNode(pod);
            const QJsonObject binding{
                {u"apiVersion"_s, u"v1"_s},
                {u"kind"_s, u"Binding"_s},
                {u"metadata"_s, QJsonObject{{u"name"_s, nameOf(pod)}}},
                {u"target"_s, QJsonObject{{u"kind"_s, u"Node"_s}, {u"name"_s, target}}}};
            m_api.createSubresource(podsR, ns, nameOf(pod), u"binding"_s, binding, {},
                                    [](client::Result<QJsonObject>) {});
        }
        const QString phase = pod.value(u"status").toObject().value(u"phase").toString();
        if (autoReady && phase == u"Pending")
            setReady(pod);
    }

    void setReady(const QJsonObject &pod)
    {
        const QString uid = metaOf(pod).value(u"uid").toString();
        if (m_readied.contains(uid))
            return;
        m_readied.insert(uid);
        const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
        const QJsonObject patch{
            {u"status"_s, QJsonObject{{u"phase"_s, u"Running"_s},
                                      {u"conditions"_s,
                                       QJsonArray{QJsonObject{{u"type"_s, u"Ready"_s},
                                                              {u"status"_s, u"True"_s},
                                                              {u"lastTransitionTime"_s, now}}}}}}};
        m_api.patch(podsR, ns, nameOf(pod), client::PatchType::Merge,
                    QJsonDocument(patch).toJson(QJsonDocument::Compact), u"status"_s, {},
                    [](client::Result<QJsonObject>) {});
    }

    client::ApiClient &m_api;
    client::Informer m_pods;
    QSet<QString> m_readied;
    QSet<QString> m_finished;
    QSet<QString> m_bindTried;
};

} // namespace

class TestSetControllers : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<apiserver::ApiServer> m_server;
    std::unique_ptr<apiserver::InProcessClient> m_api;
    std::unique_ptr<controllers::GarbageCollector> m_garbage;
    std::unique_ptr<controllers::StatefulSetController> m_statefulSets;
    std::unique_ptr<controllers::DaemonSetController> m_daemonSets;
    std::unique_ptr<FakeKubelet> m_kubelet;

    template <typename Call> client::Result<QJsonObject> wait(Call call)
    {
        std::optional<client::Result<QJsonObject>> result;
        QEventLoop loop;
        call([&](client::Result<QJsonObject> r) {
            result = std::move(r);
            loop.quit();
        });
        if (!result)
            loop.exec();
        return *result;
    }
    QJsonObject get(const client::Resource &r, const QString &name, const QString &in = ns)
    {
        return wait([&](auto done) { m_api->get(r, in, name, done); }).value_or(QJsonObject());
    }
    QList<QJsonObject> list(const client::Resource &r, const QString &selector = {},
                            const QString &in = ns)
    {
        client::ListQuery q;
        q.labelSelector = selector;
        QList<QJsonObject> out;
        const auto l = wait([&](auto done) { m_api->list(r, in, q, done); });
        for (const QJsonValue &v : l.value_or(QJsonObject()).value(u"items").toArray())
            out.append(v.toObject());
        return out;
    }
    QStringList names(const client::Resource &r, const QString &selector)
    {
        QStringList out;
        for (const QJsonObject &o : list(r, selector))
            if (!metaOf(o).contains(u"deletionTimestamp"))
                out.append(nameOf(o));
        out.sort();
        return out;
    }
    bool create(const client::Resource &r, const QJsonObject &object, const QString &in = ns)
    {
        const auto created = wait([&](auto done) { m_api->create(r, in, object, {}, done); });
        if (!created)
            qWarning() << created.error().message;
        return created.has_value();
    }
    bool patch(const client::Resource &r, const QString &name, const QJsonObject &patch,
               const QString &in = ns)
    {
        return wait([&](auto done) {
                   m_api->patch(r, in, name, client::PatchType::Merge,
                                QJsonDocument(patch).toJson(), {}, {}, done);
               })
            .has_value();
    }
    bool remove(const client::Resource &r, const QString &name, const QString &in = ns)
    {
        return wait([&](auto done) { m_api->remove(r, in, name, {}, done); }).has_value();
    }
    bool hasEvent(const QString &message)
    {
        const QList<QJsonObject> events = list(eventsR);
        return std::any_of(events.begin(), events.end(), [&](const QJsonObject &e) {
            return e.value(u"message").toString() == message;
        });
    }
    QJsonObject statusOf(const client::Resource &r, const QString &name)
    {
        return get(r, name).value(u"status").toObject();
    }
    QJsonObject setStatus(const QString &name) { return statusOf(statefulSetsR, name); }
    int setCount(const QString &name, QStringView field)
    {
        return statusOf(statefulSetsR, name).value(field).toInt();
    }
    int daemonCount(const QString &name, QStringView field)
    {
        return statusOf(daemonSetsR, name).value(field).toInt();
    }
    static QJsonObject statefulSet(const QString &name, int replicas, const QString &policy)
    {
        QJsonObject set = fromJson(R"({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {},
            "spec": {
                "serviceName": "nginx",
                "selector": {"matchLabels": {}},
                "template": {
                    "metadata": {"labels": {}},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27",
                        "volumeMounts": [{"name": "www", "mountPath": "/usr/share/nginx/html"}]}]}},
                "volumeClaimTemplates": [{
                    "metadata": {"name": "www", "labels": {"tier": "storage"}},
                    "spec": {"accessModes": ["ReadWriteOnce"],
                             "resources": {"requests": {"storage": "1Gi"}}}}]}})");
        const QJsonObject labels{{u"app"_s, name}};
        QJsonObject spec = set.value(u"spec").toObject();
        spec.insert(u"replicas"_s, replicas);
        spec.insert(u"podManagementPolicy"_s, policy);
        spec.insert(u"selector"_s, QJsonObject{{u"matchLabels"_s, labels}});
        QJsonObject tmpl = spec.value(u"template").toObject();
        tmpl.insert(u"metadata"_s, QJsonObject{{u"labels"_s, labels}});
        spec.insert(u"template"_s, tmpl);
        set.insert(u"spec"_s, spec);
        set.insert(u"metadata"_s, QJsonObject{{u"name"_s, name}});
        return set;
    }
    static QJsonObject node(const QString &name, const QJsonArray &taints = {})
    {
        return {{u"apiVersion"_s, u"v1"_s},
                {u"kind"_s, u"Node"_s},
                {u"metadata"_s,
                 QJsonObject{{u"name"_s, name},
                             {u"labels"_s, QJsonObject{{u"kubernetes.io/hostname"_s, name}}}}},
                {u"spec"_s, QJsonObject{{u"taints"_s, taints}}}};
    }
    // Pod names in the order they were first seen terminating or gone.
    struct DeletionLog
    {
        QStringList order;
        std::unique_ptr<client::Informer> informer;
    };
    std::unique_ptr<DeletionLog> logDeletions()
    {
        auto log = std::make_unique<DeletionLog>();
        log->informer = std::make_unique<client::Informer>(*m_api, podsR);
        auto note = [l = log.get()](const QJsonObject &pod) {
            const QString uid = metaOf(pod).value(u"uid").toString();
            if (!l->order.contains(nameOf(pod) + u'@' + uid))
                l->order.append(nameOf(pod) + u'@' + uid);
        };
        connect(log->informer.get(), &client::Informer::updated, this,
                [note](const QJsonObject &, const QJsonObject &pod) {
                    if (metaOf(pod).contains(u"deletionTimestamp"))
                        note(pod);
                });
        connect(log->informer.get(), &client::Informer::deleted, this, note);
        log->informer->start();
        return log;
    }
    static QStringList namesOnly(const QStringList &log)
    {
        QStringList out;
        for (const QString &entry : log)
            out.append(entry.section(u'@', 0, 0));
        return out;
    }

    // The fewest nodes with a ready daemon pod of `app` seen at any pod change.
    struct ReadyWatch
    {
        explicit ReadyWatch(client::ApiClient &api) : informer(api, podsR) {}
        client::Informer informer;
        int fewest = INT_MAX;
    };
    std::unique_ptr<ReadyWatch> watchReadyNodes(const QString &app)
    {
        auto watch = std::make_unique<ReadyWatch>(*m_api);
        auto check = [w = watch.get(), app] {
            QSet<QString> readyNodes;
            for (const QJsonObject &pod : w->informer.list()) {
                if (labelOf(pod, u"app"_s) != app || metaOf(pod).contains(u"deletionTimestamp"))
                    continue;
                const QJsonObject status = pod.value(u"status").toObject();
                for (const QJsonValue &c : status.value(u"conditions").toArray())
                    if (c.toObject().value(u"type") == u"Ready"_s &&
                        c.toObject().value(u"status") == u"True"_s)
                        readyNodes.insert(affinityNode(pod));
            }
            w->fewest = std::min(w->fewest, int(readyNodes.size()));
        };
        connect(&watch->informer, &client::Informer::updated, this, check);
        connect(&watch->informer, &client::Informer::deleted, this, check);
        watch->informer.start();
        return watch;
    }
    QStringList daemonPodNodes(const QString &app)
    {
        QStringList nodes;
        for (const QJsonObject &pod : list(podsR, u"app="_s + app))
            if (!metaOf(pod).contains(u"deletionTimestamp"))
                nodes.append(affinityNode(pod));
        nodes.sort();
        return nodes;
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
        const client::Resource namespaces{u""_s, u"v1"_s, u"namespaces"_s};
        QTRY_VERIFY_WITH_TIMEOUT(!get(namespaces, ns, {}).isEmpty(), timeout);
        m_garbage = std::make_unique<controllers::GarbageCollector>(*m_api);
        m_garbage->start();
        m_statefulSets = std::make_unique<controllers::StatefulSetController>(*m_api);
        m_statefulSets->start();
        m_daemonSets = std::make_unique<controllers::DaemonSetController>(*m_api);
        m_daemonSets->start();
        m_kubelet = std::make_unique<FakeKubelet>(*m_api);
    }

    void cleanupTestCase()
    {
        m_kubelet.reset();
        m_daemonSets.reset();
        m_statefulSets.reset();
        m_garbage.reset();
        m_api.reset();
        m_server.reset();
    }

    void init() { m_kubelet->autoReady = true; }

    // --- StatefulSet ------------------------------------------------------------------------

    void orderedReadyCreatesEachPodOnlyAfterThePreviousIsReady()
    {
        m_kubelet->autoReady = false;
        QVERIFY(create(statefulSetsR, statefulSet(u"web"_s, 2, u"OrderedReady"_s)));
        QTRY_COMPARE_WITH_TIMEOUT(names(podsR, u"app=web"_s), QStringList{u"web-0"_s}, timeout);
        // The controller has looked again with web-0 there (and Pending): still no web-1.
        QTRY_COMPARE_WITH_TIMEOUT(setCount(u"web"_s, u"replicas"), 1, timeout);
        QCOMPARE(names(podsR, u"app=web"_s), QStringList{u"web-0"_s});

        m_kubelet->markReady(u"web-0"_s);
        QTRY_COMPARE_WITH_TIMEOUT(names(podsR, u"app=web"_s), (QStringList{u"web-0"_s, u"web-1"_s}),
                                  timeout);
        m_kubelet->markReady(u"web-1"_s);
        QTRY_COMPARE_WITH_TIMEOUT(setCount(u"web"_s, u"readyReplicas"), 2, timeout);

        const QJsonObject pod = get(podsR, u"web-1"_s);
        const QJsonObject spec = pod.value(u"spec").toObject();
        QCOMPARE(spec.value(u"hostname").toString(), u"web-1"_s);
        QCOMPARE(spec.value(u"subdomain").toString(), u"nginx"_s);
        QCOMPARE(labelOf(pod, u"statefulset.kubernetes.io/pod-name"_s), u"web-1"_s);
        QCOMPARE(labelOf(pod, u"apps.kubernetes.io/pod-index"_s), u"1"_s);
        const QJsonObject status = statusOf(statefulSetsR, u"web"_s);
        QCOMPARE(revisionOf(pod), status.value(u"updateRevision").toString());
        QCOMPARE(status.value(u"currentRevision"), status.value(u"updateRevision"));
        QCOMPARE(status.value(u"availableReplicas").toInt(), 2);
        QCOMPARE(status.value(u"updatedReplicas").toInt(), 2);
        QCOMPARE(status.value(u"collisionCount").toInt(), 0);
        QCOMPARE(status.value(u"observedGeneration").toInt(), 1);
        const QJsonObject revision = get(revisionsR, status.value(u"updateRevision").toString());
        QCOMPARE(revision.value(u"revision").toInt(), 1);
        QVERIFY(nameOf(revision).startsWith(u"web-"_s));

        // One claim per ordinal, labelled from its template and the selector, in the pod's volumes.
        const QJsonObject claim = get(claimsR, u"www-web-1"_s);
        QCOMPARE(labelOf(claim, u"tier"_s), u"storage"_s);
        QCOMPARE(labelOf(claim, u"app"_s), u"web"_s);
        QVERIFY(!get(claimsR, u"www-web-0"_s).isEmpty());
        const QJsonObject volume = spec.value(u"volumes").toArray().first().toObject();
        QCOMPARE(volume.value(u"name").toString(), u"www"_s);
        QCOMPARE(volume.value(u"persistentVolumeClaim").toObject().value(u"claimName").toString(),
                 u"www-web-1"_s);

        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(u"create Pod web-0 in StatefulSet web successful"_s),
                                 timeout);
        QVERIFY(hasEvent(u"create Claim www-web-0 Pod web-0 in StatefulSet web success"_s));
    }

    void deletedPodComesBackWithTheSameNameAndClaim()
    {
        const QString oldUid = metaOf(get(podsR, u"web-1"_s)).value(u"uid").toString();
        const QString claimUid = metaOf(get(claimsR, u"www-web-1"_s)).value(u"uid").toString();
        QVERIFY(!oldUid.isEmpty());
        QVERIFY(remove(podsR, u"web-1"_s));
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QString uid = metaOf(get(podsR, u"web-1"_s)).value(u"uid").toString();
                return !uid.isEmpty() && uid != oldUid;
            }(),
            timeout);
        QCOMPARE(metaOf(get(claimsR, u"www-web-1"_s)).value(u"uid").toString(), claimUid);
        QTRY_COMPARE_WITH_TIMEOUT(setCount(u"web"_s, u"readyReplicas"), 2, timeout);
    }

    void scaleDownRemovesTheHighestOrdinalFirstAndKeepsClaims()
    {
        QVERIFY(patch(statefulSetsR, u"web"_s, fromJson(R"({"spec": {"replicas": 3}})")));
        QTRY_COMPARE_WITH_TIMEOUT(setCount(u"web"_s, u"readyReplicas"), 3, timeout);
        const auto log = logDeletions();
        QTRY_VERIFY_WITH_TIMEOUT(log->informer->hasSynced(), timeout);
        QVERIFY(patch(statefulSetsR, u"web"_s, fromJson(R"({"spec": {"replicas": 1}})")));
        QTRY_COMPARE_WITH_TIMEOUT(names(podsR, u"app=web"_s), QStringList{u"web-0"_s}, timeout);
        QTRY_COMPARE_WITH_TIMEOUT(namesOnly(log->order), (QStringList{u"web-2"_s, u"web-1"_s}),
                                  timeout);
        QVERIFY(!get(claimsR, u"www-web-2"_s).isEmpty()); // Retain: claims stay
        QVERIFY(hasEvent(u"delete Pod web-2 in StatefulSet web successful"_s));
        QTRY_COMPARE_WITH_TIMEOUT(setCount(u"web"_s, u"replicas"), 1, timeout);
    }

    void rollingUpdateReplacesPodsFromTheHighestOrdinalDown()
    {
        QVERIFY(create(statefulSetsR, statefulSet(u"db"_s, 3, u"OrderedReady"_s)));
        QTRY_COMPARE_WITH_TIMEOUT(setCount(u"db"_s, u"readyReplicas"), 3, timeout);
        const QString firstRevision = setStatus(u"db"_s).value(u"updateRevision").toString();
        const auto log = logDeletions();
        QTRY_VERIFY_WITH_TIMEOUT(log->informer->hasSynced(), timeout);
        QVERIFY(patch(statefulSetsR, u"db"_s,
                      fromJson(R"({"spec": {"template": {"spec": {"containers": [
                          {"name": "nginx", "image": "nginx:1.28"}]}}}})")));
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QJsonObject s = statusOf(statefulSetsR, u"db"_s);
                return s.value(u"updateRevision").toString() != firstRevision &&
                       s.value(u"currentRevision") == s.value(u"updateRevision") &&
                       s.value(u"updatedReplicas").toInt() == 3 &&
                       s.value(u"readyReplicas").toInt() == 3;
            }(),
            timeout);
        QCOMPARE(namesOnly(log->order), (QStringList{u"db-2"_s, u"db-1"_s, u"db-0"_s}));
        const QString revision = setStatus(u"db"_s).value(u"updateRevision").toString();
        for (const QJsonObject &pod : list(podsR, u"app=db"_s)) {
            QCOMPARE(revisionOf(pod), revision);
            QCOMPARE(pod.value(u"spec")
                         .toObject()
                         .value(u"containers")
                         .toArray()
                         .first()
                         .toObject()
                         .value(u"image")
                         .toString(),
                     u"nginx:1.28"_s);
        }
        QCOMPARE(list(revisionsR, u"app=db"_s).size(), 2);
        QCOMPARE(get(revisionsR, revision).value(u"revision").toInt(), 2);
    }

    void rollingUpdateLeavesOrdinalsBelowThePartition()
    {
        QVERIFY(patch(statefulSetsR, u"db"_s, fromJson(R"({"spec": {
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}},
            "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.29"}]}}}})")));
        auto image = [this](const QString &pod) {
            return get(podsR, pod)
                .value(u"spec")
                .toObject()
                .value(u"containers")
                .toArray()
                .first()
                .toObject()
                .value(u"image")
                .toString();
        };
        QTRY_COMPARE_WITH_TIMEOUT(image(u"db-2"_s), u"nginx:1.29"_s, timeout);
        QTRY_COMPARE_WITH_TIMEOUT(setCount(u"db"_s, u"readyReplicas"), 3, timeout);
        const QJsonObject status = statusOf(statefulSetsR, u"db"_s);
        QCOMPARE(status.value(u"updatedReplicas").toInt(), 1);
        QCOMPARE(status.value(u"currentReplicas").toInt(), 2);
        QVERIFY(status.value(u"currentRevision") != status.value(u"updateRevision"));
        QCOMPARE(image(u"db-1"_s), u"nginx:1.28"_s);
        QCOMPARE(image(u"db-0"_s), u"nginx:1.28"_s);
    }

    void onDeleteUpdatesAPodOnlyWhenItIsDeleted()
    {
        QJsonObject set = statefulSet(u"queue"_s, 2, u"Parallel"_s);
        QJsonObject spec = set.value(u"spec").toObject();
        spec.insert(u"updateStrategy"_s, fromJson(R"({"type": "OnDelete"})"));
        set.insert(u"spec"_s, spec);
        QVERIFY(create(statefulSetsR, set));
        QTRY_COMPARE_WITH_TIMEOUT(setCount(u"queue"_s, u"readyReplicas"), 2, timeout);
        const QString oldRevision = revisionOf(get(podsR, u"queue-1"_s));
        QVERIFY(patch(statefulSetsR, u"queue"_s,
                      fromJson(R"({"spec": {"template": {"spec": {"containers": [
                          {"name": "nginx", "image": "nginx:1.28"}]}}}})")));
        QTRY_COMPARE_WITH_TIMEOUT(setCount(u"queue"_s, u"observedGeneration"), 2, timeout);
        const QJsonObject status = statusOf(statefulSetsR, u"queue"_s);
        QVERIFY(status.value(u"updateRevision").toString() != oldRevision);
        QCOMPARE(status.value(u"currentRevision").toString(), oldRevision);
        QCOMPARE(status.value(u"updatedReplicas").toInt(), 0);
        QCOMPARE(revisionOf(get(podsR, u"queue-1"_s)), oldRevision);

        QVERIFY(remove(podsR, u"queue-1"_s));
        QTRY_COMPARE_WITH_TIMEOUT(revisionOf(get(podsR, u"queue-1"_s)),
                                  status.value(u"updateRevision").toString(), timeout);
        QTRY_COMPARE_WITH_TIMEOUT(setCount(u"queue"_s, u"updatedReplicas"), 1, timeout);
        QCOMPARE(revisionOf(get(podsR, u"queue-0"_s)), oldRevision);
    }

    void parallelCreatesEveryPodWithoutWaiting()
    {
        m_kubelet->autoReady = false;
        QVERIFY(create(statefulSetsR, statefulSet(u"cache"_s, 3, u"Parallel"_s)));
        QTRY_COMPARE_WITH_TIMEOUT(names(podsR, u"app=cache"_s),
                                  (QStringList{u"cache-0"_s, u"cache-1"_s, u"cache-2"_s}), timeout);
        QCOMPARE(setCount(u"cache"_s, u"readyReplicas"), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!get(claimsR, u"www-cache-2"_s).isEmpty(), timeout);
    }

    void scaleDownWithDeletePolicyRemovesTheClaims()
    {
        QJsonObject set = statefulSet(u"tmp"_s, 2, u"Parallel"_s);
        QJsonObject spec = set.value(u"spec").toObject();
        spec.insert(u"persistentVolumeClaimRetentionPolicy"_s,
                    fromJson(R"({"whenDeleted": "Retain", "whenScaled": "Delete"})"));
        set.insert(u"spec"_s, spec);
        QVERIFY(create(statefulSetsR, set));
        QTRY_COMPARE_WITH_TIMEOUT(setCount(u"tmp"_s, u"readyReplicas"), 2, timeout);
        QVERIFY(patch(statefulSetsR, u"tmp"_s, fromJson(R"({"spec": {"replicas": 1}})")));
        QTRY_COMPARE_WITH_TIMEOUT(names(podsR, u"app=tmp"_s), QStringList{u"tmp-0"_s}, timeout);
        // The claim of the removed pod went with it (owner reference to the pod, then the
        // garbage collector); the claim of the remaining pod stays.
        QTRY_VERIFY_WITH_TIMEOUT(get(claimsR, u"www-tmp-1"_s).isEmpty(), timeout);
        QVERIFY(!get(claimsR, u"www-tmp-0"_s).isEmpty());
    }

    // --- DaemonSet --------------------------------------------------------------------------

    void daemonPlacement_data()
    {
        QTest::addColumn<QJsonObject>("podSpec");
        QTest::addColumn<QJsonObject>("nodeLabels");
        QTest::addColumn<QJsonArray>("taints");
        QTest::addColumn<bool>("shouldRun");
        QTest::addColumn<bool>("shouldContinueRunning");
        const QJsonObject none;
        const QJsonObject ssd{{u"disk"_s, u"ssd"_s}, {u"cores"_s, u"8"_s}};
        auto affinity = [](const char *expressions) {
            const QByteArray json =
                R"({"affinity": {"nodeAffinity": {)"
                R"("requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": )" +
                QByteArray(expressions) + "}}}}";
            return fromJson(json.constData());
        };
        auto taint = [](const char *key, const char *effect) {
            return QJsonArray{QJsonObject{{u"key"_s, QString::fromUtf8(key)},
                                          {u"value"_s, u"x"_s},
                                          {u"effect"_s, QString::fromUtf8(effect)}}};
        };
        QTest::newRow("any node") << none << none << QJsonArray() << true << true;
        QTest::newRow("nodeSelector matches") << fromJson(R"({"nodeSelector": {"disk": "ssd"}})")
                                              << ssd << QJsonArray() << true << true;
        QTest::newRow("nodeSelector does not match")
            << fromJson(R"({"nodeSelector": {"disk": "ssd"}})") << none << QJsonArray() << false
            << false;
        QTest::newRow("affinity In")
            << affinity(
                   R"([{"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd", "nvme"]}]}])")
            << ssd << QJsonArray() << true << true;
        QTest::newRow("affinity NotIn")
            << affinity(
                   R"([{"matchExpressions": [{"key": "disk", "operator": "NotIn", "values": ["ssd"]}]}])")
            << ssd << QJsonArray() << false << false;
        QTest::newRow("affinity Gt")
            << affinity(
                   R"([{"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["4"]}]}])")
            << ssd << QJsonArray() << true << true;
        QTest::newRow("affinity terms are ORed")
            << affinity(R"([{"matchExpressions": [{"key": "gpu", "operator": "Exists"}]},
                            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}])")
            << none << QJsonArray() << true << true;
        QTest::newRow("affinity on another node name")
            << affinity(
                   R"([{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n2"]}]}])")
            << none << QJsonArray() << false << false;
        QTest::newRow("NoSchedule taint not tolerated: stays if there")
            << none << none << taint("dedicated", "NoSchedule") << false << true;
        QTest::newRow("NoExecute taint not tolerated")
            << none << none << taint("dedicated", "NoExecute") << false << false;
        QTest::newRow("taint tolerated with Exists")
            << fromJson(R"({"tolerations": [{"key": "dedicated", "operator": "Exists"}]})") << none
            << taint("dedicated", "NoSchedule") << true << true;
        QTest::newRow("taint tolerated with a different value")
            << fromJson(
                   R"({"tolerations": [{"key": "dedicated", "value": "y", "effect": "NoSchedule"}]})")
            << none << taint("dedicated", "NoSchedule") << false << true;
        QTest::newRow("not-ready node: default toleration")
            << none << none << taint("node.kubernetes.io/not-ready", "NoExecute") << true << true;
        QTest::newRow("unschedulable node: default toleration")
            << none << none << taint("node.kubernetes.io/unschedulable", "NoSchedule") << true
            << true;
        const QJsonArray networkUnavailable =
            taint("node.kubernetes.io/network-unavailable", "NoSchedule");
        QTest::newRow("network-unavailable: only host-network pods")
            << none << none << networkUnavailable << false << true;
        QTest::newRow("network-unavailable: host-network pod")
            << fromJson(R"({"hostNetwork": true})") << none << networkUnavailable << true << true;
    }

    void daemonPlacement()
    {
        QFETCH(QJsonObject, podSpec);
        QFETCH(QJsonObject, nodeLabels);
        QFETCH(QJsonArray, taints);
        QFETCH(bool, shouldRun);
        QFETCH(bool, shouldContinueRunning);
        const QJsonObject meta{{u"name"_s, u"n1"_s}, {u"labels"_s, nodeLabels}};
        const QJsonObject node{{u"metadata"_s, meta},
                               {u"spec"_s, QJsonObject{{u"taints"_s, taints}}}};
        const QJsonObject ds{
            {u"spec"_s, QJsonObject{{u"template"_s, QJsonObject{{u"spec"_s, podSpec}}}}}};
        const controllers::DaemonPlacement placement = controllers::daemonPlacement(node, ds);
        QCOMPARE(placement.shouldRun, shouldRun);
        QCOMPARE(placement.shouldContinueRunning, shouldContinueRunning);
    }

    void daemonSetRunsOnePodPerEligibleNode()
    {
        QVERIFY(create(nodesR, node(u"node-a"_s), {}));
        QVERIFY(create(nodesR, node(u"node-b"_s), {}));
        const QJsonObject gpuOnly{
            {u"key"_s, u"dedicated"_s}, {u"value"_s, u"gpu"_s}, {u"effect"_s, u"NoSchedule"_s}};
        QVERIFY(create(nodesR, node(u"node-c"_s, QJsonArray{gpuOnly}), {}));
        QVERIFY(create(daemonSetsR, fromJson(R"({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "logger"},
            "spec": {"selector": {"matchLabels": {"app": "logger"}},
                     "template": {"metadata": {"labels": {"app": "logger"}},
                                  "spec": {"containers": [{"name": "fluentd", "image": "fluentd:1"}]}}}})")));
        auto podNodes = [this] { return daemonPodNodes(u"logger"_s); };
        QTRY_COMPARE_WITH_TIMEOUT(podNodes(), (QStringList{u"node-a"_s, u"node-b"_s}), timeout);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QJsonObject s = statusOf(daemonSetsR, u"logger"_s);
                return s.value(u"desiredNumberScheduled").toInt() == 2 &&
                       s.value(u"currentNumberScheduled").toInt() == 2 &&
                       s.value(u"numberReady").toInt() == 2 &&
                       s.value(u"numberAvailable").toInt() == 2 &&
                       s.value(u"updatedNumberScheduled").toInt() == 2 &&
                       s.value(u"numberMisscheduled").toInt() == 0 &&
                       !s.contains(u"numberUnavailable") &&
                       s.value(u"observedGeneration").toInt() == 1;
            }(),
            timeout);

        const QJsonObject pod = list(podsR, u"app=logger"_s).first();
        QCOMPARE(metaOf(pod).value(u"generateName").toString(), u"logger-"_s);
        QVERIFY(!revisionOf(pod).isEmpty());
        QStringList tolerations;
        for (const QJsonValue &t : pod.value(u"spec").toObject().value(u"tolerations").toArray())
            tolerations.append(t.toObject().value(u"key").toString() + u':' +
                               t.toObject().value(u"effect").toString());
        QCOMPARE(tolerations, (QStringList{u"node.kubernetes.io/not-ready:NoExecute"_s,
                                           u"node.kubernetes.io/unreachable:NoExecute"_s,
                                           u"node.kubernetes.io/disk-pressure:NoSchedule"_s,
                                           u"node.kubernetes.io/memory-pressure:NoSchedule"_s,
                                           u"node.kubernetes.io/pid-pressure:NoSchedule"_s,
                                           u"node.kubernetes.io/unschedulable:NoSchedule"_s}));
        QVERIFY(hasEvent(u"Created pod: "_s + nameOf(pod)));

        // A new node gets its pod; a node that goes takes its pod with it.
        QVERIFY(create(nodesR, node(u"node-d"_s), {}));
        QTRY_COMPARE_WITH_TIMEOUT(podNodes(), (QStringList{u"node-a"_s, u"node-b"_s, u"node-d"_s}),
                                  timeout);
        QVERIFY(remove(nodesR, u"node-d"_s, {}));
        QTRY_COMPARE_WITH_TIMEOUT(podNodes(), (QStringList{u"node-a"_s, u"node-b"_s}), timeout);
        // A node that stops matching (a NoExecute taint) loses its pod too.
        QVERIFY(patch(
            nodesR, u"node-b"_s,
            fromJson(R"({"spec": {"taints": [{"key": "maintenance", "effect": "NoExecute"}]}})"),
            {}));
        QTRY_COMPARE_WITH_TIMEOUT(podNodes(), QStringList{u"node-a"_s}, timeout);
        QVERIFY(patch(nodesR, u"node-b"_s, fromJson(R"({"spec": {"taints": null}})"), {}));
        QTRY_COMPARE_WITH_TIMEOUT(podNodes(), (QStringList{u"node-a"_s, u"node-b"_s}), timeout);
    }

    void daemonSetRollingUpdateKeepsAllButOneNodeAvailable()
    {
        QTRY_COMPARE_WITH_TIMEOUT(daemonCount(u"logger"_s, u"numberAvailable"), 2, timeout);
        // Watch the update: at no time may both nodes be without a ready pod (maxUnavailable 1).
        const auto watch = watchReadyNodes(u"logger"_s);
        QTRY_VERIFY_WITH_TIMEOUT(watch->informer.hasSynced(), timeout);
        const QString oldHash = revisionOf(list(podsR, u"app=logger"_s).first());
        QVERIFY(patch(daemonSetsR, u"logger"_s, fromJson(R"({"spec": {"template": {"spec": {
            "containers": [{"name": "fluentd", "image": "fluentd:2"}]}}}})")));
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QJsonObject s = statusOf(daemonSetsR, u"logger"_s);
                const QList<QJsonObject> current = list(podsR, u"app=logger"_s);
                return s.value(u"observedGeneration").toInt() == 2 &&
                       s.value(u"updatedNumberScheduled").toInt() == 2 &&
                       s.value(u"numberAvailable").toInt() == 2 && current.size() == 2 &&
                       std::all_of(current.begin(), current.end(),
                                   [&](const QJsonObject &p) { return revisionOf(p) != oldHash; });
            }(),
            timeout);
        QCOMPARE(watch->fewest, 1);
        QCOMPARE(list(revisionsR, u"app=logger"_s).size(), 2);
    }

    void daemonSetSurgeUpdateStartsTheNewPodBeforeStoppingTheOld()
    {
        QVERIFY(create(daemonSetsR, fromJson(R"({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent"},
            "spec": {"selector": {"matchLabels": {"app": "agent"}},
                     "updateStrategy": {"type": "RollingUpdate",
                                        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
                     "template": {"metadata": {"labels": {"app": "agent"}},
                                  "spec": {"containers": [{"name": "agent", "image": "agent:1"}]}}}})")));
        QTRY_COMPARE_WITH_TIMEOUT(daemonCount(u"agent"_s, u"numberAvailable"), 2, timeout);
        const auto watch = watchReadyNodes(u"agent"_s);
        QTRY_VERIFY_WITH_TIMEOUT(watch->informer.hasSynced(), timeout);
        QVERIFY(patch(daemonSetsR, u"agent"_s, fromJson(R"({"spec": {"template": {"spec": {
            "containers": [{"name": "agent", "image": "agent:2"}]}}}})")));
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QJsonObject s = statusOf(daemonSetsR, u"agent"_s);
                return s.value(u"observedGeneration").toInt() == 2 &&
                       s.value(u"updatedNumberScheduled").toInt() == 2 &&
                       s.value(u"numberAvailable").toInt() == 2 &&
                       daemonPodNodes(u"agent"_s) == (QStringList{u"node-a"_s, u"node-b"_s});
            }(),
            timeout);
        QCOMPARE(watch->fewest, 2); // every node kept a ready pod throughout
    }

    void revisionHashUsesTheSafeAlphabet()
    {
        const QString a = controllers::revisionHash("data", 0);
        QVERIFY(!a.isEmpty());
        for (const QChar c : a)
            QVERIFY2(u"bcdfghjklmnpqrstvwxz2456789"_s.contains(c), qPrintable(a));
        QVERIFY(a != controllers::revisionHash("data", 1));
        QCOMPARE(a, controllers::revisionHash("data", 0));
    }
};

QTEST_GUILESS_MAIN(TestSetControllers)
#include "tst_setcontrollers.moc"
