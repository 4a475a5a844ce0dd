// GitOps' reading of git's side and of the cluster's: manifest files split into documents that
// keep their file and line (a broken one reported there, the others kept), the files under a
// path found recursively, and each object's health in Argo CD's words.
#include "gitops/desiredstate.h"
#include "gitops/health.h"

#include <QHash>
#include <QJsonDocument>
#include <QTest>

using namespace timonel::gitops;
using namespace Qt::StringLiterals;

namespace {

class MemoryTree : public SourceTree
{
public:
    QHash<QString, QByteArray> files;

    std::optional<QByteArray> read(const QString &path) const override
    {
        auto it = files.constFind(path);
        return it == files.cend() ? std::nullopt : std::optional<QByteArray>(*it);
    }
    QStringList list(const QString &directory) const override
    {
        const QString prefix = directory.isEmpty() ? QString() : directory + u'/';
        QStringList names;
        for (auto it = files.cbegin(); it != files.cend(); ++it) {
            if (!it.key().startsWith(prefix))
                continue;
            const QString rest = it.key().mid(prefix.size());
            const qsizetype slash = rest.indexOf(u'/');
            const QString name = slash < 0 ? rest : rest.left(slash + 1);
            if (!names.contains(name))
                names << name;
        }
        names.sort();
        return names;
    }
};

} // namespace

class TestGitOpsState : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void documentsKeepTheirFileAndLine()
    {
        DesiredState state;
        readManifestFile(u"apps/all.yaml"_s,
                         "# a comment\n"
                         "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
                         "---\n"
                         "---   # an empty document is skipped\n"
                         "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n"
                         "--- \n"
                         "apiVersion: v1\nkind: Secret\nmetadata: {name: b}\n"
                         "...\n",
                         state);
        QCOMPARE(state.objects.size(), 2);
        QCOMPARE(state.objects[0].object.value(u"kind"_s).toString(), u"ConfigMap"_s);
        QCOMPARE(state.objects[0].line, 1);
        QCOMPARE(state.objects[1].object.value(u"kind"_s).toString(), u"Secret"_s);
        QCOMPARE(state.objects[1].line, 12);
        QCOMPARE(state.objects[1].file, u"apps/all.yaml"_s);
        QCOMPARE(state.problems.size(), 1);
        QCOMPARE(state.problems[0].file, u"apps/all.yaml"_s);
        QCOMPARE(state.problems[0].line, 10);
    }

    void aDocumentWithoutKindIsAProblem()
    {
        DesiredState state;
        readManifestFile(u"x.json"_s, R"({"apiVersion": "v1", "metadata": {"name": "x"}})", state);
        QCOMPARE(state.objects.size(), 0);
        QCOMPARE(state.problems.size(), 1);
        QCOMPARE(state.problems[0].line, 1);
    }

    void manifestFilesAreFoundRecursivelyInPathOrder()
    {
        MemoryTree tree;
        tree.files.insert(u"b.yaml"_s, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n");
        tree.files.insert(u"a/x.yml"_s, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
        tree.files.insert(u"a/y.json"_s,
                          R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"y"}})");
        tree.files.insert(u"a/notes.txt"_s, "not a manifest");
        tree.files.insert(u".github/ci.yaml"_s, "on: push\n");
        tree.files.insert(u".hidden.yaml"_s, "kind: Nope\n");
        const DesiredState state = readDesiredState(tree);
        QStringList names;
        for (const RenderedObject &o : state.objects)
            names << o.object[u"metadata"_s][u"name"_s].toString();
        QCOMPARE(names, (QStringList{u"x"_s, u"y"_s, u"b"_s}));
        QVERIFY(state.problems.isEmpty());
    }

    void healthInArgoCdsWords_data()
    {
        QTest::addColumn<QByteArray>("object");
        QTest::addColumn<int>("health");
        QTest::newRow("deployment available")
            << QByteArray(R"({"kind":"Deployment","metadata":{"generation":2},
                "spec":{"replicas":2},"status":{"observedGeneration":2,"replicas":2,
                "updatedReplicas":2,"availableReplicas":2}})")
            << int(Health::Healthy);
        QTest::newRow("deployment rolling out")
            << QByteArray(R"({"kind":"Deployment","metadata":{"generation":3},
                "spec":{"replicas":2},"status":{"observedGeneration":3,"replicas":3,
                "updatedReplicas":2,"availableReplicas":2}})")
            << int(Health::Progressing);
        QTest::newRow("deployment not observed yet")
            << QByteArray(R"({"kind":"Deployment","metadata":{"generation":3},
                "spec":{"replicas":1},"status":{"observedGeneration":2,"replicas":1,
                "updatedReplicas":1,"availableReplicas":1}})")
            << int(Health::Progressing);
        QTest::newRow("deployment past its deadline")
            << QByteArray(R"({"kind":"Deployment","spec":{"replicas":1},"status":{"conditions":[
                {"type":"Progressing","status":"False","reason":"ProgressDeadlineExceeded",
                 "message":"ReplicaSet web-1 has timed out progressing."}]}})")
            << int(Health::Degraded);
        QTest::newRow("deployment paused")
            << QByteArray(R"({"kind":"Deployment","spec":{"paused":true}})")
            << int(Health::Suspended);
        QTest::newRow("job failed") << QByteArray(R"({"kind":"Job","status":{"conditions":[
                {"type":"Failed","status":"True","message":"BackoffLimitExceeded"}]}})")
                                    << int(Health::Degraded);
        QTest::newRow("job complete") << QByteArray(R"({"kind":"Job","status":{"conditions":[
                {"type":"Complete","status":"True"}]}})")
                                      << int(Health::Healthy);
        QTest::newRow("cronjob suspended")
            << QByteArray(R"({"kind":"CronJob","spec":{"suspend":true}})")
            << int(Health::Suspended);
        QTest::newRow("pod crash looping")
            << QByteArray(R"({"kind":"Pod","status":{"phase":"Running","containerStatuses":[
                {"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}})")
            << int(Health::Degraded);
        QTest::newRow("claim pending")
            << QByteArray(R"({"kind":"PersistentVolumeClaim","status":{"phase":"Pending"}})")
            << int(Health::Progressing);
        QTest::newRow("load balancer without address")
            << QByteArray(R"({"kind":"Service","spec":{"type":"LoadBalancer"},"status":{}})")
            << int(Health::Progressing);
        QTest::newRow("config map")
            << QByteArray(R"({"kind":"ConfigMap","data":{"a":"b"}})") << int(Health::Healthy);
    }

    void healthInArgoCdsWords()
    {
        QFETCH(QByteArray, object);
        QFETCH(int, health);
        const ObjectHealth h = healthOf(QJsonDocument::fromJson(object).object());
        QCOMPARE(healthName(h.health), healthName(Health(health)));
        QCOMPARE(h.health != Health::Healthy, !h.message.isEmpty());
    }

    void missingAndTheWorstOfAll()
    {
        QCOMPARE(healthOf(std::nullopt).health, Health::Missing);
        QCOMPARE(overallHealth({Health::Healthy, Health::Progressing, Health::Suspended}),
                 Health::Progressing);
        QCOMPARE(overallHealth({Health::Missing, Health::Degraded}), Health::Degraded);
        QCOMPARE(overallHealth({}), Health::Healthy);
    }
};

QTEST_MAIN(TestGitOpsState)
#include "tst_gitopsstate.moc"
