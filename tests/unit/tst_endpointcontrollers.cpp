// The Endpoints and EndpointSlice controllers against the real API server in this process:
// pods (placed on a node and given an IP and readiness by the test, as a kubelet would) are
// published for the Services that select them, ready or not, by the ports their targetPorts
// resolve to; headless hostnames, terminating pods, pods leaving a selector, Services going,
// slices split at the maximum size; and nothing is written when nothing changed.
#include "controllers/endpointscontroller.h"
#include "controllers/endpointslicecontroller.h"

#include "controllertesting.h"

#include <QTest>

using namespace timonel;
using namespace timonel::test;
using namespace Qt::StringLiterals;

namespace {

const client::Resource services{QString(), u"v1"_s, u"services"_s};
const client::Resource endpoints{QString(), u"v1"_s, u"endpoints"_s};
const client::Resource nodes{QString(), u"v1"_s, u"nodes"_s};
const client::Resource slices{u"discovery.k8s.io"_s, u"v1"_s, u"endpointslices"_s};

// JSON text with %1, %2... filled in.
QJsonObject json(const char *text, const QStringList &args = {})
{
    QString t = QString::fromUtf8(text);
    for (const QString &a : args)
        t = t.arg(a);
    const QJsonDocument doc = QJsonDocument::fromJson(t.toUtf8());
    Q_ASSERT(doc.isObject());
    return doc.object();
}

QJsonArray jsonArray(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).array();
}

QJsonObject service(const QString &ns, const QString &name, const QJsonArray &ports,
                    const QJsonObject &extraSpec = {})
{
    QJsonObject s = json(R"({"apiVersion": "v1", "kind": "Service",
                             "metadata": {"name": "%1", "namespace": "%2", "labels": {"team": "a"}},
                             "spec": {"selector": {"app": "%1"}}})",
                         {name, ns});
    QJsonObject spec = specOf(s);
    spec.insert(u"ports"_s, ports);
    for (auto it = extraSpec.begin(); it != extraSpec.end(); ++it)
        spec.insert(it.key(), it.value());
    s.insert(u"spec"_s, spec);
    return s;
}

const char *httpPort = R"([{"name": "http", "port": 80, "targetPort": 8080}])";

// The cluster's client, counting the writes the controllers send (the API server drops no-op
// updates on its own, so resourceVersions alone would not show a write storm).
class CountingClient : public test::ForwardingClient
{
public:
    using ForwardingClient::ForwardingClient;

    QHash<QString, int> writes; // by resource

    void create(const client::Resource &r, const QString &ns, const QJsonObject &object,
                const client::WriteQuery &query, client::Callback<QJsonObject> done) override
    {
        ++writes[r.resource];
        ForwardingClient::create(r, ns, object, query, std::move(done));
    }
    void update(const client::Resource &r, const QString &ns, const QJsonObject &object,
                const QString &subresource, const client::WriteQuery &query,
                client::Callback<QJsonObject> done) override
    {
        ++writes[r.resource];
        ForwardingClient::update(r, ns, object, subresource, query, std::move(done));
    }
    void patch(const client::Resource &r, const QString &ns, const QString &name,
               client::PatchType type, const QByteArray &body, const QString &subresource,
               const client::WriteQuery &query, client::Callback<QJsonObject> done) override
    {
        ++writes[r.resource];
        ForwardingClient::patch(r, ns, name, type, body, subresource, query, std::move(done));
    }
    void remove(const client::Resource &r, const QString &ns, const QString &name,
                const client::DeleteQuery &query, client::Callback<QJsonObject> done) override
    {
        ++writes[r.resource];
        ForwardingClient::remove(r, ns, name, query, std::move(done));
    }
};

} // namespace

class TestEndpointControllers : public QObject
{
    Q_OBJECT

    TestCluster m_cluster;
    std::unique_ptr<CountingClient> m_counting;
    std::unique_ptr<controllers::EndpointsController> m_endpoints;
    std::unique_ptr<controllers::EndpointSliceController> m_slices;

    QJsonObject get(const client::Resource &r, const QString &ns, const QString &name)
    {
        return m_cluster.get(r, ns, name).value_or(QJsonObject());
    }

    // A pod on node-1 as its kubelet reports it: Running with an IP, ready or not.
    QJsonObject runPod(const QString &ns, const QString &name, const QString &app,
                       const QString &ip, bool ready, const QJsonObject &extraSpec = {})
    {
        QJsonObject pod = json(R"({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "%1", "namespace": "%2", "labels": {"app": "%3"}},
            "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "nginx",
                     "ports": [{"name": "http", "containerPort": 8080},
                               {"name": "dns", "containerPort": 5353, "protocol": "UDP"}]}]}})",
                               {name, ns, app});
        QJsonObject spec = specOf(pod);
        for (auto it = extraSpec.begin(); it != extraSpec.end(); ++it)
            spec.insert(it.key(), it.value());
        pod.insert(u"spec"_s, spec);
        const auto created = m_cluster.create(resources::pods, pod);
        if (!created)
            return {};
        setStatus(ns, name, ip, ready);
        return get(resources::pods, ns, name);
    }

    void setStatus(const QString &ns, const QString &name, const QString &ip, bool ready)
    {
        const QString status = ready ? u"True"_s : u"False"_s;
        m_cluster.mergePatch(resources::pods, ns, name,
                             json(R"({"status": {"phase": "Running", "podIP": "%1",
                                                 "podIPs": [{"ip": "%1"}],
                                                 "conditions": [{"type": "Ready", "status": "%2"}]}})",
                                  {ip, status}),
                             u"status"_s);
    }

    QJsonArray subsetsOf(const QString &ns, const QString &name)
    {
        return get(endpoints, ns, name).value(u"subsets").toArray();
    }

    QList<QJsonObject> slicesOf(const QString &ns, const QString &service)
    {
        return m_cluster.list(slices, ns, u"kubernetes.io/service-name="_s + service);
    }

    // Every endpoint of the service's slices, by pod name.
    QMap<QString, QJsonObject> sliceEndpoints(const QString &ns, const QString &service)
    {
        QMap<QString, QJsonObject> found;
        for (const QJsonObject &slice : slicesOf(ns, service))
            for (const QJsonValue &e : slice.value(u"endpoints").toArray())
                found.insert(e.toObject().value(u"targetRef").toObject().value(u"name").toString(),
                             e.toObject());
        return found;
    }

    static QStringList ipsIn(const QJsonArray &subsets, const QString &field)
    {
        QStringList ips;
        for (const QJsonValue &s : subsets)
            for (const QJsonValue &a : s.toObject().value(field).toArray())
                ips.append(a.toObject().value(u"ip").toString());
        return ips;
    }

    static QJsonObject conditions(bool ready, bool serving, bool terminating)
    {
        return {{u"ready"_s, ready}, {u"serving"_s, serving}, {u"terminating"_s, terminating}};
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto started = m_cluster.start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error()));
        m_cluster.startGarbageCollector();
        QVERIFY(m_cluster.create(nodes, json(R"({"apiVersion": "v1", "kind": "Node",
                            "metadata": {"name": "node-1",
                                         "labels": {"topology.kubernetes.io/zone": "zone-a"}}})")));
        m_counting = std::make_unique<CountingClient>(m_cluster.api());
        m_endpoints = std::make_unique<controllers::EndpointsController>(*m_counting);
        m_endpoints->start();
        controllers::EndpointSliceControllerOptions options;
        options.maxEndpointsPerSlice = 2; // small, so that splitting is seen with a few pods
        m_slices = std::make_unique<controllers::EndpointSliceController>(*m_counting, options);
        m_slices->start();
    }

    void cleanupTestCase()
    {
        m_slices.reset();
        m_endpoints.reset();
        m_counting.reset();
    }

    void readyAndNotReadyPodsArePublished_data()
    {
        QTest::addColumn<bool>("publishNotReady");
        QTest::newRow("not-ready-apart") << false;
        QTest::newRow("publish-not-ready") << true;
    }

    void readyAndNotReadyPodsArePublished()
    {
        QFETCH(bool, publishNotReady);
        const QString ns = publishNotReady ? u"ep-publish"_s : u"ep-ready"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QVERIFY(m_cluster.create(services,
                                 service(ns, u"web"_s, jsonArray(httpPort),
                                         {{u"publishNotReadyAddresses"_s, publishNotReady}})));
        const QJsonObject ready = runPod(ns, u"ready"_s, u"web"_s, u"10.1.0.1"_s, true);
        const QJsonObject notReady = runPod(ns, u"not-ready"_s, u"web"_s, u"10.1.0.2"_s, false);
        QVERIFY(!ready.isEmpty() && !notReady.isEmpty());

        const QJsonObject readyAddress{{u"ip"_s, u"10.1.0.1"_s},
                                       {u"nodeName"_s, u"node-1"_s},
                                       {u"targetRef"_s, QJsonObject{{u"kind"_s, u"Pod"_s},
                                                                    {u"namespace"_s, ns},
                                                                    {u"name"_s, u"ready"_s},
                                                                    {u"uid"_s, uidOf(ready)}}}};
        QJsonObject notReadyAddress = readyAddress;
        notReadyAddress.insert(u"ip"_s, u"10.1.0.2"_s);
        notReadyAddress.insert(u"targetRef"_s, QJsonObject{{u"kind"_s, u"Pod"_s},
                                                           {u"namespace"_s, ns},
                                                           {u"name"_s, u"not-ready"_s},
                                                           {u"uid"_s, uidOf(notReady)}});
        QJsonObject subset{{u"ports"_s, jsonArray(R"([{"name": "http", "port": 8080,
                                                       "protocol": "TCP"}])")}};
        if (publishNotReady) {
            subset.insert(u"addresses"_s, QJsonArray{readyAddress, notReadyAddress});
        } else {
            subset.insert(u"addresses"_s, QJsonArray{readyAddress});
            subset.insert(u"notReadyAddresses"_s, QJsonArray{notReadyAddress});
        }
        QTRY_COMPARE_WITH_TIMEOUT(subsetsOf(ns, u"web"_s), QJsonArray{subset}, 10000);
        QCOMPARE(labelsOf(get(endpoints, ns, u"web"_s)), json(R"({"team": "a"})"));

        QTRY_COMPARE_WITH_TIMEOUT(sliceEndpoints(ns, u"web"_s).size(), 2, 10000);
        const QList<QJsonObject> found = slicesOf(ns, u"web"_s);
        QCOMPARE(found.size(), 1);
        const QJsonObject slice = found.first();
        QCOMPARE(slice.value(u"addressType").toString(), u"IPv4"_s);
        QCOMPARE(slice.value(u"ports").toArray(),
                 jsonArray(R"([{"name": "http", "port": 8080, "protocol": "TCP"}])"));
        QVERIFY(metaOf(slice).value(u"name").toString().startsWith(u"web-"));
        QCOMPARE(metaOf(slice).value(u"generateName").toString(), u"web-"_s);
        QCOMPARE(labelsOf(slice), json(R"({"team": "a", "kubernetes.io/service-name": "web",
                "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"})"));
        const QJsonObject owner =
            metaOf(slice).value(u"ownerReferences").toArray().first().toObject();
        QCOMPARE(owner.value(u"kind").toString(), u"Service"_s);
        QCOMPARE(owner.value(u"name").toString(), u"web"_s);
        QCOMPARE(owner.value(u"uid").toString(), uidOf(get(services, ns, u"web"_s)));
        QVERIFY(owner.value(u"controller").toBool() && owner.value(u"blockOwnerDeletion").toBool());

        const QJsonObject readyEndpoint = sliceEndpoints(ns, u"web"_s).value(u"ready"_s);
        QCOMPARE(readyEndpoint.value(u"addresses").toArray(), QJsonArray{u"10.1.0.1"_s});
        QCOMPARE(readyEndpoint.value(u"conditions").toObject(), conditions(true, true, false));
        QCOMPARE(readyEndpoint.value(u"nodeName").toString(), u"node-1"_s);
        QCOMPARE(readyEndpoint.value(u"zone").toString(), u"zone-a"_s);
        QCOMPARE(readyEndpoint.value(u"targetRef").toObject(),
                 readyAddress.value(u"targetRef").toObject());
        QCOMPARE(sliceEndpoints(ns, u"web"_s).value(u"not-ready"_s).value(u"conditions").toObject(),
                 conditions(publishNotReady, false, false));

        // Readiness changes move the address.
        setStatus(ns, u"not-ready"_s, u"10.1.0.2"_s, true);
        QTRY_COMPARE_WITH_TIMEOUT(ipsIn(subsetsOf(ns, u"web"_s), u"addresses"_s),
                                  QStringList({u"10.1.0.1"_s, u"10.1.0.2"_s}), 10000);
        QVERIFY(ipsIn(subsetsOf(ns, u"web"_s), u"notReadyAddresses"_s).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(
            sliceEndpoints(ns, u"web"_s).value(u"not-ready"_s).value(u"conditions").toObject(),
            conditions(true, true, false), 10000);
    }

    void targetPortsResolveToContainerPorts_data()
    {
        QTest::addColumn<QString>("ports");
        QTest::addColumn<QString>("subsets");
        QTest::addColumn<QString>("slicePorts");
        QTest::newRow("numeric") << R"([{"port": 80, "targetPort": 9000}])"
                                 << R"([{"ips": ["10.2.0.1", "10.2.0.2"],
                                         "ports": [{"port": 9000, "protocol": "TCP"}]}])"
                                 << R"([[{"name": "", "port": 9000, "protocol": "TCP"}]])";
        QTest::newRow("named") << R"([{"name": "web", "port": 80, "targetPort": "http"}])"
                               << R"([{"ips": ["10.2.0.1"],
                                       "ports": [{"name": "web", "port": 8080, "protocol": "TCP"}]}])"
                               << R"([[], [{"name": "web", "port": 8080, "protocol": "TCP"}]])";
        QTest::newRow("named-udp") << R"([{"name": "dns", "port": 53, "targetPort": "dns",
                                           "protocol": "UDP"}])"
                                   << R"([{"ips": ["10.2.0.1"],
                                           "ports": [{"name": "dns", "port": 5353, "protocol": "UDP"}]}])"
                                   << R"([[], [{"name": "dns", "port": 5353, "protocol": "UDP"}]])";
        QTest::newRow("named-wrong-protocol")
            << R"([{"name": "dns", "port": 53, "targetPort": "dns"}])"
            << R"([])"
            << R"([[]])";
        QTest::newRow("multiple") << R"([{"name": "web", "port": 80, "targetPort": "http"},
                   {"name": "metrics", "port": 9090, "targetPort": 9090}])"
                                  << R"([{"ips": ["10.2.0.1", "10.2.0.2"],
                    "ports": [{"name": "metrics", "port": 9090, "protocol": "TCP"}]},
                   {"ips": ["10.2.0.1"],
                    "ports": [{"name": "web", "port": 8080, "protocol": "TCP"}]}])"
                                  << R"([[{"name": "metrics", "port": 9090, "protocol": "TCP"}],
                   [{"name": "metrics", "port": 9090, "protocol": "TCP"},
                    {"name": "web", "port": 8080, "protocol": "TCP"}]])";
    }

    // Pod "named" has the container ports http (8080/TCP) and dns (5353/UDP); pod "bare" has none.
    void targetPortsResolveToContainerPorts()
    {
        QFETCH(QString, ports);
        QFETCH(QString, subsets);
        QFETCH(QString, slicePorts);
        const QString ns = u"ports-"_s + QString::fromLatin1(QTest::currentDataTag());
        QVERIFY(m_cluster.createNamespace(ns));
        QVERIFY(m_cluster.create(services,
                                 service(ns, u"svc"_s, jsonArray(ports.toUtf8().constData()))));
        QVERIFY(!runPod(ns, u"named"_s, u"svc"_s, u"10.2.0.1"_s, true).isEmpty());
        QVERIFY(!runPod(ns, u"bare"_s, u"svc"_s, u"10.2.0.2"_s, true,
                        json(R"({"containers": [{"name": "app", "image": "nginx"}]})"))
                     .isEmpty());

        // The expected subsets, as IPs and ports.
        auto shape = [](const QJsonArray &actual) {
            QJsonArray out;
            for (const QJsonValue &s : actual)
                out.append(
                    QJsonObject{{u"ips"_s, QJsonArray::fromStringList(ipsIn({s}, u"addresses"_s))},
                                {u"ports"_s, s.toObject().value(u"ports")}});
            return out;
        };
        const QJsonArray expected = QJsonDocument::fromJson(subsets.toUtf8()).array();
        QTRY_COMPARE_WITH_TIMEOUT(shape(subsetsOf(ns, u"svc"_s)), expected, 10000);

        // Slices: one per distinct set of ports the pods resolve, both pods in them.
        auto portSets = [&] {
            QList<QJsonArray> sets;
            qsizetype endpointCount = 0;
            for (const QJsonObject &slice : slicesOf(ns, u"svc"_s)) {
                sets.append(slice.value(u"ports").toArray());
                endpointCount += slice.value(u"endpoints").toArray().size();
            }
            std::sort(sets.begin(), sets.end(),
                      [](const QJsonArray &a, const QJsonArray &b) { return a.size() < b.size(); });
            QJsonArray out;
            for (const QJsonArray &set : std::as_const(sets))
                out.append(set);
            return endpointCount == 2 ? out : QJsonArray();
        };
        QTRY_COMPARE_WITH_TIMEOUT(portSets(), QJsonDocument::fromJson(slicePorts.toUtf8()).array(),
                                  10000);
    }

    void podLeavingTheSelectorIsRemoved()
    {
        const QString ns = u"ep-leave"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QVERIFY(m_cluster.create(services, service(ns, u"web"_s, jsonArray(httpPort))));
        QVERIFY(!runPod(ns, u"stays"_s, u"web"_s, u"10.3.0.1"_s, true).isEmpty());
        QVERIFY(!runPod(ns, u"leaves"_s, u"web"_s, u"10.3.0.2"_s, true).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(ipsIn(subsetsOf(ns, u"web"_s), u"addresses"_s).size(), 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(sliceEndpoints(ns, u"web"_s).size(), 2, 10000);

        QVERIFY(m_cluster.mergePatch(resources::pods, ns, u"leaves"_s,
                                     json(R"({"metadata": {"labels": {"app": "other"}}})")));
        QTRY_COMPARE_WITH_TIMEOUT(ipsIn(subsetsOf(ns, u"web"_s), u"addresses"_s),
                                  QStringList{u"10.3.0.1"_s}, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(sliceEndpoints(ns, u"web"_s).keys(), QStringList{u"stays"_s},
                                  10000);

        // A pod that ends (Succeeded) is no endpoint either.
        QVERIFY(m_cluster.mergePatch(resources::pods, ns, u"stays"_s,
                                     json(R"({"status": {"phase": "Succeeded"}})"), u"status"_s));
        QTRY_VERIFY_WITH_TIMEOUT(subsetsOf(ns, u"web"_s).isEmpty(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(sliceEndpoints(ns, u"web"_s).isEmpty(), 10000);
        // The empty placeholder slice remains.
        QCOMPARE(slicesOf(ns, u"web"_s).size(), 1);
    }

    void serviceDeletionRemovesEndpointsAndSlices()
    {
        const QString ns = u"ep-delete"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QVERIFY(m_cluster.create(services, service(ns, u"web"_s, jsonArray(httpPort))));
        QVERIFY(!runPod(ns, u"a"_s, u"web"_s, u"10.4.0.1"_s, true).isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!subsetsOf(ns, u"web"_s).isEmpty(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(sliceEndpoints(ns, u"web"_s).size(), 1, 10000);

        // Deleted by someone else, both come back.
        QVERIFY(m_cluster.remove(endpoints, ns, u"web"_s));
        QVERIFY(m_cluster.remove(slices, ns, nameOf(slicesOf(ns, u"web"_s).first())));
        QTRY_VERIFY_WITH_TIMEOUT(!subsetsOf(ns, u"web"_s).isEmpty(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(sliceEndpoints(ns, u"web"_s).size(), 1, 10000);

        QVERIFY(m_cluster.remove(services, ns, u"web"_s));
        QTRY_VERIFY_WITH_TIMEOUT(!m_cluster.get(endpoints, ns, u"web"_s), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(slicesOf(ns, u"web"_s).isEmpty(), 10000);
    }

    void headlessServicePublishesHostnames()
    {
        const QString ns = u"ep-headless"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QVERIFY(
            m_cluster.create(services, service(ns, u"db"_s, {}, {{u"clusterIP"_s, u"None"_s}})));
        QVERIFY(!runPod(ns, u"db-0"_s, u"db"_s, u"10.5.0.1"_s, true,
                        json(R"({"hostname": "db-0", "subdomain": "db"})"))
                     .isEmpty());
        // A hostname under another subdomain is not this service's to publish.
        QVERIFY(!runPod(ns, u"db-1"_s, u"db"_s, u"10.5.0.2"_s, true,
                        json(R"({"hostname": "db-1", "subdomain": "elsewhere"})"))
                     .isEmpty());

        QTRY_COMPARE_WITH_TIMEOUT(ipsIn(subsetsOf(ns, u"db"_s), u"addresses"_s).size(), 2, 10000);
        const QJsonObject subset = subsetsOf(ns, u"db"_s).first().toObject();
        QVERIFY(!subset.contains(u"ports"));
        const QJsonArray addresses = subset.value(u"addresses").toArray();
        QCOMPARE(addresses[0].toObject().value(u"hostname").toString(), u"db-0"_s);
        QVERIFY(!addresses[1].toObject().contains(u"hostname"));
        QCOMPARE(labelsOf(get(endpoints, ns, u"db"_s)),
                 json(R"({"team": "a", "service.kubernetes.io/headless": ""})"));

        QTRY_COMPARE_WITH_TIMEOUT(sliceEndpoints(ns, u"db"_s).size(), 2, 10000);
        QCOMPARE(sliceEndpoints(ns, u"db"_s).value(u"db-0"_s).value(u"hostname").toString(),
                 u"db-0"_s);
        QVERIFY(!sliceEndpoints(ns, u"db"_s).value(u"db-1"_s).contains(u"hostname"));
        const QJsonObject slice = slicesOf(ns, u"db"_s).first();
        QCOMPARE(labelsOf(slice).value(u"service.kubernetes.io/headless").toString(), QString());
        QVERIFY(labelsOf(slice).contains(u"service.kubernetes.io/headless"));
        QVERIFY(slice.value(u"ports").toArray().isEmpty());
    }

    void terminatingPods_data()
    {
        QTest::addColumn<bool>("publishNotReady");
        QTest::newRow("default") << false;
        QTest::newRow("publish-not-ready") << true;
    }

    void terminatingPods()
    {
        QFETCH(bool, publishNotReady);
        const QString ns = publishNotReady ? u"term-publish"_s : u"term-default"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QVERIFY(m_cluster.create(services,
                                 service(ns, u"web"_s, jsonArray(httpPort),
                                         {{u"publishNotReadyAddresses"_s, publishNotReady}})));
        QVERIFY(!runPod(ns, u"stays"_s, u"web"_s, u"10.6.0.1"_s, true).isEmpty());
        QVERIFY(!runPod(ns, u"going"_s, u"web"_s, u"10.6.0.2"_s, true).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(sliceEndpoints(ns, u"web"_s).size(), 2, 10000);

        // No kubelet finishes the deletion: the pod stays terminating.
        QVERIFY(m_cluster.remove(resources::pods, ns, u"going"_s));
        QVERIFY(isTerminating(get(resources::pods, ns, u"going"_s)));
        QTRY_COMPARE_WITH_TIMEOUT(
            sliceEndpoints(ns, u"web"_s).value(u"going"_s).value(u"conditions").toObject(),
            conditions(publishNotReady, true, true), 10000);
        const QStringList published = publishNotReady ? QStringList{u"10.6.0.1"_s, u"10.6.0.2"_s}
                                                      : QStringList{u"10.6.0.1"_s};
        QTRY_COMPARE_WITH_TIMEOUT(ipsIn(subsetsOf(ns, u"web"_s), u"addresses"_s), published, 10000);
        QVERIFY(ipsIn(subsetsOf(ns, u"web"_s), u"notReadyAddresses"_s).isEmpty());
    }

    void nothingIsWrittenWhenNothingChanged()
    {
        const QString ns = u"ep-steady"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QVERIFY(m_cluster.create(services, service(ns, u"web"_s, jsonArray(httpPort))));
        QVERIFY(!runPod(ns, u"a"_s, u"web"_s, u"10.7.0.1"_s, true).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(sliceEndpoints(ns, u"web"_s).size(), 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!subsetsOf(ns, u"web"_s).isEmpty(), 10000);

        // Count every write the controllers send from here on (other namespaces are quiet).
        m_counting->writes.clear();
        auto endpointWrites = [this] { return m_counting->writes.value(u"endpoints"_s); };
        auto sliceWrites = [this] { return m_counting->writes.value(u"endpointslices"_s); };
        const QString endpointsVersion =
            metaOf(get(endpoints, ns, u"web"_s)).value(u"resourceVersion").toString();

        // Changes that do not matter to endpoints: annotations of the service and the pod.
        QVERIFY(m_cluster.mergePatch(services, ns, u"web"_s,
                                     json(R"({"metadata": {"annotations": {"x": "1"}}})")));
        QVERIFY(m_cluster.mergePatch(resources::pods, ns, u"a"_s,
                                     json(R"({"metadata": {"annotations": {"x": "1"}}})")));
        // Then one that does; by the time it shows, the others have been looked at.
        QVERIFY(!runPod(ns, u"b"_s, u"web"_s, u"10.7.0.2"_s, true).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(ipsIn(subsetsOf(ns, u"web"_s), u"addresses"_s).size(), 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(sliceEndpoints(ns, u"web"_s).size(), 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(endpointWrites(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(sliceWrites(), 1, 10000);
        QVERIFY(metaOf(get(endpoints, ns, u"web"_s)).value(u"resourceVersion").toString() !=
                endpointsVersion);

        // Another service change, and a pod of another service: nothing for this one.
        QVERIFY(m_cluster.mergePatch(services, ns, u"web"_s,
                                     json(R"({"metadata": {"annotations": {"x": "2"}}})")));
        QVERIFY(!runPod(ns, u"c"_s, u"other"_s, u"10.7.0.3"_s, true).isEmpty());
        QVERIFY(m_cluster.create(services, service(ns, u"other"_s, jsonArray(httpPort))));
        QTRY_VERIFY_WITH_TIMEOUT(!subsetsOf(ns, u"other"_s).isEmpty(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(sliceEndpoints(ns, u"other"_s).size(), 1, 10000);
        // Only the new service's own were written.
        QCOMPARE(endpointWrites(), 2);
        QCOMPARE(sliceWrites(), 2);
    }

    void servicesWithoutSelectorAreLeftAlone()
    {
        const QString ns = u"ep-manual"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QJsonObject manual = service(ns, u"manual"_s, jsonArray(httpPort));
        QJsonObject spec = specOf(manual);
        spec.remove(u"selector"_s);
        manual.insert(u"spec"_s, spec);
        QVERIFY(m_cluster.create(services, manual));
        QVERIFY(m_cluster.create(services, json(R"({"apiVersion": "v1", "kind": "Service",
                               "metadata": {"name": "external", "namespace": "%1"},
                               "spec": {"type": "ExternalName", "externalName": "example.com",
                                        "selector": {"app": "web"}}})",
                                                {ns})));
        const auto written =
            m_cluster.create(endpoints, json(R"({"apiVersion": "v1", "kind": "Endpoints",
                                "metadata": {"name": "manual", "namespace": "%1"},
                                "subsets": [{"addresses": [{"ip": "192.168.1.1"}],
                                             "ports": [{"port": 443, "protocol": "TCP"}]}]})",
                                             {ns}));
        QVERIFY(written);
        QVERIFY(!runPod(ns, u"a"_s, u"web"_s, u"10.8.0.1"_s, true).isEmpty());
        const auto kubernetes = m_cluster.get(endpoints, u"default"_s, u"kubernetes"_s);

        // A service with a selector in the same namespace shows the controllers have looked.
        QVERIFY(m_cluster.create(services, service(ns, u"web"_s, jsonArray(httpPort))));
        QTRY_VERIFY_WITH_TIMEOUT(!subsetsOf(ns, u"web"_s).isEmpty(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(sliceEndpoints(ns, u"web"_s).size(), 1, 10000);

        QCOMPARE(metaOf(get(endpoints, ns, u"manual"_s)).value(u"resourceVersion"),
                 metaOf(*written).value(u"resourceVersion"));
        QVERIFY(slicesOf(ns, u"manual"_s).isEmpty());
        QVERIFY(!m_cluster.get(endpoints, ns, u"external"_s));
        QVERIFY(slicesOf(ns, u"external"_s).isEmpty());
        if (kubernetes)
            QCOMPARE(
                metaOf(get(endpoints, u"default"_s, u"kubernetes"_s)).value(u"resourceVersion"),
                metaOf(*kubernetes).value(u"resourceVersion"));
    }

    void slicesSplitAtTheMaximumSize()
    {
        const QString ns = u"slice-split"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QVERIFY(m_cluster.create(services, service(ns, u"web"_s, jsonArray(httpPort))));
        for (int i = 1; i <= 5; ++i)
            QVERIFY(!runPod(ns, u"p%1"_s.arg(i), u"web"_s, u"10.9.0.%1"_s.arg(i), true).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(sliceEndpoints(ns, u"web"_s).size(), 5, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(slicesOf(ns, u"web"_s).size(), 3, 10000);
        for (const QJsonObject &slice : slicesOf(ns, u"web"_s))
            QVERIFY(slice.value(u"endpoints").toArray().size() <= 2);
        QTRY_COMPARE_WITH_TIMEOUT(ipsIn(subsetsOf(ns, u"web"_s), u"addresses"_s).size(), 5, 10000);

        // Emptied slices go; the rest keep their endpoints where they are.
        for (int i = 1; i <= 4; ++i)
            QVERIFY(m_cluster.remove(resources::pods, ns, u"p%1"_s.arg(i),
                                     client::DeleteQuery{.gracePeriodSeconds = 0}));
        QTRY_COMPARE_WITH_TIMEOUT(sliceEndpoints(ns, u"web"_s).keys(), QStringList{u"p5"_s}, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(slicesOf(ns, u"web"_s).size(), 1, 10000);
    }
};

QTEST_GUILESS_MAIN(TestEndpointControllers)
#include "tst_endpointcontrollers.moc"
