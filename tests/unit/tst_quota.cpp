// ResourceQuota and LimitRange against an API server in this process: the LimitRanger and
// ResourceQuota admission plugins (defaults, limits, charges, Kubernetes' messages) and the
// resource quota controller that fills in and gives back status.used.
#include "controllertesting.h"

#include "controllers/resourcequotacontroller.h"
#include "core/quotausage.h"

#include <QTest>

using namespace timonel;
using namespace timonel::test;
using namespace Qt::StringLiterals;

namespace {

const client::Resource quotas{u""_s, u"v1"_s, u"resourcequotas"_s};
const client::Resource limitRanges{u""_s, u"v1"_s, u"limitranges"_s};
const client::Resource configMaps{u""_s, u"v1"_s, u"configmaps"_s};
const client::Resource services{u""_s, u"v1"_s, u"services"_s};
const client::Resource claims{u""_s, u"v1"_s, u"persistentvolumeclaims"_s};

QJsonObject object(const QString &apiVersion, const QString &kind, const QString &ns,
                   const QString &name, const QJsonObject &spec = {})
{
    QJsonObject o{{u"apiVersion"_s, apiVersion},
                  {u"kind"_s, kind},
                  {u"metadata"_s, QJsonObject{{u"name"_s, name}, {u"namespace"_s, ns}}}};
    if (!spec.isEmpty())
        o.insert(u"spec"_s, spec);
    return o;
}

QJsonObject container(const QString &name, const QJsonObject &requests = {},
                      const QJsonObject &limits = {})
{
    QJsonObject resources;
    if (!requests.isEmpty())
        resources.insert(u"requests"_s, requests);
    if (!limits.isEmpty())
        resources.insert(u"limits"_s, limits);
    QJsonObject c{{u"name"_s, name}, {u"image"_s, u"nginx:1.27"_s}};
    if (!resources.isEmpty())
        c.insert(u"resources"_s, resources);
    return c;
}

QJsonObject pod(const QString &ns, const QString &name, const QJsonArray &containers,
                const QJsonArray &initContainers = {})
{
    QJsonObject spec{{u"containers"_s, containers}};
    if (!initContainers.isEmpty())
        spec.insert(u"initContainers"_s, initContainers);
    return object(u"v1"_s, u"Pod"_s, ns, name, spec);
}

QJsonObject simplePod(const QString &ns, const QString &name, const QJsonObject &requests = {},
                      const QJsonObject &limits = {})
{
    return pod(ns, name, QJsonArray{container(u"nginx"_s, requests, limits)});
}

QJsonObject resourceQuota(const QString &ns, const QString &name, const QJsonObject &hard,
                          const QJsonArray &scopes = {})
{
    QJsonObject spec{{u"hard"_s, hard}};
    if (!scopes.isEmpty())
        spec.insert(u"scopes"_s, scopes);
    return object(u"v1"_s, u"ResourceQuota"_s, ns, name, spec);
}

QJsonObject limitRange(const QString &ns, const QString &name, const QJsonArray &limits)
{
    return object(u"v1"_s, u"LimitRange"_s, ns, name, QJsonObject{{u"limits"_s, limits}});
}

QJsonObject resourcesOf(const QJsonObject &pod, int index = 0,
                        const QString &list = u"containers"_s)
{
    return specOf(pod).value(list).toArray().at(index).toObject().value(u"resources").toObject();
}

} // namespace

Q_DECLARE_METATYPE(client::Resource)

class TestQuota : public QObject
{
    Q_OBJECT

    TestCluster m_cluster;
    std::unique_ptr<controllers::ResourceQuotaController> m_controller;

    QJsonObject get(const client::Resource &r, const QString &ns, const QString &name)
    {
        return m_cluster.get(r, ns, name).value_or(QJsonObject());
    }

    QJsonObject usedOf(const QString &ns, const QString &name)
    {
        return statusOf(get(quotas, ns, name)).value(u"used").toObject();
    }

    // A namespace with one quota, once the controller has counted it.
    bool quotaReady(const QString &ns, const QJsonObject &quota)
    {
        if (!m_cluster.createNamespace(ns) || !m_cluster.create(quotas, quota))
            return false;
        const QStringList hard = specOf(quota).value(u"hard").toObject().keys();
        return QTest::qWaitFor(
            [&] {
                const QJsonObject used = usedOf(ns, nameOf(quota));
                return std::all_of(hard.begin(), hard.end(),
                                   [&](const QString &k) { return used.contains(k); });
            },
            10000);
    }

    // The message of a refused create, or "created".
    QString refusal(const client::Resource &r, const QJsonObject &o, int expectedCode = 403)
    {
        const auto created = m_cluster.create(r, o);
        if (created)
            return u"created"_s;
        if (created.error().code != expectedCode)
            return u"code %1: %2"_s.arg(created.error().code).arg(created.error().message);
        return created.error().message;
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto started = m_cluster.start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error()));
        m_controller = std::make_unique<controllers::ResourceQuotaController>(m_cluster.api());
        m_controller->start();
    }

    void cleanupTestCase() { m_controller.reset(); }

    // --- Usage arithmetic -----------------------------------------------------------------------

    void podRequestsCountSidecarsAndTheLargestInitContainer()
    {
        const QJsonObject p = pod(
            u"ns"_s, u"p"_s,
            QJsonArray{container(u"a"_s, {{u"cpu"_s, u"100m"_s}}),
                       container(u"b"_s, {{u"cpu"_s, u"200m"_s}, {u"memory"_s, u"64Mi"_s}})},
            QJsonArray{container(u"init"_s, {{u"cpu"_s, u"1"_s}}), [] {
                           QJsonObject sidecar = container(u"log"_s, {{u"memory"_s, u"32Mi"_s}});
                           sidecar.insert(u"restartPolicy"_s, u"Always"_s);
                           return sidecar;
                       }()});
        const core::quota::ResourceList requests = core::quota::podRequests(p);
        QCOMPARE(core::quota::prettyPrint(requests), u"cpu=1,memory=96Mi"_s);
    }

    // --- LimitRange -----------------------------------------------------------------------------

    void limitRangeItemsGetTheirApiDefaults()
    {
        const QString ns = u"lr-defaults"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QVERIFY(m_cluster.create(
            limitRanges,
            limitRange(ns, u"limits"_s,
                       QJsonArray{QJsonObject{{u"type"_s, u"Container"_s},
                                              {u"max"_s, QJsonObject{{u"memory"_s, u"1Gi"_s}}},
                                              {u"min"_s, QJsonObject{{u"cpu"_s, u"100m"_s}}}}})));
        const QJsonObject item =
            specOf(get(limitRanges, ns, u"limits"_s)).value(u"limits").toArray().at(0).toObject();
        QCOMPARE(item.value(u"default"_s).toObject(), (QJsonObject{{u"memory"_s, u"1Gi"_s}}));
        QCOMPARE(item.value(u"defaultRequest"_s).toObject(),
                 (QJsonObject{{u"memory"_s, u"1Gi"_s}, {u"cpu"_s, u"100m"_s}}));
    }

    void limitRangeWithMinAboveMaxIsInvalid()
    {
        const QString ns = u"lr-invalid"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        const QString message = refusal(
            limitRanges,
            limitRange(ns, u"bad"_s,
                       QJsonArray{QJsonObject{{u"type"_s, u"Pod"_s},
                                              {u"max"_s, QJsonObject{{u"cpu"_s, u"1"_s}}},
                                              {u"min"_s, QJsonObject{{u"cpu"_s, u"2"_s}}}}}),
            422);
        QCOMPARE(message, u"LimitRange \"bad\" is invalid: spec.limits[0].min[cpu]: Invalid "
                          "value: \"2\": min value 2 is greater than max value 1"_s);
    }

    void limitRangeDefaultsFillContainersAndInitContainers()
    {
        const QString ns = u"lr-fill"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QVERIFY(m_cluster.create(
            limitRanges,
            limitRange(
                ns, u"defaults"_s,
                QJsonArray{QJsonObject{
                    {u"type"_s, u"Container"_s},
                    {u"default"_s, QJsonObject{{u"cpu"_s, u"500m"_s}, {u"memory"_s, u"256Mi"_s}}},
                    {u"defaultRequest"_s,
                     QJsonObject{{u"cpu"_s, u"250m"_s}, {u"memory"_s, u"128Mi"_s}}}}})));
        const auto created = m_cluster.create(
            resources::pods,
            pod(ns, u"web"_s,
                QJsonArray{container(u"app"_s), container(u"side"_s, {}, {{u"cpu"_s, u"1"_s}})},
                QJsonArray{container(u"setup"_s)}));
        QVERIFY2(created, qPrintable(created ? QString() : created.error().message));
        const QJsonObject app = resourcesOf(*created);
        QCOMPARE(app.value(u"limits"_s).toObject(),
                 (QJsonObject{{u"cpu"_s, u"500m"_s}, {u"memory"_s, u"256Mi"_s}}));
        QCOMPARE(app.value(u"requests"_s).toObject(),
                 (QJsonObject{{u"cpu"_s, u"250m"_s}, {u"memory"_s, u"128Mi"_s}}));
        // Its own limit stands, and stood in for its request before the defaults came.
        const QJsonObject side = resourcesOf(*created, 1);
        QCOMPARE(side.value(u"limits"_s).toObject(),
                 (QJsonObject{{u"cpu"_s, u"1"_s}, {u"memory"_s, u"256Mi"_s}}));
        QCOMPARE(side.value(u"requests"_s).toObject(),
                 (QJsonObject{{u"cpu"_s, u"1"_s}, {u"memory"_s, u"128Mi"_s}}));
        QCOMPARE(resourcesOf(*created, 0, u"initContainers"_s).value(u"limits"_s).toObject(),
                 (QJsonObject{{u"cpu"_s, u"500m"_s}, {u"memory"_s, u"256Mi"_s}}));
        QCOMPARE(annotationOf(*created, u"kubernetes.io/limit-ranger"_s),
                 u"LimitRanger plugin set: cpu, memory request for container app; cpu, memory "
                 "limit for container app; memory request for container side; memory limit for "
                 "container side; cpu, memory request for init container setup; cpu, memory "
                 "limit for init container setup"_s);
        // The QoS class is that of the pod as admitted.
        QCOMPARE(statusOf(*created).value(u"qosClass"_s).toString(), u"Burstable"_s);
    }

    void limitRangeRefusesWhatIsOutOfBounds_data()
    {
        QTest::addColumn<QJsonObject>("item");
        QTest::addColumn<QJsonObject>("object");
        QTest::addColumn<QString>("message");
        const QString ns = u"lr-bounds"_s;
        QTest::newRow("container max")
            << QJsonObject{{u"type"_s, u"Container"_s},
                           {u"max"_s, QJsonObject{{u"memory"_s, u"1Gi"_s}}}}
            << simplePod(ns, u"big"_s, {}, {{u"memory"_s, u"2Gi"_s}})
            << u"pods \"big\" is forbidden: maximum memory usage per Container is 1Gi, but limit "
               "is 2Gi"_s;
        QTest::newRow("container min")
            << QJsonObject{{u"type"_s, u"Container"_s},
                           {u"min"_s, QJsonObject{{u"cpu"_s, u"100m"_s}}}}
            << simplePod(ns, u"small"_s, {{u"cpu"_s, u"50m"_s}})
            << u"pods \"small\" is forbidden: minimum cpu usage per Container is 100m, but request "
               "is 50m"_s;
        QTest::newRow("ratio")
            << QJsonObject{{u"type"_s, u"Container"_s},
                           {u"maxLimitRequestRatio"_s, QJsonObject{{u"cpu"_s, u"2"_s}}}}
            << simplePod(ns, u"bursty"_s, {{u"cpu"_s, u"250m"_s}}, {{u"cpu"_s, u"1"_s}})
            << u"pods \"bursty\" is forbidden: cpu max limit to request ratio per Container is 2, "
               "but provided ratio is 4.000000"_s;
        QTest::newRow("pod max, two messages")
            << QJsonObject{{u"type"_s, u"Pod"_s},
                           {u"max"_s, QJsonObject{{u"cpu"_s, u"1"_s}, {u"memory"_s, u"512Mi"_s}}}}
            << pod(ns, u"pair"_s,
                   QJsonArray{
                       container(u"a"_s, {}, {{u"cpu"_s, u"800m"_s}, {u"memory"_s, u"1Gi"_s}}),
                       container(u"b"_s, {}, {{u"cpu"_s, u"800m"_s}})})
            << u"pods \"pair\" is forbidden: [maximum cpu usage per Pod is 1, but limit is 1600m, "
               "maximum memory usage per Pod is 512Mi, but limit is 1Gi]"_s;
        QJsonObject claim = object(
            u"v1"_s, u"PersistentVolumeClaim"_s, ns, u"data"_s,
            QJsonObject{{u"accessModes"_s, QJsonArray{u"ReadWriteOnce"_s}},
                        {u"resources"_s,
                         QJsonObject{{u"requests"_s, QJsonObject{{u"storage"_s, u"5Gi"_s}}}}}});
        QTest::newRow("claim max")
            << QJsonObject{{u"type"_s, u"PersistentVolumeClaim"_s},
                           {u"max"_s, QJsonObject{{u"storage"_s, u"2Gi"_s}}}}
            << claim
            << u"persistentvolumeclaims \"data\" is forbidden: maximum storage usage per "
               "PersistentVolumeClaim is 2Gi, but request is 5Gi"_s;
    }

    void limitRangeRefusesWhatIsOutOfBounds()
    {
        QFETCH(QJsonObject, item);
        QFETCH(QJsonObject, object);
        QFETCH(QString, message);
        const QString ns = nsOf(object);
        m_cluster.createNamespace(ns);
        m_cluster.remove(limitRanges, ns, u"bounds"_s);
        QVERIFY(m_cluster.create(limitRanges, limitRange(ns, u"bounds"_s, QJsonArray{item})));
        const client::Resource r =
            object.value(u"kind"_s).toString() == u"Pod" ? resources::pods : claims;
        QCOMPARE(refusal(r, object), message);
    }

    // --- ResourceQuota --------------------------------------------------------------------------

    void quotaCountsPodsAndRefusesThePodOverTheLimit()
    {
        const QString ns = u"q-pods"_s;
        QVERIFY(quotaReady(ns, resourceQuota(ns, u"compute-resources"_s, {{u"pods"_s, u"2"_s}})));
        QCOMPARE(usedOf(ns, u"compute-resources"_s), (QJsonObject{{u"pods"_s, u"0"_s}}));
        QVERIFY(m_cluster.create(resources::pods, simplePod(ns, u"a"_s)));
        // Charged in the same admission, not when the controller gets to it.
        QCOMPARE(usedOf(ns, u"compute-resources"_s), (QJsonObject{{u"pods"_s, u"1"_s}}));
        QVERIFY(m_cluster.create(resources::pods, simplePod(ns, u"b"_s)));
        QCOMPARE(refusal(resources::pods, simplePod(ns, u"c"_s)),
                 u"pods \"c\" is forbidden: exceeded quota: compute-resources, requested: pods=1, "
                 "used: pods=2, limited: pods=2"_s);
        QCOMPARE(statusOf(get(quotas, ns, u"compute-resources"_s)).value(u"hard"_s).toObject(),
                 (QJsonObject{{u"pods"_s, u"2"_s}}));
    }

    void deletingAPodGivesItsQuotaBack()
    {
        const QString ns = u"q-release"_s;
        QVERIFY(quotaReady(ns, resourceQuota(ns, u"q"_s, {{u"pods"_s, u"1"_s}})));
        QVERIFY(m_cluster.create(resources::pods, simplePod(ns, u"a"_s)));
        QVERIFY(refusal(resources::pods, simplePod(ns, u"b"_s)).contains(u"exceeded quota"_s));
        QVERIFY(m_cluster.remove(resources::pods, ns, u"a"_s));
        QTRY_COMPARE_WITH_TIMEOUT(usedOf(ns, u"q"_s), (QJsonObject{{u"pods"_s, u"0"_s}}), 10000);
        QVERIFY(m_cluster.create(resources::pods, simplePod(ns, u"b"_s)));
    }

    void twoQuickCreatesCannotBothTakeTheLastSlot()
    {
        const QString ns = u"q-race"_s;
        QVERIFY(quotaReady(ns, resourceQuota(ns, u"q"_s, {{u"pods"_s, u"1"_s}})));
        int created = 0, refused = 0;
        for (const QString &name : {u"a"_s, u"b"_s})
            m_cluster.api().create(
                resources::pods, ns, simplePod(ns, name), {},
                [&](client::Result<QJsonObject> r) { ++(r ? created : refused); });
        QTRY_COMPARE_WITH_TIMEOUT(created + refused, 2, 10000);
        QCOMPARE(created, 1);
        QCOMPARE(usedOf(ns, u"q"_s), (QJsonObject{{u"pods"_s, u"1"_s}}));
    }

    void dryRunIsCheckedButNotCharged()
    {
        const QString ns = u"q-dry"_s;
        QVERIFY(quotaReady(ns, resourceQuota(ns, u"q"_s, {{u"pods"_s, u"1"_s}})));
        client::WriteQuery dryRun;
        dryRun.dryRun = true;
        const auto answer = await<QJsonObject>([&](auto done) {
            m_cluster.api().create(resources::pods, ns, simplePod(ns, u"a"_s), dryRun, done);
        });
        QVERIFY(answer);
        QCOMPARE(usedOf(ns, u"q"_s), (QJsonObject{{u"pods"_s, u"0"_s}}));
        QVERIFY(m_cluster.create(resources::pods, simplePod(ns, u"a"_s)));
    }

    void computeQuotaWantsEveryContainerToSayWhatItNeeds()
    {
        const QString ns = u"q-compute"_s;
        QVERIFY(quotaReady(ns, resourceQuota(ns, u"q"_s,
                                             {{u"requests.cpu"_s, u"1"_s},
                                              {u"requests.memory"_s, u"1Gi"_s},
                                              {u"limits.cpu"_s, u"2"_s},
                                              {u"limits.memory"_s, u"2Gi"_s}})));
        QCOMPARE(refusal(resources::pods, simplePod(ns, u"nginx"_s)),
                 u"pods \"nginx\" is forbidden: failed quota: q: must specify limits.cpu for: "
                 "nginx; limits.memory for: nginx; requests.cpu for: nginx; requests.memory for: "
                 "nginx"_s);
        // Limits alone also give the requests (they default to the limits).
        QCOMPARE(
            refusal(resources::pods, pod(ns, u"two"_s,
                                         QJsonArray{container(u"a"_s, {}, {{u"cpu"_s, u"1"_s}}),
                                                    container(u"b"_s, {}, {{u"cpu"_s, u"1"_s}})})),
            u"pods \"two\" is forbidden: failed quota: q: must specify limits.memory for: "
            "a,b; requests.memory for: a,b"_s);
        const QJsonObject fits{{u"cpu"_s, u"600m"_s}, {u"memory"_s, u"512Mi"_s}};
        QVERIFY(m_cluster.create(resources::pods, simplePod(ns, u"first"_s, fits, fits)));
        QCOMPARE(usedOf(ns, u"q"_s), (QJsonObject{{u"limits.cpu"_s, u"600m"_s},
                                                  {u"limits.memory"_s, u"512Mi"_s},
                                                  {u"requests.cpu"_s, u"600m"_s},
                                                  {u"requests.memory"_s, u"512Mi"_s}}));
        QCOMPARE(refusal(resources::pods, simplePod(ns, u"second"_s, fits, fits)),
                 u"pods \"second\" is forbidden: exceeded quota: q, requested: requests.cpu=600m, "
                 "used: requests.cpu=600m, limited: requests.cpu=1"_s);
    }

    void limitRangeDefaultsSatisfyAComputeQuota()
    {
        const QString ns = u"q-with-defaults"_s;
        QVERIFY(quotaReady(
            ns,
            resourceQuota(ns, u"q"_s, {{u"limits.cpu"_s, u"2"_s}, {u"requests.cpu"_s, u"1"_s}})));
        QVERIFY(m_cluster.create(
            limitRanges,
            limitRange(ns, u"cpu"_s,
                       QJsonArray{QJsonObject{
                           {u"type"_s, u"Container"_s},
                           {u"default"_s, QJsonObject{{u"cpu"_s, u"500m"_s}}},
                           {u"defaultRequest"_s, QJsonObject{{u"cpu"_s, u"200m"_s}}}}})));
        QVERIFY(m_cluster.create(resources::pods, simplePod(ns, u"plain"_s)));
        QCOMPARE(usedOf(ns, u"q"_s),
                 (QJsonObject{{u"limits.cpu"_s, u"500m"_s}, {u"requests.cpu"_s, u"200m"_s}}));
    }

    void objectCountQuotas_data()
    {
        QTest::addColumn<QString>("hardName");
        QTest::addColumn<client::Resource>("resource");
        QTest::addColumn<QJsonObject>("first");
        QTest::addColumn<QJsonObject>("second");
        QTest::addColumn<QString>("message");
        QString ns = u"q-count-1"_s;
        auto configMap = [&](const QString &name) {
            return object(u"v1"_s, u"ConfigMap"_s, ns, name);
        };
        QTest::newRow("configmaps")
            << u"configmaps"_s << configMaps << configMap(u"a"_s) << configMap(u"b"_s)
            << u"configmaps \"b\" is forbidden: exceeded quota: objects, requested: configmaps=1, "
               "used: configmaps=1, limited: configmaps=1"_s;
        ns = u"q-count-2"_s;
        QTest::newRow("count/configmaps")
            << u"count/configmaps"_s << configMaps << configMap(u"c"_s) << configMap(u"d"_s)
            << u"configmaps \"d\" is forbidden: exceeded quota: objects, requested: "
               "count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1"_s;
        auto deployment = [&](const QString &name) {
            const QJsonObject labels{{u"app"_s, name}};
            return object(
                u"apps/v1"_s, u"Deployment"_s, ns, name,
                QJsonObject{
                    {u"selector"_s, QJsonObject{{u"matchLabels"_s, labels}}},
                    {u"template"_s,
                     QJsonObject{{u"metadata"_s, QJsonObject{{u"labels"_s, labels}}},
                                 {u"spec"_s, QJsonObject{{u"containers"_s,
                                                          QJsonArray{container(u"web"_s)}}}}}}});
        };
        ns = u"q-count-3"_s;
        QTest::newRow("count/deployments.apps")
            << u"count/deployments.apps"_s << resources::deployments << deployment(u"one"_s)
            << deployment(u"two"_s)
            << u"deployments.apps \"two\" is forbidden: exceeded quota: objects, requested: "
               "count/deployments.apps=1, used: count/deployments.apps=1, limited: "
               "count/deployments.apps=1"_s;
        auto nodePort = [&](const QString &name, int ports) {
            QJsonArray list;
            for (int i = 0; i < ports; ++i)
                list.append(QJsonObject{{u"name"_s, u"p%1"_s.arg(i)}, {u"port"_s, 80 + i}});
            return object(u"v1"_s, u"Service"_s, ns, name,
                          QJsonObject{{u"type"_s, u"NodePort"_s}, {u"ports"_s, list}});
        };
        ns = u"q-count-4"_s;
        QTest::newRow("services.nodeports")
            << u"services.nodeports"_s << services << nodePort(u"one"_s, 1) << nodePort(u"two"_s, 2)
            << u"services \"two\" is forbidden: exceeded quota: objects, requested: "
               "services.nodeports=2, used: services.nodeports=1, limited: services.nodeports=2"_s;
    }

    void objectCountQuotas()
    {
        QFETCH(QString, hardName);
        QFETCH(client::Resource, resource);
        QFETCH(QJsonObject, first);
        QFETCH(QJsonObject, second);
        QFETCH(QString, message);
        const QString ns = nsOf(first);
        const QString limit = hardName == u"services.nodeports" ? u"2"_s : u"1"_s;
        QVERIFY(quotaReady(ns, resourceQuota(ns, u"objects"_s, {{hardName, limit}})));
        QVERIFY(m_cluster.create(resource, first));
        QCOMPARE(refusal(resource, second), message);
    }

    void scopesSplitBestEffortFromOtherPods()
    {
        const QString ns = u"q-scopes"_s;
        QVERIFY(quotaReady(ns, resourceQuota(ns, u"best-effort"_s, {{u"pods"_s, u"1"_s}},
                                             QJsonArray{u"BestEffort"_s})));
        QVERIFY(
            m_cluster.create(quotas, resourceQuota(ns, u"not-best-effort"_s, {{u"pods"_s, u"1"_s}},
                                                   QJsonArray{u"NotBestEffort"_s})));
        QTRY_VERIFY_WITH_TIMEOUT(usedOf(ns, u"not-best-effort"_s).contains(u"pods"_s), 10000);

        QVERIFY(m_cluster.create(resources::pods, simplePod(ns, u"free"_s)));
        QCOMPARE(usedOf(ns, u"best-effort"_s), (QJsonObject{{u"pods"_s, u"1"_s}}));
        QCOMPARE(usedOf(ns, u"not-best-effort"_s), (QJsonObject{{u"pods"_s, u"0"_s}}));
        QCOMPARE(refusal(resources::pods, simplePod(ns, u"free2"_s)),
                 u"pods \"free2\" is forbidden: exceeded quota: best-effort, requested: pods=1, "
                 "used: pods=1, limited: pods=1"_s);
        QVERIFY(m_cluster.create(resources::pods,
                                 simplePod(ns, u"sized"_s, {{u"memory"_s, u"64Mi"_s}})));
        QCOMPARE(usedOf(ns, u"not-best-effort"_s), (QJsonObject{{u"pods"_s, u"1"_s}}));
        QCOMPARE(usedOf(ns, u"best-effort"_s), (QJsonObject{{u"pods"_s, u"1"_s}}));
    }

    void terminalPodsStopUsingComputeQuota()
    {
        const QString ns = u"q-terminal"_s;
        QVERIFY(quotaReady(
            ns, resourceQuota(ns, u"q"_s, {{u"pods"_s, u"1"_s}, {u"count/pods"_s, u"5"_s}})));
        QVERIFY(m_cluster.create(resources::pods, simplePod(ns, u"job"_s)));
        QVERIFY(m_cluster.mergePatch(resources::pods, ns, u"job"_s,
                                     {{u"status"_s, QJsonObject{{u"phase"_s, u"Succeeded"_s}}}},
                                     u"status"_s));
        QTRY_COMPARE_WITH_TIMEOUT(usedOf(ns, u"q"_s),
                                  (QJsonObject{{u"count/pods"_s, u"1"_s}, {u"pods"_s, u"0"_s}}),
                                  10000);
    }

    void quotaWithoutUsageRefusesUntilCounted()
    {
        // No controller in this namespace's story: the quota's status is written by hand.
        const QString ns = u"q-unknown"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        m_controller->stop();
        QVERIFY(m_cluster.create(quotas, resourceQuota(ns, u"q"_s, {{u"pods"_s, u"1"_s}})));
        QVERIFY(m_cluster.mergePatch(
            quotas, ns, u"q"_s,
            {{u"status"_s, QJsonObject{{u"hard"_s, QJsonObject{{u"pods"_s, u"1"_s}}}}}},
            u"status"_s));
        const QString message = refusal(resources::pods, simplePod(ns, u"early"_s));
        m_controller->start();
        QCOMPARE(message,
                 u"pods \"early\" is forbidden: status unknown for quota: q, resources: pods"_s);
        QTRY_VERIFY_WITH_TIMEOUT(usedOf(ns, u"q"_s).contains(u"pods"_s), 10000);
        QVERIFY(m_cluster.create(resources::pods, simplePod(ns, u"early"_s)));
    }
};

QTEST_GUILESS_MAIN(TestQuota)
#include "tst_quota.moc"
