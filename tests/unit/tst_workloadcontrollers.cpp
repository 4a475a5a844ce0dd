// The ReplicaSet and Deployment controllers against the real API server in this process, with
// a fake kubelet that runs pods (binds them, reports them Running and Ready, finishes their
// deletion): replicas kept, orphans adopted, surplus pods chosen as Kubernetes does, rollouts
// that never drop below the availability they promise, rollbacks, Recreate, pausing, history
// limits, proportional scaling and the status `kubectl rollout status` reads.
#include "controllers/deploymentcontroller.h"
#include "controllers/replicasetcontroller.h"

#include "controllertesting.h"

#include <QRegularExpression>
#include <QTest>

using namespace timonel;
using namespace timonel::test;
using namespace Qt::StringLiterals;

namespace {

// JSON text with %1, %2... filled in.
QJsonObject json(const char *text, const QStringList &args = {})
{
    QString t = QString::fromUtf8(text);
    for (const QString &a : args)
        t = t.arg(a);
    return QJsonDocument::fromJson(t.toUtf8()).object();
}

QJsonObject podTemplate(const QString &app, const QString &image)
{
    return json(R"({"metadata": {"labels": {"app": "%1"}},
                    "spec": {"containers": [{"name": "app", "image": "%2"}]}})",
                {app, image});
}

QJsonObject replicaSet(const QString &ns, const QString &name, int replicas, const QString &app)
{
    QJsonObject rs = json(R"({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                              "metadata": {"name": "%1", "namespace": "%2"},
                              "spec": {"replicas": %3, "selector": {"matchLabels": {"app": "%4"}}}})",
                          {name, ns, QString::number(replicas), app});
    QJsonObject spec = specOf(rs);
    spec.insert(u"template"_s, podTemplate(app, u"nginx:1.27"_s));
    rs.insert(u"spec"_s, spec);
    return rs;
}

QJsonObject deployment(const QString &ns, const QString &name, int replicas, const QString &image,
                       const QJsonObject &extraSpec = {})
{
    QJsonObject d = replicaSet(ns, name, replicas, name);
    d.insert(u"kind"_s, u"Deployment"_s);
    QJsonObject spec = specOf(d);
    spec.insert(u"template"_s, podTemplate(name, image));
    for (auto it = extraSpec.begin(); it != extraSpec.end(); ++it)
        spec.insert(it.key(), it.value());
    d.insert(u"spec"_s, spec);
    return d;
}

QJsonObject imagePatch(const QString &image)
{
    return json(
        R"({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "%1"}]}}}})",
        {image});
}

QString imageOf(const QJsonObject &podOrTemplateOwner)
{
    QJsonObject spec = specOf(podOrTemplateOwner);
    if (spec.contains(u"template"))
        spec = spec.value(u"template").toObject().value(u"spec").toObject();
    return spec.value(u"containers").toArray().first().toObject().value(u"image").toString();
}

int count(const QJsonObject &o, const char16_t *field)
{
    return statusOf(o).value(field).toInt();
}

// What `kubectl rollout status deployment/<name>` prints (kubectl's DeploymentStatusViewer).
QString rolloutStatus(const QJsonObject &d)
{
    const QString name = nameOf(d);
    if (metaOf(d).value(u"generation").toInteger() >
        statusOf(d).value(u"observedGeneration").toInteger())
        return u"Waiting for deployment spec update to be observed..."_s;
    if (conditionOf(d, u"Progressing"_s).value(u"reason").toString() == u"ProgressDeadlineExceeded")
        return u"error: deployment \"%1\" exceeded its progress deadline"_s.arg(name);
    const int replicas = specOf(d).value(u"replicas").toInt(1);
    const int updated = count(d, u"updatedReplicas");
    if (updated < replicas)
        return u"Waiting for deployment \"%1\" rollout to finish: %2 out of %3 new replicas have been updated..."_s
            .arg(name)
            .arg(updated)
            .arg(replicas);
    if (count(d, u"replicas") > updated)
        return u"Waiting for deployment \"%1\" rollout to finish: %2 old replicas are pending termination..."_s
            .arg(name)
            .arg(count(d, u"replicas") - updated);
    if (count(d, u"availableReplicas") < updated)
        return u"Waiting for deployment \"%1\" rollout to finish: %2 of %3 updated replicas are available..."_s
            .arg(name)
            .arg(count(d, u"availableReplicas"))
            .arg(updated);
    return u"deployment \"%1\" successfully rolled out"_s.arg(name);
}

// A pod as the deletion ranking reads it.
QJsonObject pod(const QString &name, const QString &node, const QString &phase, bool ready,
                const QString &created, int restarts = 0, const QString &readySince = {},
                const QString &deletionCost = u"0"_s)
{
    return json(R"({"metadata": {"name": "%1", "uid": "%1", "creationTimestamp": "%2",
                                 "annotations": {"controller.kubernetes.io/pod-deletion-cost": "%3"}},
                    "spec": {"nodeName": "%4"},
                    "status": {"phase": "%5",
                               "conditions": [{"type": "Ready", "status": "%6", "lastTransitionTime": "%7"}],
                               "containerStatuses": [{"name": "app", "restartCount": %8}]}})",
                {name, created, deletionCost, node, phase, ready ? u"True"_s : u"False"_s,
                 readySince.isEmpty() ? created : readySince, QString::number(restarts)});
}

} // namespace

class TestWorkloadControllers : public QObject
{
    Q_OBJECT

    TestCluster m_cluster;
    std::unique_ptr<FakeKubelet> m_kubelet;
    std::unique_ptr<controllers::ReplicaSetController> m_replicaSets;
    std::unique_ptr<controllers::DeploymentController> m_deployments;
    QSet<QString> m_holdReady; // namespaces whose new pods the kubelet keeps not ready

    QJsonObject get(const client::Resource &r, const QString &ns, const QString &name)
    {
        return m_cluster.get(r, ns, name).value_or(QJsonObject());
    }

    QList<QJsonObject> activePods(const QString &ns, const QString &selector)
    {
        QList<QJsonObject> active;
        for (const QJsonObject &p : m_cluster.list(resources::pods, ns, selector))
            if (!isTerminating(p))
                active.append(p);
        return active;
    }

    bool rolledOut(const QString &ns, const QString &name)
    {
        return QTest::qWaitFor(
            [&] {
                return rolloutStatus(get(resources::deployments, ns, name)) ==
                       u"deployment \"%1\" successfully rolled out"_s.arg(name);
            },
            10000);
    }

    // The ReplicaSets of a Deployment, oldest revision first.
    QList<QJsonObject> replicaSetsOf(const QString &ns, const QString &app)
    {
        QList<QJsonObject> rss = m_cluster.list(resources::replicaSets, ns, u"app="_s + app);
        std::sort(rss.begin(), rss.end(), [](const QJsonObject &a, const QJsonObject &b) {
            return annotationOf(a, u"deployment.kubernetes.io/revision"_s).toInt() <
                   annotationOf(b, u"deployment.kubernetes.io/revision"_s).toInt();
        });
        return rss;
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto started = m_cluster.start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error()));
        m_kubelet = std::make_unique<FakeKubelet>(m_cluster.api());
        m_kubelet->readyWhen = [this](const QJsonObject &pod) {
            return !m_holdReady.contains(nsOf(pod)) && !imageOf(pod).contains(u"broken");
        };
        m_kubelet->start();
        m_replicaSets = std::make_unique<controllers::ReplicaSetController>(m_cluster.api());
        m_replicaSets->start();
        m_deployments = std::make_unique<controllers::DeploymentController>(m_cluster.api());
        m_deployments->start();
    }

    void cleanupTestCase()
    {
        m_deployments.reset();
        m_replicaSets.reset();
        m_kubelet.reset();
    }

    // --- ReplicaSet ---------------------------------------------------------------------------

    void replicaSetCreatesPodsAndReplacesADeletedOne()
    {
        const QString ns = u"rs-create"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QVERIFY(m_cluster.create(resources::replicaSets, replicaSet(ns, u"web"_s, 3, u"web"_s)));
        QTRY_COMPARE_WITH_TIMEOUT(
            count(get(resources::replicaSets, ns, u"web"_s), u"availableReplicas"), 3, 10000);
        const QJsonObject rs = get(resources::replicaSets, ns, u"web"_s);
        QCOMPARE(count(rs, u"replicas"), 3);
        QCOMPARE(count(rs, u"fullyLabeledReplicas"), 3);
        QCOMPARE(count(rs, u"readyReplicas"), 3);
        QCOMPARE(statusOf(rs).value(u"observedGeneration").toInteger(),
                 metaOf(rs).value(u"generation").toInteger());
        const QList<QJsonObject> pods = activePods(ns, u"app=web"_s);
        QCOMPARE(pods.size(), 3);
        QStringList created;
        for (const QJsonObject &p : pods) {
            QVERIFY(nameOf(p).startsWith(u"web-"));
            const QJsonObject owner =
                metaOf(p).value(u"ownerReferences").toArray().first().toObject();
            QCOMPARE(owner.value(u"uid").toString(), uidOf(rs));
            QCOMPARE(owner.value(u"kind").toString(), u"ReplicaSet"_s);
            QVERIFY(owner.value(u"controller").toBool());
            created.append(u"Created pod: "_s + nameOf(p));
        }
        QTRY_COMPARE_WITH_TIMEOUT(
            m_cluster.eventMessages(ns, u"web"_s, u"SuccessfulCreate"_s).size(), 3, 5000);
        for (const QString &message : m_cluster.eventMessages(ns, u"web"_s, u"SuccessfulCreate"_s))
            QVERIFY2(created.contains(message), qPrintable(message));

        // A pod deleted by someone else is replaced as soon as it is marked for deletion.
        const QString victim = nameOf(pods.first());
        QVERIFY(m_cluster.remove(resources::pods, ns, victim));
        QTRY_VERIFY_WITH_TIMEOUT(get(resources::pods, ns, victim).isEmpty(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(activePods(ns, u"app=web"_s).size(), 3, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(
            count(get(resources::replicaSets, ns, u"web"_s), u"availableReplicas"), 3, 10000);
        QCOMPARE(m_cluster.eventMessages(ns, u"web"_s, u"SuccessfulCreate"_s).size(), 4);
    }

    void replicaSetScalesUpAndDownDeletingNotReadyPodsFirst()
    {
        const QString ns = u"rs-scale"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QVERIFY(m_cluster.create(resources::replicaSets, replicaSet(ns, u"web"_s, 2, u"web"_s)));
        QTRY_COMPARE_WITH_TIMEOUT(
            count(get(resources::replicaSets, ns, u"web"_s), u"readyReplicas"), 2, 10000);
        QStringList readyPods;
        for (const QJsonObject &p : activePods(ns, u"app=web"_s))
            readyPods.append(nameOf(p));

        m_holdReady.insert(ns);
        QVERIFY(m_cluster.mergePatch(resources::replicaSets, ns, u"web"_s,
                                     QJsonObject{{u"spec"_s, QJsonObject{{u"replicas"_s, 5}}}}));
        QTRY_COMPARE_WITH_TIMEOUT(count(get(resources::replicaSets, ns, u"web"_s), u"replicas"), 5,
                                  10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            std::ranges::all_of(activePods(ns, u"app=web"_s),
                                [](const QJsonObject &p) {
                                    return statusOf(p).value(u"phase").toString() == u"Running";
                                }),
            10000);
        QCOMPARE(count(get(resources::replicaSets, ns, u"web"_s), u"readyReplicas"), 2);

        QVERIFY(m_cluster.mergePatch(resources::replicaSets, ns, u"web"_s,
                                     QJsonObject{{u"spec"_s, QJsonObject{{u"replicas"_s, 2}}}}));
        QTRY_COMPARE_WITH_TIMEOUT(activePods(ns, u"app=web"_s).size(), 2, 10000);
        QStringList kept;
        for (const QJsonObject &p : activePods(ns, u"app=web"_s))
            kept.append(nameOf(p));
        kept.sort();
        readyPods.sort();
        QCOMPARE(kept, readyPods);
        QTRY_COMPARE_WITH_TIMEOUT(
            m_cluster.eventMessages(ns, u"web"_s, u"SuccessfulDelete"_s).size(), 3, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(count(get(resources::replicaSets, ns, u"web"_s), u"replicas"), 2,
                                  10000);
        m_holdReady.remove(ns);
    }

    void replicaSetAdoptsOrphansAndReleasesPodsThatStopMatching()
    {
        const QString ns = u"rs-adopt"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QJsonObject orphan = podTemplate(u"web"_s, u"nginx:1.27"_s);
        orphan.insert(u"apiVersion"_s, u"v1"_s);
        orphan.insert(u"kind"_s, u"Pod"_s);
        QJsonObject meta = metaOf(orphan);
        meta.insert(u"name"_s, u"orphan"_s);
        meta.insert(u"namespace"_s, ns);
        orphan.insert(u"metadata"_s, meta);
        QVERIFY(m_cluster.create(resources::pods, orphan));
        const QJsonObject rs =
            m_cluster.create(resources::replicaSets, replicaSet(ns, u"web"_s, 2, u"web"_s))
                .value_or(QJsonObject());
        QVERIFY(!rs.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(
            count(get(resources::replicaSets, ns, u"web"_s), u"availableReplicas"), 2, 10000);
        const QJsonObject adopted = get(resources::pods, ns, u"orphan"_s);
        const QJsonArray owners = metaOf(adopted).value(u"ownerReferences").toArray();
        QCOMPARE(owners.size(), 1);
        QCOMPARE(owners.first().toObject().value(u"uid").toString(), uidOf(rs));
        QVERIFY(owners.first().toObject().value(u"controller").toBool());
        QCOMPARE(activePods(ns, u"app=web"_s).size(), 2);
        QCOMPARE(m_cluster.eventMessages(ns, u"web"_s, u"SuccessfulCreate"_s).size(), 1);

        // Relabelled out of the selector: released, and replaced.
        QVERIFY(m_cluster.mergePatch(
            resources::pods, ns, u"orphan"_s,
            QJsonObject{
                {u"metadata"_s, QJsonObject{{u"labels"_s, QJsonObject{{u"app"_s, u"debug"_s}}}}}}));
        QTRY_VERIFY_WITH_TIMEOUT(metaOf(get(resources::pods, ns, u"orphan"_s))
                                     .value(u"ownerReferences")
                                     .toArray()
                                     .isEmpty(),
                                 10000);
        QTRY_COMPARE_WITH_TIMEOUT(activePods(ns, u"app=web"_s).size(), 2, 10000);
        QVERIFY(!isTerminating(get(resources::pods, ns, u"orphan"_s)));
    }

    void replicaSetReportsFailedCreates()
    {
        const QString ns = u"rs-fail"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QJsonObject rs = replicaSet(ns, u"web"_s, 3, u"web"_s);
        QJsonObject spec = specOf(rs);
        QJsonObject tmpl = spec.value(u"template").toObject();
        QJsonObject meta = tmpl.value(u"metadata").toObject();
        meta.insert(u"annotations"_s, QJsonObject{{u"not a valid key!"_s, u"x"_s}});
        tmpl.insert(u"metadata"_s, meta);
        spec.insert(u"template"_s, tmpl);
        rs.insert(u"spec"_s, spec);
        // The API server checks the annotations of pods, not yet of pod templates: the pods
        // this ReplicaSet makes are refused.
        QVERIFY(m_cluster.create(resources::replicaSets, rs));
        QTRY_COMPARE_WITH_TIMEOUT(
            conditionOf(get(resources::replicaSets, ns, u"web"_s), u"ReplicaFailure"_s)
                .value(u"reason")
                .toString(),
            u"FailedCreate"_s, 10000);
        const QJsonObject failure =
            conditionOf(get(resources::replicaSets, ns, u"web"_s), u"ReplicaFailure"_s);
        QCOMPARE(failure.value(u"status").toString(), u"True"_s);
        QVERIFY2(failure.value(u"message").toString().contains(u"is invalid"),
                 qPrintable(failure.value(u"message").toString()));
        const QStringList failed = m_cluster.eventMessages(ns, u"web"_s, u"FailedCreate"_s);
        QVERIFY(!failed.isEmpty());
        QVERIFY2(failed.first().startsWith(u"Error creating: "), qPrintable(failed.first()));
        QCOMPARE(m_cluster.list(resources::pods, ns).size(), 0);
    }

    void podDeletionRanking_data()
    {
        QTest::addColumn<QList<QJsonObject>>("pods");
        QTest::addColumn<QList<QJsonObject>>("others"); // of the owner's other ReplicaSets
        QTest::addColumn<QString>("first");
        const QString t0 = u"2024-05-01T10:00:00Z"_s, t1 = u"2024-05-01T11:00:00Z"_s;
        QTest::newRow("unassigned before assigned")
            << QList{pod(u"a"_s, u"n1"_s, u"Running"_s, true, t0),
                     pod(u"b"_s, {}, u"Pending"_s, false, t0)}
            << QList<QJsonObject>() << u"b"_s;
        QTest::newRow("pending before running")
            << QList{pod(u"a"_s, u"n1"_s, u"Running"_s, false, t0),
                     pod(u"b"_s, u"n1"_s, u"Pending"_s, false, t0)}
            << QList<QJsonObject>() << u"b"_s;
        QTest::newRow("not ready before ready")
            << QList{pod(u"a"_s, u"n1"_s, u"Running"_s, true, t0),
                     pod(u"b"_s, u"n1"_s, u"Running"_s, false, t0)}
            << QList<QJsonObject>() << u"b"_s;
        QTest::newRow("lower deletion cost first")
            << QList{pod(u"a"_s, u"n1"_s, u"Running"_s, true, t0, 0, {}, u"10"_s),
                     pod(u"b"_s, u"n1"_s, u"Running"_s, true, t0, 0, {}, u"-5"_s)}
            << QList<QJsonObject>() << u"b"_s;
        QTest::newRow("crowded node first")
            << QList{pod(u"a"_s, u"n1"_s, u"Running"_s, true, t0),
                     pod(u"b"_s, u"n2"_s, u"Running"_s, true, t0)}
            << QList{pod(u"x"_s, u"n2"_s, u"Running"_s, true, t0)} << u"b"_s;
        QTest::newRow("ready more recently first")
            << QList{pod(u"a"_s, u"n1"_s, u"Running"_s, true, t0, 0, u"2024-01-01T00:00:00Z"_s),
                     pod(u"b"_s, u"n2"_s, u"Running"_s, true, t0, 0, t1)}
            << QList<QJsonObject>() << u"b"_s;
        QTest::newRow("more restarts first")
            << QList{pod(u"a"_s, u"n1"_s, u"Running"_s, true, t0, 1),
                     pod(u"b"_s, u"n2"_s, u"Running"_s, true, t0, 7)}
            << QList<QJsonObject>() << u"b"_s;
        QTest::newRow("newer first")
            << QList{pod(u"a"_s, u"n1"_s, u"Running"_s, false, u"2024-01-01T00:00:00Z"_s),
                     pod(u"b"_s, u"n2"_s, u"Running"_s, false, t1)}
            << QList<QJsonObject>() << u"b"_s;
    }

    void podDeletionRanking()
    {
        QFETCH(QList<QJsonObject>, pods);
        QFETCH(QList<QJsonObject>, others);
        QFETCH(QString, first);
        const QDateTime now = QDateTime::fromString(u"2024-05-01T12:00:00Z"_s, Qt::ISODate);
        for (bool reversed : {false, true}) {
            QList<QJsonObject> input = pods;
            if (reversed)
                std::reverse(input.begin(), input.end());
            const QList<QJsonObject> chosen =
                controllers::ReplicaSetController::podsToDelete(input, input + others, 1, now);
            QCOMPARE(chosen.size(), 1);
            QCOMPARE(nameOf(chosen.first()), first);
        }
    }

    // --- Deployment: pure parts -----------------------------------------------------------------

    void fenceposts_data()
    {
        QTest::addColumn<QJsonValue>("maxSurge");
        QTest::addColumn<QJsonValue>("maxUnavailable");
        QTest::addColumn<int>("replicas");
        QTest::addColumn<int>("surge");
        QTest::addColumn<int>("unavailable");
        QTest::newRow("defaults of 4")
            << QJsonValue(u"25%"_s) << QJsonValue(u"25%"_s) << 4 << 1 << 1;
        QTest::newRow("defaults of 10: surge up, unavailable down")
            << QJsonValue(u"25%"_s) << QJsonValue(u"25%"_s) << 10 << 3 << 2;
        QTest::newRow("defaults of 1")
            << QJsonValue(u"25%"_s) << QJsonValue(u"25%"_s) << 1 << 1 << 0;
        QTest::newRow("both round to 0") << QJsonValue(0) << QJsonValue(u"25%"_s) << 3 << 0 << 1;
        QTest::newRow("numbers") << QJsonValue(2) << QJsonValue(1) << 5 << 2 << 1;
        QTest::newRow("percentages over half")
            << QJsonValue(u"50%"_s) << QJsonValue(u"100%"_s) << 3 << 2 << 3;
        QTest::newRow("not a percentage") << QJsonValue(u"two"_s) << QJsonValue(1) << 3 << 0 << 1;
    }

    void fenceposts()
    {
        QFETCH(QJsonValue, maxSurge);
        QFETCH(QJsonValue, maxUnavailable);
        QFETCH(int, replicas);
        const auto f =
            controllers::deployment::resolveFenceposts(maxSurge, maxUnavailable, replicas);
        QTEST(f.maxSurge, "surge");
        QTEST(f.maxUnavailable, "unavailable");
    }

    void podTemplateHashIsStableAndShapedLikeKubernetes()
    {
        using controllers::deployment::podTemplateHash;
        const QJsonObject a = podTemplate(u"web"_s, u"nginx:1.27"_s);
        const QString hash = podTemplateHash(a, std::nullopt);
        // SafeEncodeString of a decimal uint32: up to 10 characters, each a mapped digit.
        QVERIFY2(QRegularExpression(u"^[4-9bcdf]{1,10}$"_s).match(hash).hasMatch(),
                 qPrintable(hash));
        QCOMPARE(podTemplateHash(QJsonDocument::fromJson(QJsonDocument(a).toJson()).object(),
                                 std::nullopt),
                 hash);
        QVERIFY(podTemplateHash(podTemplate(u"web"_s, u"nginx:1.28"_s), std::nullopt) != hash);
        QVERIFY(podTemplateHash(a, 1) != hash);
        QVERIFY(podTemplateHash(a, 1) != podTemplateHash(a, 2));
        QVERIFY(controllers::deployment::equalIgnoreHash(
            a,
            QJsonDocument::fromJson(R"({"metadata":{"labels":{"app":"web","pod-template-hash":"x"},
                "creationTimestamp":null},"spec":{"containers":[{"name":"app","image":"nginx:1.27"}]}})")
                .object()));
    }

    // --- Deployment -----------------------------------------------------------------------------

    void deploymentCreatesAReplicaSetAtRevisionOne()
    {
        const QString ns = u"deploy-create"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QJsonObject d = deployment(ns, u"web"_s, 3, u"nginx:1.27"_s);
        QJsonObject meta = metaOf(d);
        meta.insert(u"annotations"_s, QJsonObject{{u"kubernetes.io/change-cause"_s, u"first"_s}});
        d.insert(u"metadata"_s, meta);
        QVERIFY(m_cluster.create(resources::deployments, d));
        QVERIFY(rolledOut(ns, u"web"_s));

        const QList<QJsonObject> rss = replicaSetsOf(ns, u"web"_s);
        QCOMPARE(rss.size(), 1);
        const QJsonObject rs = rss.first();
        const QString hash = labelsOf(rs).value(u"pod-template-hash").toString();
        QVERIFY2(QRegularExpression(u"^[4-9bcdf]{1,10}$"_s).match(hash).hasMatch(),
                 qPrintable(hash));
        QCOMPARE(nameOf(rs), u"web-"_s + hash);
        QCOMPARE(specOf(rs)
                     .value(u"selector")
                     .toObject()
                     .value(u"matchLabels")
                     .toObject()
                     .value(u"pod-template-hash")
                     .toString(),
                 hash);
        QCOMPARE(labelsOf(specOf(rs).value(u"template").toObject())
                     .value(u"pod-template-hash")
                     .toString(),
                 hash);
        QCOMPARE(annotationOf(rs, u"deployment.kubernetes.io/revision"_s), u"1"_s);
        QCOMPARE(annotationOf(rs, u"deployment.kubernetes.io/desired-replicas"_s), u"3"_s);
        QCOMPARE(annotationOf(rs, u"deployment.kubernetes.io/max-replicas"_s), u"4"_s);
        QCOMPARE(annotationOf(rs, u"kubernetes.io/change-cause"_s), u"first"_s);
        QCOMPARE(metaOf(rs)
                     .value(u"ownerReferences")
                     .toArray()
                     .first()
                     .toObject()
                     .value(u"kind")
                     .toString(),
                 u"Deployment"_s);

        const QJsonObject current = get(resources::deployments, ns, u"web"_s);
        QCOMPARE(annotationOf(current, u"deployment.kubernetes.io/revision"_s), u"1"_s);
        QCOMPARE(statusOf(current).value(u"observedGeneration").toInteger(),
                 metaOf(current).value(u"generation").toInteger());
        QCOMPARE(count(current, u"replicas"), 3);
        QCOMPARE(count(current, u"updatedReplicas"), 3);
        QCOMPARE(count(current, u"readyReplicas"), 3);
        QCOMPARE(count(current, u"availableReplicas"), 3);
        QCOMPARE(count(current, u"unavailableReplicas"), 0);
        const QJsonObject availableCondition = conditionOf(current, u"Available"_s);
        QCOMPARE(availableCondition.value(u"status").toString(), u"True"_s);
        QCOMPARE(availableCondition.value(u"reason").toString(), u"MinimumReplicasAvailable"_s);
        QCOMPARE(availableCondition.value(u"message").toString(),
                 u"Deployment has minimum availability."_s);
        QTRY_COMPARE_WITH_TIMEOUT(
            conditionOf(get(resources::deployments, ns, u"web"_s), u"Progressing"_s)
                .value(u"reason")
                .toString(),
            u"NewReplicaSetAvailable"_s, 10000);
        const QJsonObject progressingCondition =
            conditionOf(get(resources::deployments, ns, u"web"_s), u"Progressing"_s);
        QCOMPARE(progressingCondition.value(u"status").toString(), u"True"_s);
        QCOMPARE(progressingCondition.value(u"message").toString(),
                 u"ReplicaSet \"%1\" has successfully progressed."_s.arg(nameOf(rs)));
        QCOMPARE(m_cluster.eventMessages(ns, u"web"_s, u"ScalingReplicaSet"_s),
                 QStringList{u"Scaled up replica set %1 from 0 to 3"_s.arg(nameOf(rs))});
        QCOMPARE(activePods(ns, u"app=web"_s).size(), 3);
    }

    void rollingUpdateNeverGoesBelowMinimumAvailability()
    {
        const QString ns = u"deploy-roll"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QVERIFY(
            m_cluster.create(resources::deployments, deployment(ns, u"web"_s, 4, u"nginx:1.27"_s)));
        QVERIFY(rolledOut(ns, u"web"_s));
        const QJsonObject oldRS = replicaSetsOf(ns, u"web"_s).first();

        // From here on, every state the pods and ReplicaSets go through is checked: at least
        // replicas - maxUnavailable (4 - 1) pods available, at most replicas + maxSurge wanted.
        int minAvailable = 4, maxWanted = 4;
        QObject watcher;
        auto checkPods = [&] {
            int available = 0;
            for (const QJsonObject &p : m_kubelet->pods(ns))
                if (!isTerminating(p) && isReady(p) &&
                    labelsOf(p).value(u"app").toString() == u"web")
                    ++available;
            minAvailable = std::min(minAvailable, available);
        };
        connect(&m_kubelet->informer(), &client::Informer::added, &watcher, checkPods);
        connect(&m_kubelet->informer(), &client::Informer::updated, &watcher, checkPods);
        connect(&m_kubelet->informer(), &client::Informer::deleted, &watcher, checkPods);
        client::Informer rsInformer(m_cluster.api(), resources::replicaSets, {.ns = ns});
        auto checkReplicaSets = [&] {
            int wanted = 0;
            for (const QJsonObject &rs : rsInformer.list())
                wanted += specOf(rs).value(u"replicas").toInt();
            maxWanted = std::max(maxWanted, wanted);
        };
        connect(&rsInformer, &client::Informer::added, &watcher, checkReplicaSets);
        connect(&rsInformer, &client::Informer::updated, &watcher, checkReplicaSets);
        rsInformer.start();
        QTRY_VERIFY_WITH_TIMEOUT(rsInformer.hasSynced(), 5000);

        QVERIFY(m_cluster.mergePatch(resources::deployments, ns, u"web"_s,
                                     imagePatch(u"nginx:1.28"_s)));
        QTRY_VERIFY_WITH_TIMEOUT(replicaSetsOf(ns, u"web"_s).size() == 2, 10000);
        QVERIFY(rolledOut(ns, u"web"_s));
        QTRY_COMPARE_WITH_TIMEOUT(
            count(get(resources::replicaSets, ns, nameOf(oldRS)), u"replicas"), 0, 10000);
        QVERIFY2(minAvailable >= 3, qPrintable(u"only %1 pods were available"_s.arg(minAvailable)));
        QVERIFY2(maxWanted <= 5, qPrintable(u"%1 replicas were wanted"_s.arg(maxWanted)));

        const QList<QJsonObject> rss = replicaSetsOf(ns, u"web"_s);
        const QJsonObject newRS = rss.last();
        QCOMPARE(annotationOf(newRS, u"deployment.kubernetes.io/revision"_s), u"2"_s);
        QCOMPARE(imageOf(newRS), u"nginx:1.28"_s);
        QCOMPARE(specOf(rss.first()).value(u"replicas").toInt(), 0);
        QCOMPARE(annotationOf(get(resources::deployments, ns, u"web"_s),
                              u"deployment.kubernetes.io/revision"_s),
                 u"2"_s);
        const QList<QJsonObject> pods = activePods(ns, u"app=web"_s);
        QCOMPARE(pods.size(), 4);
        for (const QJsonObject &p : pods)
            QCOMPARE(imageOf(p), u"nginx:1.28"_s);
        const QStringList scaling = m_cluster.eventMessages(ns, u"web"_s, u"ScalingReplicaSet"_s);
        QVERIFY2(scaling.contains(u"Scaled up replica set %1 from 0 to 1"_s.arg(nameOf(newRS))),
                 qPrintable(scaling.join(u'\n')));
        QVERIFY2(scaling.contains(u"Scaled down replica set %1 from 4 to 3"_s.arg(nameOf(oldRS))),
                 qPrintable(scaling.join(u'\n')));
        const QJsonObject d = get(resources::deployments, ns, u"web"_s);
        QCOMPARE(conditionOf(d, u"Available"_s).value(u"status").toString(), u"True"_s);
    }

    void rolloutUndoReusesThePreviousReplicaSetAsRevisionThree()
    {
        const QString ns = u"deploy-undo"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QVERIFY(
            m_cluster.create(resources::deployments, deployment(ns, u"web"_s, 2, u"nginx:1.27"_s)));
        QVERIFY(rolledOut(ns, u"web"_s));
        QVERIFY(m_cluster.mergePatch(resources::deployments, ns, u"web"_s,
                                     imagePatch(u"nginx:1.28"_s)));
        QTRY_COMPARE_WITH_TIMEOUT(replicaSetsOf(ns, u"web"_s).size(), 2, 10000);
        QVERIFY(rolledOut(ns, u"web"_s));

        // What `kubectl rollout undo` sends: the previous revision's template (without its
        // pod-template-hash) and annotations, as one JSON patch.
        const QJsonObject first = replicaSetsOf(ns, u"web"_s).first();
        QJsonObject tmpl = specOf(first).value(u"template").toObject();
        QJsonObject tmplMeta = tmpl.value(u"metadata").toObject();
        QJsonObject tmplLabels = tmplMeta.value(u"labels").toObject();
        tmplLabels.remove(u"pod-template-hash"_s);
        tmplMeta.insert(u"labels"_s, tmplLabels);
        tmplMeta.insert(u"creationTimestamp"_s, QJsonValue::Null);
        tmpl.insert(u"metadata"_s, tmplMeta);
        QJsonObject annotations{{u"deployment.kubernetes.io/revision"_s,
                                 annotationOf(get(resources::deployments, ns, u"web"_s),
                                              u"deployment.kubernetes.io/revision"_s)}};
        QVERIFY(m_cluster.jsonPatch(resources::deployments, ns, u"web"_s,
                                    QJsonArray{QJsonObject{{u"op"_s, u"replace"_s},
                                                           {u"path"_s, u"/spec/template"_s},
                                                           {u"value"_s, tmpl}},
                                               QJsonObject{{u"op"_s, u"replace"_s},
                                                           {u"path"_s, u"/metadata/annotations"_s},
                                                           {u"value"_s, annotations}}}));
        QTRY_COMPARE_WITH_TIMEOUT(annotationOf(get(resources::replicaSets, ns, nameOf(first)),
                                               u"deployment.kubernetes.io/revision"_s),
                                  u"3"_s, 10000);
        QVERIFY(rolledOut(ns, u"web"_s));
        const QList<QJsonObject> rss = replicaSetsOf(ns, u"web"_s);
        QCOMPARE(rss.size(), 2);
        const QJsonObject reused = get(resources::replicaSets, ns, nameOf(first));
        QCOMPARE(uidOf(reused), uidOf(first));
        QCOMPARE(annotationOf(reused, u"deployment.kubernetes.io/revision-history"_s), u"1"_s);
        QCOMPARE(specOf(reused).value(u"replicas").toInt(), 2);
        QCOMPARE(count(rss.first(), u"replicas"), 0); // the 1.28 one, now revision 2 of 3
        QCOMPARE(annotationOf(get(resources::deployments, ns, u"web"_s),
                              u"deployment.kubernetes.io/revision"_s),
                 u"3"_s);
        for (const QJsonObject &p : activePods(ns, u"app=web"_s))
            QCOMPARE(imageOf(p), u"nginx:1.27"_s);
    }

    void recreateStopsEveryOldPodBeforeStartingNewOnes()
    {
        const QString ns = u"deploy-recreate"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QVERIFY(m_cluster.create(
            resources::deployments,
            deployment(ns, u"web"_s, 3, u"nginx:1.27"_s,
                       {{u"strategy"_s, QJsonObject{{u"type"_s, u"Recreate"_s}}}})));
        QVERIFY(rolledOut(ns, u"web"_s));
        const QJsonObject oldRS = replicaSetsOf(ns, u"web"_s).first();
        bool overlapped = false;
        QObject watcher;
        auto check = [&] {
            QSet<QString> images;
            for (const QJsonObject &p : m_kubelet->pods(ns))
                images.insert(imageOf(p));
            overlapped = overlapped || images.size() > 1;
        };
        connect(&m_kubelet->informer(), &client::Informer::added, &watcher, check);
        connect(&m_kubelet->informer(), &client::Informer::updated, &watcher, check);

        // The old pods stay Terminating (their node agent is slow to stop them) ...
        m_kubelet->finishDeletions = false;
        QVERIFY(m_cluster.mergePatch(resources::deployments, ns, u"web"_s,
                                     imagePatch(u"nginx:1.28"_s)));
        QTRY_VERIFY_WITH_TIMEOUT(std::ranges::count_if(m_kubelet->pods(ns), isTerminating) == 3,
                                 10000);
        // ... and the controller has looked at the Deployment since their ReplicaSet let them go.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QJsonObject d = get(resources::deployments, ns, u"web"_s);
                return count(get(resources::replicaSets, ns, nameOf(oldRS)), u"replicas") == 0 &&
                       statusOf(d).contains(u"observedGeneration") && count(d, u"replicas") == 0;
            }(),
            10000);
        QCOMPARE(replicaSetsOf(ns, u"web"_s).size(), 1);

        m_kubelet->finishPendingDeletions();
        QTRY_COMPARE_WITH_TIMEOUT(replicaSetsOf(ns, u"web"_s).size(), 2, 10000);
        QVERIFY(rolledOut(ns, u"web"_s));
        QVERIFY2(!overlapped, "old and new pods existed at the same time");
        const QList<QJsonObject> rss = replicaSetsOf(ns, u"web"_s);
        QCOMPARE(specOf(rss.first()).value(u"replicas").toInt(), 0);
        QCOMPARE(specOf(rss.last()).value(u"replicas").toInt(), 3);
        QCOMPARE(activePods(ns, u"app=web"_s).size(), 3);
        const QStringList scaling = m_cluster.eventMessages(ns, u"web"_s, u"ScalingReplicaSet"_s);
        QVERIFY2(
            scaling.contains(u"Scaled down replica set %1 from 3 to 0"_s.arg(nameOf(rss.first()))),
            qPrintable(scaling.join(u'\n')));
        QVERIFY2(
            scaling.contains(u"Scaled up replica set %1 from 0 to 3"_s.arg(nameOf(rss.last()))),
            qPrintable(scaling.join(u'\n')));
    }

    void pausedDeploymentScalesButDoesNotRollOut()
    {
        const QString ns = u"deploy-paused"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QVERIFY(
            m_cluster.create(resources::deployments, deployment(ns, u"web"_s, 2, u"nginx:1.27"_s)));
        QVERIFY(rolledOut(ns, u"web"_s));
        QVERIFY(m_cluster.mergePatch(resources::deployments, ns, u"web"_s,
                                     {{u"spec"_s, QJsonObject{{u"paused"_s, true}}}}));
        QTRY_COMPARE_WITH_TIMEOUT(
            conditionOf(get(resources::deployments, ns, u"web"_s), u"Progressing"_s)
                .value(u"reason")
                .toString(),
            u"DeploymentPaused"_s, 10000);
        const QJsonObject paused =
            conditionOf(get(resources::deployments, ns, u"web"_s), u"Progressing"_s);
        QCOMPARE(paused.value(u"status").toString(), u"Unknown"_s);
        QCOMPARE(paused.value(u"message").toString(), u"Deployment is paused"_s);

        QVERIFY(m_cluster.mergePatch(resources::deployments, ns, u"web"_s,
                                     imagePatch(u"nginx:1.28"_s)));
        QVERIFY(m_cluster.mergePatch(resources::deployments, ns, u"web"_s,
                                     {{u"spec"_s, QJsonObject{{u"replicas"_s, 3}}}}));
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QJsonObject d = get(resources::deployments, ns, u"web"_s);
                return statusOf(d).value(u"observedGeneration").toInteger() ==
                           metaOf(d).value(u"generation").toInteger() &&
                       count(d, u"availableReplicas") == 3;
            }(),
            10000);
        QCOMPARE(replicaSetsOf(ns, u"web"_s).size(), 1);
        for (const QJsonObject &p : activePods(ns, u"app=web"_s))
            QCOMPARE(imageOf(p), u"nginx:1.27"_s);

        QVERIFY(m_cluster.mergePatch(resources::deployments, ns, u"web"_s,
                                     {{u"spec"_s, QJsonObject{{u"paused"_s, false}}}}));
        QTRY_COMPARE_WITH_TIMEOUT(replicaSetsOf(ns, u"web"_s).size(), 2, 10000);
        QVERIFY(rolledOut(ns, u"web"_s));
        QTRY_COMPARE_WITH_TIMEOUT(
            conditionOf(get(resources::deployments, ns, u"web"_s), u"Progressing"_s)
                .value(u"reason")
                .toString(),
            u"NewReplicaSetAvailable"_s, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            std::ranges::all_of(activePods(ns, u"app=web"_s),
                                [](const QJsonObject &p) { return imageOf(p) == u"nginx:1.28"; }),
            10000);
    }

    void revisionHistoryLimitDeletesTheOldestReplicaSets()
    {
        const QString ns = u"deploy-history"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QVERIFY(
            m_cluster.create(resources::deployments, deployment(ns, u"web"_s, 1, u"nginx:1"_s,
                                                                {{u"revisionHistoryLimit"_s, 1}})));
        QVERIFY(rolledOut(ns, u"web"_s));
        for (const QString &image : {u"nginx:2"_s, u"nginx:3"_s, u"nginx:4"_s}) {
            QVERIFY(m_cluster.mergePatch(resources::deployments, ns, u"web"_s, imagePatch(image)));
            QTRY_VERIFY_WITH_TIMEOUT(imageOf(replicaSetsOf(ns, u"web"_s).last()) == image, 10000);
            QVERIFY(rolledOut(ns, u"web"_s));
        }
        QTRY_COMPARE_WITH_TIMEOUT(replicaSetsOf(ns, u"web"_s).size(), 2, 10000);
        const QList<QJsonObject> rss = replicaSetsOf(ns, u"web"_s);
        QCOMPARE(annotationOf(rss.first(), u"deployment.kubernetes.io/revision"_s), u"3"_s);
        QCOMPARE(imageOf(rss.first()), u"nginx:3"_s);
        QCOMPARE(annotationOf(rss.last(), u"deployment.kubernetes.io/revision"_s), u"4"_s);
    }

    void scalingMidRolloutIsProportionalAndStuckRolloutsTimeOut()
    {
        const QString ns = u"deploy-proportional"_s;
        QVERIFY(m_cluster.createNamespace(ns));
        QVERIFY(m_cluster.create(
            resources::deployments,
            deployment(ns, u"web"_s, 10, u"nginx:1.27"_s, {{u"progressDeadlineSeconds"_s, 2}})));
        QVERIFY(rolledOut(ns, u"web"_s));
        // A new image whose pods never become ready: with maxSurge 3 and maxUnavailable 2 the
        // rollout stops at 8 old and 5 new.
        QVERIFY(m_cluster.mergePatch(resources::deployments, ns, u"web"_s,
                                     imagePatch(u"nginx:broken"_s)));
        auto sizes = [&] {
            QList<int> s;
            for (const QJsonObject &rs : replicaSetsOf(ns, u"web"_s))
                s.append(specOf(rs).value(u"replicas").toInt());
            return s;
        };
        QTRY_COMPARE_WITH_TIMEOUT(sizes(), (QList<int>{8, 5}), 10000);

        // 20 replicas (+5 surge): the 12 added go 7 to the old and 5 to the new ReplicaSet.
        QVERIFY(m_cluster.mergePatch(resources::deployments, ns, u"web"_s,
                                     {{u"spec"_s, QJsonObject{{u"replicas"_s, 20}}}}));
        QTRY_COMPARE_WITH_TIMEOUT(sizes(), (QList<int>{15, 10}), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(activePods(ns, u"app=web"_s).size(), 25, 10000);

        QTRY_COMPARE_WITH_TIMEOUT(
            conditionOf(get(resources::deployments, ns, u"web"_s), u"Progressing"_s)
                .value(u"reason")
                .toString(),
            u"ProgressDeadlineExceeded"_s, 10000);
        const QJsonObject d = get(resources::deployments, ns, u"web"_s);
        const QJsonObject stuck = conditionOf(d, u"Progressing"_s);
        QCOMPARE(stuck.value(u"status").toString(), u"False"_s);
        QCOMPARE(stuck.value(u"message").toString(),
                 u"ReplicaSet \"%1\" has timed out progressing."_s.arg(
                     nameOf(replicaSetsOf(ns, u"web"_s).last())));
        QCOMPARE(rolloutStatus(d), u"error: deployment \"web\" exceeded its progress deadline"_s);
        QCOMPARE(count(d, u"updatedReplicas"), 10);
        QCOMPARE(count(d, u"availableReplicas"), 15);
        QCOMPARE(count(d, u"unavailableReplicas"), 10);
        QCOMPARE(conditionOf(d, u"Available"_s).value(u"status").toString(),
                 u"True"_s); // 15 >= 20 - 5
    }
};

QTEST_GUILESS_MAIN(TestWorkloadControllers)
#include "tst_workloadcontrollers.moc"
