// The topology graph: its model's items and edges from real-shaped API objects, health and
// status as kubectl prints them, filters and ghosts; Graphviz's layered layout with node lanes;
// the scene following the model (a status change repaints, a new pod animates into its lane).
#include "topology/topologyitems.h"
#include "topology/topologylayout.h"
#include "topology/topologymodel.h"
#include "topology/topologyscene.h"
#include "topology/topologyview.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace timonel::topology;

namespace {

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(text).object();
}

QJsonObject node(const QString &name, bool ready, bool controlPlane = false)
{
    QJsonObject labels;
    if (controlPlane)
        labels.insert(u"node-role.kubernetes.io/control-plane"_s, QString());
    return QJsonObject{
        {u"metadata"_s, QJsonObject{{u"name"_s, name}, {u"labels"_s, labels}}},
        {u"status"_s,
         QJsonObject{{u"conditions"_s,
                      QJsonArray{QJsonObject{{u"type"_s, u"Ready"_s},
                                             {u"status"_s, ready ? u"True"_s : u"False"_s}}}}}}};
}

QJsonObject meta(const QString &ns, const QString &name, const QString &uid,
                 const QJsonObject &labels = {}, const QString &ownerUid = {})
{
    QJsonObject m{{u"namespace"_s, ns}, {u"name"_s, name}, {u"uid"_s, uid}, {u"labels"_s, labels}};
    if (!ownerUid.isEmpty())
        m.insert(u"ownerReferences"_s, QJsonArray{QJsonObject{{u"uid"_s, ownerUid}}});
    return m;
}

// A pod on `node` whose one container is running (ready or not) or waiting with `reason`.
QJsonObject pod(const QString &name, const QString &nodeName, const QString &ownerUid,
                const QString &state = u"ready"_s, int restarts = 0, const QString &ns = u"web"_s)
{
    QJsonObject containerState;
    if (state == u"ready" || state == u"unready")
        containerState = {{u"running"_s, QJsonObject{}}};
    else
        containerState = {{u"waiting"_s, QJsonObject{{u"reason"_s, state}}}};
    const QJsonObject status{
        {u"phase"_s, state == u"ready" || state == u"unready" ? u"Running"_s : u"Pending"_s},
        {u"containerStatuses"_s, QJsonArray{QJsonObject{{u"name"_s, u"app"_s},
                                                        {u"ready"_s, state == u"ready"},
                                                        {u"restartCount"_s, restarts},
                                                        {u"state"_s, containerState}}}}};
    QJsonObject spec{
        {u"containers"_s,
         QJsonArray{QJsonObject{
             {u"name"_s, u"app"_s},
             {u"envFrom"_s, QJsonArray{QJsonObject{
                                {u"configMapRef"_s, QJsonObject{{u"name"_s, u"settings"_s}}}}}}}}}};
    if (!nodeName.isEmpty())
        spec.insert(u"nodeName"_s, nodeName);
    return {{u"metadata"_s, meta(ns, name, u"uid-"_s + name, {{u"app"_s, u"web"_s}}, ownerUid)},
            {u"spec"_s, spec},
            {u"status"_s, status}};
}

QJsonObject deployment(const QString &name, int replicas, int ready, const QString &ns = u"web"_s)
{
    return {{u"metadata"_s, meta(ns, name, u"uid-"_s + name, {{u"app"_s, u"web"_s}})},
            {u"spec"_s,
             QJsonObject{
                 {u"replicas"_s, replicas},
                 {u"template"_s,
                  QJsonObject{{u"metadata"_s,
                               QJsonObject{{u"labels"_s, QJsonObject{{u"app"_s, u"web"_s}}}}}}}}},
            {u"status"_s, QJsonObject{{u"readyReplicas"_s, ready}}}};
}

QJsonObject replicaSet(const QString &name, const QString &owner, int replicas)
{
    return {{u"metadata"_s, meta(u"web"_s, name, u"uid-"_s + name, {}, u"uid-"_s + owner)},
            {u"spec"_s, QJsonObject{{u"replicas"_s, replicas}}},
            {u"status"_s, QJsonObject{{u"replicas"_s, replicas}, {u"readyReplicas"_s, replicas}}}};
}

QJsonObject service(const QString &name, const QString &ns = u"web"_s)
{
    return {{u"metadata"_s, meta(ns, name, u"uid-service-"_s + name)},
            {u"spec"_s, QJsonObject{{u"type"_s, u"ClusterIP"_s},
                                    {u"clusterIP"_s, u"10.96.0.20"_s},
                                    {u"selector"_s, QJsonObject{{u"app"_s, u"web"_s}}}}}};
}

QJsonObject configMap(const QString &name)
{
    return {{u"metadata"_s, meta(u"web"_s, name, u"uid-"_s + name)},
            {u"data"_s, QJsonObject{{u"a"_s, u"1"_s}}}};
}

QString id(const QString &key, const QString &name, const QString &ns = u"web"_s)
{
    return itemId(key, ns, name);
}

bool hasEdge(const TopologyModel &model, const QString &from, const QString &to, EdgeKind kind)
{
    return model.edges().contains(Edge{from, to, kind});
}

// Two nodes, a Deployment with a ReplicaSet and three pods, a Service, an Ingress, a ConfigMap
// the pods use and one nobody uses, and an old ReplicaSet scaled to zero.
void fill(TopologyModel &model)
{
    model.apply(u"nodes"_s, node(u"worker"_s, true));
    model.apply(u"nodes"_s, node(u"cp"_s, true, true));
    model.apply(u"deployments.apps"_s, deployment(u"shop"_s, 3, 2));
    model.apply(u"replicasets.apps"_s, replicaSet(u"shop-1"_s, u"shop"_s, 3));
    model.apply(u"replicasets.apps"_s, replicaSet(u"shop-0"_s, u"shop"_s, 0));
    model.apply(u"pods"_s, pod(u"shop-1-a"_s, u"worker"_s, u"uid-shop-1"_s));
    model.apply(u"pods"_s, pod(u"shop-1-b"_s, u"cp"_s, u"uid-shop-1"_s));
    model.apply(u"pods"_s, pod(u"shop-1-c"_s, {}, u"uid-shop-1"_s, u"ContainerCreating"_s));
    model.apply(u"services"_s, service(u"shop"_s));
    model.apply(u"ingresses.networking.k8s.io"_s,
                json(R"({"metadata":{"namespace":"web","name":"front","uid":"i1"},
                "spec":{"rules":[{"host":"shop.local","http":{"paths":[
                {"path":"/","backend":{"service":{"name":"shop","port":{"number":80}}}}]}}]}})"));
    model.apply(u"configmaps"_s, configMap(u"settings"_s));
    model.apply(u"configmaps"_s, configMap(u"kube-root-ca.crt"_s));
}

} // namespace

class TestTopology : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void modelLinksOwnersSelectorsRoutesAndConfiguration()
    {
        TopologyModel model;
        fill(model);
        QVERIFY(hasEdge(model, id(u"deployments.apps"_s, u"shop"_s),
                        id(u"replicasets.apps"_s, u"shop-1"_s), EdgeKind::Owns));
        QVERIFY(hasEdge(model, id(u"replicasets.apps"_s, u"shop-1"_s), id(u"pods"_s, u"shop-1-a"_s),
                        EdgeKind::Owns));
        QVERIFY(hasEdge(model, id(u"services"_s, u"shop"_s), id(u"pods"_s, u"shop-1-b"_s),
                        EdgeKind::Selects));
        QVERIFY(hasEdge(model, id(u"ingresses.networking.k8s.io"_s, u"front"_s),
                        id(u"services"_s, u"shop"_s), EdgeKind::Routes));
        QVERIFY(hasEdge(model, id(u"configmaps"_s, u"settings"_s), id(u"pods"_s, u"shop-1-c"_s),
                        EdgeKind::Uses));
        // Noise stays out: an unused ConfigMap, an old ReplicaSet scaled to zero.
        QVERIFY(model.isShown(id(u"configmaps"_s, u"settings"_s)));
        QVERIFY(!model.isShown(id(u"configmaps"_s, u"kube-root-ca.crt"_s)));
        QVERIFY(!model.isShown(id(u"replicasets.apps"_s, u"shop-0"_s)));
        QCOMPARE(model.items().size(), 8);
        // Lanes: control planes first.
        QCOMPARE(model.lanes().size(), 2);
        QCOMPARE(model.lanes()[0].node, u"cp"_s);
        QCOMPARE(model.namespaces(), QStringList{u"web"_s});
    }

    void modelShowsStatusAndHealthAsKubectlDoes()
    {
        TopologyModel model;
        fill(model);
        const Item *running = model.item(id(u"pods"_s, u"shop-1-a"_s));
        QCOMPARE(running->status, u"Running"_s);
        QCOMPARE(running->detail, u"1/1"_s);
        QCOMPARE(running->lane, u"worker"_s);
        QCOMPARE(running->health, Health::Good);
        const Item *creating = model.item(id(u"pods"_s, u"shop-1-c"_s));
        QCOMPARE(creating->status, u"ContainerCreating"_s);
        QCOMPARE(creating->health, Health::Progressing);
        QCOMPARE(creating->lane, QString());
        const Item *shop = model.item(id(u"deployments.apps"_s, u"shop"_s));
        QCOMPARE(shop->status, u"2/3"_s);
        QCOMPARE(shop->health, Health::Progressing);
        QCOMPARE(model.item(id(u"services"_s, u"shop"_s))->detail, u"10.96.0.20"_s);

        model.apply(u"pods"_s,
                    pod(u"shop-1-a"_s, u"worker"_s, u"uid-shop-1"_s, u"CrashLoopBackOff"_s, 4));
        QCOMPARE(model.item(id(u"pods"_s, u"shop-1-a"_s))->status, u"CrashLoopBackOff"_s);
        QCOMPARE(model.item(id(u"pods"_s, u"shop-1-a"_s))->health, Health::Failed);
        QCOMPARE(model.item(id(u"pods"_s, u"shop-1-a"_s))->restarts, 4);
        model.apply(u"pods"_s, pod(u"shop-1-a"_s, u"worker"_s, u"uid-shop-1"_s, u"unready"_s));
        QCOMPARE(model.item(id(u"pods"_s, u"shop-1-a"_s))->health, Health::Progressing);
    }

    void statusChangesRepaintAndRelinkingRelayouts()
    {
        TopologyModel model;
        fill(model);
        model.items();
        QSignalSpy changed(&model, &TopologyModel::itemsChanged);
        QSignalSpy structure(&model, &TopologyModel::structureChanged);
        model.apply(u"pods"_s, pod(u"shop-1-a"_s, u"worker"_s, u"uid-shop-1"_s, u"unready"_s));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed[0][0].toStringList(), QStringList{id(u"pods"_s, u"shop-1-a"_s)});
        QCOMPARE(structure.size(), 0);
        // The same object again changes nothing.
        model.apply(u"pods"_s, pod(u"shop-1-a"_s, u"worker"_s, u"uid-shop-1"_s, u"unready"_s));
        QCOMPARE(changed.size(), 1);
        // Scheduled onto a node: it moves lane.
        model.apply(u"pods"_s, pod(u"shop-1-c"_s, u"worker"_s, u"uid-shop-1"_s));
        QCOMPARE(structure.size(), 1);
        model.remove(u"pods"_s, pod(u"shop-1-c"_s, u"worker"_s, u"uid-shop-1"_s));
        QCOMPARE(structure.size(), 2);
        QVERIFY(!model.isShown(id(u"pods"_s, u"shop-1-c"_s)));
        // A node turning NotReady repaints its lane.
        model.apply(u"nodes"_s, node(u"worker"_s, false));
        QCOMPARE(changed.last()[0].toStringList(), QStringList{u"nodes||worker"_s});
        QCOMPARE(model.lanes()[1].status, u"NotReady"_s);
    }

    void filtersByNamespaceAndLabelsKeepWhatLeadsToAMatch()
    {
        TopologyModel model;
        fill(model);
        model.apply(u"deployments.apps"_s, deployment(u"other"_s, 1, 1, u"ops"_s));
        model.apply(u"services"_s, service(u"db"_s, u"ops"_s));
        model.setNamespaceFilter(u"ops"_s);
        QCOMPARE(model.items().size(), 2);
        QVERIFY(model.isShown(id(u"services"_s, u"db"_s, u"ops"_s)));
        model.setNamespaceFilter({});

        // app=web matches the pods and the Deployment; their ReplicaSet, Service, Ingress and
        // ConfigMap come along; nothing else.
        model.apply(u"pods"_s, json(R"({"metadata":{"namespace":"web","name":"lone","uid":"l1",
                    "labels":{"app":"other"}},"spec":{"containers":[{"name":"c"}]}})"));
        QVERIFY(model.isShown(id(u"pods"_s, u"lone"_s)));
        QVERIFY(model.setLabelFilter(u"app=web"_s).has_value());
        QVERIFY(!model.isShown(id(u"pods"_s, u"lone"_s)));
        QVERIFY(model.isShown(id(u"replicasets.apps"_s, u"shop-1"_s)));
        QVERIFY(model.isShown(id(u"ingresses.networking.k8s.io"_s, u"front"_s)));
        QVERIFY(model.isShown(id(u"configmaps"_s, u"settings"_s)));
        QVERIFY(!model.isShown(id(u"services"_s, u"db"_s, u"ops"_s)));

        const auto bad = model.setLabelFilter(u"app in (web"_s);
        QVERIFY(!bad.has_value());
        QVERIFY(!bad.error().isEmpty());
        QVERIFY(!model.isShown(id(u"pods"_s, u"lone"_s))); // the filter stays as it was
    }

    void ghostsShowWhatIsNotDeployedYet()
    {
        TopologyModel model;
        fill(model);
        QJsonObject api = deployment(u"api"_s, 2, 0);
        api.insert(u"kind"_s, u"Deployment"_s);
        QJsonObject apiService = service(u"api"_s);
        apiService.insert(u"kind"_s, u"Service"_s);
        apiService[u"spec"_s] = QJsonObject{{u"selector"_s, QJsonObject{{u"app"_s, u"api"_s}}}};
        QJsonObject apiTemplate = api[u"spec"_s].toObject();
        apiTemplate[u"template"_s] = QJsonObject{
            {u"metadata"_s, QJsonObject{{u"labels"_s, QJsonObject{{u"app"_s, u"api"_s}}}}}};
        api[u"spec"_s] = apiTemplate;
        QJsonObject shop = deployment(u"shop"_s, 3, 0);
        shop.insert(u"kind"_s, u"Deployment"_s);

        model.setGhosts(u"tab1"_s, {api, apiService, shop});
        const Item *ghost = model.item(id(u"deployments.apps"_s, u"api"_s));
        QVERIFY(ghost && ghost->ghost);
        QVERIFY(hasEdge(model, id(u"services"_s, u"api"_s), id(u"deployments.apps"_s, u"api"_s),
                        EdgeKind::Selects));
        // What the cluster has wins over its ghost.
        QVERIFY(!model.item(id(u"deployments.apps"_s, u"shop"_s))->ghost);

        // Deployed: the real one takes the ghost's place; closing the tab clears the rest.
        model.apply(u"deployments.apps"_s, deployment(u"api"_s, 2, 2));
        QVERIFY(!model.item(id(u"deployments.apps"_s, u"api"_s))->ghost);
        model.setGhosts(u"tab1"_s, {});
        QVERIFY(!model.isShown(id(u"services"_s, u"api"_s)));
        QVERIFY(model.isShown(id(u"deployments.apps"_s, u"api"_s)));
    }

    void layoutIsLayeredWithPodsInTheirNodesLanes()
    {
        TopologyModel model;
        fill(model);
        const LayoutResult layout = layOut(LayoutInput::fromModel(model));
        QVERIFY2(layout.error.isEmpty(), qPrintable(layout.error));
        const auto x = [&](const QString &itemId) { return layout.positions.value(itemId).x(); };
        const QRectF worker = layout.lanes.value(u"worker"_s);
        const QRectF cp = layout.lanes.value(u"cp"_s);
        const QRectF pending = layout.lanes.value(QString());
        QVERIFY(!worker.isEmpty() && !cp.isEmpty() && !pending.isEmpty());
        QCOMPARE(layout.laneOrder, (QStringList{u"cp"_s, u"worker"_s, QString()}));
        // Left to right: Ingress, Service; Deployment, ReplicaSet; lanes; ConfigMap.
        QVERIFY(x(id(u"ingresses.networking.k8s.io"_s, u"front"_s)) <
                x(id(u"services"_s, u"shop"_s)));
        QVERIFY(x(id(u"deployments.apps"_s, u"shop"_s)) <
                x(id(u"replicasets.apps"_s, u"shop-1"_s)));
        QVERIFY(x(id(u"replicasets.apps"_s, u"shop-1"_s)) < worker.left());
        QVERIFY(x(id(u"services"_s, u"shop"_s)) < worker.left());
        QVERIFY(worker.right() < x(id(u"configmaps"_s, u"settings"_s)));
        // Lanes in one column, in order, each holding its pods.
        QCOMPARE(worker.left(), cp.left());
        QVERIFY(cp.bottom() <= worker.top());
        QVERIFY(worker.bottom() <= pending.top());
        const QSizeF podSize = LayoutInput().podSize;
        QVERIFY(
            worker.contains(QRectF(layout.positions.value(id(u"pods"_s, u"shop-1-a"_s)), podSize)));
        QVERIFY(cp.contains(QRectF(layout.positions.value(id(u"pods"_s, u"shop-1-b"_s)), podSize)));
        QVERIFY(pending.contains(
            QRectF(layout.positions.value(id(u"pods"_s, u"shop-1-c"_s)), podSize)));
        // Same input, same picture.
        QCOMPARE(layOut(LayoutInput::fromModel(model)).positions, layout.positions);
    }

    void manyPodsInALaneDoNotOverlap()
    {
        TopologyModel model;
        model.apply(u"nodes"_s, node(u"worker"_s, true));
        model.apply(u"deployments.apps"_s, deployment(u"shop"_s, 40, 40));
        model.apply(u"replicasets.apps"_s, replicaSet(u"shop-1"_s, u"shop"_s, 40));
        for (int i = 0; i < 40; ++i)
            model.apply(u"pods"_s,
                        pod(u"p%1"_s.arg(i, 2, 10, QChar(u'0')), u"worker"_s, u"uid-shop-1"_s));
        const LayoutResult layout = layOut(LayoutInput::fromModel(model));
        const QSizeF podSize = LayoutInput().podSize;
        QList<QRectF> rects;
        for (int i = 0; i < 40; ++i)
            rects << QRectF(
                layout.positions.value(id(u"pods"_s, u"p%1"_s.arg(i, 2, 10, QChar(u'0')))),
                podSize);
        for (int i = 0; i < rects.size(); ++i) {
            QVERIFY(layout.lanes.value(u"worker"_s).contains(rects[i]));
            for (int j = i + 1; j < rects.size(); ++j)
                QVERIFY2(!rects[i].intersects(rects[j]), qPrintable(u"%1 %2"_s.arg(i).arg(j)));
        }
        QCOMPARE(laneColumns(40), 4);
    }

    void sceneRepaintsStatusChangesAndAnimatesNewPodsIntoTheirLane()
    {
        TopologyModel model;
        fill(model);
        TopologyScene scene(&model);
        TopologyView view(&scene);
        view.resize(1000, 700);
        view.show();
        QTRY_VERIFY(scene.layoutCount() == 1 && !scene.isSettling());
        QCOMPARE(scene.objectCount(), 8);
        QVERIFY(scene.laneItem(u"worker"_s));
        const int layouts = scene.layoutCount();

        // A status change repaints the card, with no layout.
        model.apply(u"pods"_s,
                    pod(u"shop-1-a"_s, u"worker"_s, u"uid-shop-1"_s, u"CrashLoopBackOff"_s, 2));
        QCOMPARE(scene.objectItem(id(u"pods"_s, u"shop-1-a"_s))->item().status,
                 u"CrashLoopBackOff"_s);
        QVERIFY(!scene.isSettling()); // a structure change would have scheduled a layout
        QCOMPARE(scene.layoutCount(), layouts);

        // A new pod on the worker starts at the lane's title and glides to its place.
        model.apply(u"pods"_s, pod(u"shop-1-d"_s, u"worker"_s, u"uid-shop-1"_s));
        QSignalSpy laidOut(&scene, &TopologyScene::laidOut);
        QVERIFY(laidOut.wait(5000));
        ObjectItem *card = scene.objectItem(id(u"pods"_s, u"shop-1-d"_s));
        QVERIFY(card);
        const QRectF lane = scene.laneItem(u"worker"_s)->rect();
        QVERIFY(card->pos().y() < lane.top() + laneHeader); // still near the title
        QVERIFY(card->opacity() < 1.0);
        QTRY_VERIFY(!scene.isSettling());
        QCOMPARE(card->opacity(), 1.0);
        QVERIFY(lane.contains(card->sceneBoundingRect().adjusted(2, 8, -8, -2)));

        // Selecting a card says which object.
        QSignalSpy selected(&scene, &TopologyScene::objectSelected);
        scene.select(id(u"services"_s, u"shop"_s));
        QCOMPARE(selected.last()[0].toString(), id(u"services"_s, u"shop"_s));

        // A node going NotReady repaints its lane; a removed pod's card goes.
        model.apply(u"nodes"_s, node(u"worker"_s, false));
        QCOMPARE(scene.laneItem(u"worker"_s)->lane().status, u"NotReady"_s);
        model.remove(u"pods"_s, pod(u"shop-1-d"_s, u"worker"_s, u"uid-shop-1"_s));
        QTRY_VERIFY(!scene.objectItem(id(u"pods"_s, u"shop-1-d"_s)));

        // Zoom and fit.
        view.zoomBy(2.0);
        view.fit();
        QVERIFY(view.zoom() <= 1.0);
    }
};

QTEST_MAIN(TestTopology)
#include "tst_topology.moc"
